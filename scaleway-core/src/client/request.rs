//! Requests: the method, the builder every call goes through, signing, and the retry loop
//! (attempts on the client's clock, one `tracing` span per call).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::credentials::SecretKey;
use crate::error::{Error, ErrorKind, RequestInfo, decode_api_error};
use crate::locality::{Locality, Region, Zone};
use crate::retry::{Decision, Outcome, RetryPolicy};

use super::Client;
use super::response::Response;
use super::stats::BackoffGuard;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// GET
    Get,
    /// HEAD
    Head,
    /// POST
    Post,
    /// PUT
    Put,
    /// PATCH
    Patch,
    /// DELETE
    Delete,
}

impl Method {
    /// The method's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    /// Whether repeating the request has the same effect as sending it once.
    pub fn is_idempotent(self) -> bool {
        matches!(
            self,
            Method::Get | Method::Head | Method::Put | Method::Delete
        )
    }

    pub(super) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Head => reqwest::Method::HEAD,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A request about to be sent, handed to a [`RequestSigner`] on every attempt.
///
/// `Debug` shows header names only (values may be signatures or tokens).
#[non_exhaustive]
pub struct SignableRequest<'a> {
    /// Method.
    pub method: Method,
    /// Full URL, query included.
    pub url: &'a Url,
    /// Headers already set (lower-case names). The signer appends its own.
    pub headers: &'a mut Vec<(String, String)>,
    /// Body bytes (empty when none).
    pub body: &'a [u8],
}

