//! The core's hand-written URL check (`check_url` in src/report/rules.rs, reached through
//! [`Report::validate`]) against the WHATWG URL parser of the `url` crate, the reference. The core
//! reads a strict subset of what the parser writes back, so that the page's WebAssembly does not
//! carry a URL parser; here, natively:
//!
//! 1. it is never more lenient: whatever it accepts, the parser reads as an http(s) URL that it
//!    writes back unchanged, with no user info or fragment, at a host that is not private;
//! 2. its codes are the reference's (the `url`-crate check the core had before), except where it
//!    is stricter, as docs/payload.md lists; and every URL of the shared cases file is judged
//!    exactly as the reference judges it.
//!
//! The strings are the cases file's URLs and a few hundred thousand generated ones: a seeded
//! xorshift builds URLs from pieces (schemes, user info, hosts in many spellings, ports, paths,
//! queries, fragments) and then inserts, deletes or replaces characters.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use report_helper::report::{Problem, Report};

/// How many generated strings: enough to reach every piece with every other many times, and
/// a few seconds in a debug build.
const GENERATED: usize = 400_000;

// ---- The reference: the check the core had with the `url` crate (commit 576e819). ----

fn reference_private_ipv4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    a == 0
        || ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || (a == 100 && (64..128).contains(&b))
}

fn reference_private_ipv6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    let v4 = Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7]));
    let mapped = s[..5] == [0; 5] && s[5] == 0xffff;
    let nat64 = s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    ip.is_unspecified()
        || ip.is_loopback()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        || ((mapped || nat64) && reference_private_ipv4(v4))
}

fn reference_private_host(host: Option<url::Host<&str>>) -> bool {
    match host {
        Some(url::Host::Ipv4(ip)) => reference_private_ipv4(ip),
        Some(url::Host::Ipv6(ip)) => reference_private_ipv6(ip),
        Some(url::Host::Domain(name)) => {
            let name = name.strip_suffix('.').unwrap_or(name);
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
}

fn reference_escapes_ok(url: &str) -> bool {
    let b = url.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'%'
            || b.get(i + 1..i + 3)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    })
}

fn reference(text: &str) -> Result<(), Problem> {
    if text.len() > report_helper::report::MAX_URL_BYTES {
        return Err(Problem::TooLong {
            max: report_helper::report::MAX_URL_BYTES,
            unit: "bytes",
        });
    }
    let url = match url::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") => url,
        _ => return Err(Problem::NotHttpUrl),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Problem::HasCredentials);
    }
    if reference_private_host(url.host()) {
        return Err(Problem::PrivateAddress);
    }
    if url.as_str() != text || url.fragment().is_some() || !reference_escapes_ok(text) {
        return Err(Problem::NotNormalised);
    }
    Ok(())
}

// ---- The core, through the public API. ----

const VALID_REPORT: &str = r#"{"schema":"report-helper/report@1","idempotency_key":"3f2b8c1e-1d2a-4c6b-9a7e-5b1c2d3e4f50","created_at":"2026-11-27T21:57:00Z","language":"nl","situation":"shared","items":[{"kind":"image","sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","md5":"900150983cd24fb0d6963f7d28e17f72","sha1":"a9993e364706816aba3e25717850c26c9cd0d89d","pdq":{"hash":"f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22","quality":100}}],"urls":[],"good_faith":true}"#;

struct Core(Report);

impl Core {
    fn new() -> Core {
        Core(Report::from_json(VALID_REPORT).expect("the base report is valid"))
    }

    fn check(&mut self, url: &str) -> Result<(), Problem> {
        self.0.urls = vec![url.to_owned()];
        match self.0.validate() {
            Ok(()) => Ok(()),
            Err(e) => {
                assert_eq!(e.field, "urls[0]", "{url:?}: {e}");
                Err(e.problem)
            }
        }
    }
}

