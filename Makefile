# Two commands matter: `make demo` and `make test`. Both build the environment from nothing.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
RUN := $(UV) run --locked

# Debian packages the real-components tests (tests/cluster) start: PostgreSQL for Airflow's
# metadata database, Redis as the Celery broker; curl (7.82+ for --json) and jq, which the
# READMEs' shell sessions use (tests/docs/test_readme_sessions.py runs them). Installed once,
# with apt-get (as root).
SYSTEM_PACKAGES := postgresql redis-server curl jq
# Debian's Chromium for the web UI tests (tests/web_ui: Playwright drives it; Playwright's own
# browser download cannot run here); the DejaVu fonts draw Persian text.
BROWSER_PACKAGES := chromium fonts-dejavu-core

# Installs the Debian packages among $(1) that are missing (apt-get, as root).
define apt_install
	@missing=""; for package in $(1); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

.PHONY: demo test lint typecheck unit cluster-matrix bench sandbox docs docs-serve dist env system browser matrix clean

$(UV):
	@echo "Installing uv $(UV_VERSION) into $(TOOLS)/ (once)"
	@$(PYTHON) -m venv $(TOOLS)
	@$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# .venv in sync with uv.lock: one summary line here, uv's full output in $(SYNC_LOG)
SYNC_LOG := $(TOOLS)/uv-sync.log
env: $(UV)
	@$(UV) sync --locked --all-packages > $(SYNC_LOG) 2>&1 || { cat $(SYNC_LOG); exit 1; }
	@echo "Environment .venv in sync with uv.lock ($$(grep -E '^(Installed|Checked|Audited) ' $(SYNC_LOG) \
	  | tail -1 | sed 's/ in [0-9.]*m*s$$//'); full log: $(SYNC_LOG))"

system:
	$(call apt_install,$(SYSTEM_PACKAGES))

browser:
	$(call apt_install,$(BROWSER_PACKAGES))

# Airflow 3.0 and 3.1 beside the locked one, each in .matrix/ from pins in scripts/airflow_pins/
matrix: env
	$(RUN) python scripts/airflow_matrix.py build

demo: env
	@$(RUN) python scripts/demo.py

test: env system browser matrix lint typecheck unit

lint: env
	$(RUN) ruff check .
	$(RUN) ruff format --check .

typecheck: env
	$(RUN) mypy

# The real-components scenario (tests/cluster) on Airflow 3.0.0 and 3.1.0, LocalExecutor, each
# on its own PostgreSQL database: 100 to 120 s a version on this machine
CLUSTER_MATRIX := env IPPANEL_CLUSTER_AIRFLOW=3.0.0,3.1.0 $(RUN) pytest \
	--basetemp=.matrix/cluster-tmp tests/cluster/test_real_components.py

# tests/cluster first and alone (its deployments time heartbeats and deferrals); then the rest of
# the suite, which keeps one core busy, with the scenario on Airflow 3.0.0 and 3.1.0 beside it
# on the other (scripts/beside.py; its output in .matrix/cluster-matrix.log). Every part runs
# even when one fails; the status is the first failure's. Each part lists its slowest steps
# (--durations), so what each part of the suite costs is in the output.
unit: env system browser matrix
	@status=0; $(RUN) pytest --durations=12 tests/cluster || status=$$?; \
	$(RUN) python scripts/beside.py .matrix/cluster-matrix.log -- $(CLUSTER_MATRIX) \
	  -- $(RUN) pytest --durations=25 --ignore=tests/cluster || status=$$?; exit $$status

cluster-matrix: env system matrix
	$(CLUSTER_MATRIX)

bench: env
	$(RUN) python benchmarks/run.py

sandbox: env
	$(RUN) ippanel-mock --port 8089

# The documentation site, strict (a broken link or reference fails), into site/: open site/index.html
docs: env
	NO_MKDOCS_2_WARNING=1 $(RUN) mkdocs build --strict

docs-serve: env
	NO_MKDOCS_2_WARNING=1 $(RUN) mkdocs serve --strict

# Wheels and sdists of both distributions into dist/, checked with twine
dist: env
	rm -rf dist
	$(UV) build --all-packages --out-dir dist
	$(RUN) twine check --strict dist/*

clean:
	rm -rf .venv $(TOOLS) .matrix .demo .bench .pytest_cache .mypy_cache .ruff_cache site dist
