#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks to build, serve and test the report helper, and
# skips what is already there: Node.js and npm, Debian's chromium and chromium-driver, sqlite3,
# FFmpeg's libraries and the tools to bind them, the ffmpeg program, Caddy, Firefox ESR, WebKitGTK's
# WebDriver and Xvfb (the engine tests), the wasm32 Rust target, the wasm-bindgen CLI pinned in
# crate/Cargo.toml, geckodriver, and the npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v node >/dev/null || missing+=(nodejs)
command -v npm >/dev/null || missing+=(npm)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v cc >/dev/null || missing+=(gcc libc6-dev)
# The sqlite3 shell: an operator's look into the intake's database, and a test breaks one with it.
command -v sqlite3 >/dev/null || missing+=(sqlite3)
# `report-helper hash --vpdq` links Debian's FFmpeg libraries, as Meta's reference vPDQ does, through
# ffmpeg-sys-next: it finds them with pkg-config and generates its bindings with bindgen (libclang).
command -v pkg-config >/dev/null || missing+=(pkg-config)
for lib in libavcodec libavformat libavutil libswscale; do
  pkg-config --exists "$lib" 2>/dev/null || missing+=("$lib-dev")
done
command -v clang >/dev/null || missing+=(clang)
compgen -G '/usr/lib/llvm-*/lib/libclang.so' >/dev/null || missing+=(libclang-dev)
# The ffmpeg program: tests/fixtures/video/make-videos.sh, and tests that make videos.
command -v ffmpeg >/dev/null || missing+=(ffmpeg)
# The engine tests (tests/engines/run.mjs): Debian's Firefox ESR, WebKitGTK's WebKitWebDriver and
# MiniBrowser (webkit2gtk-driver), and Xvfb for WebKit, which has no headless mode of its own.
[ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
[ -x /usr/bin/WebKitWebDriver ] || missing+=(webkit2gtk-driver)
command -v Xvfb >/dev/null || missing+=(xvfb)
# Caddy: tests/deploy.test.mjs runs deploy/Caddyfile in front of the intake (a Caddy of its own).
caddy_missing=
command -v caddy >/dev/null || { missing+=(caddy); caddy_missing=1; }
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  # Debian's package starts a system Caddy serving a page on port 80. The tests never use it:
  # where systemd runs, stop it and keep it from starting again (`systemctl enable --now caddy`
  # undoes this on a machine that is to serve the intake: deploy/README.md).
  if [ -n "$caddy_missing" ] && [ -d /run/systemd/system ]; then
    as_root systemctl disable --now caddy.service || true
  fi
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi

# The CLI must equal the wasm-bindgen crate exactly, or the glue it writes does not fit.
wb_version=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' crate/Cargo.toml)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wb_version" ]; then
  echo "setup: building wasm-bindgen-cli $wb_version (about 2 minutes on 2 cores)"
  # Not --locked: the CLI's own lock file names a webpki-roots release the registry no longer serves.
  # --debug: it compiles in 2.3 minutes here instead of 10, and writes byte-identical glue and
  # modules (checked on all four); it takes 1.3 s instead of 0.3 s for them, a good trade in CI.
  cargo install wasm-bindgen-cli --version "$wb_version" --force --debug
fi

# geckodriver (Firefox's WebDriver server) is not packaged by Debian: from crates.io, pinned. A debug
# build: it compiles in a fraction of the release build's time, and its speed does not matter (it
# only relays commands to Firefox).
gd_version=0.37.1
gd="${CARGO_HOME:-$HOME/.cargo}/bin/geckodriver"
if [ "$("$gd" --version 2>/dev/null | head -1)" != "geckodriver $gd_version" ]; then
  echo "setup: building geckodriver $gd_version (debug)"
  cargo install --locked --debug geckodriver --version "$gd_version" --force
fi

# npm ci when node_modules is missing or older than the lock file. Browsers come from Debian.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
