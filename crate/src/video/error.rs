//! Why a video could not be read, in words a developer can act on. The JavaScript side maps each
//! variant to a message for the person; the text here is for logs and bug reports.

use std::fmt;

/// Everything that can stop the demuxer. No variant is ever produced by a panic: hostile sizes,
/// counts and offsets are checked before they are used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VideoError {
    /// The first bytes are neither an ISO base media file (MP4, MOV, 3GP) nor Matroska/WebM.
    UnknownFormat,
    /// A container without a single video track (an audio-only MP4, for example).
    NotAVideo,
    /// Valid, but uses something this demuxer does not read (encryption, compression, …).
    Unsupported(String),
    /// The bytes contradict themselves or end where they must not.
    Damaged(String),
    /// A size or count beyond what a real video needs and a browser tab can hold.
    TooLarge(String),
    /// The caller broke the request/supply protocol (a programming error on the JavaScript side).
    Misuse(String),
}

impl fmt::Display for VideoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VideoError::UnknownFormat => {
                f.write_str("not a video container this demuxer reads (MP4/MOV or Matroska/WebM)")
            }
            VideoError::NotAVideo => f.write_str("the file has no video track"),
            VideoError::Unsupported(what) => write!(f, "unsupported: {what}"),
            VideoError::Damaged(what) => write!(f, "damaged video: {what}"),
            VideoError::TooLarge(what) => write!(f, "too large: {what}"),
            VideoError::Misuse(what) => write!(f, "demuxer used wrongly: {what}"),
        }
    }
}

impl std::error::Error for VideoError {}

/// Shorthand for the most common error.
pub(crate) fn damaged(what: impl Into<String>) -> VideoError {
    VideoError::Damaged(what.into())
}
