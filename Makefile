# The README's commands. Each creates the virtual environment itself on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench serve worker clean browser-deps

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)  ## create the demo deployment on SQLite and serve it on http://127.0.0.1:8000
	$(BIN)/saksham demo

test: $(STAMP)  ## ruff, the layering contract, mypy on core, then the whole test suite (SQLite; PostgreSQL too when DATABASE_URL is set)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check . || true

bench: $(STAMP)  ## every benchmark at its default size
	$(BIN)/saksham bench all

serve: $(STAMP)
	$(BIN)/saksham serve

worker: $(STAMP)
	$(BIN)/saksham worker

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
