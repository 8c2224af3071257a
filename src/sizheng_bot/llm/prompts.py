"""Prompt templates: one Chinese file per purpose under ``prompts/``, checked when loaded.

The single template syntax is Python ``str.format``: ``{name}`` is a placeholder and literal
braces are doubled (``{{`` / ``}}``). Each file must contain exactly its required placeholders,
so a typo in a prompt fails at start-up with a message naming the file, not mid-answer.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from string import Formatter
from types import MappingProxyType

from sizheng_bot.errors import ConfigError

logger = logging.getLogger(__name__)

#: Prompt name (file stem) -> placeholders its file must contain, no more and no fewer.
REQUIRED_PLACEHOLDERS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {
        "system": frozenset(),
        "answer": frozenset({"history", "question", "context"}),
        "outline": frozenset(
            {"request", "topic", "audience", "minutes", "time_split", "requirements", "context"}
        ),
        "plan": frozenset({"request", "theme", "audience", "format", "minutes", "requirements", "context"}),
        "rewrite": frozenset({"history", "question"}),
    }
)

PROMPT_SUFFIX = ".md"


@dataclass(frozen=True)
class PromptSet:
    """Validated templates keyed by prompt name (``"system"``, ``"answer"``, ...)."""

    templates: MappingProxyType[str, str]
    source_dir: Path

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.templates)

    def render(self, name: str, **values: object) -> str:
        """Fill template ``name`` (``"answer"`` or ``"answer.md"``) with exactly its placeholders.

        Values are inserted as-is: braces inside them are not interpreted.
        """
        key = name.removesuffix(PROMPT_SUFFIX)
        template = self.templates.get(key)
        if template is None:
            raise ConfigError(f"未知的提示词模板：{name}（可用：{'、'.join(self.templates)}）")
        expected = REQUIRED_PLACEHOLDERS.get(key, _placeholders(template))
        missing = sorted(expected - values.keys())
        if missing:
            raise ConfigError(f"提示词 {key}{PROMPT_SUFFIX} 缺少取值：{'、'.join(missing)}")
        unknown = sorted(values.keys() - expected)
        if unknown:
            raise ConfigError(f"提示词 {key}{PROMPT_SUFFIX} 不接受参数：{'、'.join(unknown)}")
        return template.format_map(values)


SHIPPED = Path(__file__).with_name("templates")  # the templates inside the package


def load_prompts(prompts_dir: Path | None = None) -> PromptSet:
    """Read and check every required prompt file; raise ConfigError naming the file on any problem.

    ``None`` means the templates shipped in the package."""
    prompts_dir = Path(prompts_dir) if prompts_dir is not None else SHIPPED
    if not prompts_dir.is_dir():
        raise ConfigError(f"提示词目录不存在：{prompts_dir}（请检查 SIZHENG_PROMPTS_DIR）")
    templates: dict[str, str] = {}
    for name, required in REQUIRED_PLACEHOLDERS.items():
        path = prompts_dir / f"{name}{PROMPT_SUFFIX}"
        text = _read_template(path)
        _check_placeholders(path, text, required)
        templates[name] = text
    logger.debug("Loaded %d prompt templates from %s", len(templates), prompts_dir)
    return PromptSet(templates=MappingProxyType(templates), source_dir=prompts_dir)


def _read_template(path: Path) -> str:
    if not path.is_file():
        raise ConfigError(f"缺少提示词文件：{path.name}（应位于 {path.parent}）")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"提示词文件 {path.name} 不是 UTF-8 编码，请另存为 UTF-8") from exc
    except OSError as exc:
        raise ConfigError(f"无法读取提示词文件 {path.name}：{exc.strerror or type(exc).__name__}") from exc
    if not text.strip():
        raise ConfigError(f"提示词文件 {path.name} 为空")
    return text


def _check_placeholders(path: Path, text: str, required: frozenset[str]) -> None:
    try:
        found = _placeholders(text)
    except ValueError as exc:
        raise ConfigError(
            f"提示词文件 {path.name} 的花括号不成对：占位符写作 {{名称}}，字面花括号请写成 {{{{ 或 }}}}"
        ) from exc
    missing = sorted(required - found)
    if missing:
        names = "、".join(f"{{{m}}}" for m in missing)
        raise ConfigError(f"提示词文件 {path.name} 缺少占位符 {names}")
    unknown = sorted(found - required)
    if unknown:
        names = "、".join(f"{{{u}}}" for u in unknown)
        allowed = "、".join(f"{{{r}}}" for r in sorted(required)) or "无"
        raise ConfigError(
            f"提示词文件 {path.name} 含有未知占位符 {names}（允许的占位符：{allowed}；字面花括号请写成 {{{{ }}}}）"
        )


def _placeholders(text: str) -> frozenset[str]:
    """Names of the ``{field}`` placeholders in ``text``; ValueError on unbalanced braces.

    Anything that is not a plain name (``{}``, ``{0}``, ``{a.b}``, ``{a:>3}``) is reported verbatim
    so it shows up as an unknown placeholder rather than failing at render time.
    """
    found: set[str] = set()
    for _literal, field, spec, conversion in Formatter().parse(text):
        if field is None:
            continue
        if field.isidentifier() and not spec and not conversion:
            found.add(field)
        else:
            suffix = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            found.add(f"{field}{suffix}")
    return frozenset(found)
