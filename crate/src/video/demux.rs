//! The demuxer JavaScript drives: it says what it needs (a Range of the file, or the whole file
//! streamed from offset 0), the caller supplies it, and samples come out in decode order. Memory
//! stays flat for any file size: only the index, the current sample and samples not yet taken
//! are kept.

use super::error::VideoError;
use super::matroska::Matroska;
use super::mp4::Mp4;
use super::{sniff, Container, Sample, VideoTrack};

/// What the demuxer needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request {
    /// Read `len` bytes at `offset` and give them to [`Demuxer::supply`] (fewer only at the end
    /// of the file).
    Range { offset: u64, len: u64 },
    /// Push the whole file from offset 0, in order, in chunks of any size, with
    /// [`Demuxer::push`]; then call [`Demuxer::end`].
    Stream,
    /// Nothing more: call [`Demuxer::end`] (after streaming, once the stream is finished).
    Done,
}

/// How the stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Every sample the container announced was delivered.
    Complete,
    /// The file is cut short: samples were announced (MP4: the count is known) or an element was
    /// open when the data ended (Matroska: the count is not). Hash what decoded and say the
    /// result is partial.
    CutShort { missing_samples: Option<u64> },
}

enum Inner {
    Mp4(Box<Mp4>),
    Matroska(Box<Matroska>),
}

/// Demultiplexes the first video track of an MP4/QuickTime or Matroska/WebM file.
pub struct Demuxer {
    inner: Inner,
}

impl Demuxer {
    /// `head`: the file's first bytes (up to 64 KiB; all of it for a smaller file). MP4 reads its
    /// first boxes from it; Matroska only recognises it and reads everything from the stream.
    pub fn new(file_size: u64, head: &[u8]) -> Result<Demuxer, VideoError> {
        let inner = match sniff(head) {
            Some(Container::Mp4) => Inner::Mp4(Box::new(Mp4::new(file_size, head)?)),
            Some(Container::Matroska) => Inner::Matroska(Box::new(Matroska::new())),
            None => return Err(VideoError::UnknownFormat),
        };
        Ok(Demuxer { inner })
    }

    /// Which container the file is.
    pub fn container(&self) -> Container {
        match self.inner {
            Inner::Mp4(_) => Container::Mp4,
            Inner::Matroska(_) => Container::Matroska,
        }
    }

    pub fn request(&self) -> Request {
        match &self.inner {
            Inner::Mp4(m) => m.request(),
            Inner::Matroska(m) => m.request(),
        }
    }

    /// The answer to a [`Request::Range`].
    pub fn supply(&mut self, offset: u64, bytes: &[u8]) -> Result<(), VideoError> {
        match &mut self.inner {
            Inner::Mp4(m) => m.supply(offset, bytes),
            Inner::Matroska(_) => Err(VideoError::Misuse(
                "supply() to a Matroska demuxer, which only streams".into(),
            )),
        }
    }

    /// The next bytes of the sequential stream ([`Request::Stream`]); bytes it does not need are
    /// skipped without being kept.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), VideoError> {
        match &mut self.inner {
            Inner::Mp4(m) => m.push(chunk),
            Inner::Matroska(m) => m.push(chunk),
        }
    }

    /// The video track, as soon as it is known: MP4 once the index is read; Matroska once Tracks
    /// has passed and, where the container does not say, the codec string (VP9) and frame rate
    /// have been learnt from the first frames. No sample is handed out before.
    pub fn track(&self) -> Option<&VideoTrack> {
        match &self.inner {
            Inner::Mp4(m) => m.track(),
            Inner::Matroska(m) => m.track(),
        }
    }

    /// The next complete sample, in decode order.
    pub fn next_sample(&mut self) -> Option<Sample> {
        match &mut self.inner {
            Inner::Mp4(m) => m.next_sample(),
            Inner::Matroska(m) => m.next_sample(),
        }
    }

    /// For MP4, once the track is known: how many samples there are (decode indices run
    /// 0..count, discarded samples included). None for Matroska, whose samples are only known as
    /// they pass.
    pub fn sample_count(&self) -> Option<u64> {
        match &self.inner {
            Inner::Mp4(m) => m.sample_count(),
            Inner::Matroska(_) => None,
        }
    }

    /// For MP4 (where the whole index is known up front): the number FFmpeg's decoder gives the
    /// frame of this sample, counting returned frames in presentation order (pts, then decode
    /// order) and leaving out discarded samples. None for discarded samples and for Matroska.
    pub fn frame_number(&self, decode_index: u64) -> Option<u64> {
        match &self.inner {
            Inner::Mp4(m) => m.frame_number(decode_index),
            Inner::Matroska(_) => None,
        }
    }

    /// The stream is over (at the end of the file, or earlier when the file is shorter than its
    /// size said). Samples still queued can be taken afterwards.
    pub fn end(&mut self) -> Result<Ending, VideoError> {
        match &mut self.inner {
            Inner::Mp4(m) => m.end(),
            Inner::Matroska(m) => m.end(),
        }
    }
}
