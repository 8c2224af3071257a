"""The app on 127.0.0.1 (random port, in this process), called through gradio_client like a user's script."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import make_settings
from fake_openai import unused_port

gr = pytest.importorskip("gradio")
from gradio_client import Client  # noqa: E402

from sizheng_bot.assistant import Assistant  # noqa: E402
from ui import app  # noqa: E402

QUESTION = "谈心谈话怎么搞才不流于形式？"
# gradio's queue uses two pandas options that pandas 3 deprecates: not ours to fix
pytestmark = [
    pytest.mark.filterwarnings("ignore:.*no_silent_downcasting:Warning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated:Warning"),
]


def _launch(data_dir: Path, **settings_kw: Any) -> tuple[Any, str, Any]:
    settings = make_settings(data_dir, port=unused_port(), **settings_kw)
    demo = app.build_app(Assistant.from_settings(settings))
    demo.launch(prevent_thread_lock=True, **app.launch_kwargs(settings))
    return demo, f"http://127.0.0.1:{settings.web.port}/", settings


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_data_dir: Path) -> Iterator[tuple[str, Any, Any]]:
    data = tmp_path_factory.mktemp("client") / "data"
    shutil.copytree(built_data_dir, data)
    demo, url, settings = _launch(data, concurrency=4)
    try:
        yield url, demo, settings
    finally:
        demo.close()


@pytest.fixture(scope="module")
def client(server: tuple[str, Any, Any]) -> Client:
    return Client(server[0], verbose=False)


def test_api_lists_exactly_the_three_endpoints(client: Client) -> None:
    api = client.view_api(print_info=False, return_format="dict")
    assert set(api["named_endpoints"]) == {"/ask", "/outline", "/plan"}
    assert not api["unnamed_endpoints"]  # page events stay private
    params = [p["parameter_name"] for p in api["named_endpoints"]["/ask"]["parameters"]]
    assert params == ["question", "history", "kb"]


def test_api_answers_from_the_chosen_knowledge_base(server: tuple[str, Any, Any], client: Client) -> None:
    from sizheng_bot.assistant import registry

    settings = server[2]
    registry(settings).create("支部专题库")
    doc = settings.data_dir.parent / "专题" / "星火工作法.txt"
    doc.parent.mkdir(exist_ok=True)
    doc.write_text("星火连心工作法\n\n星火连心工作法要求支部书记每月走访一次结对社区，听取群众意见。\n", "utf-8")
    Assistant.from_settings(settings.model_copy(update={"kb": "支部专题库"})).ingest([doc])
    r = client.predict(question="星火连心工作法是什么？", kb="支部专题库", api_name="/ask")
    assert r["status"] == "answered" and {c["source"] for c in r["citations"]} == {"星火工作法.txt"}
    r = client.predict(question="星火连心工作法是什么？", api_name="/ask")  # the app's own KB lacks it
    assert "星火工作法.txt" not in {c["source"] for c in r["citations"]}
    r = client.predict(request="以星火连心工作法为题的微党课", kb="支部专题库", api_name="/outline")
    assert {c["source"] for c in r["citations"]} <= {"星火工作法.txt"}
    with pytest.raises(Exception, match="不存在"):
        client.predict(question=QUESTION, kb="没有这个库", api_name="/ask")


def test_ask_returns_a_result_dict_with_sources(client: Client) -> None:
    result = client.predict(question=QUESTION, api_name="/ask")
    assert result["task"] == "ask" and result["mode"] == "offline" and result["status"] == "answered"
    assert result["text"] and result["citations"]
    c = result["citations"][0]
    assert c["n"] == 1 and c["source"].endswith(".txt") and c["quote"]
    json.dumps(result, ensure_ascii=False)


def test_follow_up_with_history(client: Client) -> None:
    first = client.predict(question=QUESTION, api_name="/ask")
    second = client.predict(question="那青年干部呢？", history=[[QUESTION, first["text"]]], api_name="/ask")
    assert second["status"] in ("answered", "not_found") and second["text"]


def test_outline_and_plan(client: Client) -> None:
    outline = client.predict(
        request="", topic="用好谈心谈话这把金钥匙", audience="机关党员", minutes=15, api_name="/outline"
    )
    plan = client.predict(request="帮我起草一份主题党日活动方案", theme="谈心谈话促团结", api_name="/plan")
    assert outline["task"] == "outline" and outline["text"] and outline["citations"]
    assert plan["task"] == "plan" and plan["text"]


def test_off_topic_question_is_refused_not_an_error(client: Client) -> None:
    result = client.predict(question="帮我写一段 Python 爬虫代码", api_name="/ask")
    assert result["status"] in ("refused", "not_found") and result["text"]


def test_several_users_at_once(server: tuple[str, Any, Any]) -> None:
    url = server[0]
    results: list[dict[str, Any]] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            results.append(Client(url, verbose=False).predict(question=QUESTION, api_name="/ask"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(results) == 6 and all(r["status"] == "answered" for r in results)


def test_queue_runs_events_concurrently_as_configured(server: tuple[str, Any, Any]) -> None:
    _, demo, settings = server
    assert settings.web.concurrency == 4
    assert demo._queue.default_concurrency_limit == 4  # not Gradio's default of 1
    by_name = {fn.api_name: fn for fn in demo.fns.values()}
    assert all(by_name[n].concurrency_limit == "default" for n in ("ask", "outline", "plan"))
    writes = [fn for fn in demo.fns.values() if fn.concurrency_id == "kb_write"]
    assert len(writes) == 3 and all(fn.concurrency_limit == 1 for fn in writes)  # upload, delete, rebuild


def test_launch_defaults_are_local_and_private() -> None:
    kw = app.launch_kwargs(make_settings(Path("data")))
    assert kw["server_name"] == "127.0.0.1" and kw["server_port"] == 7860
    assert kw["share"] is False and kw["auth"] is None and kw["max_file_size"] == "500mb"
    auth = app.launch_kwargs(make_settings(Path("data"), auth="书记:mima"))["auth"]
    assert auth("书记", "mima") is True and auth("书记", "wrong") is False


def test_login_back_off_locks_a_name_after_repeated_failures() -> None:
    from ui.auth import RateLimitedAuth

    auth = RateLimitedAuth("书记", "mima")
    assert auth("书记", "mima")
    for _ in range(3):
        assert not auth("书记", "guess")
    assert not auth("书记", "mima")  # locked for a while, even with the right password
    assert auth.backoff.locked("书记") > 0 and auth.backoff.locked("其他人") == 0


def test_login_when_auth_is_set(tmp_path: Path, built_data_dir: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    demo, url, _ = _launch(data, auth="secretary:pa55")
    try:
        with pytest.raises(Exception):  # noqa: B017 - any refusal will do
            Client(url, verbose=False).predict(question=QUESTION, api_name="/ask")
        ok = Client(url, auth=("secretary", "pa55"), verbose=False).predict(
            question=QUESTION, api_name="/ask"
        )
        assert ok["status"] == "answered"
    finally:
        demo.close()


def test_every_route_is_behind_the_login_and_login_is_rate_limited(
    tmp_path: Path, built_data_dir: Path
) -> None:
    """Real HTTP requests: without the session cookie every API route (cancel included) is refused."""
    import urllib.error
    import urllib.request

    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    demo, url, _ = _launch(data, auth="secretary:pa55")
    base = url.rstrip("/")

    def status(path: str, method: str = "GET", body: bytes | None = None, cookie: str = "") -> int:
        req = urllib.request.Request(base + path, data=body, method=method)
        req.add_header("Content-Type", "application/json")
        if cookie:
            req.add_header("Cookie", cookie)
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    try:
        routes = [
            ("/gradio_api/cancel", "POST", b'{"session_hash": "x", "fn_index": 0, "event_id": "e"}'),
            ("/gradio_api/queue/join", "POST", b'{"data": [], "fn_index": 0, "session_hash": "x"}'),
            ("/gradio_api/queue/data?session_hash=x", "GET", None),
            ("/gradio_api/call/ask", "POST", b'{"data": ["x"]}'),
            ("/gradio_api/upload", "POST", b""),
            ("/gradio_api/info", "GET", None),
            ("/gradio_api/file=" + str(data / "history.sqlite3"), "GET", None),
        ]
        for path, method, body in routes:
            assert status(path, method, body) in (401, 403), path
        # the login itself: wrong passwords from one address are slowed down, then refused with 429
        codes = [status("/login", "POST", b"username=secretary&password=wrong", "") for _ in range(5)]
        assert codes[-1] == 429
    finally:
        demo.close()
