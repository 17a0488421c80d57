# The two commands a new user needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# The suite covered 94% of lines and branches in-process when this floor was set (services run
# as processes in the end-to-end tests are not counted); a change that drops below it says so.
COVERAGE_FLOOR ?= 90

.PHONY: install run test lint typecheck imports unit check bench bench-quick bench-scaling bench-faults fuzz docs clean

install: $(STAMP)

# Re-installs whenever pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

## run the five services (and an embedded MongoDB unless MONGODB_URL is set)
run: install
	$(BIN)/python -m tools.run_local

## everything CI checks: lint, types, import contracts, then the whole test suite with coverage
test: install lint typecheck imports
	$(BIN)/python -m pytest --cov --cov-report=term --cov-fail-under=$(COVERAGE_FLOOR) --durations=15

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

imports: install
	$(BIN)/lint-imports

## only the tests that need no broker and no database
unit: install
	$(BIN)/python -m pytest tests/unit

## the whole order path measured as processes against ceilings of the same servers (~15 min)
bench: install
	$(BIN)/python -m bench --profile full

## a smaller benchmark run (about a minute and a half)
bench-quick: install
	$(BIN)/python -m bench --profile quick

## 400 orders end to end with 1, 2 and 4 customer processes (a few minutes)
bench-scaling: install
	$(BIN)/python -m bench --profile scaling

## faults at a larger scale: kill -9 twice, the database frozen 20 s, 4 instances (ORDERS=600)
bench-faults: install
	$(BIN)/python -m bench.faults --orders $${ORDERS:-600}

## schemathesis against ingest and the gateway, far longer than in `make test` (FUZZ_EXAMPLES, FUZZ_SEED)
fuzz: install
	FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-300} \
	FUZZ_PHASES=$${FUZZ_PHASES:-examples,coverage,fuzzing,stateful} \
	$(BIN)/python -m pytest tests/integration/test_schemathesis_ingest.py \
		tests/integration/test_schemathesis_gateway.py -s --timeout=3600

## regenerate the AsyncAPI and OpenAPI documents under docs/api/ (a test compares them)
docs: install
	$(BIN)/python -m tools.api_docs

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
