#!/usr/bin/env python3
"""Prints the orientation probe of www/worker.js (ORIENTATION_PROBE) as base64.

Run once with Pillow (target/bench-venv/bin/python tools/make-orientation-probe.py); the output is
pasted into worker.js, so neither the page nor the tests need Python. The probe is a 32x16 JPEG,
4:4:4 (no chroma bleeding between the 8x8-aligned quadrants), of four flat quadrants: red, green
(top), blue, white (bottom), tagged with Exif orientation 7 (transverse), which both swaps the
sides and changes the corners: decoded as stored its top-left corner is red, as displayed white.
"""
import base64
import io

from PIL import Image

QUADRANTS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 255)]
image = Image.new('RGB', (32, 16))
for y in range(16):
    for x in range(32):
        image.putpixel((x, y), QUADRANTS[(y >= 8) * 2 + (x >= 16)])
exif = Image.Exif()
exif[0x0112] = 7  # Orientation
out = io.BytesIO()
image.save(out, 'JPEG', quality=85, subsampling=0, optimize=True, exif=exif.tobytes())
print(base64.b64encode(out.getvalue()).decode())
