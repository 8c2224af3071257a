"""Several app processes on one Chroma server: how long until one process's ingest is seen by the others.

    .venv/bin/python bench/propagation.py [--rounds 5] [--poll 2]

Starts a real ``chroma run`` server (127.0.0.1, random port, temp dir), then two app processes (``app.py``,
each with its own data directory and port, both with ``SIZHENG_CHROMA_URL`` pointing at the server) and
waits until both have their knowledge base. Each round writes a new document holding a made-up phrase,
ingests it with a third process (``sizheng-bot ingest``, a writer as an upload in any app would be) and
polls ``/ask`` on both apps until the answer cites that document. Prints, per app, the delay from the
writer's exit (its commit is just before) to the first answer citing the new document: p50/max, and the
bound ``SIZHENG_CHROMA_POLL`` sets (the generation check interval) plus a lexical rebuild. The peer is the
embedded store: one process, so a write is visible to its own next search at once (0 s), and invisible
to a second process on the same data directory until that one's next generation check (same mechanism).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from chroma_server import ChromaServer, chroma_binary  # noqa: E402
from ui_concurrency import free_port, wait_ready  # noqa: E402


def env_for(data: Path, url: str, poll: float, port: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIZHENG_")}
    env |= {
        "SIZHENG_DATA_DIR": str(data), "SIZHENG_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "SIZHENG_CHROMA_URL": url,
        "SIZHENG_CHROMA_POLL": str(poll), "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    }  # fmt: skip
    if port:
        env["SIZHENG_PORT"] = str(port)
    return env


def cites(client: object, question: str, source: str) -> bool:
    r = client.predict(question=question, api_name="/ask")  # type: ignore[attr-defined]
    return any(c.get("source") == source for c in r.get("citations") or [])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--poll", type=float, default=2.0, help="SIZHENG_CHROMA_POLL of the apps")
    args = ap.parse_args()
    if chroma_binary() is None:
        print("no chroma binary beside this Python: pip install chromadb")
        return 1
    from gradio_client import Client

    work = Path(tempfile.mkdtemp(prefix="sizheng-prop-"))
    server = ChromaServer(work / "chroma")
    apps: list[subprocess.Popen[bytes]] = []
    try:
        urls = []
        for i in range(2):
            port = free_port()
            data = work / f"app{i}" / "data"
            data.mkdir(parents=True)
            log = (work / f"app{i}.log").open("w")
            apps.append(subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=data.parent,
                                         env=env_for(data, server.url, args.poll, port), stdout=log, stderr=log))  # fmt: skip
            urls.append(f"http://127.0.0.1:{port}/")
        starts = [wait_ready(u, p) for u, p in zip(urls, apps, strict=True)]
        clients = [Client(u, verbose=False) for u in urls]
        t0 = time.perf_counter()
        for c in clients:  # waits for the first index (the apps share it: the second finds it committed)
            c.predict(question="谈心谈话怎么搞才不流于形式？", api_name="/ask")
        print(f"apps ready in {max(starts):.1f} s, knowledge base shared after {time.perf_counter() - t0:.1f} s more")
        delays: list[list[float]] = [[], []]
        writer_secs = []
        for r in range(args.rounds):
            phrase = f"星火{r}号试点“红旗{r}连心桥”工作法"
            doc = work / "in" / f"传播测试{r}.txt"
            doc.parent.mkdir(exist_ok=True)
            doc.write_text(f"{phrase}\n\n{phrase}是本机关第{r}个党建品牌，要求支部每月开展一次{phrase}交流。\n", "utf-8")
            w0 = time.perf_counter()
            out = subprocess.run([sys.executable, "-m", "sizheng_bot.cli", "ingest", str(doc)], capture_output=True,
                                 text=True, env=env_for(work / "writer" / "data", server.url, args.poll))  # fmt: skip
            if out.returncode:
                print(out.stderr)
                return 1
            committed = time.perf_counter()
            writer_secs.append(committed - w0)

            def watch(i: int, phrase: str = phrase, source: str = doc.name, committed: float = committed) -> None:
                while not cites(clients[i], f"{phrase}是什么？", source):
                    if time.perf_counter() - committed > 60:
                        delays[i].append(float("inf"))
                        return
                    time.sleep(0.1)
                delays[i].append(time.perf_counter() - committed)

            threads = [threading.Thread(target=watch, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            print(f"round {r}: writer {writer_secs[-1]:.1f} s; seen by app0 after {delays[0][-1]:.2f} s, "
                  f"app1 after {delays[1][-1]:.2f} s")  # fmt: skip
        for i in range(2):
            d = delays[i]
            print(f"app{i}: propagation p50={statistics.median(d):.2f} s max={max(d):.2f} s (target ≤ 10 s; "
                  f"poll {args.poll:g} s)  peer (embedded, same process): 0 s")  # fmt: skip
        return 0 if all(max(d) <= 10 for d in delays) else 1
    finally:
        for p in apps:
            p.kill()
            p.wait(10)
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
