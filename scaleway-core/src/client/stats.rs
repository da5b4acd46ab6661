//! The client's counters ([`ClientStats`]): attempts, retries and time spent backing off.

use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use crate::clock::Clock;

#[derive(Default)]
pub(super) struct Counters {
    pub(super) attempts: AtomicU64,
    pub(super) retries: AtomicU64,
    pub(super) retry_wait_micros: AtomicU64,
    pub(super) rate_limited: AtomicU64,
    /// Calls sleeping before a retry right now, and since when one was (on the client's
    /// clock).
    pub(super) backoff: std::sync::Mutex<Backoff>,
}

#[derive(Default)]
pub(super) struct Backoff {
    pub(super) sleeping: u32,
    pub(super) since: Option<Instant>,
    pub(super) total: Duration,
}

impl Counters {
    pub(super) fn backoff_started(&self, now: Instant) {
        if let Ok(mut b) = self.backoff.lock() {
            if b.sleeping == 0 {
                b.since = Some(now);
            }
            b.sleeping += 1;
        }
    }

    pub(super) fn backoff_ended(&self, now: Instant) {
        if let Ok(mut b) = self.backoff.lock() {
            b.sleeping = b.sleeping.saturating_sub(1);
            if b.sleeping == 0
                && let Some(t) = b.since.take()
            {
                b.total += now.saturating_duration_since(t);
            }
        }
    }

    pub(super) fn backoff_wall(&self, now: Instant) -> Duration {
        self.backoff.lock().map_or(Duration::ZERO, |b| {
            b.total
                + b.since
                    .map_or(Duration::ZERO, |t| now.saturating_duration_since(t))
        })
    }
}

/// Ends a backoff interval even if the sleeping call is dropped (cancelled).
pub(super) struct BackoffGuard<'a>(pub(super) &'a Counters, pub(super) &'a Clock);

impl Drop for BackoffGuard<'_> {
    fn drop(&mut self) {
        self.0.backoff_ended(self.1.now());
    }
}

/// Counters of the calls made through a client and its clones, since it was built.
///
/// Take one before and one after a piece of work and subtract ([`ClientStats::since`]) to
/// see how many requests it sent and how long it waited because of retries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct ClientStats {
    /// HTTP attempts sent (retries included): counted when an attempt holds its permits and
    /// goes on the wire, not while it waits for them.
    pub attempts: u64,
    /// Attempts that were retries.
    pub retries: u64,
    /// Time spent sleeping before retries, summed over concurrent calls.
    pub retry_wait: Duration,
    /// Time during which at least one call was sleeping before a retry: how long work was
    /// held up by retries, whatever the concurrency.
    pub retry_wall: Duration,
    /// 429 answers received.
    pub rate_limited: u64,
}

impl ClientStats {
    /// The counts between `earlier` and `self`.
    pub fn since(&self, earlier: &ClientStats) -> ClientStats {
        ClientStats {
            attempts: self.attempts.saturating_sub(earlier.attempts),
            retries: self.retries.saturating_sub(earlier.retries),
            retry_wait: self.retry_wait.saturating_sub(earlier.retry_wait),
            retry_wall: self.retry_wall.saturating_sub(earlier.retry_wall),
            rate_limited: self.rate_limited.saturating_sub(earlier.rate_limited),
        }
    }
}
