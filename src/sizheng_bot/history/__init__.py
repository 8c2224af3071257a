"""Conversations and feedback kept in the data directory (SQLite), for the web UI and the CLI."""

from sizheng_bot.history.store import ConversationInfo, Feedback, HistoryStore, Turn

__all__ = ["ConversationInfo", "Feedback", "HistoryStore", "Turn"]
