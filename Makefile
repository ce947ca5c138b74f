# One command to run the workbook, one to test it. Both idempotent, from a clean clone.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: lab hub test lint bench notebooks clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PY) -m pip install -q -e ".[test,hub]"
	touch $@

$(VENV)/.hub: $(VENV)/.base
	$(PY) -m pip install -q -e ".[hub]"
	touch $@

lab: $(VENV)/.base
	$(VENV)/bin/opsvalue-lab start $(ARGS)

hub: $(VENV)/.hub
	$(VENV)/bin/opsvalue-lab hub-demo $(ARGS)

test: lint
	$(PY) -m pytest $(ARGS)

lint: $(VENV)/.test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: $(VENV)/.test
	$(PY) -m benchmarks $(ARGS)

notebooks: $(VENV)/.base
	$(VENV)/bin/opsvalue-lab build-notebooks

clean:
	rm -rf $(VENV)
