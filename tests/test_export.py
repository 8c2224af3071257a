"""Export of a Result to .md, .docx and .pptx: files are written, re-opened and inspected."""

from __future__ import annotations

import io
import math
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.dml import MSO_FILL
from pptx.oxml.ns import qn as pqn
from pptx.util import Emu

from sizheng_bot.errors import SizhengError
from sizheng_bot.export import export_bytes, to_markdown, write_docx, write_markdown, write_pptx
from sizheng_bot.types import Citation, Result

OUTLINE_TITLE = "用好谈心谈话这把“金钥匙”——机关党支部微党课"
OUTLINE_PARTS = [
    "一、导入（约2分钟）",
    "二、为什么谈：思想是行动的先导（约4分钟）",
    "三、谈什么：“三谈三促”明方向（约4分钟）",
    "四、怎么谈：把谈心谈话做到心坎上（约3分钟）",
    "五、互动讨论（约2分钟）",
    "六、结语（约1分钟）",
]
LONG_POINT = (
    "聚焦“授业”，顺应机关思想政治工作规律特点，经常开展家访、主题党日、组织生活、谈心谈话、重温入党誓词和领袖训词等党建活动，"
    "加强党员干部日常监督尤其是八小时以外的监督，及时检视防范风险、发现问题苗头，做到早提醒、早预防。"
    "聚焦“解惑”，针对干部队伍特别是年轻干警的所思所惑，依法依规及时答疑解惑、廓清迷雾，特别是要抓好意识形态领域风险排查整治，"
    "引导各级干部和广大干警正确区分政治原则问题、思想认识问题、学术观点问题。[1]"
)
OUTLINE_TEXT = f"""# {OUTLINE_TITLE}

授课对象：机关全体党员干部
时长：约15分钟
主讲人：【待定】

> 离线摘编模式：以下内容摘编自知识库原文，未经大模型改写，请结合本单位实际修改完善。

## {OUTLINE_PARTS[0]}

- 提问：你上一次和支部书记认真谈心是什么时候？
- 引出主题：谈心谈话是做好机关思想政治工作的重要方法。[2]

## {OUTLINE_PARTS[1]}

### （一）思想上达成共识，才能行动上一致。

- 思想是行动的先导。只有思想上达成共识，才能做到行动上一致。[1]
- {LONG_POINT}

### （二）谈心谈话是组织生活的重要内容

- 各党支部严格落实组织生活会、谈心谈话、民主评议党员等制度。[2]

## {OUTLINE_PARTS[2]}

- 聚焦“谈思想、促成长，谈目标、促发展，谈纪律、促廉洁”主题，开展常态化全覆盖谈心谈话。[3]
- 明确“五必谈”范围，做到责任再压实，谈话全覆盖。[3]
- 坚持关心激励、以诚相待、注重实效、及时经常、隐私保密原则。[3]
- 营造教职工愿谈想谈、能谈畅谈良性空间，变“单向报告”为“双向交流”。[3]
- 谈话人对收集的意见建议进行整理，为决策提供参考。[3]
- 谈话对象根据意见建议落实整改措施，形成闭环管理。[3]
- 将谈心谈话工作从“做没做”向“优不优”提升。[3]
- 本单位做法：【待定】（请补充本支部的具体案例）

## {OUTLINE_PARTS[3]}

1. **推行“一对一”谈心谈话制度**：领导干部要定期与下属进行面对面的交流，倾听他们的想法和困扰。[4]
2. 要确定谈心谈话的频率和时间，确保每个工作人员都有机会与领导进行交流。[4]

## {OUTLINE_PARTS[4]}

- 结合本支部实际，谈谈你在谈心谈话中遇到的最大困难是什么？
- 如何让年轻干部愿谈、敢谈、说真话？

## {OUTLINE_PARTS[5]}

谈心谈话贵在经常、重在走心，让我们从下一次谈话做起。[3][4]

## 参考资料

1. 全市机关党建观摩推进会交流发言.txt
2. 市委党校机关思想政治工作调研报告.txt
"""

