# Two commands do all set-up on a fresh clone (Python 3.10+ on PATH):
#   make run    create .venv if needed, run the pipeline on seeds/ into output/
#   make test   create .venv if needed, run the default test suite
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-slow test-all validate bench bench-scale clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m pipeline run seeds --out output
	$(PY) -m pipeline export csv --tables output --out output

test: $(STAMP)
	$(PY) -m pytest -q

test-slow: $(STAMP)
	$(PY) -m pytest -q -m slow

test-all: $(STAMP)
	$(PY) -m pytest -q -m ''

validate: $(STAMP)
	$(PY) -m pipeline validate --gold gold

bench: $(STAMP)
	$(PY) benchmarks/throughput.py

bench-scale: $(STAMP)
	$(PY) benchmarks/scale.py

.PHONY: notebook report

# run the pipeline on seeds/, then execute notebooks/analysis.ipynb in place (its plots saved in it)
notebook: run
	$(VENV)/bin/jupyter-execute --inplace notebooks/analysis.ipynb

report: run
	$(PY) -m pipeline report --out output/report.html

clean:
	rm -rf $(VENV) output/*.parquet output/*.csv output/_manifest.json output/.lock \
	  $(addprefix output/,documents mentions entities persons organisations places dates numbers errors)
