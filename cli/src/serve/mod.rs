//! `report-helper serve`: the built site and the reference intake API.
//!
//! | file | what |
//! |---|---|
//! | `app.rs` | `app()`: the router, the API's handlers and the headers of every answer |
//! | `error.rs` | `ApiError`: every refusal of the API, and the JSON it answers |
//! | `cors.rs` | the CORS answers for `--allow-origin` |
//! | `platform.rs` | the platforms' list of shared fingerprints |
//! | `site.rs` | the built site's files |
//! | `rate_limit.rs` | the limits of requests per client, and the client's address behind a proxy |
//! | `connection.rs` | the connection loop: timeouts, the head's size, the caps of connections, graceful shutdown |

mod app;
mod connection;
mod cors;
mod error;
mod platform;
mod rate_limit;
mod site;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use app::{app, frame_source, CSP};
pub use error::ApiError;
pub use rate_limit::{Cidr, Limiter};

use crate::store::Store;

pub struct Config {
    pub addr: SocketAddr,
    pub db: PathBuf,
    /// Make the database (and its folder) if it is not there (`--init`); otherwise a missing
    /// database is an error.
    pub init: bool,
    pub site: PathBuf,
    pub allow_origins: Vec<String>,
    /// The pages that may frame the site (`--frame-ancestors`, checked by `frame_source`);
    /// none by default.
    pub frame_ancestors: Vec<String>,
    /// POSTs a client may send per minute; 0: no limit.
    pub rate_limit: u32,
    /// GETs and DELETEs of a report a client may send per minute; 0: no limit.
    pub status_rate_limit: u32,
    /// GETs of the platforms' list a client may send per minute; 0: no limit.
    pub platform_rate_limit: u32,
    /// The reverse proxies whose `Forwarded` or `X-Forwarded-For` names the client.
    pub trust_proxy: Vec<Cidr>,
    /// How long a client may take to send a request's head, then its body, and to take in any
    /// part of an answer.
    pub client_timeout: Duration,
    /// Open connections at most; None: the limit of open files (raised to its hard limit at
    /// start) less a reserve (`default_max_connections`).
    pub max_connections: Option<usize>,
    /// Open connections from one client (an IPv4 address, an IPv6 /64) at most; 0: no such cap.
    /// Connections from `trust_proxy` are not counted.
    pub max_connections_per_address: usize,
}

/// One line on the server's log (stderr), its control and bidirectional characters escaped:
/// what it names (paths, errors, a request's path) may come from outside.
pub(crate) fn log(line: &str) {
    eprintln!("report-helper: {}", crate::terminal::text(line));
}

/// What the handlers share: the store, the site's folder and the configuration they read.
pub struct AppState {
    store: Mutex<Store>,
    site: PathBuf,
    allow_origins: Vec<String>,
    frame_ancestors: Vec<String>,
    limiter: Arc<Limiter>,
    status_limiter: Arc<Limiter>,
    platform_limiter: Arc<Limiter>,
    trust_proxy: Vec<Cidr>,
    client_timeout: Duration,
    /// Whether the log already said that the database was removed or replaced (it says so once).
    lost_logged: AtomicBool,
}

impl AppState {
    /// Opens the database (makes it with `config.init`) and finds the site's folder;
    /// `config.addr` is not used.
    pub fn open(config: &Config) -> Result<AppState, String> {
        let store = Store::open(&config.db, config.init).map_err(|e| {
            if config.init {
                e
            } else {
                format!("{e} (start with --init to create it)")
            }
        })?;
        for source in &config.frame_ancestors {
            frame_source(source)?;
        }
        let site = config
            .site
            .canonicalize()
            .map_err(|e| format!("the site folder {}: {e}", config.site.display()))?;
        Ok(AppState {
            store: Mutex::new(store),
            site,
            allow_origins: config.allow_origins.clone(),
            frame_ancestors: config.frame_ancestors.clone(),
            limiter: Arc::new(Limiter::per_minute(config.rate_limit)),
            status_limiter: Arc::new(Limiter::per_minute(config.status_rate_limit)),
            platform_limiter: Arc::new(Limiter::per_minute(config.platform_rate_limit)),
            trust_proxy: config.trust_proxy.clone(),
            client_timeout: config.client_timeout,
            lost_logged: AtomicBool::new(false),
        })
    }

    /// The limiters of POSTs and of status checks and withdrawals (for the tests: their size,
    /// and the retention step that the server's timer runs).
    pub fn limiters(&self) -> (Arc<Limiter>, Arc<Limiter>) {
        (self.limiter.clone(), self.status_limiter.clone())
    }

    /// The limiter of the platforms' list.
    pub fn platform_limiter(&self) -> Arc<Limiter> {
        self.platform_limiter.clone()
    }
}

pub fn run(config: Config) -> Result<(), String> {
    let state = AppState::open(&config)?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        // Every 10 seconds, the limiters forget the clients whose limit is whole again: their
        // memory is that of the clients of the last minute.
        let limiters = state.limiters();
        let platform_limiter = state.platform_limiter();
        tokio::spawn(async move {
            let mut every = tokio::time::interval(Duration::from_secs(10));
            loop {
                every.tick().await;
                limiters.0.retain_recent();
                limiters.1.retain_recent();
                platform_limiter.retain_recent();
            }
        });
        let app = app(state);
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        // The first line of output is the address: tests (and `make run`) read it.
        println!("Report helper: http://{bound}/  (Ctrl-C stops it)");
        // On stderr: a test may stop reading stdout after the first line.
        let files = connection::raise_open_files_limit();
        let max = config.max_connections.unwrap_or_else(|| {
            files.map_or(1000, |(soft, _)| connection::default_max_connections(soft))
        });
        let per_address = match config.max_connections_per_address {
            0 => "no cap per address".to_string(),
            n => format!("{n} per address"),
        };
        match files {
            Some((soft, hard)) => log(&format!(
                "open files: {soft} (hard limit {hard}); connections: at most {max}, {per_address}"
            )),
            None => log(&format!("connections: at most {max}, {per_address}")),
        }
        if let Some((soft, _)) = files {
            let room = connection::default_max_connections(soft);
            if max > room {
                log(&format!(
                    "--max-connections {max} is more than the open files leave room for \
                     ({room}): past that, connections wait unanswered"
                ));
            }
        }
        let limits = connection::Limits {
            client_timeout: config.client_timeout,
            max,
            per_address: config.max_connections_per_address,
            trust_proxy: config.trust_proxy.clone(),
        };
        connection::serve(listener, app, limits).await;
        Ok(())
    })
}