impl fmt::Debug for SignableRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignableRequest")
            .field("method", &self.method)
            .field("url", &self.url.as_str())
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Signs requests that do not use `X-Auth-Token` (S3 SigV4, registry tokens). Called on
/// every attempt, so signatures carry a fresh timestamp. Signing is synchronous: a signer
/// that needs a token fetched over the network must fetch it before the call.
pub trait RequestSigner: Send + Sync + fmt::Debug {
    /// Adds authentication headers to `request`.
    ///
    /// # Errors
    ///
    /// An error stops the call; it is returned to the caller as is.
    fn sign(&self, request: SignableRequest<'_>) -> Result<(), Error>;
}

#[derive(Debug, Clone)]
pub(super) enum Target {
    Api,
    Absolute(Url),
}

/// One API call being prepared. Ends with [`send`](RequestBuilder::send),
/// [`send_raw`](RequestBuilder::send_raw), [`send_empty`](RequestBuilder::send_empty) or a
/// paginated listing ([`paginate`](RequestBuilder::paginate)).
///
/// `Debug` shows the method, route, query and header names, not the body.
#[derive(Clone)]
#[must_use = "a request does nothing until it is sent"]
pub struct RequestBuilder {
    pub(super) client: Client,
    pub(super) method: Method,
    pub(super) route: &'static str,
    pub(super) target: Target,
    pub(super) params: Vec<(&'static str, String)>,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: Option<Vec<u8>>,
    pub(super) locality: Option<Locality>,
    pub(super) timeout: Option<Duration>,
    pub(super) retry: Option<RetryPolicy>,
    pub(super) signer: Option<Arc<dyn RequestSigner>>,
    pub(super) auth: bool,
    pub(super) basic: Option<(String, SecretKey)>,
    pub(super) any_status: bool,
    pub(super) error: Option<String>,
}

impl fmt::Debug for RequestBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestBuilder")
            .field("method", &self.method)
            .field("route", &self.route)
            .field("params", &self.params)
            .field("query", &self.query)
            .field(
                "headers",
                &self
                    .headers
                    .iter()
                    .map(|(k, _)| k.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("body_len", &self.body.as_ref().map(Vec::len))
            .field("locality", &self.locality)
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    /// Fills `{zone}` and records the call's locality.
    pub fn zone(mut self, zone: &Zone) -> Self {
        self.params.push(("zone", zone.as_str().to_owned()));
        self.locality = Some(Locality::Zone(zone.clone()));
        self
    }

    /// Fills `{region}` and records the call's locality.
    pub fn region(mut self, region: &Region) -> Self {
        self.params.push(("region", region.as_str().to_owned()));
        self.locality = Some(Locality::Region(region.clone()));
        self
    }

    /// Fills `{zone}` or `{region}` from a locality.
    pub fn locality(self, locality: &Locality) -> Self {
        match locality {
            Locality::Zone(z) => self.zone(z),
            Locality::Region(r) => self.region(r),
            Locality::Global => self,
        }
    }

    /// Fills the placeholder `{name}` with `value` (percent-encoded as one path segment).
    pub fn path(mut self, name: &'static str, value: impl fmt::Display) -> Self {
        self.params.push((name, value.to_string()));
        self
    }

    /// Adds a query parameter.
    pub fn query(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.query.push((key.to_owned(), value.to_string()));
        self
    }

    /// Adds a query parameter when `value` is `Some`.
    pub fn query_opt(self, key: &str, value: Option<impl fmt::Display>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    /// Adds a timestamp query parameter in RFC 3339 (`Display` of a chrono timestamp is
    /// not RFC 3339).
    pub fn query_time(self, key: &str, value: &crate::Timestamp) -> Self {
        self.query(
            key,
            value.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        )
    }

    /// Adds `key=v` once per value (Scaleway's array convention: `tags=a&tags=b`).
    pub fn query_each<V: fmt::Display>(
        mut self,
        key: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        for v in values {
            self.query.push((key.to_owned(), v.to_string()));
        }
        self
    }

    /// Adds one comma-joined value when `values` is not empty (Instance's array
    /// convention: `tags=a,b`).
    pub fn query_csv<V: fmt::Display>(
        self,
        key: &str,
        values: impl IntoIterator<Item = V>,
    ) -> Self {
        let joined = values
            .into_iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(",");
        if joined.is_empty() {
            self
        } else {
            self.query(key, joined)
        }
    }

    /// Adds a header. An invalid name or value makes the call fail with
    /// [`ErrorKind::InvalidRequest`] before anything is sent.
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        let valid = reqwest::header::HeaderName::from_bytes(name.as_bytes()).is_ok()
            && reqwest::header::HeaderValue::from_str(&value).is_ok();
        if valid {
            self.headers.push((name.to_ascii_lowercase(), value));
        } else {
            self.error = Some(format!("invalid header `{name}`"));
        }
        self
    }

    /// Sets a JSON body.
    pub fn json<T: Serialize + ?Sized>(mut self, body: &T) -> Self {
        match serde_json::to_vec(body) {
            Ok(b) => {
                self.body = Some(b);
                self.headers
                    .push(("content-type".into(), "application/json".into()));
            }
            Err(e) => self.error = Some(format!("cannot serialize the request body: {e}")),
        }
        self
    }

    /// Sets a raw body.
    pub fn body(mut self, body: Vec<u8>) -> Self {
        self.body = Some(body);
        self
    }

    /// Overrides the timeout of each attempt for this call.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Overrides the retry policy for this call.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends HTTP Basic authentication with `secret` as the password (a sensitive header,
    /// never logged) instead of `X-Auth-Token`: the registry's token realm takes the secret
    /// key this way. Only for a URL that may receive the secret key.
    pub fn basic_auth(mut self, user: &str, secret: &SecretKey) -> Self {
        self.basic = Some((user.to_owned(), secret.clone()));
        self.auth = false;
        self
    }

    /// Returns every HTTP answer as `Ok`, whatever its status, for the caller to read
    /// (a `401` challenge, a realm's refusal): only transport failures and timeouts are
    /// errors, and only they are retried.
    pub fn any_status(mut self) -> Self {
        self.any_status = true;
        self
    }

    /// Signs each attempt with `signer` instead of sending `X-Auth-Token`.
    pub fn signer(mut self, signer: Arc<dyn RequestSigner>) -> Self {
        self.signer = Some(signer);
        self.auth = false;
        self
    }

    /// Sends and decodes a JSON body into `T` (`()` for an empty body).
    ///
    /// # Errors
    ///
    /// Any [`ErrorKind`]: the API's error, transport failures and timeouts after retries,
    /// or a decode error naming the JSON path of the field that failed.
    pub async fn send<T: DeserializeOwned>(self) -> Result<T, Error> {
        let info = self.info();
        let r = self.send_raw().await?;
        r.json().map_err(|e| e.with_request(info))
    }

    /// Sends and ignores the body.
    ///
    /// # Errors
    ///
    /// See [`RequestBuilder::send`].
    pub async fn send_empty(self) -> Result<(), Error> {
        self.send_raw().await.map(|_| ())
    }

    /// The call's method, route and locality.
    pub(crate) fn info(&self) -> RequestInfo {
        RequestInfo {
            method: self.method.as_str().to_owned(),
            route: self.route.to_owned(),
            locality: self.locality.clone(),
        }
    }

    /// Replaces every `key` query parameter with `value`.
    pub(crate) fn set_query(mut self, key: &str, value: impl fmt::Display) -> Self {
        self.query.retain(|(k, _)| k != key);
        self.query(key, value)
    }

    pub(super) fn build_url(&self) -> Result<Url, String> {
        if let Some(e) = &self.error {
            return Err(e.clone());
        }
        let mut url = match &self.target {
            Target::Absolute(u) => u.clone(),
            Target::Api => {
                let path = fill_route(self.route, &self.params)?;
                let mut u = self.client.inner.api_url.clone();
                let base = u.path().trim_end_matches('/').to_owned();
                u.set_path(&format!("{base}{path}"));
                u
            }
        };
        if !self.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in &self.query {
                pairs.append_pair(k, v);
            }
        }
        Ok(url)
    }

    /// Sends and returns the successful response as is.
    ///
    /// # Errors
    ///
    /// See [`RequestBuilder::send`].
    pub async fn send_raw(self) -> Result<Response, Error> {
        let info = self.info();
        let url = match self.build_url() {
            Ok(u) => u,
            Err(m) => return Err(Error::invalid_request(m).with_request(info)),
        };
        let span = tracing::debug_span!(
            "scaleway.request",
            method = self.method.as_str(),
            route = self.route,
            locality = self.locality.as_ref().map(|l| l.to_string()),
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
            request_id = tracing::field::Empty,
        );
        self.run(url, info).instrument(span).await
    }

    pub(super) async fn run(self, url: Url, info: RequestInfo) -> Result<Response, Error> {
        let inner = &self.client.inner;
        let policy = self.retry.as_ref().unwrap_or(&inner.retry);
        let timeout = self.timeout.unwrap_or(inner.timeout);
        let clock = &inner.clock;
        let start = clock.now();
        let span = tracing::Span::current();
        let mut attempt: u32 = 0;
        let mut last_error: Option<Error> = None;
        loop {
            // A retry never runs past the retry budget.
            let this_timeout = match &last_error {
                None => timeout,
                Some(_) => timeout.min(policy.budget().saturating_sub(clock.since(start))),
            };
            if this_timeout.is_zero()
                && let Some(e) = last_error.take()
            {
                return Err(e.with_request(info).with_attempts(attempt));
            }
            attempt += 1;
            span.record("attempt", attempt);
            let result = self.attempt(&url, this_timeout).await;
            let elapsed = clock.since(start);
            span.record("duration_ms", elapsed.as_millis() as u64);
            let (outcome, error) = match result {
                Ok(resp) => {
                    span.record("status", resp.status);
                    if let Some(id) = resp.header("x-request-id") {
                        span.record("request_id", id);
                    }
                    if self.any_status || (200..300).contains(&resp.status) {
                        let mut resp = resp;
                        resp.attempts = attempt;
                        return Ok(resp);
                    }
                    if resp.status == 429 {
                        inner.stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                    }
                    let api = decode_api_error(
                        resp.status,
                        |h| resp.header(h).map(str::to_owned),
                        &resp.body,
                    );
                    let retry_after = match &api.kind {
                        crate::error::ApiErrorKind::RateLimited {
                            retry_after_secs,
                            reset_seconds,
                            ..
                        } => retry_after_secs.or(*reset_seconds).map(Duration::from_secs),
                        _ => resp
                            .header("retry-after")
                            .and_then(|v| v.trim().parse().ok())
                            .map(Duration::from_secs),
                    };
                    (
                        Outcome::Status {
                            status: resp.status,
                            retry_after,
                        },
                        Error::new(ErrorKind::Api(api)),
                    )
                }
                Err(AttemptError::Signer(e)) => {
                    return Err(e.with_request(info).with_attempts(attempt));
                }
                Err(AttemptError::Invalid(m)) => {
                    return Err(Error::invalid_request(m)
                        .with_request(info)
                        .with_attempts(attempt));
                }
                Err(AttemptError::Timeout) => (
                    Outcome::Timeout,
                    Error::new(ErrorKind::Timeout {
                        timeout: this_timeout,
                    }),
                ),
                Err(AttemptError::Transport { message, connect }) => (
                    if connect {
                        Outcome::ConnectFailed
                    } else {
                        Outcome::TransportFailed
                    },
                    Error::new(ErrorKind::Transport { message, connect }),
                ),
            };
            match policy.classify(self.method, outcome, attempt, elapsed, clock.jitter()) {
                Decision::RetryAfter(delay) => {
                    tracing::info!(
                        attempt,
                        max_attempts = policy.max_attempts(),
                        delay_ms = delay.as_millis() as u64,
                        error = %error,
                        "retrying {} {}", self.method, self.route
                    );
                    inner.stats.retries.fetch_add(1, Ordering::Relaxed);
                    inner
                        .stats
                        .retry_wait_micros
                        .fetch_add(delay.as_micros() as u64, Ordering::Relaxed);
                    inner.stats.backoff_started(clock.now());
                    let guard = BackoffGuard(&inner.stats, clock);
                    clock.sleep(delay).await;
                    drop(guard);
                    last_error = Some(error);
                }
                Decision::GiveUp(_) => {
                    return Err(error.with_request(info).with_attempts(attempt));
                }
            }
        }
    }

    pub(super) async fn attempt(
        &self,
        url: &Url,
        timeout: Duration,
    ) -> Result<Response, AttemptError> {
        let inner = &self.client.inner;
        let closed = |_| AttemptError::Transport {
            message: "the client is shutting down".into(),
            connect: true,
        };
        // The client's own permit first, so a client at its bound never holds one of the
        // shared transport's permits while it waits.
        let _permit = inner.limiter.acquire().await.map_err(closed)?;
        let _shared = match &inner.transport {
            Some(t) => Some(t.inner.limiter.acquire().await.map_err(closed)?),
            None => None,
        };
        // Counted once sent (not while waiting for a permit), so that the count of a
        // cancelled call is what reached the wire.
        inner.stats.attempts.fetch_add(1, Ordering::Relaxed);
        let mut headers = self.headers.clone();
        if !headers.iter().any(|(k, _)| k == "user-agent") {
            headers.push(("user-agent".into(), inner.user_agent.clone()));
        }
        if !headers.iter().any(|(k, _)| k == "accept") && matches!(self.target, Target::Api) {
            headers.push(("accept".into(), "application/json".into()));
        }
        let body = self.body.clone().unwrap_or_default();
        if let Some(signer) = &self.signer {
            signer
                .sign(SignableRequest {
                    method: self.method,
                    url,
                    headers: &mut headers,
                    body: &body,
                })
                .map_err(AttemptError::Signer)?;
        }
        let mut req = inner.http.request(self.method.to_reqwest(), url.clone());
        for (k, v) in &headers {
            req = req.header(k.as_str(), v.as_str());
        }
        if self.auth
            && let Some(secret) = &inner.secret
        {
            let mut value = reqwest::header::HeaderValue::from_str(secret.expose_secret())
                .map_err(|_| AttemptError::Transport {
                    message: "the secret key is not a valid header value".into(),
                    connect: true,
                })?;
            value.set_sensitive(true);
            req = req.header("x-auth-token", value);
        }
        if let Some((user, secret)) = &self.basic {
            // reqwest marks the header sensitive.
            req = req.basic_auth(user, Some(secret.expose_secret()));
        }
        if self.body.is_some() {
            req = req.body(body);
        }
        // The timeout covers sending and reading the whole body, on the client's clock.
        let exchange = async {
            let resp = req.send().await.map_err(AttemptError::from_reqwest)?;
            let status = resp.status().as_u16();
            let headers = resp
                .headers()
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect();
            let body = resp.bytes().await.map_err(AttemptError::from_reqwest)?;
            Ok(Response {
                status,
                headers,
                body,
                attempts: 0,
            })
        };
        inner
            .clock
            .timeout(timeout, exchange)
            .await
            .unwrap_or(Err(AttemptError::Timeout))
    }
}

pub(super) enum AttemptError {
    Timeout,
    Transport { message: String, connect: bool },
    Signer(Error),
    Invalid(String),
}

impl AttemptError {
    pub(super) fn from_reqwest(e: reqwest::Error) -> Self {
        if e.is_builder() {
            // Not a network failure: retrying cannot help.
            AttemptError::Invalid(crate::error_chain(&e))
        } else if e.is_connect() {
            // Checked before `is_timeout`: a connect timeout means the request was never
            // sent, so it may be retried whatever the method.
            AttemptError::Transport {
                message: crate::error_chain(&e),
                connect: true,
            }
        } else if e.is_timeout() {
            AttemptError::Timeout
        } else {
            AttemptError::Transport {
                message: crate::error_chain(&e),
                connect: false,
            }
        }
    }
}

/// Fills `{name}` placeholders; every placeholder must be given a non-empty value.
pub(super) fn fill_route(route: &str, params: &[(&'static str, String)]) -> Result<String, String> {
    if !route.starts_with('/') {
        return Err(format!("route `{route}` must start with `/`"));
    }
    let mut out = String::with_capacity(route.len() + 32);
    let mut rest = route;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after
            .find('}')
            .ok_or_else(|| format!("route `{route}` has an unclosed placeholder"))?;
        let name = &after[..close];
        let value = params
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
            .ok_or_else(|| format!("route `{route}`: path parameter `{name}` is not set"))?;
        if value.is_empty() {
            return Err(format!("route `{route}`: path parameter `{name}` is empty"));
        }
        out.extend(
            url::form_urlencoded::byte_serialize(value.as_bytes()).map(|s| s.replace('+', "%20")),
        );
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let p = vec![
            ("zone", "fr-par-1".to_owned()),
            ("server_id", "a b/c".to_owned()),
        ];
        assert_eq!(
            fill_route("/instance/v1/zones/{zone}/servers/{server_id}", &p).unwrap(),
            "/instance/v1/zones/fr-par-1/servers/a%20b%2Fc"
        );
        let e = fill_route("/x/{id}", &[]).unwrap_err();
        assert!(e.contains("`id` is not set"), "{e}");
        let e = fill_route("/x/{id}", &[("id", String::new())]).unwrap_err();
        assert!(e.contains("`id` is empty"), "{e}");
    }
}
