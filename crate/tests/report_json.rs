//! `Report::to_json`, the small hand-written writer the WebAssembly uses, against serde_json, the
//! reference: for thousands of reports (strings with every control character, quotes,
//! backslashes, non-ASCII, emoji; every optional field present and absent; every enum variant),
//! its output must be byte for byte `serde_json::to_string(&report)`, and read back the same.
//! Native only: serde is not a dependency of the crate on wasm32.
#![cfg(not(target_arch = "wasm32"))]

use report_helper::report::{
    Account, Contact, Item, ItemKind, ItemPdq, ItemVpdq, Report, Situation,
};

/// The reference: serde_json through the crate's own derives.
fn reference(report: &Report) -> String {
    serde_json::to_string(report).expect("serde_json writes any report")
}

fn check(report: &Report) {
    let ours = report.to_json();
    assert_eq!(ours, reference(report), "{report:?}");
    // And serde reads it back as the same report (validation aside: these are not valid).
    let back: Report = serde_json::from_str(&ours).expect("our JSON parses");
    assert_eq!(&back, report);
}

/// SplitMix64: a fixed sequence, so a failure is the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self) -> bool {
        self.next() & 1 == 1
    }

    /// A character: often one JSON treats specially, else anything in Unicode.
    fn char(&mut self) -> char {
        const SPECIAL: &[char] = &[
            '"',
            '\\',
            '/',
            '\u{7f}',
            '\u{80}',
            '\u{85}',
            '\u{a0}',
            '\u{ad}',
            'é',
            'ü',
            '€',
            '\u{2028}',
            '\u{2029}',
            '\u{fdd0}',
            '\u{feff}',
            '\u{fffd}',
            '\u{ffff}',
            '😀',
            '👩',
            '💻',
            '\u{200d}',
            '\u{10ffff}',
            'a',
            'Z',
            '0',
            ' ',
            '\'',
            '<',
            '>',
            '&',
            '%',
            '{',
            '}',
        ];
        match self.below(4) {
            0 => char::from(self.below(0x20) as u8),
            1 => SPECIAL[self.below(SPECIAL.len())],
            2 => char::from(0x20 + self.below(0x60) as u8),
            _ => loop {
                if let Some(c) = char::from_u32(self.below(0x11_0000) as u32) {
                    break c;
                }
            },
        }
    }

    /// A whole number: often a small one, else any `u32`.
    fn number(&mut self) -> u32 {
        match self.below(3) {
            0 => self.below(11) as u32,
            1 => [99, 100, 1000, 65535, 65536, u32::MAX - 1, u32::MAX][self.below(7)],
            _ => self.next() as u32,
        }
    }

    fn string(&mut self) -> String {
        let len = [0, 1, 2, 5, 17, 64][self.below(6)];
        (0..len).map(|_| self.char()).collect()
    }

    fn maybe(&mut self) -> Option<String> {
        self.chance().then(|| self.string())
    }

    fn report(&mut self) -> Report {
        let items = (0..self.below(4))
            .map(|_| Item {
                kind: ItemKind::ALL[self.below(3)],
                sha256: self.string(),
                md5: self.string(),
                sha1: self.maybe(),
                pdq: self.chance().then(|| ItemPdq {
                    hash: self.string(),
                    quality: self.below(256) as u8,
                }),
                pdq_stored: self.chance().then(|| ItemPdq {
                    hash: self.string(),
                    quality: self.below(256) as u8,
                }),
                vpdq: self.chance().then(|| ItemVpdq {
                    seconds_per_hash: self.number(),
                    hashes: self.string(),
                }),
            })
            .collect();
        Report {
            schema: self.string(),
            idempotency_key: self.string(),
            created_at: self.string(),
            language: self.string(),
            situation: Situation::ALL[self.below(4)],
            under_18: self.chance().then(|| self.chance()),
            items,
            urls: (0..self.below(4)).map(|_| self.string()).collect(),
            accounts: (0..self.below(3))
                .map(|_| Account {
                    platform: self.string(),
                    name: self.string(),
                })
                .collect(),
            explanation: self.maybe(),
            contact: self.chance().then(|| Contact {
                name: self.maybe(),
                email: self.maybe(),
            }),
            good_faith: self.chance(),
            share_with_platforms: self.chance(),
        }
    }
}

