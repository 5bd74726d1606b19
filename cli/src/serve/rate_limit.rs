//! The limits of requests per client: a keyed GCRA limiter (`governor`) per kind of request,
//! the client's key (IPv4 address, IPv6 /64), and the client's address behind trusted proxies.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

/// Above this many keys, a request runs the retention step itself (at most once a second)
/// instead of waiting for the timer.
const MANY_KEYS: usize = 100_000;

/// At most `limit` requests a minute per client key: a burst of `limit`, then one every
/// `60 / limit` seconds (GCRA). `limit` 0: no limit.
pub struct Limiter {
    inner: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// When a request last ran the retention step, in ms since `start`.
    last_retained: std::sync::atomic::AtomicU64,
    start: std::time::Instant,
}

impl Limiter {
    pub fn per_minute(limit: u32) -> Limiter {
        Limiter {
            inner: NonZeroU32::new(limit)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            last_retained: 0.into(),
            start: std::time::Instant::now(),
        }
    }

    /// Ok, or how long until the client may send again.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.inner else {
            return Ok(());
        };
        if limiter.len() > MANY_KEYS {
            use std::sync::atomic::Ordering::Relaxed;
            let now = self.start.elapsed().as_millis() as u64;
            let last = self.last_retained.load(Relaxed);
            if now.saturating_sub(last) >= 1000
                && self
                    .last_retained
                    .compare_exchange(last, now, Relaxed, Relaxed)
                    .is_ok()
            {
                self.retain_recent();
            }
        }
        limiter.check_key(&client_key(client)).map_err(|not_until| {
            // In whole seconds, rounded up (Retry-After counts seconds).
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            Duration::from_secs(wait.as_secs() + u64::from(wait.subsec_nanos() > 0))
        })
    }

    /// Forgets the clients whose limit is whole again (as if they had never sent), and gives
    /// the memory back. The server runs it every 10 seconds.
    pub fn retain_recent(&self) {
        if let Some(limiter) = &self.inner {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    /// How many client keys it holds.
    pub fn len(&self) -> usize {
        self.inner.as_ref().map_or(0, |l| l.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The key a client is limited under: an IPv4 address (an IPv4-mapped IPv6 address as the IPv4
/// one), or the /64 network of an IPv6 address (one host or subscriber usually has a whole /64).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// An address range of `--trust-proxy`: `192.0.2.0/24`, `2001:db8::/32`, or one address.
#[derive(Clone, Debug, PartialEq)]
pub struct Cidr {
    net: IpAddr,
    len: u8,
}

impl std::str::FromStr for Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Cidr, String> {
        let bad = || format!("{s:?} is not an address or a range such as 10.0.0.0/8 or fd00::/8");
        let (addr, len) = match s.split_once('/') {
            Some((a, l)) => (a, Some(l)),
            None => (s, None),
        };
        let net: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let len = match len {
            Some(l) if !l.is_empty() && l.bytes().all(|b| b.is_ascii_digit()) => {
                l.parse::<u8>().ok().filter(|&l| l <= max).ok_or_else(bad)?
            }
            Some(_) => return Err(bad()),
            None => max,
        };
        Ok(Cidr { net, len })
    }
}

impl Cidr {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let (a, b, bits) = match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (
                u128::from(u32::from(n)) << 96,
                u128::from(u32::from(i)) << 96,
                self.len,
            ),
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), self.len),
            _ => return false,
        };
        let mask = if bits == 0 {
            0
        } else {
            u128::MAX << (128 - bits)
        };
        a & mask == b & mask
    }
}

/// The client's address: the connection's peer, unless the peer is one of the trusted proxies;
/// then the right-most address of `Forwarded: for=` (RFC 7239), or else of `X-Forwarded-For`,
/// that is not itself a trusted proxy. A malformed header (or an obfuscated `for=`): the peer.
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted: &[Cidr]) -> IpAddr {
    let peer = peer.ip();
    let is_trusted = |ip: IpAddr| trusted.iter().any(|c| c.contains(ip));
    if !is_trusted(peer) {
        return peer;
    }
    // Every value of a header joined by ","; Err if one is not text, Ok(None) if there is none.
    let joined = |name: &str| -> Result<Option<String>, ()> {
        let mut values = Vec::new();
        for v in headers.get_all(name) {
            values.push(v.to_str().map_err(|_| ())?);
        }
        Ok((!values.is_empty()).then(|| values.join(",")))
    };
    let chain: Option<Vec<IpAddr>> = match joined("forwarded") {
        Err(()) => None,
        Ok(Some(value)) => forwarded_for(&value),
        Ok(None) => match joined("x-forwarded-for") {
            Err(()) => None,
            Ok(Some(value)) => value
                .split(',')
                .map(|e| e.trim().parse::<IpAddr>().ok())
                .collect(),
            Ok(None) => None,
        },
    };
    let Some(chain) = chain else {
        return peer;
    };
    chain
        .into_iter()
        .rev()
        .find(|&ip| !is_trusted(ip))
        .unwrap_or(peer)
}

