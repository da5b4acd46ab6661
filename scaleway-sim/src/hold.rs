//! Holding one request until a test lets it go ([`crate::Sim::hold`]): a deterministic way to
//! catch a client in the middle of a call — a request sent and not handled yet, or handled (what
//! it creates exists) with its answer not sent yet — instead of racing it with latency.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::response::Response;
use http::StatusCode;
use tokio::sync::watch;

/// Where a held request waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HoldPoint {
    /// Before it is handled: nothing it would do has happened yet.
    BeforeHandling,
    /// After it was handled (what it creates exists, what it deletes is gone), before its answer
    /// is sent.
    BeforeAnswer,
}

/// What a released request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Release {
    /// Goes on as usual.
    AsUsual,
    /// Is answered this status with an empty body instead of its own answer.
    Status(u16),
}

#[derive(Debug)]
struct Shared {
    /// `POST`.
    method: String,
    /// `/vpc/v2/regions/{region}/vpcs`: a route template.
    path: String,
    point: HoldPoint,
    /// A request was caught (only the first matching request is).
    held: watch::Sender<bool>,
    release: watch::Sender<Option<Release>>,
}

/// A request held by [`crate::Sim::hold`]. Dropping it lets the request go on as usual.
#[derive(Debug)]
pub struct Hold {
    shared: Arc<Shared>,
}

impl Hold {
    /// Waits until a matching request is held (at once if one already is).
    pub async fn held(&self) {
        let mut rx = self.shared.held.subscribe();
        // The sender lives as long as `self`: the wait cannot fail.
        let _ = rx.wait_for(|h| *h).await;
    }

    /// Whether a matching request was caught.
    pub fn is_held(&self) -> bool {
        *self.shared.held.borrow()
    }

    /// Lets the held request (or the next matching one, if none is held yet) go on as usual.
    pub fn release(&self) {
        self.shared.release.send_if_modified(|r| {
            let first = r.is_none();
            if first {
                *r = Some(Release::AsUsual);
            }
            first
        });
    }

    /// Answers the held request `status` with an empty body instead of its own answer — at
    /// [`HoldPoint::BeforeAnswer`], after it was handled: a gateway that lost the answer (`504`).
    /// At [`HoldPoint::BeforeHandling`] the request is not handled at all.
    pub fn answer_instead(&self, status: u16) {
        self.shared.release.send_if_modified(|r| {
            let first = r.is_none();
            if first {
                *r = Some(Release::Status(status));
            }
            first
        });
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        self.release();
    }
}

/// The holds set on a simulator (shared by every request).
#[derive(Debug, Default)]
pub(crate) struct Holds {
    pending: Mutex<Vec<Arc<Shared>>>,
    /// `pending.len()`, read without the lock by every request.
    count: AtomicUsize,
}

impl Holds {
    /// A hold of the next request to `method` `path` (a route template) at `point`.
    pub(crate) fn add(&self, method: &str, path: &str, point: HoldPoint) -> Hold {
        let shared = Arc::new(Shared {
            method: method.to_owned(),
            path: path.to_owned(),
            point,
            held: watch::Sender::new(false),
            release: watch::Sender::new(None),
        });
        let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        p.push(Arc::clone(&shared));
        self.count.store(p.len(), Ordering::Release);
        Hold { shared }
    }

    /// Takes the hold waiting for a request to `method` `path` at `point`, if any (each hold
    /// catches one request).
    fn take(&self, method: &str, path: &str, point: HoldPoint) -> Option<Arc<Shared>> {
        if self.count.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut p = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        let i = p
            .iter()
            .position(|s| s.method == method && s.path == path && s.point == point)?;
        let shared = p.remove(i);
        self.count.store(p.len(), Ordering::Release);
        Some(shared)
    }

    /// Holds a request to `method` `path` (its route template) at `point` if a hold waits for
    /// it. `Some(response)`: answer that instead (an empty body with the status the test chose).
    pub(crate) async fn wait(
        &self,
        method: &str,
        path: &str,
        point: HoldPoint,
    ) -> Option<Response> {
        let shared = self.take(method, path, point)?;
        let mut rx = shared.release.subscribe();
        shared.held.send_replace(true);
        // `shared` keeps the sender alive: the wait ends only with a release.
        let release = rx.wait_for(Option::is_some).await.ok().and_then(|r| *r);
        match release {
            Some(Release::Status(s)) => {
                let mut r = Response::new(Body::empty());
                *r.status_mut() = StatusCode::from_u16(s).unwrap_or(StatusCode::GATEWAY_TIMEOUT);
                Some(r)
            }
            Some(Release::AsUsual) | None => None,
        }
    }
}
