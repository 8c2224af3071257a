"""User-facing messages in plain Chinese: environment-variable names become the setting they name.

Library errors may name a setting as ``SIZHENG_LLM_MODEL`` (useful in a terminal); on the page the
user reads the setting's Chinese description instead (from ``Settings``), and setup hints live in the
README and on the 系统状态 tab.
"""

from __future__ import annotations

import re
from functools import lru_cache

from sizheng_bot.config import Settings

_ENV = re.compile(r"SIZHENG_[A-Z0-9_]+")
_PREFIX = re.compile(r"(?:可)?(?:设置|调大|调整|检查|请检查|把)\s*$")


@lru_cache(maxsize=1)
def _labels() -> dict[str, str]:
    out = {}
    for name, field in Settings.model_fields.items():
        desc = (field.description or name).split("，")[0].split("（")[0].split("，如")[0].strip()
        out["SIZHENG_" + name.upper()] = desc
    return out


def plain_message(text: str) -> str:
    """``text`` with every ``SIZHENG_*`` name replaced by “<description>”设置 (ask the administrator)."""
    labels = _labels()

    def sub(m: re.Match[str]) -> str:
        label = labels.get(m.group(), "相关")
        return f"“{label}”设置（请联系管理员）"

    out = _ENV.sub(sub, text)
    return out.replace("（请联系管理员） 和 “", " 和 “")
