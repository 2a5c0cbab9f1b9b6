# Luchang: `make run` starts the app with demo data, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP_RUN := $(VENV)/.installed-run
STAMP_TEST := $(VENV)/.installed-test

.PHONY: run test fuzz bench soak venv messages clean

$(PY):
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Luchang needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_RUN): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet .
	touch $@

$(STAMP_TEST): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet '.[test]'
	touch $@ $(STAMP_RUN)

venv: $(STAMP_RUN)

# `make run` serves the collected, hashed and precompressed static files, as production does.
run: export STATIC_MANIFEST = true
# The escalation worker (SMS, voice, the desk flag; the log channel in development) runs inside Daphne.
run: export NOTIFY_WORKER_IN_PROCESS = true
# The links in SMS and voice messages lead to this server (unless NOTIFY_BASE_URL says otherwise).
run: export NOTIFY_BASE_URL ?= http://$(HOST):$(PORT)
run: $(STAMP_RUN)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py demo
	@echo ""
	@echo "Luchang is starting on http://$(HOST):$(PORT)/"
	@echo "  citizens:   http://$(HOST):$(PORT)/stations/"
	@echo "  login:      http://$(HOST):$(PORT)/login/"
	@echo "  API docs:   http://$(HOST):$(PORT)/api/docs/"
	@echo "  admin:      http://$(HOST):$(PORT)/admin/"
	@echo "  health:     http://$(HOST):$(PORT)/healthz"
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) fieldapp.project.asgi:application

# Everything this machine can run; a missing browser, PostgreSQL or Redis skips
# its tests here and fails them under CI=true. CI picks tests with PYTEST_ARGS,
# e.g. make test PYTEST_ARGS='-m "not browser and not multiprocess"'.
PYTEST_ARGS ?=
test: $(STAMP_TEST)
	$(PY) -m pytest $(PYTEST_ARGS)

# schemathesis against the API as every role, with many more examples than the CI run.
FUZZ_EXAMPLES ?= 50
FUZZ_SEED ?= 20261201
fuzz: $(STAMP_TEST)
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_SEED=$(FUZZ_SEED) $(PY) -m pytest -p no:cacheprovider -s tests/test_api_fuzz.py

# One table of figures, goals and same-run baselines, also written to bench/results/latest.json.
# make bench QUICK=1: PostgreSQL only, small sizes, under 2 minutes (QUICK reaches the scripts
# through the environment). BENCH_ARGS picks scripts, e.g. make bench BENCH_ARGS='stations ingest'.
BENCH_ARGS ?=
bench: $(STAMP_TEST)
	$(PY) bench/run.py $(BENCH_ARGS)

# Not in CI: 500 phones on two Daphnes for 30 minutes, through a Redis restart and
# a kill -9, on a scratch PostgreSQL database. Shorter: make soak SOAK_ARGS='--minutes 5'.
SOAK_ARGS ?=
soak: $(STAMP_TEST)
	$(PY) bench/soak.py $(SOAK_ARGS)

# Regenerate and compile the Chinese catalogue (needs GNU gettext).
messages: $(STAMP_RUN)
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=bench
	$(PY) manage.py makemessages -d djangojs -l zh_Hans --ignore=.venv --ignore=staticfiles --ignore=bench
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
