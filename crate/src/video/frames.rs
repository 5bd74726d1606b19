//! Looks inside one compressed frame, cheaply, for two facts the caller can use: whether no other
//! frame refers to it (so it need not be decoded when its picture is not wanted), and, for H.264,
//! the SPS timing FFmpeg derives Matroska packet durations from.

use super::bits::Bits;
use super::Codec;

/// Reads the facts for one track's frames.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Inspector {
    /// Nothing to inspect: every frame is reported as referenced.
    Opaque,
    /// Length-prefixed NAL units with this many length bytes.
    H264 {
        length_size: usize,
    },
    /// Length-prefixed NAL units, and the number of temporal sub-layers hvcC declares (0 when
    /// unknown).
    H265 {
        length_size: usize,
        temporal_layers: u8,
    },
    Vp9,
}

impl Inspector {
    /// From the codec and its avcC/hvcC record.
    pub(crate) fn new(codec: &Codec, description: Option<&[u8]>) -> Inspector {
        let length_size = |byte: u8| usize::from(byte & 3) + 1;
        match (codec, description) {
            (Codec::H264, Some(c)) if c.len() >= 5 && c[4] & 3 != 2 => Inspector::H264 {
                length_size: length_size(c[4]),
            },
            (Codec::H265, Some(c)) if c.len() >= 23 && c[21] & 3 != 2 => Inspector::H265 {
                length_size: length_size(c[21]),
                temporal_layers: (c[21] >> 3) & 7,
            },
            (Codec::Vp9, _) => Inspector::Vp9,
            _ => Inspector::Opaque,
        }
    }

    /// True when no other frame refers to this one. False whenever unsure.
    pub(crate) fn disposable(&self, frame: &[u8]) -> bool {
        match *self {
            Inspector::Opaque => false,
            Inspector::H264 { length_size } => nal_units_unreferenced(frame, length_size, |nal| {
                let kind = nal[0] & 0x1f;
                // VCL NAL units 1..=5; the picture is a reference when any has nal_ref_idc > 0.
                (1..=5).contains(&kind).then_some((nal[0] >> 5) & 3 == 0)
            }),
            Inspector::H265 {
                length_size,
                temporal_layers,
            } => {
                nal_units_unreferenced(frame, length_size, |nal| {
                    if nal.len() < 2 {
                        return Some(false);
                    }
                    let kind = (nal[0] >> 1) & 0x3f;
                    if kind > 31 {
                        return None;
                    }
                    // Sub-layer non-reference pictures (TRAIL_N, TSA_N, STSA_N, RADL_N, RASL_N,
                    // RSV_VCL_N10/12/14) may still serve higher sub-layers: only the highest
                    // declared sub-layer is safe to drop.
                    let temporal_id = (nal[1] & 7).saturating_sub(1);
                    let top = temporal_layers > 0 && temporal_id + 1 >= temporal_layers;
                    Some(kind <= 14 && kind % 2 == 0 && top)
                })
            }
            Inspector::Vp9 => vp9_disposable(frame),
        }
    }
}

/// Walks length-prefixed NAL units: `vcl` says for a VCL unit whether it is unreferenced (None for
/// other units). The frame is disposable when it has VCL units and all are unreferenced; a
/// malformed frame is not.
fn nal_units_unreferenced(
    frame: &[u8],
    length_size: usize,
    vcl: impl Fn(&[u8]) -> Option<bool>,
) -> bool {
    let mut at = 0usize;
    let mut saw_vcl = false;
    while at < frame.len() {
        let Some(len_bytes) = frame.get(at..at + length_size) else {
            return false;
        };
        let len = len_bytes
            .iter()
            .fold(0usize, |n, &b| n << 8 | usize::from(b));
        at += length_size;
        let Some(nal) = frame.get(at..at + len) else {
            return false;
        };
        at += len;
        if nal.is_empty() {
            continue;
        }
        match vcl(nal) {
            Some(true) => saw_vcl = true,
            Some(false) => return false,
            None => {}
        }
    }
    saw_vcl
}

