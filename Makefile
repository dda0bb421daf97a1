# Define-by-Run, Side by Side: two commands on a fresh machine.
#
#   make html          set up, run every gallery page, build _build/html/
#   make test          set up, then tox: the build as a test suite
#
#   make html-noplot   build without running the pages (fast, no output)
#   GALLERY_PATTERN=lenet make html   run only the pages whose path matches
#   make data          write the offline MNIST digits into data/
#   make browser       install Chromium for the browser test (make test does)
#   make clean         remove builds and generated pages (keeps .venv, data)

PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
export SIDEBYSIDE_DATA ?= $(CURDIR)/data

.PHONY: html html-noplot test data setup browser clean

html: data
	$(PY) tools/build_site.py html

html-noplot: setup
	$(PY) tools/build_site.py html --noplot

# tox makes an environment of its own with every pinned package and writes
# the data there (tox.ini), so the test needs only tox itself in .venv.
# Chromium is installed meanwhile (pip and apt each keep about one core
# busy); its output goes to _build/browser-install.log.
TOX := $(VENV)/bin/tox
test:
	@mkdir -p _build; rm -f _build/test-results.xml; \
	$(MAKE) --no-print-directory browser > _build/browser-install.log 2>&1 & \
	browser=$$!; \
	$(MAKE) --no-print-directory $(TOX) && $(TOX) run -e py311 --notest; \
	ready=$$?; \
	wait $$browser || { cat _build/browser-install.log; \
	  echo "make test: could not install Chromium (above)"; exit 1; }; \
	[ $$ready = 0 ] || exit $$ready; \
	$(TOX) run -e py311 -- --junitxml=_build/test-results.xml; \
	status=$$?; \
	$(PYTHON) tools/test_summary.py _build/test-results.xml; \
	exit $$status

$(TOX):
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -c requirements.txt tox

data: setup
	$(PY) -m sidebyside.data

setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# The browser test drives Debian's Chromium (tests/test_browser.py); as root
# or with sudo, it is installed here where it is missing.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium for the browser test ..."; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q \
	    --no-install-recommends chromium; }

clean:
	rm -rf _build docs/auto_examples