CITATIONS = [
    Citation(1, "全市机关党建观摩推进会交流发言.txt", "全市机关党建观摩推进会交流发言", "一、明确为何要干", 2,
             "思想是行动的先导。只有思想上达成共识,才能做到行动上一致。"),
    Citation(2, "市委党校机关思想政治工作调研报告.txt", "市委党校机关思想政治工作调研报告", "（二）强化组织引领，做到方式提质", 3,
             "各党支部严格落实组织生活会、谈心谈话、民主评议党员等制度，不断增强党内政治生活的政治性、时代性、原则性、战斗性。"
             "加强党内激励关怀帮扶，以身边事教育身边人，让社会主义核心价值观根植于教职工内心、落实于行动。"),
    Citation(3, "市委党校机关思想政治工作调研报告.txt", "市委党校机关思想政治工作调研报告", "（三）强化制度引领，做到行动同步", 4,
             "制定《“三谈三促”工作方案》，聚焦“谈思想、促成长，谈目标、促发展，谈纪律、促廉洁”主题"),
    Citation(4, "加强机关思想政治工作的研究_平昌县.txt", "加强机关思想政治工作的研究", "", None,
             "一是推行\"一对一\"谈心谈话制度。"),
]  # fmt: skip

PLAN_PARTS = [
    "一、活动主题",
    "二、活动目的",
    "三、活动时间",
    "四、活动地点",
    "五、参加人员",
    "六、活动内容及流程",
    "七、职责分工",
    "八、工作要求",
]
PLAN_TEXT = f"""# 关于开展“用好谈心谈话”主题党日活动的方案

## {PLAN_PARTS[0]}
用好谈心谈话，凝聚干事合力

## {PLAN_PARTS[1]}
落实“三谈三促”要求，开展常态化全覆盖谈心谈话。[1]

## {PLAN_PARTS[2]}
【待定】（由支部确定具体日期）

## {PLAN_PARTS[3]}
【待定】

## {PLAN_PARTS[4]}
支部全体党员（人数：【待定】）

## {PLAN_PARTS[5]}
1. 集体学习（约20分钟）：支部书记领学“五必谈”范围。[1]
2. 交流发言（约30分钟）：党员结合工作谈体会。
3. 结对谈心（约20分钟）：班子成员与党员一对一谈心。[2]

## {PLAN_PARTS[6]}
- 支部书记：【待定】，负责总体组织。
- 组织委员：【待定】，负责签到与记录。

## {PLAN_PARTS[7]}
- 谈话内容注意隐私保密。[1]
"""


def _result(text: str, task: str = "outline", citations: list[Citation] | None = None) -> Result:
    return Result(text=text, mode="offline", status="answered", task=task, citations=citations or [])  # type: ignore[arg-type]


@pytest.fixture
def outline_result() -> Result:
    return _result(OUTLINE_TEXT, "outline", CITATIONS)


@pytest.fixture
def plan_result() -> Result:
    return _result(PLAN_TEXT, "plan", CITATIONS[2:4])


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _page_label(c: Citation) -> str:
    return f"第{c.page}页" if c.page is not None else ""


# --- markdown ------------------------------------------------------------------------------------


def test_markdown_lists_every_citation_once_and_keeps_text(outline_result: Result, tmp_path: Path) -> None:
    path = write_markdown(outline_result, tmp_path / "out" / "提纲.md")
    md = path.read_text(encoding="utf-8")
    assert md.count("## 参考来源") == 1
    assert "## 参考资料" not in md  # the text's own list is replaced, not duplicated
    for c in CITATIONS:
        assert f"[{c.n}] {c.source}" in md
        assert _page_label(c) in md
    assert "> 思想是行动的先导。" in md  # a short quote line per citation
    assert all(len(line) <= 84 for line in md.splitlines() if line.startswith("> ") and "摘编" not in line)
    assert "【待定】" in md and LONG_POINT in md
    positions = [md.index(h) for h in OUTLINE_PARTS]
    assert positions == sorted(positions)