/// Property 1, on its own and spelled out: what the core accepts, the parser reads as an http(s)
/// URL that it writes back unchanged, without user info or fragment, at a public host.
fn assert_acceptable(text: &str) {
    let url =
        url::Url::parse(text).unwrap_or_else(|e| panic!("core accepts {text:?}, parser: {e}"));
    assert_eq!(
        url.as_str(),
        text,
        "core accepts {text:?}, the parser writes it otherwise"
    );
    assert!(matches!(url.scheme(), "http" | "https"), "{text:?}");
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{text:?}"
    );
    assert!(url.fragment().is_none(), "{text:?}");
    assert!(
        !reference_private_host(url.host()),
        "core accepts the private {text:?}"
    );
    assert!(reference_escapes_ok(text), "{text:?}");
}

/// Where docs/payload.md says the core is stricter than the parser, for a URL the reference
/// accepts (so `text` is what the parser writes): which rule, or None if it is not written down.
fn documented_stricter(text: &str) -> Option<&'static str> {
    let url = url::Url::parse(text).ok()?;
    let Some(url::Host::Domain(host)) = url.host() else {
        return None;
    };
    let ldh =
        |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.');
    if !host.chars().all(ldh) {
        return Some("a host character beyond letters, digits, `-`, `_` and `.`");
    }
    let labels: Vec<&str> = host.strip_suffix('.').unwrap_or(host).split('.').collect();
    if labels.iter().any(|l| l.is_empty()) {
        return Some("an empty label in the host");
    }
    if labels.iter().any(|l| l.starts_with("xn--")) {
        return Some("a punycode label beyond Latin-1 letters");
    }
    None
}

// ---- The generator. ----

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.below(from.len())]
    }

    fn chance(&mut self, in_hundred: usize) -> bool {
        self.below(100) < in_hundred
    }
}

const SCHEMES: &[&str] = &[
    "https://",
    "https://",
    "https://",
    "http://",
    "http://",
    "HTTPS://",
    "Http://",
    "ftp://",
    "https:",
    "https:/",
    "https:///",
    "https:\\\\",
    " https://",
    "javascript:",
    "",
    "https//",
    "ws://",
    "file://",
    "htt\tps://",
];
const USER_INFO: &[&str] = &[
    "u@", "u:p@", ":@", ":p@", "@", "a@b@", "%40@", "::@", "u:@", "é@",
];
const DOMAINS: &[&str] = &[
    "a.example",
    "example.com",
    "A.Example",
    "www.x.com",
    "xn--mnchen-3ya.example",
    "xn--bcher-kva.example",
    "xn--caf-dma.example",
    "xn--a.example",
    "xn--.example",
    "xn--zz-.example",
    "xn--ls8h.example",
    "xn--80ak6aa92e.com",
    "xn--MNCHEN-3ya.example",
    "xn--mnchen-3ya-.example",
    "xn--9ca.example",
    "xn--tda.example",
    "a_b.example",
    "-a.example",
    "a-.example",
    "a..example",
    ".example",
    "example.",
    "localhost",
    "LOCALHOST",
    "localhost.",
    "a.localhost",
    "A.LocalHost.",
    "localhost.example",
    "notlocalhost",
    "a.1",
    "1.a",
    "0x",
    "a.0x",
    "a.0x1g",
    "a.09",
    "%6cocalhost",
    "ex%41mple.com",
    "a b",
    "ä.example",
    "a<b",
    "a^b",
    "a|b",
    "a*b",
    "a~b",
    "a!b",
    "[::1",
    "[]",
    "[1:2]",
    "",
    "a%",
    "a.example..",
];
const PORTS: &[&str] = &[
    ":",
    ":80",
    ":443",
    ":0",
    ":8080",
    ":08080",
    ":65535",
    ":65536",
    ":99999999",
    ":a",
    ":1a",
    ":00",
    ": 1",
];
const PATHS: &[&str] = &[
    "/",
    "/",
    "/a",
    "/a/b/",
    "/a/./b",
    "/a/../b",
    "/.",
    "/..",
    "/%2e/",
    "/%2E%2e/",
    "/.%2E",
    "/.a",
    "/..a/",
    "/a b",
    "/%zz",
    "/%4",
    "/%41",
    "/%c3%A9",
    "/\\a",
    "/a\"b",
    "/é",
    "/a^b|c[d]",
    "/`{}",
    "/~!$&'()*+,;=:@",
    "/a<b>",
    "//",
    "/a/.",
    "/a\u{7f}",
    "/a\u{1}b",
    "",
    "/%",
    "/a?",
];
const QUERIES: &[&str] = &[
    "?", "?a=1", "?a'b", "?a\\b", "?a`{}|^", "?a b", "?%zz", "?/../", "?a=\"", "?<>", "??", "?é",
    "?%41",
];
const FRAGMENTS: &[&str] = &["#", "#f", "#a b"];
/// What a mutation inserts: every ASCII character is reached through `below(128)`; these add
/// characters beyond ASCII that a parser may map (full-width dot and letters, ideographic space).
const ODD: &[&str] = &[
    "é", "\u{3002}", "\u{ff0e}", "\u{ff21}", "\u{3000}", "\u{a0}", "ß", "\u{200b}",
];

