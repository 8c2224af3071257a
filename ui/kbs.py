"""The knowledge-base side of the page's handlers (a mixin of ``Handlers``; no gradio): which knowledge
bases exist, creating one, the assistant and the kept originals of each."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sizheng_bot.assistant import Assistant, registry
from sizheng_bot.config import Settings
from sizheng_bot.errors import SizhengError
from sizheng_bot.retrieval.kbs import DEFAULT, display_name
from sizheng_bot.retrieval.multi import qualify
from ui import render
from ui.messages import plain_message
from ui.originals import Originals

log = logging.getLogger(__name__)


class KBHandlers:
    asst: Assistant
    settings: Settings
    originals: Originals
    _originals: dict[str, Originals]

    # ---- several knowledge bases -------------------------------------------------------------------
    def kb_names(self) -> list[str]:
        """Every knowledge base (the registry is re-read: the CLI or another process may have changed it)."""
        try:
            names = list(registry(self.settings).load())
        except Exception:
            log.exception("reading the knowledge-base registry failed")
            names = [DEFAULT]
        return names if self.settings.kb in names else [self.settings.kb, *names]

    def kb_choices(self) -> list[tuple[str, str]]:
        return [(display_name(n), n) for n in self.kb_names()]

    def create_kb(self, name: str | None) -> tuple[str, str | None]:
        """(message html, the new knowledge base's name or None)."""
        try:
            clean = (name or "").strip()
            registry(self.settings).create(clean)
        except SizhengError as exc:
            return render.notice(plain_message(str(exc)), "warn"), None
        return render.notice(f"已新建知识库“{clean}”，现在可以向它上传文档。", "ok"), clean

    def for_kb(self, kb: str | None) -> Assistant:
        return self.asst.for_kb(kb or "")

    def originals_of(self, kb: str | None) -> Originals:
        name = kb or self.settings.kb
        if name == DEFAULT:
            return self.originals
        if name not in self._originals:
            self._originals[name] = Originals(self.settings.data_dir, registry(self.settings).slug(name))
        return self._originals[name]

    def original_links(self, kbs: Sequence[str] = ()) -> dict[str, str]:
        """Source name → download URL of its kept original (served by gradio behind the login); with
        several knowledge bases the names are qualified as their answers cite them (【名称】文件名)."""
        from urllib.parse import quote

        names = [k for k in kbs if k] or [self.settings.kb]
        links: dict[str, str] = {}
        for kb in names:
            try:
                orig = self.originals_of(kb)
            except SizhengError:  # deleted meanwhile
                continue
            for n in orig.names():
                key = qualify(display_name(kb), n) if len(names) > 1 else n
                links[key] = "/gradio_api/file=" + quote(str(orig._dir(n) / n))
        return links

