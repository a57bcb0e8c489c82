# aix-gdbstub: one entry point per job. `make test` is what CI runs (.ci/run).
SHELL := /bin/bash
NODE ?= node

.PHONY: all deps toolchains build fixtures test unit demo bench conformance conformance-stdlib clean

all: build

# npm dependencies (node_modules is reused when package-lock.json has not changed).
deps: node_modules/.package-lock.json
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# Debian toolchains: gdb-multiarch, qemu-user, binutils-multiarch, Go 1.19, Go 1.24 (private cache).
toolchains:
	bash scripts/install-toolchains.sh

# dist/, then the start-up snapshot that scripts/aix-gdbstub starts `run` from.
build: deps
	npx tsc -p tsconfig.json
	bash scripts/build-snapshot.sh

# Go fixtures for aix/ppc64 (Go 1.24 and 1.19) and linux/ppc64 (reference under qemu).
fixtures: toolchains
	bash scripts/build-fixtures.sh

# The one test command: installs what is missing, builds fixtures, runs every test (vitest's
# globalSetup, test/global-setup.ts, builds dist/ once before the tests).
test: toolchains deps fixtures
	npx vitest run

# Unit tests only: no Go, fixtures, gdb or qemu needed (test/unit/self-contained.test.ts keeps it so).
unit: deps
	npx vitest run test/unit

demo: toolchains build fixtures
	bash scripts/demo.sh

bench: toolchains build fixtures
	bash scripts/build-bench-tools.sh
	$(NODE) dist/bench/main.js

# Go 1.24's own `// run` test programs (GOROOT/test) built for aix/ppc64 and run under the
# emulator; exits 1 below a 90% pass rate. Options: make conformance CONFORMANCE_ARGS='--filter ken/ --jobs 2 --timeout 180 --sample 100'.
conformance: toolchains build
	$(NODE) dist/conformance/main.js $(CONFORMANCE_ARGS)

# Go 1.24 standard-library package tests (go test -c for aix/ppc64) run under the emulator with
# -test.short; exits 1 unless every package passes. Options: make conformance-stdlib STDLIB_ARGS='--run TestWalk path/filepath'.
conformance-stdlib: toolchains build
	$(NODE) dist/conformance/stdlib.js $(STDLIB_ARGS)

clean:
	rm -rf dist build
