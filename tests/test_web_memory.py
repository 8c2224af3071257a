"""The web process gives freed memory back after an upload (glibc): RSS stays flat over many uploads."""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import pytest

from ui.memory import _libc, release_memory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux") or _libc() is None, reason="glibc only")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_memory_freed_in_a_worker_thread_goes_back_to_the_system() -> None:
    kept: list[bytes] = []

    def upload_like() -> None:  # a request thread's transient buffers, a few of them kept (fragmentation)
        junk = [bytes(2000 + i % 1000) for i in range(60_000)]
        kept.extend(junk[::50])
        del junk

    t = threading.Thread(target=upload_like)
    t.start()
    t.join()
    before = _rss_mb()
    release_memory()
    after = _rss_mb()
    assert len(kept) == 1200
    assert before - after > 60, f"RSS {before:.0f} -> {after:.0f} MB: the freed ~150 MB stayed with the allocator"
