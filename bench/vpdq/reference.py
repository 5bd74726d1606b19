#!/usr/bin/env python3
"""Times Meta's reference vPDQ (PyPI vpdq 0.2.5: its C++ over Debian's FFmpeg 5.1) on a video.

Usage: reference.py VIDEO [RUNS]   (RUNS default 3; run with target/bench-venv's python)

Prints one JSON line: times_ms (each a whole vpdq.computeHash call at one hash a second: open,
decode every frame, convert the picked ones to RGB, PDQ), median_ms and frames ([frame, quality,
hash] of each hashed frame, from the first run).
"""
import json
import statistics
import sys
import time

import vpdq


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.split("\n\n")[1])
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) == 3 else 3
    times, frames = [], None
    for _ in range(runs):
        start = time.perf_counter()
        features = vpdq.computeHash(path, seconds_per_hash=1.0)
        times.append((time.perf_counter() - start) * 1000)
        if frames is None:
            frames = [[f.frame_number, f.quality, f.hex] for f in features]
    print(json.dumps({"impl": "vpdq 0.2.5", "times_ms": times, "median_ms": statistics.median(times), "frames": frames}))


if __name__ == "__main__":
    main()
