# The two commands of README.md: `make run` and `make test`. Each sets itself up.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(abspath $(BIN)):$(PATH)
DEMO_ADMIN_EMAIL ?= admin@championclone.local

.PHONY: run test install install-dev lint migrate worker clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: export DEBUG ?= true
migrate: install
	$(BIN)/python manage.py migrate --noinput

## Web server on 127.0.0.1:8000 with a Celery worker and beat beside it; Ctrl-C stops all.
## A development server: DEBUG on (settings default to off), its own secret key under var/.
run: export DEBUG ?= true
run: migrate
	$(BIN)/python manage.py create_admin --email $(DEMO_ADMIN_EMAIL) --generate --if-missing
	$(BIN)/python manage.py seed_test_data
	$(BIN)/python manage.py seed_email_templates
	$(BIN)/python manage.py seed_demo --foreground
	$(BIN)/honcho start --procfile Procfile.dev

## The whole test suite (SQLite and no services unless DATABASE_URL / REDIS_URL are set).
test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) var
