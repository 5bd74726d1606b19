//! `report-helper hash`: one file in, one JSON line out.

use std::fs::File;
use std::path::Path;

use report_helper::pdq::PdqSize;
use report_helper::{Algorithms, Digests};
use serde::Serialize;

use crate::decode::{hash_image, Hashed, NoPdq, MAX_DECODE_MEMORY, MAX_IMAGE_FILE};
use crate::read::{read_and_digest, ReadError};
use crate::terminal;
use crate::vpdq::{hash_video, VideoHashes, VpdqError};
use report_helper::vpdq::SECONDS_PER_HASH;

#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub size: PdqSize,
    pub dihedral: bool,
    pub sha1: bool,
    /// Also hash the file as a video with vPDQ.
    pub vpdq: bool,
}

/// What became of one file: its hashes, or why it could not be read to its end (then it has no
/// digests).
pub type Outcome = Result<FileHashes, ReadError>;

/// The hashes of a file that was read to its end.
#[derive(Debug)]
pub struct FileHashes {
    pub digests: Digests,
    pub pdq: Result<Hashed, NoPdq>,
    /// With `--vpdq`: the video's vPDQ hash, or why it has none.
    pub vpdq: Option<Result<VideoHashes, VpdqError>>,
}

/// Reads, digests and, if it is an image, decodes and hashes the file at `path`; with
/// `options.vpdq`, then has FFmpeg read it from `path` as a video (only if it could be read).
pub fn hash_file(path: &Path, options: Options) -> Outcome {
    let algorithms = Algorithms {
        sha1: options.sha1,
        ..Algorithms::REPORT
    };
    let read = File::open(path).map_err(ReadError).and_then(|file| {
        let expected_len = file.metadata().map_or(0, |m| m.len());
        read_and_digest(file, algorithms, MAX_IMAGE_FILE, expected_len)
    });
    read.map(|(digests, content)| {
        let pdq = content.and_then(|(format, bytes)| {
            hash_image(format, &bytes, options.size, MAX_DECODE_MEMORY).map_err(NoPdq::Decode)
        });
        let vpdq = options.vpdq.then(|| video_hashes(path, digests.size));
        FileHashes { digests, pdq, vpdq }
    })
}

/// The vPDQ hash of the file at `path`, which was read and is `size` bytes long (`hash --vpdq`;
/// `match` for a file that is not an image when the list has videos).
pub fn video_hashes(path: &Path, size: u64) -> Result<VideoHashes, VpdqError> {
    match size {
        0 => Err(VpdqError::NotAVideo("empty file (0 bytes)".into())),
        _ => hash_video(path),
    }
}

/// One output line. Every line has the same keys, in this order; `sha1` only with `--sha1`,
/// `vpdq` and `vpdq_error` only with `--vpdq`.
#[derive(Serialize)]
struct Line<'a> {
    file: &'a str,
    size: Option<u64>,
    sha256: Option<String>,
    md5: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha1: Option<Option<String>>,
    pdq: Option<PdqJson>,
    /// Only when the EXIF orientation is not 1: the pixels as stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pdq_stored: Option<StoredPdqJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpdq: Option<Option<VpdqJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpdq_error: Option<Option<VpdqErrorJson>>,
    error: Option<String>,
}

#[derive(Serialize)]
struct VpdqJson {
    seconds_per_hash: u32,
    frames: Vec<FrameJson>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    partial: bool,
}

#[derive(Serialize)]
struct FrameJson {
    frame: u64,
    hash: String,
    quality: u8,
}

#[derive(Serialize)]
struct VpdqErrorJson {
    code: &'static str,
    message: String,
}

impl VpdqJson {
    fn new(video: &VideoHashes) -> Self {
        VpdqJson {
            seconds_per_hash: SECONDS_PER_HASH,
            frames: video
                .frames
                .iter()
                .map(|f| FrameJson {
                    frame: f.frame,
                    hash: f.hash.to_hex(),
                    quality: f.quality,
                })
                .collect(),
            partial: video.partial,
        }
    }
}

#[derive(Serialize)]
struct PdqJson {
    hash: String,
    quality: u8,
    width: u32,
    height: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    dihedral: Option<DihedralJson>,
}

#[derive(Serialize)]
struct StoredPdqJson {
    hash: String,
    quality: u8,
}

#[derive(Serialize)]
struct DihedralJson {
    rot90: String,
    rot180: String,
    rot270: String,
    flipx: String,
    flipy: String,
    flipp: String,
    flipm: String,
}

