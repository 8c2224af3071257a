"""ChatLLM against a real local OpenAI-compatible HTTP server (tests/fake_openai.py)."""

from __future__ import annotations

import logging
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest

from sizheng_bot.config import Settings
from sizheng_bot.errors import LLMError
from sizheng_bot.llm.client import ChatLLM

import fake_openai
from fake_openai import DEFAULT_REPLY, FakeOpenAI, RecordedRequest, unused_port

SECRET = "sk-SECRET-123"
SYSTEM = "你是机关思想政治工作助手。"
USER = "如何开展谈心谈话？"

# Make the shared fixture visible here (an assignment, so ruff does not flag the parameters as F811).
fake_llm = fake_openai.fake_llm


def make_llm(
    server: FakeOpenAI, *, key: str = SECRET, timeout: float = 5.0, model: str = "fake-model"
) -> ChatLLM:
    return ChatLLM(base_url=server.base_url, model=model, api_key=key, timeout=timeout)


def error_text(err: LLMError) -> str:
    """Everything a log handler or crash report could show for this error."""
    return str(err) + repr(err) + "".join(traceback.format_exception(err))


# --- happy path ------------------------------------------------------------------------------------


def test_stream_yields_several_deltas_that_join_to_the_reply(fake_llm: FakeOpenAI) -> None:
    deltas = list(make_llm(fake_llm).stream(SYSTEM, USER))
    assert len(deltas) >= 3
    assert "".join(deltas) == DEFAULT_REPLY
    assert fake_llm.last_request.stream is True


