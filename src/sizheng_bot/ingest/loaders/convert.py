"""Legacy office files (.doc/.wps/.xls/.et/.ppt/.rtf) converted by LibreOffice headless.

Each run is bounded: its own throw-away profile (-env:UserInstallation) in a temp dir, a timeout,
and on overrun the whole process group is killed. No converter installed → a Chinese refusal that
names what to install.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from sizheng_bot.errors import LoadError

log = logging.getLogger(__name__)

_CANDIDATES = (
    "soffice",
    "libreoffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
)
_PACKAGES = {
    "docx": "libreoffice-writer-nogui",
    "xlsx": "libreoffice-calc-nogui",
    "pptx": "libreoffice-impress-nogui",
}


def find_soffice() -> str | None:
    for name in _CANDIDATES:
        found = shutil.which(name) or (name if os.path.isabs(name) and os.access(name, os.X_OK) else None)
        if found:
            return found
    return None


def convert(data: bytes, source: str, in_ext: str, target: str, timeout: float) -> bytes:
    """Convert ``data`` (a file of type ``in_ext``) to ``target`` ("docx", "xlsx", "pptx" or a
    "txt:…" filter spec) and return the converted bytes."""
    exe = find_soffice()
    out_ext = target.split(":", 1)[0]
    if exe is None:
        pkg = _PACKAGES.get(out_ext, "libreoffice-writer-nogui")
        raise LoadError(
            source,
            "读取这种旧版 Office/WPS 文件需要 LibreOffice 转换器，但本机未安装",
            f"请管理员运行 scripts/install_converters.sh（或 apt-get install {pkg}），"
            f"或用 Word/WPS 另存为 .{out_ext} 后再上传",
        )
    with tempfile.TemporaryDirectory(prefix="sizheng-lo-") as tmp:
        src = Path(tmp) / f"input{in_ext}"
        src.write_bytes(data)
        outdir = Path(tmp) / "out"
        cmd = [
            exe, "--headless", "--norestore", "--nolockcheck", "--nodefault", "--nofirststartwizard",
            f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",
            "--convert-to", target, "--outdir", str(outdir), str(src),
        ]  # fmt: skip
        _run(cmd, source, timeout, tmp)
        produced = sorted(outdir.glob(f"input.{out_ext}")) if outdir.exists() else []
        if not produced:
            raise LoadError(
                source,
                "LibreOffice 未能转换该文件，文件可能已损坏或加密",
                "请用 Word/WPS 打开后另存为新格式再上传",
            )
        return produced[0].read_bytes()


def _run(cmd: list[str], source: str, timeout: float, home: str) -> None:
    env = {**os.environ, "HOME": home, "SAL_USE_VCLPLUGIN": "svp"}
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(proc)
        raise LoadError(
            source,
            f"格式转换超时（超过 {timeout:.0f} 秒）",
            "文件可能过大或已损坏，请另存为 .docx/.xlsx/.pdf 后再上传",
        ) from exc
    finally:
        if proc.poll() is None:
            _kill_group(proc)
    if proc.returncode != 0:
        log.info("soffice exit %s for %s: %s", proc.returncode, source, (err or out)[-500:])


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
