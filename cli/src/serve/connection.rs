//! The connection loop. axum's own `serve` sets neither a timer nor a header-read timeout, so a
//! client that sends a byte at a time could hold a connection for ever: this loop serves each
//! connection with hyper's HTTP/1 builder, which takes both.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request};
use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower::ServiceExt;

/// Accepts connections until Ctrl-C or SIGTERM, then lets the requests under way finish (for
/// at most 30 s). Each connection is HTTP/1.1 with a deadline for every request's head, so a
/// client that sends nothing, or a byte at a time, is dropped. Each request carries its client's
/// address (`ConnectInfo`), which the rate limit counts by.
pub async fn serve(listener: tokio::net::TcpListener, app: Router, head_timeout: Duration) {
    let graceful = GracefulShutdown::new();
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
        let service =
            app.clone()
                .map_request(move |mut request: Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request.map(Body::new)
                });
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(head_timeout)
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A connection that fails (reset, timed out, malformed) concerns only its client.
            let _ = connection.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await;
}

/// Ctrl-C or SIGTERM: stop taking connections and finish the requests under way. (Every 201 is
/// already committed; this only spares clients a cut connection.)
async fn shutdown() {
    #[cfg(unix)]
    {
        use std::future::Future;
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(_) => return std::future::pending().await,
        };
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        std::future::poll_fn(|cx| {
            if ctrl_c.as_mut().poll(cx).is_ready() || term.poll_recv(cx).is_ready() {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
        .await;
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