def test_markdown_without_citations_keeps_own_sources_section() -> None:
    md = to_markdown(_result("# 题\n\n正文。\n\n## 参考资料\n\n1. 某文件.txt\n", "ask"))
    assert "## 参考资料" in md and "某文件.txt" in md and "## 参考来源" not in md


# --- docx ----------------------------------------------------------------------------------------


def _east_asia(element: Any) -> str | None:
    rpr = element.find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts")) if rpr is not None else None
    return rfonts.get(qn("w:eastAsia")) if rfonts is not None else None


def test_docx_official_layout(outline_result: Result, tmp_path: Path) -> None:
    path = write_docx(outline_result, tmp_path / "提纲.docx")
    doc: Any = Document(str(path))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.1) and abs(section.page_height - Mm(297)) < Mm(0.1)
    assert abs(section.top_margin - Mm(37)) < Mm(0.1) and abs(section.left_margin - Mm(28)) < Mm(0.1)
    assert abs(section.right_margin - Mm(26)) < Mm(0.1) and abs(section.bottom_margin - Mm(35)) < Mm(0.1)

    title, subtitle = doc.paragraphs[:2]
    assert title.text == "用好谈心谈话这把“金钥匙”"  # the "——" subtitle goes on its own line
    assert subtitle.text == "——机关党支部微党课" and subtitle.style.name == "Subtitle"
    assert subtitle.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert (
        title.alignment == WD_ALIGN_PARAGRAPH.CENTER
        or title.style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER
    )
    assert title.style.font.size == Pt(22) and not title.style.font.bold
    assert _east_asia(title.style.element) == "方正小标宋简体"

    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [*OUTLINE_PARTS, "参考来源"]
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 2"] == [
        "（一）思想上达成共识，才能行动上一致",  # final punctuation removed
        "（二）谈心谈话是组织生活的重要内容",
    ]
    assert _east_asia(doc.styles["Heading 1"].element) == "黑体"
    assert _east_asia(doc.styles["Heading 2"].element) == "楷体_GB2312"
    h1 = next(p for p in doc.paragraphs if p.style.name == "Heading 1")
    assert all(_east_asia(r._element) == "黑体" for r in h1.runs)

    normal = doc.styles["Normal"]
    assert normal.font.size == Pt(16) and _east_asia(normal.element) == "仿宋_GB2312"
    assert normal.font.name == "Times New Roman"
    assert normal.paragraph_format.first_line_indent == Pt(32)
    assert normal.paragraph_format.line_spacing == Pt(28)
    body = [p for p in doc.paragraphs if p.style.name == "Normal"]
    point = next(p for p in body if p.text.startswith("思想是行动的先导"))
    assert point.text.endswith("[1]")  # citation markers kept
    assert all(_east_asia(r._element) == "仿宋_GB2312" for r in point.runs)
    numbered = next(p for p in body if p.text.startswith("1. 推行"))
    assert numbered.runs[1].bold and numbered.runs[1].text == "推行“一对一”谈心谈话制度"
    assert "**" not in "\n".join(p.text for p in doc.paragraphs)


def test_docx_sources_placeholders_and_page_numbers(outline_result: Result, tmp_path: Path) -> None:
    doc: Any = Document(str(write_docx(outline_result, tmp_path / "提纲.docx")))
    texts = [p.text for p in doc.paragraphs]
    assert "参考资料" not in texts and texts.count("参考来源") == 1
    sources = texts[texts.index("参考来源") + 1 :]
    for c in CITATIONS:
        line = next(t for t in sources if t.startswith(f"[{c.n}] "))
        assert c.source in line and _page_label(c) in line and c.section in line
    assert sum("【待定】" in t for t in texts) == 2
    assert LONG_POINT in texts and "时长：约15分钟" in texts
    assert any(t.startswith("离线摘编模式") for t in texts)

    for footer in (doc.sections[0].footer, doc.sections[0].even_page_footer):
        xml = footer._element.xml
        assert "PAGE" in xml and 'w:fldCharType="begin"' in xml
        assert footer.paragraphs[0].text.startswith("— ") and footer.paragraphs[0].text.endswith(" —")
        assert _east_asia(footer.paragraphs[0].runs[0]._element) == "宋体"


