# The two commands: `make run` and `make test`. Everything else is a step they use.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Local runs use the embedded defaults (SQLite, a broker that needs no server); production sets
# DEBUG=false and the variables tracker/settings.py asks for.
export DEBUG ?= true

# Markers of tests that need servers or a browser; `make test` runs everything else.
SERVICE_MARKERS := not postgres and not redis and not worker and not browser

.PHONY: run test install setup lint check-migrations clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

setup: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_jurisdictions
	$(BIN)/python manage.py load_statuses
	$(BIN)/python manage.py create_demo_curator

run: setup
	./scripts/run_local.sh

test: install
	$(BIN)/pytest -m "$(SERVICE_MARKERS)"

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
