"""Error types whose messages are safe and useful to show users (in Chinese)."""

from __future__ import annotations


class SizhengError(Exception):
    """Base class: ``str(err)`` is a one-line Chinese message meant for the user."""


class LoadError(SizhengError):
    """A file could not be turned into a document. The message names the file, the reason and what to do."""

    def __init__(self, source: str, reason: str, hint: str = "") -> None:
        self.source = source
        self.reason = reason
        self.hint = hint
        msg = f"{source}：{reason}"
        if hint:
            msg += f"（{hint}）"
        super().__init__(msg)


class UnsupportedFormatError(LoadError):
    """The file's format is not one we read."""


class EmbeddingUnavailable(SizhengError):
    """The configured embedding model cannot be loaded (offline, not cached, bad path)."""


class IndexError_(SizhengError):
    """The knowledge base on disk cannot be opened or written."""


class LLMError(SizhengError):
    """The configured LLM endpoint failed; the message never contains the API key."""


class ConfigError(SizhengError):
    """A setting or a prompt file is invalid."""


class IndexBusy(IndexError_):
    """Another process is writing the same knowledge base; the message names it (pid, since when)."""


class DiskFullError(IndexError_):
    """The disk holding the data directory is full; the message says how much free space is needed."""

    def __init__(self, message: str, needed_bytes: int = 0, free_bytes: int = 0) -> None:
        self.needed_bytes = needed_bytes
        self.free_bytes = free_bytes
        super().__init__(message)
