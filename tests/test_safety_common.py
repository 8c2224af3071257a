"""Helpers shared by the data-safety tests (generated corpora, CLI subprocesses, process checks)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import KNOWLEDGE, ROOT

WORDS = (
    "支部 党员 学习 教育 组织 生活 会议 谈心 谈话 主题 党日 活动 理论 武装 思想 政治 工作 机关 干部 群众 纪律 作风 "
    "调研 落实 责任 制度 规范 考核 评议 发展 培训 党课 宣讲 典型 示范 服务 基层 阵地 品牌 创建 整改 问题 清单 台账 "
    "经费 保障 队伍 建设 骨干 青年 离退休 志愿 社区 共建 联学 联创 督查 通报 总结 交流 经验 做法 成效 短板 措施"
).split()


def big_text(n_paragraphs: int, seed: int = 7, marker: str = "") -> str:
    """Deterministic text of ``n_paragraphs`` paragraphs of ~330 characters (one chunk each at 350)."""
    rng = random.Random(seed)
    out = ["关于加强机关党建工作的若干材料"]
    for i in range(n_paragraphs):
        sents = []
        while sum(len(s) for s in sents) < 300:
            sents.append("".join(rng.choice(WORDS) for _ in range(rng.randint(6, 10))) + "。")
        out.append(f"第{i}段{marker}：" + "".join(sents))
    return "\n\n".join(out) + "\n"


def env_for(data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIZHENG_")}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        SIZHENG_DATA_DIR=str(data),
        SIZHENG_KNOWLEDGE_DIR=str(KNOWLEDGE),
        HF_HUB_OFFLINE="1",
    )
    env.update(extra)
    return env


def cli(data: Path, *args: str, timeout: float = 300, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sizheng_bot.cli", *args],
        capture_output=True, text=True, env=env_for(data, **extra), cwd=ROOT, timeout=timeout,
    )  # fmt: skip


def start_cli(data: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "sizheng_bot.cli", *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_for(data, **extra), cwd=ROOT,
    )  # fmt: skip


def wait_for(cond, timeout: float, step: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(step)
    return False


def kill9(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)


def children_of(pid: int) -> list[int]:
    out = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                fields = (d / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(d.name))
    return out


def alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def state_gen(data: Path) -> int:
    try:
        return int(json.loads((data / "state.json").read_text("utf-8"))["generation"])
    except OSError:
        return 0


def chroma_ids(data: Path) -> list[str]:
    """Every row id of the main collection, read through our own (paged) store code."""
    from sizheng_bot.retrieval.analyzer import Analyzer
    from sizheng_bot.retrieval.store import KnowledgeBase, paged_ids

    kb = KnowledgeBase(data, Analyzer.from_files())
    return paged_ids(kb.collection())


_INSPECT = r"""
import json, sys
from pathlib import Path
from sizheng_bot.assistant import Assistant
from sizheng_bot.config import Settings
from sizheng_bot.retrieval.store import paged_ids
data = Path(sys.argv[1])
asst = Assistant.from_settings(Settings())
out = {}
def snap(tag):
    lex = asst.kb.lexical()
    ids = paged_ids(asst.kb.collection())
    out[tag] = {
        "gen": asst.kb.generation(),
        "docs": {d.source: d.chunks for d in asst.documents()},
        "lex": len(lex.chunks), "chroma": len(ids), "unique": len(set(ids)) == len(ids),
        "same_ids": set(ids) == {c.id for c in lex.chunks},
        "texts": {s: sorted({c.text[:12] for c in lex.chunks if c.source == s})[:3] for s in sys.argv[3:]},
        "journal": (data / "journal.json").exists(),
        "lexical_dirs": sorted(p.name for p in (data / "lexical").iterdir()) if (data / "lexical").exists() else [],
        "segments": sorted(p.name for p in (data / "lexical" / "segments").glob("*")),
        "used_segments": sorted(s.name for s in lex.segments),
    }
snap("before")
if len(sys.argv) > 2 and sys.argv[2] != "-":
    rep = asst.ingest([Path(sys.argv[2])])
    out["rerun"] = [f.status for f in rep.files]
    snap("after")
print(json.dumps(out, ensure_ascii=False))
"""


def inspect(data: Path, rerun: Path | None = None, *sources: str) -> dict:  # type: ignore[type-arg]
    """State of a data directory seen by a fresh process; with ``rerun``, also after re-ingesting it."""
    r = subprocess.run(
        [sys.executable, "-c", _INSPECT, str(data), str(rerun) if rerun else "-", *sources],
        capture_output=True, text=True, env=env_for(data), cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads(r.stdout.strip().splitlines()[-1])
