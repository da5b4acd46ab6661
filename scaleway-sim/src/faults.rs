//! Fault injection: latency, connection latency, a shared rate limit, a seeded 5xx rate and
//! per-locality outages. Everything is deterministic for a given seed and request order.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::util::splitmix;

/// An outage of one zone or region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalityFault {
    /// A zone (`fr-par-1`) or a region (`nl-ams`). A region also covers its zones.
    pub locality: String,
    /// The HTTP status answered (e.g. 503). Body: empty.
    pub status: u16,
}

impl LocalityFault {
    /// "Every request to `locality` answers 503".
    pub fn unavailable(locality: &str) -> Self {
        Self {
            locality: locality.to_owned(),
            status: 503,
        }
    }
}

/// Faults to inject. `Faults::default()` injects none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added to every request before it is handled.
    pub latency: Duration,
    /// Added once per accepted TCP connection (before its first request is read).
    pub connection_latency: Duration,
    /// Shared limit, in requests per second over all clients; excess requests get the real 429
    /// (empty body, no content type, `x-envoy-ratelimited: true`, no `Retry-After`).
    pub rate_limit: Option<u32>,
    /// Fraction (0.0–1.0) of requests answered `503` with an empty body; which requests fail is
    /// decided by the seed and the request's sequence number.
    pub error_rate: f64,
    /// Outages of whole zones/regions.
    pub locality_faults: Vec<LocalityFault>,
    /// Faults on one API key's requests only ([`crate::KeyFault`]).
    pub key_faults: Vec<crate::KeyFault>,
}

/// What the fault layer decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    RateLimited,
    Status(u16),
}

#[derive(Debug)]
pub(crate) struct FaultState {
    pub(crate) faults: Mutex<Faults>,
    seed: u64,
    seq: AtomicU64,
    window: Mutex<(Instant, u32)>,
    /// Per-key rate-limit windows ([`crate::KeyFault::rate_limit`]).
    pub(crate) key_windows: crate::key_faults::KeyWindows,
}

impl FaultState {
    pub(crate) fn new(faults: Faults, seed: u64) -> Self {
        Self {
            faults: Mutex::new(faults),
            seed,
            seq: AtomicU64::new(0),
            window: Mutex::new((Instant::now(), 0)),
            key_windows: crate::key_faults::KeyWindows::default(),
        }
    }

    pub(crate) fn get(&self) -> Faults {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    pub(crate) fn set(&self, f: Faults) {
        *self
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = f;
    }

    /// Decides the fate of the next request. `path` is used for locality faults.
    pub(crate) fn decide(&self, path: &str) -> (Verdict, Duration) {
        let f = self
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let latency = f.latency;
        if let Some(limit) = f.rate_limit {
            let mut w = self
                .window
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            if now.duration_since(w.0) >= Duration::from_secs(1) {
                *w = (now, 0);
            }
            if w.1 >= limit {
                return (Verdict::RateLimited, latency);
            }
            w.1 += 1;
        }
        if !f.locality_faults.is_empty()
            && let Some(loc) = path_locality(path)
        {
            for lf in &f.locality_faults {
                if loc == lf.locality || crate::locality::zone_region(loc) == lf.locality {
                    return (Verdict::Status(lf.status), latency);
                }
            }
        }
        let n = self.seq.fetch_add(1, Ordering::Relaxed);
        if f.error_rate > 0.0 {
            #[allow(clippy::cast_precision_loss, reason = "a 53-bit fraction is plenty")]
            let draw = (splitmix(self.seed ^ splitmix(n)) >> 11) as f64 / (1u64 << 53) as f64;
            if draw < f.error_rate {
                return (Verdict::Status(503), latency);
            }
        }
        (Verdict::Pass, latency)
    }
}

/// The zone or region segment of a path (`/x/v1/zones/{zone}/…`, `/x/v1/regions/{region}/…`).
pub(crate) fn path_locality(path: &str) -> Option<&str> {
    let mut it = path.split('/');
    while let Some(seg) = it.next() {
        if seg == "zones" || seg == "regions" {
            return it.next();
        }
    }
    None
}
