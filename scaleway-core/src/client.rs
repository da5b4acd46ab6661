//! The one HTTP path: every call of every scaleway-* crate goes through [`Client`].
//!
//! It sets `X-Auth-Token` (marked sensitive, never logged), the `User-Agent`, timeouts,
//! retries, a global concurrency bound, a `tracing` span per call, and decodes errors.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tracing::Instrument;
use url::Url;

use crate::clock::Clock;
use crate::config::{Config, ConfigError, parse_base_url, validate_user_agent};
use crate::credentials::{AccessKey, OrganizationId, ProjectId, SecretKey};
use crate::error::{DecodeError, Error, ErrorKind, RequestInfo, decode_api_error, excerpt};
use crate::locality::{Locality, Region, Zone};
use crate::retry::{Decision, Outcome, RetryPolicy};
use crate::transport::{Transport, http_client};

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default timeout of one attempt (connect, send, and read the whole body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default bound on requests in flight at once through one [`Client`].
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;

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

    fn to_reqwest(self) -> reqwest::Method {
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

/// A successful raw response. `Debug` shows the body's length, not its content (some
/// bodies carry secrets: a created API key, a secret version).
#[derive(Clone)]
pub struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: bytes::Bytes,
    attempts: u32,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl Response {
    /// HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header, names in lower case.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// How many attempts it took.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Decodes the body as JSON; a failure names the JSON path of the field.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json(self.status, self.header("x-request-id"), &self.body)
            .map_err(|e| e.with_attempts(self.attempts))
    }
}

pub(crate) fn decode_json<T: DeserializeOwned>(
    status: u16,
    request_id: Option<&str>,
    body: &[u8],
) -> Result<T, Error> {
    // An empty body (204, DELETE) decodes as JSON `null`, so `()` and `Option<T>` work.
    let body_for_decode: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    let de = &mut serde_json::Deserializer::from_slice(body_for_decode);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::new(ErrorKind::Decode(DecodeError {
            path,
            message: e.into_inner().to_string(),
            status,
            request_id: request_id.map(str::to_owned),
            body_excerpt: redacted_excerpt(body),
        }))
    })
}

/// The excerpt of a successful body kept in a decode error, with secrets masked: the values
/// of `secret_key`, `data`, `password` and `token` members, and UUID-shaped words.
pub(crate) fn redacted_excerpt(body: &[u8]) -> String {
    fn mask(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    if matches!(k.as_str(), "secret_key" | "data" | "password" | "token")
                        && !v.is_null()
                    {
                        *v = serde_json::Value::String("[redacted]".into());
                    } else {
                        mask(v);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(mask),
            _ => {}
        }
    }
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut v) => {
            mask(&mut v);
            v.to_string().into_bytes()
        }
        Err(_) => body.to_vec(),
    };
    crate::config::mask_uuids(&excerpt(&text))
}

/// A cheap-to-clone handle on one Scaleway account context: credentials, defaults, and a
/// pooled HTTP client. Clone it freely (it is an `Arc` inside); do not wrap it in `Arc`.
///
/// ```no_run
/// # async fn run() -> Result<(), scaleway_core::Error> {
/// use scaleway_core::Client;
///
/// let client = Client::from_env()?; // SCW_* variables and ~/.config/scw/config.yaml
/// let response = client
///     .get("/account/v3/projects")
///     .query("page_size", 10)
///     .send_raw()
///     .await?;
/// println!("{}", response.status());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: Config,
    api_url: Url,
    secret: Option<SecretKey>,
    user_agent: String,
    timeout: Duration,
    retry: RetryPolicy,
    limiter: Arc<Semaphore>,
    /// The shared transport's bound, when the client was built on one.
    transport: Option<Transport>,
    stats: Counters,
    clock: Clock,
}

#[derive(Default)]
struct Counters {
    attempts: AtomicU64,
    retries: AtomicU64,
    retry_wait_micros: AtomicU64,
    rate_limited: AtomicU64,
    /// Calls sleeping before a retry right now, and since when one was (on the client's
    /// clock).
    backoff: std::sync::Mutex<Backoff>,
}

#[derive(Default)]
struct Backoff {
    sleeping: u32,
    since: Option<Instant>,
    total: Duration,
}

impl Counters {
    fn backoff_started(&self, now: Instant) {
        if let Ok(mut b) = self.backoff.lock() {
            if b.sleeping == 0 {
                b.since = Some(now);
            }
            b.sleeping += 1;
        }
    }

