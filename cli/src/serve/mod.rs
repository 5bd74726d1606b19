//! `report-helper serve`: the built site and the reference intake API.
//!
//! | file | what |
//! |---|---|
//! | `app.rs` | `app()`: the router, the API's handlers and the headers of every answer |
//! | `error.rs` | `ApiError`: every refusal of the API, and the JSON it answers |
//! | `cors.rs` | the CORS answers for `--allow-origin` |
//! | `site.rs` | the built site's files |
//! | `rate_limit.rs` | the limit of POSTs per client address |
//! | `connection.rs` | the connection loop: head timeout, graceful shutdown |

mod app;
mod connection;
mod cors;
mod error;
mod rate_limit;
mod site;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Mutex;
use std::time::Duration;

pub use app::{app, frame_source, CSP};
pub use error::ApiError;

use crate::store::Store;
use rate_limit::Limiter;

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
    pub rate_limit: u32,
    /// How long a client may take to send a request's head, and then its body.
    pub client_timeout: Duration,
}

/// What the handlers share: the store, the site's folder and the configuration they read.
pub struct AppState {
    store: Mutex<Store>,
    site: PathBuf,
    allow_origins: Vec<String>,
    frame_ancestors: Vec<String>,
    limiter: Limiter,
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
            limiter: Limiter::new(config.rate_limit, Duration::from_secs(60)),
            client_timeout: config.client_timeout,
            lost_logged: AtomicBool::new(false),
        })
    }
}

pub fn run(config: Config) -> Result<(), String> {
    let app = app(AppState::open(&config)?);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", config.addr))?;
        let bound = listener.local_addr().map_err(|e| e.to_string())?;
        // The first line of output is the address: tests (and `make run`) read it.
        println!("Report helper: http://{bound}/  (Ctrl-C stops it)");
        connection::serve(listener, app, config.client_timeout).await;
        Ok(())
    })
}
