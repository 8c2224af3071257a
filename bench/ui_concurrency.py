"""Several users at once: 10 simultaneous gradio_client users asking offline questions vs 1 user alone.

    .venv/bin/python bench/ui_concurrency.py [--users 10] [--rounds 3] [--data-dir DIR] [--keep]

Starts `app.py` as a subprocess on 127.0.0.1 (random port, its own data directory, offline: every
SIZHENG_LLM_* variable is cleared), waits until the knowledge base is indexed, then
1. one user asks every question in turn (``rounds`` times);
2. ``users`` clients ask the same questions at the same moment (a barrier releases them together),
   each working through the whole list ``rounds`` times.
Prints per-request latency p50/p95/max for both, throughput, and whether every request got an answer
(status "answered" with sources). Exits 1 when any request failed or came back without an answer.

``--upload N`` adds the scenario "users asking while N files upload": a headless Chromium (Debian's,
/usr/bin/chromium) uploads N generated .txt files through the 知识库 page in one batch while ``users``
gradio_client users keep asking; prints their p50/p95, the upload's time in the page (file transfer and
the ingest until the per-file report shows), and the CLI's time to ingest the same files into a copy of
the same data directory (``sizheng-bot ingest``), the figure the page is held to (within 2×).

``--fake-llm SECONDS`` switches the app to LLM mode against the tests' fake OpenAI-compatible server on
127.0.0.1 that waits SECONDS before each reply: this is where the queue's concurrency matters (requests
wait on the network, not on the CPU). Compare ``--concurrency 1`` with the default.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [
    "谈心谈话怎么搞才不流于形式？",
    "机关思想政治工作存在哪些突出问题？",
    "如何做好年轻干部的思想政治工作？",
    "机关意识形态工作有哪些对策建议？",
    "三会一课怎样才能开出实效？",
    "党支部如何把思想政治工作融入业务工作？",
    "怎样加强机关党员的党性教育？",
    "机关党建和业务“两张皮”怎么解决？",
    "如何发挥党支部书记在思想政治工作中的作用？",
    "网络意识形态阵地怎么管？",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(
    data_dir: Path, port: int, log: Path, concurrency: int | None, llm_url: str | None,
    extra: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIZHENG_")} | (extra or {})
    if concurrency:
        env["SIZHENG_CONCURRENCY"] = str(concurrency)
    if llm_url:
        env |= {
            "SIZHENG_LLM_BASE_URL": llm_url,
            "SIZHENG_LLM_MODEL": "fake-model",
            "SIZHENG_LLM_TIMEOUT": "60",
        }
    env |= {
        "SIZHENG_DATA_DIR": str(data_dir),
        "SIZHENG_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "SIZHENG_PORT": str(port),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    }
    out = log.open("w")
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")], cwd=data_dir.parent, env=env, stdout=out, stderr=out
    )


def wait_ready(url: str, proc: subprocess.Popen[bytes], timeout: float = 300) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit("app.py exited early")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"app.py not ready after {timeout} s")


def ask(client: Any, question: str) -> tuple[float, bool, str]:
    t0 = time.perf_counter()
    try:
        r = client.predict(question=question, api_name="/ask")
        ok = r.get("status") == "answered" and bool(r.get("citations")) and bool(r.get("text"))
        return time.perf_counter() - t0, ok, "" if ok else f"status={r.get('status')}"
    except Exception as exc:  # counted as a failure and reported
        return time.perf_counter() - t0, False, f"{type(exc).__name__}: {exc}"


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * len(s) + 0.5) - 1))]


def run_users(url: str, users: int, rounds: int) -> tuple[list[tuple[float, bool, str]], float]:
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(users)]
    results: list[tuple[float, bool, str]] = []
    lock = threading.Lock()
    barrier = threading.Barrier(users + 1)

    def user(i: int) -> None:
        barrier.wait()
        order = QUESTIONS[i % len(QUESTIONS) :] + QUESTIONS[: i % len(QUESTIONS)]
        for _ in range(rounds):
            for q in order:
                r = ask(clients[i], q)
                with lock:
                    results.append(r)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    return results, time.perf_counter() - t0


def report(label: str, results: list[tuple[float, bool, str]], wall: float) -> bool:
    lat = [r[0] * 1000 for r in results]
    ok = sum(1 for r in results if r[1])
    print(
        f"{label:<14} requests={len(results):>4}  answered={ok}/{len(results)}  "
        f"p50={statistics.median(lat):7.0f} ms  p95={pct(lat, 95):7.0f} ms  max={max(lat):7.0f} ms  "
        f"throughput={len(results) / wall:5.1f} req/s  wall={wall:5.1f} s"
    )
    for r in results:
        if not r[1]:
            print(f"  FAILED after {r[0]:.1f} s: {r[2]}")
            break
    return ok == len(results)


def make_files(folder: Path, n: int, tag: str = "") -> list[Path]:
    """``n`` distinct .txt files built from the shipped reports' paragraphs (each with its own title)."""
    paras = [
        p.strip()
        for f in sorted((ROOT / "knowledge").glob("*.txt"))
        for p in f.read_text("utf-8").split("\n")
        if len(p.strip()) > 40
    ]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(n):
        body = "\n".join(paras[(i * 7 + j) % len(paras)] for j in range(12))
        f = folder / f"上传测试材料{tag}{i:03d}.txt"
        f.write_text(f"第{tag}{i}号学习材料\n\n一、学习内容\n{body}\n", "utf-8")
        out.append(f)
    return out


