# Set-up and everyday commands. `make up` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# llama.cpp: a portable x86-64 build (a native build uses instructions some CPUs fault on).
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

.PHONY: install install-test system-deps client up test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python system-deps client
	$(BIN)/pip install --quiet -e '.[test]'
	@[ tests/media/web/node_modules/.package-lock.json -nt tests/media/web/package-lock.json ] || npm ci --prefix tests/media/web --silent --no-audit --no-fund
	@[ tests/sync/node/node_modules/.package-lock.json -nt tests/sync/node/package-lock.json ] || npm ci --prefix tests/sync/node --silent --no-audit --no-fund --ignore-scripts

# Debian packages the tests and the demo media need (skipped when already present).
system-deps:
	@scripts/system-deps

# The XR client (client/: npm + Vite) built into src/twinspace/web/dist, which the hub serves
# at /; skipped while the build is newer than the client's sources and lock file.
CLIENT_BUILD := src/twinspace/web/dist/index.html
client: $(CLIENT_BUILD)

$(CLIENT_BUILD): $(shell find client -path client/node_modules -prune -o -type f -print 2>/dev/null)
	@command -v npm >/dev/null || { echo "the XR client needs Node.js 20+ and npm: sudo apt-get install npm (or make system-deps)" >&2; exit 1; }
	@[ client/node_modules/.package-lock.json -nt client/package-lock.json ] || npm ci --prefix client --silent --no-audit --no-fund --ignore-scripts
	npm run build --prefix client --silent
	@touch $@

up: install client
	$(BIN)/twinspace up

test: install-test
	$(BIN)/pytest

bench: install-test
	$(BIN)/python bench/guide.py
	$(BIN)/python bench/sync_fanout.py
	$(BIN)/python bench/assistant.py
	$(BIN)/python bench/voice.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
