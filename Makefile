# hengelo_analysis: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
GEMEENTE ?= GM0164
SOURCE ?= demo
PEILJAAR ?=
PEILJAAR_ARG := $(if $(PEILJAAR),--peiljaar $(PEILJAAR),)

# The environment is installed from a hashed lock of every package (`make lock` writes both from
# pyproject.toml): requirements/lock.txt has the lab and dev extras (a developer's .venv),
# requirements/ci.lock.txt the dev extra only (CI and the refresh run no JupyterLab; `.ci/run` and
# the refresh workflow pass LOCKFILE). Two files, not markers: an extra is not a marker a
# requirements file can select by. The venv is rebuilt from nothing (--clear) whenever the lock or
# pyproject.toml changed, so a package dropped from the lock does not linger (tests/test_lock.py
# compares `pip freeze` with the lock). setuptools, the build backend, is in the lock too
# (requirements/build.in), so the project installs without an unhashed build environment.
LOCK_FILE := requirements/lock.txt
CI_LOCK_FILE := requirements/ci.lock.txt
LOCKFILE ?= $(LOCK_FILE)
# Which lock the environment was installed from, with its sha256: the freeze test and every
# edition's provenance read it (pipeline/provenance.py: environment_lock).
LOCK_RECORD := $(VENV)/hengelo-lock.json

# Rebuilt when the recorded lock (name and sha256) is not the one asked for, by content, not mtime:
# a .venv from the CI lock is older than nothing, yet `make setup` must still give the full one,
# and `make lock` rewriting the same bytes must not cost a new environment.
LOCK_WANTED := {"file": "$(LOCKFILE)", "sha256": "$(firstword $(shell sha256sum $(LOCKFILE) 2> /dev/null))"}
ifneq ($(LOCK_WANTED),$(shell cat $(LOCK_RECORD) 2> /dev/null))
$(STAMP): FORCE
endif

.PHONY: FORCE
FORCE:

$(STAMP): pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --only-binary :all: -r $(LOCKFILE)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	# The notebooks ask for this kernel by name; registering it inside .venv means papermill
	# and JupyterLab always find the interpreter that has the package installed.
	$(BIN)/python -m ipykernel install --sys-prefix --name hengelo-analysis \
		--display-name "Python (hengelo_analysis)" > /dev/null
	@printf '{"file": "%s", "sha256": "%s"}\n' "$(LOCKFILE)" \
		"$$(sha256sum $(LOCKFILE) | cut -d ' ' -f 1)" > $(LOCK_RECORD)
	@touch $(STAMP)

.PHONY: setup
setup: $(STAMP) ## Create .venv from the lock (JupyterLab and dev tools) and install the package

# uv resolves for every platform and Python from 3.11 (--universal, requires-python's lowest), with
# the sha256 of every file. It keeps the pins it finds in the lock unless UPGRADE=1. The CI lock is
# constrained by the full one, so the two never pin a package at different versions.
UV_COMPILE = $(BIN)/uv pip compile --quiet --universal --generate-hashes --python-version 3.11 \
	$(if $(UPGRADE),--upgrade,) pyproject.toml requirements/build.in

.PHONY: lock
lock: $(STAMP) ## Re-resolve requirements/lock.txt and ci.lock.txt from pyproject.toml (UPGRADE=1: newest)
	$(UV_COMPILE) --extra lab --extra dev -o $(LOCK_FILE)
	$(UV_COMPILE) --extra dev -c $(LOCK_FILE) -o $(CI_LOCK_FILE)

.PHONY: report
report: $(STAMP) ## Build the full report on the embedded demo data into reports/
	$(BIN)/hengelo-analysis report --source $(SOURCE) --gemeente $(GEMEENTE) $(PEILJAAR_ARG)

.PHONY: test
test: $(STAMP) ## Run the whole test suite (the slow tests share one demo report build)
	$(BIN)/python -m pytest

