# Two commands do all set-up on a fresh machine (Python 3.11):
#   make book   installs what the book needs into .venv and builds the HTML book (_build/html)
#   make test   installs what the tests need into .venv and runs every test
# Other targets: make bench (benchmarks), make clean.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# Run profile for the book build: auto (gpu if a GPU is visible, else cpu), or smoke/cpu/gpu.
PROFILE ?=
# pytest workers: the notebooks and the unit tests run in parallel on this many processes.
WORKERS ?= 2

.PHONY: book test bench venv deps-book deps-test browser clean help

help:
	@echo "make book   - install and build the book (_build/html)"
	@echo "make test   - install and run every test (unit, notebooks, book build, browser)"
	@echo "make bench  - run the benchmarks and write benchmarks/RESULTS.md"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.book-deps: requirements.txt pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	$(PIP) install --quiet --no-deps -e .
	touch $@

$(VENV)/.test-deps: requirements.txt requirements-dev.txt pyproject.toml | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements-dev.txt
	$(PIP) install --quiet --no-deps -e .
	touch $@

deps-book: $(VENV)/.book-deps
deps-test: $(VENV)/.test-deps

# Headless Chromium for the browser tests (Debian package; a test tool cannot download one here).
browser:
	@command -v chromium >/dev/null 2>&1 || bash .ci/install-chromium

book: deps-book
	GANLIB_PROFILE=$(PROFILE) $(PY) -m ganlib.book build

test: deps-test browser
	GANLIB_PROFILE=smoke $(PY) -m pytest -n $(WORKERS) --dist loadfile

bench: deps-test
	$(PY) benchmarks/run_all.py

clean:
	rm -rf _build .pytest_cache
