//! ISO BMFF box headers (ISO/IEC 14496-12 §4.2): 32-bit sizes, 64-bit `largesize`, and size 0
//! for "to the end". Used both for the top-level walk over the file and inside a loaded moov.

use crate::video::error::{damaged, VideoError};

/// One parsed box header.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BoxHeader {
    pub(crate) kind: [u8; 4],
    /// 8, or 16 with a 64-bit size.
    pub(crate) header_len: u64,
    /// The whole box including its header; None for size 0 (to the end of the enclosing space).
    pub(crate) size: Option<u64>,
}

/// Parses a header from `bytes` (at least 8 bytes, 16 when a 64-bit size follows). Returns
/// Ok(None) when more bytes are needed.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<Option<BoxHeader>, VideoError> {
    if bytes.len() < 8 {
        return Ok(None);
    }
    let size32 = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let kind = [bytes[4], bytes[5], bytes[6], bytes[7]];
    match size32 {
        0 => Ok(Some(BoxHeader {
            kind,
            header_len: 8,
            size: None,
        })),
        1 => {
            if bytes.len() < 16 {
                return Ok(None);
            }
            let mut b = [0u8; 8];
            b.copy_from_slice(&bytes[8..16]);
            let size = u64::from_be_bytes(b);
            if size < 16 {
                return Err(damaged(format!(
                    "box '{}' has an impossible size",
                    fourcc(kind)
                )));
            }
            Ok(Some(BoxHeader {
                kind,
                header_len: 16,
                size: Some(size),
            }))
        }
        2..=7 => Err(damaged(format!(
            "box '{}' has an impossible size",
            fourcc(kind)
        ))),
        n => Ok(Some(BoxHeader {
            kind,
            header_len: 8,
            size: Some(u64::from(n)),
        })),
    }
}

/// A fourcc for messages.
pub(crate) fn fourcc(kind: [u8; 4]) -> String {
    kind.iter()
        .map(|&b| if b.is_ascii_graphic() { b as char } else { '?' })
        .collect()
}

/// The child boxes inside a loaded payload, in order. As FFmpeg does, a child running past its
/// parent is cut at the parent's end, and fewer than 8 trailing bytes are ignored.
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
    /// The child's type and payload.
    type Item = Result<([u8; 4], &'a [u8]), VideoError>;

    fn next(&mut self) -> Option<Self::Item> {
        let rest = &self.data[self.pos..];
        if rest.len() < 8 {
            return None;
        }
        let header = match parse_header(rest) {
            Ok(Some(h)) => h,
            // A 64-bit size cut off by the parent's end: nothing more to read.
            Ok(None) => return None,
            Err(e) => {
                self.pos = self.data.len();
                return Some(Err(e));
            }
        };
        let avail = rest.len() as u64;
        let size = header.size.unwrap_or(avail).min(avail);
        let payload = &rest[header.header_len as usize..size as usize];
        self.pos += size as usize;
        Some(Ok((header.kind, payload)))
    }
}

/// The payload of the first child of type `kind`.
pub(crate) fn find<'a>(data: &'a [u8], kind: &[u8; 4]) -> Result<Option<&'a [u8]>, VideoError> {
    for child in Children::new(data) {
        let (k, payload) = child?;
        if &k == kind {
            return Ok(Some(payload));
        }
    }
    Ok(None)
}
