//! Fault injection: latency, connection latency, a shared rate limit, a seeded 5xx rate,
//! per-locality outages, a page-size cap and a project that changes while it is listed
//! ([`Churn`], applied by `crate::churn`). Everything is deterministic for a given seed and
//! request order.

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
    /// At most this many items per page of every listing, whatever `page_size` / `per_page`
    /// asked (an API whose maximum is below the client's request). Totals and `link` headers
    /// follow the capped size.
    pub page_size_cap: Option<u32>,
    /// Resources created and deleted while listings are being read.
    pub churn: Option<Churn>,
}

/// A project that changes while it is listed: before answering a page of a listing (never the
/// first page), the simulator may delete an item placed before that page and/or create one.
///
/// A *listing* is one collection read with one set of filters: the request path (zone or
/// region, cluster) and its query without the page parameters. Which page requests change the
/// collection, what they do and which item they delete are drawn from the simulator's seed,
/// the listing, the page number and how many times that page was requested, so the same
/// requests make the same changes. Every change is logged ([`crate::Sim::churn_log`]).
///
/// Served listings that change: Instance servers (a deleted server's local volumes go with it)
/// and volumes, Block volumes and snapshots (v1alpha1 and v1), Secret Manager secrets,
/// Kubernetes clusters (a deleted cluster's pools go with it) and pools, VPCs, private
/// networks and registry namespaces.
#[derive(Debug, Clone, PartialEq)]
pub struct Churn {
    /// Fraction (0.0–1.0) of page requests, after the first page, preceded by a change.
    pub rate: f64,
    /// What a change does.
    pub mode: ChurnMode,
    /// At most this many changes per listing, after which it holds still (so that a reader
    /// that re-reads can finish).
    pub max_per_listing: u32,
}

impl Churn {
    /// `rate` of the page requests change their listing, in `mode`, at most `max_per_listing`
    /// times per listing.
    pub fn new(rate: f64, mode: ChurnMode, max_per_listing: u32) -> Self {
        Self {
            rate,
            mode,
            max_per_listing,
        }
    }
}

/// What one change of a [`Churn`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChurnMode {
    /// Deletes one item placed before the requested page, so that the later items shift one
    /// place towards the start, across the page boundary: the item that opened the requested
    /// page now closes the page before it, which a reader may already have read. The first
    /// change of a listing deletes an item of page 1 (always read before any other page).
    Delete,
    /// Creates one item (a copy of a listed one with a new id and name, created now).
    Create,
    /// Deletes as [`ChurnMode::Delete`] and creates as [`ChurnMode::Create`]: the total does not
    /// move (a compensated change).
    Replace,
    /// One of the three, drawn from the seed.
    Mixed,
}

/// One change made by the churn fault ([`crate::Sim::churn_log`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChurnEvent {
    /// The collection: `servers`, `instance_volumes`, `block_volumes`, `block_snapshots`,
    /// `secrets`, `clusters`, `pools`, `vpcs`, `private_networks`, `namespaces`.
    pub collection: &'static str,
    /// The request path of the listing being read when the change was made.
    pub path: String,
    /// The page requested.
    pub page: u64,
    /// Created or deleted.
    pub kind: ChurnEventKind,
    /// The resource's id.
    pub id: String,
}

/// Whether a [`ChurnEvent`] created or deleted its resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChurnEventKind {
    /// Created (newest of its collection).
    Created,
    /// Deleted.
    Deleted,
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
    pub(crate) seed: u64,
    seq: AtomicU64,
    window: Mutex<(Instant, u32)>,
    /// The churn fault's counters and log.
    pub(crate) churn: Mutex<crate::churn::ChurnState>,
}

impl FaultState {
    pub(crate) fn new(faults: Faults, seed: u64) -> Self {
        Self {
            faults: Mutex::new(faults),
            seed,
            seq: AtomicU64::new(0),
            window: Mutex::new((Instant::now(), 0)),
            churn: Mutex::new(crate::churn::ChurnState::default()),
        }
    }

    /// The page-size cap in force.
    pub(crate) fn page_size_cap(&self) -> Option<u32> {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .page_size_cap
    }

    /// The churn fault in force.
    pub(crate) fn churn(&self) -> Option<Churn> {
        self.faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .churn
            .clone()
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
