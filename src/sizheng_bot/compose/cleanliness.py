"""Is a passage unit fit to stand in an official draft? Template placeholders, masked names, cut-off text.

Source documents are often templates or redacted copies: "XX党支部", "×××同志", "【请填写…】", "____",
"*总书记". A draft must not carry such text as if it were content. A placeholder that stands for the
unit's own name or a person ("XX党支部关于…的请示") is shown as 【待定】 — the same mark the drafts use
for what the unit fills in itself; any other placeholder, every masked name and every sentence a chunk
boundary cut in half makes the unit unusable.
"""

from __future__ import annotations

import re

from sizheng_bot.text.forms import MASK

TBD = "【待定】"

# --- the one set of patterns: used by the ask path (compose.filters) and the drafts (below) ----------
# a masked word: text.forms.MASK (XX / ×× / ＸＸ runs, 某某: 李XX, XX大地, ×××同志)
# a blank to fill in: ____, ○○/□□ runs (not 〇 inside a Chinese numeral: 二〇〇八), 【请填写…】
BLANK = (
    r"_{2,}|＿{2,}|[○◯□]{2,}|(?<![零〇一二三四五六七八九十])〇{2,}(?![零〇一二三四五六七八九十年])"
    r"|【[^】]{0,20}(?:填写|填入|待填|请填)[^】]{0,20}】"
)
# a form's slots (the ask path drops a sentence holding one): XXXX年X月X日, X名, [ ]年, 【单位】, （ ）, □
FORM = re.compile(
    rf"X{{3,}}|[X×＿_]\s*[年月日号]|(?<![A-Za-z])X{{1,2}}\s*[名个人位项%％]|{BLANK}|[\[［【]\s*[\]］】]"
    r"|【[^】]{0,12}(?:填写|填入|输入|单位|姓名|名称)[^】]{0,12}】"
    r"|[\[［][^\]］]{0,10}(?:姓名|单位|名称|领导)[^\]］]{0,10}[\]］]|[（(]\s+[）)]|□"
)
MASKED_WORD = re.compile(MASK)
# a redacted name or title: *总书记, ***同志, 同志**, 党章**党规
MASKED_NAME = re.compile(r"[*＊]+\s*[\u4e00-\u9fff]|(?:总书记|同志)[*＊]+|[*＊]{2,}")
# what a whole sentence ends with (a cut-off one does not)
TERMINAL = "。！？!?；;…”’」』）)】]》"

# a web address that is most of its unit (a site's name stamped into a table row: "序号：www.…com")
_URL = re.compile(r"(?:https?://|www\.)[A-Za-z0-9./?=&%#~:_-]+", re.I)
URL_SHARE = 0.4

_PLACEHOLDER = re.compile(rf"{MASK}|{BLANK}")
# a placeholder directly followed by what it names: an organisation, a person, a date part
_NAME_SLOT = re.compile(
    r"(?:[XxＸｘ×]{2,}|[○〇◯□]{2,}|_{2,}|＿{2,})(?=(?:党支部|党总支|党委|党组|支部|单位|部门|机关|公司|学校|同志|"
    r"[年月日号时]|名|人|个|次|委员|书记|局|处|科|室|村|社区|街道))"
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
    "崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_NOT_A_UNIT = r"(?![\u4e00-\u9fff]{0,1}(?:党支部|支部|单位))"  # 张XX党支部 names a branch, not a person
_PERSON_SLOT = re.compile(rf"[{_SURNAMES}](?:[XxＸｘ×]{{2,}}|某某?|[○〇]{{1,2}}){_NOT_A_UNIT}")
_X_PERSON = re.compile(rf"[{_SURNAMES}][XxＸｘ×]{{2,}}{_NOT_A_UNIT}")  # only the X form: 王某某 in news is real
_DATE_SLOT = re.compile(r"(?<![A-Za-z])[XxＸ×](?=[年月日号])")


def placeholders(text: str) -> list[str]:
    """The template placeholders in ``text`` ("XX", "×××", "____", "【请填写…】")."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(text)]


def has_masked_name(text: str) -> bool:
    """A redacted name or title ("*总书记", "***同志")."""
    return bool(MASKED_NAME.search(text))


def has_person_slot(text: str) -> bool:
    """A person's name left as a template slot ("党员代表李XX表示"): never quoted as if someone said it.
    (王某某 in a news report or a case stays: there it is a real, anonymised person.)"""
    return bool(_X_PERSON.search(text))


def is_web_stamp(text: str) -> bool:
    """A unit that is mostly a web address (the site that published a template), not content."""
    urls = sum(len(m.group(0)) for m in _URL.finditer(text))
    return urls > 0 and urls >= URL_SHARE * len(re.sub(r"\s", "", text))


def is_cut_off(text: str, at_passage_end: bool, min_len: int = 30) -> bool:
    """A sentence that a chunk boundary cut: the passage's last unit, longer than ``min_len``, with no
    closing punctuation. Line-structured text (a table or list, one row a line) and a table row
    (cells joined by " | ") are judged row by row by their user. The ask path passes a longer ``min_len`` (a short last line there is usually a heading)."""
    t = text.rstrip()
    return at_passage_end and len(t) > min_len and t[-1] not in TERMINAL and "\n" not in t and " | " not in t


def fit_for_draft(text: str, at_passage_end: bool = False) -> str | None:
    """The unit's text as a draft may show it (name slots as 【待定】), or None when it must not be used."""
    if has_masked_name(text) or is_cut_off(text, at_passage_end) or is_web_stamp(text):
        return None
    if not _PLACEHOLDER.search(text) and not _DATE_SLOT.search(text):
        return text
    filled = _NAME_SLOT.sub("\0", _DATE_SLOT.sub("\0", _PERSON_SLOT.sub("\0", text)))
    filled = re.sub("\0+", "\0", filled)
    if _PLACEHOLDER.search(filled):
        return None  # a placeholder that is not a name slot ("善用XX骄子"): the sentence means nothing
    # a bracketed title holding the slot becomes 《…》 so that the 【待定】 mark is not nested in 【】
    filled = re.sub(r"【([^】]*\0[^】]*)】", r"《\1》", filled)
    return filled.replace("\0", TBD)


def clean_text(text: str) -> bool:
    """True when ``text`` holds no placeholder and no masked name (used by the draft checks)."""
    return not placeholders(text.replace(TBD, "")) and not has_masked_name(text)
