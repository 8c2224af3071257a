"""OpenAI-compatible chat client: the only module that talks to an LLM.

A thin layer over langchain-openai's ``ChatOpenAI`` that (a) never retries, so callers fall back
to the offline composer quickly, (b) turns every failure into an ``LLMError`` whose one-line
Chinese message says what happened and which setting to check, and (c) keeps the API key out
of messages, logs and reprs. ``langchain_openai`` is imported on first use (it costs ~1.5 s).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from pydantic import SecretStr

from sizheng_bot.errors import LLMError

if TYPE_CHECKING:
    from sizheng_bot.config import LLMSettings

logger = logging.getLogger(__name__)

#: Sent when no key is configured: local servers (Ollama, vLLM) ignore it, the client requires one.
DUMMY_API_KEY = "EMPTY"
_CHECK_SYSTEM = "你是连接测试助手。"
_CHECK_USER = "请只回复一个字：好"
#: Upper bound on one reply: a long outline is ~1,500 Chinese characters; a weak model that loops stops here.
MAX_TOKENS = 2048
_BEARER_RE = re.compile(r"(Bearer\s+)\S+", re.IGNORECASE)


class ChatLLM:
    """Chat with one OpenAI-compatible endpoint and model; every failure raises ``LLMError``."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | SecretStr,
        timeout: float = 60.0,
        temperature: float = 0.3,
    ) -> None:
        self.base_url = base_url.strip().rstrip("/")
        self.model = model.strip()
        secret = api_key.get_secret_value() if isinstance(api_key, SecretStr) else api_key
        self._api_key = SecretStr(secret.strip())
        self.timeout = float(timeout)
        self.temperature = float(temperature)
        self._client: Any = None
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: LLMSettings) -> ChatLLM | None:
        """The configured client, or None in offline mode (no base URL or model set)."""
        if not settings.enabled:
            return None
        return cls(
            base_url=settings.base_url,
            model=settings.model,
            api_key=settings.api_key,
            timeout=settings.timeout,
            temperature=settings.temperature,
        )

    # --- public API -----------------------------------------------------------------------------

    def describe(self) -> str:
        """Endpoint and model for logs and the UI; never the key."""
        return f"{_redact_url(self.base_url)}（模型：{self.model}）"

    def __repr__(self) -> str:
        return f"ChatLLM(base_url={_redact_url(self.base_url)!r}, model={self.model!r}, api_key='**********')"

    def stream(self, system: str, user: str) -> Iterator[str]:
        """Yield text deltas as they arrive; raise LLMError on failure, also after partial output."""
        produced = False
        try:
            for chunk in self._chat().stream(_messages(system, user)):
                text = _as_text(chunk.content)
                if text:
                    produced = True
                    yield text
        except Exception as exc:  # any library failure becomes one safe, user-facing error
            raise self._failure(exc, "stream", midstream=produced) from None
        if not produced:
            raise self._empty_reply()

    def complete(self, system: str, user: str) -> str:
        """The whole reply as one string; raise LLMError on failure or an empty reply."""
        text = self._invoke(system, user)
        if not text.strip():
            raise self._empty_reply()
        return text

    def check(self) -> str:
        """Send one tiny request; a Chinese success line with the latency, or raise LLMError."""
        started = time.perf_counter()
        self._invoke(_CHECK_SYSTEM, _CHECK_USER)
        elapsed_ms = round((time.perf_counter() - started) * 1000)
        return f"连接成功：模型 {self.model} 可用（耗时 {elapsed_ms} ms）"

    # --- internals --------------------------------------------------------------------------------

    def _chat(self) -> Any:
        """The underlying ChatOpenAI, built (and langchain_openai imported) on first use."""
        with self._lock:
            if self._client is None:
                from langchain_openai import ChatOpenAI

                self._client = ChatOpenAI(
                    model=self.model,
                    base_url=self.base_url,
                    api_key=SecretStr(self._api_key.get_secret_value() or DUMMY_API_KEY),
                    timeout=self.timeout,
                    max_retries=0,
                    temperature=self.temperature,
                    extra_body={"max_tokens": MAX_TOKENS},  # the field every compatible server reads
                )
                logger.info("LLM client ready: %s", self.describe())
            return self._client

    def _invoke(self, system: str, user: str) -> str:
        try:
            message = self._chat().invoke(_messages(system, user))
        except Exception as exc:  # any library failure becomes one safe, user-facing error
            raise self._failure(exc, "complete", midstream=False) from None
        return _as_text(message.content)

    def _failure(self, exc: Exception, operation: str, *, midstream: bool) -> LLMError:
        """Log the scrubbed cause and build the user-facing error."""
        logger.warning(
            "LLM %s failed at %s: %s: %s",
            operation,
            self.describe(),
            type(exc).__name__,
            self._scrub(str(exc)),
        )
        return LLMError(_explain(exc, model=self.model, timeout=self.timeout, midstream=midstream))

    def _empty_reply(self) -> LLMError:
        logger.warning("LLM returned an empty reply at %s", self.describe())
        return LLMError("大模型返回了空回答，请检查 SIZHENG_LLM_MODEL 是否为对话模型，或改用离线模式")

    def _scrub(self, text: str) -> str:
        secret = self._api_key.get_secret_value()
        if secret:
            text = text.replace(secret, "***")
        return _BEARER_RE.sub(r"\1***", text)