def test_docx_plan_and_explicit_title(plan_result: Result, tmp_path: Path) -> None:
    doc: Any = Document(str(write_docx(plan_result, tmp_path / "方案.docx", title="主题党日活动方案")))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "主题党日活动方案" and texts.count("主题党日活动方案") == 1
    assert "关于开展“用好谈心谈话”主题党日活动的方案" not in texts  # replaced, not duplicated
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == [*PLAN_PARTS, "参考来源"]
    assert sum(t.count("【待定】") for t in texts) == 5
    assert "1. 集体学习（约20分钟）：支部书记领学“五必谈”范围。[1]" in texts


# --- pptx ----------------------------------------------------------------------------------------


def _width(text: str) -> float:
    return sum(1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.55 for ch in text)


def _frames(slide: Any) -> list[Any]:
    return [s for s in slide.shapes if s.has_text_frame and s.text_frame.text.strip()]  # type: ignore[attr-defined]


def _estimated_lines(shape: Any) -> int:
    """Lines the frame needs at its font sizes; also checks that every run is readable (≥ 20 pt)."""
    width_pt = Emu(shape.width).pt - 14.4  # type: ignore[attr-defined]
    lines = 0
    for para in shape.text_frame.paragraphs:  # type: ignore[attr-defined]
        sizes = [r.font.size.pt for r in para.runs if r.font.size is not None]
        assert sizes and min(sizes) >= 20, para.text
        lines += max(1, math.ceil(_width(para.text) / (width_pt / max(sizes))))
    return lines


def test_pptx_slides_for_outline(outline_result: Result, tmp_path: Path) -> None:
    prs = Presentation(str(write_pptx(outline_result, tmp_path / "微党课.pptx")))
    assert prs.slide_width / prs.slide_height == pytest.approx(16 / 9, rel=0.01)
    slides = list(prs.slides)
    titles = [s.shapes.title.text for s in slides]
    assert titles[0].startswith("用好谈心谈话这把“金钥匙”")
    first_text = "\n".join(f.text_frame.text for f in _frames(slides[0]))
    assert "——机关党支部微党课" in first_text and "授课对象：机关全体党员干部" in first_text
    assert "时长：约15分钟" in first_text and "离线摘编模式" not in first_text  # the note is for the speaker
    assert "离线摘编模式" in slides[0].notes_slide.notes_text_frame.text

    part_titles = [t for t in titles[1:] if not t.endswith("（续）") and t != "参考来源"]
    assert part_titles == OUTLINE_PARTS  # one slide per part, in order
    assert f"{OUTLINE_PARTS[2]}（续）" in titles  # eight points do not fit on one slide
    assert titles[-1].startswith("参考来源")
    sources_text = "\n".join(
        f.text_frame.text for s in slides if s.shapes.title.text.startswith("参考来源") for f in _frames(s)
    )
    for c in CITATIONS:
        assert f"[{c.n}] {c.source}" in sources_text and _page_label(c) in sources_text


