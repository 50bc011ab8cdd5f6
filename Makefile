PY ?= .venv/bin/python
NIANBAO ?= .venv/bin/nianbao

.PHONY: help install test lint bench score demo docs

help:  ## list targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "%-10s %s\n", $$1, $$2}'

install:  ## create .venv and install nianbao with its dev tools
	python3 -m venv .venv && .venv/bin/pip install -e '.[dev]'

test:  ## run the test suite
	$(PY) -m pytest -q

lint:  ## ruff lint and format check
	.venv/bin/ruff check . && .venv/bin/ruff format --check extract nianbao

bench:  ## run the benchmarks (as modules: benchmarks/extract.py would hide the extract package)
	$(PY) -m benchmarks.extract
	$(PY) -m benchmarks.startup
	$(PY) -m benchmarks.hostile
	$(PY) -m benchmarks.crawl
	$(PY) -m benchmarks.dataset
	$(PY) -m benchmarks.parallel

score:  ## accuracy against the hand-checked corpus (nianbao accuracy --scans adds the OCR scans)
	$(NIANBAO) accuracy

demo:  ## the whole pipeline on the bundled local portal
	$(NIANBAO) demo

docs:  ## regenerate the CLI reference and the data dictionary
	$(PY) -m nianbao.clidoc > docs/cli.md
	$(PY) -m nianbao.datasets.dictionary
