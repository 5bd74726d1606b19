# Entry points. `make run` and `make test` are the two commands of the README.
PORT ?= 8080
export CHROMEDRIVER ?= /usr/bin/chromedriver

.PHONY: setup build run test lint test-native test-wasm test-e2e test-engines test-deploy fuzz bench attack

setup:
	@bash tools/setup.sh

build: setup
	@bash tools/build.sh

## Set up what is missing, build the site and the native command, and serve the whole thing on
## 127.0.0.1:$(PORT): the site under its CSP and the intake API, reports in data/reports.sqlite.
run: build
	cargo build --release -p report-helper-cli
	target/release/report-helper serve --addr 127.0.0.1:$(PORT) --db data/reports.sqlite --init --site dist

## Every test: formatting, lints, native and in-browser unit tests, end-to-end tests.
test: build lint test-native test-wasm test-e2e test-engines test-deploy

lint:
	cargo fmt --all --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p report-helper -p report-helper-evidence -p report-helper-report -p report-helper-video --all-targets --target wasm32-unknown-unknown -- -D warnings

test-native:
	cargo test --workspace

test-wasm:
	cargo test -p report-helper -p report-helper-report --target wasm32-unknown-unknown

test-e2e:
	cargo build -p report-helper-cli
	npx playwright test

## The same page in Firefox ESR (geckodriver) and WebKitGTK (WebKitWebDriver under an Xvfb of its
## own): one line per test and engine, PASS, FAIL or CANNOT-RUN with the reason (docs/testing.md).
test-engines:
	cargo build -p report-helper-cli
	node tests/engines/run.mjs firefox webkit

## deploy/ as a helpline runs it: Caddy (its own CA, on the loopback) in front of `serve`, over HTTPS.
test-deploy:
	cargo build -p report-helper-cli
	node --test tests/deploy.test.mjs

## A bounded attack on the intake and the native commands, on the loopback (not part of `make test`):
## one line per attack, HOLDS or BROKEN; exit status 1 if anything is BROKEN (docs/security.md).
attack: build
	cargo build --release -p report-helper-cli
	node tools/attack/run.mjs

## The property tests (docs/testing.md) with many more cases than `make test` gives them: about
## eight minutes. Each run is stopped after FUZZ_SECONDS and fails (a hang guard, not
## a budget to fill: the cases are counted, not timed).
FUZZ_CASES ?= 100000
FUZZ_SECONDS ?= 600
fuzz:
	cargo test -p report-helper -p report-helper-cli --lib --test 'prop_*' --no-run
	PROPTEST_CASES=$(FUZZ_CASES) timeout $(FUZZ_SECONDS) \
		cargo test -p report-helper -p report-helper-cli --test 'prop_*'
	PROPTEST_CASES=$(FUZZ_CASES) timeout $(FUZZ_SECONDS) \
		cargo test -p report-helper -p report-helper-cli --lib -- prop_tests

## Benchmarks against peers (not tests): prints medians and ratios.
bench: build
	cargo build --release -p report-helper-cli
	node bench/digest-bench.mjs
	node bench/pdq-bench.mjs
	node bench/evidence-bench.mjs
	node bench/intake-bench.mjs
	node bench/vpdq-bench.mjs
	node bench/engines-bench.mjs
	node bench/match-bench.mjs
