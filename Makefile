# Quick start: `make run` (demo site on http://127.0.0.1:8000) and `make test` (the whole suite).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test test-sqlite test-postgres e2e-check lint install migrate seed clean backup

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
# Both runs include the browser journeys (tests/e2e), which need Debian's Chromium at
# /usr/bin/chromium (apt-get install chromium; never `playwright install`); screenshots go to
# test-output/screenshots/.
CHROMIUM := /usr/bin/chromium

test: lint e2e-check test-sqlite test-postgres

# Installs Debian's Chromium when it is missing and we may (root with apt-get); otherwise the
# browser tests skip, and say so loudly.
e2e-check:
	@if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "== Installing Debian's Chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "!! No Chromium at $(CHROMIUM): the browser tests (tests/e2e) are SKIPPED."; \
		echo "!! Install it with: apt-get install -y chromium"; \
	fi

test-sqlite: install e2e-check
	env -u DATABASE_URL $(PY) -m pytest

test-postgres: install e2e-check
	@url="$${DATABASE_URL:-}"; \
	if [ -z "$$url" ] && $(PY) scripts/pg_ready.py "$(PG_URL)"; then url="$(PG_URL)"; fi; \
	if [ -n "$$url" ]; then \
		echo "== PostgreSQL suite on $$url"; DATABASE_URL="$$url" $(PY) -m pytest; \
	else \
		echo "!! PostgreSQL not reachable: the PostgreSQL run (and its concurrency tests) was SKIPPED"; \
	fi

# A custom-format dump of the PostgreSQL database named by DATABASE_URL into backups/ (restore:
# README, "Backups"). SQLite is refused: copy db.sqlite3 while the app is stopped instead.
backup:
	@url="$${DATABASE_URL:-}"; \
	case "$$url" in \
	postgres://*|postgresql://*) \
		mkdir -p backups; \
		file="backups/pd-$$(date -u +%Y%m%dT%H%M%SZ).dump"; \
		pg_dump --format=custom --no-owner --file="$$file" "$$url" \
			&& echo "== Backup written to $$file" \
			|| { rm -f "$$file"; echo "!! pg_dump failed: nothing was written"; exit 1; } ;; \
	*) \
		echo "!! make backup dumps PostgreSQL: set DATABASE_URL=postgres://user@host:5432/db"; \
		echo "!! On SQLite, stop the app and copy the file: cp db.sqlite3 backups/pd-\$$(date -u +%Y%m%dT%H%M%SZ).sqlite3"; \
		exit 1 ;; \
	esac

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
