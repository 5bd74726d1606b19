#!/usr/bin/env bash
# Builds the deployable static site into dist/: the WebAssembly core (release, simd128), its
# wasm-bindgen glue, wasm-opt from npm's binaryen (never Debian's 108), and the files of www/.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release --target wasm32-unknown-unknown -p report-helper
rm -rf target/wasm-bindgen dist
wasm-bindgen --target web --no-typescript --out-dir target/wasm-bindgen \
  target/wasm32-unknown-unknown/release/report_helper.wasm

mkdir -p dist/wasm
cp -R www/. dist/
cp target/wasm-bindgen/report_helper.js dist/wasm/report_helper.js
# Features come from the module's target-features section (kept by strip = "debuginfo").
node_modules/.bin/wasm-opt -O3 target/wasm-bindgen/report_helper_bg.wasm -o dist/wasm/report_helper_bg.wasm

# wasm-opt has broken modules at start-up before (see ../shared/notes/toolchain.md): check it runs.
node tools/smoke.mjs dist
