# newsflow developer entry points. Every target sets itself up from a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config/newsflow.example.yaml

.PHONY: install run test unit lint schemas eval bench lock deploy-check clean

$(STAMP): requirements-dev.lock pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/newsflow run --config $(CONFIG)

# The whole suite: lint, unit, integration (real broker, HTTP, PostgreSQL), e2e and
# the offline deployment checks. The Tansu broker is started by the test fixtures.
test: $(STAMP)
	$(BIN)/ruff check services tests
	$(BIN)/python -m pytest -p no:cacheprovider --durations=15

unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit

deploy-check:
	bash deploy/check.sh

lint: $(STAMP)
	$(BIN)/ruff check services tests
	$(BIN)/ruff format --check services tests

schemas: $(STAMP)
	$(BIN)/newsflow schemas --out schemas

eval: $(STAMP)
	$(BIN)/python -m newsflow.evaluate --shared ../shared

bench: $(STAMP)
	$(BIN)/python -m newsflow.bench $(BENCH_ARGS)

# Regenerates the hashed locks; needs network access to PyPI.
lock:
	$(PY) -m pip install --quiet uv
	$(PY) -m uv pip compile requirements.in --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -q -o requirements.lock
	$(PY) -m uv pip compile requirements-dev.in --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -q -o requirements-dev.lock
	$(PY) scripts/pin_model_hash.py requirements.lock requirements-dev.lock

clean:
	rm -rf $(VENV) var .pytest_cache
