"""End to end in a real headless Chromium (Debian's, driven by Playwright) against `python app.py`.

The app runs as a subprocess on 127.0.0.1 with its own copy of the index, exactly as `sizheng-bot serve`
starts it. Every step saves a screenshot to artifacts/. Console messages of type "error" and uncaught
page errors fail the run; nothing is ignored today (a favicon 404 would be, but gradio serves one).
Chromium is installed by scripts/install_chromium.sh (`make test` runs it); never `playwright install`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import KNOWLEDGE, ROOT
from fake_openai import unused_port

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "需要 Debian 的 chromium（/usr/bin/chromium）：先运行 scripts/install_chromium.sh",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")

ARTIFACTS = ROOT / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IGNORED_CONSOLE = ("favicon.ico",)  # a missing favicon is not a page error
GBK_NAME = "支部学习心得（GBK编码）.txt"
GBK_TEXT = (
    "党支部谈心谈话工作心得\n\n一、坚持经常性谈心谈话\n"
    "支部书记每季度至少与每名党员谈心一次，做到思想动态早发现、早引导。"
    "谈心谈话前要列出提纲，谈话后要建立台账，跟踪问效，确保谈心谈话不流于形式。\n"
)
XSS_NAME = "星火夜校安全测试.html"
XSS_HTML = """<!doctype html><html><head><meta charset="utf-8">
<title>星火夜校&lt;img src=x onerror="window.__xss_title=1"&gt;</title>
<script>window.__xss_head = 1; document.title = "HACKED";</script></head>
<body><h1>凤凰山支部星火夜校学习制度</h1>
<p>凤凰山支部星火夜校每周三晚开展学习，坚持谈心谈话与集中学习相结合。
<script>window.__xss_body = 1; document.title = "HACKED";</script></p>
<p>凤凰山支部星火夜校学习记录：&lt;img src=x onerror="window.__xss_img=1"&gt; 这是一段用实体写出的标签文字。</p>
<p>凤凰山支部星火夜校注意事项：&lt;script&gt;window.__xss_text=1&lt;/script&gt; ${window.__xss_tpl=1} {{constructor}}</p>
<img src=x onerror="window.__xss_doc_img=1">
</body></html>"""
XSS_FLAGS = "() => ['__xss_title','__xss_head','__xss_body','__xss_img','__xss_text','__xss_tpl','__xss_doc_img'].filter(k => k in window)"


SCROLL_TO_TOP = """e => { let el = e;
  while (el && el.scrollHeight <= el.clientHeight + 1) el = el.parentElement;
  if (el) el.scrollTop = 0; }"""


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory, built_data_dir: Path) -> Iterator[str]:
    work = tmp_path_factory.mktemp("browser")
    shutil.copytree(built_data_dir, work / "data")
    port = unused_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIZHENG_")}
    env |= {
        "SIZHENG_DATA_DIR": str(work / "data"),
        "SIZHENG_KNOWLEDGE_DIR": str(KNOWLEDGE),
        "SIZHENG_PORT": str(port),
        "GRADIO_TEMP_DIR": str(work / "gradio"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    }
    log = (work / "app.log").open("w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=work, env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_http(url, proc, work / "app.log")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"app.py exited early:\n{log.read_text('utf-8', 'replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"app.py did not answer within {timeout} s:\n{log.read_text('utf-8', 'replace')}")


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True
        )
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        sync_api.expect.set_options(timeout=30_000)  # a loaded machine: expect waits as long as actions do
        pg.console_errors = []  # type: ignore[attr-defined]
        pg.hosts = set()  # type: ignore[attr-defined]
        pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
        pg.on("pageerror", lambda e: pg.console_errors.append(f"pageerror: {e}"))
        pg.on("request", lambda r: pg.hosts.add(r.url.split("/")[2]))
        pg.goto(app_url)
        pg.get_by_text("知识库就绪").wait_for()
        pg.wait_for_timeout(400)  # let the loading fade finish for the screenshot
        shot(pg, "01_home")
        yield pg
        browser.close()


def ask(page: Any, question: str) -> Any:
    """Ask in the chat; the locator of the new answer once its sources are shown."""
    before = page.locator("#sz-chatbot .sz-status-line").count()
    page.locator("#sz-question textarea").fill(question)
    page.locator("#sz-send").click()
    answers = page.locator("#sz-chatbot .sz-status-line")
    sync_api.expect(answers).to_have_count(before + 1)
    return page.locator("#sz-chatbot .message-row, #sz-chatbot [data-testid='bot']").last


def test_ask_shows_answer_with_expandable_sources(page: Any) -> None:
    page.get_by_role("tab", name="智能问答").click()
    ask(page, "谈心谈话怎么搞才不流于形式？")
    chat = page.locator("#sz-chatbot")
    sync_api.expect(chat.locator(".sz-badge.sz-offline").first).to_have_text("离线摘编")
    first = chat.locator("details.sz-source").first
    sync_api.expect(first.locator("summary")).to_contain_text("[1]")
    first.locator("summary").click()
    passage = first.locator(".sz-passage")
    sync_api.expect(passage).to_be_visible()
    assert len(passage.inner_text()) > 20
    assert "文件：" in first.locator(".sz-source-meta").inner_text()
    shot(page, "02_sources")
    for _ in range(2):  # the chatbot re-pins to the bottom once after the passage opens
        chat.locator(".sz-status-line").first.evaluate(SCROLL_TO_TOP)
        page.wait_for_timeout(300)
    shot(page, "02_answer_top")
    ask(page, "那对青年干部呢？")  # a follow-up in the same conversation
    assert chat.locator(".sz-status-line").count() == 2
    shot(page, "03_follow_up")


def test_outline_edit_and_download_docx_and_pptx(page: Any, tmp_path: Path) -> None:
    from docx import Document
    from pptx import Presentation

    page.get_by_role("tab", name="微党课提纲").click()
    page.locator("#sz-outline-topic textarea, #sz-outline-topic input").first.fill("用好谈心谈话这把金钥匙")
    page.locator("#sz-outline-audience textarea, #sz-outline-audience input").first.fill("机关党支部全体党员")
    page.locator("#sz-outline-gen").click()
    sync_api.expect(page.locator("#sz-outline-status .sz-badge")).to_have_text("离线摘编")
    box = page.locator("#sz-outline-text textarea")
    generated = box.input_value()
    assert generated.strip()
    box.fill("# 浏览器里改过的提纲\n\n## 一、本支部的故事\n\n- 老党员谈心记\n\n" + generated)
    shot(page, "04_outline")
    files = {}
    for fmt in ("docx", "pptx"):
        page.locator(f"#sz-outline-{fmt}").click()
        link = page.locator(f"#sz-outline-file a[download$='.{fmt}']")
        with page.expect_download() as info:
            link.click()
        files[fmt] = tmp_path / info.value.suggested_filename
        info.value.save_as(files[fmt])
    assert files["docx"].name == "浏览器里改过的提纲.docx"
    shutil.copy(files["docx"], ARTIFACTS / files["docx"].name)
    text = "\n".join(p.text for p in Document(str(files["docx"])).paragraphs)
    assert "浏览器里改过的提纲" in text and "老党员谈心记" in text and "参考来源" in text
    slides = Presentation(str(files["pptx"])).slides
    assert "浏览器里改过的提纲" in " ".join(
        sh.text_frame.text for sh in slides[0].shapes if sh.has_text_frame
    )
    shot(page, "05_outline_export")


def test_upload_gbk_and_html_whose_scripts_never_run(page: Any, tmp_path: Path) -> None:
    gbk, evil = tmp_path / GBK_NAME, tmp_path / XSS_NAME
    gbk.write_bytes(GBK_TEXT.encode("gbk"))
    evil.write_text(XSS_HTML, "utf-8")
    page.get_by_role("tab", name="知识库").click()
    page.locator("#sz-upload input[type=file]").set_input_files([str(gbk), str(evil)])
    sync_api.expect(page.locator("#sz-upload")).to_contain_text("星火夜校")  # uploaded to the server
    page.locator("#sz-upload-btn").click()
    report = page.locator("#sz-upload-report")
    sync_api.expect(report).to_contain_text("共 2 个文件：成功 2 个")
    table = page.locator("#sz-doc-table")
    sync_api.expect(table).to_contain_text(GBK_NAME)
    sync_api.expect(table).to_contain_text(XSS_NAME)
    sync_api.expect(page.locator("#sz-banner")).to_contain_text("7 篇文档")
    shot(page, "06_upload")
    # the document's text, tags and all, is shown as text in an answer and its sources
    page.get_by_role("tab", name="智能问答").click()
    ask(page, "凤凰山支部星火夜校的学习记录和注意事项有哪些？")
    chat = page.locator("#sz-chatbot")
    for d in chat.locator("details.sz-source").all():
        if "星火夜校" in d.locator("summary").inner_text():
            d.locator("summary").click()
            sync_api.expect(d.locator(".sz-source-meta")).to_contain_text(XSS_NAME)
    sync_api.expect(chat).to_contain_text('<img src=x onerror="window.__xss_img=1">')
    original = chat.locator("a.sz-original").first  # the uploaded original can be downloaded as given
    resp = page.request.get(page.url.rstrip("/") + original.get_attribute("href"))
    assert resp.status == 200 and resp.body() in (XSS_HTML.encode("utf-8"), GBK_TEXT.encode("gbk"))
    shot(page, "07_xss_as_text")
    assert page.evaluate(XSS_FLAGS) == []
    assert page.title() == "思政助手"


def test_status_tab_and_connection_test(page: Any) -> None:
    page.get_by_role("tab", name="系统状态").click()
    status = page.locator("#sz-status")
    sync_api.expect(status).to_contain_text("离线摘编")
    sync_api.expect(status).to_contain_text("数据目录")
    page.locator("#sz-test-llm").click()
    sync_api.expect(page.get_by_text("无需测试连接")).to_be_visible()
    shot(page, "08_status")


def test_no_console_errors_and_no_outside_requests(page: Any) -> None:
    errors = [e for e in page.console_errors if not any(i in e for i in IGNORED_CONSOLE)]
    assert errors == []
    assert {h.split(":")[0] for h in page.hosts} == {"127.0.0.1"}