def upload_in_browser(url: str, files: list[Path], done: threading.Event, timing: dict[str, float]) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
        pg = b.new_page(locale="zh-CN")
        pg.set_default_timeout(1_800_000)
        pg.goto(url)
        pg.get_by_text("知识库就绪").wait_for()
        pg.get_by_role("tab", name="知识库").click()
        t0 = time.perf_counter()
        pg.locator("#sz-upload input[type=file]").set_input_files([str(f) for f in files])
        pg.wait_for_function(f"() => document.querySelectorAll('#sz-upload tr').length >= {len(files)}")
        t1 = time.perf_counter()
        pg.locator("#sz-upload-btn").click()
        pg.locator("#sz-upload-report").get_by_text(f"共 {len(files)} 个文件").wait_for()
        t2 = time.perf_counter()
        timing |= {"transfer": t1 - t0, "ingest": t2 - t1, "report": 0.0}
        timing["ok"] = float(f"成功 {len(files)} 个" in pg.locator("#sz-upload-report").inner_text())
        b.close()
    done.set()


def cli_ingest_seconds(data_src: Path, files: list[Path], work: Path) -> float:
    data = work / "data"
    shutil.copytree(data_src, data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIZHENG_")}
    env |= {
        "SIZHENG_DATA_DIR": str(data),
        "SIZHENG_KNOWLEDGE_DIR": str(ROOT / "knowledge"),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    }
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sizheng_bot.cli", "ingest", *map(str, files)], env=env,
                   check=True, capture_output=True)  # fmt: skip
    return time.perf_counter() - t0


def asking_during_upload(
    url: str, users: int, files: list[Path]
) -> tuple[list[tuple[float, bool, str]], dict[str, float]]:
    from gradio_client import Client

    clients = [Client(url, verbose=False) for _ in range(users)]
    done = threading.Event()
    timing: dict[str, float] = {}
    results: list[tuple[float, bool, str]] = []
    lock = threading.Lock()
    up = threading.Thread(target=upload_in_browser, args=(url, files, done, timing))
    up.start()

    def user(i: int) -> None:
        k = i
        while not done.is_set():
            r = ask(clients[i], QUESTIONS[k % len(QUESTIONS)])
            k += 1
            with lock:
                results.append(r)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    up.join()
    for t in threads:
        t.join()
    return results, timing


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument(
        "--data-dir", type=Path, help="an existing data directory to copy (default: index afresh)"
    )
    ap.add_argument(
        "--concurrency", type=int, help="SIZHENG_CONCURRENCY for the app (default: the setting's default)"
    )
    ap.add_argument("--fake-llm", type=float, metavar="SECONDS", help="LLM mode against a local fake server")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    ap.add_argument(
        "--upload", type=int, metavar="N", help="also: users asking while N files upload (browser)"
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sizheng-bench-ui-"))
    data = work / "data"
    if args.data_dir:
        shutil.copytree(args.data_dir, data)
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    fake = None
    if args.fake_llm is not None:
        sys.path.insert(0, str(ROOT / "tests"))
        from fake_openai import FakeOpenAI

        fake = FakeOpenAI(mode="slow", slow_seconds=args.fake_llm).start()
    proc = start_app(data, port, work / "app.log", args.concurrency, fake.base_url if fake else None)
    try:
        up = wait_ready(url, proc)
        from gradio_client import Client

        t0 = time.perf_counter()
        warm = ask(Client(url, verbose=False), QUESTIONS[0])  # waits for first-start indexing
        print(
            f"app up in {up:.1f} s; first answer (incl. indexing if needed) after {time.perf_counter() - t0:.1f} s"
        )
        if not warm[1]:
            print(f"warm-up failed: {warm[2]}")
            return 1
        single, single_wall = run_users(url, 1, args.rounds)
        multi, multi_wall = run_users(url, args.users, args.rounds)
        conc = args.concurrency or "default (8)"
        mode = f"LLM mode (fake server, {args.fake_llm} s per reply)" if fake else "offline mode"
        print(f"questions={len(QUESTIONS)} rounds={args.rounds} {mode}, SIZHENG_CONCURRENCY={conc}")
        ok1 = report("1 user", single, single_wall)
        ok2 = report(f"{args.users} users", multi, multi_wall)
        ok3 = True
        if args.upload:
            alone_files = make_files(work / "uploads-alone", args.upload, "甲")
            snap_alone = work / "data-before-alone"
            shutil.copytree(data, snap_alone)
            alone: dict[str, float] = {}
            upload_in_browser(url, alone_files, threading.Event(), alone)
            cli_alone = cli_ingest_seconds(snap_alone, alone_files, work / "cli-alone")
            print(
                f"upload of {len(alone_files)} files alone: transfer {alone['transfer']:.1f} s + ingest "
                f"{alone['ingest']:.1f} s (all added: {bool(alone['ok'])}); CLI ingest of the same files: "
                f"{cli_alone:.1f} s; page/CLI = {alone['ingest'] / cli_alone:.2f}×"
            )
            files = make_files(work / "uploads", args.upload, "乙")
            snapshot = work / "data-before-upload"
            shutil.copytree(data, snapshot)
            during, timing = asking_during_upload(url, args.users, files)
            ok3 = report(f"{args.users} users+upload", during, timing["transfer"] + timing["ingest"])
            cli = cli_ingest_seconds(snapshot, files, work / "cli-during")
            print(
                f"upload of {len(files)} files while {args.users} users ask: transfer {timing['transfer']:.1f} s + ingest "
                f"{timing['ingest']:.1f} s (all added: {bool(timing['ok'])}); CLI ingest of the same files: "
                f"{cli:.1f} s; page/CLI = {(timing['ingest']) / cli:.2f}×"
            )
            ok3 = ok3 and bool(timing["ok"])
        return 0 if ok1 and ok2 and ok3 else 1
    finally:
        if fake is not None:
            fake.stop()
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}")


if __name__ == "__main__":
    sys.exit(main())
