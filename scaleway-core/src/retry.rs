//! Retries: exponential backoff with full jitter, a total time budget, and
//! idempotency-aware rules.
//!
//! What is retried:
//!
//! | outcome | GET, HEAD, PUT, DELETE | POST, PATCH |
//! |---|---|---|
//! | 429 | yes | yes (the request was not processed) |
//! | 502, 503, 504 | yes | no (it may have been processed) |
//! | connection failure (nothing sent) | yes | yes |
//! | timeout, other transport failure | yes | no |
//! | anything else | no | no |
//!
//! The delay before attempt *n + 1* is `Retry-After` when the server sent one, else a
//! random duration in `[0, min(max_backoff, initial_backoff × 2ⁿ⁻¹)]` ("full jitter").
//! Retrying stops after `max_attempts` attempts or when the next attempt would start
//! after the total `budget`.
//!
//! The decision is a pure function, [`RetryPolicy::classify`], tested on its own.
//!
//! Calls that cannot go through [`Client`]'s HTTP path (a third-party client, a streamed
//! download) retry with a [`Retrier`] ([`Client::retrier`]): the same policy, the same
//! classification, the same backoff and the client's clock.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use crate::{Client, Method};

/// How failed requests are retried. On by default; [`RetryPolicy::never`] switches it off.
///
/// ```
/// use std::time::Duration;
/// use scaleway_core::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .with_max_attempts(20)
///     .with_budget(Duration::from_secs(300));
/// assert_eq!(patient.max_attempts(), 20);
/// assert_eq!(RetryPolicy::never().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    budget: Duration,
}

impl Default for RetryPolicy {
    /// 8 attempts, backoff from 250 ms doubling up to 8 s with full jitter, 60 s budget.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 8,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            budget: Duration::from_secs(60),
        }
    }
}

/// What happened to one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// The server answered with this status (and maybe a `Retry-After`).
    Status {
        /// HTTP status.
        status: u16,
        /// Parsed `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// The connection could not be established: the request was not sent.
    ConnectFailed,
    /// The attempt timed out.
    Timeout,
    /// Another transport failure (reset, broken body) after the request may have been sent.
    TransportFailed,
}

/// The retry decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Try again after this delay.
    RetryAfter(Duration),
    /// Stop and report the error.
    GiveUp(GiveUpReason),
}

/// Why retrying stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum GiveUpReason {
    /// The outcome is not retryable for this method.
    NotRetryable,
    /// `max_attempts` reached.
    AttemptsExhausted,
    /// The next attempt would start after the budget.
    BudgetExhausted,
}

impl RetryPolicy {
    /// No retries: one attempt.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the maximum number of attempts, first included (at least 1).
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets the first backoff (doubled at each retry).
    pub fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Sets the backoff cap.
    pub fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Sets the total time budget, measured from the start of the first attempt.
    pub fn with_budget(mut self, d: Duration) -> Self {
        self.budget = d;
        self
    }

    /// Maximum number of attempts.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Total time budget.
    pub fn budget(&self) -> Duration {
        self.budget
    }

    /// Whether `outcome` may be retried for `method` (ignoring attempts and budget).
    pub fn is_retryable(method: Method, outcome: Outcome) -> bool {
        let idempotent = method.is_idempotent();
        match outcome {
            Outcome::Status { status: 429, .. } | Outcome::ConnectFailed => true,
            Outcome::Status {
                status: 502..=504, ..
            }
            | Outcome::Timeout
            | Outcome::TransportFailed => idempotent,
            Outcome::Status { .. } => false,
        }
    }

    /// Decides what to do after attempt number `attempt` (1-based) failed with `outcome`,
    /// `elapsed` after the first attempt started. `jitter` is a uniform random number in
    /// `[0, 1)`.
    pub fn classify(
        &self,
        method: Method,
        outcome: Outcome,
        attempt: u32,
        elapsed: Duration,
        jitter: f64,
    ) -> Decision {
        if !Self::is_retryable(method, outcome) {
            return Decision::GiveUp(GiveUpReason::NotRetryable);
        }
        if attempt >= self.max_attempts {
            return Decision::GiveUp(GiveUpReason::AttemptsExhausted);
        }
        let delay = match outcome {
            Outcome::Status {
                retry_after: Some(d),
                ..
            } => d,
            _ => self.backoff(attempt, jitter),
        };
        if elapsed.saturating_add(delay) >= self.budget {
            return Decision::GiveUp(GiveUpReason::BudgetExhausted);
        }
        Decision::RetryAfter(delay)
    }

    /// The backoff to sleep after attempt `attempt` (1-based) failed: random in
    /// `[0, min(max_backoff, initial_backoff × 2^(attempt-1))]`. For retry loops that do
    /// not go through [`Client`](crate::Client) (e.g. a third-party transport), so that
    /// every retry in the family backs off the same way.
    pub fn delay(&self, attempt: u32) -> Duration {
        self.backoff(attempt, fastrand::f64())
    }

