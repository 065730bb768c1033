# videogen: `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
export HOST PORT

.PHONY: run test web worker migrate bench check clean

$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-runtime requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

## The whole platform on one machine: embedded Redis (unless REDIS_URL is set),
## SQLite (unless DATABASE_URL is set), one worker, the reconciler, the web server.
## DEBUG stays off unless set; missing secrets are generated into .secrets.local.json.
run: $(VENV)/.installed-runtime
	LOCAL_SECRETS=1 $(PY) manage.py runplatform --host $(HOST) --port $(PORT)

## The test suite; uses DATABASE_URL / REDIS_URL when set, embedded defaults otherwise.
test: $(VENV)/.installed-dev
	$(PY) -m pytest $(PYTEST_ARGS)

## Deployment building blocks: each reads DATABASE_URL / REDIS_URL from the environment.
migrate: $(VENV)/.installed-runtime
	$(PY) manage.py migrate --noinput

## The web tier as compose deploys it: nginx (buffers slow clients) in front of gunicorn.
web: $(VENV)/.installed-runtime
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) -m videogen.webtier --bind $(HOST):$(PORT)

worker: $(VENV)/.installed-runtime
	$(PY) manage.py worker --queues $${WORKER_QUEUES:-cpu,default}

bench: $(VENV)/.installed-dev
	$(PY) -m benchmarks.run_all

check: $(VENV)/.installed-dev
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
