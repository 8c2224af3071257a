"""The one way any zip-based format (docx, xlsx, pptx, odt, ofd…) is opened: with limits.

A crafted archive (zip bomb, millions of entries, headers that lie about sizes) is refused by name
before it can exhaust memory. Declared sizes are checked first (instant), then every entry is
inflated in a streaming pass with the same caps on the *actual* bytes, so a lying header does not help.
"""

from __future__ import annotations

import io
import logging
import zipfile
import zlib

from sizheng_bot.errors import LoadError
from sizheng_bot.ingest.loaders.options import DEFAULT_OPTIONS, LoadOptions

log = logging.getLogger(__name__)

_MB = 1 << 20
_BOMB_HINT = "该文件可能是恶意构造的压缩包（“压缩炸弹”）或已损坏；请用原程序重新另存后再上传"


class GuardedZip:
    """A read-only zip whose entries were all inflated once within the limits."""

    def __init__(self, zf: zipfile.ZipFile, names: list[str]) -> None:
        self._zf = zf
        self.names = names

    def has(self, name: str) -> bool:
        return name in self._zf.NameToInfo

    def read(self, name: str) -> bytes:
        try:
            return self._zf.read(name)
        except KeyError as exc:
            raise KeyError(name) from exc

    def find(self, name: str) -> str | None:
        """Entry name matching ``name`` case-insensitively, without a leading slash."""
        want = name.lstrip("/").lower()
        return next((n for n in self.names if n.lower() == want), None)


def _check_declared(zf: zipfile.ZipFile, source: str, opt: LoadOptions) -> None:
    infos = zf.infolist()
    if len(infos) > opt.zip_max_entries:
        raise LoadError(
            source, f"压缩包内条目过多（{len(infos)} 个，上限 {opt.zip_max_entries}）", _BOMB_HINT
        )
    total = sum(i.file_size for i in infos)
    if total > opt.zip_max_total_mb * _MB:
        raise LoadError(
            source, f"解压后体积过大（约 {total // _MB} MB，上限 {opt.zip_max_total_mb} MB）", _BOMB_HINT
        )
    for i in infos:
        if i.file_size >= opt.zip_ratio_min_mb * _MB and i.file_size > opt.zip_max_ratio * max(
            1, i.compress_size
        ):
            raise LoadError(
                source, f"压缩包条目 {i.filename} 的压缩比异常（超过 {opt.zip_max_ratio} 倍）", _BOMB_HINT
            )


def _check_actual(zf: zipfile.ZipFile, source: str, opt: LoadOptions) -> None:
    budget = opt.zip_max_total_mb * _MB
    for info in zf.infolist():
        if info.is_dir():
            continue
        size = 0
        with zf.open(info) as fh:
            while block := fh.read(_MB):
                size += len(block)
                budget -= len(block)
                if budget < 0:
                    raise LoadError(source, f"解压后体积超过上限 {opt.zip_max_total_mb} MB", _BOMB_HINT)
                if size >= opt.zip_ratio_min_mb * _MB and size > opt.zip_max_ratio * max(
                    1, info.compress_size
                ):
                    raise LoadError(
                        source,
                        f"压缩包条目 {info.filename} 的压缩比异常（超过 {opt.zip_max_ratio} 倍）",
                        _BOMB_HINT,
                    )


def open_zip(
    data: bytes, source: str, options: LoadOptions | None = None, *, verify: bool = True
) -> GuardedZip:
    """Open ``data`` as a zip within the limits, or raise LoadError naming ``source``.

    ``verify=False`` checks the directory only (for sniffing); loaders always verify.
    """
    opt = options or DEFAULT_OPTIONS
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        _check_declared(zf, source, opt)
        if verify:
            _check_actual(zf, source, opt)
    except LoadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
        log.info("zip open failed for %s: %r", source, exc)
        raise LoadError(source, "压缩结构已损坏，无法打开", "请用原程序重新另存后再上传") from exc
    return GuardedZip(zf, [i.filename for i in zf.infolist()])


def zip_names(data: bytes) -> list[str] | None:
    """Entry names of a zip (directory only, no inflating), or None when ``data`` is not a zip."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
