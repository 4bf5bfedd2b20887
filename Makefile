# The two commands the README names. Both bootstrap everything they need on a fresh Debian machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
# formgen with the lowest versions of its dependencies that it supports (tests/constraints-lowest.txt), where
# tests/test_pdf_contract.py runs the contract test and a small PDF build: the tests prove both ends of each range.
LOWEST := .venv-lowest
LOWEST_STAMP := $(LOWEST)/.installed-stamp
# axe-core for the layout tests, from the npm registry at the version tests/browser/package-lock.json pins.
AXE    := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: build test check lint catalogs system-deps test-deps clean

build: system-deps $(STAMP)
	$(PY) -m generator build content

test: test-deps $(STAMP) $(LOWEST_STAMP) $(AXE)
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

# Made anew when the pins or the package metadata change, so that it never keeps a version the pins left.
$(LOWEST_STAMP): pyproject.toml tests/constraints-lowest.txt
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOWEST)/bin/python -m pip install --quiet --upgrade pip
	$(LOWEST)/bin/python -m pip install --quiet -c tests/constraints-lowest.txt -e . 'pytest>=8'
	@touch $(LOWEST_STAMP)

clean:
	rm -rf $(VENV) $(LOWEST) tests/browser/node_modules output .pytest_cache .ruff_cache .mypy_cache .hypothesis
