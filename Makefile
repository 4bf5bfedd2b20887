# The two commands the README names. Both bootstrap everything they need on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# axe-core for the layout tests, from the npm registry at the version tests/browser/package-lock.json pins.
AXE    := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: build test check lint catalogs system-deps test-deps clean

build: system-deps $(STAMP)
	$(PY) -m generator build content

test: test-deps $(STAMP) $(AXE)
	$(PY) -m ruff check generator tests bench tools
	$(PY) -m mypy
	$(PY) -m pytest -q

lint: $(STAMP)
	$(PY) -m ruff check generator tests bench tools
	$(PY) -m mypy

# After changing a user-facing message: extract, update every language's .po, compile the .mo files
# (then translate what it lists as missing, and run it again).
catalogs: $(STAMP)
	$(PY) tools/catalogs.py

system-deps:
	@bash tools/system-deps.sh

test-deps:
	@bash tools/system-deps.sh test

$(AXE): tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	@touch $(AXE)

# Reinstall when the package metadata changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

clean:
	rm -rf $(VENV) tests/browser/node_modules output .pytest_cache .ruff_cache .mypy_cache .hypothesis
