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

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# The notebooks ask for this kernel by name; registering it inside .venv means papermill
	# and JupyterLab always find the interpreter that has the package installed.
	$(BIN)/python -m ipykernel install --sys-prefix --name hengelo-analysis \
		--display-name "Python (hengelo_analysis)" > /dev/null
	@touch $(STAMP)

.PHONY: setup
setup: $(STAMP) ## Create .venv and install the package with dev tools (first use only)

.PHONY: report
report: $(STAMP) ## Build the full report on the embedded demo data into reports/
	$(BIN)/hengelo-analysis report --source $(SOURCE) --gemeente $(GEMEENTE) $(PEILJAAR_ARG)

.PHONY: test
test: $(STAMP) ## Run the whole test suite
	$(BIN)/python -m pytest

.PHONY: lint
lint: $(STAMP) ## Lint and format-check code and notebooks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

.PHONY: benchmark
benchmark: $(STAMP) ## Time cold/warm/incremental builds vs the naive loop, national clean, Twente (QUICK=1: demo only)
	$(BIN)/python benchmarks/run_benchmarks.py $(if $(QUICK),--quick,) --out benchmarks/out/results.json

.PHONY: demo-data
demo-data: $(STAMP) ## Regenerate the synthetic demo raw data (byte-identical for the same code)
	$(BIN)/python -m hengelo_analysis.demo data/raw/demo

.PHONY: lab
lab: $(STAMP) ## Open the notebooks in JupyterLab
	$(BIN)/jupyter lab notebooks/

.PHONY: clean
clean: ## Remove processed data and reports (raw data stays)
	rm -rf data/processed/* reports/*

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}'
