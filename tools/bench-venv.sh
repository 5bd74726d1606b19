#!/usr/bin/env bash
# Makes target/bench-venv, the Python venv of the PDQ benchmark (bench/pdq/*.py): Meta's reference
# PDQ C++ through the PyPI package pdqhash, plus numpy and Pillow, all pinned. Does nothing when the
# stamp file already lists these exact pins. Then builds target/bench/pdq-reference-cpp (the same
# C++ without Python). Needs python3 (3.11 here) with venv, and g++.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/bench-venv
stamp=$venv/.bench-requirements
# pdqhash 0.2.8 has no wheel for CPython 3.11 on Linux, only an sdist: pip compiles its Cython
# binding together with the vendored ThreatExchange PDQ C++ using g++ and Python's own CFLAGS
# (-O3 -DNDEBUG). Its setup.py imports numpy, so numpy and the build tools go in first, pinned,
# and pdqhash is built against them with --no-build-isolation (isolation would pull whatever
# setuptools/Cython/numpy are newest). The build takes about half a minute on 2 cores.
build_reqs=(setuptools==84.2.1 wheel==0.48.0 cython==3.3.1 numpy==2.4.6 pillow==13.0.0)
reqs=(pdqhash==0.2.8)
want="${build_reqs[*]} ${reqs[*]}"

if ! [ -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "bench-venv: installing into $venv: $want" >&2
  [ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
  pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
  "${pip[@]}" --only-binary :all: "${build_reqs[@]}"
  "${pip[@]}" --no-build-isolation "${reqs[@]}"
  "$venv/bin/python" -c 'import pdqhash, numpy, PIL'
  echo "$want" >"$stamp"
fi

# The same reference C++ without Python, for bench/pdq/reference.cpp: from pdqhash's sdist (the
# ThreatExchange sources it vendors), with the flags pdqhash itself is built with.
cpp=target/bench/pdq-reference-cpp
if [ ! -x "$cpp" ] || [ bench/pdq/reference.cpp -nt "$cpp" ]; then
  src=target/bench/pdqhash-sdist
  rm -rf "$src" && mkdir -p "$src"
  "$venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps --no-build-isolation \
    --no-binary :all: -d "$src" "${reqs[@]}"
  tar xzf "$src"/pdqhash-*.tar.gz -C "$src"
  te=$(echo "$src"/pdqhash-*/ThreatExchange)
  g++ -std=c++11 -O3 -DNDEBUG -fwrapv -I "$te" -o "$cpp" bench/pdq/reference.cpp \
    "$te"/pdq/cpp/hashing/pdqhashing.cpp "$te"/pdq/cpp/hashing/torben.cpp \
    "$te"/pdq/cpp/downscaling/downscaling.cpp "$te"/pdq/cpp/common/pdqhashtypes.cpp
fi
