# newsflow developer entry points. Every target sets itself up from a fresh clone.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONFIG ?= config/newsflow.example.yaml

.PHONY: install run test unit lint schemas eval train cv compare-embedding bench lock deploy-check clean

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
	$(BIN)/mypy

schemas: $(STAMP)
	$(BIN)/newsflow schemas --out schemas

eval: $(STAMP)
	$(BIN)/python -m newsflow_tools.evaluate --shared ../shared

# Rebuilds the event typer and the argument chooser (services/newsflow/events/data/typer.npz,
# arguments.npz) from data/events, bit for bit;
# TRAIN_ARGS=--compare prints the design comparison (5-fold CV on train, then the test split).
# Then the block classifier (services/newsflow/extract/data/blocks.npz) from the WCXB tune part
# under ../shared, bit for bit (kept as shipped when that is absent); BLOCKS_ARGS=--compare
# prints its 5-fold CV table instead (~6 min).
train: $(STAMP)
	$(BIN)/python scripts/train_events.py $(TRAIN_ARGS)
	$(BIN)/python scripts/train_arguments.py
	$(BIN)/python scripts/train_counts.py
	$(BIN)/python scripts/train_blocks.py $(BLOCKS_ARGS)

# The whole event coder by 5-fold CV on the train split, typer, argument chooser and count head
# refitted per fold; the figures to choose designs by, since the test split is for reporting.
cv: $(STAMP)
	$(BIN)/python scripts/cv_coder.py

# The sentence-embedding design of issue 11 (all-MiniLM-L6-v2, int8 ONNX) measured beside the
# shipped typer, in its own venv under var/ (requirements-embed.lock), never in .venv and never
# in the coder. ~15 min of CPU; EMBED_ARGS=--cv-only never reads the test split.
EMBED_VENV ?= var/venv-embed
compare-embedding:
	test -f $(EMBED_VENV)/.installed || { $(PY) -m venv $(EMBED_VENV) \
	  && $(EMBED_VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements-embed.lock \
	  && $(EMBED_VENV)/bin/pip install --quiet --no-deps --no-build-isolation -e . \
	  && touch $(EMBED_VENV)/.installed; }
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(EMBED_VENV)/bin/python scripts/compare_embedding.py $(EMBED_ARGS)

BENCH_VENV ?= .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

# The benchmark's peer extractor (newspaper4k) and py-spy live in their own venv, never in .venv.
$(BENCH_STAMP): requirements-bench.lock
	$(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements-bench.lock
	touch $(BENCH_STAMP)

# Throughput, scale and memory side by side (~6-10 min on 2 cores), then story resolution at
# 100,000 open stories (~3 min more; PostgreSQL too when reachable); BENCH_ARGS=--quick for a
# smoke run, BENCH_ARGS=--only=stories for that part alone.
bench: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python -m newsflow_tools.bench --peer-python $(BENCH_VENV)/bin/python $(BENCH_ARGS)

# Regenerates the hashed locks; needs network access to PyPI.
lock:
	$(PY) -m pip install --quiet uv
	$(PY) -m uv pip compile requirements.in --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -q -o requirements.lock
	$(PY) -m uv pip compile requirements-dev.in --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -q -o requirements-dev.lock
	$(PY) -m uv pip compile requirements-bench.in --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -q -o requirements-bench.lock
	$(PY) -m uv pip compile requirements-deploy.in --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -q -o requirements-deploy.lock
	$(PY) -m uv pip compile requirements-s3.in --generate-hashes --python-version 3.11 --python-platform x86_64-manylinux_2_28 -q -o requirements-s3.lock
	$(PY) scripts/pin_model_hash.py requirements.lock requirements-dev.lock

clean:
	rm -rf $(VENV) $(BENCH_VENV) .venv-deploy .venv-s3 var .pytest_cache
