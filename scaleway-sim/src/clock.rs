//! The simulator's clock: everything that depends on time (the IAM propagation delay, the
//! rate limit's one-second window, registry token expiry, injected latency) reads it.
//!
//! By default it is tokio's clock and timer, i.e. real time (or a paused runtime's time).
//! A test that wants to decide when time passes gives the simulator a [`SimClock`]: then
//! time moves only when the test calls [`SimClock::advance`], or by the length of each
//! injected latency, which returns at once instead of waiting. Real network round trips
//! take no time on it, so what a test observes does not depend on how loaded the machine
//! is. (Calendar timestamps in API objects, such as `created_at`, stay wall-clock time.)

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A clock the test moves, for [`SimBuilder::clock`](crate::SimBuilder::clock). Clones share
/// the same time.
///
/// ```no_run
/// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use scaleway_sim::{Scenario, Sim, SimClock};
///
/// let clock = SimClock::new();
/// let sim = Sim::builder(Scenario::demo())
///     .iam_propagation_delay(Duration::from_secs(3))
///     .clock(clock.clone())
///     .start()
///     .await?;
/// // … change a policy: the API shows it, enforcement does not yet …
/// clock.advance(Duration::from_secs(3));
/// // … now it is enforced.
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SimClock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base: Instant,
    offset: Mutex<Duration>,
}

impl Default for SimClock {
    fn default() -> Self {
        Self::new()
    }
}

impl SimClock {
    /// A clock that stands still until advanced.
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                base: Instant::now(),
                offset: Mutex::new(Duration::ZERO),
            }),
        }
    }

    /// Moves the clock forward by `d`.
    pub fn advance(&self, d: Duration) {
        let mut t = self
            .inner
            .offset
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *t = t.saturating_add(d);
    }

    /// Time on this clock since it was created.
    pub fn elapsed(&self) -> Duration {
        *self
            .inner
            .offset
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// The clock the simulator runs on.
#[derive(Debug, Clone, Default)]
pub(crate) enum Clock {
    /// tokio's clock and timer.
    #[default]
    System,
    /// The test's clock.
    Manual(SimClock),
}

/// A pending wait, for state machines that poll it (a connection's first read).
pub(crate) type Wait = Pin<Box<dyn Future<Output = ()> + Send>>;

impl Clock {
    /// The current instant.
    pub(crate) fn now(&self) -> Instant {
        match self {
            Clock::System => tokio::time::Instant::now().into_std(),
            Clock::Manual(m) => m.inner.base + m.elapsed(),
        }
    }

    /// Waits `d` (on a [`SimClock`]: moves it by `d` and returns).
    pub(crate) fn wait(&self, d: Duration) -> Wait {
        match self {
            Clock::System => Box::pin(tokio::time::sleep(d)),
            Clock::Manual(m) => {
                let m = m.clone();
                Box::pin(async move {
                    m.advance(d);
                    tokio::task::yield_now().await;
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_sim_clock_moves_only_when_told_or_waited_on() {
        let m = SimClock::new();
        let clock = Clock::Manual(m.clone());
        let t0 = clock.now();
        assert_eq!(clock.now(), t0);
        m.advance(Duration::from_secs(2));
        clock.wait(Duration::from_millis(80)).await;
        assert_eq!(clock.now() - t0, Duration::from_millis(2080));
        assert_eq!(m.elapsed(), Duration::from_millis(2080));
    }
}