/// The `for=` addresses of a `Forwarded` value, in order; None if any element has none, or one
/// that is not an IP address (`unknown`, an obfuscated name) or is malformed.
fn forwarded_for(value: &str) -> Option<Vec<IpAddr>> {
    let mut out = Vec::new();
    for element in value.split(',') {
        let mut found = None;
        for pair in element.split(';') {
            let (name, v) = pair.trim().split_once('=')?;
            if name.trim().eq_ignore_ascii_case("for") {
                if found.is_some() {
                    return None;
                }
                found = Some(node_address(v.trim())?);
            }
        }
        out.push(found?);
    }
    Some(out)
}

/// The address of a node (RFC 7239 section 6): `192.0.2.43`, `"192.0.2.43:47011"`,
/// `"[2001:db8:cafe::17]"`, `"[2001:db8:cafe::17]:4711"`.
fn node_address(v: &str) -> Option<IpAddr> {
    let v = match v.strip_prefix('"') {
        Some(rest) => rest.strip_suffix('"')?,
        None => v,
    };
    if let Some(rest) = v.strip_prefix('[') {
        let (addr, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.starts_with(':')) {
            return None;
        }
        return addr.parse::<Ipv6Addr>().ok().map(IpAddr::V6);
    }
    let host = match v.split_once(':') {
        Some((h, _port)) => h,
        None => v,
    };
    host.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limiter_counts_per_address() {
        let l = Limiter::per_minute(2);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        let b: IpAddr = "127.0.0.2".parse().unwrap();
        assert!(l.check(a).is_ok() && l.check(a).is_ok());
        // One request every 30 seconds once the burst of 2 is spent.
        let wait = l.check(a).unwrap_err();
        assert!(wait > Duration::from_secs(29) && wait <= Duration::from_secs(30));
        assert!(l.check(b).is_ok());
        assert_eq!(l.len(), 2);
    }

    #[test]
    fn zero_is_no_limit() {
        let l = Limiter::per_minute(0);
        let a: IpAddr = "127.0.0.1".parse().unwrap();
        assert!((0..1000).all(|_| l.check(a).is_ok()));
    }

    #[test]
    fn cidr() {
        let c: Cidr = "10.0.0.0/8".parse().unwrap();
        assert!(c.contains("10.1.2.3".parse().unwrap()));
        assert!(c.contains("::ffff:10.1.2.3".parse().unwrap()));
        assert!(!c.contains("11.0.0.1".parse().unwrap()));
        let c: Cidr = "fd00::/8".parse().unwrap();
        assert!(c.contains("fd12::1".parse().unwrap()));
        assert!(!c.contains("fe80::1".parse().unwrap()));
        let c: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(c.contains("8.8.8.8".parse().unwrap()));
        for bad in [
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0/8",
            "x",
            "::/129",
            "1.2.3.4/+8",
        ] {
            assert!(bad.parse::<Cidr>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_nodes() {
        // The examples of RFC 7239 sections 4 and 6.
        assert_eq!(
            forwarded_for("for=\"_gazonk\""),
            None,
            "an obfuscated identifier is no address"
        );
        assert_eq!(
            forwarded_for("For=\"[2001:db8:cafe::17]:4711\""),
            Some(vec!["2001:db8:cafe::17".parse().unwrap()])
        );
        assert_eq!(
            forwarded_for("for=192.0.2.60;proto=http;by=203.0.113.43"),
            Some(vec!["192.0.2.60".parse().unwrap()])
        );
        assert_eq!(
            forwarded_for("for=192.0.2.43, for=198.51.100.17"),
            Some(vec![
                "192.0.2.43".parse().unwrap(),
                "198.51.100.17".parse().unwrap()
            ])
        );
        assert_eq!(forwarded_for("for=unknown"), None);
        assert_eq!(forwarded_for("garbage"), None);
    }
}
