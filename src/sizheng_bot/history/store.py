"""SQLite store of conversations (per owner: a signed-in user or a browser id) and answer feedback.

One file, ``<data_dir>/history.sqlite3``. Each call opens its own short connection, so the store is
safe from the web server's worker threads and from a CLI process at the same time (WAL journal).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sizheng_bot.history.codec import result_from_json, result_to_json
from sizheng_bot.types import Result

FILE_NAME = "history.sqlite3"
TITLE_CHARS = 30
DEFAULT_TITLE = "新对话"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
  id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL,
  created REAL NOT NULL, updated REAL NOT NULL);
CREATE INDEX IF NOT EXISTS conv_owner ON conversations(owner, updated);
CREATE TABLE IF NOT EXISTS turns (
  id INTEGER PRIMARY KEY AUTOINCREMENT, conv_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
  question TEXT NOT NULL, result TEXT NOT NULL, created REAL NOT NULL);
CREATE INDEX IF NOT EXISTS turn_conv ON turns(conv_id, id);
CREATE TABLE IF NOT EXISTS feedback (
  id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, task TEXT NOT NULL, question TEXT NOT NULL,
  result TEXT NOT NULL, settings TEXT NOT NULL, rating INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '',
  conv_id TEXT, created REAL NOT NULL);
"""


@dataclass(frozen=True)
class ConversationInfo:
    id: str
    owner: str
    title: str
    created: float
    updated: float
    turns: int


@dataclass(frozen=True)
class Turn:
    id: int
    question: str
    result: Result
    created: float


@dataclass(frozen=True)
class Feedback:
    id: int
    owner: str
    task: str
    question: str
    result: Result
    settings: dict[str, Any]
    rating: int  # +1 👍, -1 👎
    comment: str
    conv_id: str | None
    created: float


def title_from(question: str) -> str:
    one_line = " ".join(question.split())
    return (one_line[:TITLE_CHARS] + "…") if len(one_line) > TITLE_CHARS else (one_line or DEFAULT_TITLE)


class HistoryStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILE_NAME
        self._init_lock = threading.Lock()
        self._ready = False

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            with self._init_lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                con = sqlite3.connect(self.path, timeout=30)
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(_SCHEMA)
                con.close()
                self._ready = True
        con = sqlite3.connect(self.path, timeout=30)
        con.execute("PRAGMA foreign_keys=ON")
        try:
            with con:
                yield con
        finally:
            con.close()

    # ---- conversations -------------------------------------------------------------------------
    def create(self, owner: str, title: str = DEFAULT_TITLE) -> str:
        cid = uuid.uuid4().hex
        now = time.time()
        with self._db() as con:
            con.execute(
                "INSERT INTO conversations VALUES (?, ?, ?, ?, ?)",
                (cid, owner, title.strip() or DEFAULT_TITLE, now, now),
            )
        return cid

    def conversations(self, owner: str | None = None) -> list[ConversationInfo]:
        """Newest first; every owner's when ``owner`` is None (the CLI)."""
        sql = (
            "SELECT c.id, c.owner, c.title, c.created, c.updated, COUNT(t.id) FROM conversations c "
            "LEFT JOIN turns t ON t.conv_id = c.id {where} GROUP BY c.id ORDER BY c.updated DESC, c.rowid DESC"
        )
        with self._db() as con:
            if owner is None:
                rows = con.execute(sql.format(where="")).fetchall()
            else:
                rows = con.execute(sql.format(where="WHERE c.owner = ?"), (owner,)).fetchall()
        return [ConversationInfo(*r) for r in rows]

    def get(self, conv_id: str, owner: str | None = None) -> ConversationInfo | None:
        found = [
            c
            for c in self.conversations(owner)
            if c.id == conv_id or (owner is None and c.id.startswith(conv_id))
        ]
        return found[0] if len(found) == 1 else None

    def rename(self, owner: str, conv_id: str, title: str) -> bool:
        with self._db() as con:
            cur = con.execute(
                "UPDATE conversations SET title = ? WHERE id = ? AND owner = ?",
                (title.strip() or DEFAULT_TITLE, conv_id, owner),
            )
        return cur.rowcount > 0

    def delete(self, owner: str, conv_id: str) -> bool:
        with self._db() as con:
            cur = con.execute("DELETE FROM conversations WHERE id = ? AND owner = ?", (conv_id, owner))
        return cur.rowcount > 0

    def add_turn(self, owner: str, conv_id: str | None, question: str, result: Result) -> str:
        """Append a turn (creating the conversation when ``conv_id`` is None or not the owner's)."""
        if not conv_id or self.get(conv_id, owner) is None:
            conv_id = self.create(owner, title_from(question))
        now = time.time()
        with self._db() as con:
            con.execute(
                "INSERT INTO turns (conv_id, question, result, created) VALUES (?, ?, ?, ?)",
                (conv_id, question, result_to_json(result), now),
            )
            con.execute(
                "UPDATE conversations SET updated = ?, title = CASE WHEN title = ? THEN ? ELSE title END "
                "WHERE id = ?",
                (now, DEFAULT_TITLE, title_from(question), conv_id),
            )
        return conv_id

    def turns(self, conv_id: str, owner: str | None = None) -> list[Turn]:
        if owner is not None and self.get(conv_id, owner) is None:
            return []
        with self._db() as con:
            rows = con.execute(
                "SELECT id, question, result, created FROM turns WHERE conv_id = ? ORDER BY id", (conv_id,)
            ).fetchall()
        return [Turn(r[0], r[1], result_from_json(r[2]), r[3]) for r in rows]

    # ---- feedback ------------------------------------------------------------------------------
    def add_feedback(
        self,
        owner: str,
        question: str,
        result: Result,
        rating: int,
        settings: dict[str, Any],
        comment: str = "",
        conv_id: str | None = None,
    ) -> int:
        with self._db() as con:
            cur = con.execute(
                "INSERT INTO feedback (owner, task, question, result, settings, rating, comment, conv_id, created) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    owner,
                    result.task,
                    question,
                    result_to_json(result),
                    json.dumps(settings, ensure_ascii=False, default=str),
                    1 if rating > 0 else -1,
                    comment.strip(),
                    conv_id,
                    time.time(),
                ),
            )
        return int(cur.lastrowid or 0)

    def set_comment(self, owner: str, feedback_id: int, comment: str) -> bool:
        with self._db() as con:
            cur = con.execute(
                "UPDATE feedback SET comment = ? WHERE id = ? AND owner = ?",
                (comment.strip(), feedback_id, owner),
            )
        return cur.rowcount > 0

    def feedback(self) -> list[Feedback]:
        with self._db() as con:
            rows = con.execute(
                "SELECT id, owner, task, question, result, settings, rating, comment, conv_id, created "
                "FROM feedback ORDER BY id"
            ).fetchall()
        return [
            Feedback(r[0], r[1], r[2], r[3], result_from_json(r[4]), json.loads(r[5]), r[6], r[7], r[8], r[9])
            for r in rows
        ]
