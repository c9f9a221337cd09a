# The project's commands. `make run` serves the API on the seed corpus; `make test` runs the tests.
# Both create .venv and install into it when needed, so they work on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench bench-load bench-mutations bench-export bench-subscriptions bench-quick bench-peer soak schema ide-assets lock install clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	EVENTGRAPH_HOST=$(HOST) EVENTGRAPH_PORT=$(PORT) $(BIN)/eventgraph serve --load fixtures

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The requests benchmark (docs/benchmarks.md): 1,000, 10,000 and 100,000 events, about 30 minutes
# (the first time, 5 more to generate and load the corpora); bench-quick is a smoke run of a few
# minutes. BENCH_ARGS adds options, e.g. BENCH_ARGS="--case Q3 --port 18130". Then the mutations
# (bench/mutations.py, a few minutes), the export, the subscriptions, each also alone below, and
# the fixture load of 10,000 and 100,000 events against its COPY floor (about 15 minutes).
bench: $(STAMP) bench-peer
	$(BIN)/python -m bench requests $(BENCH_ARGS)
	$(BIN)/python -m bench mutations
	$(BIN)/python -m bench --seed 7 export
	$(BIN)/python -m bench subscriptions
	$(BIN)/python -m bench --seed 7 load

# `eventgraph fixtures load` of 10,000 and 100,000 events (seed 7) against a COPY of the same rows
# into the same tables in one transaction (bench/load.py); part of `make bench`.
bench-load: $(STAMP)
	$(BIN)/python -m bench --seed 7 load $(BENCH_ARGS)

bench-mutations: $(STAMP)
	$(BIN)/python -m bench mutations $(MUTATION_ARGS)

# The bulk export (GET /export) of 100,000 events (seed 7) against its floor: lines per second and
# the server's peak RSS; part of `make bench`.
bench-export: $(STAMP)
	$(BIN)/python -m bench --seed 7 export $(BENCH_ARGS)

# The subscriptions (bench/subscriptions.py, about 2 minutes): fan-out latency and memory.
bench-subscriptions: $(STAMP)
	$(BIN)/python -m bench subscriptions

bench-quick: $(STAMP) bench-peer
	$(BIN)/python -m bench requests --quick $(BENCH_ARGS)

# The requests benchmark's peer, PostGraphile 5 on Node 22 (both from npm, as locked in
# bench/postgraphile/package-lock.json); `make test` needs neither.
PEER := bench/postgraphile
$(PEER)/node_modules/.package-lock.json: $(PEER)/package.json $(PEER)/package-lock.json
	cd $(PEER) && npm ci --no-audit --no-fund

bench-peer: $(PEER)/node_modules/.package-lock.json

# The soak (bench/soak.py; not part of `make test`): `eventgraph serve --workers 2` under mixed
# load from several keys for SOAK_MINUTES (30), on loopback; RSS, errors and p99 per interval.
SOAK_MINUTES ?= 30
soak: $(STAMP)
	$(BIN)/python -m bench soak --minutes $(SOAK_MINUTES) $(SOAK_ARGS)

schema: $(STAMP)
	$(BIN)/eventgraph schema > schema/schema.graphql

# Refetch the pinned GraphiQL, React and ReactDOM builds (api/ide/refresh.py) with npm.
ide-assets: $(STAMP)
	$(BIN)/python -m api.ide.refresh

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache

# The pinned, hashed dependencies the Docker image installs (pip-tools, run by hand): the runtime
# ones, and the build backend that installs the project itself (hatchling and its own).
LOCK_OPTIONS := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url \
	--no-emit-find-links
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet 'pip-tools>=7.4,<8'
	$(BIN)/pip-compile $(LOCK_OPTIONS) --output-file=.ci/requirements.lock pyproject.toml
	$(BIN)/pip-compile $(LOCK_OPTIONS) --only-build-deps --build-deps-for=editable \
		--output-file=.ci/build-requirements.lock pyproject.toml