/// VP9: a superframe holds several frames; it is disposable when each is either a
/// show-existing-frame or a shown inter frame that refreshes no reference slot.
fn vp9_disposable(data: &[u8]) -> bool {
    let Some(&last) = data.last() else {
        return false;
    };
    if last & 0xe0 == 0xc0 {
        let frames = usize::from(last & 7) + 1;
        let size_bytes = usize::from((last >> 3) & 3) + 1;
        let index_len = 2 + size_bytes * frames;
        if data.len() >= index_len && data[data.len() - index_len] == last {
            let index = &data[data.len() - index_len + 1..data.len() - 1];
            let mut at = 0usize;
            for sizes in index.chunks(size_bytes) {
                let size = sizes
                    .iter()
                    .rev()
                    .fold(0usize, |n, &b| n << 8 | usize::from(b));
                let Some(frame) = data.get(at..at + size) else {
                    return false;
                };
                if !vp9_frame_disposable(frame) {
                    return false;
                }
                at += size;
            }
            return true;
        }
    }
    vp9_frame_disposable(data)
}

fn vp9_frame_disposable(frame: &[u8]) -> bool {
    let header = || -> Option<bool> {
        let mut b = Bits::new(frame);
        if b.bits(2)? != 2 {
            return Some(false);
        }
        let low = b.bit()?;
        let high = b.bit()?;
        if high << 1 | low == 3 {
            b.skip(1)?;
        }
        if b.bit()? == 1 {
            return Some(true); // show_existing_frame: refreshes nothing
        }
        let key = b.bit()? == 0;
        let show_frame = b.bit()? == 1;
        let error_resilient = b.bit()? == 1;
        if key || !show_frame {
            // Key frames refresh every slot; hidden frames exist to be referenced.
            return Some(false);
        }
        // A shown inter frame is never intra-only (intra_only is read only for hidden frames).
        if !error_resilient {
            b.skip(2)?; // reset_frame_context
        }
        Some(b.bits(8)? == 0)
    };
    header().unwrap_or(false)
}

/// H.264 SPS VUI timing (num_units_in_tick, time_scale) from an avcC record, when present. FFmpeg's
/// H.264 parser derives a frame duration of 2 × num_units_in_tick / time_scale from it.
pub(crate) fn h264_timing(avcc: &[u8]) -> Option<(u32, u32)> {
    first_sps_vui(avcc)?.timing
}

/// Whether the first SPS of an avcC record says full range (VUI video_full_range_flag): then
/// FFmpeg's H.264 decoder gives its frames as yuvj (full range), whatever a browser's decoder
/// says of them (WebKitGTK 2.50 says limited).
pub(crate) fn h264_full_range(avcc: &[u8]) -> bool {
    first_sps_vui(avcc).is_some_and(|v| v.full_range)
}

/// What the fields of an SPS's VUI this module needs say.
#[derive(Debug, Default, PartialEq, Eq)]
struct Vui {
    full_range: bool,
    timing: Option<(u32, u32)>,
}

fn first_sps_vui(avcc: &[u8]) -> Option<Vui> {
    // avcC: version, profile, compat, level, length size, then SPS count and the first SPS.
    if avcc.len() < 8 || avcc[5] & 0x1f == 0 {
        return None;
    }
    let len = usize::from(u16::from_be_bytes([avcc[6], avcc[7]]));
    let sps = avcc.get(8..8 + len)?;
    sps_vui(&unescape(sps.get(1..)?))
}

