"""Load: N users asking on /ask (offline) for a long run while batches of files are uploaded and ingested.

    .venv/bin/python bench/load.py [--users 50] [--minutes 10] [--think 3] [--upload 200] [--apps 1]

Starts ``app.py`` as a subprocess (its own data directory, offline), then
1. one user asks the questions in turn: the single-user figure (latency, and the server's CPU per request);
2. ``users`` users ask for ``minutes``, each waiting a random think time (exponential, mean ``--think``
   seconds; 0 = ask again at once, a saturation test) between an answer and the next question, while a
   headless Chromium uploads ``--upload`` files through the 知识库 page again and again (the same names with
   new text each round, so the knowledge base stays the same size and RSS can be judged flat).
Users speak Gradio's plain HTTP API (POST /gradio_api/call/ask, then its event stream), one keep-alive
connection each: a light client, so that the 2 cores go to the server. Every 30 s it prints a sample: the
window's requests, p50/p95, the app's RSS (whole process tree) and the load average. At the end: p50/p95 of
all requests, of those that overlapped an ingest, answered count, server CPU per request, and the RSS trend.
``--apps N`` runs N app processes on one ``chroma run`` server (the README's deployment, without the
proxy: user i always talks to app i mod N, as sticky sessions would); uploads go through app 0.
Exits 1 when a request failed or came back without an answer.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ui_concurrency import QUESTIONS, free_port, make_files, pct, start_app, upload_in_browser, wait_ready  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Req:
    start: float
    seconds: float
    ok: bool
    note: str = ""


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants (tokeniser, parser or ingest children)."""
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def cpu_seconds(pid: int) -> float:
    """CPU time of the app, its live children and those it has reaped (the per-upload ingest child)."""
    total = 0.0
    for p in tree(pid):
        try:
            f = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])) / TICK  # + children waited for
        except (OSError, IndexError, ValueError):
            pass
    return total


def rss_mb(pid: int, whole_tree: bool = True) -> float:
    total = 0
    for p in tree(pid) if whole_tree else [pid]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def ask(http: object, url: str, question: str, session: str | None = None) -> Req:
    import httpx

    assert isinstance(http, httpx.Client)
    t0 = time.perf_counter()
    try:
        r = http.post(f"{url}gradio_api/call/ask", json={"data": [question, [], ""], "session_hash": session})
        r.raise_for_status()
        event = r.json()["event_id"]
        kind, data = "", ""
        with http.stream("GET", f"{url}gradio_api/call/ask/{event}") as s:
            for line in s.iter_lines():
                if line.startswith("event:"):
                    kind = line[6:].strip()
                elif line.startswith("data:"):
                    data = line[5:].strip()
                    if kind in ("complete", "error"):
                        break
        if kind != "complete":
            return Req(t0, time.perf_counter() - t0, False, f"{kind}: {data[:200]}")
        res = json.loads(data)[0]
        # an answer with sources (a partial one says what the knowledge base lacks)
        ok = res.get("status") in ("answered", "partial") and bool(res.get("citations")) and bool(res.get("text"))
        return Req(t0, time.perf_counter() - t0, ok, "" if ok else f"status={res.get('status')}")
    except Exception as exc:  # counted as a failure and reported
        return Req(t0, time.perf_counter() - t0, False, f"{type(exc).__name__}: {exc}")


