#!/usr/bin/env python3
"""Writes the expected demuxer output for each test video of tests/fixtures/video/, as FFmpeg's
own tools report it, for crate/tests/video_demux.rs. FFmpeg is the independent reference: the
demuxer must return the packets libavformat returns (the vPDQ reference decodes with it).

Run from the repository root with Debian 12's FFmpeg 5.1 (ffprobe and ffmpeg on PATH):

    python3 crate/tests/vectors/video/make_expected.py

For VIDEO it writes crate/tests/vectors/video/VIDEO.json (VIDEO with '/' replaced by '__'):

  stream_index, codec_name, width, height, time_base   the first video stream (ffprobe -show_streams)
  nb_read_frames   frames FFmpeg's decoder returns (ffprobe -count_frames), null when it has none
  packets          columns of ffprobe -show_packets for that stream, in demuxing order:
                   pts, dts (null where FFmpeg has none, as for Matroska), size, pos, key (flag K),
                   discard (flag D: outside the edit list, decoded but not returned)
  extradata        hex of the stream's extradata (ffprobe -show_data): the avcC/hvcC record that
                   WebCodecs takes as `description` for H.264/H.265
  codec_string     the WebCodecs codec string, worked out here from the extradata (avc1.PPCCLL;
                   hvc1 per ISO/IEC 14496-15 Annex E; av01.P.LLT.DD from av1C), and for VP8/VP9
                   in WebM from ffprobe's profile and pixel format (the level is unknown there
                   and written 10)
  disposable       per packet, from the trace_headers bitstream filter (ffmpeg -bsf:v
                   trace_headers): H.264, every VCL NAL unit has nal_ref_idc 0; H.265, every VCL
                   NAL unit is a sub-layer non-reference type in the highest sub-layer the SPS
                   declares; VP9, every frame of the packet is a show-existing frame or a shown
                   inter frame with refresh_frame_flags 0. null for other codecs.

An audio-only file gets {"video": false}.

It also writes variants the fixtures lack, each with its JSON, so that FFmpeg's handling of them is
checked too:

  derived/trimmed-two-edits.mp4, -empty-edit.mp4, -short-edit.mp4
      mandel-trimmed.mp4 with another edit list (two edits that repeat a second of video; an
      empty edit that delays the start by 0.5 s; an edit that ends at 3 s). The moov keeps its
      size (the udta box gives way to a free box), so no sample moves.
  derived/vp8-live.webm
      mandel-vp8.webm stream-copied by FFmpeg's WebM muxer in live mode (an unknown-size Segment,
      no Duration, no Cues), with DefaultDuration overwritten as below: as close to a
      MediaRecorder recording as FFmpeg writes (its Clusters still have sizes; the Rust test
      builds unknown-size Clusters itself).
  mandel-h264-fragmented.mp4+uneven-fragments.json
      the fragmented fixture with each fragment's default sample duration (tfhd) set to 1001,
      2002 or 1502 in turn: the frame rate then depends on every fragment, and fragments overlap
      in time (FFmpeg flags the overlap discard). The test makes the same change in memory.
  VIDEO+no-default-duration.json (for the three Matroska/WebM fixtures)
      the fixture with its DefaultDuration element overwritten by a Void element of the same
      length, as MediaRecorder writes WebM: FFmpeg then estimates the frame rate from the
      packets. The test makes the same change in memory.

Every JSON also holds avg_frame_rate as ffprobe reports it. The derived MP4s come out byte for
byte the same on every run; derived/vp8-live.webm depends on the FFmpeg that writes it, so run the
script with Debian 12's FFmpeg 5.1 only.
"""
import json
import pathlib
import re
import struct
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[4]
FIXTURES = ROOT / "tests" / "fixtures" / "video"
OUT = pathlib.Path(__file__).resolve().parent


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True)


def run_bytes(*args):
    return subprocess.run(args, capture_output=True, check=True).stdout


def ffprobe_json(path, *args):
    return json.loads(run("ffprobe", "-v", "error", "-of", "json", *args, str(path)).stdout)


def number(value):
    return None if value in (None, "N/A") else int(value)


