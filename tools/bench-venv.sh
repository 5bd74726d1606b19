#!/usr/bin/env bash
# Makes target/bench-venv, the Python venv of the PDQ and vPDQ benchmarks (bench/pdq/*.py,
# bench/vpdq/*.py) and of tests/fixtures/video/reference.py: Meta's reference PDQ C++ through the
# PyPI package pdqhash, Meta's reference vPDQ through PyPI vpdq (its C++ and FFmpeg's libraries),
# python-threatexchange for vPDQ's matching rule, plus numpy and Pillow, all pinned. Does nothing when the
# stamp file already lists these exact pins. Then builds target/bench/pdq-reference-cpp (the same
# C++ without Python) and target/bench/meta-mih (Meta's MIH index, for the matcher benchmark).
# Needs python3 (3.11 here) with venv, and g++.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/bench-venv
stamp=$venv/.bench-requirements
# pdqhash 0.2.8 has no wheel for CPython 3.11 on Linux, only an sdist: pip compiles its Cython
# binding together with the vendored ThreatExchange PDQ C++ using g++ and Python's own CFLAGS
# (-O3 -DNDEBUG). Its setup.py imports numpy, so numpy and the build tools go in first, pinned,
# and pdqhash is built against them with --no-build-isolation (isolation would pull whatever
# setuptools/Cython/numpy are newest). The build takes about half a minute on 2 cores.
#
# vpdq 0.2.5 is an sdist too: scikit-build-core runs CMake over its C++ and links Debian's FFmpeg 5.1
# (libavcodec-dev, libavformat-dev, libswscale-dev, and libavdevice-dev and libavfilter-dev, which
# its CMake asks for too, all from tools/setup.sh), so the reference decodes
# with the very libraries the native command uses. About 15 s.
# python-threatexchange goes in without its dependencies (they include OCR and fuzzy-text tools):
# its vPDQ matcher imports only the PDQ index, which needs faiss-cpu.
build_reqs=(setuptools==84.2.1 wheel==0.48.0 cython==3.3.1 numpy==2.4.6 pillow==13.0.0
  cmake==3.31.6 scikit-build-core==0.11.6)
reqs=(pdqhash==0.2.8 vpdq==0.2.5)
nodeps=(threatexchange==1.2.17 faiss-cpu==1.15.1 packaging==26.4)
want="${build_reqs[*]} ${reqs[*]} ${nodeps[*]}"

if ! [ -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  # vpdq's CMake also asks for libavdevice and libavfilter, which the tests never need, so
  # tools/setup.sh leaves them out: the benchmarks install them here.
  missing=()
  for lib in libavdevice libavfilter; do pkg-config --exists "$lib" 2>/dev/null || missing+=("$lib-dev"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "bench-venv: installing Debian packages: ${missing[*]}" >&2
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
  echo "bench-venv: installing into $venv: $want" >&2
  [ -x "$venv/bin/python" ] || "${PYTHON:-python3}" -m venv "$venv"
  pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
  "${pip[@]}" --only-binary :all: "${build_reqs[@]}"
  "${pip[@]}" --no-build-isolation "${reqs[@]}"
  "${pip[@]}" --no-deps --only-binary :all: "${nodeps[@]}"
  "$venv/bin/python" -c 'import pdqhash, vpdq, numpy, PIL
from threatexchange.extensions.vpdq.vpdq_brute_matcher import match_VPDQ_hash_brute'
  echo "$want" >"$stamp"
fi

# The same reference C++ without Python, for bench/pdq/reference.cpp, and Meta's MIH index for
# bench/match/meta_mih.cpp: from pdqhash's sdist (the ThreatExchange sources it vendors, BSD
# licence, read from target/ and never copied into this repository), with the flags pdqhash
# itself is built with; the MIH with -mpopcnt too, as our index counts bits with that
# instruction where the CPU has it (x86-64's baseline lacks it).
cpp=target/bench/pdq-reference-cpp
mih=target/bench/meta-mih
src=target/bench/pdqhash-sdist
if [ ! -x "$cpp" ] || [ bench/pdq/reference.cpp -nt "$cpp" ] || ! [ -d "$src"/pdqhash-0.2.8/ThreatExchange ]; then
  rm -rf "$src" && mkdir -p "$src"
  "$venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps --no-build-isolation \
    --no-binary :all: -d "$src" "${reqs[@]}"
  tar xzf "$src"/pdqhash-*.tar.gz -C "$src"
  te=$(echo "$src"/pdqhash-*/ThreatExchange)
  g++ -std=c++11 -O3 -DNDEBUG -fwrapv -I "$te" -o "$cpp" bench/pdq/reference.cpp \
    "$te"/pdq/cpp/hashing/pdqhashing.cpp "$te"/pdq/cpp/hashing/torben.cpp \
    "$te"/pdq/cpp/downscaling/downscaling.cpp "$te"/pdq/cpp/common/pdqhashtypes.cpp
fi
if [ ! -x "$mih" ] || [ bench/match/meta_mih.cpp -nt "$mih" ] || [ "$src" -nt "$mih" ] || [ "$0" -nt "$mih" ]; then
  te=$(echo "$src"/pdqhash-*/ThreatExchange)
  g++ -std=c++11 -O3 -DNDEBUG -fwrapv -mpopcnt -I "$te" -o "$mih" bench/match/meta_mih.cpp "$te"/pdq/cpp/common/pdqhashtypes.cpp
fi
