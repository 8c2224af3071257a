"""The faster word graph (retrieval/fastcut.py) cuts exactly as jieba does: same tokens, every mode."""

import itertools
import json

import jieba

from sizheng_bot.retrieval.analyzer import Analyzer
from sizheng_bot.retrieval.fastcut import FastTokenizer
from sizheng_bot.text import fold

from conftest import KNOWLEDGE, SHARED_EVAL


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted(KNOWLEDGE.glob("*.txt"))]
    docs = SHARED_EVAL / "crud_dev_docs.jsonl"
    if docs.exists():
        with docs.open(encoding="utf-8") as fh:
            texts += [json.loads(line)["text"] for line in itertools.islice(fh, 300)]
    # edge cases: empty, one character, Latin/digits, rare CJK outside jieba's range, punctuation runs
    texts += ["", "党", "2023年GDP增长5.2%", "郭明錤说：白堽站--东站", "模范带头作用。" * 3]
    return [fold(t[i : i + 350]) for t in texts for i in range(0, max(len(t), 1), 350)]


def test_fast_tokenizer_gives_jiebas_tokens() -> None:
    analyzer = Analyzer.from_files()
    fast = analyzer.tokenizer
    assert isinstance(fast, FastTokenizer)
    ref = jieba.Tokenizer()
    ref.load_userdict(str(analyzer.dict_path))
    for w in {w for w in analyzer.synonyms.words() if len(w) >= 2}:
        ref.add_word(w, freq=20000)
    chunks = _texts()
    # the reports alone give ~80 pieces; with the CRUD news beside the repo (../shared) over 300
    assert len(chunks) > (300 if (SHARED_EVAL / "crud_dev_docs.jsonl").exists() else 50)
    for text in chunks:
        assert fast.lcut_for_search(text, HMM=True) == ref.lcut_for_search(text, HMM=True), text[:40]
        assert fast.lcut(text, HMM=False) == ref.lcut(text, HMM=False), text[:40]
    # a word added later changes the total: the remembered log-probabilities must follow
    fast.add_word("带头作用", freq=50000)
    ref.add_word("带头作用", freq=50000)
    for text in chunks[:50] + ["模范带头作用。"]:
        assert fast.lcut_for_search(text) == ref.lcut_for_search(text)