def disposable_flags(path, codec):
    """Per packet, from the trace of the bitstream's own headers."""
    if codec not in ("h264", "hevc", "vp9"):
        return None
    trace = run("ffmpeg", "-hide_banner", "-v", "trace", "-i", str(path), "-map", "0:v:0",
                "-c", "copy", "-bsf:v", "trace_headers", "-f", "null", "-").stderr
    packets = []
    frames = None
    max_sub_layers = 1
    field = re.compile(r"\]\s+\d+\s+(\w+)\s+[01]+ = (-?\d+)$")
    for line in trace.splitlines():
        if "trace_headers" not in line:
            continue
        if "Packet:" in line:
            frames = []
            packets.append(frames)
            continue
        m = field.search(line)
        if m and m.group(1) == "sps_max_sub_layers_minus1":
            max_sub_layers = int(m.group(2)) + 1
        if frames is None:
            continue
        if codec == "h264":
            m = re.search(r"nal_unit_type: (\d+)\(.*\), nal_ref_idc: (\d+)", line)
            if m and 1 <= int(m.group(1)) <= 5:
                frames.append(int(m.group(2)) == 0)
        elif codec == "hevc":
            m = re.search(r"nal_unit_type: (\d+)\(.*\), nuh_layer_id: \d+, temporal_id: (\d+)", line)
            if m and int(m.group(1)) <= 31:
                kind, tid = int(m.group(1)), int(m.group(2))
                frames.append(kind <= 14 and kind % 2 == 0 and tid + 1 >= max_sub_layers)
        elif m:
            # VP9: one dict per frame, started by show_existing_frame.
            name, value = m.group(1), int(m.group(2))
            if name == "show_existing_frame":
                frames.append({})
            if frames:
                frames[-1][name] = value

    def vp9(frame):
        if frame.get("show_existing_frame") == 1:
            return True
        return (frame.get("frame_type") == 1 and frame.get("show_frame") == 1
                and frame.get("intra_only", 0) == 0 and frame.get("refresh_frame_flags") == 0)

    out = []
    for frames in packets:
        if codec == "vp9":
            frames = [vp9(f) for f in frames]
        out.append(int(bool(frames) and all(frames)))
    return out


def extradata(stream):
    """The bytes of ffprobe's hexdump of the extradata."""
    data = bytearray()
    for line in stream.get("extradata", "").splitlines():
        if ":" in line:
            for word in line.split(":", 1)[1].strip()[:39].split():
                data += bytes.fromhex(word)
    return bytes(data)


def codec_string(stream, extra):
    codec = stream["codec_name"]
    tag = stream.get("codec_tag_string", "")
    if codec == "h264" and len(extra) >= 4:
        prefix = tag if tag in ("avc1", "avc3") else "avc1"
        return f"{prefix}.{extra[1]:02x}{extra[2]:02x}{extra[3]:02x}"
    if codec == "hevc" and len(extra) >= 13:
        prefix = tag if tag in ("hvc1", "hev1") else "hvc1"
        space = ["", "A", "B", "C"][extra[1] >> 6]
        flags = int.from_bytes(extra[2:6], "big")
        reversed_flags = int(f"{flags:032b}"[::-1], 2)
        constraints = list(extra[6:12])
        while constraints and constraints[-1] == 0:
            constraints.pop()
        tier = "H" if extra[1] & 0x20 else "L"
        s = f"{prefix}.{space}{extra[1] & 0x1f}.{reversed_flags:X}.{tier}{extra[12]}"
        return s + "".join(f".{b:X}" for b in constraints)
    if codec == "av1" and len(extra) >= 4:
        depth = 12 if extra[2] & 0x60 == 0x60 else 10 if extra[2] & 0x40 else 8
        tier = "H" if extra[2] & 0x80 else "M"
        return f"av01.{extra[1] >> 5}.{extra[1] & 0x1f:02d}{tier}.{depth:02d}"
    if codec == "vp8":
        return "vp8"
    if codec == "vp9":
        profile = int(stream["profile"].split()[-1])
        depth = 12 if "12" in stream["pix_fmt"] else 10 if "10" in stream["pix_fmt"] else 8
        return f"vp09.{profile:02d}.10.{depth:02d}"
    return None


def expected(path):
    streams = ffprobe_json(path, "-show_streams", "-select_streams", "v")["streams"]
    if not streams:
        return {"video": False}
    s = streams[0]
    data = ffprobe_json(path, "-show_streams", "-show_data", "-select_streams", "v:0")["streams"][0]
    extra = extradata(data)
    packets = ffprobe_json(path, "-select_streams", "v:0", "-show_packets", "-show_entries",
                           "packet=pts,dts,size,pos,flags")["packets"]
    counted = ffprobe_json(path, "-select_streams", "v:0", "-count_frames", "-show_entries",
                           "stream=nb_read_frames")["streams"][0]
    flags = [p.get("flags", "__") for p in packets]
    disposable = disposable_flags(path, s["codec_name"])
    if disposable is not None and len(disposable) != len(packets):
        raise SystemExit(f"{path}: {len(disposable)} traced packets, {len(packets)} probed")
    return {
        "video": True,
        "stream_index": s["index"],
        "codec_name": s["codec_name"],
        "width": s["width"],
        "height": s["height"],
        "time_base": s["time_base"],
        "nb_read_frames": number(counted.get("nb_read_frames")),
        "extradata": extra.hex(),
        "codec_string": codec_string(s, extra),
        "packets": {
            "pts": [number(p.get("pts")) for p in packets],
            "dts": [number(p.get("dts")) for p in packets],
            "size": [int(p["size"]) for p in packets],
            "pos": [number(p.get("pos")) for p in packets],
            "key": [int(f[0] == "K") for f in flags],
            "discard": [int(f[1] == "D") for f in flags],
        },
        "disposable": disposable,
    }