fn plain() -> Report {
    Report {
        schema: "report-helper/report@1".into(),
        idempotency_key: "0123456789abcdef".into(),
        created_at: "2026-11-27T21:57:00Z".into(),
        language: "en".into(),
        situation: Situation::Shared,
        under_18: None,
        items: vec![],
        urls: vec![],
        accounts: vec![],
        explanation: None,
        contact: None,
        good_faith: true,
        share_with_platforms: false,
    }
}

#[test]
fn every_character_alone_and_in_company_is_written_as_serde_json_writes_it() {
    let mut r = plain();
    // Every ASCII character and a sample of the rest, alone and between others.
    let chars = (0u32..0x80)
        .chain([
            0x80, 0x85, 0xa0, 0x7ff, 0x800, 0x2028, 0xd7ff, 0xe000, 0xfeff, 0xffff,
        ])
        .chain([0x1_0000, 0x1_f600, 0x10_ffff])
        .filter_map(char::from_u32);
    for c in chars {
        for text in [
            c.to_string(),
            format!("a{c}b"),
            format!("{c}{c}"),
            format!("\"{c}\\"),
        ] {
            r.explanation = Some(text.clone());
            r.urls = vec![text.clone()];
            r.idempotency_key = text;
            check(&r);
        }
    }
}

#[test]
fn every_shape_of_report_is_written_as_serde_json_writes_it() {
    let mut r = plain();
    check(&r);
    for situation in Situation::ALL {
        r.situation = situation;
        check(&r);
    }
    for kind in ItemKind::ALL {
        for sha1 in [None, Some("s".to_string())] {
            for pdq in [0, 9, 10, 99, 100, 101, 255].map(|quality| {
                Some(ItemPdq {
                    hash: "h".into(),
                    quality,
                })
            }) {
                r.items.push(Item {
                    kind,
                    sha256: "a".into(),
                    md5: "b".into(),
                    sha1: sha1.clone(),
                    pdq_stored: pdq.clone(),
                    pdq,
                    vpdq: None,
                });
                check(&r);
            }
        }
    }
    // vPDQ, with and without PDQ before it, and every number of digits in `seconds_per_hash`.
    for seconds_per_hash in [0, 1, 9, 10, 99, 100, 12345, u32::MAX] {
        for pdq in [
            None,
            Some(ItemPdq {
                hash: "h".into(),
                quality: 50,
            }),
        ] {
            r.items.push(Item {
                kind: ItemKind::Video,
                sha256: "a".into(),
                md5: "b".into(),
                sha1: None,
                pdq,
                pdq_stored: None,
                vpdq: Some(ItemVpdq {
                    seconds_per_hash,
                    hashes: "+PjwzuD0qE8GNwoiA49j8LNuLtWWYh4dM+aznE6cmyI=".into(),
                }),
            });
            check(&r);
        }
    }
    for name in [None, Some("n".to_string())] {
        for email in [None, Some("e".to_string())] {
            r.contact = Some(Contact {
                name: name.clone(),
                email,
            });
            check(&r);
        }
    }
    r.good_faith = false;
    r.explanation = Some(String::new());
    r.urls = vec![String::new(); 3];
    check(&r);
    r.share_with_platforms = true;
    check(&r);
}

#[test]
fn thousands_of_random_reports_are_written_as_serde_json_writes_them() {
    let mut rng = Rng(0x5eed_2026_1127);
    for _ in 0..20_000 {
        check(&rng.report());
    }
}
