# Quick start: `make run` (demo site on http://127.0.0.1:8000) and `make test` (the whole suite).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres lint install migrate seed clean

$(PY):
	"$$(sh scripts/find-python.sh)" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# The suite on SQLite, then on PostgreSQL when DATABASE_URL names one or 127.0.0.1:5432 answers.
test: lint test-sqlite test-postgres

test-sqlite: install
	env -u DATABASE_URL $(PY) -m pytest

test-postgres: install
	@url="$${DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(PY) scripts/pg_ready.py "$(PG_URL)"; then url="$(PG_URL)"; fi; \
	if [ -n "$$url" ]; then \
		echo "== PostgreSQL suite on $$url"; DATABASE_URL="$$url" $(PY) -m pytest; \
	else \
		echo "!! PostgreSQL not reachable: the PostgreSQL run (and its concurrency tests) was SKIPPED"; \
	fi

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
