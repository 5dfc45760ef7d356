# Footcoach: `make chat` to talk to the coach, `make test` to check everything.
# Both create the virtual environment (.venv) and install the project when needed.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: chat test lint run bench check-knowledge clean

$(INSTALLED): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(INSTALLED)

chat: $(INSTALLED)
	$(VENV)/bin/footcoach chat

run: $(INSTALLED)
	$(VENV)/bin/footcoach run

lint: $(INSTALLED)
	$(VENV)/bin/ruff check bot tests bench
	$(VENV)/bin/ruff format --check bot tests bench
	$(VENV)/bin/mypy bot tests bench
	$(VENV)/bin/lint-imports --no-cache

check-knowledge: $(INSTALLED)
	$(VENV)/bin/footcoach check-knowledge

# The reader's quality figures print in their own run; everything else on two processes
# (pytest-xdist, a test file to a process), which halves the time on a 2-core machine.
test: lint check-knowledge
	$(PY) -m pytest tests/core/test_reader_quality.py
	$(PY) -m pytest -n 2 --dist loadfile --ignore=tests/core/test_reader_quality.py

# The several-workers figures need PostgreSQL: the local server when one answers.
LOCAL_PG := postgresql+asyncpg://postgres@127.0.0.1:5432/test
bench: $(INSTALLED)
	@if [ -z "$$BENCH_DATABASE_URL" ] && pg_isready -q -h 127.0.0.1 2>/dev/null; then \
		export BENCH_DATABASE_URL=$(LOCAL_PG); fi; $(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
