.PHONY: install test lint bench

install:
	pip install -e ".[test]"

test:
	python -m pytest

lint:
	ruff check src tests scripts
	ruff format --check src tests scripts

bench:
	python scripts/bench_draft.py
	python scripts/tota_check.py
