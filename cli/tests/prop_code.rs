//! Property tests of the receipt codes (`src/code.rs`): references and tokens are made in
//! Crockford's base32 and read back as a person types them. `PROPTEST_CASES` runs them longer
//! (`make fuzz`); see docs/testing.md.

use proptest::prelude::*;
use report_helper_cli::code::{random, typed, CROCKFORD};

/// `default` cases, or `PROPTEST_CASES` when it is set.
fn config(default: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// A code as the store makes one: a reference (`RH-` and 8 characters) or a token (26), or any
/// length of Crockford base32.
fn code() -> impl Strategy<Value = String> {
    let crockford = |n: std::ops::Range<usize>| {
        proptest::collection::vec(proptest::sample::select(&CROCKFORD[..]), n)
    };
    prop_oneof![
        crockford(8..9).prop_map(|c| format!("RH-{}", String::from_utf8(c).unwrap())),
        crockford(26..27).prop_map(|c| String::from_utf8(c).unwrap()),
        crockford(0..40).prop_map(|c| String::from_utf8(c).unwrap()),
    ]
}

/// Whitespace a person or a copy from a PDF or a message may put in a code.
const SPACES: [char; 7] = [' ', '\t', '\n', '\r', '\u{a0}', '\u{2009}', '\u{3000}'];

/// How a person may write one character of a code: in either case, and O for 0, I or L for 1,
/// in either case, as `typed` promises to read them (case, spaces, O, I, L).
fn as_typed(c: char, choice: u8) -> char {
    let options: &[char] = match c {
        '0' => &['0', 'O', 'o'],
        '1' => &['1', 'I', 'i', 'L', 'l'],
        _ => &[c, c.to_ascii_lowercase()],
    };
    options[usize::from(choice) % options.len()]
}

proptest! {
    #![proptest_config(config(512))]

    /// Every code `random` makes has its length, holds only the alphabet, and reads as itself.
    #[test]
    fn random_codes_read_back_as_themselves(n in 0usize..64) {
        let code = random(n);
        prop_assert_eq!(code.len(), n);
        prop_assert!(code.bytes().all(|b| CROCKFORD.contains(&b)), "{:?}", code);
        prop_assert_eq!(typed(&code), code);
    }

    /// A code written in any case, with O, I and L for 0 and 1, and spaces anywhere, reads as
    /// the code.
    #[test]
    fn a_code_as_a_person_types_it_reads_as_the_code(
        code in code(),
        choices in proptest::collection::vec(any::<u8>(), 40),
        spaces in proptest::collection::vec((0usize..50, proptest::sample::select(SPACES.to_vec())), 0..6),
    ) {
        let mut written: Vec<char> = code
            .chars()
            .zip(choices.iter().cycle())
            .map(|(c, &choice)| as_typed(c, choice))
            .collect();
        for (at, space) in spaces {
            written.insert(at.min(written.len()), space);
        }
        let written: String = written.into_iter().collect();
        prop_assert_eq!(typed(&written), code, "typed from {:?}", written);
    }

    /// Any text at all: no panic, and what `typed` gives is already as typed (it reads it as
    /// itself), with no whitespace, no ASCII lower case, and no O, I or L left.
    #[test]
    fn typed_reads_any_text(text in any::<String>()) {
        let once = typed(&text);
        prop_assert_eq!(typed(&once), once.clone());
        prop_assert!(
            !once.chars().any(|c| c.is_whitespace() || c.is_ascii_lowercase() || "OIL".contains(c)),
            "{:?} from {:?}", once, text
        );
    }
}
