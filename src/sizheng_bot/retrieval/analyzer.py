"""Text analysis for retrieval: jieba word tokens, character bigrams, stopwords, synonym expansion.

The Analyzer is built once (jieba's dictionary load costs ~0.8 s) and shared by ingest and retrieval,
so documents and queries are always tokenised the same way.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sizheng_bot.text import affirmed, fold

log = logging.getLogger(__name__)

DICT_FILE = "domain_dict.txt"
SYNONYM_FILE = "synonyms.txt"
ANALYZER_VERSION = 2  # bump when tokenisation changes (words, bigrams, stopwords, folding)
RESOURCES = Path(__file__).with_name("resources")  # shipped dictionary and synonym table

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN_OK = re.compile(rf"[{_CJK}A-Za-z0-9]")
_CJK_RUN = re.compile(rf"[{_CJK}]+|[A-Za-z]+|[0-9]+(?:\.[0-9]+)?%?")
_WS = re.compile(r"\s+")
# a separable verb with an aspect particle inside: 下了班 / 开完会 / 入过党 hold the words 下班 / 开会 / 入党
_SEPARATED = re.compile(rf"([{_CJK}])([了过完])(?=([{_CJK}]))")
_NOT_SEPARATED = frozenset("为了 除了 通过 经过 超过 不过 越过 透过 错过".split())  # words, not a particle inside one
_COMMON = 50  # jieba frequency from which the rejoined pair is a word people use (下班, 开会, 请假)

# Function words and question scaffolding that carry no topical signal in either queries or passages.
STOPWORDS = frozenset(
    """
    的 了 和 与 及 或 是 在 有 也 都 就 又 还 要 把 被 让 给 对 从 等 着 过 而 并 其 之 以 于 为 将 这 那 此 该 个 们 中 上 下 里
    这个 那个 这些 那些 这种 那种 这样 那样 什么 怎么 怎样 如何 哪些 哪个 哪里 哪 为什么 为何 吗 呢 吧 啊 呀 么 嘛 哦 吧 啥 咋
    咱们 咱 我们 你们 他们 她们 它们 我 你 他 她 它 您 大家 自己 人家 别人
    可以 能 能够 能不能 可不可以 会 应该 应当 需要 得 一下 一些 一点 有没有 是不是 比较 还是 或者 以及 其中 具体 分别 指 请 帮 帮忙
    想 老是 总是 平时 现在 目前 已经 就是 只是 但是 但 因为 所以 如果 虽然 然后 那么 怎么办 怎么样 多少 几个 哪几 一个 一种 一直
    听说 觉得 认为 知道 说 讲讲 讲 谈谈 问 问题 情况 方面 东西 事情 事 搞 弄 干 做 用 起来 出来 下来 上来 过来 这么 那么 多 少
    啥样 有啥 有什么 是什么 什么样 有哪些 包括 比如 例如 一是 二是 三是 四是 五是 即 及其 以及 之一 通过 进行 开展 加强
    """.split()
)
# Very common words in this domain's documents: kept for phrase matching but weak alone; never dropped.


@dataclass
class SynonymTable:
    """Groups of interchangeable phrasings; any member expands to the others."""

    groups: list[tuple[str, ...]] = field(default_factory=list)
    _index: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> SynonymTable:
        table = cls()
        if path is None or not path.exists():
            return table
        for raw in path.read_text(encoding="utf-8").splitlines():
            line = raw.split("#", 1)[0].strip()
            words = tuple(dict.fromkeys(w for w in line.split() if w))
            if len(words) >= 2:
                table.add(words)
        return table

    def add(self, words: tuple[str, ...]) -> None:
        gid = len(self.groups)
        self.groups.append(words)
        for w in words:
            self._index.setdefault(w, []).append(gid)

    def words(self) -> set[str]:
        return set(self._index)

    def expansions(self, text: str) -> list[str]:
        """Words of every group one of whose members occurs in ``text`` (minus words already in it)."""
        out: dict[str, None] = {}
        for w, gids in self._index.items():
            if w in text:
                for gid in gids:
                    for other in self.groups[gid]:
                        if other not in text:
                            out[other] = None
        return list(out)


class Analyzer:
    """Tokeniser shared by indexing and querying."""

    _jieba_lock = threading.Lock()

    def __init__(self, dict_path: Path | None = None, synonym_path: Path | None = None) -> None:
        self.dict_path = dict_path
        self.synonym_path = synonym_path
        self.synonyms = SynonymTable.load(synonym_path)
        self._tokenizer = None
        self._fingerprint: str | None = None

    @classmethod
    def from_files(cls, dict_path: Path | None = None, synonym_path: Path | None = None) -> Analyzer:
        """The given dictionary and synonym table, or the ones shipped in the package."""
        return cls(dict_path or RESOURCES / DICT_FILE, synonym_path or RESOURCES / SYNONYM_FILE)

    @property
    def tokenizer(self):  # type: ignore[no-untyped-def]
        if self._tokenizer is None:
            with self._jieba_lock:
                if self._tokenizer is None:
                    self._tokenizer = self._build_tokenizer()
        return self._tokenizer

    def _build_tokenizer(self):  # type: ignore[no-untyped-def]
        import jieba

        from sizheng_bot.retrieval.fastcut import FastTokenizer

        jieba.setLogLevel(logging.WARNING)
        tk = FastTokenizer()  # jieba's cut, same tokens, less CPU
        tk.initialize()
        extra: set[str] = set()
        if self.dict_path is not None and self.dict_path.exists():
            tk.load_userdict(str(self.dict_path))
        # synonym words must stay whole too, so the expansion matches what documents are cut into
        extra |= {w for w in self.synonyms.words() if len(w) >= 2}
        for w in extra:
            tk.add_word(w, freq=20000)
        return tk

    @property
    def fingerprint(self) -> str:
        """Identity of the tokenizer: analyzer version + the bytes of the dictionary and the synonym table."""
        if self._fingerprint is None:
            from sizheng_bot.identity import token_key

            self._fingerprint = token_key(ANALYZER_VERSION, self.dict_path, self.synonym_path)
        return self._fingerprint

    def warm_up(self) -> None:
        self.tokenizer.lcut("预热")

    def words(self, text: str, folded: bool = False) -> list[str]:
        """Search-mode jieba tokens, folded, with stopwords and punctuation removed; a separable verb
        split by an aspect particle (下了班) also yields its word (下班)."""
        text = text if folded else fold(text)
        toks = self.tokenizer.lcut_for_search(text, HMM=True)
        toks += self.rejoined(text)
        return [t for t in toks if t.strip() and _TOKEN_OK.search(t) and t not in STOPWORDS]

    def rejoined(self, text: str) -> list[str]:
        """The dictionary words that 了/过/完 split in ``text``: 下了班 -> 下班, 开完会 -> 开会."""
        freq = self.tokenizer.FREQ
        out = []
        for m in _SEPARATED.finditer(text):
            head, particle, tail = m.groups()
            if tail in "了过完着" or head + particle in _NOT_SEPARATED:
                continue
            if freq.get(head + tail, 0) >= _COMMON:
                out.append(head + tail)
        return out

    @staticmethod
    def bigrams(text: str, folded: bool = False) -> list[str]:
        """Character bigrams within CJK runs; Latin words and numbers whole."""
        out: list[str] = []
        for run in _CJK_RUN.findall(text if folded else fold(text)):
            if len(run) == 1 or not ("\u3400" <= run[0] <= "\ufaff"):
                out.append(run)
            else:
                out.extend(map(str.__add__, run[:-1], run[1:]))
        return out

    def query_terms(self, query: str, expand: bool = True) -> tuple[list[str], list[str]]:
        """(original word tokens, expansion word tokens) for a query; an A-not-A ask counts as its
        word (算不算数 -> 算数), so the word and its synonyms are searched."""
        query = affirmed(query)
        orig = self.words(query)
        if not expand:
            return orig, []
        seen = set(orig)
        extra: list[str] = []
        folded = fold(query)
        for phrase in self.synonyms.expansions(" ".join([folded, *self.rejoined(folded)])):
            for t in self.words(phrase):
                if t not in seen:
                    seen.add(t)
                    extra.append(t)
        return orig, extra