def test_complete_returns_the_whole_reply(fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = "主题党日要突出政治性[1]，流程包括重温入党誓词[2]。"
    assert make_llm(fake_llm).complete(SYSTEM, USER) == "主题党日要突出政治性[1]，流程包括重温入党誓词[2]。"
    assert fake_llm.last_request.stream is False


def test_check_reports_success_with_model_and_latency(fake_llm: FakeOpenAI) -> None:
    message = make_llm(fake_llm, model="qwen-plus").check()
    assert message.startswith("连接成功：模型 qwen-plus 可用（耗时 ")
    assert message.endswith(" ms）")
    assert fake_llm.last_request.model == "qwen-plus"


def test_request_carries_system_user_model_and_key(fake_llm: FakeOpenAI) -> None:
    make_llm(fake_llm, model="deepseek-chat").complete(SYSTEM, USER)
    request = fake_llm.last_request
    assert request.model == "deepseek-chat"
    assert [m["role"] for m in request.messages] == ["system", "user"]
    assert request.system == SYSTEM
    assert request.user == USER
    assert request.headers["authorization"] == f"Bearer {SECRET}"
    assert request.body["temperature"] == pytest.approx(0.3)


def test_empty_key_sends_a_dummy_for_local_servers(fake_llm: FakeOpenAI) -> None:
    assert make_llm(fake_llm, key="").complete(SYSTEM, USER) == DEFAULT_REPLY
    assert fake_llm.last_request.headers["authorization"] == "Bearer EMPTY"


def test_responder_computes_the_reply_from_the_request(fake_llm: FakeOpenAI) -> None:
    def echo(request: RecordedRequest) -> str:
        return f"收到：{request.user}[1]"

    fake_llm.responder = echo
    assert "".join(make_llm(fake_llm).stream(SYSTEM, "三会一课是什么？")) == "收到：三会一课是什么？[1]"


def test_mode_can_be_switched_at_run_time(fake_llm: FakeOpenAI) -> None:
    llm = make_llm(fake_llm)
    fake_llm.mode = "500"
    with pytest.raises(LLMError):
        llm.complete(SYSTEM, USER)
    fake_llm.mode = "ok"
    assert llm.complete(SYSTEM, USER) == DEFAULT_REPLY


# --- failures --------------------------------------------------------------------------------------


@pytest.mark.parametrize("use_stream", [True, False])
def test_401_names_the_key_setting_and_never_leaks_the_key(
    fake_llm: FakeOpenAI, caplog: pytest.LogCaptureFixture, use_stream: bool
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_llm.mode = "401"
    llm = make_llm(fake_llm)
    with pytest.raises(LLMError) as info:
        if use_stream:
            list(llm.stream(SYSTEM, USER))
        else:
            llm.complete(SYSTEM, USER)
    assert "密钥" in str(info.value)
    assert "SIZHENG_LLM_API_KEY" in str(info.value)
    assert SECRET not in error_text(info.value)
    assert SECRET not in caplog.text
    assert "401" in caplog.text  # the failure is logged, scrubbed
    assert SECRET not in repr(llm) + llm.describe()


def test_429_says_rate_limited(fake_llm: FakeOpenAI) -> None:
    fake_llm.mode = "429"
    with pytest.raises(LLMError, match="请求过于频繁或额度不足"):
        list(make_llm(fake_llm).stream(SYSTEM, USER))


def test_500_says_server_error(fake_llm: FakeOpenAI) -> None:
    fake_llm.mode = "500"
    with pytest.raises(LLMError, match="大模型服务内部错误"):
        make_llm(fake_llm).complete(SYSTEM, USER)


def test_connection_refused_fails_fast_and_names_the_url_setting() -> None:
    llm = ChatLLM(base_url=f"http://127.0.0.1:{unused_port()}/v1", model="m", api_key=SECRET, timeout=10)
    started = time.perf_counter()
    with pytest.raises(LLMError) as info:
        list(llm.stream(SYSTEM, USER))
    assert time.perf_counter() - started < 3
    assert "无法连接大模型服务" in str(info.value)
    assert "SIZHENG_LLM_BASE_URL" in str(info.value)
    assert "离线模式" in str(info.value)


def test_slow_server_times_out_quickly(fake_llm: FakeOpenAI) -> None:
    fake_llm.mode = "slow"
    llm = make_llm(fake_llm, timeout=1.0)
    started = time.perf_counter()
    with pytest.raises(LLMError, match="超时"):
        list(llm.stream(SYSTEM, USER))
    assert time.perf_counter() - started < 4


def test_midstream_disconnect_raises_after_partial_output(fake_llm: FakeOpenAI) -> None:
    fake_llm.mode = "midstream_error"
    received: list[str] = []
    with pytest.raises(LLMError, match="中途中断"):
        for delta in make_llm(fake_llm).stream(SYSTEM, USER):
            received.append(delta)
    assert received  # some tokens arrived before the failure
    assert "".join(received) != DEFAULT_REPLY


def test_midstream_disconnect_in_complete_raises(fake_llm: FakeOpenAI) -> None:
    fake_llm.mode = "midstream_error"
    with pytest.raises(LLMError):
        make_llm(fake_llm).complete(SYSTEM, USER)


def test_unknown_model_names_the_model_setting(fake_llm: FakeOpenAI) -> None:
    fake_llm.mode = "bad_model"
    with pytest.raises(LLMError) as info:
        make_llm(fake_llm, model="no-such-model").check()
    assert "SIZHENG_LLM_MODEL" in str(info.value)
    assert "no-such-model" in str(info.value)


def test_wrong_path_names_the_url_setting(fake_llm: FakeOpenAI) -> None:
    llm = ChatLLM(base_url=fake_llm.base_url.removesuffix("/v1"), model="fake-model", api_key=SECRET)
    with pytest.raises(LLMError) as info:
        llm.complete(SYSTEM, USER)
    assert "HTTP 404" in str(info.value)
    assert "SIZHENG_LLM_BASE_URL" in str(info.value)


def test_empty_reply_is_an_error(fake_llm: FakeOpenAI) -> None:
    fake_llm.reply = ""
    llm = make_llm(fake_llm)
    with pytest.raises(LLMError, match="空回答"):
        llm.complete(SYSTEM, USER)
    with pytest.raises(LLMError, match="空回答"):
        list(llm.stream(SYSTEM, USER))


# --- construction ----------------------------------------------------------------------------------


def test_from_settings_is_none_offline_and_hides_the_key(fake_llm: FakeOpenAI) -> None:
    assert ChatLLM.from_settings(Settings.model_validate({"llm_base_url": "", "llm_model": ""}).llm) is None
    settings = Settings.model_validate(
        {
            "llm_base_url": fake_llm.base_url,
            "llm_model": "fake-model",
            "llm_api_key": SECRET,
            "llm_timeout": 7,
        }
    )
    llm = ChatLLM.from_settings(settings.llm)
    assert llm is not None
    assert llm.timeout == 7
    assert fake_llm.base_url in llm.describe() and "fake-model" in llm.describe()
    assert SECRET not in llm.describe() + repr(llm) + str(vars(llm))
    assert llm.complete(SYSTEM, USER) == DEFAULT_REPLY
    assert fake_llm.last_request.headers["authorization"] == f"Bearer {SECRET}"


def test_describe_drops_credentials_in_the_url() -> None:
    llm = ChatLLM(base_url="https://user:pa55word@llm.example.org/v1", model="m", api_key="")
    assert "pa55word" not in llm.describe() + repr(llm)
    assert "llm.example.org/v1" in llm.describe()


def test_importing_the_module_does_not_import_langchain_openai() -> None:
    src = Path(__file__).resolve().parents[1] / "src"
    code = "import sys, sizheng_bot.llm.client; print('langchain_openai' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONPATH": str(src)}
    )
    assert out.stdout.strip() == "False"
