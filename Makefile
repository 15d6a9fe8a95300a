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

stop-db:
	-$(PY) -c "import pgserver,sys; from pathlib import Path; p=Path('instance/pgdata'); p.exists() and pgserver.get_server(str(p)).cleanup()"

clean-db: stop-db
	rm -rf instance/pgdata
