//! EBML (RFC 8794): variable-length integers, element headers, and the few element values read
//! here. Elements may be split across the caller's chunks, so the header parser says when it
//! needs more bytes instead of failing.

use crate::video::error::{damaged, VideoError};

pub(crate) const EBML: u32 = 0x1A45_DFA3;
pub(crate) const SEGMENT: u32 = 0x1853_8067;
pub(crate) const SEEK_HEAD: u32 = 0x114D_9B74;
pub(crate) const INFO: u32 = 0x1549_A966;
pub(crate) const TRACKS: u32 = 0x1654_AE6B;
pub(crate) const CLUSTER: u32 = 0x1F43_B675;
pub(crate) const CUES: u32 = 0x1C53_BB6B;
pub(crate) const ATTACHMENTS: u32 = 0x1941_A469;
pub(crate) const CHAPTERS: u32 = 0x1043_A770;
pub(crate) const TAGS: u32 = 0x1254_C367;
pub(crate) const VOID: u32 = 0xEC;
pub(crate) const CRC32: u32 = 0xBF;

pub(crate) const TIMESTAMP_SCALE: u32 = 0x2A_D7B1;
pub(crate) const DURATION: u32 = 0x4489;

pub(crate) const TRACK_ENTRY: u32 = 0xAE;
pub(crate) const TRACK_NUMBER: u32 = 0xD7;
pub(crate) const TRACK_TYPE: u32 = 0x83;
pub(crate) const CODEC_ID: u32 = 0x86;
pub(crate) const CODEC_PRIVATE: u32 = 0x63A2;
pub(crate) const DEFAULT_DURATION: u32 = 0x23_E383;
pub(crate) const CODEC_DELAY: u32 = 0x56AA;
pub(crate) const VIDEO: u32 = 0xE0;
pub(crate) const PIXEL_WIDTH: u32 = 0xB0;
pub(crate) const PIXEL_HEIGHT: u32 = 0xBA;
pub(crate) const CONTENT_ENCODINGS: u32 = 0x6D80;
pub(crate) const CONTENT_ENCODING: u32 = 0x6240;
pub(crate) const CONTENT_ENCODING_SCOPE: u32 = 0x5032;
pub(crate) const CONTENT_ENCODING_TYPE: u32 = 0x5033;
pub(crate) const CONTENT_COMPRESSION: u32 = 0x5034;
pub(crate) const CONTENT_COMP_ALGO: u32 = 0x4254;
pub(crate) const CONTENT_COMP_SETTINGS: u32 = 0x4255;

pub(crate) const CLUSTER_TIMESTAMP: u32 = 0xE7;
pub(crate) const SIMPLE_BLOCK: u32 = 0xA3;
pub(crate) const BLOCK_GROUP: u32 = 0xA0;
pub(crate) const BLOCK: u32 = 0xA1;
pub(crate) const BLOCK_DURATION: u32 = 0x9B;
pub(crate) const REFERENCE_BLOCK: u32 = 0xFB;

/// One element header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    pub(crate) id: u32,
    /// None: unknown size (allowed for Segment and Cluster, as live recorders write them).
    pub(crate) size: Option<u64>,
    /// Bytes of ID and size.
    pub(crate) len: usize,
}

/// The length of a variable-length integer from its first byte (1..=8), or None for 0x00.
pub(crate) fn vint_len(first: u8) -> Option<usize> {
    (first != 0).then(|| first.leading_zeros() as usize + 1)
}

/// A variable-length integer without its marker bit: (value, length, all value bits set).
pub(crate) fn vint(b: &[u8]) -> Option<(u64, usize, bool)> {
    let len = vint_len(*b.first()?)?;
    let bytes = b.get(..len)?;
    let mut v = u64::from(bytes[0]) & (0xFF >> len);
    for &x in &bytes[1..] {
        v = v << 8 | u64::from(x);
    }
    let all_ones = v == (1u64 << (7 * len)) - 1;
    Some((v, len, all_ones))
}

/// Parses an element header; Ok(None) when `b` is too short to hold it.
pub(crate) fn parse_header(b: &[u8]) -> Result<Option<Header>, VideoError> {
    let Some(&first) = b.first() else {
        return Ok(None);
    };
    let id_len = match vint_len(first) {
        Some(n @ 1..=4) => n,
        _ => {
            return Err(damaged(format!(
                "an invalid Matroska element ID byte 0x{first:02X}"
            )))
        }
    };
    let Some(id_bytes) = b.get(..id_len) else {
        return Ok(None);
    };
    let id = id_bytes.iter().fold(0u32, |v, &x| v << 8 | u32::from(x));
    let Some(&size_first) = b.get(id_len) else {
        return Ok(None);
    };
    if vint_len(size_first).is_none() {
        return Err(damaged("an invalid Matroska element size"));
    }
    let Some((size, size_len, unknown)) = vint(&b[id_len..]) else {
        return Ok(None);
    };
    Ok(Some(Header {
        id,
        size: (!unknown).then_some(size),
        len: id_len + size_len,
    }))
}

/// Big-endian unsigned integer element (0 to 8 bytes).
pub(crate) fn uint(b: &[u8]) -> Result<u64, VideoError> {
    if b.len() > 8 {
        return Err(damaged("a Matroska integer longer than 8 bytes"));
    }
    Ok(b.iter().fold(0u64, |v, &x| v << 8 | u64::from(x)))
}

