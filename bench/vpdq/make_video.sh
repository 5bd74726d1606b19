#!/usr/bin/env bash
# Makes the vPDQ benchmark video: 1080p H.264 at 29.97 fps, 60 s, with an AAC track, as a phone
# or a site would serve it. The picture is a still of FFmpeg's 'mandelbrot' source rendered at
# 3840x2880 (a picture drawn from a formula at any size, as a vector image is), panned slowly.
# Deterministic for one FFmpeg; skipped when target/bench/vpdq-1080p.mp4 exists.
#
# Usage: make_video.sh [OUTDIR]   (default <repo>/target/bench)
set -euo pipefail
out=${1:-$(cd "$(dirname "$0")/../.." && pwd)/target/bench}
video=$out/vpdq-1080p.mp4
[ -s "$video" ] && exit 0
mkdir -p "$out"
ff=(ffmpeg -hide_banner -loglevel error -y)
still=$(mktemp --suffix=.png)
trap 'rm -f "$still"' EXIT
"${ff[@]}" -f lavfi -i "mandelbrot=size=3840x2880:rate=1:start_x=-0.743643887037151:start_y=0.131825904205330:start_scale=0.02:maxiter=600" -frames:v 1 "$still"
"${ff[@]}" -loop 1 -framerate 30000/1001 -t 60 -i "$still" -f lavfi -t 60 -i "sine=frequency=440:sample_rate=48000" \
  -vf "crop=w=2880:h=1620:x='200+t*8':y='150+t*4',scale=1920:1080,format=yuv420p" \
  -c:v libx264 -preset medium -crf 23 -bf 3 -g 60 -c:a aac -b:a 128k -shortest \
  -map_metadata -1 -fflags +bitexact -movflags +faststart -f mp4 "$video.part"
mv "$video.part" "$video"