    fn backoff_ended(&self, now: Instant) {
        if let Ok(mut b) = self.backoff.lock() {
            b.sleeping = b.sleeping.saturating_sub(1);
            if b.sleeping == 0
                && let Some(t) = b.since.take()
            {
                b.total += now.saturating_duration_since(t);
            }
        }
    }

    fn backoff_wall(&self, now: Instant) -> Duration {
        self.backoff.lock().map_or(Duration::ZERO, |b| {
            b.total
                + b.since
                    .map_or(Duration::ZERO, |t| now.saturating_duration_since(t))
        })
    }
}

/// Ends a backoff interval even if the sleeping call is dropped (cancelled).
struct BackoffGuard<'a>(&'a Counters, &'a Clock);

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

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.inner.api_url.as_str())
            .field(
                "access_key",
                &self
                    .inner
                    .config
                    .access_key
                    .as_ref()
                    .map(|a| a.value.as_str()),
            )
            .field(
                "secret_key",
                &self.inner.secret.as_ref().map(|_| "[redacted]"),
            )
            .field("user_agent", &self.inner.user_agent)
            .field("timeout", &self.inner.timeout)
            .field("retry", &self.inner.retry)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`].
#[derive(Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct ClientBuilder {
    config: Option<Config>,
    app_suffix: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    max_concurrent_requests: Option<usize>,
    anonymous: bool,
    clock: Clock,
    transport: Option<Transport>,
}

impl ClientBuilder {
    /// Uses this configuration (default: [`Config::from_env`]).
    pub fn config(mut self, config: Config) -> Self {
        self.config = Some(config);
        self
    }

    /// Appends `app` (e.g. `my-backup-tool/2.1`) to the `User-Agent`.
    pub fn user_agent_suffix(mut self, app: impl Into<String>) -> Self {
        self.app_suffix = Some(app.into());
        self
    }

    /// Connect timeout (default 5 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Timeout of one attempt, body included (default 30 s). Calls can override it.
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Retry policy (default [`RetryPolicy::default`]). Calls can override it.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Bound on requests in flight at once, across every call made through the client and
    /// its clones (default 64).
    pub fn max_concurrent_requests(mut self, n: usize) -> Self {
        self.max_concurrent_requests = Some(n.clamp(1, Semaphore::MAX_PERMITS));
        self
    }

    /// Sends through a shared [`Transport`]: its connection pool, and its bound on
    /// requests in flight over every client built on it, on top of this client's own bound
    /// ([`ClientBuilder::max_concurrent_requests`]). The transport's connect timeout
    /// applies ([`ClientBuilder::connect_timeout`] is then ignored).
    pub fn transport(mut self, transport: &Transport) -> Self {
        self.transport = Some(transport.clone());
        self
    }

    /// Allows building without a secret key (requests carry no `X-Auth-Token`).
    pub fn anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }

    /// Runs the client's retries, backoffs and timeouts on `clock` instead of tokio's
    /// clock and timer, and draws the backoff's jitter from it (feature `test-util`).
    #[cfg(feature = "test-util")]
    #[cfg_attr(docsrs, doc(cfg(feature = "test-util")))]
    pub fn clock(mut self, clock: crate::testing::ManualClock) -> Self {
        self.clock = Clock::Manual(clock);
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    ///
    /// * the configuration errors of [`Config::from_env`] when no config was given;
    /// * [`ConfigError::MissingCredentials`] when there is no secret key (unless
    ///   [`ClientBuilder::anonymous`]);
    /// * [`ErrorKind::InvalidRequest`] for an invalid user-agent suffix, or an `insecure`
    ///   configuration on a [`Transport`] that verifies certificates;
    /// * [`ErrorKind::Transport`] if the TLS stack cannot be initialised.
    pub fn build(self) -> Result<Client, Error> {
        let config = match self.config {
            Some(c) => c,
            None => Config::from_env()?,
        };
        let secret = match config.require_secret_key() {
            Ok(s) => Some(s.clone()),
            Err(_) if self.anonymous => None,
            Err(e) => return Err(e.into()),
        };
        // Re-check the URL rule in case the config was assembled by hand.
        let api_url = parse_base_url(config.api_url.value.as_str(), config.insecure.value)
            .map_err(|m| {
                Error::from(ConfigError::Invalid {
                    problems: vec![crate::config::ConfigProblem {
                        key: crate::config::ConfigKey::ApiUrl,
                        source: Some(config.api_url.source.clone()),
                        shown_value: Some(config.api_url.value.to_string()),
                        message: m,
                    }],
                })
            })?;
        let mut user_agent = match &config.user_agent {
            Some(ua) => ua.value.clone(),
            None => default_user_agent(),
        };
        if let Some(suffix) = &self.app_suffix {
            validate_user_agent(suffix)
                .map_err(|m| Error::invalid_request(format!("user agent suffix: {m}")))?;
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        let timeout = self.timeout.unwrap_or(DEFAULT_TIMEOUT);
        let http = match &self.transport {
            Some(t) if config.insecure.value && !t.inner.accepts_invalid_certs => {
                return Err(Error::invalid_request(format!(
                    "the configuration sets insecure ({}) but the shared transport verifies TLS certificates: build it with TransportBuilder::danger_accept_invalid_certs(true)",
                    config.insecure.source
                )));
            }
            Some(t) => t.inner.http.clone(),
            None => http_client(
                self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                config.insecure.value,
                Some(&user_agent),
            )?,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                api_url,
                secret,
                user_agent,
                timeout,
                retry: self.retry.unwrap_or_default(),
                limiter: Arc::new(Semaphore::new(
                    self.max_concurrent_requests
                        .unwrap_or(DEFAULT_MAX_CONCURRENT_REQUESTS),
                )),
                transport: self.transport,
                stats: Counters::default(),
                clock: self.clock,
                config,
            }),
        })
    }
}

/// `scaleway-sdk-rust/<version> (scaleway-core; <os>; <arch>)`.
pub fn default_user_agent() -> String {
    format!(
        "scaleway-sdk-rust/{} (scaleway-core; {}; {})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    )
}

impl Client {
    /// A builder.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client from the process environment and config file.
    ///
    /// # Errors
    ///
    /// See [`ClientBuilder::build`].
    pub fn from_env() -> Result<Client, Error> {
        Client::builder().build()
    }

    /// A client from this configuration.
    ///
    /// # Errors
    ///
    /// See [`ClientBuilder::build`].
    pub fn new(config: Config) -> Result<Client, Error> {
        Client::builder().config(config).build()
    }

    /// A client for this key alone ([`Config::for_key`]): the access key, the secret key and
    /// the project they act on, and nothing from the process's `SCW_*` variables or
    /// configuration file. For a platform acting with a customer's key: its own default
    /// Organization, region or API URL never reach the customer's calls. Add options (a
    /// shared [`Transport`], an API URL) with
    /// `Client::builder().config(Config::for_key(..))` or [`crate::ConfigLoader::isolated`].
    ///
    /// ```no_run
    /// # fn run() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = scaleway_core::Client::for_key(
    ///     "SCWXXXXXXXXXXXXXXXXX".parse()?,
    ///     "11111111-1111-1111-1111-111111111111".parse()?,
    ///     "22222222-2222-2222-2222-222222222222".parse()?,
    /// )?;
    /// assert!(client.default_organization_id().is_err()); // none, whatever the process says
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// See [`ClientBuilder::build`] (only the TLS stack's initialisation can fail).
    pub fn for_key(
        access_key: AccessKey,
        secret_key: SecretKey,
        project_id: ProjectId,
    ) -> Result<Client, Error> {
        Client::new(Config::for_key(access_key, secret_key, project_id))
    }

    /// The configuration the client was built from.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The API base URL.
    pub fn api_url(&self) -> &Url {
        &self.inner.api_url
    }

    /// The `User-Agent` sent.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The client's default retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The clock the client's retries, backoffs and timeouts run on.
    pub(crate) fn clock(&self) -> &Clock {
        &self.inner.clock
    }

    /// The shared [`Transport`] the client sends through, if it was built on one.
    pub fn transport(&self) -> Option<&Transport> {
        self.inner.transport.as_ref()
    }

    /// Counters of the calls made through this client and its clones.
    pub fn stats(&self) -> ClientStats {
        let c = &self.inner.stats;
        ClientStats {
            attempts: c.attempts.load(Ordering::Relaxed),
            retries: c.retries.load(Ordering::Relaxed),
            retry_wait: Duration::from_micros(c.retry_wait_micros.load(Ordering::Relaxed)),
            retry_wall: c.backoff_wall(self.inner.clock.now()),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
        }
    }

    /// The secret key, for signers that need it (S3 SigV4, registry login).
    pub fn secret_key(&self) -> Option<&SecretKey> {
        self.inner.secret.as_ref()
    }

    /// The configured access key.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingCredentials`] naming what to set.
    pub fn access_key(&self) -> Result<&AccessKey, Error> {
        Ok(self.inner.config.require_access_key()?)
    }

    /// The default project ID.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingCredentials`] naming what to set.
    pub fn default_project_id(&self) -> Result<&ProjectId, Error> {
        Ok(self.inner.config.require_project_id()?)
    }

    /// The default organization ID.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingCredentials`] naming what to set.
    pub fn default_organization_id(&self) -> Result<&OrganizationId, Error> {
        Ok(self.inner.config.require_organization_id()?)
    }

    /// The default region, if configured.
    pub fn default_region(&self) -> Option<&Region> {
        self.inner.config.region.as_ref().map(|s| &s.value)
    }

    /// The default zone, if configured.
    pub fn default_zone(&self) -> Option<&Zone> {
        self.inner.config.zone.as_ref().map(|s| &s.value)
    }

    /// A request to `route` on the API URL. `route` is a template such as
    /// `/instance/v1/zones/{zone}/servers/{server_id}`: placeholders are filled with
    /// [`RequestBuilder::zone`], [`RequestBuilder::region`] and [`RequestBuilder::path`],
    /// and the template (never the filled path) names the call in traces and errors.
    pub fn request(&self, method: Method, route: &'static str) -> RequestBuilder {
        RequestBuilder {
            client: self.clone(),
            method,
            route,
            target: Target::Api,
            params: Vec::new(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            locality: None,
            timeout: None,
            retry: None,
            signer: None,
            auth: true,
            basic: None,
            any_status: false,
            error: None,
        }
    }

    /// A request to an absolute URL (Object Storage, registry), named `route` in traces.
    /// It carries no `X-Auth-Token`; add a [`RequestSigner`] for authentication.
    pub fn request_url(&self, method: Method, url: Url, route: &'static str) -> RequestBuilder {
        let mut b = self.request(method, route);
        b.target = Target::Absolute(url);
        b.auth = false;
        b
    }

    /// `GET route`.
    pub fn get(&self, route: &'static str) -> RequestBuilder {
        self.request(Method::Get, route)
    }

    /// `POST route`.
    pub fn post(&self, route: &'static str) -> RequestBuilder {
        self.request(Method::Post, route)
    }

    /// `PUT route`.
    pub fn put(&self, route: &'static str) -> RequestBuilder {
        self.request(Method::Put, route)
    }

    /// `PATCH route`.
    pub fn patch(&self, route: &'static str) -> RequestBuilder {
        self.request(Method::Patch, route)
    }

    /// `DELETE route`.
    pub fn delete(&self, route: &'static str) -> RequestBuilder {
        self.request(Method::Delete, route)
    }
}

