# Set-up and everyday commands. `make up` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# llama.cpp: a portable x86-64 build (a native build uses instructions some CPUs fault on).
export CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON

.PHONY: install install-test system-deps up test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python system-deps
	$(BIN)/pip install --quiet -e '.[test]'

# Debian packages the tests and the demo media need (skipped when already present).
system-deps:
	@scripts/system-deps

up: install
	$(BIN)/twinspace up

test: install-test
	$(BIN)/pytest

bench: install-test
	$(BIN)/python bench/guide.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
