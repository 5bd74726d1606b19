//! What reaches a terminal: values from files, receipts, ZIP entries and reports are shown with
//! their control and bidirectional characters escaped, so that none can move the cursor, retitle
//! or clear the terminal, or reorder a line to fake another (the summary of `verify`, a file name).
//!
//! Escaped: C0 controls (U+0000-001F, tab and newline included), DEL (U+007F), C1 controls
//! (U+0080-009F), and the bidirectional marks, embeddings, overrides and isolates (U+061C,
//! U+200E-200F, U+202A-202E, U+2066-2069).

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c` must not reach a terminal as itself.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'..='\u{200f}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// `text` for a line meant for people (stderr messages, the summary): each unsafe character as
/// `\u{1b}`, the way Rust writes it, visible and one line.
pub fn text(text: &str) -> Cow<'_, str> {
    escape(text, |out, c| {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    })
}

/// A line of JSON (as `serde_json` writes it, which escapes C0 controls only) with every other
/// unsafe character written as a JSON escape (`\u202e`): the same JSON value, safe on a terminal.
/// The unsafe characters can only be inside strings, where the escape means the same character.
pub fn json(line: &str) -> Cow<'_, str> {
    escape(line, |out, c| {
        let _ = write!(out, "\\u{:04x}", c as u32);
    })
}

fn escape(text: &str, write: impl Fn(&mut String, char)) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe(c) {
            write(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped_and_the_rest_kept() {
        assert_eq!(
            text("RH-1\u{1b}]0;x\u{7}\r\n\u{9b}2J\u{202e}gnp.exe\u{2066}é✓"),
            "RH-1\\u{1b}]0;x\\u{7}\\u{d}\\u{a}\\u{9b}2J\\u{202e}gnp.exe\\u{2066}é✓"
        );
        assert!(matches!(text("plain RH-7KQ2 é ✓"), Cow::Borrowed(_)));
        assert_eq!(
            json(r#"{"file":"a\u001b\u202e\u0085b"}"#.replace("\\u202e", "\u{202e}").replace("\\u0085", "\u{85}").as_str()),
            r#"{"file":"a\u001b\u202e\u0085b"}"#
        );
    }
}
