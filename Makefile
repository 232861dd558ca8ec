# Two commands do all the set-up on a fresh machine (see README):
#   make run    creates .venv, runs the default scenario, writes results/default/
#   make test   creates .venv, installs the test dependencies, runs the whole test suite
# `python` is 3.12 here through pyenv and .python-version.
PYTHON ?= python
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo-setup run test lint bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/cop-sim run scenarios/default.toml --out results/default

# Demo assets (Solara front-end served offline) and Debian's chromium for the browser test.
demo-setup: setup
	[ ! -f scripts/setup_demo.sh ] || bash scripts/setup_demo.sh

test: setup demo-setup
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check cop_sim tests benchmarks

bench: setup
	$(BIN)/python benchmarks/model_speed.py