    /// Full-jitter backoff after attempt `attempt` (1-based).
    fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(31);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.max_backoff);
        ceiling.mul_f64(jitter.clamp(0.0, 1.0))
    }
}

impl Client {
    /// Retries for a call that does not go through this client's HTTP path (a third-party
    /// client, a streamed download), on the client's [`RetryPolicy`] and clock.
    ///
    /// `method` decides what may be retried (see the table in [`RetryPolicy`]); `what`
    /// names the call in the retry's log line.
    ///
    /// ```
    /// # async fn run() {
    /// use scaleway_core::{AttemptError, Client, Method, Outcome};
    ///
    /// let client = Client::builder().anonymous().build().unwrap();
    /// let answer: Result<&str, String> = client
    ///     .retrier(Method::Get, "the manifest")
    ///     .run(|attempt| async move {
    ///         if attempt < 2 {
    ///             // What a third-party client reported, mapped to what retrying needs.
    ///             let outcome = Outcome::Status { status: 503, retry_after: None };
    ///             Err(AttemptError::retryable(outcome, "HTTP 503".to_owned()))
    ///         } else {
    ///             Ok("the manifest")
    ///         }
    ///     })
    ///     .await;
    /// assert_eq!(answer.unwrap(), "the manifest");
    /// # }
    /// ```
    pub fn retrier(&self, method: Method, what: &'static str) -> Retrier {
        Retrier {
            policy: self.retry_policy().clone(),
            method,
            what,
            clock: self.clock().clone(),
        }
    }
}

/// Retries of a call made outside [`Client`]'s HTTP path ([`Client::retrier`]): each failed
/// attempt says what happened ([`AttemptError`]), the [`RetryPolicy`] decides with
/// [`RetryPolicy::classify`], and the backoff is slept on the client's clock (tokio's by
/// default, so a runtime whose clock is paused pauses it too; a test's `ManualClock` with the
/// `test-util` feature, whose jitter it also takes).
#[derive(Debug, Clone)]
#[must_use = "a retrier does nothing until it runs a call"]
pub struct Retrier {
    policy: RetryPolicy,
    method: Method,
    what: &'static str,
    clock: crate::clock::Clock,
}

/// How one attempt of a [`Retrier::run`] failed.
#[derive(Debug)]
#[non_exhaustive]
pub struct AttemptError<E> {
    /// The error the call returns if this attempt is the last.
    pub error: E,
    outcome: Option<Outcome>,
    progressed: bool,
}

impl<E> AttemptError<E> {
    /// A failure the policy may retry, depending on `outcome` (and the method, attempts
    /// made and time spent).
    pub fn retryable(outcome: Outcome, error: E) -> Self {
        AttemptError {
            error,
            outcome: Some(outcome),
            progressed: false,
        }
    }

    /// A failure that retrying cannot fix.
    pub fn fatal(error: E) -> Self {
        AttemptError {
            error,
            outcome: None,
            progressed: false,
        }
    }

    /// The attempt made progress that the next one keeps (a download that received bytes
    /// and resumes after them): the policy's time budget starts again after it. Attempts
    /// still count towards the maximum.
    #[must_use]
    pub fn progressed(mut self) -> Self {
        self.progressed = true;
        self
    }
}

impl Retrier {
    /// Uses `policy` instead of the client's.
    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The policy in use.
    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// Runs `attempt` (given its number, from 1; it returns the attempt's future) until it
    /// succeeds, fails with
    /// [`AttemptError::fatal`], or the policy gives up on an
    /// [`AttemptError::retryable`]; returns the last attempt's error then.
    ///
    /// # Errors
    ///
    /// The `error` of the attempt that was not retried.
    pub async fn run<T, E, F, Fut>(&self, mut attempt: F) -> Result<T, E>
    where
        F: FnMut(u32) -> Fut,
        Fut: Future<Output = Result<T, AttemptError<E>>>,
        E: fmt::Display,
    {
        let mut schedule = Schedule::new(self.now());
        loop {
            let n = schedule.attempts + 1;
            let failure = match attempt(n).await {
                Ok(value) => return Ok(value),
                Err(failure) => failure,
            };
            let decision = schedule.after(self, &failure, self.now(), self.jitter());
            match decision {
                Decision::RetryAfter(delay) => {
                    tracing::info!(
                        attempt = n,
                        max_attempts = self.policy.max_attempts(),
                        delay_ms = delay.as_millis() as u64,
                        error = %failure.error,
                        "retrying {}", self.what
                    );
                    self.sleep(delay).await;
                }
                Decision::GiveUp(_) => return Err(failure.error),
            }
        }
    }

