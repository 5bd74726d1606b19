//! What the page gathers ([`ReportDraft`]) and the report it becomes ([`Report::from_draft`]).

use super::problem::{err, item_field};
use super::{
    Account, Contact, Item, ItemKind, ItemPdq, ItemVpdq, Problem, Report, ReportError, Situation,
    SCHEMA_V1,
};
use crate::pdq::PdqHash;
use crate::vpdq::{usable_hashes, VpdqFrame};

/// What the page gathers. Empty strings mean "not given"; URLs are trimmed and de-duplicated
/// here, after the page has normalised them with the WHATWG URL parser. The WebAssembly takes
/// one from the page's object with [`ReportDraft::from_value`], through [`ReportDraft::new`],
/// [`ReportDraft::add_item`] and [`ReportDraft::add_video_frames_hex`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportDraft {
    pub idempotency_key: String,
    pub created_at: String,
    pub language: String,
    pub situation: Option<Situation>,
    /// The age answer: `None` when the page does not ask (older pages).
    pub under_18: Option<bool>,
    pub items: Vec<Item>,
    pub urls: Vec<String>,
    /// Accounts without a link; trimmed and kept once each when the report is built.
    pub accounts: Vec<Account>,
    pub explanation: String,
    pub name: String,
    pub email: String,
    pub good_faith: bool,
    /// Consent to share the fingerprints with platforms; `false` unless the person chose it.
    pub share_with_platforms: bool,
}

impl ReportDraft {
    /// A draft with no items, URLs, text or statement yet. `situation` is a JSON name
    /// (`shared`, …); `""` means not chosen yet, which [`Report::from_draft`] refuses as
    /// `missing`. Any other name is refused here, as `not-one-of` on `situation`.
    pub fn new(
        idempotency_key: String,
        created_at: String,
        language: String,
        situation: &str,
    ) -> Result<ReportDraft, ReportError> {
        let situation = match situation {
            "" => None,
            name => Some(Situation::from_name(name).ok_or_else(|| {
                err(
                    "situation",
                    Problem::NotOneOf {
                        allowed: Situation::NAMES,
                    },
                )
            })?),
        };
        Ok(ReportDraft {
            idempotency_key,
            created_at,
            language,
            situation,
            ..ReportDraft::default()
        })
    }

    /// Adds a file by its digests. `kind` is a JSON name (`image`, `video`, `other`); any other
    /// is refused here, as `not-one-of` on `items[i].kind` (`missing` when `""`). The digests
    /// are checked when the report is built.
    pub fn add_item(
        &mut self,
        kind: &str,
        sha256: String,
        md5: String,
        sha1: Option<String>,
        pdq: Option<ItemPdq>,
    ) -> Result<(), ReportError> {
        let field = || item_field(self.items.len(), "kind");
        let kind = match kind {
            "" => return Err(err(field(), Problem::Missing)),
            name => ItemKind::from_name(name).ok_or_else(|| {
                err(
                    field(),
                    Problem::NotOneOf {
                        allowed: ItemKind::NAMES,
                    },
                )
            })?,
        };
        self.items.push(Item {
            kind,
            sha256,
            md5,
            sha1,
            pdq,
            pdq_stored: None,
            vpdq: None,
        });
        Ok(())
    }

    /// Gives the last item added, which must be a video (`not-a-video` on `items[i].vpdq`
    /// otherwise; `missing` on `items` when there is none), the vPDQ of `frames`: the usable
    /// hashes ([`usable_hashes`]: quality 50 or more, exact duplicates dropped), encoded. A video
    /// none of whose frames is usable gets no vPDQ, as one that could not be fingerprinted. A
    /// second call for the same item replaces the first's. The number of hashes is checked when
    /// the report is built.
    pub fn add_video_frames(&mut self, frames: &[VpdqFrame]) -> Result<(), ReportError> {
        let i = self.last_video()?;
        let hashes = usable_hashes(frames);
        self.items[i].vpdq = (!hashes.is_empty()).then(|| ItemVpdq::from_hashes(&hashes));
        Ok(())
    }

