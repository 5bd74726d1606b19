#!/usr/bin/env python3
"""Times Meta's reference PDQ C++ (PyPI pdqhash 0.2.8) on raw decoded pixels.

Usage: reference.py RGBFILE WIDTH HEIGHT [RUNS]   (RUNS default 7; run with target/bench-venv's python)

RGBFILE is raw 8-bit RGB, row-major, no header. Prints one JSON line: impl, times_ms (each a
pdqhash.compute call after one warm-up), median_ms, hash (PDQ's 64-hex reference format), quality,
and dihedral_ms (one pdqhash.compute_dihedral call, all 8 hashes).

What a timed call covers (pdqhash/bindings.pyx): numpy makes float32 luma from the array,
0.299*ch0 + 0.587*ch1 + 0.114*ch2 (so channel order must be RGB; BGR gives another hash), in float64
temporaries, then the C++ pdqHash256FromFloatLuma does the Jarosz-filter downscale to 64x64, the
DCT to 16x16 and the median threshold. So the time includes that numpy luma pass, not only C++.
"""
import json
import statistics
import sys
import time

import numpy as np
import pdqhash


def hash_hex(bits):
    # pdqhash's hash_to_vector lists bit k of the Hash256 at index k and then reverses the list,
    # so bits[0] is bit 255 and bits[255] is bit 0. Packing them MSB-first therefore gives PDQ's
    # reference hex (Hash256::format: words 15..0, first hex digit = bits 255..252).
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__.split("\n\n")[1])
    path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    runs = int(sys.argv[4]) if len(sys.argv) == 5 else 7

    pixels = np.fromfile(path, dtype=np.uint8)
    if pixels.size != width * height * 3:
        sys.exit(f"{path}: {pixels.size} bytes, expected {width}x{height}x3 = {width * height * 3}")
    image = pixels.reshape(height, width, 3)

    bits, quality = pdqhash.compute(image)  # warm-up (page faults, caches)
    times_ms = []
    for _ in range(runs):
        start = time.perf_counter()
        pdqhash.compute(image)
        times_ms.append((time.perf_counter() - start) * 1000)

    result = {
        "impl": "pdqhash (Meta C++ via PyPI 0.2.8)",
        "times_ms": [round(t, 3) for t in times_ms],
        "median_ms": round(statistics.median(times_ms), 3),
        "hash": hash_hex(bits),
        "quality": int(quality),
    }
    if hasattr(pdqhash, "compute_dihedral"):
        start = time.perf_counter()
        dihedral, dihedral_quality = pdqhash.compute_dihedral(image)
        result["dihedral_ms"] = round((time.perf_counter() - start) * 1000, 3)
        # Its first hash is the plain one; a mismatch would mean the bindings misbehave.
        assert hash_hex(dihedral[0]) == result["hash"] and dihedral_quality == quality
    print(json.dumps(result))


if __name__ == "__main__":
    main()