    // The client's clock (its time, its timer and its jitter).

    fn now(&self) -> std::time::Instant {
        self.clock.now()
    }

    async fn sleep(&self, d: Duration) {
        self.clock.sleep(d).await;
    }

    fn jitter(&self) -> f64 {
        self.clock.jitter()
    }
}

/// Where a [`Retrier::run`] stands: the attempts made, and when the time budget started
/// (the first attempt, or the end of the last one that made progress). Pure: the time is
/// given.
struct Schedule {
    attempts: u32,
    started: std::time::Instant,
}

impl Schedule {
    fn new(now: std::time::Instant) -> Self {
        Schedule {
            attempts: 0,
            started: now,
        }
    }

    /// The decision after an attempt failed with `failure` at `now`.
    fn after<E>(
        &mut self,
        retrier: &Retrier,
        failure: &AttemptError<E>,
        now: std::time::Instant,
        jitter: f64,
    ) -> Decision {
        self.attempts += 1;
        let Some(outcome) = failure.outcome else {
            return Decision::GiveUp(GiveUpReason::NotRetryable);
        };
        if failure.progressed {
            self.started = now;
        }
        let elapsed = now.saturating_duration_since(self.started);
        retrier
            .policy
            .classify(retrier.method, outcome, self.attempts, elapsed, jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: Duration = Duration::from_secs(1);

    fn st(status: u16) -> Outcome {
        Outcome::Status {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn retry_table() {
        use Method::*;
        let cases = [
            (Get, st(429), true),
            (Post, st(429), true),
            (Get, st(503), true),
            (Post, st(503), false),
            (Patch, st(502), false),
            (Delete, st(504), true),
            (Put, st(503), true),
            (Get, st(500), false),
            (Get, st(404), false),
            (Get, st(401), false),
            (Post, Outcome::ConnectFailed, true),
            (Post, Outcome::Timeout, false),
            (Get, Outcome::Timeout, true),
            (Post, Outcome::TransportFailed, false),
            (Head, Outcome::TransportFailed, true),
        ];
        for (m, o, want) in cases {
            assert_eq!(RetryPolicy::is_retryable(m, o), want, "{m:?} {o:?}");
        }
    }

    #[test]
    fn attempts_and_budget() {
        let p = RetryPolicy::default()
            .with_max_attempts(3)
            .with_budget(10 * S);
        assert!(matches!(
            p.classify(Method::Get, st(503), 1, Duration::ZERO, 0.5),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            p.classify(Method::Get, st(503), 3, Duration::ZERO, 0.5),
            Decision::GiveUp(GiveUpReason::AttemptsExhausted)
        );
        assert_eq!(
            p.classify(Method::Get, st(503), 1, 10 * S, 0.0),
            Decision::GiveUp(GiveUpReason::BudgetExhausted)
        );
        assert_eq!(
            p.classify(Method::Post, st(503), 1, Duration::ZERO, 0.5),
            Decision::GiveUp(GiveUpReason::NotRetryable)
        );
        assert_eq!(
            RetryPolicy::never().classify(Method::Get, st(429), 1, Duration::ZERO, 0.5),
            Decision::GiveUp(GiveUpReason::AttemptsExhausted)
        );
    }

    #[test]
    fn full_jitter_exponential_capped() {
        let p = RetryPolicy::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(1000))
            .with_max_attempts(100)
            .with_budget(1000 * S);
        let d = |attempt, j| match p.classify(Method::Get, st(429), attempt, Duration::ZERO, j) {
            Decision::RetryAfter(d) => d,
            other => panic!("{other:?}"),
        };
        assert_eq!(d(1, 1.0), Duration::from_millis(100));
        assert_eq!(d(2, 1.0), Duration::from_millis(200));
        assert_eq!(d(3, 0.5), Duration::from_millis(200));
        assert_eq!(d(5, 1.0), Duration::from_millis(1000));
        assert_eq!(d(60, 1.0), Duration::from_millis(1000));
        assert_eq!(d(4, 0.0), Duration::ZERO);
        for attempt in 1..10 {
            assert!(p.delay(attempt) <= Duration::from_millis(1000));
        }
    }

    /// A retrier that never waits: what it retries, not when.
    fn retrier(method: Method, policy: RetryPolicy) -> Retrier {
        let client = Client::builder().anonymous().build().unwrap();
        client
            .retrier(method, "the test call")
            .with_policy(policy.with_initial_backoff(Duration::ZERO))
    }

    fn unavailable(n: u32) -> AttemptError<String> {
        AttemptError::retryable(st(503), format!("HTTP 503 (attempt {n})"))
    }

    #[test]
    fn the_budget_starts_again_after_an_attempt_that_progressed() {
        let r = retrier(Method::Get, RetryPolicy::default().with_budget(10 * S));
        let t0 = std::time::Instant::now();
        let broke = |progressed| {
            let f = AttemptError::retryable(Outcome::TransportFailed, "the body broke off");
            if progressed { f.progressed() } else { f }
        };
        // A transfer that ran 20 s then broke: past the budget...
        let mut schedule = Schedule::new(t0);
        assert_eq!(
            schedule.after(&r, &broke(false), t0 + 20 * S, 1.0),
            Decision::GiveUp(GiveUpReason::BudgetExhausted)
        );
        // ... unless it received bytes the next attempt keeps: the budget starts again.
        let mut schedule = Schedule::new(t0);
        assert!(matches!(
            schedule.after(&r, &broke(true), t0 + 20 * S, 1.0),
            Decision::RetryAfter(_)
        ));
        // Then quick failures without progress spend the new budget.
        assert!(matches!(
            schedule.after(&r, &broke(false), t0 + 25 * S, 1.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            schedule.after(&r, &broke(false), t0 + 31 * S, 1.0),
            Decision::GiveUp(GiveUpReason::BudgetExhausted)
        );
        // Attempts count across progress.
        let r = retrier(Method::Get, RetryPolicy::default().with_max_attempts(2));
        let mut schedule = Schedule::new(t0);
        assert!(matches!(
            schedule.after(&r, &broke(true), t0 + S, 1.0),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            schedule.after(&r, &broke(true), t0 + 2 * S, 1.0),
            Decision::GiveUp(GiveUpReason::AttemptsExhausted)
        );
        // A fatal failure is never retried.
        let mut schedule = Schedule::new(t0);
        assert_eq!(
            schedule.after(&r, &AttemptError::fatal("corrupt"), t0, 1.0),
            Decision::GiveUp(GiveUpReason::NotRetryable)
        );
    }

    #[tokio::test]
    async fn a_retrier_runs_until_success_on_the_policy() {
        let r = retrier(Method::Get, RetryPolicy::default());
        let seen = std::cell::RefCell::new(Vec::new());
        let out: Result<u32, String> = r
            .run(|n| {
                seen.borrow_mut().push(n);
                async move { if n < 3 { Err(unavailable(n)) } else { Ok(n) } }
            })
            .await;
        assert_eq!(out, Ok(3));
        assert_eq!(seen.into_inner(), [1, 2, 3]);
    }

    #[tokio::test]
    async fn a_retrier_stops_where_the_policy_says() {
        // The maximum number of attempts: the last error is returned.
        let r = retrier(Method::Get, RetryPolicy::default().with_max_attempts(4));
        let mut calls = 0;
        let out: Result<(), String> = r
            .run(|n| {
                calls += 1;
                async move { Err(unavailable(n)) }
            })
            .await;
        assert_eq!(out, Err("HTTP 503 (attempt 4)".to_owned()));
        assert_eq!(calls, 4);

        // Not retryable for the method, or not at all: one attempt.
        for (method, outcome) in [(Method::Post, st(503)), (Method::Get, st(500))] {
            let mut calls = 0;
            let out: Result<(), &str> = retrier(method, RetryPolicy::default())
                .run(|_| {
                    calls += 1;
                    async move { Err(AttemptError::retryable(outcome, "refused")) }
                })
                .await;
            assert_eq!(out, Err("refused"));
            assert_eq!(calls, 1, "{method:?} {outcome:?}");
        }
        let mut calls = 0;
        let out: Result<(), &str> = retrier(Method::Get, RetryPolicy::default())
            .run(|_| {
                calls += 1;
                async { Err(AttemptError::fatal("corrupt")) }
            })
            .await;
        assert_eq!((out, calls), (Err("corrupt"), 1));

        // A Retry-After past the budget: no wait, no second attempt.
        let mut calls = 0;
        let out: Result<(), &str> = retrier(Method::Get, RetryPolicy::default())
            .run(|_| {
                calls += 1;
                let outcome = Outcome::Status {
                    status: 429,
                    retry_after: Some(Duration::from_secs(3600)),
                };
                async move { Err(AttemptError::retryable(outcome, "rate limited")) }
            })
            .await;
        assert_eq!((out, calls), (Err("rate limited"), 1));
    }

    #[test]
    fn retry_after_honoured() {
        let p = RetryPolicy::default();
        let o = Outcome::Status {
            status: 429,
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(
            p.classify(Method::Get, o, 1, Duration::ZERO, 0.1),
            Decision::RetryAfter(Duration::from_secs(3))
        );
        // ... but never beyond the budget.
        assert_eq!(
            p.classify(Method::Get, o, 1, Duration::from_secs(58), 0.1),
            Decision::GiveUp(GiveUpReason::BudgetExhausted)
        );
    }
}
