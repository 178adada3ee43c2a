# sandan — two commands for a newcomer: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
SEED ?= 2010
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: install demo serve test test-fast lint format bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/.installed

# Migrate, load reference and demo data, create a user per role, and serve on $(PORT).
# The demo speaks plain HTTP on localhost, so the Secure flag of cookies is off here only.
# Links in e-mails (the console shows them) point at the demo server.
demo serve: export SANDAN_SITE_URL ?= http://127.0.0.1:$(PORT)
# The demo's world is 2010: the site is held "as of" the demo's date (docs/adr/0016), which
# every page states in its header. Set SANDAN_AS_OF= (empty) to run on the real date.
demo serve: export SANDAN_AS_OF ?= 2010-12-20

demo: install
	$(BIN)/sandan migrate --noinput
	$(BIN)/sandan load_reference
	$(BIN)/sandan load_demo --seed $(SEED)
	$(BIN)/sandan collectstatic --noinput --verbosity 0
	@echo "sandan demo: http://127.0.0.1:$(PORT)/  (plain HTTP on localhost: secure cookies off)"
	SANDAN_SECURE_COOKIES=0 $(BIN)/sandan runserver 127.0.0.1:$(PORT) --noreload

serve: install
	SANDAN_SECURE_COOKIES=0 $(BIN)/sandan runserver 127.0.0.1:$(PORT)

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/sandan makemigrations --check --dry-run

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# `make bench` runs them all, in order; `make bench BENCH=pmed` (or "designation councils")
# only the ones named.
BENCH ?= registry pmed designation councils support_triage support_matching support actions

bench: install
	@for name in $(BENCH); do \
		echo "== bench/$$name.py"; \
		$(BIN)/python bench/$$name.py || exit $$?; \
	done

clean:
	rm -rf $(VENV) sandan.sqlite3* staticfiles media .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
