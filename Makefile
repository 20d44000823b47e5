# openIMIS developer entry points. See scripts/ for what setup/demo/stop do.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv/bin
PY := $(VENV)/python
TEST_SETTINGS := openimis.settings.test

.PHONY: help setup demo stop test lint bench messages

help:
	@echo "make setup     install packages, venv, PostgreSQL/Redis, migrate, collectstatic"
	@echo "make demo      setup + demo data, run on http://127.0.0.1:8000/ in the background"
	@echo "make stop      stop the demo processes"
	@echo "make test      setup (test settings), lint, then pytest"
	@echo "make lint      ruff check, ruff format --check, mypy"
	@echo "make bench     setup, then bench/run.py"
	@echo "make messages  update the French translation catalogue (locale/fr)"

setup:
	scripts/setup.sh

demo:
	scripts/demo.sh

stop:
	scripts/stop.sh

# Each step stops the run on failure, so `make test` exits non-zero if any step fails.
# DJANGO_SETTINGS_MODULE is exported for the whole recipe so that mypy's django plugin and
# pytest-django use the test settings even if the caller's shell exports another module.
test: export DJANGO_SETTINGS_MODULE := $(TEST_SETTINGS)
test:
	scripts/setup.sh
	$(MAKE) --no-print-directory lint
	$(VENV)/pytest

lint:
	$(VENV)/ruff check .
	$(VENV)/ruff format --check .
	$(VENV)/mypy .

bench: setup
	$(PY) bench/run.py

messages:
	mkdir -p locale
	$(PY) manage.py makemessages -l fr --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=var
