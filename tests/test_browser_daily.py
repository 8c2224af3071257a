"""Daily use in a real headless Chromium against `python app.py`: conversations kept across a reload and
a server restart and exported; [n] opens its source with the supporting sentence marked; 👍/👎 stored
and exported by the CLI; the layout at 1366×768, 1920×1080 (课堂演示) and 390×844; edits after 参考资料
reach every export; no console errors in any panel (the API page included). Screenshots go to docs/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_browser import ARGS, CHROMIUM, _wait_http

from conftest import KNOWLEDGE, ROOT
from fake_openai import unused_port

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect
DOCS = ROOT / "docs"
QUESTION = "谈心谈话怎么搞才不流于形式？"
TAIL = "本支部补充：老党员结对谈心的做法，请在讲课时结合实例。"


class Server:
    """`python app.py` on a fixed port and data dir; ``restart`` kills it and starts it again."""

    def __init__(self, work: Path, data: Path) -> None:
        self.work, self.data, self.port = work, data, unused_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("SIZHENG_")}
        self.env |= {
            "SIZHENG_DATA_DIR": str(data),
            "SIZHENG_KNOWLEDGE_DIR": str(KNOWLEDGE),
            "SIZHENG_PORT": str(self.port),
            "GRADIO_TEMP_DIR": str(work / "gradio"),
            "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), self.env.get("PYTHONPATH", "")]),
        }
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = (self.work / "app.log").open("a")
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=self.work, env=self.env,
                                     stdout=log, stderr=log)  # fmt: skip
        _wait_http(self.url, self.proc, self.work / "app.log")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(10)
            self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def cli(self, *args: str) -> str:
        out = subprocess.run([sys.executable, "-m", "sizheng_bot.cli", *args], env=self.env, cwd=self.work,
                             capture_output=True, text=True, timeout=120)  # fmt: skip
        assert out.returncode == 0, out.stderr
        return out.stdout


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_data_dir: Path) -> Iterator[Server]:
    if not CHROMIUM.exists():
        pytest.skip("需要 /usr/bin/chromium：先运行 scripts/install_chromium.sh")
    work = tmp_path_factory.mktemp("daily")
    shutil.copytree(built_data_dir, work / "data")
    srv = Server(work, work / "data")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(server: Server) -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def open_page(browser: Any, url: str, width: int, height: int, context: Any = None) -> Any:
    ctx = context or browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", accept_downloads=True
    )
    pg = ctx.new_page()
    pg.set_default_timeout(20_000)
    sync_api.expect.set_options(timeout=30_000)  # a loaded machine: expect waits as long as actions do
    pg.console_errors = []
    pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(f"pageerror: {e}"))
    pg.goto(url)
    pg.get_by_text("知识库就绪").wait_for()
    pg.wait_for_timeout(500)
    return pg


def ask(pg: Any, question: str) -> Any:
    before = pg.locator("#sz-chatbot .sz-status-line").count()
    pg.locator("#sz-question textarea").fill(question)
    pg.locator("#sz-send").click()
    expect(pg.locator("#sz-chatbot .sz-status-line")).to_have_count(before + 1)
    return pg.locator("#sz-chatbot .message-row.bot-row").last


def download(pg: Any, button: str, link: str, target: Path) -> Path:
    pg.locator(button).click()
    with pg.expect_download() as info:
        pg.locator(link).first.click()
    path = target / info.value.suggested_filename
    info.value.save_as(path)
    return path


def test_conversation_survives_reload_and_restart_and_exports_docx(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    from docx import Document

    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
    pg = open_page(browser, server.url, 1366, 768, ctx)
    ask(pg, QUESTION)
    ask(pg, "那对青年干部呢？")
    expect(pg.locator("#sz-conv-list")).to_contain_text("谈心谈话怎么搞才不流于形式")
    assert pg.console_errors == []
    pg.reload()
    pg.get_by_text("知识库就绪").wait_for()
    pg.console_errors.clear()  # gradio's event stream aborted by the unload: logged by the old page
    expect(pg.locator("#sz-chatbot .sz-status-line")).to_have_count(2)  # kept on reload
    server.restart()
    pg.goto(server.url)
    pg.get_by_text("知识库就绪").wait_for()
    pg.console_errors.clear()  # the killed server's dropped connections were logged; not a page error
    expect(pg.locator("#sz-chatbot .sz-status-line")).to_have_count(2)  # and across a restart
    expect(pg.locator("#sz-chatbot")).to_contain_text("那对青年干部呢？")
    pg.locator("#sz-conv-manage").click()
    path = download(pg, "#sz-conv-docx", "#sz-conv-file a[download$='.docx']", tmp_path)
    text = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert QUESTION in text and "那对青年干部呢？" in text and "参考来源" in text and "[1]" in text
    # the CLI sees the same conversation
    listed = server.cli("history", "list", "--json")
    conv = json.loads(listed.splitlines()[0])
    assert conv["turns"] == 2 and conv["owner"].startswith("browser:")
    md = server.cli("history", "export", conv["id"][:8])
    assert "那对青年干部呢？" in md
    # another browser (no shared localStorage) does not see it
    other = open_page(browser, server.url, 1366, 768)
    expect(other.locator("#sz-chatbot .sz-status-line")).to_have_count(0)
    assert pg.console_errors == [] and other.console_errors == []
    ctx.close()
    other.context.close()


def test_citation_opens_source_with_sentence_highlighted_and_copy_is_clean(
    server: Server, browser: Any
) -> None:
    pg = open_page(browser, server.url, 1366, 768)
    answer = ask(pg, QUESTION)
    first = answer.locator("details.sz-source").first
    assert first.get_attribute("open") is None
    cite = answer.locator("sup.sz-cite").first
    n = cite.inner_text().strip("[]")
    cite.click()
    target = answer.locator(f"details.sz-src-{n}")
    expect(target).to_have_attribute("open", "")
    mark = target.locator("mark.sz-support")
    expect(mark).to_be_visible()
    assert len(mark.inner_text()) >= 6
    assert "文件：" in target.locator(".sz-source-meta").inner_text()
    pg.screenshot(path=str(DOCS / "screenshot_sources_1366.png"))
    answer.locator(".sz-copy").click()
    copied = pg.evaluate("() => window.szLastCopy")
    assert "参考来源：" in copied and "[1]" in copied
    assert "<" not in copied and "**" not in copied and "sz-" not in copied
    assert pg.console_errors == []
    pg.context.close()


def test_feedback_is_stored_and_exported_by_the_cli(server: Server, browser: Any) -> None:
    pg = open_page(browser, server.url, 1366, 768)
    ask(pg, "机关意识形态工作有哪些对策建议？")
    pg.locator("#sz-chatbot button[aria-label='踩'], #sz-chatbot button[aria-label='Dislike']").last.click()
    expect(pg.locator("#sz-fb-msg")).to_contain_text("已记录")
    pg.locator("#sz-fb-text textarea").fill("没有说到网络阵地管理")
    pg.locator("#sz-fb-send").click()
    expect(pg.locator("#sz-fb-msg")).to_contain_text("意见已提交")
    lines = [json.loads(x) for x in server.cli("feedback", "export").splitlines()]
    item = next(i for i in lines if i["question"] == "机关意识形态工作有哪些对策建议？")
    assert item["feedback"] == "down" and item["comment"] == "没有说到网络阵地管理"
    assert (
        item["kind"] == "needs_review"
        and item["suggested_kind"] == "howto"
        and item["answer"]
        and item["citations"]
        and item["settings"]["mode"] == "offline"
    )
    assert "llm_api_key" not in item["settings"]
    assert pg.console_errors == []
    pg.context.close()


def test_layout_laptop_projector_phone(server: Server, browser: Any) -> None:
    DOCS.mkdir(exist_ok=True)
    pg = open_page(browser, server.url, 1366, 768)
    for sel in ("#sz-question textarea", "#sz-send", "#sz-examples button"):
        box = pg.locator(sel).first.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 768, (sel, box)  # above the fold
    pg.screenshot(path=str(DOCS / "screenshot_1366x768.png"))
    pg.context.close()

    pg = open_page(browser, server.url, 1920, 1080)
    pg.locator("#sz-present input").check()
    answer = ask(pg, QUESTION)
    pg.wait_for_timeout(600)
    size = answer.locator(".prose p, .prose li").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 24
    head = answer.locator(".sz-status-line").bounding_box()
    chat = pg.locator("#sz-chatbot").bounding_box()
    assert head is not None and chat is not None
    assert chat["y"] - 2 <= head["y"] <= chat["y"] + chat["height"] / 2  # the start of the answer is in view
    pg.screenshot(path=str(DOCS / "screenshot_1920x1080_present.png"))
    pg.context.close()

    pg = open_page(browser, server.url, 390, 844)
    ask(pg, QUESTION)
    shown = [t.inner_text() for t in pg.get_by_role("tab").all() if t.is_visible()]
    assert "智能问答" in shown and len(shown) >= 2  # gradio moves the rest into its overflow menu
    for tab in shown:
        pg.get_by_role("tab", name=tab).click()
        pg.wait_for_timeout(300)
        width = pg.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], (tab, width)  # no sideways scrolling
    pg.get_by_role("tab", name="智能问答").click()
    pg.wait_for_timeout(300)
    pg.screenshot(path=str(DOCS / "screenshot_390x844.png"))
    pg.context.close()


def test_edit_after_sources_reaches_every_export_and_regenerate_asks(
    server: Server, browser: Any, tmp_path: Path
) -> None:
    from docx import Document
    from pptx import Presentation

    pg = open_page(browser, server.url, 1366, 900)
    pg.get_by_role("tab", name="微党课提纲").click()
    topic = "以高质量党建引领机关思想政治工作——用好谈心谈话这把金钥匙的实践与思考"
    pg.locator("#sz-outline-topic textarea, #sz-outline-topic input").first.fill(topic)
    pg.locator("#sz-outline-gen").click()
    expect(pg.locator("#sz-outline-status .sz-badge")).to_have_text("离线摘编")
    box = pg.locator("#sz-outline-text textarea")
    generated = box.input_value()
    assert "参考资料" in generated
    box.fill(generated.rstrip() + "\n\n" + TAIL + "\n")
    files = {
        f: download(pg, f"#sz-outline-{f}", f"#sz-outline-file a[download$='.{f}']", tmp_path)
        for f in ("docx", "pptx", "md")
    }
    assert files["docx"].stem.startswith(topic.replace("——", "——")[:30]) and len(files["docx"].stem) > 40
    assert TAIL in "\n".join(p.text for p in Document(str(files["docx"])).paragraphs)
    prs = Presentation(str(files["pptx"]))
    shown = [
        p.text for s in prs.slides for sh in s.shapes if sh.has_text_frame for p in sh.text_frame.paragraphs
    ]
    assert TAIL in shown
    assert max(len(t) for t in shown) <= 60
    assert all(
        s.has_notes_slide and s.notes_slide.notes_text_frame.text.strip() for s in list(prs.slides)[1:]
    )
    assert TAIL in files["md"].read_text("utf-8")
    # regenerating over the edit asks first; keeping the edit leaves it untouched
    pg.locator("#sz-outline-gen").click()
    expect(pg.locator("#sz-outline-confirm").first).to_be_visible()
    pg.locator("#sz-outline-keep").click()
    assert TAIL in box.input_value()
    assert pg.console_errors == []
    pg.context.close()


def test_delete_asks_first_and_no_console_errors_in_any_panel(server: Server, browser: Any) -> None:
    pg = open_page(browser, server.url, 1366, 900)
    for tab in ("微党课提纲", "活动方案", "知识库", "系统状态", "智能问答"):
        pg.get_by_role("tab", name=tab).click()
        pg.wait_for_timeout(400)
    pg.get_by_role("tab", name="知识库").click()
    pg.locator("#sz-doc-choice input").click()
    pg.get_by_role("option").first.click()
    pg.locator("#sz-doc-delete").click()
    expect(pg.locator("#sz-doc-confirm").first).to_be_visible()
    expect(pg.locator("#sz-doc-confirm").first).to_contain_text("确定从知识库删除")
    expect(pg.locator("#sz-banner")).to_contain_text("5 篇文档")  # nothing deleted yet
    pg.get_by_role("tab", name="系统状态").click()
    pg.locator("#sz-api-help summary").click()  # the API, in Chinese (gradio's page logged 2 errors)
    expect(pg.locator("#sz-api-help")).to_contain_text('api_name="/ask"')
    assert pg.get_by_text("通过 API 使用").count() == 1  # only ours: gradio's footer link is off
    pg.get_by_role("tab", name="智能问答").click()
    pg.wait_for_timeout(300)
    assert pg.console_errors == []
    pg.context.close()
