# Two entry points for a fresh machine with Python >= 3.11 and pip:
#   make report   render the default scenario's outputs into reports/
#   make test     run the whole test suite (what CI runs, via .ci/run)
# Both create .venv on first use and reuse it afterwards (re-installing only
# when pyproject.toml changes).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
SCENARIO ?= base

.PHONY: report test lint bench venv clean-venv browser

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "synergy-models needs Python >= 3.11; run: make PYTHON=python3.11 ...")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

report: $(STAMP)
	$(BIN)/synergy report $(SCENARIO)

test: $(STAMP) browser
	$(BIN)/python -m pytest

# Debian's chromium, for the test that opens a report with the network blocked (installed when
# this runs as root with apt-get, as in CI; otherwise that one test is skipped, saying why).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium (apt-get) for the report browser check"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "note: chromium not found; the report browser check will be skipped"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check .

# Benchmarks (minutes; not part of the test suite): figures go to docs/performance.md
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python bench/power_benchmark.py --scenario base

clean-venv:
	rm -rf $(VENV)
