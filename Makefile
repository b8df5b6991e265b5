# The two commands: `make run` and `make test`. Both install what they need on a fresh Debian machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PG_URL ?= postgresql://127.0.0.1:5432/test
# Debian packages the product needs: CJK fonts and HarfBuzz subsetting for the PDFs, poppler for PDF checks,
# Chromium for the browser tests.
OS_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 poppler-utils libpango-1.0-0 libpangoft2-1.0-0
TEST_OS_PACKAGES := chromium
# Two workers on two cores; a test file stays on one worker (module-scoped worlds are built once). The files come
# longest first (tests/support/scheduling.py), so xdist's own reordering (by number of tests) is turned off.
PYTEST_ARGS ?= -q -p no:cacheprovider -n 2 --dist loadfile --no-loadscope-reorder --durations=10
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export FLASK_APP := lms

# Pure modules not named rules.py (tests/core/test_layers.py lists the same): type-checked like the rules.
PURE_MODULES := lms/attempts/key_corrections.py lms/accounts/passwords.py lms/courses/loader.py \
  lms/courses/pack_rules.py $(wildcard lms/quizzes/importers/gift*.py) lms/quizzes/builder.py \
  $(wildcard lms/quizzes/importers/word*.py) \
  lms/quizzes/definitions.py lms/quizzes/question_types.py lms/quizzes/quiz_file_questions.py \
  lms/quizzes/quiz_files.py lms/quizzes/specs.py lms/assessment/appeal_rules.py $(wildcard lms/quizzes/types/*.py) \
  lms/quizzes/importers/text_formats.py lms/field/visit_rules.py lms/field/shop_rules.py lms/field/indicator_rules.py \
  lms/outreach/report_rules.py lms/outreach/media_rules.py \
  lms/quizzes/importers/moodle_xml.py lms/quizzes/exporters/moodle_xml.py \
  lms/quizzes/importers/aiken.py lms/quizzes/exporters/gift.py \
  lms/quizzes/import_plan.py lms/quizzes/exporters/spreadsheet.py lms/field/checkin_rules.py \
  lms/outreach/coverage_rules.py lms/outreach/session_rules.py lms/outreach/contact_rules.py \
  lms/outreach/reminder_rules.py

.PHONY: run test install os-deps test-os-deps lint test-sqlite test-postgres test-durations i18n bench audit clean screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed i18n

os-deps:
	@missing=$$(for p in $(OS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing OS packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

test-os-deps: os-deps
	@missing=$$(for p in $(TEST_OS_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "installing OS packages: $$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

i18n: | $(VENV)/.installed
	$(BIN)/python scripts/i18n.py compile

run: os-deps install
	$(BIN)/flask db upgrade
	$(BIN)/flask sync
	$(BIN)/flask demo
	$(BIN)/gunicorn --workers 2 --worker-class sync --bind 127.0.0.1:$(PORT) --access-logfile - 'lms:create_app()'

lint: install
	$(BIN)/ruff check lms tests scripts $(wildcard bench)
	$(BIN)/mypy --follow-imports=silent $$(ls lms/*/rules.py) lms/core $(PURE_MODULES)

test-sqlite: install test-os-deps
	env -u DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres: install test-os-deps
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  if [ -n "$$CI" ]; then echo "PostgreSQL is not reachable on 127.0.0.1:5432: CI must run the suite there" >&2; exit 1; fi; \
	  echo "WARNING: PostgreSQL not reachable; skipping the PostgreSQL run (CI does not skip it)" >&2; exit 0; fi
	@# Browser tests prove pages, which the SQLite run already shows in Chromium; the server side of every page and
	@# API is exercised on PostgreSQL by the rest of the suite (the route matrix opens every route as every role).
	@# db_free tests (no database in their fixtures: rules, parsers, the catalogue, bandit) would only repeat
	@# themselves here; tests/support/scheduling.py marks them from each test's fixtures.
	DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS) -m "not browser and not db_free"

test: lint audit test-sqlite test-postgres

# The SQLite pass, writing each file's seconds to tests/support/durations.json (the order the workers take files
# in: longest first). Run it and commit the file when files have been added or have grown.
test-durations: install test-os-deps
	env -u DATABASE_URL LMS_RECORD_DURATIONS=1 $(BIN)/pytest $(PYTEST_ARGS)

# Not part of `make test`: about 10 minutes on 2 cores. BENCH_ARGS=--quick for a smoke run.
bench: os-deps install
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Supply chain: bandit (no high-severity finding in lms/) and pip-audit (no known vulnerability in what is
# installed). An unreachable advisory service only warns; LMS_AUDIT_REQUIRE_SERVICE=1 makes it fatal (see the script).
audit: install
	$(BIN)/bandit -q -r lms -lll
	$(BIN)/python scripts/audit_dependencies.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache

# The browser walk of every page (tests/browser/walk.py) writing a PNG of each page per identity and viewport, and
# the walk's figures (axe findings, problems) as JSON, to screenshots/ (git-ignored). Review the product by eye.
screenshots: install test-os-deps
	rm -rf screenshots
	-env -u DATABASE_URL LMS_WALK_SCREENSHOTS=$(CURDIR)/screenshots $(BIN)/pytest -q -p no:cacheprovider -n 2 \
	  --dist loadfile tests/browser/test_walk_*.py -k "not every_form"
	$(BIN)/python tests/browser/walk_summary.py screenshots
