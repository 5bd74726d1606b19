//! Gets the bytes of every video sample once the index is known. Normally the caller streams the
//! whole file from offset 0 (it hashes the file anyway) and the samples are copied out as they
//! pass, everything else skipped. When the samples are not in increasing file order in decode
//! order (rare: interleaving tools, multi-entry edit lists), they are asked for with Range reads
//! instead, neighbours coalesced.

use std::collections::VecDeque;

use super::index::Packet;
use crate::video::error::VideoError;

/// Samples closer than this in the file share one Range read.
const COALESCE_GAP: u64 = 64 * 1024;
/// A coalesced Range read grows to at most this.
const COALESCE_MAX: u64 = 4 * 1024 * 1024;

enum Mode {
    /// The caller pushes the file from offset 0; `at` is the next byte it will push.
    Stream { at: u64, partial: Vec<u8> },
    /// Range reads of `groups[next_group]`; each group is (first packet, end packet, offset, len).
    Ranges {
        groups: Vec<(usize, usize, u64, u64)>,
        next_group: usize,
    },
}

pub(crate) struct Fetcher {
    packets: Vec<Packet>,
    mode: Mode,
    /// The next packet to complete (Stream mode).
    next: usize,
    file_end: u64,
    ready: VecDeque<(usize, Vec<u8>)>,
    delivered: u64,
}

/// What the fetcher wants next.
pub(crate) enum Need {
    Stream,
    Range(u64, u64),
    Nothing,
}

impl Fetcher {
    pub(crate) fn new(packets: Vec<Packet>, file_end: u64) -> Fetcher {
        let ordered = packets
            .windows(2)
            .all(|w| w[1].pos >= w[0].pos.saturating_add(u64::from(w[0].size)));
        let mode = if ordered {
            Mode::Stream {
                at: 0,
                partial: Vec::new(),
            }
        } else {
            Mode::Ranges {
                groups: group(&packets),
                next_group: 0,
            }
        };
        let mut f = Fetcher {
            packets,
            mode,
            next: 0,
            file_end,
            ready: VecDeque::new(),
            delivered: 0,
        };
        f.skip_unreachable_groups();
        f
    }

    pub(crate) fn packet(&self, k: usize) -> &Packet {
        &self.packets[k]
    }

    pub(crate) fn need(&self) -> Need {
        match &self.mode {
            Mode::Stream { .. } if self.next < self.packets.len() => Need::Stream,
            Mode::Ranges { groups, next_group } if *next_group < groups.len() => {
                let (_, _, offset, len) = groups[*next_group];
                Need::Range(offset, len.min(self.file_end.saturating_sub(offset)))
            }
            _ => Need::Nothing,
        }
    }

    pub(crate) fn pop(&mut self) -> Option<(usize, Vec<u8>)> {
        self.ready.pop_front()
    }

    /// Samples the index promised that never arrived.
    pub(crate) fn missing(&self) -> u64 {
        self.packets.len() as u64 - self.delivered
    }

    /// The next bytes of the sequential stream.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Result<(), VideoError> {
        let Mode::Stream { at, partial } = &mut self.mode else {
            return Err(VideoError::Misuse(
                "push() while the demuxer asks for Range reads".into(),
            ));
        };
        let start = *at;
        let end = start + chunk.len() as u64;
        while let Some(p) = self.packets.get(self.next) {
            let p_end = p.pos.saturating_add(u64::from(p.size));
            if p.size > 0 && p.pos >= end {
                break;
            }
            if p.size == 0 && p.pos > end {
                break;
            }
            if p_end > start || p.size == 0 {
                let from = p.pos.max(start);
                let to = p_end.min(end);
                if partial.is_empty() && from == p.pos && to == p_end {
                    // The whole sample is in this chunk: one copy.
                    let bytes = chunk[(from - start) as usize..(to - start) as usize].to_vec();
                    self.ready.push_back((self.next, bytes));
                    self.delivered += 1;
                    self.next += 1;
                    continue;
                }
                if partial.is_empty() {
                    partial.reserve_exact(p.size as usize);
                }
                if to > from {
                    partial
                        .extend_from_slice(&chunk[(from - start) as usize..(to - start) as usize]);
                }
                if to < p_end {
                    break;
                }
                self.ready.push_back((self.next, std::mem::take(partial)));
                self.delivered += 1;
                self.next += 1;
            } else {
                // Entirely before the stream position: only possible after a gap in pushing.
                self.next += 1;
            }
        }
        *at = end;
        Ok(())
    }

    /// The answer to the Range read [`Need::Range`] asked for.
    pub(crate) fn supply(&mut self, offset: u64, bytes: &[u8]) -> Result<(), VideoError> {
        let Mode::Ranges { groups, next_group } = &mut self.mode else {
            return Err(VideoError::Misuse(
                "supply() while the demuxer asks for the stream".into(),
            ));
        };
        let Some(&(first, end, group_offset, _)) = groups.get(*next_group) else {
            return Err(VideoError::Misuse(
                "supply() when no Range read is pending".into(),
            ));
        };
        if offset != group_offset {
            return Err(VideoError::Misuse(format!(
                "supply() at offset {offset}, but the pending Range read starts at {group_offset}"
            )));
        }
        for k in first..end {
            let p = self.packets[k];
            let from = (p.pos - offset) as usize;
            if let Some(data) = bytes.get(from..from + p.size as usize) {
                self.ready.push_back((k, data.to_vec()));
                self.delivered += 1;
            }
        }
        *next_group += 1;
        self.skip_unreachable_groups();
        Ok(())
    }

    /// Groups that start beyond the end of the file cannot be read.
    fn skip_unreachable_groups(&mut self) {
        if let Mode::Ranges { groups, next_group } = &mut self.mode {
            while let Some(&(first, end, offset, len)) = groups.get(*next_group) {
                if len == 0 {
                    // Only empty samples: nothing to read.
                    for k in first..end {
                        self.ready.push_back((k, Vec::new()));
                        self.delivered += 1;
                    }
                } else if offset >= self.file_end {
                } else {
                    break;
                }
                *next_group += 1;
            }
        }
    }
}

/// Consecutive packets (in decode order) that lie close together and in order in the file.
fn group(packets: &[Packet]) -> Vec<(usize, usize, u64, u64)> {
    let mut groups: Vec<(usize, usize, u64, u64)> = Vec::new();
    for (k, p) in packets.iter().enumerate() {
        let p_end = p.pos.saturating_add(u64::from(p.size));
        if let Some(g) = groups.last_mut() {
            let g_end = g.2 + g.3;
            if p.pos >= g_end && p.pos - g_end <= COALESCE_GAP && p_end - g.2 <= COALESCE_MAX {
                g.1 = k + 1;
                g.3 = p_end - g.2;
                continue;
            }
        }
        groups.push((k, k + 1, p.pos, u64::from(p.size)));
    }
    groups
}
