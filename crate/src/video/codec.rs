//! From a track's codec configuration (avcC, hvcC, vpcC, av1C, or a VP9 frame header) to what
//! WebCodecs' `VideoDecoder.configure()` wants: the codec string (RFC 6381 style, per codec
//! registration) and, for H.264/H.265, the `description` bytes.

use super::bits::Bits;
use super::Codec;

/// What the rest of the demuxer knows about the codec of the chosen track.
#[derive(Debug, Clone)]
pub(crate) struct CodecConfig {
    pub(crate) codec: Codec,
    pub(crate) codec_string: Option<String>,
    pub(crate) description: Option<Vec<u8>>,
}

/// MP4 sample-entry fourcc plus its configuration box (avcC, hvcC, vpcC or av1C payload).
pub(crate) fn from_mp4(fourcc: [u8; 4], config: Option<&[u8]>) -> CodecConfig {
    let tag = String::from_utf8_lossy(&fourcc).into_owned();
    match &fourcc {
        b"avc1" | b"avc3" | b"dva1" | b"dvav" => {
            // Dolby Vision's H.264 entries decode as H.264 with the same configuration.
            let prefix = if &fourcc == b"avc3" || &fourcc == b"dvav" {
                "avc3"
            } else {
                "avc1"
            };
            h264(prefix, config)
        }
        b"hvc1" | b"hev1" | b"dvh1" | b"dvhe" => {
            let prefix = if &fourcc == b"hev1" || &fourcc == b"dvhe" {
                "hev1"
            } else {
                "hvc1"
            };
            h265(prefix, config)
        }
        b"vp09" => CodecConfig {
            codec: Codec::Vp9,
            codec_string: config.and_then(vp9_from_vpcc),
            description: None,
        },
        b"vp08" => CodecConfig {
            codec: Codec::Vp8,
            codec_string: Some("vp8".to_string()),
            description: None,
        },
        b"av01" => CodecConfig {
            codec: Codec::Av1,
            codec_string: config.and_then(av1_from_av1c),
            description: None,
        },
        _ => CodecConfig {
            codec: Codec::Other(tag),
            codec_string: None,
            description: None,
        },
    }
}

/// Matroska CodecID plus CodecPrivate.
pub(crate) fn from_matroska(codec_id: &str, private: Option<&[u8]>) -> CodecConfig {
    match codec_id {
        "V_MPEG4/ISO/AVC" => h264("avc1", private),
        "V_MPEGH/ISO/HEVC" => h265("hvc1", private),
        "V_VP8" => CodecConfig {
            codec: Codec::Vp8,
            codec_string: Some("vp8".to_string()),
            description: None,
        },
        // WebM's VP9 CodecPrivate, when present, is a list of (id, length, value) features;
        // without it the first frame's header tells profile and bit depth (see vp9_from_frame).
        "V_VP9" => CodecConfig {
            codec: Codec::Vp9,
            codec_string: private.and_then(vp9_from_features),
            description: None,
        },
        "V_AV1" => CodecConfig {
            codec: Codec::Av1,
            codec_string: private.and_then(av1_from_av1c),
            description: None,
        },
        other => CodecConfig {
            codec: Codec::Other(other.to_string()),
            codec_string: None,
            description: None,
        },
    }
}

fn h264(prefix: &str, avcc: Option<&[u8]>) -> CodecConfig {
    let codec_string = avcc
        .filter(|c| c.len() >= 7 && c[0] == 1)
        .map(|c| format!("{prefix}.{:02x}{:02x}{:02x}", c[1], c[2], c[3]));
    CodecConfig {
        codec: Codec::H264,
        codec_string,
        description: avcc.filter(|c| c.len() >= 7).map(<[u8]>::to_vec),
    }
}

fn h265(prefix: &str, hvcc: Option<&[u8]>) -> CodecConfig {
    CodecConfig {
        codec: Codec::H265,
        codec_string: hvcc.and_then(|c| hevc_string(prefix, c)),
        description: hvcc.filter(|c| c.len() >= 23).map(<[u8]>::to_vec),
    }
}

/// ISO/IEC 14496-15 Annex E.3: `hvc1.[A-C]?P.C.[LH]L.B0[.B1…]`.
fn hevc_string(prefix: &str, c: &[u8]) -> Option<String> {
    if c.len() < 23 {
        return None;
    }
    let profile_space = c[1] >> 6;
    let tier = (c[1] >> 5) & 1;
    let profile_idc = c[1] & 0x1f;
    let compat = u32::from_be_bytes([c[2], c[3], c[4], c[5]]);
    let constraints = &c[6..12];
    let level_idc = c[12];
    let space = ["", "A", "B", "C"][usize::from(profile_space)];
    let mut s = format!(
        "{prefix}.{space}{profile_idc}.{:X}.{}{level_idc}",
        compat.reverse_bits(),
        if tier == 1 { 'H' } else { 'L' }
    );
    let used = constraints
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |i| i + 1);
    for b in &constraints[..used] {
        s.push_str(&format!(".{b:X}"));
    }
    Some(s)
}

