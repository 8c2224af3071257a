"""Several knowledge bases in a real headless Chromium: create two on the 知识库 page, upload into each,
ask in both at once on the 智能问答 page and see each source named with its knowledge base.

A single-KB install shows no selector at all (the page looks as before). Uses the app fixture, page
helpers and screenshots of test_browser.py (its own app and data directory).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from test_browser import ARGS, CHROMIUM, app_url, ask, shot, sync_api  # noqa: F401  (app_url: a fixture)

pytestmark = pytest.mark.browser
YOUTH = ("青年读书会制度.txt", "青年理论学习小组读书会制度\n\n一、活动安排\n青年理论学习小组每月第二个周五举办一次读书分享会，"
         "每次由两名青年干部领读一本理论著作，会后撰写心得体会。\n")  # fmt: skip
CLEAN = ("廉政家访制度.txt", "廉政教育家访制度\n\n一、家访安排\n机关纪委每年春节前组织一次廉政家访，向干部家属赠送廉政家书，"
         "请家属当好廉内助、守好家门。\n")  # fmt: skip


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator[Any]:  # noqa: F811
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
        pg.set_default_timeout(30_000)
        sync_api.expect.set_options(timeout=30_000)  # a loaded machine: expect waits as long as actions do
        pg.console_errors = []  # type: ignore[attr-defined]
        pg.on("console", lambda m: m.type == "error" and pg.console_errors.append(m.text))
        pg.on("pageerror", lambda e: pg.console_errors.append(f"pageerror: {e}"))
        pg.goto(app_url)
        pg.get_by_text("知识库就绪").wait_for()
        yield pg
        browser.close()


def pick(page: Any, elem_id: str, label: str) -> None:
    """Choose ``label`` in a gradio Dropdown (for a multiselect: add it), checking that it took."""
    box = page.locator(f"#{elem_id} input").first
    multi = page.locator(f"#{elem_id} .token", has_text=label)
    option = page.locator(f"#{elem_id} [role=option]", has_text=label).first
    for attempt in range(8):  # a loaded machine: the choices may follow an upload's refresh late
        box.click()
        box.fill(label)  # filters the options to this one
        try:
            option.wait_for(state="visible", timeout=1500)
            option.click()
        except Exception:  # the list not (yet) open or drawn elsewhere: take the filtered first choice
            page.keyboard.press("Enter")
        page.keyboard.press("Escape")
        box.blur()
        page.wait_for_timeout(300 * (attempt + 1))
        if multi.count() or box.input_value() == label:
            return
    raise AssertionError(f"could not choose {label} in #{elem_id}")


def unpick(page: Any, elem_id: str, label: str) -> None:
    """Remove ``label`` from a gradio multiselect Dropdown."""
    page.locator(f"#{elem_id} .token", has_text=label).first.locator(".token-remove, [role=button]").first.click()


def create(page: Any, name: str) -> None:
    box = page.locator("#sz-kb-new-name textarea, #sz-kb-new-name input").first
    if not box.is_visible():
        page.locator("#sz-kb-new-box").get_by_text("新建知识库").first.click()
    box.fill(name)
    page.locator("#sz-kb-new-btn").click()
    sync_api.expect(page.locator("#sz-kb-new-msg")).to_contain_text(f"已新建知识库“{name}”")


def upload(page: Any, kb: str, path: Path) -> None:
    pick(page, "sz-kb-upload", kb)
    table = page.locator("#sz-doc-table")
    sync_api.expect(table).not_to_contain_text(".txt")  # the new knowledge base's (empty) list
    page.locator("#sz-upload input[type=file]").set_input_files([str(path)])
    sync_api.expect(page.locator("#sz-upload")).to_contain_text(path.name)
    page.locator("#sz-upload-btn").click()
    sync_api.expect(page.locator("#sz-upload-report")).to_contain_text("共 1 个文件：成功 1 个")
    sync_api.expect(table).to_contain_text(path.name)


def sources(page: Any) -> str:
    answer = page.locator("#sz-chatbot .message-row, #sz-chatbot [data-testid='bot']").last
    return " ".join(s.inner_text() for s in answer.locator("details.sz-source summary").all())


def test_two_knowledge_bases_upload_into_one_ask_in_both(page: Any, tmp_path: Path) -> None:
    # one knowledge base: no selector anywhere
    sync_api.expect(page.locator("#sz-kb-ask")).to_be_hidden()
    page.get_by_role("tab", name="知识库").click()
    sync_api.expect(page.locator("#sz-kb-upload")).to_be_hidden()
    shot(page, "kbs_01_single")
    for name in ("青年理论学习", "廉政教育"):
        create(page, name)
    sync_api.expect(page.locator("#sz-kb-upload")).to_be_visible()
    files = {}
    for kb, (fname, text) in (("青年理论学习", YOUTH), ("廉政教育", CLEAN)):
        files[kb] = tmp_path / fname
        files[kb].write_text(text, "utf-8")
        upload(page, kb, files[kb])
    shot(page, "kbs_02_uploaded")
    # the list of each knowledge base holds only its own upload
    pick(page, "sz-kb-upload", "青年理论学习")
    table = page.locator("#sz-doc-table")
    sync_api.expect(table).not_to_contain_text(CLEAN[0])
    sync_api.expect(table).to_contain_text(YOUTH[0])

    page.get_by_role("tab", name="智能问答").click()
    selector = page.locator("#sz-kb-ask")
    sync_api.expect(selector).to_be_visible()
    sync_api.expect(selector).to_contain_text("默认知识库")  # preselected
    # the default knowledge base alone does not know the uploads
    ask(page, "青年理论学习小组多久举办一次读书分享会？")
    assert YOUTH[0] not in sources(page)
    # ask in the two new knowledge bases
    pick(page, "sz-kb-ask", "青年理论学习")
    pick(page, "sz-kb-ask", "廉政教育")
    unpick(page, "sz-kb-ask", "默认知识库")
    shot(page, "kbs_03_selected")
    ask(page, "青年理论学习小组多久举办一次读书分享会？")
    got = sources(page)
    assert f"【青年理论学习】{YOUTH[0]}" in got, got
    assert "【默认知识库】" not in got
    sync_api.expect(page.locator("#sz-chatbot")).to_contain_text("第二个周五")
    ask(page, "廉政家访什么时候开展？给家属送什么？")
    got = sources(page)
    assert f"【廉政教育】{CLEAN[0]}" in got, got
    shot(page, "kbs_04_answer")
    assert page.console_errors == []  # type: ignore[attr-defined]
