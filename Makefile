# Define-by-Run, Side by Side: two commands on a fresh machine.
#
#   make html          set up, run every gallery page, build _build/html/
#   make test          set up, then tox: the build as a test suite
#
#   make html-noplot   build without running the pages (fast, no output)
#   GALLERY_PATTERN=lenet make html   run only the pages whose path matches
#   make data          write the offline MNIST digits into data/
#   make clean         remove builds and generated pages (keeps .venv, data)

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
export SIDEBYSIDE_DATA ?= $(CURDIR)/data

.PHONY: html html-noplot test data setup clean

html: data
	$(PY) tools/build_site.py html

html-noplot: setup
	$(PY) tools/build_site.py html --noplot

test: data
	@rm -f _build/test-results.xml; \
	$(VENV)/bin/tox run -e py311 -- --junitxml=_build/test-results.xml; \
	status=$$?; \
	$(PY) tools/test_summary.py _build/test-results.xml; \
	exit $$status

data: setup
	$(PY) -m sidebyside.data

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

clean:
	rm -rf _build docs/auto_examples docs/sg_execution_times.rst
