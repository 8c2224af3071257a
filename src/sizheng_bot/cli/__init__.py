"""The `sizheng-bot` command line."""

from sizheng_bot.cli.main import main

__all__ = ["main"]
