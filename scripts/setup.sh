#!/usr/bin/env bash
# Idempotent set-up on a fresh machine: a venv in .venv with the pinned requirements and the package.
# Usage: scripts/setup.sh [dev]    (dev adds test tools; re-runs are no-ops unless requirements changed)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
want=requirements.txt
[ "${1:-}" = "dev" ] && want=requirements-dev.txt
stamp=".venv/.installed-$(cat requirements.txt "$want" pyproject.toml | sha256sum | cut -c1-16)-${1:-main}"
if [ -f "$stamp" ]; then exit 0; fi
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  for cand in python3.11 /root/.pyenv/versions/3.11*/bin/python3; do
    if command -v "$cand" >/dev/null 2>&1; then PY=$cand; break; fi
  done
fi
[ -x .venv/bin/python ] || "$PY" -m venv .venv
echo "安装依赖（首次约 3 分钟）…" >&2
# torch is pinned in requirements.txt so pip takes the local CPU wheel instead of a multi-GB CUDA build
.venv/bin/pip install -q --disable-pip-version-check -r "$want" 2>&1 | grep -v "^WARNING: Location" >&2 || true
.venv/bin/pip install -q --disable-pip-version-check --no-deps -e . 2>&1 | grep -v "^WARNING: Location" >&2 || true
.venv/bin/python -c "import sizheng_bot, chromadb, jieba, bm25s" || { echo "依赖安装失败" >&2; exit 1; }
rm -f .venv/.installed-*
touch "$stamp"
