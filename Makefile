PY ?= .venv/bin/python
NIANBAO ?= .venv/bin/nianbao

.PHONY: help install test lint bench score

help:  ## list targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "%-10s %s\n", $$1, $$2}'

install:  ## create .venv and install nianbao with its dev tools
	python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'

test:  ## run the test suite
	$(PY) -m pytest -q

lint:  ## ruff lint and format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check extract nianbao

bench:  ## run the benchmarks
	$(PY) -m benchmarks.extract

score:  ## accuracy against the hand-checked corpus
	$(PY) ../shared/tools/score.py tests/fixtures/corpus --cmd "$(NIANBAO) extract --json"
