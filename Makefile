# Samflyt: `make run` starts the product, `make test` runs the whole test suite.
# Both set up everything they need on a fresh machine first (see scripts/setup.sh).

VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done

.PHONY: run test setup services bench clean

run: $(SETUP_STAMP)
	$(BIN)/samflyt demo
	$(BIN)/samflyt serve

test: $(SETUP_STAMP) services
	bash scripts/test.sh $(PYTEST_ARGS)

setup: $(SETUP_STAMP)

$(SETUP_STAMP): pyproject.toml package-lock.json scripts/setup.sh webui/translations/en/LC_MESSAGES/messages.po
	bash scripts/setup.sh
	touch $(SETUP_STAMP)

services:
	bash scripts/ensure-services.sh

bench: $(SETUP_STAMP) services
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_review_cycles.py
	$(BIN)/python bench/bench_http.py

clean:
	rm -rf $(VENV) instance