    /// The index of the last item, if it is a video.
    fn last_video(&self) -> Result<usize, ReportError> {
        match self.items.last() {
            None => Err(err("items", Problem::Missing)),
            Some(item) if item.kind != ItemKind::Video => Err(err(
                item_field(self.items.len() - 1, "vpdq"),
                Problem::NotAVideo,
            )),
            Some(_) => Ok(self.items.len() - 1),
        }
    }

    /// [`ReportDraft::add_video_frames`] of frames given as the WebAssembly gets them: the
    /// hashes as one string of 64 lowercase hex digits each, one after another, and one quality
    /// a hash, in video order. Refused, on `items[i].vpdq`: a string that is not 64 lowercase
    /// hex digits a quality (`not-hex`), a quality over 100 (`quality-over-100`).
    pub fn add_video_frames_hex(
        &mut self,
        hashes_hex: &str,
        qualities: &[u8],
    ) -> Result<(), ReportError> {
        let i = self.last_video()?;
        let field = || item_field(i, "vpdq");
        if hashes_hex.len() != 64 * qualities.len() {
            return Err(err(field(), Problem::NotHex { digits: 64 }));
        }
        let mut frames = Vec::with_capacity(qualities.len());
        // On bytes: 64 bytes that are hex digits are 64 characters.
        for (n, (hex, &quality)) in hashes_hex
            .as_bytes()
            .chunks_exact(64)
            .zip(qualities)
            .enumerate()
        {
            let hash =
                hash_of_hex(hex).ok_or_else(|| err(field(), Problem::NotHex { digits: 64 }))?;
            if quality > 100 {
                return Err(err(field(), Problem::QualityOver100));
            }
            frames.push(VpdqFrame {
                frame: n as u64,
                hash,
                quality,
            });
        }
        self.add_video_frames(&frames)
    }
}

/// The hash that 64 lowercase hex digits spell, or `None`. By hand rather than through
/// `PdqHash`'s `FromStr`, which takes either case and costs the WebAssembly more.
fn hash_of_hex(hex: &[u8]) -> Option<PdqHash> {
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut bytes = [0u8; 32];
    if hex.len() != 64 {
        return None;
    }
    for (byte, pair) in bytes.iter_mut().zip(hex.chunks_exact(2)) {
        *byte = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(PdqHash::from_bytes(bytes))
}

impl Report {
    /// Builds the report from what the page gathered: trims text, drops empty fields, keeps each
    /// URL and each account (platform and name, trimmed) once, drops an account with neither, leaves out contact details for a minor (the situation
    /// `minor` or `under_18`), then checks every rule, the total size
    /// included.
    pub fn from_draft(draft: ReportDraft) -> Result<Report, ReportError> {
        let situation = draft
            .situation
            .ok_or_else(|| err("situation", Problem::Missing))?;
        let given = |s: String| {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        };
        let mut urls: Vec<String> = Vec::new();
        for url in draft.urls {
            let url = url.trim().to_string();
            if !url.is_empty() && !urls.contains(&url) {
                urls.push(url);
            }
        }
        let mut accounts: Vec<Account> = Vec::new();
        for account in draft.accounts {
            let account = Account {
                platform: account.platform.trim().to_string(),
                name: account.name.trim().to_string(),
            };
            let blank = account.platform.is_empty() && account.name.is_empty();
            if !blank && !accounts.contains(&account) {
                accounts.push(account);
            }
        }
        let minor = situation == Situation::Minor || draft.under_18 == Some(true);
        let contact = match (minor, given(draft.name), given(draft.email)) {
            (true, _, _) | (_, None, None) => None,
            (false, name, email) => Some(Contact { name, email }),
        };
        let report = Report {
            schema: SCHEMA_V1.into(),
            idempotency_key: draft.idempotency_key,
            created_at: draft.created_at,
            language: draft.language,
            situation,
            under_18: draft.under_18,
            items: draft.items,
            urls,
            accounts,
            explanation: given(draft.explanation),
            contact,
            good_faith: draft.good_faith,
            share_with_platforms: draft.share_with_platforms,
        };
        report.validate()?;
        report.check_size(report.to_json().len())?;
        Ok(report)
    }
}