def test_pptx_keeps_all_text_and_nothing_overflows(outline_result: Result, tmp_path: Path) -> None:
    prs = Presentation(str(write_pptx(outline_result, tmp_path / "微党课.pptx")))
    bodies: list[str] = []
    for slide in prs.slides:
        for shape in _frames(slide):
            lines = _estimated_lines(shape)
            line_pt = max(r.font.size.pt for p in shape.text_frame.paragraphs for r in p.runs) * 1.2
            assert lines <= 12, shape.text_frame.text
            assert lines * line_pt <= Emu(shape.height).pt * 1.05, shape.text_frame.text
            assert "**" not in shape.text_frame.text
            if shape != slide.shapes.title and slide != prs.slides[0]:
                bodies.append(shape.text_frame.text)
            for p in shape.text_frame.paragraphs:  # a key sentence on the slide, not the whole passage
                assert len(p.text) <= 60, p.text
        if slide != prs.slides[0]:
            assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip()
            bodies.append(slide.notes_slide.notes_text_frame.text)  # the whole point is in the notes
    body = _squash("".join(bodies))
    for line in OUTLINE_TEXT.split("## 参考资料")[0].splitlines():
        if line.startswith(("- ", "1. ", "2. ")) or (
            line and not line.startswith(("#", ">", "授课", "时长", "主讲"))
        ):
            content = re.sub(r"^(- |\d\. )", "", line).replace("**", "")
            assert _squash(content) in body, content


def test_pptx_long_part_is_spread_over_slides_not_cut(tmp_path: Path) -> None:
    paragraph = "".join(
        f"第{i}点，坚持关心激励、以诚相待、注重实效、及时经常、隐私保密原则，营造愿谈想谈、能谈畅谈的良性空间。[{i % 4 + 1}]"
        for i in range(1, 13)
    )
    bullets = "\n".join(
        f"- 要点{i}：把谈心谈话从“做没做”向“优不优”提升，形成发现问题、分析问题、解决问题的闭环。"
        for i in range(1, 11)
    )
    text = f"# 长内容测试\n\n## 一、很长的部分\n\n{paragraph}\n\n{bullets}\n\n## 二、结语\n\n完。\n"
    prs = Presentation(str(write_pptx(_result(text, "outline", CITATIONS), tmp_path / "long.pptx")))
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles.count("一、很长的部分") == 1 and titles.count("一、很长的部分（续）") >= 1
    notes = []
    for slide in list(prs.slides)[1:]:
        for shape in _frames(slide):
            lines = _estimated_lines(shape)
            size = max(r.font.size.pt for p in shape.text_frame.paragraphs for r in p.runs)
            assert lines * size * 1.2 <= Emu(shape.height).pt, shape.text_frame.text
            assert len(shape.text_frame.paragraphs) <= 5 or shape == slide.shapes.title
            assert all(len(p.text) <= 60 for p in shape.text_frame.paragraphs), shape.text_frame.text
        notes.append(slide.notes_slide.notes_text_frame.text)
    body = _squash("".join(notes).replace("· ", ""))  # nothing is lost: every point whole in the notes
    assert _squash(paragraph) in body
    assert all(_squash(b[2:]) in body for b in bullets.splitlines())


def test_pptx_discussion_and_closing_slides_look_different(outline_result: Result, tmp_path: Path) -> None:
    prs = Presentation(str(write_pptx(outline_result, tmp_path / "微党课.pptx")))
    by_title = {s.shapes.title.text: s for s in prs.slides}

    def body_size(slide: Any) -> float:
        shape = next(s for s in _frames(slide) if s != slide.shapes.title)  # type: ignore[attr-defined]
        return shape.text_frame.paragraphs[0].runs[0].font.size.pt  # type: ignore[attr-defined]

    assert body_size(by_title[OUTLINE_PARTS[4]]) > body_size(by_title[OUTLINE_PARTS[0]])
    closing, plain_slide = by_title[OUTLINE_PARTS[5]], by_title[OUTLINE_PARTS[0]]
    assert plain_slide._element.find(".//" + pqn("p:bg")) is None
    assert closing.background.fill.type == MSO_FILL.SOLID
    run = next(s for s in _frames(closing) if s != closing.shapes.title).text_frame.paragraphs[0].runs[0]
    assert run.font.color.rgb == RGBColor(255, 255, 255)  # light text on the coloured background
    assert run._r.rPr.find(pqn("a:ea")).get("typeface") == "微软雅黑"