def boxes(data):
    at = 0
    while at + 8 <= len(data):
        size, kind = struct.unpack(">I4s", data[at:at + 8])
        yield kind, data[at + 8:at + size]
        at += size


def box(kind, payload):
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def with_edits(data, edits):
    """The file with the first trak's edit list replaced; moov keeps its size."""
    out = b""
    for kind, payload in boxes(data):
        if kind == b"moov":
            elst = struct.pack(">II", 0, len(edits)) + b"".join(
                struct.pack(">Iii", duration, media_time, 0x10000) for duration, media_time in edits)
            children = []
            for k, p in boxes(payload):
                if k == b"trak" and not any(c[0] == b"trak" for c in children):
                    p = b"".join(box(kk, b"".join([box(b"elst", elst)]) if kk == b"edts" else pp)
                                 for kk, pp in boxes(p))
                if k != b"udta":
                    children.append((k, p))
            body = b"".join(box(k, p) for k, p in children)
            room = len(payload) - len(body) - 8
            if room < 0:
                raise SystemExit("the new edit list does not fit in the moov")
            payload = body + box(b"free", b"\0" * room)
        out += box(kind, payload)
    return out


def without_default_duration(data):
    """DefaultDuration (23 E3 83, size 4) overwritten by a Void element of the same length."""
    at = data.index(bytes([0x23, 0xE3, 0x83, 0x84]))
    return data[:at] + bytes([0xEC, 0x86]) + bytes(6) + data[at + 8:]


def uneven_fragments(data):
    """Every tfhd's default_sample_duration (flags 0x020038: at payload offset 8) set in turn to
    1001, 2002, 1502."""
    data = bytearray(data)
    at, k = 0, 0
    while (at := data.find(b"tfhd", at)) >= 0:
        if data[at + 4:at + 8] == bytes([0, 2, 0, 0x38]):
            data[at + 12:at + 16] = struct.pack(">I", (1001, 2002, 1502)[k % 3])
            k += 1
        at += 4
    return bytes(data)


def write(name, path, source, derive=None):
    version = run("ffprobe", "-version").stdout.split("\n")[0]
    rate = ffprobe_json(path, "-select_streams", "v:0", "-show_entries", "stream=avg_frame_rate")
    streams = rate.get("streams", [])
    data = {"file": source.relative_to(ROOT).as_posix(), "reference": version, **expected(path)}
    if derive:
        data["derive"] = derive
    if streams:
        data["avg_frame_rate"] = streams[0]["avg_frame_rate"]
    (OUT / f"{name}.json").write_text(json.dumps(data, separators=(",", ":")) + "\n")
    print(name, "packets" in data and len(data["packets"]["size"]), data.get("avg_frame_rate"))


def main():
    videos = sorted([*FIXTURES.glob("*.mp4"), *FIXTURES.glob("*.mkv"), *FIXTURES.glob("*.webm"),
                     *FIXTURES.glob("upstream/*.mp4")])
    for path in videos:
        write(path.relative_to(FIXTURES).as_posix().replace("/", "__"), path, path)

    derived = OUT / "derived"
    derived.mkdir(exist_ok=True)
    trimmed = (FIXTURES / "mandel-trimmed.mp4").read_bytes()
    # mvhd timescale 1000, media timescale 30000; the first frame's composition time is 2002.
    variants = {
        "trimmed-two-edits": [(2000, 2002), (1000, 2002 + 30030)],
        "trimmed-empty-edit": [(500, -1), (6000, 2002)],
        "trimmed-short-edit": [(3000, 2002)],
    }
    for name, edits in variants.items():
        path = derived / f"{name}.mp4"
        path.write_bytes(with_edits(trimmed, edits))
        write(name, path, path)

    live = run_bytes("ffmpeg", "-v", "error", "-i", str(FIXTURES / "mandel-vp8.webm"), "-c", "copy",
                     "-fflags", "+bitexact", "-live", "1", "-f", "webm", "-")
    path = derived / "vp8-live.webm"
    path.write_bytes(without_default_duration(live))
    write("vp8-live", path, path)

    with tempfile.TemporaryDirectory() as tmp:
        base = "mandel-h264-fragmented.mp4"
        path = pathlib.Path(tmp) / base
        path.write_bytes(uneven_fragments((FIXTURES / base).read_bytes()))
        write(f"{base}+uneven-fragments", path, FIXTURES / base, "uneven-fragments")
        for base in ("mandel-h264.mkv", "mandel-vp8.webm", "mandel-vp9.webm"):
            path = pathlib.Path(tmp) / base
            path.write_bytes(without_default_duration((FIXTURES / base).read_bytes()))
            write(f"{base}+no-default-duration", path, FIXTURES / base, "no-default-duration")


if __name__ == "__main__":
    main()
