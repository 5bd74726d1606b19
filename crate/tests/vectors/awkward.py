#!/usr/bin/env python3
"""Writes awkward.tsv: digests from Python's hashlib of messages whose sizes sit on the edges of
the 64-byte block, its padding (55/56), and powers of two where buffers tend to split.

The message of size n is bytes((i * 167 + (i >> 8) * 31 + 13) % 256 for i in range(n)); the Rust
tests build the same bytes. Run `python3 crate/tests/vectors/awkward.py` to regenerate.
"""
import hashlib
import pathlib

SIZES = [0, 1, 2, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4095, 4096, 4097,
         16383, 16384, 16385, 65543, 1048579]


def message(n):
    return bytes((i * 167 + (i >> 8) * 31 + 13) % 256 for i in range(n))


def main():
    lines = ["# size\tsha256\tmd5\tsha1 (from Python's hashlib; see awkward.py)"]
    for n in SIZES:
        m = message(n)
        lines.append("\t".join([str(n), hashlib.sha256(m).hexdigest(), hashlib.md5(m).hexdigest(),
                                hashlib.sha1(m).hexdigest()]))
    out = pathlib.Path(__file__).with_name("awkward.tsv")
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