/// Removes emulation prevention bytes (00 00 03 → 00 00).
fn unescape(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// The VUI of an SPS (its RBSP after the NAL header); `None` when it has none or is cut short.
fn sps_vui(rbsp: &[u8]) -> Option<Vui> {
    let mut b = Bits::new(rbsp);
    let profile = b.bits(8)?;
    b.skip(16)?; // constraint flags, level
    b.ue()?; // seq_parameter_set_id
    if matches!(
        profile,
        100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135
    ) {
        let chroma_format = b.ue()?;
        if chroma_format == 3 {
            b.skip(1)?;
        }
        b.ue()?;
        b.ue()?;
        b.skip(1)?;
        if b.bit()? == 1 {
            let lists = if chroma_format == 3 { 12 } else { 8 };
            for i in 0..lists {
                if b.bit()? == 1 {
                    skip_scaling_list(&mut b, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    b.ue()?; // log2_max_frame_num_minus4
    match b.ue()? {
        0 => {
            b.ue()?;
        }
        1 => {
            b.skip(1)?;
            b.se()?;
            b.se()?;
            let cycle = b.ue()?;
            if cycle > 255 {
                return None;
            }
            for _ in 0..cycle {
                b.se()?;
            }
        }
        _ => {}
    }
    b.ue()?; // max_num_ref_frames
    b.skip(1)?;
    b.ue()?;
    b.ue()?;
    if b.bit()? == 0 {
        b.skip(1)?; // mb_adaptive_frame_field_flag
    }
    b.skip(1)?;
    if b.bit()? == 1 {
        for _ in 0..4 {
            b.ue()?;
        }
    }
    if b.bit()? == 0 {
        return None; // no VUI
    }
    let mut vui = Vui::default();
    if b.bit()? == 1 && b.bits(8)? == 255 {
        b.skip(32)?;
    }
    if b.bit()? == 1 {
        b.skip(1)?;
    }
    if b.bit()? == 1 {
        b.skip(3)?; // video_format
        vui.full_range = b.bit()? == 1;
        if b.bit()? == 1 {
            b.skip(24)?;
        }
    }
    if b.bit()? == 1 {
        b.ue()?;
        b.ue()?;
    }
    if b.bit()? == 0 {
        return Some(vui); // no timing
    }
    let units = b.bits(32)?;
    let scale = b.bits(32)?;
    vui.timing = (units > 0 && scale > 0).then_some((units, scale));
    Some(vui)
}

fn skip_scaling_list(b: &mut Bits<'_>, size: usize) -> Option<()> {
    let (mut last, mut next) = (8i32, 8i32);
    for _ in 0..size {
        if next != 0 {
            let delta = b.se()?;
            next = (last + delta + 256).rem_euclid(256);
        }
        if next != 0 {
            last = next;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The avcC records of tests/fixtures/video/mandel-h264-full-range.mp4 and mandel-h264.mp4:
    /// ffprobe says color_range=pc (FFmpeg decodes it as yuvj420p) for the first, unknown for
    /// the second; both say 30000/1001 fps.
    #[test]
    fn the_sps_says_full_range() {
        let full = unhex(
            "0164000dffe100176764000dacd94141fb016c800001f480007530078a14cb01000668ebe192c8b0fdf8f800",
        );
        let limited = unhex(
            "0164000dffe100176764000dacd94141fb011000003e90000ea600f142996001000668ebe192c8b0fdf8f800",
        );
        assert!(h264_full_range(&full));
        assert!(!h264_full_range(&limited));
        assert_eq!(h264_timing(&full), Some((1001, 60000)));
        assert_eq!(h264_timing(&limited), Some((1001, 60000)));
        assert!(!h264_full_range(&full[..12]), "cut short");
    }

    #[test]
    fn h264_reference_flags() {
        let i = Inspector::H264 { length_size: 4 };
        // SEI then a non-reference slice: disposable.
        let frame = [0, 0, 0, 2, 0x06, 0x05, 0, 0, 0, 2, 0x01, 0x9a];
        assert!(i.disposable(&frame));
        // A reference slice (nal_ref_idc 2).
        assert!(!i.disposable(&[0, 0, 0, 2, 0x41, 0x9a]));
        // No VCL unit, or a length running past the end.
        assert!(!i.disposable(&[0, 0, 0, 2, 0x06, 0x05]));
        assert!(!i.disposable(&[0, 0, 0, 9, 0x01, 0x9a]));
    }

    #[test]
    fn h265_sub_layer_non_reference() {
        let i = Inspector::H265 {
            length_size: 4,
            temporal_layers: 1,
        };
        // TRAIL_N (type 0), temporal id 0.
        assert!(i.disposable(&[0, 0, 0, 3, 0x00, 0x01, 0xaf]));
        // TRAIL_R (type 1).
        assert!(!i.disposable(&[0, 0, 0, 3, 0x02, 0x01, 0xaf]));
        // Unknown sub-layer count: never drop.
        let unknown = Inspector::H265 {
            length_size: 4,
            temporal_layers: 0,
        };
        assert!(!unknown.disposable(&[0, 0, 0, 3, 0x00, 0x01, 0xaf]));
    }

    #[test]
    fn vp9_refresh_flags() {
        // frame_marker 2, profile 0, not show-existing, inter, shown, not error resilient,
        // reset_frame_context 0, refresh_frame_flags 0.
        let frame = [0b1000_0110, 0b0000_0000, 0];
        assert!(vp9_frame_disposable(&frame));
        let refreshing = [0b1000_0110, 0b0000_0001, 0];
        assert!(!vp9_frame_disposable(&refreshing));
        // Key frame.
        assert!(!vp9_frame_disposable(&[0b1000_0010, 0, 0]));
    }
}
