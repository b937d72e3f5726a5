# Entry points. The first target that needs Python creates .venv and installs the project.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIO ?= scenarios/default.yaml
NODE_DIR := tests/contract/node
TAP_VENV := .venv-tap
# Singer's tap-salesforce pins requests and singer-python versions that clash with the project's
# own, so its contract tests run it from a virtualenv of its own.
TAP_VERSION := 2.8.1
# CumulusCI (`cci`) likewise brings its own pins of simple-salesforce, requests and friends.
CCI_VENV := .venv-cci
CCI_VERSION := 4.10.1

.PHONY: simulate test test-fast test-slow lint format serve bench bench-slow node-deps tap-venv cci-venv browser-deps screenshots clean
CHROMIUM ?= /usr/bin/chromium

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(STAMP)

simulate: $(STAMP)
	@$(BIN)/simulate $(SCENARIO) $(ARGS)

# jsforce and the Salesforce CLI are used by the contract tests; without npm they are skipped
# (under CI=true they fail instead). Reinstalled whenever package.json or its lock file changes.
NODE_STAMP := $(NODE_DIR)/node_modules/.installed

node-deps:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory $(NODE_STAMP); fi

$(NODE_STAMP): $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json
	cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

tap-venv: $(TAP_VENV)/.installed

$(TAP_VENV)/.installed:
	@test -x $(TAP_VENV)/bin/python || $(PYTHON) -m venv $(TAP_VENV)
	@$(TAP_VENV)/bin/python -m pip install --quiet "tap-salesforce==$(TAP_VERSION)"
	@touch $@

cci-venv: $(CCI_VENV)/.installed

$(CCI_VENV)/.installed:
	@test -x $(CCI_VENV)/bin/python || $(PYTHON) -m venv $(CCI_VENV)
	@$(CCI_VENV)/bin/python -m pip install --quiet "cumulusci==$(CCI_VERSION)"
	@touch $@

# The browser tests drive Debian's chromium package (never a downloaded browser). Installed
# with apt where it is missing and apt is there; otherwise the tests say why they skip.
browser-deps:
	@if [ ! -x $(CHROMIUM) ] && command -v apt-get >/dev/null 2>&1; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	fi

# Re-take the README's pictures (docs/screenshots/*.png) from the browser tests.
screenshots: $(STAMP) browser-deps
	SCREENSHOTS=1 $(BIN)/pytest -q tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: $(STAMP) node-deps tap-venv cci-venv browser-deps lint
	$(BIN)/pytest -q -m "not slow"

test-fast: $(STAMP)
	$(BIN)/pytest -q -m "not slow and not postgres and not node" -x

test-slow: $(STAMP) node-deps tap-venv cci-venv browser-deps
	$(BIN)/pytest -q -rP -m slow

serve: $(STAMP)
	$(BIN)/fake-salesforce serve $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench $(ARGS)

bench-slow: $(STAMP)
	$(BIN)/python -m bench --full $(ARGS)

clean:
	rm -rf $(VENV) $(TAP_VENV) $(CCI_VENV) $(NODE_DIR)/node_modules .pytest_cache .mypy_cache .ruff_cache
