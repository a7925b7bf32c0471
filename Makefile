# Steward — one-command set-up. `make run` starts the demo, `make test` runs the tests.
# Every target is idempotent: a second run skips what is already done.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STEWARD := $(BIN)/steward
export STEWARD_MODELS_DIR ?= $(CURDIR)/models
SAMPLE_HOUSEHOLDS ?= 2000
PYTEST_ARGS ?=

.PHONY: run demo test setup venv models sample kb browser lint bench clean

run: setup
	$(STEWARD) users seed-demo
	$(STEWARD) batch run --diagnose none
	$(BIN)/python -m app.run_all

demo: setup
	$(BIN)/python -m app.demo

test: setup browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

setup: venv models sample kb

venv: $(VENV)/.installed

$(VENV)/.installed: requirements/base.txt requirements/dev.txt requirements/constraints.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@# torch first, pinned to the CPU build, so nothing pulls the CUDA wheels.
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -c requirements/constraints.txt -r requirements/base.txt -r requirements/dev.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

models: venv
	$(BIN)/python -m app.bootstrap.models --dir "$(STEWARD_MODELS_DIR)"

sample: venv
	$(STEWARD) data generate --households $(SAMPLE_HOUSEHOLDS)

kb: venv models
	$(STEWARD) kb ingest

browser:
	@# Debian chromium for the real-browser test, and a CJK font so screenshots show Chinese.
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi wqy; then \
		(apt-get update -qq && apt-get install -y -qq chromium chromium-driver fonts-wqy-microhei >/dev/null) \
		|| echo "chromium could not be installed; the browser test will say so"; fi

lint: venv
	$(BIN)/ruff check core agent app data evals knowledge_base prompts tools tests bench
	$(BIN)/ruff format --check core agent app data evals knowledge_base prompts tools tests bench
	$(BIN)/lint-imports

bench: setup
	@for f in bench/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf var .pytest_cache
