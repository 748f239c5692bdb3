# Two commands do all set-up on a fresh clone (Python 3.10+ on PATH):
#   make run    create .venv if needed, run the pipeline on seeds/ into output/
#   make test   create .venv if needed, run the default test suite
# Versions come from constraints.txt (the lock); `make lock` refreshes it after pyproject.toml changes.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TABLES ?= output

.PHONY: run test test-slow test-all lint lock validate bench bench-scale notebook report clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev,dask]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m pipeline run seeds --tables $(TABLES)
	$(PY) -m pipeline export csv --tables $(TABLES) --out $(TABLES)-csv

test: $(STAMP)
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

test-all: $(STAMP)
	$(PY) -m pytest -q -m ''

# the rule set is [tool.ruff] in pyproject.toml; `ruff check --fix` repairs what it can
lint: $(STAMP)
	$(VENV)/bin/ruff check .

# constraints.txt: every package and extra of pyproject.toml at one version each (CI installs these)
lock: $(STAMP)
	$(VENV)/bin/pip-compile --quiet --all-extras --strip-extras --allow-unsafe --no-emit-index-url \
	  --no-emit-find-links --output-file constraints.txt pyproject.toml

validate: $(STAMP)
	$(PY) -m pipeline validate --gold gold

bench: $(STAMP)
	$(PY) benchmarks/throughput.py

bench-scale: $(STAMP)
	$(PY) benchmarks/scale.py

# run the pipeline on seeds/, then execute notebooks/analysis.ipynb in place (its plots saved in it)
notebook: run
	$(VENV)/bin/jupyter-execute --inplace notebooks/analysis.ipynb

report: run
	$(PY) -m pipeline report --tables $(TABLES)

# the table names come from the package (store/layout.py), so a new table is cleaned too; then the
# files derived from the tables, written beside the folder (cli.beside), and validate's reports
TABLE_NAMES = $(shell $(PYTHON) -c 'import sys; sys.path.insert(0, "."); \
	from pipeline.store.layout import INTERNAL, TABLES; print(*TABLES, *INTERNAL)')

clean:
	rm -rf $(VENV) $(TABLES)/.lock $(addprefix $(TABLES)/,$(TABLE_NAMES)) \
	  $(TABLES)-csv $(TABLES).html $(TABLES).xlsx $(TABLES).duckdb $(TABLES)-validate validate
