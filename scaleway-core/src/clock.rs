//! Where the HTTP path reads the time, sleeps, times attempts out and draws backoff jitter.
//!
//! By default: tokio's clock and timer (so a runtime with a paused clock pauses retries
//! too) and a random jitter. With the `test-util` feature a client can be given a
//! [`ManualClock`] instead: time then passes only when the retry loop sleeps (the sleep
//! returns at once and moves the clock forward by its length) or when the test calls
//! [`ManualClock::advance`]; an attempt's timeout fires only when the clock passes it; and
//! the jitter is a fixed number. Network round trips take no time on that clock, so a test
//! against a server in another thread (wiremock) decides exactly how much time goes by,
//! which tokio's paused clock cannot do: it jumps to the next timer whenever the runtime
//! waits for the network.

use std::future::Future;
use std::time::{Duration, Instant};

/// The clock of one client.
#[derive(Debug, Clone, Default)]
pub(crate) enum Clock {
    /// tokio's clock and timer, random jitter.
    #[default]
    Tokio,
    /// A clock the test controls.
    #[cfg(feature = "test-util")]
    Manual(ManualClock),
}

/// An attempt ran past its timeout.
#[derive(Debug)]
pub(crate) struct Elapsed;

impl Clock {
    /// The current instant.
    pub(crate) fn now(&self) -> Instant {
        match self {
            Clock::Tokio => tokio::time::Instant::now().into_std(),
            #[cfg(feature = "test-util")]
            Clock::Manual(m) => m.now(),
        }
    }

    /// Time since `earlier` on this clock.
    pub(crate) fn since(&self, earlier: Instant) -> Duration {
        self.now().saturating_duration_since(earlier)
    }

    /// Waits `d`.
    pub(crate) async fn sleep(&self, d: Duration) {
        match self {
            Clock::Tokio => tokio::time::sleep(d).await,
            #[cfg(feature = "test-util")]
            Clock::Manual(m) => m.sleep(d).await,
        }
    }

    /// Runs `f`, giving up when `d` has passed.
    pub(crate) async fn timeout<F: Future>(&self, d: Duration, f: F) -> Result<F::Output, Elapsed> {
        match self {
            Clock::Tokio => tokio::time::timeout(d, f).await.map_err(|_| Elapsed),
            #[cfg(feature = "test-util")]
            Clock::Manual(m) => {
                let deadline = m.offset().saturating_add(d);
                tokio::select! {
                    biased;
                    out = f => Ok(out),
                    () = m.reach(deadline) => Err(Elapsed),
                }
            }
        }
    }

    /// A uniform number in `[0, 1)` for the backoff's full jitter.
    pub(crate) fn jitter(&self) -> f64 {
        match self {
            Clock::Tokio => fastrand::f64(),
            #[cfg(feature = "test-util")]
            Clock::Manual(m) => m.jitter(),
        }
    }
}

#[cfg(feature = "test-util")]
pub use manual::ManualClock;

#[cfg(feature = "test-util")]
mod manual {
    use std::sync::{Arc, Mutex, PoisonError};
    use std::time::{Duration, Instant};

    /// A clock a test controls, for [`ClientBuilder::clock`](crate::ClientBuilder::clock)
    /// (feature `test-util`).
    ///
    /// * A retry's backoff returns at once and moves the clock forward by its length, and
    ///   is recorded ([`ManualClock::sleeps`]): the retry budget is spent exactly as in
    ///   production, without waiting.
    /// * An attempt's timeout fires only when the clock passes it, through another call's
    ///   backoff or [`ManualClock::advance`]; the network itself takes no time.
    /// * The backoff's jitter is a fixed number (1.0 by default: the longest backoff).
    ///
    /// Clones share the same time.
    ///
    /// ```
    /// use std::time::Duration;
    /// use scaleway_core::testing::ManualClock;
    ///
    /// let clock = ManualClock::new().with_jitter(0.5);
    /// clock.advance(Duration::from_secs(3));
    /// assert_eq!(clock.elapsed(), Duration::from_secs(3));
    /// assert!(clock.sleeps().is_empty());
    /// ```
    #[derive(Debug, Clone)]
    pub struct ManualClock {
        inner: Arc<Inner>,
    }

