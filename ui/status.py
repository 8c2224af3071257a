"""The 系统状态 tab, the index banner and the public API verbs (a mixin of ``Handlers``; no gradio)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sizheng_bot.assistant import Assistant
from sizheng_bot.config import Settings
from sizheng_bot.errors import LLMError, SizhengError
from ui import render
from ui.messages import plain_message
from ui.startup import IndexJob

INDEX_WAIT_SECONDS = 900.0
MAX_HISTORY_TURNS = 10


def pairs(history: Sequence[Sequence[str]] | None) -> tuple[tuple[str, str], ...]:
    turns = [(str(h[0]), str(h[1])) for h in (history or []) if len(h) >= 2]
    return tuple(turns[-MAX_HISTORY_TURNS:])


class StatusHandlers:
    asst: Assistant
    settings: Settings
    job: IndexJob

    # ---- 系统状态 ------------------------------------------------------------------------------
    def status(self) -> str:
        if not self.job.ready:
            return render.notice(self.job.state().message + "（完成后点击“刷新”查看）", "info")
        s = self.settings
        st = self.asst.stats()
        llm = self.asst.llm()
        rows = [
            ("运行模式", "大模型生成（出错时自动改用离线摘编）" if llm else "离线摘编（未配置大模型）"),
            (
                "大模型接口",
                llm.describe()
                if llm
                else "未配置（管理员设置方法：环境变量 SIZHENG_LLM_BASE_URL 与 SIZHENG_LLM_MODEL，见 README）",
            ),
            ("向量模型", st.embed_model),
            ("向量模型状态", st.embed_status),
            ("文档数", str(st.documents)),
            ("切块数", str(st.chunks)),
            ("总字数", str(st.chars)),
            ("索引状态", self.ready_text()),
            ("数据目录", str(Path(st.data_dir).resolve())),
            ("默认文档目录", str(Path(s.knowledge_dir).resolve())),
            ("并发处理数", str(s.web.concurrency)),
            ("单个上传文件上限", f"{s.ingest.max_file_mb} MB"),
        ]
        return render.kv_table(rows)

    def test_llm(self) -> str:
        if self.asst.llm() is None:
            return render.notice(
                "当前为离线摘编模式，未配置大模型，无需测试连接。如需启用，请管理员按上表“大模型接口”一行的说明配置后重启。",
                "info",
            )
        try:
            return render.notice(self.asst.test_llm(), "ok")
        except (LLMError, SizhengError) as exc:
            return render.notice(f"连接失败：{plain_message(str(exc))}", "error")

    def ready_text(self) -> str:
        """The index state with live counts once ready (uploads and deletions change them)."""
        state = self.job.state()
        if not state.done or state.error:
            return state.message
        st = self.asst.stats()
        return f"知识库就绪：{st.documents} 篇文档，{st.chunks} 个切块{state.note}"

    def index_banner(self) -> str:
        state = self.job.state()
        text = plain_message(self.ready_text())
        return render.notice(text, "error" if state.error else ("ok" if state.done else "info"))

    # ---- API (gradio_client) ---------------------------------------------------------------------
    def api_ask(self, question: str, history: list[list[str]] | None = None) -> dict[str, Any]:
        self.job.wait(INDEX_WAIT_SECONDS)
        return self.asst.ask(question, pairs(history)).to_dict()

    def api_outline(
        self, request: str, topic: str = "", audience: str = "", minutes: int = 0
    ) -> dict[str, Any]:
        self.job.wait(INDEX_WAIT_SECONDS)
        text = request.strip() or topic.strip()
        result = self.asst.outline(text, topic.strip() or None, audience.strip() or None, minutes or None)
        return result.to_dict()

    def api_plan(self, request: str, theme: str = "", audience: str = "", form: str = "") -> dict[str, Any]:
        self.job.wait(INDEX_WAIT_SECONDS)
        text = request.strip() or theme.strip()
        result = self.asst.plan(text, theme.strip() or None, audience.strip() or None, form.strip() or None)
        return result.to_dict()
