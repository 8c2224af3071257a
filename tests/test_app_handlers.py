"""The page's handlers as plain functions (no server): what each tab shows, escapes, checks and exports."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from docx import Document as DocxDocument
from pptx import Presentation

from sizheng_bot.assistant import Assistant  # noqa: E402
from sizheng_bot.types import Citation, QuoteCheck, Result, TaskRequest  # noqa: E402
from ui import answer_view, render  # noqa: E402
from ui.cite import sources_html  # noqa: E402
from ui.files import safe_filename, unique_names, upload_problem  # noqa: E402
from ui.handlers import Handlers, stem_of  # noqa: E402
from ui.startup import IndexJob  # noqa: E402

from conftest import make_settings
from fake_openai import FakeOpenAI, fake_llm  # noqa: F401  (fixture)

GBK_TEXT = (
    "党支部谈心谈话工作心得\n\n"
    "一、坚持经常性谈心谈话\n"
    "支部书记每季度至少与每名党员谈心一次，做到思想动态早发现、早引导。"
    "谈心谈话前要列出提纲，谈话后要建立台账，跟踪问效，确保谈心谈话不流于形式。\n\n"
    "二、突出针对性\n"
    "对青年干部、新调入干部和家庭困难党员，做到五必谈，帮助他们解决实际困难。\n"
)
EVIL = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">${x}{{y}}'


def handlers_for(asst: Assistant) -> Handlers:
    return Handlers(asst, IndexJob(asst).run_now())


def last(gen: Iterator):  # type: ignore[no-untyped-def]
    out = None
    for item in gen:
        out = item
    return out


class RecordingAssistant(Assistant):
    """The real Assistant, remembering the requests the page sends it."""

    requests: list[TaskRequest]

    def stream(self, req: TaskRequest):  # type: ignore[no-untyped-def]
        self.requests.append(req)
        return super().stream(req)


@pytest.fixture
def h(fresh_assistant: Assistant) -> Handlers:
    return handlers_for(fresh_assistant)


# ---- 智能问答 ----------------------------------------------------------------------------------------
def test_chat_answer_has_badge_numbered_sources_and_history(h: Handlers) -> None:
    states = list(h.chat("谈心谈话怎么搞才不流于形式？", [], []))
    assert states[0][0][-1]["content"] == "正在检索知识库…"  # something shows at once
    messages, turns, textbox, conv_id = states[-1]
    assert textbox == "" and conv_id is None  # no owner: nothing stored
    assert [m["role"] for m in messages] == ["user", "assistant"]
    answer = messages[-1]["content"]
    assert "离线摘编" in answer and "参考来源" in answer
    assert answer.count('<details class="sz-source sz-src-') >= 1
    assert "<summary>[1] " in answer and "文件：" in answer
    assert '<sup class="sz-cite sz-cite-1"' in answer and '<mark class="sz-support">' in answer
    assert [t["q"] for t in turns] == ["谈心谈话怎么搞才不流于形式？"] and turns[0]["r"]["citations"]


def test_chat_turns_are_stored_per_owner_and_reload(h: Handlers) -> None:
    *_, conv_id = last(h.chat("谈心谈话怎么搞才不流于形式？", [], [], "browser:a", None))
    messages, turns, _, same = last(h.chat("那青年干部呢？", [], [], "browser:a", conv_id))
    assert same == conv_id
    again, turns2 = h.load_conversation("browser:a", conv_id)
    assert len(again) == 4 and [t["q"] for t in turns2] == ["谈心谈话怎么搞才不流于形式？", "那青年干部呢？"]
    assert again[1]["content"].count("sz-cite") >= 1
    assert h.load_conversation("browser:b", conv_id) == ([], [])  # another browser sees nothing


def test_follow_up_question_sends_previous_turns(built_data_dir: Path) -> None:
    asst = RecordingAssistant.from_settings(make_settings(built_data_dir))
    asst.requests = []
    h = handlers_for(asst)
    messages, turns, *_ = last(h.chat("谈心谈话怎么搞才不流于形式？", [], []))
    messages, turns, *_ = last(h.chat("那青年干部呢？", messages, turns))
    assert len(messages) == 4 and len(turns) == 2
    first, second = asst.requests
    assert first.history == ()
    assert second.history == (("谈心谈话怎么搞才不流于形式？", turns[0]["r"]["text"]),)


def test_blank_question_changes_nothing(h: Handlers) -> None:
    assert list(h.chat("   ", [], [])) == [([], [], "", None)]


def test_document_and_model_text_is_escaped() -> None:
    cite = Citation(1, f"a{EVIL}.html", f"标题{EVIL}", f"一、{EVIL}", 3, f"原文{EVIL}\n\n第二段")
    result = Result(
        text=f"> 引言\n\n- **要点** {EVIL} [1]",
        mode="llm",
        status="answered",
        citations=[cite],
        warnings=[f"警告{EVIL}"],
        quotes=[QuoteCheck(f"未核实{EVIL}", False), QuoteCheck("已核实", True)],
    )
    out = answer_view.answer_markdown(result)
    for bad in ("<script", "<img"):
        assert bad not in out, bad
    html_parts = sources_html(result.citations) + render.status_html(result)
    for bad in ("<script", "<img", "${", "{{"):  # gr.HTML runs a template engine over its value
        assert bad not in html_parts, bad
    assert "&lt;script&gt;" in out or "&lt;script>" in out
    assert "大模型生成" in out and "引文核对：1/2" in out and "未在知识库原文中找到" in out
    assert "> 引言" in out and "**要点**" in out  # the composer's markdown still works
    sources = sources_html(result.citations)
    assert "\n" not in sources  # one line: stays one markdown HTML block
    assert "第3页" in sources and "第二段" in sources


def test_file_report_and_status_tables_escape() -> None:
    from sizheng_bot.types import FileReport

    html = render.report_html([FileReport("/tmp/x", f"x{EVIL}.txt", "failed", error=f"坏{EVIL}")])
    assert "<script" not in html and "<img" not in html and "失败" in html
    assert "<script" not in render.kv_table([("k", EVIL)])


# ---- 文件名与上传检查 -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("C:\\Users\\张三\\学习心得.docx", "学习心得.docx"),
        ("报告\x00\x1b\u202e名.txt", "报告名.txt"),
        ("  ..隐藏.md", "隐藏.md"),
        ('a<b>:c|d?"e*.txt', "a_b__c_d__e_.txt"),
        ("", "未命名文件"),
        ("..", "未命名文件"),
        ("主题党日 活动方案（2024）.pdf", "主题党日 活动方案（2024）.pdf"),
    ],
)
def test_safe_filename(raw: str, safe: str) -> None:
    assert safe_filename(raw) == safe


def test_safe_filename_limits_length_and_keeps_extension() -> None:
    name = safe_filename("很长" * 200 + ".docx")
    assert name.endswith(".docx") and len(name.encode("utf-8")) <= 255
    topic = "以高质量党建引领机关思想政治工作——用好谈心谈话这把金钥匙的实践与思考（机关青年干部专题）"
    assert safe_filename(topic + ".docx") == topic + ".docx"  # whole topic: no cut at 40 characters
    assert stem_of("# " + topic + "\n正文", "x") == topic


def test_unique_names_within_a_batch() -> None:
    assert unique_names(["通知.txt", "通知.txt", "a.md"]) == ["通知.txt", "通知(2).txt", "a.md"]


def test_upload_problems(tmp_path: Path) -> None:
    doc = tmp_path / "a.caj"
    doc.write_bytes(b"x")
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (1024 * 1024 + 1))
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    ok = tmp_path / "ok.txt"
    ok.write_text("内容", "utf-8")
    assert "不支持的文件类型（.caj）" in (upload_problem(doc, "a.caj", 50) or "")
    assert ".docx" in (upload_problem(doc, "a.caj", 50) or "")
    for name in ("a.doc", "a.wps", "a.xlsx", "a.et", "a.pptx", "a.ofd", "a.jpg"):  # the new formats may go in
        assert upload_problem(doc, name, 50) is None
    assert "超过上限 1 MB" in (upload_problem(big, "big.txt", 1) or "")
    assert "空" in (upload_problem(empty, "empty.txt", 1) or "")
    assert upload_problem(ok, "ok.txt", 1) is None


# ---- 知识库 ------------------------------------------------------------------------------------------
def test_upload_several_files_reports_each_and_lists_the_new_one(
    tmp_path: Path, built_data_dir: Path
) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(built_data_dir, data)
    h = handlers_for(Assistant.from_settings(make_settings(data, max_upload_mb=1)))
    up = tmp_path / "upload"
    up.mkdir()
    gbk = up / "支部学习心得.txt"
    gbk.write_bytes(GBK_TEXT.encode("gbk"))
    doc = up / "旧格式.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0 not really")
    big = up / "大文件.txt"
    big.write_bytes(("谈心谈话" * 100_000).encode("utf-8"))  # 1.2 MB > 1 MB
    calls: list[tuple[int, int, str]] = []
    html, rows, choices = h.upload(
        [str(gbk), str(doc), str(big)], lambda i, n, name: calls.append((i, n, name))
    )
    assert calls[0][2] == "支部学习心得.txt" and calls[-1][2] == ""
    assert all(name != "大文件.txt" for _, _, name in calls)  # refused at the door: never ingested
    assert "共 3 个文件：成功 1 个，失败 2 个" in html
    assert "新增" in html and "旧格式.doc" in html and "不是有效的" in html and "超过上限 1 MB" in html
    row = next(r for r in rows if r[0] == "支部学习心得.txt")
    assert isinstance(row[3], int) and row[3] > 0
    assert "支部学习心得.txt" in choices and "旧格式.doc" not in choices
    # the uploaded document is searchable at once
    answer = last(h.chat("支部书记每季度谈心几次？", [], []))[0][-1]["content"]
    assert "支部学习心得.txt" in answer
    # uploading the same file again changes nothing
    html2, _, _ = h.upload([str(gbk)])
    assert "未变化" in html2


def test_chat_answers_while_an_upload_is_in_progress(h: Handlers, tmp_path: Path) -> None:
    """Between two files of a batch the index is free: a question asked then is answered at once."""
    import threading

    files = []
    for i in range(2):
        f = tmp_path / f"心得{i}.txt"
        f.write_text(GBK_TEXT.replace("心得", f"心得{i}"), "utf-8")
        files.append(str(f))
    answered: list[str] = []

    def during_upload(i: int, n: int, name: str) -> None:
        if i == 1:  # first file written, second not yet
            t = threading.Thread(
                target=lambda: answered.append(last(h.chat("谈心谈话怎么开展？", [], []))[0][-1]["content"])
            )
            t.start()
            t.join(30)

    h.upload(files, during_upload)
    assert answered and "参考来源" in answered[0]


def test_one_batch_is_one_ingest_call_and_originals_are_kept(h: Handlers, tmp_path: Path) -> None:
    calls: list[int] = []
    real = h.asst.ingest

    def counting(paths: Any = None, progress: Any = None, names: Any = None) -> Any:
        calls.append(len(list(paths or [])))
        return real(paths, progress, names=names)

    h.asst.ingest = counting  # type: ignore[method-assign]
    h.settings.web.upload_process = False  # counted in this process (the child path: test_upload_in_a_child_*)
    files = []
    for i in range(4):
        f = tmp_path / "up" / str(i) / f"批量心得{i}.txt"
        f.parent.mkdir(parents=True)
        f.write_text(GBK_TEXT.replace("心得", f"批量心得{i}"), "utf-8")
        files.append(str(f))
    big = tmp_path / "up" / "大文件.txt"
    big.write_bytes(b"x" * (h.settings.ingest.max_file_mb * 1024 * 1024 + 1))
    html, _, choices = h.upload([*files, str(big)], cleanup=True)
    assert calls == [4]  # one call for the batch; the over-limit file refused in our handler
    assert "共 5 个文件：成功 4 个，失败 1 个" in html and "大文件.txt" in html and "SIZHENG_" not in html
    assert all(f"批量心得{i}.txt" in choices for i in range(4))
    assert not any(Path(f).exists() for f in files)  # uploaded temp files removed
    kept = h.originals.path("批量心得0.txt")
    assert kept is not None and kept.read_text("utf-8").startswith("党支部")
    answer = last(h.chat("批量心得0 支部书记每季度谈心几次？", [], []))[0][-1]["content"]
    assert "下载原文件" in answer and "/gradio_api/file=" in answer
    h.delete("批量心得0.txt")
    assert h.originals.path("批量心得0.txt") is None  # removed with its document


def test_delete_document(h: Handlers) -> None:
    rows, choices = h.doc_table()
    target = choices[0]
    msg, rows2, choices2 = h.delete(target)
    assert "已删除" in msg and target not in choices2 and len(rows2) == len(rows) - 1
    assert "没有" in h.delete(target)[0]
    assert "请先" in h.delete(None)[0]


def test_rebuild_rescans_knowledge_dir(h: Handlers) -> None:
    _, choices = h.doc_table()
    h.delete(choices[0])
    html, _, choices2 = h.rebuild()
    assert choices[0] in choices2 and "新增" in html


def test_first_start_indexes_with_progress(tmp_path: Path) -> None:
    asst = Assistant.from_settings(make_settings(tmp_path / "data"))
    seen: list[str] = []
    job = IndexJob(asst, echo=seen.append)
    assert not job.ready and "检查" in job.state().message
    job.run_now()
    assert job.ready and job.state().message.startswith("知识库就绪：5 篇文档")
    assert "首次建立索引用时" in job.state().message
    assert any(line.startswith("  [1/5]") for line in seen)
    again = IndexJob(Assistant.from_settings(make_settings(tmp_path / "data"))).run_now()
    assert "首次" not in again.state().message  # a later start reuses the index


# ---- 微党课提纲 / 活动方案：生成、编辑、导出 ------------------------------------------------------------
def test_outline_generate_edit_and_export_what_was_edited(h: Handlers) -> None:
    text, status, sources, result = last(h.outline("用好谈心谈话这把金钥匙", "机关党员", 15, ""))
    assert isinstance(result, Result) and result.task == "outline" and text == result.text
    assert "离线摘编" in status and "参考来源" in sources
    edited = "# 我改过的提纲\n\n## 一、导入\n\n- 本支部自己的例子\n\n" + text
    path, msg = h.export("outline", edited, result, "docx")
    assert path and path.endswith("我改过的提纲.docx") and "已生成" in msg
    paras = "\n".join(p.text for p in DocxDocument(path).paragraphs)
    assert "我改过的提纲" in paras and "本支部自己的例子" in paras
    assert "参考来源" in paras and result.citations[0].source in paras
    pptx_path, _ = h.export("outline", edited, result, "pptx")
    assert pptx_path is not None
    slides = Presentation(pptx_path).slides
    all_text = " ".join(sh.text_frame.text for s in slides for sh in s.shapes if sh.has_text_frame)
    assert "我改过的提纲" in all_text
    md_path, _ = h.export("outline", edited, result, "md")
    assert md_path is not None and "本支部自己的例子" in Path(md_path).read_text("utf-8")


def test_plan_generate_and_export_without_prior_result(h: Handlers) -> None:
    text, status, _, result = last(h.plan("主题党日", "支部全体党员", "座谈交流，半天", ""))
    assert result is not None and result.task == "plan" and text
    path, _ = h.export("plan", "# 自己写的方案\n\n一、活动主题", None, "docx")
    assert path is not None
    assert "自己写的方案" in DocxDocument(io.BytesIO(Path(path).read_bytes())).paragraphs[0].text


def test_empty_form_and_empty_export_say_what_to_do(h: Handlers) -> None:
    text, status, _, result = last(h.outline("", "", 15, "  "))
    assert result is None and "请先填写主题" in status
    path, msg = h.export("outline", "  ", None, "docx")
    assert path is None and "没有可导出的内容" in msg


def test_stem_of() -> None:
    assert stem_of("# 用好“金钥匙”/谈心\n正文", "x") == "用好“金钥匙”_谈心"
    assert stem_of("\n\n", "微党课提纲") == "微党课提纲"


# ---- 系统状态 ------------------------------------------------------------------------------------------
def test_status_offline(h: Handlers) -> None:
    html = h.status()
    assert "离线摘编" in html and "文档数" in html and "切块数" in html
    assert str(Path(h.settings.data_dir).resolve()) in html
    assert "离线摘编模式" in h.test_llm()


def test_status_and_connection_test_never_show_the_key(built_data_dir: Path, fake_llm: FakeOpenAI) -> None:  # noqa: F811
    key = "sk-very-secret-key-123"
    settings = make_settings(
        built_data_dir, llm_base_url=fake_llm.base_url, llm_model="fake-model", llm_api_key=key
    )
    h = handlers_for(Assistant.from_settings(settings))
    html = h.status()
    assert "大模型生成" in html and "fake-model" in html and f"127.0.0.1:{fake_llm.port}" in html
    ok = h.test_llm()
    assert "连接成功" in ok
    fake_llm.mode = "401"
    bad = h.test_llm()
    assert "连接失败" in bad
    assert all(key not in s for s in (html, ok, bad))


# ---- API ----------------------------------------------------------------------------------------------
def test_api_functions_return_json_dicts(h: Handlers) -> None:
    ask = h.api_ask("谈心谈话怎么搞才不流于形式？", [["你好", "您好"]])
    assert ask["task"] == "ask" and ask["status"] == "answered" and ask["citations"]
    assert {"source", "title", "section", "page", "quote", "n"} <= set(ask["citations"][0])
    outline = h.api_outline("", topic="用好谈心谈话这把金钥匙", minutes=15)
    plan = h.api_plan("帮我起草一份主题党日活动方案")
    assert outline["task"] == "outline" and plan["task"] == "plan"
    json.dumps([ask, outline, plan], ensure_ascii=False)


def test_upload_in_a_child_process_keeps_the_page_answering(h: Handlers, tmp_path: Path) -> None:
    """The default: the batch is ingested by a child process; the web process only sees the result, and
    a child that dies mid-batch is reported in Chinese with the knowledge base as it was."""
    import os
    import signal

    assert h.settings.web.upload_process
    f = tmp_path / "子进程心得.txt"
    f.write_text(GBK_TEXT.replace("心得", "子进程心得"), "utf-8")
    pids: list[int] = []
    html, rows, choices = h.upload([str(f)], lambda i, n, name: pids.append(os.getpid()))
    assert "成功 1 个" in html and "子进程心得.txt" in choices
    assert pids and set(pids) == {os.getpid()}  # progress reaches the page's thread
    answer = last(h.chat("子进程心得 支部书记每季度谈心几次？", [], []))[0][-1]["content"]
    assert "子进程心得.txt" in answer
    before = [d.source for d in h.asst.documents()]

    def kill_child(i: int, n: int, name: str) -> None:
        for d in Path("/proc").iterdir():  # our child: python -m ui.ingest_proc
            try:
                cmd = (d / "cmdline").read_bytes()
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == os.getpid() and b"ui.ingest_proc" in cmd:
                os.kill(int(d.name), signal.SIGKILL)

    g = tmp_path / "半途.txt"
    g.write_text(GBK_TEXT.replace("心得", "半途"), "utf-8")
    html, _, choices = h.upload([str(g)], kill_child)
    assert "入库进程意外退出" in html and "半途.txt" not in choices
    assert [d.source for d in h.asst.documents()] == before