def _messages(system: str, user: str) -> list[tuple[str, str]]:
    return [("system", system), ("human", user)]


def _as_text(content: object) -> str:
    """Text of a message's content, which is a str or a list of str / {"type": "text"} blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts: list[str] = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict) and isinstance(block.get("text"), str):
                parts.append(block["text"])
        return "".join(parts)
    return ""


def _redact_url(url: str) -> str:
    """Drop ``user:password@`` from a URL so it can be shown."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "（地址格式无效）"
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _class_names(exc: BaseException) -> set[str]:
    return {cls.__name__ for cls in type(exc).__mro__}


def _explain(exc: BaseException, *, model: str, timeout: float, midstream: bool) -> str:
    """One-line Chinese message: what happened and what to do. Never includes server text."""
    names = _class_names(exc)
    status = getattr(exc, "status_code", None)
    if "APITimeoutError" in names or "TimeoutException" in names or isinstance(exc, TimeoutError):
        return f"大模型响应超时（超过 {timeout:g} 秒），请稍后重试、调大 SIZHENG_LLM_TIMEOUT 或改用离线模式"
    if midstream:
        return "大模型回答中途中断（连接被关闭或服务出错），请稍后重试或改用离线模式"
    if "APIConnectionError" in names or "ConnectError" in names or isinstance(exc, ConnectionError):
        return "无法连接大模型服务，请检查 SIZHENG_LLM_BASE_URL 或改用离线模式"
    if isinstance(status, int):
        return _explain_status(exc, status, model)
    return f"大模型调用失败：{type(exc).__name__}"


def _explain_status(exc: BaseException, status: int, model: str) -> str:
    if status in (401, 403):
        return f"大模型服务拒绝访问（HTTP {status}）：密钥无效或无权限，请检查 SIZHENG_LLM_API_KEY"
    if status == 404:
        if _mentions_model(exc):
            return f"模型名不存在或无权使用：{model}，请检查 SIZHENG_LLM_MODEL"
        return "大模型接口地址不存在（HTTP 404），请检查 SIZHENG_LLM_BASE_URL（通常以 /v1 结尾）"
    if status == 429:
        return "请求过于频繁或额度不足（HTTP 429），请稍后重试或检查账户余额与限额"
    if status >= 500:
        return f"大模型服务内部错误（HTTP {status}），请稍后重试或改用离线模式"
    return f"大模型调用失败：{type(exc).__name__}（HTTP {status}）"


def _mentions_model(exc: BaseException) -> bool:
    """Whether a 404 is about the model (vs. a wrong URL path), from the error code or message."""
    code = getattr(exc, "code", None)
    if code == "model_not_found":
        return True
    return "model" in str(getattr(exc, "message", exc)).lower()
