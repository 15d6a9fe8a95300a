# Two commands do everything: `make run` (the product with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install lint bench-search clean-db stop-db

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m app.devserver

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests

# Stop the embedded PostgreSQL (it keeps running between two `make run` for a fast start).
stop-db:
	-@test -d instance/pgdata && $(PY) -c "import pgserver; pgserver.get_server('instance/pgdata', cleanup_mode='stop')"

clean-db: stop-db
	rm -rf instance/pgdata
