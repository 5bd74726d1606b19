//! The connection loop. axum's own `serve` sets no timer, no timeouts and no cap, so clients that
//! send a byte at a time, say nothing, or never read their answers could hold every file
//! descriptor for ever. This loop serves each connection with hyper's HTTP/1 builder and bounds
//! what a client can hold:
//!
//! - **time**: hyper's header-read timeout runs from the moment a connection waits for a request
//!   (the first, and each next one on a kept-alive connection), so a client that says nothing or
//!   trickles its head is dropped; `Watched` ends a connection whose answer makes no progress
//!   (the client reads nothing) for the same time; a report's body has its own deadline in
//!   `app.rs`. A handler's own time (a database write) counts towards none of these.
//! - **space**: a request's head may take `MAX_HEAD` bytes (hyper answers 431 beyond it), which
//!   also bounds what pipelined requests queue up.
//! - **number**: at most `max` open connections, and `per_address` from one client (an IPv4
//!   address or an IPv6 /64; trusted proxies are exempt). A connection over the per-address cap
//!   is closed at once. At the overall cap, a connection that waits on its client (not in a
//!   handler) is closed to make room, preferring the client with the most connections, so that
//!   a flood of connections cannot lock everyone else out; when there is none, the new one is
//!   closed at once. Nothing waits in the kernel's backlog because the server stopped accepting.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tower::ServiceExt;

use super::rate_limit::client_key;
use super::Cidr;

/// The most a request's head (request line and headers) may take. A browser's is under 8 KiB;
/// hyper's default (about 400 KB) let 3000 connections hold 1.1 GiB.
pub const MAX_HEAD: usize = 32 * 1024;

/// How many open connections are looked at to find one to close at the overall cap.
const SAMPLE: usize = 8;

/// What bounds the connections.
pub struct Limits {
    /// How long a client may take to send a request's head, or to take in any part of an answer.
    pub client_timeout: Duration,
    /// Open connections at most.
    pub max: usize,
    /// Open connections from one client at most; 0: no such cap.
    pub per_address: usize,
    /// Connections from these are not counted per address (every client behind a proxy shares
    /// its address).
    pub trust_proxy: Vec<Cidr>,
}

/// Accepts connections until Ctrl-C or SIGTERM, then lets the requests under way finish (for
/// at most 30 s). Each request carries its client's address (`ConnectInfo`), which the rate limit
/// counts by.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, limits: Limits) {
    let graceful = GracefulShutdown::new();
    let registry = Arc::new(Registry::new(&limits));
    tokio::spawn(log_refusals(registry.clone()));
    let mut stop = std::pin::pin!(shutdown());
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                // Out of file descriptors and the like: wait a moment rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Some(slot) = registry.admit(peer.ip()) else {
            // Closed at once: the client sees the connection end, and no descriptor is held.
            drop(stream);
            continue;
        };
        let watch = slot.watch.clone();
        let service = app
            .clone()
            .map_request(move |mut request: Request<hyper::body::Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request.map(Body::new)
            })
            .map_future(move |answer| {
                let busy = Busy::enter(watch.clone());
                async move {
                    let answer = answer.await;
                    drop(busy);
                    answer
                }
            });
        let io = Watched::new(stream, slot.watch.clone(), limits.client_timeout);
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(limits.client_timeout)
            .max_header_size(MAX_HEAD)
            // Also what pipelined requests may queue up, and answers buffered.
            .max_buf_size(MAX_HEAD)
            .serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection that fails (reset, timed out, malformed) concerns only its client.
            tokio::select! {
                _ = connection => {}
                () = slot.watch.evict.notified() => {}
            }
            drop(slot);
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await;
}

/// What one connection shares with the registry: whose it is, whether a handler is working for
/// it, when it last moved a byte, and the signal that closes it.
struct Watch {
    key: IpAddr,
    /// From a trusted proxy: not counted per address.
    exempt: bool,
    /// Its place in `Slots::open` (kept under the registry's lock).
    index: AtomicUsize,
    /// Whether it is no longer in `Slots::open` (closed to make room).
    removed: AtomicBool,
    /// Requests in a handler (0 or 1 for HTTP/1).
    busy: AtomicU32,
    /// When a byte was last read or written, or a handler ended, in ms since the registry began.
    last_progress: AtomicU64,
    /// The registry's start, which `last_progress` counts from.
    clock: Instant,
    evict: Notify,
}