fn ipv4(rng: &mut XorShift) -> String {
    let first = [0u32, 10, 127, 169, 172, 192, 100, 8, 1, 255, 224][rng.below(11)];
    let second = [0u32, 254, 16, 31, 32, 168, 64, 127, 128, 1][rng.below(10)];
    let ip = (first << 24) | (second << 16) | (rng.next() as u32 & 0xffff);
    let b = ip.to_be_bytes();
    let number = |rng: &mut XorShift, n: u64| match rng.below(4) {
        0 => format!("{n:#x}"),
        1 => format!("0{n:o}"),
        2 => format!("0X{n:X}"),
        _ => n.to_string(),
    };
    match rng.below(8) {
        0..=2 => format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3]),
        3 => {
            let parts: Vec<String> = b.iter().map(|&x| number(rng, u64::from(x))).collect();
            parts.join(".")
        }
        4 => format!("{}.{}", b[0], number(rng, u64::from(ip & 0xff_ffff))),
        5 => format!("{}.{}.{}", b[0], b[1], number(rng, u64::from(ip & 0xffff))),
        6 => number(rng, u64::from(ip)),
        _ => match rng.below(4) {
            0 => format!("{}.{}.{}.{}.", b[0], b[1], b[2], b[3]),
            1 => format!("{}.{}.{}.{}", b[0], b[1], b[2], 256 + u32::from(b[3])),
            2 => format!("{}.{}.{}.{}.{}", b[0], b[1], b[2], b[3], 1),
            _ => format!("0{}.{}.{}.{}", b[0], b[1], b[2], b[3]),
        },
    }
}

fn ipv6(rng: &mut XorShift) -> String {
    const PIECES: &[u16] = &[
        0, 0, 0, 0, 1, 0xffff, 0x64, 0xff9b, 0xfc00, 0xfd12, 0xfe80, 0xfebf, 0xfec0, 0xff02,
        0x2001, 0xdb8, 0x7f00, 0xa00, 0x808, 0xc0a8,
    ];
    let mut s = [0u16; 8];
    for piece in &mut s {
        *piece = if rng.chance(80) {
            PIECES[rng.below(PIECES.len())]
        } else {
            rng.next() as u16
        };
    }
    // The interesting shapes: ::x, ::ffff:a.b.c.d, 64:ff9b::a.b.c.d, one prefix then zeros.
    match rng.below(5) {
        0 => s[..7].fill(0),
        1 => {
            s[..5].fill(0);
            s[5] = 0xffff;
        }
        2 => {
            s[..6].copy_from_slice(&[0x64, 0xff9b, 0, 0, 0, 0]);
        }
        3 => s[1..7].fill(0),
        _ => {}
    }
    let full: Vec<String> = s.iter().map(|p| format!("{p:x}")).collect();
    let full = full.join(":");
    let spelled = match rng.below(7) {
        // The parser's own spelling, taken from the reference.
        0..=2 => url::Url::parse(&format!("http://[{full}]/"))
            .expect("eight pieces are an address")
            .host_str()
            .expect("a host")
            .trim_matches(['[', ']'])
            .to_owned(),
        3 => full.to_uppercase(),
        4 => s
            .iter()
            .map(|p| format!("{p:04x}"))
            .collect::<Vec<_>>()
            .join(":"),
        5 => {
            let v4 = Ipv4Addr::from((u32::from(s[6]) << 16) | u32::from(s[7]));
            let head: Vec<String> = s[..6].iter().map(|p| format!("{p:x}")).collect();
            format!("{}:{v4}", head.join(":"))
        }
        // std's spelling, which writes ::ffff:a.b.c.d where WHATWG writes hex.
        _ => Ipv6Addr::from(s).to_string(),
    };
    format!("[{spelled}]")
}

