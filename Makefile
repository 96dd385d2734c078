# The README's two commands: `make build` and `make test`. Each sets up .venv first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: build test check golden bench clean

build: $(STAMP)
	$(VENV)/bin/onebot-gen build

test: $(STAMP)
	$(PY) -m pytest

# Fails when generated/ or the fixture goldens are stale.
check: $(STAMP)
	$(VENV)/bin/onebot-gen build --check

# Regenerates every golden file: generated/ and the fixture specs' expected output.
golden: $(STAMP)
	$(VENV)/bin/onebot-gen build
	$(PY) -m tests.regenerate

# Benchmarks print ratios against baselines measured in the same run (see bench/).
bench: $(STAMP)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) bench/build.py
	$(PY) bench/client.py
	$(PY) bench/events.py
	$(PY) bench/scale.py
	$(PY) bench/cq.py
	$(PY) bench/import_time.py

# setuptools says, on every editable install with a package-dir (generator/ is onebot_gen), that
# folders named like the package could shadow it: there are none here.
$(STAMP): export PYTHONWARNINGS = ignore::UserWarning:setuptools.command.editable_wheel
$(STAMP): pyproject.toml generated/pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m pip install --quiet -e './generated[all]'
	touch $(STAMP)

clean:
	rm -rf $(VENV)
