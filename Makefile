# Two commands on a fresh machine: `make demo` and `make test`. Every target installs what it needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The stamp is named after pyproject.toml's hash, so an edited dependency list re-installs.
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: help setup chromium up down status logs demo test test-unit test-integration test-notebooks lint lab bench

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

setup: $(STAMP) chromium ## create .venv and install the project with its dev extras

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

chromium: ## install Debian's chromium when apt-get is available and it is missing
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  echo "installing chromium (Debian package)"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "warning: chromium could not be installed; scraping will fail until it is"; \
	else echo "warning: chromium is missing and apt-get is not usable here; install it yourself"; fi

up: setup ## start the embedded cloud in the background
	$(PY) -m localcloud up

down: ## stop the embedded cloud and everything it started
	@if [ -x $(PY) ]; then $(PY) -m localcloud down; else echo "embedded cloud: not running"; fi

status: setup ## where each embedded service listens, and whether it is healthy
	$(PY) -m localcloud status

logs: setup ## the last lines of the embedded cloud's logs (follow: python -m localcloud logs -f)
	$(PY) -m localcloud logs

demo: setup ## start the embedded cloud, deploy the stack, run the runbooks (papermill), print a summary
	$(PY) -m localcloud up
	$(PY) -m runbooks.demo

test: setup ## lint, unit tests, integration tests on the embedded cloud, notebooks twice + nbval
	$(PY) -m ruff check .
	$(PY) -m pytest tests/unit -q
	$(PY) -m pytest tests/integration -q
	$(PY) -m pytest tests/notebooks -q

test-unit: setup
	$(PY) -m pytest tests/unit -q

test-integration: setup
	$(PY) -m pytest tests/integration -q

test-notebooks: setup
	$(PY) -m pytest tests/notebooks -q

lint: setup ## ruff
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

lab: setup ## JupyterLab on the runbooks (the local stack's documented passphrase unless you set one)
	$(PY) -m localcloud up
	PULUMI_CONFIG_PASSPHRASE="$${PULUMI_CONFIG_PASSPHRASE-sesha-local}" $(PY) -m jupyter lab \
	  --notebook-dir=notebooks --ip=127.0.0.1 --no-browser $$([ "$$(id -u)" = 0 ] && echo --allow-root)

bench: setup ## performance figures as JSON
	$(PY) bench/localcloud.py
	$(PY) bench/gateway.py
	$(PY) bench/deploy.py