def test_pptx_plan(plan_result: Result, tmp_path: Path) -> None:
    prs = Presentation(str(write_pptx(plan_result, tmp_path / "方案.pptx")))
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[0] == "关于开展“用好谈心谈话”主题党日活动的方案"
    assert titles[1:-1] == PLAN_PARTS and titles[-1] == "参考来源"
    text = "".join(f.text_frame.text for s in prs.slides for f in _frames(s))
    assert text.count("【待定】") == 5


# --- robustness and API ---------------------------------------------------------------------------


def test_markup_and_control_characters_are_literal_text(tmp_path: Path) -> None:
    text = "# 测试<b>标题</b>\n\n## 一、正文\n\n- 用户输入 <script>alert('x')</script> & 5 < 6\n- 垂直制表\x0b符与空\x00字符\n"
    result = _result(text, "ask", CITATIONS[:1])
    assert "<script>alert('x')</script> & 5 < 6" in write_markdown(result, tmp_path / "a.md").read_text(
        "utf-8"
    )
    doc: Any = Document(str(write_docx(result, tmp_path / "a.docx")))
    assert doc.paragraphs[0].text == "测试<b>标题</b>"
    assert "用户输入 <script>alert('x')</script> & 5 < 6" in [p.text for p in doc.paragraphs]
    assert "垂直制表符与空字符" in [p.text for p in doc.paragraphs]
    prs = Presentation(str(write_pptx(result, tmp_path / "a.pptx")))
    all_text = "".join(f.text_frame.text for s in prs.slides for f in _frames(s))
    assert "<script>alert('x')</script> & 5 < 6" in all_text


def test_redaction_asterisks_from_sources_stay_verbatim(tmp_path: Path) -> None:
    line = "有效践行***总书记“把抓好党建作为最大政绩”指示；党员干部严守党章**党规。[1]"
    result = _result(f"# 题目\n\n## 一、正文\n\n- {line}\n- **加粗要点**：正文\n", "outline", CITATIONS[:1])
    doc: Any = Document(str(write_docx(result, tmp_path / "a.docx")))
    texts = [p.text for p in doc.paragraphs]
    assert line in texts and "加粗要点：正文" in texts
    prs = Presentation(str(write_pptx(result, tmp_path / "a.pptx")))
    assert line in "\n".join(s.notes_slide.notes_text_frame.text for s in prs.slides if s.has_notes_slide)
    shown = [p.text for s in prs.slides for f in _frames(s) for p in f.text_frame.paragraphs]
    assert "有效践行***总书记“把抓好党建作为最大政绩”指示……" in shown


def test_export_bytes_and_errors(outline_result: Result, tmp_path: Path) -> None:
    docx_data = export_bytes(outline_result, "DOCX")
    assert Document(io.BytesIO(docx_data)).core_properties.title == OUTLINE_TITLE
    assert Presentation(io.BytesIO(export_bytes(outline_result, ".pptx"))).slides[0].shapes.title.text
    assert export_bytes(outline_result, "md").decode("utf-8") == to_markdown(outline_result)
    with pytest.raises(SizhengError, match="不支持的导出格式"):
        export_bytes(outline_result, "pdf")
    blocker = tmp_path / "file.txt"
    blocker.write_text("x")
    with pytest.raises(SizhengError, match="无法写入文件"):
        write_docx(outline_result, blocker / "sub" / "a.docx")
    with pytest.raises(SizhengError, match="目录"):
        write_pptx(outline_result, tmp_path)


def test_default_title_for_text_without_heading(tmp_path: Path) -> None:
    result = _result("支部书记应当定期开展谈心谈话。[1]", "ask", CITATIONS[:1])
    doc: Any = Document(str(write_docx(result, tmp_path / "a.docx")))
    assert doc.paragraphs[0].text == "思政助手答复"
    assert doc.paragraphs[1].text == "支部书记应当定期开展谈心谈话。[1]"
