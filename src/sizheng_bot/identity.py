"""The index's identity: what its chunks and tokens were made with.

Two keys, hashed from the settings and files that shape the index (paper-qa hashes its parsing settings
into the index for the same reason):

- ``parse_key``: loader version, chunk size and overlap. Part of every document's stored version; a
  document whose key differs is re-read and re-chunked on the next ingest, even if its file is unchanged.
- ``token_key``: analyzer version and the bytes of the domain dictionary and the synonym table (both feed
  the tokenizer). Saved with the lexical index; when it differs, the next open re-tokenises every chunk
  from the store (the token cache is dropped).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path


def file_digest(path: Path | None) -> str:
    """sha256 of a file's bytes, or "-" when there is no such file."""
    if path is None or not Path(path).is_file():
        return "-"
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _short(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:16]


def parse_key(loader_version: int, chunk_size: int, overlap: int) -> str:
    return _short("parse", loader_version, chunk_size, overlap)


def token_key(analyzer_version: int, dict_path: Path | None, synonym_path: Path | None) -> str:
    return _short("tokens", analyzer_version, file_digest(dict_path), file_digest(synonym_path))


@dataclass(frozen=True)
class IndexIdentity:
    """What `stats` shows about how the index was made."""

    loader_version: int
    chunk_size: int
    overlap: int
    token_key: str
    dict_path: str
    synonyms_path: str

    @property
    def parse_key(self) -> str:
        return parse_key(self.loader_version, self.chunk_size, self.overlap)

    def describe(self) -> dict[str, str | int]:
        return {
            "parse_key": self.parse_key,
            "token_key": self.token_key,
            "loader_version": self.loader_version,
            "chunk_size": self.chunk_size,
            "chunk_overlap_sentences": self.overlap,
            "domain_dict": self.dict_path,
            "synonyms": self.synonyms_path,
        }