/// Float element (0, 4 or 8 bytes).
pub(crate) fn float(b: &[u8]) -> Result<f64, VideoError> {
    match b.len() {
        0 => Ok(0.0),
        4 => Ok(f64::from(f32::from_be_bytes([b[0], b[1], b[2], b[3]]))),
        8 => {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            Ok(f64::from_be_bytes(a))
        }
        _ => Err(damaged("a Matroska float of odd length")),
    }
}

/// The children of a buffered master element.
pub(crate) struct Children<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Children<'a> {
    pub(crate) fn new(data: &'a [u8]) -> Self {
        Children { data, pos: 0 }
    }
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<(u32, &'a [u8]), VideoError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.data.len() {
            return None;
        }
        let rest = &self.data[self.pos..];
        let result = (|| {
            let h = parse_header(rest)?.ok_or_else(|| damaged("a Matroska element is cut off"))?;
            let size = h
                .size
                .ok_or_else(|| damaged("an unknown-size element inside Tracks"))?;
            let end = (h.len as u64)
                .checked_add(size)
                .filter(|&e| e <= rest.len() as u64)
                .ok_or_else(|| damaged("a Matroska element runs past its parent"))?;
            Ok((h.id, &rest[h.len..end as usize], end as usize))
        })();
        match result {
            Ok((id, payload, used)) => {
                self.pos += used;
                Some(Ok((id, payload)))
            }
            Err(e) => {
                self.pos = self.data.len();
                Some(Err(e))
            }
        }
    }
}

/// Whether `id` may appear directly inside an unknown-size `parent`; anything else ends it.
pub(crate) fn is_child(parent: u32, id: u32) -> bool {
    match parent {
        SEGMENT => matches!(
            id,
            SEEK_HEAD
                | INFO
                | TRACKS
                | CLUSTER
                | CUES
                | ATTACHMENTS
                | CHAPTERS
                | TAGS
                | VOID
                | CRC32
        ),
        CLUSTER => matches!(
            id,
            CLUSTER_TIMESTAMP
                | 0x5854
                | 0xA7
                | 0xAB
                | SIMPLE_BLOCK
                | BLOCK_GROUP
                | 0xAF
                | VOID
                | CRC32
        ),
        BLOCK_GROUP => matches!(
            id,
            BLOCK
                | 0xA2
                | 0x75A1
                | BLOCK_DURATION
                | 0xFA
                | REFERENCE_BLOCK
                | 0xFD
                | 0xA4
                | 0x75A2
                | 0x8E
                | 0xC8
                | VOID
                | CRC32
        ),
        _ => false,
    }
}

/// The byte just past the Segment, from a file's first bytes (the EBML header, then the
/// Segment's header), when the Segment's size is declared; None for a live recording's unknown
/// size, for bytes that are not Matroska, or when `head` is too short.
pub(crate) fn segment_end(head: &[u8]) -> Option<u64> {
    let ebml = parse_header(head).ok()??;
    if ebml.id != EBML {
        return None;
    }
    let at = ebml.size?.checked_add(ebml.len as u64)?;
    let segment = parse_header(head.get(usize::try_from(at).ok()?..)?).ok()??;
    if segment.id != SEGMENT {
        return None;
    }
    segment.size?.checked_add(at + segment.len as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_ends() {
        // The EBML header's ID with a one-byte size of 3, its 3 bytes, then a Segment.
        let head = |segment_size: &[u8]| -> Vec<u8> {
            [
                &[
                    0x1A, 0x45, 0xDF, 0xA3, 0x83, 1, 2, 3, 0x18, 0x53, 0x80, 0x67,
                ][..],
                segment_size,
            ]
            .concat()
        };
        assert_eq!(segment_end(&head(&[0x40, 0x02])), Some(8 + 4 + 2 + 2));
        // Unknown size (all ones, 8 bytes), as MediaRecorder writes it.
        assert_eq!(
            segment_end(&head(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])),
            None
        );
        // Cut off before the Segment's size; a size byte of 0; not Matroska.
        assert_eq!(segment_end(&head(&[0x40])), None);
        assert_eq!(segment_end(&head(&[0x00])), None);
        assert_eq!(segment_end(&[0x08, 1, 2, 3, 4]), None);
        assert_eq!(segment_end(&[0x1F, 0x43, 0xB6, 0x75, 0x80]), None);
    }

    #[test]
    fn headers() {
        let h = parse_header(&[0x1A, 0x45, 0xDF, 0xA3, 0x9F])
            .unwrap()
            .unwrap();
        assert_eq!((h.id, h.size, h.len), (0x1A45_DFA3, Some(31), 5));
        // Unknown size (all ones), as MediaRecorder writes Segment and Cluster.
        let h = parse_header(&[
            0x1F, 0x43, 0xB6, 0x75, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ])
        .unwrap()
        .unwrap();
        assert_eq!((h.id, h.size, h.len), (CLUSTER, None, 12));
        assert!(parse_header(&[0x1F, 0x43]).unwrap().is_none());
        assert!(parse_header(&[0x00]).is_err());
        assert!(parse_header(&[0xA3, 0x00]).is_err());
    }
}
