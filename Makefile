.PHONY: install test lint bench

install:
	pip install -e ".[test]"

test:
	python -m pytest

lint:
	ruff check nlp_coder tests scripts
	ruff format --check nlp_coder tests scripts
	lint-imports

bench:
	python scripts/bench_draft.py
	python scripts/tota_check.py
