# Two commands on a fresh Debian/Ubuntu machine (as root):
#   make run   — install what is missing, migrate, seed the demo province, serve http://127.0.0.1:8000
#   make test  — the whole suite: on PostGIS when DATABASE_URL is set, otherwise on embedded SpatiaLite
SHELL := /bin/bash
# Debian's Python: its sqlite3 can load the SpatiaLite extension (pyenv builds often cannot).
PYTHON ?= /usr/bin/python3
VENV := .venv
BIN := $(VENV)/bin
RUN_PACKAGES := python3-venv gdal-bin libsqlite3-mod-spatialite gettext fonts-thai-tlwg \
	libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libthai0
TEST_PACKAGES := $(RUN_PACKAGES) chromium fonts-thai-tlwg postgresql-client
HOST ?= 127.0.0.1:8000

.PHONY: run test smoke lint system-run system-test venv migrate seed messages screenshots bench

define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else echo "Missing Debian packages: $$missing (run as root or: sudo apt-get install $$missing)"; exit 1; fi; \
	fi
endef

system-run:
	$(call apt_install,$(RUN_PACKAGES))

system-test:
	$(call apt_install,$(TEST_PACKAGES))

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

venv: $(BIN)/.installed

migrate: venv
	$(BIN)/python manage.py migrate --noinput

seed: migrate
	$(BIN)/python manage.py seed_demo

run: system-run venv seed
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

test: system-test venv
	@echo "database: $${DATABASE_URL:-embedded SpatiaLite}"
	$(BIN)/pytest $(PYTEST_ARGS); status=$$?; if [ $$status -eq 5 ]; then echo "no tests collected"; status=0; fi; exit $$status

# Migrate + seed + collect static files (hashed manifest, as in production) + fetch pages on the embedded
# SpatiaLite default (CI runs this besides the suite).
smoke: system-run venv
	env -u DATABASE_URL POC_VAR_DIR=$$(mktemp -d) bash -c '\
	  $(BIN)/python manage.py migrate --noinput -v0 && $(BIN)/python manage.py seed_demo && \
	  $(BIN)/python manage.py check && $(BIN)/python manage.py collectstatic --noinput -v0 && $(BIN)/python tools/smoke.py home gis:map gis:layers risk:campaign_list operations:training_plan operations:contingency_plan documents:document_list documents:letter_list verification:submissions verification:violations verification:responsibility verification:notifications'

# README tour screenshots from the seeded demo (throw-away SpatiaLite, Chromium at 1440×900, a wall and a phone).
screenshots: system-test venv
	env -u DATABASE_URL -u REDIS_URL $(BIN)/python tools/screenshots.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

messages: venv
	$(BIN)/python manage.py makemessages -l th --ignore=.venv --ignore=var --ignore=tests

# Every benchmark as users meet the system (gunicorn over HTTP with gzip, signed in, writes during reads, cold
# requests apart, fresh bulk-loaded database never ANALYZEd here), one table, JSON lines appended to
# bench/results.jsonl. BENCH_SCALE=small (default, ~10 min on 2 cores: demo province, 100k-value import) or
# national (adds 10M generated values over Thailand's villages: ~11 min more the first time; needs
# POC_NATIONAL_REFERENCE_DIR). The database named in BENCH_DATABASE_URL is dropped and re-created when its
# name starts with poc_bench (the national one, <name>_national, is kept between runs).
BENCH_SCALE ?= small
BENCH_DATABASE_URL ?= postgis://postgres@127.0.0.1:5432/poc_bench_$(BENCH_SCALE)
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/15
bench: system-test venv
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) BENCH_SCALE=$(BENCH_SCALE) $(BIN)/python bench/run_all.py $(BENCH_ARGS)
