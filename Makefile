# The one task runner. `make run` and `make test` are the README's quick start.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit install lock bench clean

$(STAMP): pyproject.toml requirements-dev.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/praxis dev

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/python -m tests.prepare
	$(BIN)/pytest

test: lint typecheck unit

# requirements.lock is what the production image installs (runtime dependencies only);
# requirements-dev.lock adds the dev and test extras for `make install`. Both pin for Python 3.11.
lock:
	$(BIN)/uv pip compile pyproject.toml -o requirements.lock --python-version 3.11 --quiet
	$(BIN)/uv pip compile pyproject.toml --extra dev --extra test -c requirements.lock -o requirements-dev.lock --python-version 3.11 --quiet

# Every part by default; e.g. `make bench BENCH="--only sdk,api,open"` or `BENCH="--projects 2000"`.
bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
