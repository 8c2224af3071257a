"""A shared Chroma server (``SIZHENG_CHROMA_URL``): the committed state, journal and write lock live in it.

Several app/CLI processes (on one or several hosts) use one ``chroma run`` server. Each keeps its own
lexical index as a local cache; what is committed is decided by records in the ``sizheng_meta`` collection:
``state:<slug>`` (the committed generation: the commit point), ``journal:<slug>`` (an interrupted
transaction) and ``lock:<slug>`` (the write lease). A process whose local lexical index is older than the
server's generation rebuilds it from the stored rows, whose metadata carry the word tokens (no jieba run).

The write lock is a lease record: ``add`` of an existing id is ignored by Chroma, so taking a free lock is
an insert-if-absent; the holder renews the lease while it writes (a heartbeat thread every lease/3), and a
lease left by a dead process expires after ``LEASE`` seconds and is taken over (deleted only if still that
holder's). Hosts need roughly synchronised clocks (well under the lease).

Fencing: a holder whose lease lapsed (its heartbeat starved or the server unreachable for a whole lease)
may have been replaced, so it must not write again. The heartbeat renews only a lease that is still its
own and unexpired, else marks the lock ``lost``; every write of a server record (journal, the commit
point) first calls ``verify``, which renews when less than a third of the lease is left and refuses
(``LeaseLost``) unless at least that much remains — a newcomer only takes an expired lease, so for that
long the record write cannot race one.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from sizheng_bot.errors import IndexBusy, IndexError_

log = logging.getLogger(__name__)

META = "sizheng_meta"
LEASE = 30.0
_POLL = 0.2
_VEC = [[1.0]]  # the meta collection is never queried by vector; Chroma still wants one


def connect(url: str) -> Any:
    """A ``chromadb.HttpClient`` for ``http://host:port``; a Chinese error when it cannot be reached."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    u = urlparse(url if "://" in url else "http://" + url)
    if not u.hostname:
        raise IndexError_(f"SIZHENG_CHROMA_URL 格式不对：{url}（应为 http://主机:端口）")
    try:
        return chromadb.HttpClient(
            host=u.hostname, port=u.port or 8000, ssl=u.scheme == "https",
            settings=ChromaSettings(anonymized_telemetry=False),
        )  # fmt: skip
    except Exception as exc:
        raise IndexError_(f"无法连接 Chroma 服务器 {url}：{exc}。请确认 chroma run 已启动、地址端口正确") from exc


def meta_collection(client: Any) -> Any:
    return client.get_or_create_collection(META, embedding_function=None)


class LeaseLost(IndexBusy):
    """This process's write lease lapsed while it wrote; another writer may hold it now."""


class Records:
    """JSON documents in the meta collection, one per id; ``guard`` runs before every write (the lease check)."""

    def __init__(self, meta: Callable[[], Any], guard: Callable[[], None] | None = None) -> None:
        self.meta = meta
        self.guard = guard

    def get(self, rid: str) -> dict[str, Any] | None:
        got = self.meta().get(ids=[rid], include=["documents"])
        if not got["ids"]:
            return None
        try:
            data = json.loads(got["documents"][0] or "{}")
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def put(self, rid: str, data: dict[str, Any]) -> None:
        if self.guard is not None:
            self.guard()
        body = json.dumps(data, ensure_ascii=False)
        self.meta().upsert(ids=[rid], documents=[body], metadatas=[{"kind": rid.split(":")[0]}], embeddings=_VEC)

    def delete(self, rid: str) -> None:
        if self.guard is not None:
            self.guard()
        self.meta().delete(ids=[rid])