impl Watch {
    fn touch(&self) {
        self.last_progress
            .store(self.clock.elapsed().as_millis() as u64, Relaxed);
    }
}

/// The open connections, and how many each client holds.
struct Slots {
    open: Vec<Arc<Watch>>,
    per_key: HashMap<IpAddr, usize>,
    /// xorshift64 state for sampling `open`.
    random: u64,
}

struct Registry {
    slots: Mutex<Slots>,
    max: usize,
    per_address: usize,
    trust_proxy: Vec<Cidr>,
    start: Instant,
    /// Since the last log line: connections closed at once over the per-address cap, at once
    /// over the overall cap, and older ones closed to make room.
    refused_per_address: AtomicU64,
    refused_full: AtomicU64,
    made_room: AtomicU64,
}

impl Registry {
    fn new(limits: &Limits) -> Registry {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Registry {
            slots: Mutex::new(Slots {
                open: Vec::new(),
                per_key: HashMap::new(),
                random: seed | 1,
            }),
            max: limits.max.max(1),
            per_address: limits.per_address,
            trust_proxy: limits.trust_proxy.clone(),
            start: Instant::now(),
            refused_per_address: 0.into(),
            refused_full: 0.into(),
            made_room: 0.into(),
        }
    }

    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// A slot for a new connection from `ip`, or None when it must be closed at once.
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Option<Slot> {
        let key = client_key(ip);
        let exempt = self.trust_proxy.iter().any(|c| c.contains(ip));
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let held = slots.per_key.get(&key).copied().unwrap_or(0);
        if !exempt && self.per_address != 0 && held >= self.per_address {
            self.refused_per_address.fetch_add(1, Relaxed);
            return None;
        }
        if slots.open.len() >= self.max {
            let Some(index) = self.pick_to_close(&mut slots) else {
                self.refused_full.fetch_add(1, Relaxed);
                return None;
            };
            let closed = remove(&mut slots, index);
            self.made_room.fetch_add(1, Relaxed);
            closed.evict.notify_one();
        }
        let watch = Arc::new(Watch {
            key,
            exempt,
            index: slots.open.len().into(),
            removed: false.into(),
            busy: 0.into(),
            last_progress: self.now_ms().into(),
            clock: self.start,
            evict: Notify::new(),
        });
        slots.open.push(watch.clone());
        if !exempt {
            *slots.per_key.entry(key).or_insert(0) += 1;
        }
        Some(Slot {
            registry: self.clone(),
            watch,
        })
    }

    /// Among a few open connections picked at random (all of them, if there are no more than
    /// `SAMPLE`), one that waits on its client (no handler
    /// working for it): the one whose client holds the most connections, then the one that has
    /// been quiet longest. None if every one picked is in a handler.
    fn pick_to_close(&self, slots: &mut Slots) -> Option<usize> {
        let now = self.now_ms();
        let mut best: Option<(usize, (usize, u64))> = None;
        let len = slots.open.len();
        for i in 0..SAMPLE.min(len) {
            // Every one when there are no more than SAMPLE; otherwise SAMPLE at random.
            let index = if len <= SAMPLE {
                i
            } else {
                (next_random(&mut slots.random) % len as u64) as usize
            };
            let watch = &slots.open[index];
            if watch.busy.load(Relaxed) != 0 {
                continue;
            }
            let held = if watch.exempt {
                1
            } else {
                slots.per_key.get(&watch.key).copied().unwrap_or(1)
            };
            let score = (held, now.saturating_sub(watch.last_progress.load(Relaxed)));
            if best.is_none_or(|(_, b)| score > b) {
                best = Some((index, score));
            }
        }
        best.map(|(index, _)| index)
    }
}

fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Takes `open[index]` out of the open connections and its client's count.
fn remove(slots: &mut Slots, index: usize) -> Arc<Watch> {
    let watch = slots.open.swap_remove(index);
    if let Some(moved) = slots.open.get(index) {
        moved.index.store(index, Relaxed);
    }
    watch.removed.store(true, Relaxed);
    if !watch.exempt {
        if let Some(held) = slots.per_key.get_mut(&watch.key) {
            *held -= 1;
            if *held == 0 {
                slots.per_key.remove(&watch.key);
            }
        }
    }
    watch
}