/// The VP9 levels of the VP9 codec string registration; anything else is replaced by 10.
const VP9_LEVELS: [u8; 14] = [10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 52, 60, 61, 62];

fn vp9_string(profile: u8, level: u8, bit_depth: u8) -> String {
    let level = if VP9_LEVELS.contains(&level) {
        level
    } else {
        10
    };
    format!("vp09.{profile:02}.{level:02}.{bit_depth:02}")
}

/// vpcC (VP Codec ISO Media File Format Binding, version 1): profile, level, bit depth.
fn vp9_from_vpcc(c: &[u8]) -> Option<String> {
    if c.len() < 8 || c[0] != 1 {
        return None;
    }
    let bit_depth = c[6] >> 4;
    Some(vp9_string(c[4], c[5], bit_depth))
}

/// WebM's VP9 CodecPrivate: features 1 (profile), 2 (level), 3 (bit depth), each
/// id, length, value.
fn vp9_from_features(p: &[u8]) -> Option<String> {
    let (mut profile, mut level, mut depth) = (None, None, None);
    let mut at = 0;
    while at + 2 <= p.len() {
        let (id, len) = (p[at], usize::from(p[at + 1]));
        let value = p.get(at + 2..at + 2 + len)?;
        if len == 1 {
            match id {
                1 => profile = Some(value[0]),
                2 => level = Some(value[0]),
                3 => depth = Some(value[0]),
                _ => {}
            }
        }
        at += 2 + len;
    }
    let profile = profile?;
    let depth = depth.unwrap_or(if profile >= 2 { 10 } else { 8 });
    Some(vp9_string(profile, level.unwrap_or(0), depth))
}

/// VP9 without a configuration record: profile and bit depth from the first frame's uncompressed
/// header (the level stays unknown, written as 10). The first frame of a stream is a key frame.
pub(crate) fn vp9_from_frame(frame: &[u8]) -> Option<String> {
    let mut b = Bits::new(frame);
    if b.bits(2)? != 2 {
        return None;
    }
    let low = b.bit()?;
    let high = b.bit()?;
    let profile = (high << 1 | low) as u8;
    if profile == 3 {
        b.skip(1)?;
    }
    if b.bit()? == 1 {
        return None; // show_existing_frame: no header to read
    }
    let key = b.bit()? == 0;
    if !key {
        return Some(vp9_string(profile, 0, if profile >= 2 { 10 } else { 8 }));
    }
    b.skip(2)?; // show_frame, error_resilient_mode
    if b.bits(24)? != 0x49_83_42 {
        return None;
    }
    let depth = if profile >= 2 {
        if b.bit()? == 1 {
            12
        } else {
            10
        }
    } else {
        8
    };
    Some(vp9_string(profile, 0, depth))
}

/// av1C (AV1 Codec ISO Media File Format Binding): `av01.P.LLT.DD`.
fn av1_from_av1c(c: &[u8]) -> Option<String> {
    if c.len() < 4 || c[0] & 0x80 == 0 {
        return None;
    }
    let profile = c[1] >> 5;
    let level = c[1] & 0x1f;
    let tier = if c[2] & 0x80 != 0 { 'H' } else { 'M' };
    let high_bitdepth = c[2] & 0x40 != 0;
    let twelve_bit = c[2] & 0x20 != 0;
    let depth = match (high_bitdepth, twelve_bit) {
        (true, true) => 12,
        (true, false) => 10,
        _ => 8,
    };
    Some(format!("av01.{profile}.{level:02}{tier}.{depth:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hevc_strings_follow_annex_e() {
        // Main profile, compatibility flags 0x60000000 (reversed: 6), level 93, constraints B0.
        let mut c = vec![1u8, 0x01, 0x60, 0, 0, 0, 0xB0, 0, 0, 0, 0, 0, 93];
        c.resize(23, 0);
        assert_eq!(hevc_string("hvc1", &c).as_deref(), Some("hvc1.1.6.L93.B0"));
        c[1] = 0x22; // tier 1, profile 2
        c[6] = 0;
        assert_eq!(hevc_string("hev1", &c).as_deref(), Some("hev1.2.6.H93"));
    }

    #[test]
    fn av1_and_vp9_strings() {
        assert_eq!(
            av1_from_av1c(&[0x81, 0x08, 0x0c, 0]).as_deref(),
            Some("av01.0.08M.08")
        );
        assert_eq!(
            vp9_from_vpcc(&[1, 0, 0, 0, 0, 31, 0x80, 0]).as_deref(),
            Some("vp09.00.31.08")
        );
        assert_eq!(
            vp9_from_features(&[1, 1, 2, 3, 1, 10]).as_deref(),
            Some("vp09.02.10.10")
        );
    }
}
