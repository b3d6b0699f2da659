# Sanxiang — developer and CI entry points.  `make help` lists the targets.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8000
PY = .venv/bin/python
SANXIANG = .venv/bin/sanxiang
# `make demo RESET=1` wipes the demo data before loading it again.
RESET ?=

VENV_STAMP = .venv/.installed
NPM_STAMP = node_modules/.installed

.PHONY: help install system-deps demo worker test lint bench clean

help:
	@echo "make install      venv + pip install -e '.[test]' + npm ci (each only when needed)"
	@echo "make system-deps  apt-install PostgreSQL server, Chromium and CJK fonts if missing"
	@echo "make demo         migrate, load demo data, serve on PORT=$(PORT) (a process per core) with the job worker and two witnesses beside it (RESET=1 to reload)"
	@echo "make worker       run only the job worker (checkpoints, nightly verification, clean-up)"
	@echo "make test         ruff, then pytest on SQLite, then pytest on a throwaway PostgreSQL"
	@echo "make test-fast    ruff, then pytest on SQLite without browser and slow tests"
	@echo "make lint         ruff check"
	@echo "make bench        run bench/run.py"
	@echo "make clean        remove var/ and build artefacts (keeps .venv and node_modules)"

install: $(VENV_STAMP) $(NPM_STAMP)

$(PY):
	python3 -m venv .venv

# Re-installs only when pyproject.toml is newer than the stamp.
$(VENV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $@

# Re-installs when node_modules is missing (so is the stamp) or the lock file changed.
$(NPM_STAMP): package-lock.json package.json
	npm ci --no-audit --no-fund
	touch $@

system-deps:
	bash scripts/ensure_system_packages.sh

demo: install
	$(SANXIANG) migrate --noinput
	$(SANXIANG) load_demo $(if $(filter 1 yes true,$(RESET)),--reset)
	$(SANXIANG) demo_witnesses $(if $(filter 1 yes true,$(RESET)),--reset-state)
	$(SANXIANG) collectstatic --noinput -v0
	SANXIANG=$(SANXIANG) DEMO_WITNESSES=1 bash scripts/serve_with_worker.sh $(PORT)

worker: install
	$(SANXIANG) worker

lint: install
	.venv/bin/ruff check .

test: install system-deps
	.venv/bin/ruff check .
	@echo "== pytest on SQLite =="
	env -u DATABASE_URL .venv/bin/pytest -q
	@echo "== pytest on PostgreSQL (browser tests ran on SQLite: the UI does not depend on the engine) =="
	bash scripts/with_postgres.sh .venv/bin/pytest -q -m "not browser"

# The quick loop while developing: no Chromium, no PostgreSQL, no schemathesis or demo loads.
test-fast: install
	.venv/bin/ruff check .
	env -u DATABASE_URL .venv/bin/pytest -q -m "not browser and not slow"

bench: install
	$(PY) bench/run.py

clean:
	rm -rf var build dist .pytest_cache .ruff_cache .hypothesis
	find . \( -path ./.venv -o -path ./node_modules -o -path ./.git \) -prune -o \
	  \( -name '*.egg-info' -o -name __pycache__ \) -type d -prune -exec rm -rf {} +