fn host(rng: &mut XorShift) -> String {
    match rng.below(10) {
        0..=3 => rng.pick(DOMAINS).to_owned(),
        4 | 5 => ipv4(rng),
        6 | 7 => ipv6(rng),
        8 => {
            let mut label = String::new();
            for _ in 0..1 + rng.below(8) {
                label.push(b"abcxyz0189-_."[rng.below(13)] as char);
            }
            format!("{label}.example")
        }
        _ => format!("{}.{}", rng.pick(DOMAINS), rng.pick(DOMAINS)),
    }
}

fn generate(rng: &mut XorShift) -> String {
    // A third are built from ordinary pieces only (then maybe mutated), so that many pass.
    if rng.chance(33) {
        let mut url = format!(
            "{}{}{}",
            rng.pick(&SCHEMES[..5]),
            rng.pick(&DOMAINS[..6]),
            rng.pick(&PATHS[..4])
        );
        if rng.chance(30) {
            url.push_str(rng.pick(&QUERIES[..2]));
        }
        return mutate(rng, url);
    }
    let mut url = String::from(rng.pick(SCHEMES));
    if rng.chance(10) {
        url.push_str(rng.pick(USER_INFO));
    }
    url.push_str(&host(rng));
    if rng.chance(20) {
        url.push_str(rng.pick(PORTS));
    }
    if rng.chance(95) {
        url.push_str(rng.pick(PATHS));
    }
    if rng.chance(30) {
        url.push_str(rng.pick(QUERIES));
    }
    if rng.chance(5) {
        url.push_str(rng.pick(FRAGMENTS));
    }
    if rng.chance(1) {
        url.push_str(&"p".repeat(2040));
    }
    mutate(rng, url)
}

fn mutate(rng: &mut XorShift, mut url: String) -> String {
    if rng.chance(50) {
        let mut chars: Vec<char> = url.chars().collect();
        for _ in 0..1 + rng.below(3) {
            let at = rng.below(chars.len() + 1);
            let odd = |rng: &mut XorShift| {
                if rng.chance(90) {
                    char::from(rng.below(128) as u8)
                } else {
                    rng.pick(ODD).chars().next().unwrap()
                }
            };
            match rng.below(3) {
                0 => {
                    let c = odd(rng);
                    chars.insert(at, c);
                }
                1 if at < chars.len() => {
                    chars.remove(at);
                }
                _ if at < chars.len() => chars[at] = odd(rng),
                _ => {}
            }
        }
        url = chars.into_iter().collect();
    }
    url
}

// ---- The tests. ----

/// Every URL of the shared cases file, in a report given as an object or as JSON text.
fn case_urls() -> Vec<String> {
    let cases: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schema/tests/report-v1-cases.json"
    )))
    .expect("the cases are JSON");
    let mut urls = Vec::new();
    for case in cases.as_array().expect("a list of cases") {
        let report = match &case["report"] {
            serde_json::Value::String(text) => match serde_json::from_str(text) {
                Ok(report) => report,
                Err(_) => continue,
            },
            report => report.clone(),
        };
        if let Some(list) = report.get("urls").and_then(|u| u.as_array()) {
            urls.extend(list.iter().filter_map(|u| u.as_str().map(str::to_owned)));
        }
    }
    urls
}

