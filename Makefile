# The two commands of the README: `make demo` and `make test`. Both set everything up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast bench fuzz lint sysdeps clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip >/dev/null
	@$(PY) -m pip install -q -e '.[test]'
	@touch $(STAMP)

sysdeps:
	@scripts/ensure-system-packages.sh

demo: $(STAMP) sysdeps
	@mkdir -p out
	@$(VENV)/bin/resguarda evaluate examples/ai-center.yaml --format json -o out/ai-center.json --as-of 2026-11-20 || test $$? -eq 1
	@$(VENV)/bin/resguarda evaluate examples/ai-center.yaml --format pdf --lang en -o out/ai-center-report-en.pdf --as-of 2026-11-20 || test $$? -eq 1
	@$(VENV)/bin/resguarda evaluate examples/ai-center.yaml --format pdf -o out/ai-center-report.pdf --as-of 2026-11-20 || test $$? -eq 1
	@echo "$(CURDIR)/out/ai-center-report.pdf"

test: $(STAMP) sysdeps
	@$(VENV)/bin/ruff check checker tests scripts
	@$(VENV)/bin/mypy
	@$(PY) -m pytest

# The fast lane while editing: lint and every test not marked slow (tests/conftest.py).
test-fast: $(STAMP)
	@$(VENV)/bin/ruff check checker tests scripts
	@$(VENV)/bin/mypy
	@$(PY) -m pytest -m "not slow"

bench: $(STAMP) sysdeps
	@$(PY) scripts/bench.py

# Hypothesis over the loader and the whole CLI path, 10,000 cases (tests/test_fuzz.py, docs/robustez.md),
# then 3,000 generated cipher tables read with and without cutting them down (tests/test_tls_compact.py).
fuzz: $(STAMP)
	@HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/test_fuzz.py -p no:cacheprovider -x
	@HYPOTHESIS_PROFILE=fuzz $(PY) -m pytest tests/test_tls_compact.py -k generated -p no:cacheprovider -x

lint: $(STAMP)
	@$(VENV)/bin/ruff check checker tests scripts
	@$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) out build dist bench-data
