# The two set-up commands of the README: `make demo` and `make test`.
# Each creates .venv (once), installs what it needs, and runs with one torch
# thread: the CI machine has 2 shared cores, where contended threads are slower.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
export OMP_NUM_THREADS := 1
export MKL_NUM_THREADS := 1
export MPLBACKEND := Agg

.PHONY: demo test system-deps docs clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	# torch first and pinned: the CPU build (an unpinned torch pulls GBs of CUDA packages)
	$(PY) -m pip install -q -c constraints.txt torch==2.13.0
	$(PY) -m pip install -q -c constraints.txt -e ".[nlp,docs,dev]"
	touch $@

system-deps:
	@bash scripts/install-system-deps.sh
	@bash scripts/start-postgres.sh --install  # the server itself starts in a test fixture

demo: $(STAMP)
	$(PY) examples/quickstart.py

test: $(STAMP) system-deps
	$(PY) -m pytest -q
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict --quiet --site-dir $(CURDIR)/site

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs serve

clean:
	rm -rf $(VENV) site .pytest_cache
