# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install demo test lint system-packages clean

# An editable install leaves our own modules without bytecode (pip compiles only what it
# copies), and PYTHONDONTWRITEBYTECODE may keep imports from writing it: compileall, or
# every command recompiles the package from source (~50 ms per check).
$(BIN)/dnssec-doctor: pyproject.toml setup.py $(wildcard src/dnssec_doctor/zonefile/_czone*)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q src
	touch $@

install: $(BIN)/dnssec-doctor

# Start the built-in lab (no root, no internet), show its scenarios, stop it.
demo: install
	$(BIN)/dnssec-doctor demo

system-packages:
	./scripts/install-system-packages

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

test: install system-packages lint
	$(BIN)/pytest
	./scripts/sanitize-czone

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
