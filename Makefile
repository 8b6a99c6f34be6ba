# psoas: `make demo` sets everything up and runs it; `make test` sets up and runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: demo assess-demo lock test lint typecheck unit bench bench-tracking bench-web docs clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "psoas needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)

# requirements.lock pins every dependency to the versions the tests passed with (make lock).
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(PIP) install -c requirements.lock -e '.[postgres,desktop]'
	@touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml requirements.lock
	$(PIP) install -c requirements.lock -e '.[test]'
	@touch $@ $(VENV)/.installed

DEMO_DB ?= $(CURDIR)/.demo/psoas.db

demo: $(VENV)/.installed
	@mkdir -p .demo
	@echo "The terminal side: $(BIN)/psoas assess (questions) or $(BIN)/psoas assess --input examples/office-worker.json"
	PSOAS_DATABASE_URL=sqlite:///$(DEMO_DB) $(BIN)/psoas web --demo --port $(or $(PORT),8000)

assess-demo: $(VENV)/.installed
	@$(BIN)/psoas assess --input examples/office-worker.json

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-test
	$(BIN)/mypy

unit: $(VENV)/.installed-test
	$(BIN)/pytest -q -n 2

test: lint typecheck unit

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_assess.py
	$(BIN)/python benchmarks/bench_pictures.py

bench-tracking: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_tracking.py

bench-web: $(VENV)/.installed-test
	$(BIN)/python benchmarks/load_web.py
	$(BIN)/python benchmarks/bench_clinic_list.py
	$(BIN)/python benchmarks/bench_sign_in.py

docs: $(VENV)/.installed
	$(BIN)/python -m psoas.services.rules_doc > docs/clinical-rules.md

lock: $(VENV)/.installed-test
	@echo "# Every dependency at the version the tests passed with: make lock rewrites it." > requirements.lock
	$(BIN)/python -m pip --disable-pip-version-check freeze --exclude-editable >> requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
