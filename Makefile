# Two commands (README quickstart):
#   make run   — set up everything, index knowledge/ and answer a sample question
#   make test  — set up everything (dev tools too) and run lint, types and the test suite
.PHONY: run test setup setup-dev lint bench

setup:
	@bash scripts/setup.sh

setup-dev:
	@bash scripts/setup.sh dev

run: setup
	.venv/bin/sizheng-bot ingest
	.venv/bin/sizheng-bot search "谈心谈话怎么搞才不流于形式？" --k 3

lint: setup-dev
	.venv/bin/ruff check .
	.venv/bin/mypy

test: setup-dev lint
	.venv/bin/python -m pytest

bench: setup-dev
	.venv/bin/python bench/run_all.py
