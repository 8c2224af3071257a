"""Ingest an upload in a child process, so the web process stays free to answer.

The ingest (parsing, Chroma writes, the keyword-index build) holds the GIL for most of its time and grows
the memory of whichever process runs it (Chroma's caches, the old and new index side by side). In a child
(a fresh interpreter, ``python -m ui.ingest_proc``, never a fork of the threaded server,
and without gradio) it takes neither from the page: the
web process only loads the committed index afterwards, as it does after a CLI ``ingest``. The child reports
progress, the lock-wait notice and the final ``IngestReport`` on its stdout, runs at a lower priority
(``NICE``), exits when the web process dies (``watch_parent``). Costs about 1–2 s of start-up per batch.
"""

from __future__ import annotations

import base64
import logging
import os
import pickle
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sizheng_bot.config import Settings
from sizheng_bot.errors import SizhengError
from sizheng_bot.types import IngestReport

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
NICE = 5  # the child yields the CPU to the answering process when both want it


def _send(msg: tuple[Any, ...]) -> None:
    sys.stdout.write(base64.b64encode(pickle.dumps(msg)).decode("ascii") + "\n")
    sys.stdout.flush()


def child_main() -> int:
    """``python -m ui.ingest_proc``: the request comes pickled on stdin, messages go out as
    base64 pickles, one a line, on stdout (our own child: trusted). Never imports gradio."""
    from sizheng_bot.assistant import Assistant
    from sizheng_bot.ingest.budget import watch_parent

    settings, paths, names, parent = pickle.loads(sys.stdin.buffer.read())
    watch_parent(parent)
    try:
        os.nice(NICE)
    except OSError:
        pass
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        asst = Assistant.from_settings(settings)
        report = asst.ingest(
            paths, lambda i, n, name: _send(("progress", i, n, name)), names=names,
            notice=lambda text: _send(("notice", text)),
        )  # fmt: skip
        _send(("done", report))
    except SizhengError as exc:
        _send(("error", type(exc).__name__, str(exc)))
    except BaseException as exc:  # reported to the page as an unexpected error, logged here
        log.exception("ingest in the child process failed")
        _send(("crash", type(exc).__name__, str(exc)))
    return 0


def ingest_in_child(
    settings: Settings, paths: list[Path], names: dict[Path, str],
    progress: Progress | None = None, notice: Callable[[str], None] | None = None,
) -> IngestReport:  # fmt: skip
    """``Assistant(settings).ingest(paths, progress, names, notice)`` run in a child process."""
    src = str(Path(__file__).resolve().parents[1])  # the checkout holding ui/, for the child
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([src, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.ingest_proc"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        env=env, start_new_session=False,
    )  # fmt: skip
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(pickle.dumps((settings, paths, names, os.getpid())))
        proc.stdin.close()
        for line in proc.stdout:
            msg = pickle.loads(base64.b64decode(line))
            if msg[0] == "progress" and progress is not None:
                progress(msg[1], msg[2], msg[3])
            elif msg[0] == "notice" and notice is not None:
                notice(msg[1])
            elif msg[0] == "done":
                report: IngestReport = msg[1]
                return report
            elif msg[0] == "error":
                raise SizhengError(msg[2])
            elif msg[0] == "crash":
                raise RuntimeError(f"{msg[1]}: {msg[2]}")
        code = proc.wait(10)
        raise SizhengError(
            f"入库进程意外退出（退出码 {code}），本批文件未入库，原有知识库不受影响。"
            "请重试；如反复出现，请联系管理员查看日志"
        )
    finally:
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        proc.stdout.close()


if __name__ == "__main__":
    sys.exit(child_main())