def summary(label: str, reqs: list[Req]) -> str:
    if not reqs:
        return f"{label:<28} no requests"
    lat = [r.seconds * 1000 for r in reqs]
    ok = sum(r.ok for r in reqs)
    return (f"{label:<28} n={len(reqs):>6}  answered={ok}/{len(reqs)}  p50={statistics.median(lat):6.0f} ms  "
            f"p95={pct(lat, 95):6.0f} ms  p99={pct(lat, 99):6.0f} ms  max={max(lat):6.0f} ms")  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=50)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--think", type=float, default=3.0, help="mean think time between questions (s); 0 = none")
    ap.add_argument("--upload", type=int, default=200, help="files per upload round (0: no uploads)")
    ap.add_argument("--data-dir", type=Path, help="an existing data directory to copy (default: index afresh)")
    ap.add_argument("--concurrency", type=int, help="SIZHENG_CONCURRENCY for the app")
    ap.add_argument("--sample", type=float, default=30.0, help="seconds between samples")
    ap.add_argument("--apps", type=int, default=1, help="app processes on one Chroma server (1: embedded store)")
    ap.add_argument("--new-sessions", action="store_true",
                    help="a new Gradio session per request (default: one per user, as gradio_client keeps)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    import httpx

    work = Path(tempfile.mkdtemp(prefix="sizheng-bench-load-"))
    extra: dict[str, str] = {}
    chroma = None
    if args.apps > 1:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from chroma_server import ChromaServer

        chroma = ChromaServer(work / "chroma")
        extra = {"SIZHENG_CHROMA_URL": chroma.url}
    procs, urls = [], []
    for i in range(args.apps):
        data = work / f"data{i}"
        if args.data_dir:
            shutil.copytree(args.data_dir, data)
        port = free_port()
        urls.append(f"http://127.0.0.1:{port}/")
        procs.append(start_app(data, port, work / f"app{i}.log", args.concurrency, None, extra))
        if i == 0:  # the first indexes knowledge/ (on the server, for the others too)
            wait_ready(urls[0], procs[0])
            with httpx.Client(timeout=600) as http:
                warm = ask(http, urls[0], QUESTIONS[0])
            if not warm.ok:
                print(f"warm-up failed: {warm.note}")
                return 1
    proc, url = procs[0], urls[0]

    def cpu_all() -> float:
        return sum(cpu_seconds(p.pid) for p in procs)

    def rss_all(whole_tree: bool = True) -> float:
        return sum(rss_mb(p.pid, whole_tree) for p in procs)

    try:
        for u, p in zip(urls, procs, strict=True):
            wait_ready(u, p)
        with httpx.Client(timeout=600) as http:
            for u in urls:
                warm = ask(http, u, QUESTIONS[0])
                if not warm.ok:
                    print(f"warm-up failed: {warm.note}")
                    return 1
            single = []
            c0 = cpu_seconds(proc.pid)
            for _ in range(3):
                single += [ask(http, url, q) for q in QUESTIONS]
            per_req = (cpu_seconds(proc.pid) - c0) / len(single) * 1000
        print(f"load average at start: {loadavg()}; {args.apps} app process(es), RSS {rss_all():.0f} MB")
        print(summary("1 user", single) + f"  server CPU {per_req:.0f} ms/request")

        stop = threading.Event()
        reqs: list[Req] = []
        lock = threading.Lock()
        ingests: list[tuple[float, float, bool]] = []  # (start, end, all added) of each upload's ingest

        def user(i: int) -> None:
            rnd = random.Random(i)
            k = i
            with httpx.Client(timeout=600) as http:
                while not stop.is_set():
                    r = ask(http, urls[i % len(urls)], QUESTIONS[k % len(QUESTIONS)],
                            None if args.new_sessions else f"user{i}")  # fmt: skip
                    k += 1
                    with lock:
                        reqs.append(r)
                    if args.think > 0:
                        stop.wait(rnd.expovariate(1 / args.think))

        def uploader() -> None:
            n = 0
            while not stop.is_set():
                files = make_files(work / f"up{n % 2}", args.upload, f"第{n}轮")
                # the same names every round: strip the round tag from the file name, keep it in the text
                named = []
                for i, f in enumerate(files):
                    target = f.with_name(f"上传测试材料{i:03d}.txt")
                    f.replace(target)
                    named.append(target)
                timing: dict[str, float] = {}
                t0 = time.perf_counter()
                upload_in_browser(url, named, threading.Event(), timing)
                t_ingest = t0 + timing["transfer"]
                ingests.append((t_ingest, t_ingest + timing["ingest"], bool(timing["ok"])))
                shutil.rmtree(work / f"up{n % 2}", ignore_errors=True)
                n += 1

        threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(args.users)]
        if args.upload:
            threads.append(threading.Thread(target=uploader, daemon=True))
        t_start = time.perf_counter()
        cpu0, ru0 = cpu_all(), resource.getrusage(resource.RUSAGE_SELF)
        for t in threads:
            t.start()
        samples: list[tuple[float, float, float]] = []  # (minute, RSS MB, main-process RSS MB)
        seen = 0
        print(f"{args.users} users, think time {args.think:g} s (mean), {args.minutes:g} min, "
              f"uploads of {args.upload} files in a loop")  # fmt: skip
        while time.perf_counter() - t_start < args.minutes * 60:
            time.sleep(args.sample)
            with lock:
                window = reqs[seen:]
                seen = len(reqs)
            minute = (time.perf_counter() - t_start) / 60
            rss, main_rss = rss_all(), rss_all(whole_tree=False)
            samples.append((minute, rss, main_rss))
            lat = [r.seconds * 1000 for r in window]
            print(f"  t={minute:5.1f} min  requests={len(window):5d}  "
                  f"p50={statistics.median(lat) if lat else 0:6.0f} ms  p95={pct(lat, 95) if lat else 0:6.0f} ms  "
                  f"RSS app {main_rss:6.0f} MB (tree {rss:6.0f} MB)  uploads done {len(ingests)}  "
                  f"load {loadavg()}", flush=True)  # fmt: skip
        stop.set()
        wall = time.perf_counter() - t_start
        for t in threads:
            t.join(900)
        cpu = cpu_all() - cpu0
        ru = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime
        during = [r for r in reqs if any(a <= r.start + r.seconds and r.start <= b for a, b, _ in ingests)]
        print(summary(f"{args.users} users, whole run", reqs))
        print(summary(f"{args.users} users, during ingest", during))
        print(f"throughput {len(reqs) / wall:.1f} req/s; server CPU {cpu:.0f} s over {wall:.0f} s "
              f"({cpu / wall:.2f} cores, {cpu / max(len(reqs), 1) * 1000:.0f} ms/request incl. ingest); "
              f"bench client CPU {client_cpu:.0f} s")  # fmt: skip
        if ingests:
            secs = [b - a for a, b, _ in ingests]
            print(f"uploads: {len(ingests)} rounds of {args.upload} files, ingest in the page median "
                  f"{statistics.median(secs):.1f} s (max {max(secs):.1f} s), all added: {all(ok for *_, ok in ingests)}")  # fmt: skip
        if samples:
            half = len(samples) // 2
            first = statistics.mean(s[2] for s in samples[: max(half, 1)])
            last = statistics.mean(s[2] for s in samples[half:])
            print(f"app RSS: first half mean {first:.0f} MB, second half mean {last:.0f} MB "
                  f"(min {min(s[2] for s in samples):.0f}, max {max(s[2] for s in samples):.0f}); "
                  f"load average at end: {loadavg()}")  # fmt: skip
        bad = [r for r in reqs if not r.ok]
        if bad:
            print(f"  FAILED ({len(bad)}), first: {bad[0].note}")
        return 0 if not bad and all(ok for *_, ok in ingests) else 1
    finally:
        for p in procs:
            p.terminate()
            try:
                p.wait(10)
            except Exception:
                p.kill()
        if chroma is not None:
            chroma.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    sys.exit(main())
