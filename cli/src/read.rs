//! Reading a file once, in chunks: its digests always, and its bytes only when its first bytes
//! say it is an image this command decodes.

use std::fmt;
use std::io::{self, ErrorKind, Read};

use report_helper::{Algorithms, Digests, StreamDigester};

use image::ImageFormat;

use crate::decode::{sniff, NoPdq};

/// Bytes read at a time. The buffer is reused: a non-image of any size costs this much memory.
const CHUNK: usize = 1 << 20;

/// What reading kept of a file besides its digests: an image's format and bytes, or why there
/// is nothing to decode.
pub type Content = Result<(ImageFormat, Vec<u8>), NoPdq>;

/// A file that could not be read to its end: there are no digests.
#[derive(Debug)]
pub struct ReadError(pub io::Error);

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.0.kind() {
            ErrorKind::NotFound => "no such file".to_string(),
            ErrorKind::PermissionDenied => "permission denied".to_string(),
            ErrorKind::IsADirectory => "it is a directory".to_string(),
            _ => self.0.to_string(),
        };
        write!(f, "could not read the file: {why}")
    }
}

impl std::error::Error for ReadError {}

/// Reads `reader` to its end: the digests of every byte, and the bytes themselves when the
/// content sniffs as an image and is at most `max_image_file` bytes long. `expected_len`, the
/// length the file system gives (0 if unknown), spares keeping the start of an image file that
/// is already known to be too large, and growing the buffer step by step.
pub fn read_and_digest(
    mut reader: impl Read,
    algorithms: Algorithms,
    max_image_file: u64,
    expected_len: u64,
) -> Result<(Digests, Content), ReadError> {
    let mut digester = StreamDigester::new(algorithms);
    let mut buf = vec![0; CHUNK];

    let n = read_full(&mut reader, &mut buf).map_err(ReadError)?;
    let first = &buf[..n];
    digester.update(first);
    let mut content = match sniff(first) {
        _ if n == 0 => Err(NoPdq::Empty),
        None => Err(NoPdq::NotAnImage),
        Some(_) if (n as u64).max(expected_len) > max_image_file => Err(NoPdq::FileTooLarge {
            limit: max_image_file,
        }),
        Some(format) => {
            // At most max_image_file: this fits in a usize.
            let mut bytes = Vec::with_capacity(expected_len.max(n as u64) as usize);
            bytes.extend_from_slice(first);
            Ok((format, bytes))
        }
    };

    loop {
        let n = read_full(&mut reader, &mut buf).map_err(ReadError)?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        digester.update(chunk);
        if let Ok((_, bytes)) = &mut content {
            if (bytes.len() + n) as u64 > max_image_file {
                content = Err(NoPdq::FileTooLarge {
                    limit: max_image_file,
                });
            } else {
                bytes.extend_from_slice(chunk);
            }
        }
    }
    Ok((digester.finish(), content))
}

/// Fills `buf` unless the end comes first; returns how many bytes it holds. (A `read` may give
/// fewer bytes than asked for long before the end: a pipe, a network file system.)
pub fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hands out at most `step` bytes per read, then fails after `fail_after` bytes if set.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
        fail_after: Option<usize>,
        pos: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            if self.fail_after.is_some_and(|f| self.pos >= f) {
                return Err(io::Error::other("the disk went away"));
            }
            let n = self.step.min(out.len()).min(self.data.len() - self.pos);
            out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    fn trickle(data: &[u8], step: usize) -> Trickle<'_> {
        Trickle {
            data,
            step,
            fail_after: None,
            pos: 0,
        }
    }

    fn png_like(len: usize) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
        v.extend((0..len - 8).map(|i| i as u8));
        v
    }

    #[test]
    fn digests_do_not_depend_on_how_reads_are_split() {
        let data: Vec<u8> = (0..2 * CHUNK + 17).map(|i| (i * 7) as u8).collect();
        let whole = Digests::of(&data, Algorithms::ALL);
        for step in [7, 4096, CHUNK - 1, CHUNK + 3] {
            let (d, _) = read_and_digest(trickle(&data, step), Algorithms::ALL, 0, 0).unwrap();
            assert_eq!(d, whole, "step {step}");
        }
    }

    #[test]
    fn a_short_first_read_still_sniffs_the_format() {
        let data = png_like(100);
        let (_, content) = read_and_digest(trickle(&data, 1), Algorithms::REPORT, 1000, 0).unwrap();
        assert!(matches!(content, Ok((ImageFormat::Png, bytes)) if bytes == data));
    }

    #[test]
    fn image_bytes_are_kept_across_chunks_up_to_the_limit() {
        let data = png_like(2 * CHUNK + 5);
        let len = data.len() as u64;
        // The expected length only sizes the buffer, whether it is right or not.
        for expected_len in [0, 100, len, len + 100] {
            let (d, content) =
                read_and_digest(&data[..], Algorithms::REPORT, len + 100, expected_len).unwrap();
            assert_eq!(d.size, len);
            assert!(matches!(content, Ok((ImageFormat::Png, bytes)) if bytes == data));
        }

        for limit in [len - 1, 10] {
            let (d, content) = read_and_digest(&data[..], Algorithms::REPORT, limit, 0).unwrap();
            assert_eq!(d, Digests::of(&data, Algorithms::REPORT));
            assert!(
                matches!(content, Err(NoPdq::FileTooLarge { limit: l }) if l == limit),
                "{content:?}"
            );
        }
    }

    #[test]
    fn an_image_file_known_to_be_too_large_is_not_kept_at_all() {
        let data = png_like(100);
        let (d, content) = read_and_digest(&data[..], Algorithms::REPORT, 1000, 1001).unwrap();
        assert_eq!(d, Digests::of(&data, Algorithms::REPORT));
        assert!(matches!(content, Err(NoPdq::FileTooLarge { limit: 1000 })));
    }

    #[test]
    fn empty_and_non_images_keep_nothing() {
        let (d, content) = read_and_digest(&b""[..], Algorithms::REPORT, 100, 0).unwrap();
        assert_eq!(d, Digests::of(b"", Algorithms::REPORT));
        assert!(matches!(content, Err(NoPdq::Empty)));

        let text = vec![b'a'; 3 * CHUNK];
        let (d, content) = read_and_digest(&text[..], Algorithms::REPORT, u64::MAX, 0).unwrap();
        assert_eq!(d.size, text.len() as u64);
        assert!(matches!(content, Err(NoPdq::NotAnImage)));
    }

    #[test]
    fn a_failure_midway_gives_no_digests() {
        let data = vec![0u8; 3 * CHUNK];
        let reader = Trickle {
            fail_after: Some(CHUNK + 10),
            ..trickle(&data, 4096)
        };
        let err = read_and_digest(reader, Algorithms::REPORT, 0, 0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "could not read the file: the disk went away"
        );
    }

    #[test]
    fn read_errors_say_what_happened() {
        let say = |kind: ErrorKind| ReadError(io::Error::from(kind)).to_string();
        assert_eq!(
            say(ErrorKind::NotFound),
            "could not read the file: no such file"
        );
        assert_eq!(
            say(ErrorKind::PermissionDenied),
            "could not read the file: permission denied"
        );
        assert_eq!(
            say(ErrorKind::IsADirectory),
            "could not read the file: it is a directory"
        );
    }
}