impl PdqJson {
    fn new(hashed: &Hashed, dihedral: bool) -> Self {
        let d = &hashed.pdq.dihedral;
        PdqJson {
            hash: hashed.pdq.hash.to_hex(),
            quality: hashed.pdq.quality,
            width: hashed.width,
            height: hashed.height,
            dihedral: dihedral.then(|| DihedralJson {
                rot90: d.rotate90.to_hex(),
                rot180: d.rotate180.to_hex(),
                rot270: d.rotate270.to_hex(),
                flipx: d.flip_x.to_hex(),
                flipy: d.flip_y.to_hex(),
                flipp: d.flip_plus1.to_hex(),
                flipm: d.flip_minus1.to_hex(),
            }),
        }
    }
}

/// The JSON line for `outcome`, without the newline. `file` is the path as given (bytes that are
/// not UTF-8 become U+FFFD); control and bidirectional characters are JSON escapes (`\u202e`),
/// never raw (see `terminal`).
pub fn json_line(file: &str, outcome: &Outcome, options: Options) -> String {
    let line =
        match outcome {
            Err(e) => Line {
                file,
                size: None,
                sha256: None,
                md5: None,
                sha1: options.sha1.then_some(None),
                pdq: None,
                pdq_stored: None,
                vpdq: options.vpdq.then_some(None),
                vpdq_error: options.vpdq.then_some(None),
                error: Some(e.to_string()),
            },
            Ok(FileHashes { digests, pdq, vpdq }) => Line {
                file,
                size: Some(digests.size),
                sha256: digests.sha256.map(|d| d.to_hex()),
                md5: digests.md5.map(|d| d.to_hex()),
                sha1: options.sha1.then(|| digests.sha1.map(|d| d.to_hex())),
                pdq: pdq.as_ref().ok().map(|h| PdqJson::new(h, options.dihedral)),
                pdq_stored: pdq.as_ref().ok().and_then(|h| h.stored.as_ref()).map(|s| {
                    StoredPdqJson {
                        hash: s.hash.to_hex(),
                        quality: s.quality,
                    }
                }),
                vpdq: vpdq.as_ref().map(|v| v.as_ref().ok().map(VpdqJson::new)),
                vpdq_error: vpdq.as_ref().map(|v| {
                    v.as_ref().err().map(|e| VpdqErrorJson {
                        code: e.code(),
                        message: e.to_string(),
                    })
                }),
                error: pdq.as_ref().err().map(NoPdq::to_string),
            },
        };
    // Strings, numbers, booleans, arrays and nulls only: serialising cannot fail.
    let text = serde_json::to_string(&line).unwrap_or_default();
    terminal::json(&text).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use report_helper::pdq::hash_pixels;
    use report_helper::pdq::PixelLayout;
    use std::io;

    const OPTIONS: Options = Options {
        size: PdqSize::Full,
        dihedral: false,
        sha1: false,
        vpdq: false,
    };

    #[test]
    fn an_unreadable_file_has_every_key_with_null_values() {
        let outcome = Err(ReadError(io::ErrorKind::NotFound.into()));
        assert_eq!(
            json_line("a \"b\".jpg", &outcome, OPTIONS),
            r#"{"file":"a \"b\".jpg","size":null,"sha256":null,"md5":null,"pdq":null,"error":"could not read the file: no such file"}"#
        );
        let with_sha1 = Options {
            sha1: true,
            ..OPTIONS
        };
        assert_eq!(
            json_line("x", &outcome, with_sha1),
            r#"{"file":"x","size":null,"sha256":null,"md5":null,"sha1":null,"pdq":null,"error":"could not read the file: no such file"}"#
        );
    }

    #[test]
    fn keys_come_in_the_documented_order() {
        let pdq = hash_pixels(&[0; 3 * 4 * 4], 4, 4, PixelLayout::Rgb, PdqSize::Full).unwrap();
        let outcome = Ok(FileHashes {
            digests: Digests::of(b"", Algorithms::ALL),
            pdq: Ok(Hashed {
                pdq,
                width: 4,
                height: 4,
                stored: Some(pdq),
            }),
            vpdq: None,
        });
        let options = Options {
            size: PdqSize::Full,
            dihedral: true,
            sha1: true,
            vpdq: false,
        };
        let line = json_line("f", &outcome, options);
        let keys = [
            "\"file\"",
            "\"size\"",
            "\"sha256\"",
            "\"md5\"",
            "\"sha1\"",
            "\"pdq\"",
            "\"hash\"",
            "\"quality\"",
            "\"width\"",
            "\"height\"",
            "\"dihedral\"",
            "\"rot90\"",
            "\"rot180\"",
            "\"rot270\"",
            "\"flipx\"",
            "\"flipy\"",
            "\"flipp\"",
            "\"flipm\"",
            "\"pdq_stored\"",
            "\"error\"",
        ];
        let at: Vec<usize> = keys.iter().map(|k| line.find(k).expect(k)).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
        assert!(line.ends_with(r#""error":null}"#), "{line}");
    }
}
