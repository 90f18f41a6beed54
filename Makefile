# openedx.data_services — set-up, local run and tests.
#   make local   set up everything, start the sandbox, provision inventories/local (data services and Analytics)
#   make test    everything CI runs (.ci/run calls it)
#   make bench   the performance table: the director's overhead over the slowest resource, no-op and check runs
#   make docs    the collection's HTML docsite in build/docs/build/html (antsibull-docs, Sphinx)
#   make ee      the execution environment for AWX / Ansible Automation Platform (podman or docker; EE_TAG=...)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ENV ?= local
DOCS_DIR := build/docs
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help local bench venv system-deps sandbox-up sandbox-down test lint style ansible-lint docs-lint docs unit component system \
	sanity galaxy-importer build ee-context ee clean

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# The sandbox's data plane: real MariaDB, Redis and PostgreSQL servers from Debian (mariadb-backup copies RDS
# snapshots); headless Chromium renders report.html in the system tests.
system-deps:
	@if ! command -v mariadbd >/dev/null || ! command -v mariadb-install-db >/dev/null \
	    || ! command -v mariadb-backup >/dev/null || ! command -v mariadb-binlog >/dev/null \
	    || ! command -v redis-server >/dev/null || ! command -v openssl >/dev/null \
	    || ! command -v shellcheck >/dev/null || ! command -v chromium >/dev/null \
	    || ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then \
	  echo "Installing mariadb-server, mariadb-backup, redis-server, openssl, shellcheck, chromium and postgresql (Debian packages)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    mariadb-server mariadb-client mariadb-backup redis-server redis-tools openssl shellcheck chromium \
	    postgresql >/dev/null; \
	fi

sandbox-up: venv system-deps
	$(BIN)/python -m sandbox up

sandbox-down: venv
	$(BIN)/python -m sandbox down

local: sandbox-up
	$(BIN)/ansible-playbook playbooks/site.yml -i inventories/local
	@echo "Artifacts: $(CURDIR)/artifacts/local/ (connections.yml, edx-configuration/, tutor/, k8s/, analytics/)"

test: lint unit component system

# On a sandbox of its own at SANDBOX_TIME_SCALE=5 and 20 (about 18 minutes); see bench/__main__.py.
bench: venv system-deps
	$(BIN)/python -m bench

# The checks are independent and mostly single-threaded: two at a time, each one's output printed whole when it ends.
lint: venv
	$(MAKE) -j2 --output-sync=target style ansible-lint docs-lint sanity galaxy-importer

style: venv
	$(BIN)/ruff check .
	$(BIN)/yamllint --strict .

ansible-lint: venv
	$(BIN)/ansible-lint --profile production

# antsibull-docs copies the collection and its dependencies (as ansible-galaxy finds them) into a tree of its
# own, and copies only the git-tracked files of a directory inside a git work tree. amazon.aws and the other
# dependencies are in the venv, which the checkout's git ignores: git must not look above the venv for them.
docs-lint: venv
	$(BIN)/python tools/role_readme.py --check
	GIT_CEILING_DIRECTORIES=$(realpath $(VENV)) $(BIN)/antsibull-docs lint-collection-docs --plugin-docs .

# Lenient: offline, Sphinx cannot fetch docs.ansible.com's inventories, so links to ansible-core and amazon.aws
# pages stay plain text (warnings, not errors). docs-lint is the strict check.
docs: venv
	rm -rf $(DOCS_DIR)
	install -d -m 700 $(DOCS_DIR)
	$(BIN)/antsibull-docs sphinx-init --use-current --fail-on-error --lenient --dest-dir $(DOCS_DIR) \
	  --project openedx.data_services --title openedx.data_services \
	  --copyright 'Open edX data services maintainers' openedx.data_services
	$(DOCS_DIR)/build.sh
	@pages=$(DOCS_DIR)/build/html/collections/openedx/data_services; missing=0; \
	for page in $(patsubst plugins/modules/%.py,%_module,$(wildcard plugins/modules/*.py)) \
	    $(patsubst roles/%/meta/argument_specs.yml,%_role,$(wildcard roles/*/meta/argument_specs.yml)); do \
	  [ -f $$pages/$$page.html ] || { echo "No page $$pages/$$page.html"; missing=1; }; \
	done; \
	echo "$$(ls $$pages/*_module.html | wc -l) module and $$(ls $$pages/*_role.html | wc -l) role pages:" \
	  "$(DOCS_DIR)/build/html/index.html"; \
	exit $$missing

# Pure code, mirroring plugins/.
unit: venv
	$(BIN)/pytest tests/unit

# Modules and the sandbox against moto in-process, with the sandbox's real servers on free ports where a test
# needs one; independent tests run in parallel.
component: venv system-deps
	$(BIN)/pytest -n 2 tests/component

# The playbooks against the sandbox: the Molecule scenario, then pytest.
system: venv system-deps
	bash tests/system/run.sh

build: venv
	rm -f openedx-data_services-*.tar.gz
	$(BIN)/ansible-galaxy collection build --force .

sanity: venv system-deps
	bash tests/sanity/run.sh

# The execution environment (execution-environment.yml): this collection built from the checkout, then ansible-builder.
# ee-context stops at the build context (build/ee/context), which needs no container runtime.
EE_TAG ?= openedx-data-services-ee:$(shell sed -n 's/^version: *//p' galaxy.yml)
EE_RUNTIME ?= $(shell command -v podman >/dev/null && echo podman || echo docker)

ee-context: venv
	rm -rf build/ee
	$(BIN)/ansible-galaxy collection build --output-path build/ee .
	mv build/ee/openedx-data_services-*.tar.gz build/ee/openedx-data_services.tar.gz
	$(BIN)/ansible-builder create --file execution-environment.yml --context build/ee/context \
	  --output-filename Containerfile

ee: ee-context
	$(EE_RUNTIME) build --file build/ee/context/Containerfile --tag $(EE_TAG) build/ee/context

galaxy-importer: build
	GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/galaxy-importer.cfg \
	  $(BIN)/python -m galaxy_importer.main openedx-data_services-*.tar.gz

clean: sandbox-down
	rm -rf artifacts .sandbox openedx-data_services-*.tar.gz tests/output build
