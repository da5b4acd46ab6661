//! Faults scoped to one API key ([`KeyFault`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::HeaderMap;

use crate::faults::{FaultState, Verdict};
use crate::state::SimState;

/// A fault on the requests of one API key only: one customer's key rate-limited, slow or
/// failing while every other key is served normally.
///
/// The key is the one the request authenticates with: the JSON API's `X-Auth-Token` (the
/// secret key, looked up among the live keys) and the S3 endpoint's SigV4 credential (the
/// access key before `@`). The registry's distribution endpoint is not covered. A request
/// whose key is unknown, deleted or expired matches no key fault (it is refused with 401 as
/// usual). Key faults apply after the global ones ([`crate::Faults`]): a request the global
/// faults already refused is not counted against its key's rate limit.
///
/// Whether the real API limits requests per key is not documented (`core.md` §7: no official
/// figure; 429 bodies are empty, without `Retry-After`): the per-key rate limit models a key
/// whose own quota is exhausted, answered like the shared limit (the recorded empty 429 with
/// `x-envoy-ratelimited: true`).
///
/// ```
/// use std::time::Duration;
/// use scaleway_sim::{Faults, KeyFault};
///
/// let faults = Faults {
///     key_faults: vec![
///         KeyFault::rate_limited("SCWAAAAAAAAAAAAAAAAA"), // every request: 429
///         KeyFault::new("SCWBBBBBBBBBBBBBBBBB").with_rate_limit(5), // 5 requests/s, then 429
///         KeyFault::new("SCWCCCCCCCCCCCCCCCCC").with_latency(Duration::from_secs(3600)),
///     ],
///     ..Faults::default()
/// };
/// # let _ = faults;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyFault {
    /// The access key (`SCW…`) whose requests are affected.
    pub access_key: String,
    /// Every request of the key is answered this status with an empty body (429 in the shape
    /// of the real rate limit, with `x-envoy-ratelimited: true`).
    pub status: Option<u16>,
    /// The key's own limit, in requests per second (a fixed one-second window); requests
    /// beyond it are answered 429 like [`crate::Faults::rate_limit`].
    pub rate_limit: Option<u32>,
    /// Added to every request of the key before it is answered.
    pub latency: Duration,
}

impl KeyFault {
    /// A fault on `access_key` that does nothing yet (add effects with the `with_` methods).
    pub fn new(access_key: &str) -> Self {
        Self {
            access_key: access_key.to_owned(),
            status: None,
            rate_limit: None,
            latency: Duration::ZERO,
        }
    }

    /// Every request of `access_key` is answered 429 (until the fault is removed).
    pub fn rate_limited(access_key: &str) -> Self {
        Self::new(access_key).with_status(429)
    }

    /// Every request of the key is answered `status`.
    #[must_use]
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// At most `per_second` requests per second for this key; 429 beyond.
    #[must_use]
    pub fn with_rate_limit(mut self, per_second: u32) -> Self {
        self.rate_limit = Some(per_second);
        self
    }

    /// `latency` added to every request of the key.
    #[must_use]
    pub fn with_latency(mut self, latency: Duration) -> Self {
        self.latency = latency;
        self
    }
}

/// Per-key rate-limit windows: access key → (window start, requests in it).
#[derive(Debug, Default)]
pub(crate) struct KeyWindows(Mutex<HashMap<String, (Instant, u32)>>);

impl FaultState {
    /// Whether any key fault is set (so that requests need not resolve their key otherwise).
    pub(crate) fn has_key_faults(&self) -> bool {
        !self
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .key_faults
            .is_empty()
    }

