"""The index's identity: what its chunks and tokens were made with.

Two keys, hashed from the settings and files that shape the index (paper-qa hashes its parsing settings
into the index for the same reason):

- ``parse_key``: loader version, chunk size and overlap. Stored with every document's chunks; a document
  whose key differs is re-read and re-chunked on the next ingest, even if its file is unchanged.
- ``token_key``: analyzer version and the bytes of the domain dictionary and the synonym table (both feed
  the tokenizer). Stored with the lexical index; a change re-tokenises every chunk from the store on the
  next open, and drops the token cache.
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
    return hashlib.sha256("|".join(map(str, parts)).encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class IndexIdentity:
    loader_version: int
    chunk_size: int
    overlap: int
    analyzer_version: int
    dict_digest: str
    synonyms_digest: str

    @property
    def parse_key(self) -> str:
        return _short("parse", self.loader_version, self.chunk_size, self.overlap)

    @property
    def token_key(self) -> str:
        return _short("tokens", self.analyzer_version, self.dict_digest, self.synonyms_digest)

    def describe(self) -> dict[str, str | int]:
        """What `stats` shows."""
        return {
            "parse_key": self.parse_key,
            "token_key": self.token_key,
            "loader_version": self.loader_version,
            "chunk_size": self.chunk_size,
            "chunk_overlap_sentences": self.overlap,
            "analyzer_version": self.analyzer_version,
            "domain_dict": self.dict_digest[:12],
            "synonyms": self.synonyms_digest[:12],
        }
