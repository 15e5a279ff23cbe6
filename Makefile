# Volixta: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Build output lives outside the clone so repeated runs on one machine reuse it.
CARGO_TARGET_DIR ?= $(HOME)/.cache/volixta-target
VOLIXTA_TEST_DATABASE_URL ?= mysql://root@127.0.0.1:3306
export CARGO_TARGET_DIR VOLIXTA_TEST_DATABASE_URL

.PHONY: help demo stop build deps-demo deps-test test test-rust test-php test-e2e test-cluster bench clean

help:
	@echo "make demo       install what is missing, build, start service + WordPress + maildev, load demo data"
	@echo "make stop       stop what make demo started"
	@echo "make test       install what is missing, then Rust, plugin PHP, end-to-end and Galera cluster tests"
	@echo "make test-rust | test-php | test-e2e | test-cluster   one suite only (after make deps-test)"
	@echo "make build      cargo build of volixta-service (debug)"
	@echo "make bench      release benchmarks (service, and wp-admin pages through WordPress); figures go to docs/benchmarks.md"

demo: deps-demo build
	@scripts/demo.sh

stop:
	@scripts/stop.sh

build:
	cargo build -p volixta-service

deps-demo:
	@scripts/install-deps.sh demo

deps-test:
	@scripts/install-deps.sh test

test: deps-test
	@scripts/test.sh

test-rust:
	@scripts/test.sh rust

test-php:
	@scripts/test.sh php

test-e2e:
	@scripts/test.sh e2e

# Starts a three-node Galera cluster (scripts/galera.sh), runs the cluster tests, stops it.
test-cluster:
	@scripts/test.sh cluster

# Each benchmark prints its table and rewrites its own section of docs/benchmarks.md.
bench: deps-test
	cargo bench -p volixta-service
	cargo build --release -p volixta-service
	VOLIXTA_SERVICE_BIN=$(CARGO_TARGET_DIR)/release/volixta-service node tests/bench/admin-page.mjs
	VOLIXTA_SERVICE_BIN=$(CARGO_TARGET_DIR)/release/volixta-service node tests/bench/portal-page.mjs

clean: stop
	rm -rf .cache target