#[derive(Debug, Clone)]
enum Target {
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
    client: Client,
    method: Method,
    route: &'static str,
    target: Target,
    params: Vec<(&'static str, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Option<Vec<u8>>,
    locality: Option<Locality>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    signer: Option<Arc<dyn RequestSigner>>,
    auth: bool,
    basic: Option<(String, SecretKey)>,
    any_status: bool,
    error: Option<String>,
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

    fn build_url(&self) -> Result<Url, String> {
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

    async fn run(self, url: Url, info: RequestInfo) -> Result<Response, Error> {
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

    async fn attempt(&self, url: &Url, timeout: Duration) -> Result<Response, AttemptError> {
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

enum AttemptError {
    Timeout,
    Transport { message: String, connect: bool },
    Signer(Error),
    Invalid(String),
}

impl AttemptError {
    fn from_reqwest(e: reqwest::Error) -> Self {
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
fn fill_route(route: &str, params: &[(&'static str, String)]) -> Result<String, String> {
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

    #[test]
    fn user_agent_shape() {
        let ua = default_user_agent();
        assert!(ua.starts_with("scaleway-sdk-rust/"), "{ua}");
        assert!(validate_user_agent(&ua).is_ok());
    }

    #[test]
    fn decode_names_path() {
        #[derive(serde::Deserialize, Debug)]
        struct S {
            #[allow(dead_code)]
            items: Vec<Item>,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Item {
            #[allow(dead_code)]
            size: u64,
        }
        let e = decode_json::<S>(200, Some("rid"), br#"{"items":[{"size":1},{"size":"x"}]}"#)
            .unwrap_err();
        let ErrorKind::Decode(d) = e.kind() else {
            panic!("{e:?}")
        };
        assert_eq!(d.path, "items[1].size");
        assert_eq!(d.request_id.as_deref(), Some("rid"));
        assert!(decode_json::<()>(204, None, b"").is_ok());
    }
}
