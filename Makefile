# Two entry points, both from a fresh clone with only Python >= 3.11, pip and make:
#   make serve   creates .venv, installs fakeroute and only what serving needs, serves every provider on 127.0.0.1:8080
#   make test    creates .venv, installs fakeroute with its test extra, runs lint and the whole suite (examples too)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
SEED ?= 0

.PHONY: serve test lint bench soak clean

# One stamp per install: serving needs fakeroute's six dependencies, the suite needs the test extra.
$(VENV)/.installed-serve: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-serve

serve: $(VENV)/.installed-serve
	$(BIN)/fakeroute serve --host $(HOST) --port $(PORT) --seed $(SEED)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check fakeroute tests bench examples conftest_plugin.py

test: lint
	$(BIN)/python -m pytest -n 2  # both cores of the CI machine (pytest-xdist)

bench: $(VENV)/.installed-test
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/run.py

# The long variants: a minute under mixed load and 10,000 requests of 1 MiB against a served fake, whose RSS must
# stay flat (bench/soak.py), and the stateful property tests with 400 unseeded examples per provider.
soak: $(VENV)/.installed-test
	$(BIN)/python bench/soak.py
	FAKEROUTE_LONG_TESTS=1 $(BIN)/python -m pytest -n 2 tests/test_stateful_flowroute.py \
		tests/test_stateful_agentmessage.py tests/test_stateful_twilio.py

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .ruff_cache
