#!/usr/bin/env python3
"""Makes the EXIF orientation fixtures of issue 19 and what Meta's reference gives for them.

Run with the bench venv (Pillow and PyPI pdqhash; `bash tools/bench-venv.sh` makes it):

    target/bench-venv/bin/python tools/make-oriented-fixtures.py

From one upstream vector JPEG (non-square, so that a quarter turn swaps its sides) it writes
tests/fixtures/pdq/oriented/orientation-N.jpg for N = 1..8: the same JPEG with its own Exif
segment (which says orientation 1) taken out and an Exif APP1 segment saying N put right after
SOI. The entropy-coded data and every other segment are untouched, so the stored pixels are the
same in all eight. Odd N get a little-endian TIFF header ("II"), even N a big-endian one ("MM"),
so that both byte orders are read.

tests/fixtures/pdq/expected/pdq_oriented.csv gets, per file: the displayed size, `hash` and
`quality` of the reference (`pdqhash.compute`) on Pillow's `ImageOps.exif_transpose` of the
decoded picture (Pillow's own reading of the tag, independent of the core's), and `stored_hash`,
`stored_quality` of the reference on the pixels as stored. Pillow's decoded RGB is first checked
to equal the reference decode in decoded/ for the upstream file.
"""

import hashlib
import io
import struct
import sys
from pathlib import Path

import numpy as np
import pdqhash
from PIL import Image, ImageOps

ROOT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "pdq"
SOURCE = "bridge-mods/shrink-a-lot.jpg"
DECODED = ROOT / "decoded" / (SOURCE.replace("/", "__") + ".rgb.png")


def hash_hex(bits):
    # pdqhash lists bit k of the Hash256 at index 255 - k: packed as bytes this is the
    # reference's hex (words 15..0, the first digit bits 255..252). As bench/pdq/reference.py.
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def exif_segment(orientation, little):
    """APP1 "Exif\\0\\0", a TIFF header and IFD0 with the one entry 0x0112 (SHORT, 1 value)."""
    e = "<" if little else ">"
    tiff = (b"II*\0" if little else b"MM\0*") + struct.pack(e + "I", 8)
    tiff += struct.pack(e + "H", 1)
    tiff += struct.pack(e + "HHIH", 0x0112, 3, 1, orientation) + b"\0\0"
    tiff += struct.pack(e + "I", 0)  # no next IFD
    payload = b"Exif\0\0" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


def without_exif(jpeg):
    """The JPEG with its APP1 Exif segments taken out (segments before the scan only)."""
    assert jpeg[:2] == b"\xff\xd8"
    out, at = bytearray(jpeg[:2]), 2
    while True:
        assert jpeg[at] == 0xFF
        marker = jpeg[at + 1]
        if marker == 0xDA:
            out += jpeg[at:]
            return bytes(out)
        length = struct.unpack(">H", jpeg[at + 2 : at + 4])[0]
        segment = jpeg[at : at + 2 + length]
        if not (marker == 0xE1 and segment[4:10] == b"Exif\0\0"):
            out += segment
        at += 2 + length


def rgb_array(image):
    return np.asarray(image.convert("RGB"))


def main():
    source = (ROOT / "upstream" / "pdq" / "data" / SOURCE).read_bytes()
    stored = Image.open(io.BytesIO(source))
    stored_rgb = rgb_array(stored)
    height, width = stored_rgb.shape[:2]
    assert width != height
    if DECODED.exists():
        reference_rgb = rgb_array(Image.open(DECODED))
        if not np.array_equal(stored_rgb, reference_rgb):
            sys.exit(f"Pillow's RGB of {SOURCE} differs from {DECODED.name}")
        print(f"Pillow's RGB equals {DECODED.name}")

    bare = without_exif(source)
    out_dir = ROOT / "oriented"
    out_dir.mkdir(exist_ok=True)
    stored_bits, stored_quality = pdqhash.compute(stored_rgb)
    rows = ["file,orientation,width,height,hash,quality,stored_hash,stored_quality"]
    for n in range(1, 9):
        jpeg = bare[:2] + exif_segment(n, little=n % 2 == 1) + bare[2:]
        name = f"orientation-{n}.jpg"
        (out_dir / name).write_bytes(jpeg)

        image = Image.open(io.BytesIO(jpeg))
        assert image.getexif().get(0x0112) == n, name
        assert np.array_equal(rgb_array(image), stored_rgb), f"{name}: stored pixels changed"
        displayed = rgb_array(ImageOps.exif_transpose(image))
        bits, quality = pdqhash.compute(displayed)
        dh, dw = displayed.shape[:2]
        rows.append(
            f"oriented/{name},{n},{dw},{dh},{hash_hex(bits)},{quality},"
            f"{hash_hex(stored_bits)},{stored_quality}"
        )
        print(name, hashlib.sha256(jpeg).hexdigest())
    (ROOT / "expected" / "pdq_oriented.csv").write_text("\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
