"""思政助手 web app (Gradio): wiring only — the page lives in this package, the work in the library.

Run with ``sizheng-bot serve`` or ``python app.py`` (the repository's thin launcher); settings come from ``SIZHENG_*`` environment
variables (see README). Binds 127.0.0.1:7860 by default, never creates a public share link.
"""

from __future__ import annotations

import os

# Offline switches are read at import time by huggingface_hub (which gradio imports) and gradio.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import logging  # noqa: E402
import secrets  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gradio as gr  # noqa: E402

from sizheng_bot.assistant import Assistant  # noqa: E402
from sizheng_bot.config import Settings  # noqa: E402
from ui.assets import CSS as EXTRA_CSS  # noqa: E402
from ui.assets import SCRIPT  # noqa: E402
from ui.auth import BackOff, RateLimitedAuth, guard_middleware  # noqa: E402
from ui.handlers import Handlers  # noqa: E402
from ui.layout import build  # noqa: E402
from ui.memory import limit_arenas  # noqa: E402
from ui.startup import IndexJob  # noqa: E402
from ui.theme import CSS, theme  # noqa: E402

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def build_app(assistant: Assistant, job: IndexJob | None = None) -> gr.Blocks:
    """The page for ``assistant``, with its queue set up; indexes knowledge/ first if needed."""
    job = job or IndexJob(assistant).start()
    demo = build(Handlers(assistant, job), browser_secret(assistant.settings.data_dir))
    # Gradio's default runs one event at a time; several users must be able to chat at once.
    demo.queue(default_concurrency_limit=assistant.settings.web.concurrency)
    return demo


def browser_secret(data_dir: Path) -> str:
    """The key that encrypts the browser's saved ids (kept in the data dir, so they survive a restart)."""
    path = Path(data_dir) / "web_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def launch_kwargs(settings: Settings) -> dict[str, Any]:
    """Arguments for ``demo.launch``: local bind, optional login (rate-limited, every route behind it),
    no share link, offline look. Gradio's ``max_file_size`` is only a far-off safety cap (10× the limit):
    at it gradio drops the whole selection, so the real limit is checked by our upload handler, which
    refuses over-limit files one by one and ingests the rest."""
    auth = None
    app_kwargs: dict[str, Any] = {}
    credentials = settings.web.credentials()
    if credentials:
        from starlette.middleware import Middleware
        from starlette.middleware.base import BaseHTTPMiddleware

        user, password = credentials
        backoff = BackOff()
        auth = RateLimitedAuth(user, password, BackOff())
        app_kwargs = {"middleware": [Middleware(BaseHTTPMiddleware, dispatch=guard_middleware(backoff))]}
    return {
        "server_name": settings.web.host,
        "server_port": settings.web.port,
        "auth": auth,
        "auth_message": "思政助手：请输入用户名和密码" if auth else None,
        "share": False,
        "ssr_mode": False,
        "pwa": False,
        "mcp_server": False,
        "enable_monitoring": False,
        "max_file_size": f"{settings.ingest.max_file_mb * 10}mb",
        "quiet": True,  # our own Chinese start-up lines instead of gradio's English ones
        "theme": theme(),
        "css": CSS + EXTRA_CSS,
        "head": SCRIPT,
        # gradio's English API page fetches /gradio_api/mcp/schema and /monitoring/summary, both off here
        # (two console errors); the API is described in Chinese on the 系统状态 tab and in the README.
        "footer_links": ["gradio", "settings"],
        "allowed_paths": [str((Path(settings.data_dir) / "originals").resolve())],
        "app_kwargs": app_kwargs,
    }


def main() -> None:
    limit_arenas()  # before the index job's and the server's threads start
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    for handler in logging.getLogger().handlers:  # bm25s sets its own logger to DEBUG when imported
        handler.setLevel(logging.WARNING)
    settings = Settings()
    print(f"思政助手 正在启动（数据目录：{settings.data_dir}）…", flush=True)
    assistant = Assistant.from_settings(settings)
    job = IndexJob(assistant, echo=lambda line: print(line, flush=True))
    if not (assistant.kb.exists() and assistant.kb.generation() > 0):
        print(f"首次启动：正在为 {settings.knowledge_dir}/ 建立索引（页面顶部同步显示进度）…", flush=True)
    job.start()
    if settings.web.host not in LOOPBACK and settings.web.credentials() is None:
        print(
            f"注意：正在监听 {settings.web.host}，局域网内均可访问；建议设置 SIZHENG_AUTH=用户名:密码", flush=True
        )
    demo = build_app(assistant, job)
    host = "127.0.0.1" if settings.web.host in ("0.0.0.0", "::") else settings.web.host
    print(f"请在浏览器中打开：http://{host}:{settings.web.port}（按 Ctrl+C 退出）", flush=True)
    try:
        demo.launch(**launch_kwargs(settings))
    except OSError as exc:
        print(
            f"错误：无法监听 {settings.web.host}:{settings.web.port}（{exc}）。端口可能已被占用，可设置 SIZHENG_PORT 换一个端口。"
        )
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