.PHONY: test-fast
# Spread over the cores (pytest-xdist; the conftest's kernel guard and summary work across its
# workers). Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: without pytest's cache
# of rewritten test modules every worker spends seconds rewriting all of them on every run.
test-fast: $(STAMP) ## Run the tests that build no report, on pytest-xdist workers (about a minute on 2 cores)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -m "not slow" -n auto

.PHONY: lint
lint: $(STAMP) ## Lint and format-check code and notebooks; check the declared dependencies (deptry)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/deptry .
	$(BIN)/actionlint .github/workflows/*.yml

# A fresh environment at the lowest versions pyproject.toml allows for its direct dependencies
# (uv's lowest-direct resolution; what they pull in resolves to the newest), so a `>=` bound that
# no longer works fails here instead of on a user's machine. Rebuilt on every call: a package left
# from an earlier resolution could hide a missing one. LOWEST_PYTHON: the oldest Python that
# requires-python allows. LOWEST_TESTS: the pytest arguments (default: the quick tests).
LOWEST := .venv-lowest
LOWEST_PYTHON ?= $(shell command -v python3.11 || echo $(PYTHON))
LOWEST_TESTS ?= -m "not slow and not browser" -n auto

.PHONY: test-lowest
test-lowest: $(STAMP) ## Run the tests in a new .venv-lowest at the lowest allowed direct versions
	rm -rf $(LOWEST)
	$(BIN)/uv venv --quiet --python $(LOWEST_PYTHON) $(LOWEST)
	$(BIN)/uv pip compile --quiet --resolution lowest-direct --all-extras \
		--python $(LOWEST)/bin/python pyproject.toml -o $(LOWEST)/requirements.txt
	$(BIN)/uv pip sync --quiet --python $(LOWEST)/bin/python $(LOWEST)/requirements.txt
	$(BIN)/uv pip install --quiet --python $(LOWEST)/bin/python --no-deps -e .
	$(LOWEST)/bin/python -m ipykernel install --sys-prefix --name hengelo-analysis \
		--display-name "Python (hengelo_analysis)" > /dev/null
	@# not made from the lock: the freeze test skips here even in CI (it ran in .venv)
	env -u HENGELO_REQUIRE_LOCKED $(LOWEST)/bin/python -m pytest $(LOWEST_TESTS)

.PHONY: benchmark
benchmark: $(STAMP) ## Time cold/warm/incremental builds vs the naive loop, national clean, Twente (QUICK=1: demo only)
	$(BIN)/python benchmarks/run_benchmarks.py $(if $(QUICK),--quick,) --out benchmarks/out/results.json

.PHONY: demo-data
demo-data: $(STAMP) ## Regenerate the synthetic demo raw data (byte-identical for the same code)
	$(BIN)/python -m hengelo_analysis.demo data/raw/demo

# Root in a container (the usual docker run): Jupyter refuses root without --allow-root, and a
# server bound to the container's localhost cannot be reached from the host browser.
IN_CONTAINER := $(wildcard /.dockerenv /run/.containerenv)
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,) $(if $(IN_CONTAINER),--ip=0.0.0.0 --no-browser,)

# What the notebooks' parameters cell says by default (tests/test_project.py checks it): the
# findings document a notebook opened as it is reads.
LAB_RATE_UNIT := 1000

.PHONY: lab
lab: $(STAMP) ## Clean and judge the data when missing or stale (cached), then open JupyterLab
	@$(BIN)/python -c "import jupyterlab" 2> /dev/null || \
		{ echo "JupyterLab is not in this .venv (made from the CI lock?); run: make setup LOCKFILE=$(LOCK_FILE)" >&2; exit 1; }
	$(BIN)/hengelo-analysis clean --source $(SOURCE)
	$(BIN)/hengelo-analysis findings --source $(SOURCE) --gemeente $(GEMEENTE) $(PEILJAAR_ARG) \
		--rate-unit $(LAB_RATE_UNIT)
	$(BIN)/jupyter lab $(LAB_ARGS) notebooks/

.PHONY: clean
clean: ## Remove processed data and reports (raw data stays)
	rm -rf data/processed/* reports/*

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'
