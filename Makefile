# The two commands of the README: `make run` and `make test`.
# Everything else here is a helper of those two.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
STAMP  := $(VENV)/.installed

.PHONY: run test install system-packages messages lock audit clean bench cluster-test restore-test fairness

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when the declared or locked dependencies change.
$(STAMP): pyproject.toml requirements.lock | $(PY)
	$(PY) -m pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## run: install, migrate, load demo data, start web + worker + beat (Ctrl-C stops all)
# honcho gives each process its own PORT (web PORT, worker PORT+100, ...): SITE_URL is fixed
# here from the web port so the worker's mails link to the web server.
run: install
	@if command -v msgfmt >/dev/null; then $(PY) manage.py compilemessages -v0 --ignore '.venv/*'; fi
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo ""
	@echo "  Resident site:  http://127.0.0.1:$(PORT)/"
	@echo "  Backoffice:     http://127.0.0.1:$(PORT)/backoffice/"
	@echo "  Django admin:   http://127.0.0.1:$(PORT)/admin/"
	@echo "  (demo logins above; mails are printed by the worker)"
	@echo ""
	PORT=$(PORT) SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(VENV)/bin/honcho -f Procfile.dev start

## test: install and run the whole suite (lint, import contracts, migrations, checks, pytest incl. browser tests)
test: install system-packages
	$(PY) manage.py compilemessages -v0 --ignore '.venv/*'
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING
	$(PY) -m pytest $(PYTEST_ARGS)

# Debian packages the tests use (chromium for Playwright, gettext for the i18n checks,
# faketime for CI's shifted-clock run).
system-packages:
	@scripts/ensure-system-packages

## bench: the application against reference views on PostgreSQL + Redis (README "Performance");
## BENCH_ARGS=--quick for one short round. Needs the local PostgreSQL and Redis.
bench: install
	@scripts/ensure-bench-packages
	$(PY) benchmarks/run.py $(BENCH_ARGS)

## fairness: the fairness benchmark (README "Waitlist"): a month of one scarce service, first come
## against allocation + waitlist, with a bot; a throwaway SQLite database unless DATABASE_URL is
## set; FAIRNESS_ARGS="--seed 7 --residents 200" to vary it.
fairness:
	$(PY) benchmarks/fairness_benchmark.py $(FAIRNESS_ARGS)

## cluster-test: two web instances, two workers, one beat on PostgreSQL + Redis (scripts/cluster_test.py;
## CLUSTER_PG, CLUSTER_DATABASE, CLUSTER_REDIS_URL, CLUSTER_PORTS, CLUSTER_TIMEOUT configure it)
cluster-test: install
	$(PY) manage.py compilemessages -v0 --ignore '.venv/*'
	timeout $${CLUSTER_TIMEOUT_OUTER:-300} $(PY) scripts/cluster_test.py

## restore-test: deploy/backup.sh -> deploy/restore.sh -> the same row counts and report CSVs, on
## PostgreSQL (scripts/restore_test.py; RESTORE_PG, RESTORE_DATABASE, RESTORE_TIMEOUT configure it)
restore-test: install
	timeout $${RESTORE_TIMEOUT_OUTER:-300} $(PY) scripts/restore_test.py

## messages: extract and compile translations
messages: install
	$(PY) manage.py makemessages --all --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

lock: install
	( echo "# Constraints for reproducible installs: pip install -c requirements.lock -e '.[dev]'"; \
	  echo "# Regenerate with: make lock"; \
	  $(PY) -m pip freeze --exclude-editable | grep -v '^-e' ) > requirements.lock

## audit: known vulnerabilities of the locked dependencies (pip-audit; skipped when offline)
audit: install
	$(PY) tools/audit_dependencies.py requirements.lock

clean:
	rm -rf var/celery var/staticfiles
