# The two commands of the README: `make run` and `make test`. Both need nothing but Python 3.11.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv web worker beat lint bench

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Development server on SQLite with in-process tasks, demo data and this and next week's sheets.
run: export DEBUG ?= true
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	# Next week first: flags belong on the sheet still ahead, so a second `make run` changes nothing.
	$(PY) manage.py build_callsheets
	$(PY) manage.py build_callsheets --week $$(date +%F)
	@$(PY) manage.py seed_demo --logins
	@echo "Sign in at http://$(HOST):$(PORT)/accounts/login/"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: venv
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Production processes (also in the Procfile): set DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS.
web: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	$(VENV)/bin/gunicorn ceocalls.wsgi --bind 0.0.0.0:$(PORT) --workers 3 --threads 4 --access-logfile -

worker: venv
	$(VENV)/bin/celery -A ceocalls worker --loglevel INFO

# Benchmarks (README "Benchmarks"): PostgreSQL required; SCALE customers, 10,000 by default, 100,000 in full.
SCALE ?= 10000
bench: venv
	$(PY) -m bench --scale $(SCALE) $(BENCH_ARGS)

beat: venv
	$(VENV)/bin/celery -A ceocalls beat --loglevel INFO --schedule $(or $(BEAT_SCHEDULE_FILE),/tmp/ceocalls-beat-schedule)
