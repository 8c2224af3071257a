"""One writer per data directory across processes: an advisory ``flock`` on ``<data>/write.lock``.

The lock file also records who holds it (pid, start time, command line) so a second writer can say whom
it is waiting for. The kernel drops a ``flock`` when its holder dies (even by SIGKILL), so a lock left by
a dead process is taken over at once; the stale holder record is simply overwritten.
Readers never take this lock: they read the last committed generation.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sizheng_bot.errors import IndexBusy

log = logging.getLogger(__name__)

LOCK_FILE = "write.lock"
_POLL = 0.2


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def describe_holder(info: dict[str, object]) -> str:
    """``PID 1234，自 10:05:03 起，命令 sizheng-bot ingest`` (whatever of it is known)."""
    parts = []
    if info.get("pid"):
        parts.append(f"PID {info['pid']}")
    if info.get("since"):
        parts.append(f"自 {info['since']} 起")
    if info.get("cmd"):
        parts.append(f"命令 {str(info['cmd'])[:80]}")
    return "，".join(parts) or "另一进程"


class ProcessLock:
    """Re-entrant within one object; exclusive between objects and processes."""

    lost = False  # a file lock cannot lapse (the server lease can: ``ServerLock``)

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self._fd: int | None = None
        self._depth = 0

    def verify(self) -> None:
        """Still ours (always, for a file lock held open); ``ServerLock.verify`` checks its lease."""

    @property
    def held(self) -> bool:
        return self._depth > 0

    def holder(self) -> dict[str, object]:
        try:
            raw = self.path.read_text("utf-8")
            info = json.loads(raw) if raw.strip() else {}
        except (OSError, ValueError):
            return {}
        return info if isinstance(info, dict) else {}

    def busy(self) -> bool:
        """Whether another process or object holds the lock right now (without taking it)."""
        if self._depth:
            return False
        if not self.path.exists():
            return False
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        finally:
            os.close(fd)
        return False

    def acquire(self, timeout: float, on_wait: Callable[[str], None] | None = None) -> None:
        """Take the lock, waiting up to ``timeout`` seconds; IndexBusy names the holder when it stays taken."""
        if self._depth:
            self._depth += 1
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + max(timeout, 0.0)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    os.close(fd)
                    raise
            who = describe_holder(self.holder())
            if time.monotonic() >= deadline:
                os.close(fd)
                raise IndexBusy(
                    f"知识库 {self.path.parent} 正由另一个进程写入（{who}），等待 {timeout:g} 秒后仍未结束。"
                    "请等它完成后重试（可用 SIZHENG_WRITE_LOCK_TIMEOUT 调整等待时间）"
                )
            if not told:
                told = True
                msg = f"知识库正由另一个进程写入（{who}），等待其完成（最多 {timeout:g} 秒）……"
                (on_wait or log.warning)(msg)
            time.sleep(_POLL)
        info = self.holder()
        pid = info.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and not _pid_alive(pid):
            log.info("taking over the write lock left by dead process %s", pid)
        record = {
            "pid": os.getpid(),
            "since": datetime.now().strftime("%Y-%m-%d %H:%M:%S"),
            "cmd": " ".join(Path(sys.argv[0]).name if i == 0 else a for i, a in enumerate(sys.argv))[:200],
        }
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(record, ensure_ascii=False).encode("utf-8"), 0)
        except OSError:  # a full disk must not stop us from holding the lock
            pass
        self._fd = fd
        self._depth = 1

    def release(self) -> None:
        if not self._depth:
            return
        self._depth -= 1
        if self._depth or self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