    /// The global decision `(verdict, latency)`, then, if it lets the request through, the
    /// decision of the key fault of the request's access key (`access_key` is only called
    /// when some key fault is set).
    pub(crate) fn decide_with_key(
        &self,
        global: (Verdict, Duration),
        access_key: impl FnOnce() -> Option<String>,
    ) -> (Verdict, Duration) {
        let (verdict, latency) = global;
        if verdict != Verdict::Pass || !self.has_key_faults() {
            return global;
        }
        let Some(access_key) = access_key() else {
            return global;
        };
        let fault = self
            .faults
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .key_faults
            .iter()
            .find(|f| f.access_key == access_key)
            .cloned();
        let Some(fault) = fault else {
            return global;
        };
        let latency = latency.saturating_add(fault.latency);
        match fault.status {
            Some(429) => return (Verdict::RateLimited, latency),
            Some(s) => return (Verdict::Status(s), latency),
            None => {}
        }
        if let Some(limit) = fault.rate_limit {
            let mut windows = self
                .key_windows
                .0
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = self.clock.now();
            let w = windows.entry(access_key).or_insert((now, 0));
            if now.duration_since(w.0) >= Duration::from_secs(1) {
                *w = (now, 0);
            }
            if w.1 >= limit {
                return (Verdict::RateLimited, latency);
            }
            w.1 += 1;
        }
        (Verdict::Pass, latency)
    }
}

/// The access key of a JSON API request: its `X-Auth-Token` looked up among the live keys.
pub(crate) fn json_api_key(state: &SimState, headers: &HeaderMap) -> Option<String> {
    let token = headers.get("x-auth-token")?.to_str().ok()?;
    let st = crate::authn::fresh(state);
    crate::authn::by_secret(&st, token)
        .ok()
        .map(|k| k.key.access_key.clone())
}

/// The access key of an S3 request: the SigV4 `Credential=` of its `Authorization` header
/// (`SCW…@PROJECT_ID/date/region/s3/aws4_request` or `SCW…/date/…`).
pub(crate) fn s3_key(headers: &HeaderMap) -> Option<String> {
    let auth = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let credential = auth.split("Credential=").nth(1)?;
    let end = credential.find(['@', '/', ',']).unwrap_or(credential.len());
    Some(credential[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::faults::Faults;

    #[test]
    fn the_s3_credential_names_the_access_key() {
        let mut h = HeaderMap::new();
        h.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=SCWAAAAAAAAAAAAAAAAA@1111/20260302/fr-par/s3/aws4_request, SignedHeaders=host, Signature=00",
            ),
        );
        assert_eq!(s3_key(&h).as_deref(), Some("SCWAAAAAAAAAAAAAAAAA"));
        h.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=SCWBBBBBBBBBBBBBBBBB/20260302/fr-par/s3/aws4_request",
            ),
        );
        assert_eq!(s3_key(&h).as_deref(), Some("SCWBBBBBBBBBBBBBBBBB"));
        assert_eq!(s3_key(&HeaderMap::new()), None);
    }

    #[test]
    fn a_key_fault_touches_its_key_only_and_after_the_global_faults() {
        let state = FaultState::new(
            Faults {
                key_faults: vec![
                    KeyFault::rate_limited("SCWA"),
                    KeyFault::new("SCWB").with_rate_limit(0),
                    KeyFault::new("SCWC").with_status(503),
                ],
                ..Faults::default()
            },
            1,
            crate::clock::Clock::default(),
        );
        let pass = (Verdict::Pass, Duration::ZERO);
        let key = |k: &'static str| move || Some(k.to_owned());
        assert_eq!(
            state.decide_with_key(pass, key("SCWA")).0,
            Verdict::RateLimited
        );
        assert_eq!(
            state.decide_with_key(pass, key("SCWC")).0,
            Verdict::Status(503)
        );
        assert_eq!(state.decide_with_key(pass, key("SCWZ")).0, Verdict::Pass);
        assert_eq!(state.decide_with_key(pass, || None).0, Verdict::Pass);
        // A limit of 0 per second refuses every request, whenever it comes.
        assert_eq!(
            state.decide_with_key(pass, key("SCWB")).0,
            Verdict::RateLimited
        );
        // A request the global faults refused is left as it is.
        let refused = (Verdict::Status(502), Duration::ZERO);
        assert_eq!(
            state.decide_with_key(refused, key("SCWA")).0,
            Verdict::Status(502)
        );
    }
}