#[test]
fn the_cases_files_urls_are_judged_as_the_parser_judges_them() {
    let mut core = Core::new();
    let urls = case_urls();
    assert!(
        urls.len() > 40,
        "only {} URLs in the cases file",
        urls.len()
    );
    let mut accepted = 0;
    for url in &urls {
        let got = core.check(url);
        if got.is_ok() {
            assert_acceptable(url);
            accepted += 1;
        }
        assert_eq!(got, reference(url), "{url:?}");
    }
    println!(
        "cases file: {} URLs, {accepted} accepted, all judged as the reference",
        urls.len()
    );
}

#[test]
fn generated_urls_never_pass_where_the_parser_refuses_and_codes_agree() {
    let mut core = Core::new();
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let (mut both_accept, mut both_refuse, mut same_code) = (0, 0, 0);
    // Refused by both with other codes, and accepted by the reference only: counted by kind,
    // with the first example of each.
    let mut other_code: BTreeMap<(&str, &str), (usize, String)> = BTreeMap::new();
    let mut stricter: BTreeMap<&str, (usize, String)> = BTreeMap::new();
    let mut undocumented = Vec::new();
    let mut agreed: BTreeMap<&str, usize> = BTreeMap::new();
    for _ in 0..GENERATED {
        let url = generate(&mut rng);
        let (got, want) = (core.check(&url), reference(&url));
        match (&got, &want) {
            (Ok(()), _) => {
                assert_acceptable(&url);
                assert_eq!(want, Ok(()), "{url:?}");
                both_accept += 1;
            }
            (Err(_), Ok(())) => match documented_stricter(&url) {
                Some(rule) => {
                    let entry = stricter.entry(rule).or_insert((0, url.clone()));
                    entry.0 += 1;
                }
                None => undocumented.push(url.clone()),
            },
            (Err(got), Err(want)) => {
                both_refuse += 1;
                if got == want {
                    same_code += 1;
                    *agreed.entry(want.code()).or_insert(0) += 1;
                } else {
                    // Stricter is allowed only as `not-normalised` or `not-http-url`: the core
                    // never names a problem the parser would not.
                    assert!(
                        matches!(got, Problem::NotNormalised | Problem::NotHttpUrl),
                        "{url:?}: core {}, reference {}",
                        got.code(),
                        want.code()
                    );
                    let entry = other_code
                        .entry((want.code(), got.code()))
                        .or_insert((0, url.clone()));
                    entry.0 += 1;
                }
            }
        }
    }
    let only_core: usize = stricter.values().map(|(n, _)| n).sum();
    println!(
        "{GENERATED} generated: {both_accept} accepted by both, {both_refuse} refused by both \
         ({same_code} with the same code), {only_core} refused by the core only"
    );
    for (rule, (n, example)) in &stricter {
        println!("  stricter, {rule}: {n}, e.g. {example:?}");
    }
    for ((want, got), (n, example)) in &other_code {
        println!("  reference {want}, core {got}: {n}, e.g. {example:?}");
    }
    assert!(
        undocumented.is_empty(),
        "{} accepted by the parser, refused by the core for no documented reason, e.g. {:?}",
        undocumented.len(),
        &undocumented[..undocumented.len().min(20)]
    );
    // The generator reaches every outcome, so the counts above mean something.
    assert!(both_accept > GENERATED / 20, "only {both_accept} accepted");
    for code in [
        "too-long",
        "not-http-url",
        "has-credentials",
        "private-address",
        "not-normalised",
    ] {
        assert!(
            agreed.get(code).is_some_and(|&n| n > 100),
            "{code}: {agreed:?}"
        );
    }
}