    #[derive(Debug)]
    struct Inner {
        base: Instant,
        offset: tokio::sync::watch::Sender<Duration>,
        jitter: Mutex<f64>,
        sleeps: Mutex<Vec<Duration>>,
    }

    impl Default for ManualClock {
        fn default() -> Self {
            Self::new()
        }
    }

    impl ManualClock {
        /// A clock at zero, with a jitter of 1.0.
        pub fn new() -> Self {
            let (offset, _) = tokio::sync::watch::channel(Duration::ZERO);
            ManualClock {
                inner: Arc::new(Inner {
                    base: Instant::now(),
                    offset,
                    jitter: Mutex::new(1.0),
                    sleeps: Mutex::new(Vec::new()),
                }),
            }
        }

        /// Sets the jitter drawn for every backoff (clamped to `[0, 1]`): the backoff
        /// after attempt *n* is `jitter × min(max_backoff, initial_backoff × 2ⁿ⁻¹)`.
        #[must_use]
        pub fn with_jitter(self, jitter: f64) -> Self {
            *self
                .inner
                .jitter
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = jitter.clamp(0.0, 1.0);
            self
        }

        /// Moves the clock forward by `d`, firing the timeouts it passes.
        pub fn advance(&self, d: Duration) {
            self.inner.offset.send_modify(|t| *t = t.saturating_add(d));
        }

        /// Time on this clock since it was created.
        pub fn elapsed(&self) -> Duration {
            self.offset()
        }

        /// Every backoff slept through this clock, in order.
        pub fn sleeps(&self) -> Vec<Duration> {
            self.inner
                .sleeps
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        }

        pub(crate) fn offset(&self) -> Duration {
            *self.inner.offset.borrow()
        }

        pub(crate) fn now(&self) -> Instant {
            self.inner.base + self.offset()
        }

        pub(crate) fn jitter(&self) -> f64 {
            *self
                .inner
                .jitter
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        }

        pub(crate) async fn sleep(&self, d: Duration) {
            self.inner
                .sleeps
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(d);
            self.advance(d);
            // Still a point where the call can be cancelled, as a real sleep is.
            tokio::task::yield_now().await;
        }

        /// Resolves once the clock reads `deadline` or later.
        pub(crate) async fn reach(&self, deadline: Duration) {
            let mut rx = self.inner.offset.subscribe();
            // The sender lives as long as `self`, so this only ends when the time comes.
            let _ = rx.wait_for(|t| *t >= deadline).await;
        }
    }
}

#[cfg(all(test, feature = "test-util"))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_sleeps_advance_and_timeouts_wait_for_the_clock() {
        let m = ManualClock::new().with_jitter(2.0);
        let clock = Clock::Manual(m.clone());
        assert!((clock.jitter() - 1.0).abs() < f64::EPSILON, "clamped");
        let start = clock.now();
        clock.sleep(Duration::from_millis(250)).await;
        assert_eq!(clock.since(start), Duration::from_millis(250));
        assert_eq!(m.sleeps(), vec![Duration::from_millis(250)]);

        // A future that finishes wins, however short the timeout.
        assert!(clock.timeout(Duration::ZERO, async { 7 }).await.is_ok());
        // One that never finishes times out only when the clock passes the deadline.
        let mut t =
            std::pin::pin!(clock.timeout(Duration::from_secs(1), std::future::pending::<()>()));
        assert!(futures::poll!(t.as_mut()).is_pending());
        m.advance(Duration::from_millis(999));
        assert!(futures::poll!(t.as_mut()).is_pending());
        m.advance(Duration::from_millis(1));
        assert!(matches!(
            futures::poll!(t.as_mut()),
            std::task::Poll::Ready(Err(Elapsed))
        ));
        assert_eq!(m.elapsed(), Duration::from_millis(1250));
    }
}
