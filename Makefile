# Samflyt: `make run` starts the product, `make test` runs the whole test suite.
# Both set up everything they need on a fresh machine first (see scripts/setup.sh).

VENV := .venv
BIN := $(VENV)/bin
SETUP_STAMP := $(VENV)/.setup-done

.PHONY: run test setup lock services bench clean

# The demo's persons have synthetic national numbers (test numbers: the month plus 80), which
# only a setting lets in; production leaves it off.
run: $(SETUP_STAMP)
	SAMFLYT_ALLOW_SYNTHETIC_IDS=on $(BIN)/samflyt demo
	SAMFLYT_ALLOW_SYNTHETIC_IDS=on $(BIN)/samflyt serve

test: $(SETUP_STAMP) services
	bash scripts/test.sh $(PYTEST_ARGS)

setup: $(SETUP_STAMP)

$(SETUP_STAMP): pyproject.toml requirements/lock.txt package-lock.json scripts/setup.sh \
		scripts/assets.sh webui/translations/en/LC_MESSAGES/messages.po \
		webui/translations/nn/LC_MESSAGES/messages.po
	bash scripts/setup.sh
	touch $(SETUP_STAMP)

# The pinned Python packages. After changing the dependencies in pyproject.toml, run `make lock`
# and commit requirements/; setup installs only from the lock. It keeps the versions already
# pinned where they still fit; `make lock LOCK_ARGS=--upgrade` moves everything to the newest.
# requirements/lock.txt: runtime dependencies and the `test` extra (what setup installs);
# requirements/lock-runtime.txt: the runtime subset at the same versions (the Docker image).
UV_VERSION := 0.13.9
LOCK_TARGET := --python-version 3.11 --python-platform x86_64-unknown-linux-gnu --generate-hashes \
	--custom-compile-command "make lock" --quiet

lock:
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra test $(LOCK_TARGET) $(LOCK_ARGS) \
		-o requirements/lock.txt
	$(BIN)/uv pip compile pyproject.toml --constraint requirements/lock.txt $(LOCK_TARGET) \
		--annotation-style line -o requirements/lock-runtime.txt

services:
	bash scripts/ensure-services.sh

bench: $(SETUP_STAMP) services
	$(BIN)/python bench/bench_engine.py
	$(BIN)/python bench/bench_review_cycles.py
	$(BIN)/python bench/bench_http.py

clean:
	rm -rf $(VENV) instance
