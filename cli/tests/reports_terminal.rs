//! `report-helper reports` prints what clients sent: their control and bidirectional characters
//! must reach the operator's terminal as JSON escapes, never raw.

mod common;

use common::intake::{report, reports, reports_list, setup};
use common::python;
use report_helper_cli::store::{without_key, Store};

#[test]
fn a_reports_text_is_shown_with_its_controls_and_bidi_escaped() {
    let (_, db) = setup("reports-terminal");
    // Raw in the stored JSON, as the core's canonical JSON keeps any character but C0 controls:
    // U+202E reverses what follows, U+009B is C1 CSI, U+2068 starts an isolate.
    let url = "https://example.com/a\u{202e}gpj.exe\u{9b}2J\u{2068}";
    let sent = report("key-0123456789abcdef").replace("https://example.com/a", url);
    // Stored as the intake stores it: without its idempotency key.
    let body = without_key(&sent, "key-0123456789abcdef").unwrap();
    Store::open(&db, true)
        .unwrap()
        .submit("key-0123456789abcdef", &body, None, &[])
        .unwrap();
    let reference = reports_list(&db)[0]["reference"]
        .as_str()
        .unwrap()
        .to_string();

    let show = reports(&db, &["show", &reference]);
    assert!(show.status.success(), "{show:?}");
    let stdout = String::from_utf8(show.stdout).unwrap();
    assert!(
        stdout.contains(r#""urls":["https://example.com/a\u202egpj.exe\u009b2J\u2068"]"#),
        "{stdout}"
    );
    assert!(
        !stdout.contains(['\u{202e}', '\u{9b}', '\u{2068}']),
        "{stdout}"
    );
    // The same report to a JSON reader (Python's json).
    let same = python(
        "import json, sys\nprint(json.loads(sys.argv[1])['report'] == json.loads(sys.argv[2]))",
        &[stdout.trim_end(), &body],
    );
    assert_eq!(same, "True\n");

    // A reference given on the command line comes back escaped in the message.
    let out = reports(&db, &["show", "RH-\u{1b}]0;owned\u{7}"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "report-helper: no report RH-\\u{1b}]0;owned\\u{7}\n"
    );
}
