//! The one HTTP path: every call of every scaleway-* crate goes through [`Client`].
//!
//! It sets `X-Auth-Token` (marked sensitive, never logged), the `User-Agent`, timeouts,
//! retries, a global concurrency bound, a `tracing` span per call, and decodes errors.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::Semaphore;
use url::Url;

use crate::clock::Clock;
use crate::config::{Config, ConfigError, parse_base_url, validate_user_agent};
use crate::credentials::{AccessKey, OrganizationId, ProjectId, SecretKey};
use crate::error::Error;
use crate::locality::{Region, Zone};
use crate::retry::RetryPolicy;
use crate::transport::{Transport, http_client};

mod request;
mod response;
mod stats;

use request::Target;
pub use request::{Method, RequestBuilder, RequestSigner, SignableRequest};
pub use response::Response;
pub(crate) use response::redacted_excerpt;
pub use stats::ClientStats;
use stats::Counters;

/// Default connect timeout.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default timeout of one attempt (connect, send, and read the whole body).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default bound on requests in flight at once through one [`Client`].
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 64;

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
    /// * [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) for an invalid
    ///   user-agent suffix, or an `insecure` configuration on a [`Transport`] that verifies
    ///   certificates;
    /// * [`ErrorKind::Transport`](crate::ErrorKind::Transport) if the TLS stack cannot be
    ///   initialised.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agent_shape() {
        let ua = default_user_agent();
        assert!(ua.starts_with("scaleway-sdk-rust/"), "{ua}");
        assert!(validate_user_agent(&ua).is_ok());
    }
}