/// An open connection's place; given back when its task ends.
struct Slot {
    registry: Arc<Registry>,
    watch: Arc<Watch>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut slots = self
            .registry
            .slots
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if !self.watch.removed.load(Relaxed) {
            remove(&mut slots, self.watch.index.load(Relaxed));
        }
    }
}

/// A handler at work for a connection: it is not waiting on its client.
struct Busy(Arc<Watch>);

impl Busy {
    fn enter(watch: Arc<Watch>) -> Busy {
        watch.busy.fetch_add(1, Relaxed);
        Busy(watch)
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Relaxed);
        self.0.touch();
    }
}

/// Every minute, one line on stderr if connections were closed by the caps in that minute, so
/// that the operator sees an attack or a cap set too low (never a line per connection, which a
/// flood would turn into a flood of the log).
async fn log_refusals(registry: Arc<Registry>) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    every.tick().await;
    loop {
        every.tick().await;
        let per_address = registry.refused_per_address.swap(0, Relaxed);
        let full = registry.refused_full.swap(0, Relaxed);
        let made_room = registry.made_room.swap(0, Relaxed);
        if per_address + full + made_room > 0 {
            super::log(&format!(
                "in the last minute, {per_address} connections were closed at once over the cap \
                 of {} per address, {full} at once over the cap of {} open connections, and \
                 {made_room} waiting ones were closed to make room",
                registry.per_address, registry.max
            ));
        }
    }
}

/// The client's socket, ending the connection when an answer makes no progress: a write (or
/// flush) that has waited `timeout` for the client to take in bytes fails with `TimedOut`,
/// which ends hyper's connection. Every byte moved notes the time (for choosing which connection
/// to close at the cap).
struct Watched {
    stream: TcpStream,
    watch: Arc<Watch>,
    timeout: Duration,
    /// The deadline of the write that waits, if one waits.
    stall: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl Watched {
    fn new(stream: TcpStream, watch: Arc<Watch>, timeout: Duration) -> Watched {
        Watched {
            stream,
            watch,
            timeout,
            stall: None,
        }
    }

    /// The write waits: Pending until `timeout` has passed since it began waiting, then the error.
    fn waiting<T>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<T>> {
        let timeout = self.timeout;
        let stall = self
            .stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        match stall.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client took in nothing of the answer",
            ))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn written(
        &mut self,
        cx: &mut Context<'_>,
        polled: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match polled {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    self.stall = None;
                    self.watch.touch();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => self.waiting(cx),
        }
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            // Only the time: a read does not end a write's wait (a client that sends but never
            // reads is the case at hand).
            self.watch.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        self.written(cx, polled)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        self.written(cx, polled)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A TCP stream's flush does not wait; this is for symmetry.
        match Pin::new(&mut self.stream).poll_flush(cx) {
            Poll::Pending => self.waiting(cx),
            done => done,
        }
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match Pin::new(&mut self.stream).poll_shutdown(cx) {
            Poll::Pending => self.waiting(cx),
            done => done,
        }
    }
}

