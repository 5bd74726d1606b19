#!/usr/bin/env bash
# Builds the deployable static site into dist/: the WebAssembly core (release, simd128), its
# wasm-bindgen glue, wasm-opt from npm's binaryen (never Debian's 108), and the files of www/.
set -euo pipefail
cd "$(dirname "$0")/.."

# One at a time: built together, Cargo would unify the core's features and give the evidence
# module the core module's exports too.
cargo build --release --target wasm32-unknown-unknown -p report-helper
cargo build --release --target wasm32-unknown-unknown -p report-helper-evidence
cargo build --release --target wasm32-unknown-unknown -p report-helper-report
cargo build --release --target wasm32-unknown-unknown -p report-helper-video
rm -rf target/wasm-bindgen dist
# Four modules: the core (hashing, PDQ), loaded by the hashing worker; the report module (the
# report's rules and JSON), loaded by the page once the person goes past the files step; the
# evidence module (blacking out screenshots), loaded only when a person adds one; the video
# module (vPDQ), loaded by the hashing worker only for a video.
MODULES="report_helper report_helper_report report_helper_evidence report_helper_video"
for module in $MODULES; do
  wasm-bindgen --target web --no-typescript --out-dir target/wasm-bindgen \
    "target/wasm32-unknown-unknown/release/$module.wasm"
done

mkdir -p dist/wasm
cp -R www/. dist/
# Features come from the module's target-features section (kept by strip = "debuginfo").
for module in $MODULES; do
  cp "target/wasm-bindgen/$module.js" "dist/wasm/$module.js"
  node_modules/.bin/wasm-opt -O3 "target/wasm-bindgen/${module}_bg.wasm" -o "dist/wasm/${module}_bg.wasm"
done

# The core's limits and statuses, for the page's modules (steps/urls.js, report/status.js ...).
node tools/constants.mjs dist

# Each script and style sheet minified on its own, in place: no bundling, so the modules the
# browser loads, their names and their imports stay those of www/ (where the readable source is).
# It takes about 16 KB off the 100 KB the page may weigh gzipped (101,732 -> 85,887 bytes on
# 2026-12-02). Names may shrink: no code reads a class's name (errors set theirs).
(cd dist && find . -name '*.js' -o -name '*.css' | sort) | sed 's|^\./||' > target/minify-list
(cd dist && xargs ../node_modules/.bin/esbuild --minify --target=es2022 --charset=utf8 \
  --log-level=warning --allow-overwrite --outdir=. --outbase=. < ../target/minify-list)

# wasm-opt has broken modules at start-up before (Debian's binaryen 108 pointed the
# __wbindgen_externrefs export at the wrong table, so the module died in Table.set): check it runs.
node tools/smoke.mjs dist
