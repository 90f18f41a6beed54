# openedx.data_services — set-up, local run and tests.
#   make local   set up everything, start the sandbox, provision inventories/local
#   make test    everything CI runs (.ci/run calls it)
#   make bench   the performance table: parallel provisioning against a serial baseline and the floor

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ENV ?= local
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help local bench venv system-deps sandbox-up sandbox-down test lint unit component integration sanity galaxy-importer build clean

help:
	@grep -E '^#   make' Makefile | sed 's/^#   //'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# The sandbox's data plane: real MariaDB and Redis servers from Debian.
system-deps:
	@if ! command -v mariadbd >/dev/null || ! command -v mariadb-install-db >/dev/null \
	    || ! command -v redis-server >/dev/null || ! command -v openssl >/dev/null \
	    || ! command -v shellcheck >/dev/null; then \
	  echo "Installing mariadb-server, redis-server, openssl and shellcheck (Debian packages)"; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
	    mariadb-server mariadb-client redis-server redis-tools openssl shellcheck >/dev/null; \
	fi

sandbox-up: venv system-deps
	$(BIN)/python -m sandbox up

sandbox-down: venv
	$(BIN)/python -m sandbox down

local: sandbox-up
	$(BIN)/ansible-playbook playbooks/data-services.yml -i inventories/local
	@echo "Artifacts: $(CURDIR)/artifacts/local/ (connections.yml)"

test: lint unit component integration

# On a sandbox of its own at SANDBOX_TIME_SCALE=5 (about 10 minutes); see bench/__main__.py.
bench: venv system-deps
	$(BIN)/python -m bench

lint: venv
	$(BIN)/ruff check .
	$(BIN)/yamllint --strict .
	$(BIN)/ansible-lint --profile production
	$(MAKE) sanity galaxy-importer

unit: venv system-deps
	$(BIN)/pytest tests/unit

# Against moto in-process and real sandbox servers on free ports; independent tests run in parallel.
component: venv system-deps
	$(BIN)/pytest -n 2 tests/component

integration: venv system-deps
	bash tests/integration/run.sh

build: venv
	rm -f openedx-data_services-*.tar.gz
	$(BIN)/ansible-galaxy collection build --force .

sanity: venv system-deps
	bash tests/sanity/run.sh

galaxy-importer: build
	GALAXY_IMPORTER_CONFIG=$(CURDIR)/tests/galaxy-importer.cfg \
	  $(BIN)/python -m galaxy_importer.main openedx-data_services-*.tar.gz

clean: sandbox-down
	rm -rf artifacts .sandbox openedx-data_services-*.tar.gz tests/output
