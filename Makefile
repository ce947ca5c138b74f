# One command to run the workbook, one to test it. Both idempotent, from a clean clone.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: lab hub test lint bench notebooks clean

# every install is pinned to the versions the suite passed with
PIP := $(PY) -m pip install -q -c constraints.txt

$(VENV)/.base: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PIP) -e .
	touch $@

$(VENV)/.test: $(VENV)/.base
	$(PIP) -e ".[test,hub]"
	touch $@

$(VENV)/.hub: $(VENV)/.base
	$(PIP) -e ".[hub]"
	touch $@

lab: $(VENV)/.base
	$(VENV)/bin/opsvalue-lab start $(ARGS)

hub: $(VENV)/.hub
	$(VENV)/bin/opsvalue-lab hub-demo $(ARGS)

# axe-core for the accessibility tests, at the version pinned in tests/browser/axe_version.txt (npm)
AXE := .axe/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/axe_version.txt
	npm install --prefix .axe --no-save --no-audit --no-fund "axe-core@$$(tr -d '[:space:]' < $<)"
	touch $@

test: lint $(AXE)
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
