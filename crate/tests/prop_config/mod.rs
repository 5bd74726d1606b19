//! The case count shared by the property tests (`tests/prop_*.rs`): each test's own default,
//! or `PROPTEST_CASES` when it is set (`make fuzz`).

use proptest::test_runner::Config;

/// `default` cases, or `PROPTEST_CASES` when it is set.
pub fn config(default: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    Config {
        cases,
        ..Config::default()
    }
}
