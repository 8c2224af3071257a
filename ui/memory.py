"""Keep the long-running web process's memory flat (glibc's allocator; a no-op elsewhere).

Measured under bench/load.py (uploads of 200 files in a loop while users ask): the objects Python keeps
alive between rounds stay at a few MB (tracemalloc), yet the process's RSS grew ~3–4 MB a round. The rest
is memory freed by Python but held by glibc: one malloc arena per worker thread, each fragmented by the
upload's transient buffers, and cyclic garbage waiting for a full collection. Two remedies, both cheap:
``limit_arenas`` (before any thread starts: fewer arenas, less fragmentation; with the GIL the server gains
nothing from more) and ``release_memory`` after each write from the page (a full collection, then
``malloc_trim`` hands the free pages back to the system).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import os
import sys
from functools import cache
from typing import Any

log = logging.getLogger(__name__)

M_ARENA_MAX = -8  # glibc's mallopt parameter
ARENAS = 2


@cache
def _libc() -> Any | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim  # noqa: B018 - glibc only (musl has no malloc_trim)
        libc.mallopt  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_arenas(n: int = ARENAS) -> bool:
    """At most ``n`` malloc arenas (unless MALLOC_ARENA_MAX is set): call before threads start."""
    libc = _libc()
    if libc is None or os.environ.get("MALLOC_ARENA_MAX"):
        return False
    return bool(libc.mallopt(M_ARENA_MAX, n))


def release_memory() -> None:
    """Collect cyclic garbage and give the allocator's free pages back to the system."""
    gc.collect()
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
