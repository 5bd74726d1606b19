//! PNG's framing: the signature, and chunks as length, type, data and the CRC-32 over type and
//! data (specification, 5.3).

/// The eight bytes every PNG starts with.
pub(super) const SIGNATURE: [u8; 8] = *b"\x89PNG\r\n\x1a\n";

/// Appends a chunk whose data is at hand (IHDR, 13 bytes; IEND, none).
pub(super) fn write_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

/// Starts a chunk whose data is written straight after it (the IDAT, as it is compressed):
/// returns where it starts, for [`end_chunk`].
pub(super) fn begin_chunk(out: &mut Vec<u8>, kind: &[u8; 4]) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(kind);
    start
}

/// Fills in the length of the chunk begun at `start` and appends its CRC. `None` when its data
/// is over the 2^31 - 1 bytes a PNG chunk holds.
pub(super) fn end_chunk(out: &mut Vec<u8>, start: usize) -> Option<()> {
    let data_len = u32::try_from(out.len() - start - 8)
        .ok()
        .filter(|&n| n <= i32::MAX as u32)?;
    out[start..start + 4].copy_from_slice(&data_len.to_be_bytes());
    let crc = crc32(&out[start + 4..]);
    out.extend_from_slice(&crc.to_be_bytes());
    Some(())
}

/// CRC-32 of PNG (and zlib's gzip), reflected polynomial 0xEDB88320, table built at compile time.
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut n = 0;
    while n < 256 {
        let mut c = n as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[n] = c;
        n += 1;
    }
    table
};

/// CRC-32 as a PNG chunk carries it (over type and data).
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c = CRC_TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_its_published_check_value() {
        // The "check" value of the CRC catalogue (CRC-32/ISO-HDLC).
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }
}
