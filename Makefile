# Two commands (README quickstart):
#   make run   — set up everything, index knowledge/ (first start) and launch the web UI on 127.0.0.1:7860
#   make test  — set up everything (dev tools too) and run lint, types and the test suite
.PHONY: run demo test setup setup-dev lint bench

setup:
	@bash scripts/setup.sh
	@bash scripts/install_converters.sh

setup-dev:
	@bash scripts/setup.sh dev
	@bash scripts/install_converters.sh

run: setup
	.venv/bin/python app.py

demo: setup
	.venv/bin/sizheng-bot ingest
	.venv/bin/sizheng-bot ask "谈心谈话怎么搞才不流于形式？"

lint: setup-dev
	.venv/bin/ruff check .
	.venv/bin/mypy

test: setup-dev lint
	bash scripts/install_chromium.sh
	.venv/bin/python -m pytest

bench: setup-dev
	.venv/bin/python bench/run_all.py
