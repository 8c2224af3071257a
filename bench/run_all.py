"""Run every benchmark in turn (the figures in BENCHMARKS.md come from these scripts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [
    ["retrieval_quality.py", "--crud"],
    ["performance.py", "--scale10k"],
    ["dense_quality.py"],
    ["answers.py"],
    ["ui_concurrency.py"],
    ["export_office.py"],
    ["formats.py"],
    ["ocr_quality.py"],
]


def main() -> int:
    failed = 0
    for script, *args in SCRIPTS:
        print(f"\n===== {script} {' '.join(args)}", flush=True)
        failed += subprocess.run([sys.executable, str(HERE / script), *args], cwd=HERE).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
