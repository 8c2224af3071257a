"""A non-editable install (package data included) runs the CLI and serves the web page from anywhere."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT
from fake_openai import unused_port


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    build = tmp_path_factory.mktemp("build")
    r = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--target",
         str(target), str(ROOT)],
        capture_output=True, text=True, timeout=300, cwd=build,
        env={**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )  # fmt: skip
    if r.returncode != 0:
        pytest.fail(r.stderr[-2000:])
    return target


def _env(site: Path, data: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIZHENG_")}
    return {**env, "PYTHONPATH": str(site), "SIZHENG_DATA_DIR": str(data), **extra}


def test_cli_runs_from_a_non_editable_install(installed: Path, tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "支部通知.txt").write_text(
        "一、谈心谈话\n党支部书记每半年至少同每名党员谈心一次，了解思想动态。", encoding="utf-8"
    )
    env = _env(installed, tmp_path / "data")
    where = subprocess.run([sys.executable, "-c", "import sizheng_bot; print(sizheng_bot.__file__)"],
                           capture_output=True, text=True, env=env, cwd=tmp_path)  # fmt: skip
    assert where.stdout.startswith(str(installed)), where.stdout  # the installed copy, not the checkout
    cli = [sys.executable, "-m", "sizheng_bot.cli"]
    ing = subprocess.run([*cli, "ingest", "docs"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert ing.returncode == 0 and "新增 1" in ing.stdout, ing.stdout + ing.stderr
    stats = subprocess.run([*cli, "stats"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert "文档 1 篇" in stats.stdout and "resources/domain_dict.txt" in stats.stdout  # shipped dictionary
    ask = subprocess.run([*cli, "ask", "党支部书记多长时间和党员谈心一次？"], capture_output=True, text=True,
                         env=env, cwd=tmp_path)  # fmt: skip
    assert ask.returncode == 0 and "每半年" in ask.stdout, ask.stdout + ask.stderr
    prompts = subprocess.run(
        [sys.executable, "-c", "from sizheng_bot.llm.prompts import load_prompts; print(sorted(load_prompts().templates))"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    assert "system" in prompts.stdout, prompts.stderr


def test_serve_runs_from_a_non_editable_install(installed: Path, tmp_path: Path) -> None:
    port = unused_port()
    env = _env(installed, tmp_path / "data", SIZHENG_PORT=str(port), SIZHENG_KNOWLEDGE_DIR=str(ROOT / "knowledge"))
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "sizheng_bot.cli", "serve"], env=env, cwd=tmp_path,
                            stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "serve.log").read_text("utf-8", "replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                    assert r.status == 200 and "思政助手" in r.read().decode("utf-8")
                    return
            except OSError:
                time.sleep(0.5)
        pytest.fail("serve did not answer:\n" + (tmp_path / "serve.log").read_text("utf-8", "replace"))
    finally:
        proc.kill()
        proc.wait(10)