class ServerLock:
    """The write lease of one knowledge base on the server; same interface as ``ProcessLock``."""

    def __init__(self, meta: Callable[[], Any], slug: str, lease: float = LEASE) -> None:
        self.meta = meta
        self.rid = f"lock:{slug}"
        self.lease = lease
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.path = Path(f"chroma://{slug}")  # named in messages like the file lock's path
        self._depth = 0
        self._stop: threading.Event | None = None
        self._expires = 0.0  # of our lease as last written (wall clock, like the record)
        self._beat = threading.Lock()  # one renewal at a time (heartbeat thread and verify)
        self.lost = False  # our lease lapsed while held: nothing more may be written under it

    @property
    def held(self) -> bool:
        return self._depth > 0

    def holder(self) -> dict[str, object]:
        got = self.meta().get(ids=[self.rid], include=["metadatas"])
        return dict(got["metadatas"][0] or {}) if got["ids"] else {}

    def _live_other(self, info: dict[str, object]) -> bool:
        return bool(info) and info.get("token") != self.token and float(info.get("expires", 0) or 0) > time.time()  # type: ignore[arg-type]

    def busy(self) -> bool:
        return not self._depth and self._live_other(self.holder())

    def _record(self) -> dict[str, Any]:
        cmd = " ".join(Path(sys.argv[0]).name if i == 0 else a for i, a in enumerate(sys.argv))[:200]
        return {
            "token": self.token, "pid": os.getpid(), "host": socket.gethostname(), "cmd": cmd,
            "since": datetime.now().strftime("%Y-%m-%d %H:%M:%S"), "expires": time.time() + self.lease,
        }  # fmt: skip

    def _try(self) -> bool:
        info = self.holder()
        if self._live_other(info):
            return False
        col = self.meta()
        if info and info.get("token") != self.token:  # an expired lease: remove it only if still that one
            log.info("taking over the expired write lease of %s", info.get("host"))
            col.delete(ids=[self.rid], where={"token": str(info.get("token"))})
        rec = self._record()
        col.add(ids=[self.rid], documents=[""], metadatas=[rec], embeddings=_VEC)  # no-op if taken
        if self.holder().get("token") != self.token:
            return False
        self._expires = float(rec["expires"])
        return True

    def acquire(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> None:
        from sizheng_bot.retrieval.lock import describe_holder

        if self._depth:
            self._depth += 1
            return
        deadline = time.monotonic() + max(timeout, 0.0)
        told = False
        while not self._try():
            info = self.holder()
            who = describe_holder(info) + (f"，主机 {info['host']}" if info.get("host") else "")
            if time.monotonic() >= deadline:
                raise IndexBusy(
                    f"知识库 {self.path} 正由另一个进程写入（{who}），等待 {timeout:g} 秒后仍未结束。"
                    "请等它完成后重试（可用 SIZHENG_WRITE_LOCK_TIMEOUT 调整等待时间）"
                )
            if not told:
                told = True
                (on_wait or log.warning)(f"知识库正由另一个进程写入（{who}），等待其完成（最多 {timeout:g} 秒）……")
            time.sleep(_POLL)
        self._depth = 1
        self.lost = False
        self._stop = threading.Event()
        threading.Thread(target=self._heartbeat, args=(self._stop,), daemon=True, name="sizheng-lease").start()

    def _heartbeat(self, stop: threading.Event) -> None:
        while not stop.wait(self.lease / 3) and not self.lost:
            try:
                self.renew()
            except Exception as exc:  # the server is briefly unreachable: try again at the next beat
                log.info("lease renewal failed: %s", exc)

    def renew(self) -> bool:
        """Extend our lease if it is still ours and unexpired; else mark it ``lost`` (never revived)."""
        with self._beat:
            if self.lost or not self._depth:
                return False
            info = self.holder()
            if info.get("token") != self.token or time.time() >= self._expires:
                log.warning("write lease of %s lost (now held by %s)", self.path, info.get("host") or "no one")
                self.lost = True
                return False
            rec = self._record()
            self.meta().update(ids=[self.rid], metadatas=[rec])
            self._expires = float(rec["expires"])
            return True

    def remaining(self) -> float:
        return self._expires - time.time()

    def verify(self) -> None:
        """Before a server-record write (journal, commit point): at least a third of the lease must be left
        (renewed here if need be), so that no other writer can have taken it or take it meanwhile."""
        if not self._depth:
            return  # not writing under the lease (plain readers never call this)
        if not self.lost and self.remaining() < self.lease / 3:
            try:
                self.renew()
            except Exception as exc:
                log.info("lease renewal before a commit failed: %s", exc)
        if self.lost or self.remaining() < self.lease / 3 or self.holder().get("token") != self.token:
            self.lost = True
            raise LeaseLost(
                f"知识库 {self.path} 的写锁租约在写入过程中过期（与 Chroma 服务器的连接中断或进程过忙，"
                f"超过 {self.lease:g} 秒未能续租），可能已由另一个进程接手；本批内容未提交。请稍后重试"
                "（可用 SIZHENG_CHROMA_LEASE 调大租期）"
            )

    def release(self) -> None:
        if not self._depth:
            return
        self._depth -= 1
        if self._depth:
            return
        if self._stop is not None:
            self._stop.set()
            self._stop = None
        self._expires = 0.0
        try:
            self.meta().delete(ids=[self.rid], where={"token": self.token})
        except Exception as exc:  # the lease expires on its own
            log.info("could not release the write lease: %s", exc)
