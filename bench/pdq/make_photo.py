#!/usr/bin/env python3
"""Makes the PDQ benchmark photo: a 4032x3024 (12 MP phone-camera size) RGB image, deterministically.

Usage: make_photo.py [OUTDIR]   (default: <repo>/target/bench; run with target/bench-venv's python)

Source is the PDQ vector bridge-1-original (1600x1004) from tests/fixtures/pdq/decoded/,
upscaled with Pillow's LANCZOS and given +-2 levels of fixed pseudo-random noise so it has
sensor-like fine detail (a plain upscale is unrealistically smooth, which flatters JPEG and the
downscaler). Writes photo-4032x3024.rgb (raw 8-bit RGB, row-major, no header), .jpg (quality 90,
4:2:0, no EXIF, no ICC) and .json {"width","height","rgb_sha256"}; skips all that when they exist
and the .rgb still hashes to the noted rgb_sha256.
"""
import hashlib
import json
import os
import sys
from pathlib import Path

import numpy as np
from PIL import Image

W, H = 4032, 3024
REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "tests/fixtures/pdq/decoded/reg-test-input__dih__bridge-1-original.jpg.rgb.png"
# What this script gives with the pins of tools/bench-venv.sh (Pillow 13.0.0, numpy 2.4.6).
EXPECTED_RGB_SHA256 = "fddc7b622b9dd672969467473b7e05f48dd66af8501c926727002be60b45aabe"


def noise(shape):
    """Values in -2..2 from an integer hash of the sample index: unlike np.random, whose streams
    NumPy does not promise to keep across versions, this is the same everywhere."""
    x = np.arange(np.prod(shape), dtype=np.uint32)
    # lowbias32 (Chris Wellons' integer hash); uint32 arithmetic wraps, as intended.
    x ^= x >> np.uint32(16)
    x *= np.uint32(0x7FEB352D)
    x ^= x >> np.uint32(15)
    x *= np.uint32(0x846CA68B)
    x ^= x >> np.uint32(16)
    return ((x >> np.uint32(8)) % np.uint32(5)).astype(np.int16).reshape(shape) - 2


def main():
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "target/bench"
    base = out / f"photo-{W}x{H}"
    rgb_path, jpg_path, json_path = (base.with_suffix(s) for s in (".rgb", ".jpg", ".json"))

    if rgb_path.exists() and jpg_path.exists() and json_path.exists():
        noted = json.loads(json_path.read_text()).get("rgb_sha256")
        if noted == hashlib.sha256(rgb_path.read_bytes()).hexdigest():
            print(f"{base}.*: up to date (rgb_sha256 {noted})")
            return

    with Image.open(SRC) as im:
        big = im.convert("RGB").resize((W, H), Image.Resampling.LANCZOS)
    pixels = np.asarray(big, dtype=np.int16) + noise((H, W, 3))
    pixels = np.clip(pixels, 0, 255).astype(np.uint8)
    raw = pixels.tobytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != EXPECTED_RGB_SHA256:
        print(f"warning: rgb_sha256 {digest} differs from {EXPECTED_RGB_SHA256} "
              "(other Pillow/numpy than tools/bench-venv.sh pins?)", file=sys.stderr)

    out.mkdir(parents=True, exist_ok=True)
    # Write each file under a temporary name first, and the JSON last, so an interrupted run is
    # never mistaken for a finished one.
    def put(path, write):
        tmp = path.with_name(path.name + ".tmp")
        write(tmp)
        os.replace(tmp, path)

    put(rgb_path, lambda p: p.write_bytes(raw))
    # Image.fromarray carries no EXIF or ICC, so Pillow writes neither; subsampling=2 is 4:2:0.
    put(jpg_path, lambda p: Image.fromarray(pixels).save(p, "JPEG", quality=90, subsampling=2))
    put(json_path, lambda p: p.write_text(json.dumps({"width": W, "height": H, "rgb_sha256": digest}) + "\n"))
    print(f"{base}.*: written (rgb_sha256 {digest})")


if __name__ == "__main__":
    main()