/// Ctrl-C or SIGTERM: stop taking connections and finish the requests under way. (Every 201 is
/// already committed; this only spares clients a cut connection.)
async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        std::future::poll_fn(|cx| {
            if ctrl_c.as_mut().poll(cx).is_ready() || term.poll_recv(cx).is_ready() {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Raises the soft limit of open files to the hard limit (Linux and the BSDs start most
/// services at 1024 however high the hard limit is). Returns (the soft limit now, the hard
/// limit); None where the limits cannot be read.
#[cfg(unix)]
pub fn raise_open_files_limit() -> Option<(u64, u64)> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // Linux refuses RLIM_INFINITY (and macOS anything over OPEN_MAX): the limit stays.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    // rlim_t is u64 on Linux and macOS, not on every Unix.
    #[allow(clippy::unnecessary_cast)]
    Some((limit.rlim_cur as u64, limit.rlim_max as u64))
}

#[cfg(not(unix))]
pub fn raise_open_files_limit() -> Option<(u64, u64)> {
    None
}

/// The default cap of open connections under a limit of `open_files`: the limit less what the
/// server needs besides (the database and its log, a site file being read, the log, the
/// listener): 64, or half of a limit under 128.
pub fn default_max_connections(open_files: u64) -> usize {
    let reserve = 64.min(open_files / 2);
    usize::try_from(open_files - reserve).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry(max: usize, per_address: usize, trust: &[&str]) -> Arc<Registry> {
        Arc::new(Registry::new(&Limits {
            client_timeout: Duration::from_secs(10),
            max,
            per_address,
            trust_proxy: trust.iter().map(|c| c.parse().unwrap()).collect(),
        }))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn per_address_cap_counts_ipv4_and_ipv6_64s_and_gives_back() {
        let r = registry(1000, 2, &["10.0.0.0/8"]);
        let a = r.admit(ip("192.0.2.1")).unwrap();
        let _b = r.admit(ip("::ffff:192.0.2.1")).unwrap();
        assert!(r.admit(ip("192.0.2.1")).is_none());
        drop(a);
        assert!(r.admit(ip("192.0.2.1")).is_some());
        // One /64 is one client; the next /64 is another.
        let _c = r.admit(ip("2001:db8:0:1::1")).unwrap();
        let _d = r.admit(ip("2001:db8:0:1::2")).unwrap();
        assert!(r.admit(ip("2001:db8:0:1:ffff::3")).is_none());
        assert!(r.admit(ip("2001:db8:0:2::1")).is_some());
        // A trusted proxy is not capped per address.
        let proxied: Vec<_> = (0..10).map(|_| r.admit(ip("10.1.2.3")).unwrap()).collect();
        assert_eq!(proxied.len(), 10);
    }

    #[test]
    fn at_the_cap_a_waiting_connection_of_the_heaviest_client_makes_room() {
        let r = registry(4, 0, &[]);
        let heavy: Vec<_> = (0..3).map(|_| r.admit(ip("192.0.2.9")).unwrap()).collect();
        let light = r.admit(ip("198.51.100.1")).unwrap();
        // Full: the newcomer gets in, and one of the heavy client's connections is told to close.
        let _new = r.admit(ip("203.0.113.5")).unwrap();
        let told = heavy
            .iter()
            .filter(|s| s.watch.removed.load(Relaxed))
            .count();
        assert_eq!(told, 1);
        assert!(!light.watch.removed.load(Relaxed));
        assert_eq!(r.slots.lock().unwrap().open.len(), 4);
        assert_eq!(r.slots.lock().unwrap().per_key[&ip("192.0.2.9")], 2);
    }

    #[test]
    fn at_the_cap_with_every_connection_in_a_handler_the_newcomer_is_closed() {
        let r = registry(2, 0, &[]);
        let a = r.admit(ip("192.0.2.1")).unwrap();
        let b = r.admit(ip("192.0.2.2")).unwrap();
        let _busy = (Busy::enter(a.watch.clone()), Busy::enter(b.watch.clone()));
        assert!(r.admit(ip("192.0.2.3")).is_none());
        assert!(!a.watch.removed.load(Relaxed) && !b.watch.removed.load(Relaxed));
    }

    #[test]
    fn slots_are_given_back_in_any_order() {
        let r = registry(100, 0, &[]);
        let mut slots: Vec<_> = (0..50)
            .map(|i| r.admit(IpAddr::from([192, 0, 2, i as u8])).unwrap())
            .collect();
        // Drop every third, then the rest from the back: the indices stay right.
        let mut i = 0;
        slots.retain(|_| {
            i += 1;
            i % 3 != 0
        });
        while let Some(s) = slots.pop() {
            drop(s);
            let held = r.slots.lock().unwrap();
            for (index, w) in held.open.iter().enumerate() {
                assert_eq!(w.index.load(Relaxed), index);
            }
        }
        let held = r.slots.lock().unwrap();
        assert!(held.open.is_empty() && held.per_key.is_empty());
    }

    #[test]
    fn default_cap_leaves_a_reserve() {
        assert_eq!(default_max_connections(1024), 960);
        assert_eq!(default_max_connections(100), 50);
        assert_eq!(default_max_connections(1_048_576), 1_048_512);
    }
}
