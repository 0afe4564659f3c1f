# Two commands do all set-up on a fresh machine (Python 3.11):
#   make book   installs what the book needs into .venv and builds the HTML book in both editions
#               (English: _build/html, Chinese: _build/html/zh)
#   make test   installs what the tests need into .venv (newest TensorFlow/Keras of the supported
#               window) and .venv-oldest (oldest), and runs every test (the unit tests and the
#               smoke notebooks under both)
# Other targets: make edition (regenerate notebooks/ from chapters/), make bench (benchmarks), make clean.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
# Run profile for the book build: empty = auto (gpu if a GPU is visible, else cpu), or smoke/cpu/gpu.
PROFILE ?=
# pytest worker processes (the notebooks and unit tests run in parallel).
WORKERS ?= 2

.PHONY: book test test-oldest bench edition deps-book deps-test deps-oldest browser mathjax clean help

help:
	@echo "make book   - install and build the book (_build/html/index.html, _build/html/zh/index.html)"
	@echo "make test   - install and run every test (unit, notebooks, book build, browser)"
	@echo "make bench  - run the benchmarks and write benchmarks/RESULTS.md"
	@echo "make edition - regenerate the notebook edition (notebooks/) from chapters/"

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
	touch $@ $(VENV)/.book-deps

deps-book: $(VENV)/.book-deps
deps-test: $(VENV)/.test-deps

# The oldest TensorFlow/Keras pair of the supported window (requirements-oldest.txt), in a second
# virtual environment; the newest pair is the main one (requirements.txt).
OLDEST ?= .venv-oldest
OLDEST_PY := $(OLDEST)/bin/python
$(OLDEST)/.deps: requirements-oldest.txt pyproject.toml
	$(PYTHON) -m venv $(OLDEST)
	$(OLDEST_PY) -m pip install --quiet --upgrade pip
	$(OLDEST_PY) -m pip install --quiet -r requirements-oldest.txt
	$(OLDEST_PY) -m pip install --quiet --no-deps -e .
	touch $@
deps-oldest: $(OLDEST)/.deps

# MathJax served by the book itself, so formulas render offline (npm registry at install time).
# Without npm the book falls back to the MathJax CDN (see _ext/ganlib_book.py).
MATHJAX := _static/mathjax/tex-mml-chtml.js
$(MATHJAX):
	@if command -v npm >/dev/null 2>&1; then \
	  npm install --silent --no-save --no-audit --no-fund --prefix _build/npm mathjax@3 && \
	  rm -rf _static/mathjax && mkdir -p _static/mathjax && \
	  (cd _build/npm/node_modules/mathjax/es5 && cp -r tex-mml-chtml.js input output ui a11y sre adaptors $(CURDIR)/_static/mathjax/) ; \
	else echo "npm not found: the book will load MathJax from its CDN (formulas then need internet)"; fi
mathjax: $(MATHJAX)

# Headless Chromium for the browser tests (Debian's package; a test tool cannot download one here).
browser:
	@bash .ci/install-chromium

# The English book first: the Chinese one (zh/) reuses its executions (same code cells).
book: deps-book mathjax
	GANLIB_PROFILE=$(PROFILE) $(VENV)/bin/jupyter-book build -W -n --keep-going .
	GANLIB_PROFILE=$(PROFILE) $(VENV)/bin/jupyter-book build -W -n --keep-going --path-output _build/zh zh
	rm -rf _build/html/zh && cp -r _build/zh/_build/html _build/html/zh
	@echo "Open _build/html/index.html (English) or _build/html/zh/index.html (中文)"

# With the newest TensorFlow/Keras every chapter is executed twice anyway: by the book build
# (tests/test_rendered_book.py, warnings and false claims are errors) and by the notebook
# edition's Run-all (tests/test_notebook_edition.py); nbval runs here only the chapters whose
# stored outputs it compares (# NBVAL_CHECK_OUTPUT). The oldest end runs nbval on every chapter.
NBVAL_CHECKED := $(shell grep -l NBVAL_CHECK_OUTPUT chapters/*.ipynb)
test: deps-test browser mathjax deps-oldest
	GANLIB_PROFILE=smoke $(PY) -m pytest -n $(WORKERS) --dist loadfile tests $(NBVAL_CHECKED)
	$(MAKE) --no-print-directory test-oldest

# Unit tests and smoke notebooks at the oldest end of the window (the book build and the browser
# and notebook-edition tests need the book's tools, which the newest end already ran).
test-oldest: deps-oldest
	GANLIB_PROFILE=smoke $(OLDEST_PY) -m pytest -n $(WORKERS) --dist loadfile tests chapters \
	  --ignore=tests/test_rendered_book.py --ignore=tests/test_notebook_edition.py \
	  --ignore=tests/test_book_extension.py

edition: deps-book
	$(PY) tools/make_edition.py

bench: deps-test
	$(PY) benchmarks/run_all.py

clean:
	rm -rf _build .pytest_cache
