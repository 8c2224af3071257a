"""Where a knowledge base's committed generation lives (a mixin of ``KnowledgeBase``), and deleting one.

Embedded store: ``state.json`` in the knowledge base's directory (generation + the lexical directory of
that generation), replaced by one atomic rename: the commit point.
Server store: the record ``state:<slug>`` on the Chroma server is the commit point (generation + an
epoch, a random id fixed when the knowledge base is first written); ``state.json`` is then only this
process's pointer to its local lexical cache and counts only while its generation and epoch match the
server's (so a knowledge base deleted and created again never shows an old cache of the same number).
Readers re-read the server record at most every ``poll`` seconds; a writer always reads it fresh.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sizheng_bot.retrieval.kbs import DEFAULT, collection_prefix

if TYPE_CHECKING:
    from sizheng_bot.retrieval.store import KnowledgeBase

STATE = "state.json"
LEXICAL = "lexical"
LEGACY_BM25 = "bm25"


@dataclass(frozen=True)
class State:
    generation: int = 0
    lexical: str | None = None  # directory under lexical/ holding this generation's index
    epoch: str = ""  # server mode: which incarnation of the knowledge base the generation belongs to


class CommittedState:
    data_dir: Path
    slug: str
    poll: float
    records: Any
    proc_lock: Any
    _remote: tuple[float, int, str] | None  # (monotonic time read, generation, epoch)

    @property
    def server(self) -> bool:
        return self.records is not None

    @property
    def state_path(self) -> Path:
        return self.data_dir / STATE

    @property
    def lexical_root(self) -> Path:
        return self.data_dir / LEXICAL

    def _local_state(self) -> State:
        try:
            raw = json.loads(self.state_path.read_text("utf-8"))
            return State(int(raw["generation"]), raw.get("lexical"), str(raw.get("epoch", "")))
        except (OSError, ValueError, KeyError, TypeError):
            return State()

    def remote(self) -> tuple[int, str]:
        """Server mode: the committed (generation, epoch) on the server (re-read at most every ``poll``
        seconds, always while this process writes)."""
        now = time.monotonic()
        if self._remote is not None and not self.proc_lock.held and now - self._remote[0] < self.poll:
            return self._remote[1], self._remote[2]
        rec = self.records.get(f"state:{self.slug}") or {}
        gen, epoch = int(rec.get("generation", 0)), str(rec.get("epoch", ""))
        self._remote = (now, gen, epoch)
        return gen, epoch

    def state(self) -> State:
        local = self._local_state()
        if not self.server:
            return local
        gen, epoch = self.remote()
        fits = local.generation == gen and local.epoch == epoch
        return State(gen, local.lexical if fits else None, epoch)

    def generation(self) -> int:
        return self.state().generation

    def write_state(self, generation: int, lexical: str | None) -> None:
        """The commit point: one atomic rename (server mode: the server's state record, then the local
        pointer to this process's lexical cache)."""
        epoch = ""
        if self.server:
            gen, epoch = self.remote()
            if generation != gen or not epoch:
                epoch = epoch or uuid.uuid4().hex
                self.records.put(f"state:{self.slug}", {"generation": generation, "epoch": epoch})
                self._remote = (time.monotonic(), generation, epoch)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_name(STATE + ".tmp")
        try:
            with tmp.open("w", encoding="utf-8") as fh:
                json.dump({"format": 2, "generation": generation, "lexical": lexical, "epoch": epoch}, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.state_path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _bump(self) -> int:
        """Test helper: pretend a write moved the generation on without a lexical index for it."""
        gen = self.generation() + 1
        self.write_state(gen, None)
        return gen


def destroy(kb: KnowledgeBase) -> None:
    """Delete a (non-default) knowledge base: its collections, its server records, its directory."""
    assert kb.slug != DEFAULT
    with kb.writing():
        client = kb._chroma()
        prefix = collection_prefix(kb.slug)
        for col in client.list_collections():
            name = col if isinstance(col, str) else col.name
            if name.startswith(prefix):
                client.delete_collection(name)
        if kb.records is not None:
            for kind in ("state", "journal"):
                kb.records.delete(f"{kind}:{kb.slug}")
    kb._client = None
    kb._remote = None
    shutil.rmtree(kb.data_dir, ignore_errors=True)
