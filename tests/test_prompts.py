"""Prompt files: the shipped set loads and renders; broken sets fail at load naming the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sizheng_bot.errors import ConfigError
from sizheng_bot.llm.prompts import REQUIRED_PLACEHOLDERS, PromptSet, load_prompts

SHIPPED = Path(__file__).resolve().parents[1] / "src" / "sizheng_bot" / "llm" / "templates"


@pytest.fixture
def prompt_dir(tmp_path: Path) -> Path:
    """A writable copy of the shipped prompts."""
    target = tmp_path / "prompts"
    shutil.copytree(SHIPPED, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the shipped prompts ---------------------------------------------------------------------------


def test_shipped_prompts_load_and_render() -> None:
    prompts = load_prompts(SHIPPED)
    assert set(prompts.names) == set(REQUIRED_PLACEHOLDERS)
    answer = prompts.render(
        "answer", history="（无）", question="如何开展谈心谈话？", context="[1] 谈心谈话要做到五必谈。"
    )
    assert "如何开展谈心谈话？" in answer and "[1] 谈心谈话要做到五必谈。" in answer
    assert "{" not in answer  # every placeholder filled


def test_system_prompt_states_the_hard_rules() -> None:
    system = load_prompts(SHIPPED).render("system")
    for phrase in ("党支部书记", "[1]", "知识库中未找到", "引号", "不得编造", "中文"):
        assert phrase in system, phrase


def test_outline_prompt_asks_for_the_fixed_shape() -> None:
    outline = load_prompts(SHIPPED).render(
        "outline",
        request="给青年干部讲一堂谈心谈话微党课",
        topic="谈心谈话",
        audience="机关青年干部",
        minutes=15,
        time_split="导入2分钟，三个要点各3分钟，互动2分钟，结语2分钟",
        requirements="结合七一（写进正文）",
        context="[1] 材料一",
    )
    for heading in ("# 题目", "授课对象：", "时长：", "## 教学目标", "## 一、导入（约N分钟）", "## 二、"):
        assert heading in outline, heading
    for heading in ("## 三、", "## 四、", "## 互动讨论", "## 结语", "【待定】", "15 分钟"):
        assert heading in outline, heading


def test_plan_prompt_asks_for_the_seven_sections() -> None:
    plan = load_prompts(SHIPPED).render(
        "plan",
        request="主题党日方案",
        theme="重温入党誓词",
        audience="全体党员",
        format="参观学习",
        minutes="120",
        requirements="请老党员讲党课（安排为一个环节）",
        context="[1] 材料",
    )
    sections = ["# 活动名称", "## 一、活动目的", "## 二、参加对象", "## 三、时间地点", "## 四、活动流程"]
    sections += ["## 五、职责分工", "## 六、工作要求", "## 七、效果评估"]
    positions = [plan.index(s) for s in sections]
    assert positions == sorted(positions)
    assert "【待定】" in plan


def test_render_keeps_braces_in_chinese_values() -> None:
    prompts = load_prompts(SHIPPED)
    text = prompts.render("rewrite", history="用户：什么是{三会一课}？", question="它包括哪些{环节}}？")
    assert "用户：什么是{三会一课}？" in text
    assert "它包括哪些{环节}}？" in text


def test_render_rejects_missing_or_unknown_values_and_names() -> None:
    prompts = load_prompts(SHIPPED)
    with pytest.raises(ConfigError, match="context"):
        prompts.render("answer", history="", question="问题")
    with pytest.raises(ConfigError, match="topic"):
        prompts.render("rewrite", history="", question="问题", topic="多余")
    with pytest.raises(ConfigError, match="summary"):
        prompts.render("summary")
    assert isinstance(prompts, PromptSet)
    assert prompts.render("rewrite.md", history="甲", question="乙") == prompts.render(
        "rewrite", history="甲", question="乙"
    )


# --- broken prompt sets ----------------------------------------------------------------------------


def test_missing_placeholder_names_file_and_placeholder(prompt_dir: Path) -> None:
    edit(prompt_dir / "answer.md", "{context}", "（材料略）")
    with pytest.raises(ConfigError) as info:
        load_prompts(prompt_dir)
    assert "answer.md" in str(info.value)
    assert "{context}" in str(info.value)
    assert "缺少" in str(info.value)


def test_unknown_placeholder_names_file_and_placeholder(prompt_dir: Path) -> None:
    edit(prompt_dir / "plan.md", "{theme}", "{theme}（{budget}）")
    with pytest.raises(ConfigError) as info:
        load_prompts(prompt_dir)
    assert "plan.md" in str(info.value)
    assert "{budget}" in str(info.value)
    assert "未知" in str(info.value)


def test_placeholder_in_system_prompt_is_unknown(prompt_dir: Path) -> None:
    with (prompt_dir / "system.md").open("a", encoding="utf-8") as fh:
        fh.write("\n用户问题：{question}\n")
    with pytest.raises(ConfigError, match=r"system\.md.*\{question\}"):
        load_prompts(prompt_dir)


def test_positional_placeholder_is_unknown(prompt_dir: Path) -> None:
    edit(prompt_dir / "rewrite.md", "{question}", "{question}{}")
    with pytest.raises(ConfigError, match=r"rewrite\.md.*\{\}"):
        load_prompts(prompt_dir)


def test_missing_file_is_named(prompt_dir: Path) -> None:
    (prompt_dir / "outline.md").unlink()
    with pytest.raises(ConfigError, match=r"outline\.md"):
        load_prompts(prompt_dir)


def test_missing_directory_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SIZHENG_PROMPTS_DIR"):
        load_prompts(tmp_path / "nowhere")


def test_unbalanced_brace_names_the_file(prompt_dir: Path) -> None:
    edit(prompt_dir / "outline.md", "{topic}", "{topic")
    with pytest.raises(ConfigError, match=r"outline\.md.*花括号"):
        load_prompts(prompt_dir)


def test_doubled_braces_are_literal(prompt_dir: Path) -> None:
    with (prompt_dir / "system.md").open("a", encoding="utf-8") as fh:
        fh.write('\n输出示例：{{"要点": "…"}}\n')
    assert load_prompts(prompt_dir).render("system").endswith('输出示例：{"要点": "…"}\n')


def test_non_utf8_file_is_named(prompt_dir: Path) -> None:
    (prompt_dir / "rewrite.md").write_bytes("{history}{question}改写问题".encode("gbk"))
    with pytest.raises(ConfigError, match=r"rewrite\.md.*UTF-8"):
        load_prompts(prompt_dir)
