//! One HTTP connection pool and one bound on requests in flight, shared by many clients.
//!
//! A [`Client`](crate::Client) normally owns its pool and its in-flight bound. A program
//! acting for many customers at once (validating hundreds of customers' keys, inventorying
//! many `(key, project)` pairs) builds one [`Transport`] and derives one client per key
//! from it with [`ClientBuilder::transport`](crate::ClientBuilder::transport):
//!
//! * **one pool**: connections (and TLS sessions) are reused across every key;
//! * **one global bound**: at most [`TransportBuilder::max_in_flight`] requests are in
//!   flight at once over all the clients, whatever their number;
//! * **each key on its own budget**: every client keeps its own in-flight bound
//!   ([`ClientBuilder::max_concurrent_requests`](crate::ClientBuilder::max_concurrent_requests)),
//!   retry policy, timeouts and [`ClientStats`](crate::ClientStats). A request holds a
//!   permit of its client and one of the transport only while it is on the wire: a call
//!   sleeping before a retry (after a 429 or a 503) holds neither, so one customer's rate
//!   limiting, timeouts or revoked key never hold up the others.
//!
//! ```no_run
//! # fn run(keys: Vec<(scaleway_core::AccessKey, scaleway_core::SecretKey, scaleway_core::ProjectId)>) -> Result<(), scaleway_core::Error> {
//! use scaleway_core::{Client, Config, Transport};
//!
//! let transport = Transport::builder().max_in_flight(128).build()?;
//! let clients = keys
//!     .into_iter()
//!     .map(|(ak, sk, project)| {
//!         Client::builder()
//!             .transport(&transport)
//!             .config(Config::for_key(ak, sk, project)) // the customer's key alone
//!             .max_concurrent_requests(8) // this key's own share
//!             .build()
//!     })
//!     .collect::<Result<Vec<_>, _>>()?;
//! # let _ = clients; Ok(()) }
//! ```
//!
//! The crates hold no global state: to spread customers over several machines, give each
//! machine its share of the keys and its own transport.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::client::DEFAULT_CONNECT_TIMEOUT;
use crate::error::{Error, ErrorKind};

/// Default bound on requests in flight at once over every client of a [`Transport`].
pub const DEFAULT_TRANSPORT_MAX_IN_FLIGHT: usize = 128;

/// A shared HTTP pool and global in-flight bound (see the [module docs](self)). Cheap to
/// clone: clones share the pool and the bound.
#[derive(Clone)]
pub struct Transport {
    pub(crate) inner: Arc<TransportInner>,
}

pub(crate) struct TransportInner {
    pub(crate) http: reqwest::Client,
    pub(crate) limiter: Arc<Semaphore>,
    max_in_flight: usize,
    pub(crate) accepts_invalid_certs: bool,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("max_in_flight", &self.inner.max_in_flight)
            .field("in_flight", &self.in_flight())
            .field("accepts_invalid_certs", &self.inner.accepts_invalid_certs)
            .finish()
    }
}

impl Transport {
    /// A builder.
    pub fn builder() -> TransportBuilder {
        TransportBuilder::default()
    }

    /// A transport with the default settings (128 requests in flight, 5 s connect timeout,
    /// TLS certificates verified).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Transport`] if the TLS stack cannot be initialised.
    pub fn new() -> Result<Transport, Error> {
        Transport::builder().build()
    }

    /// The bound on requests in flight over every client of the transport.
    pub fn max_in_flight(&self) -> usize {
        self.inner.max_in_flight
    }

    /// Requests in flight right now over every client of the transport.
    pub fn in_flight(&self) -> usize {
        self.inner
            .max_in_flight
            .saturating_sub(self.inner.limiter.available_permits())
    }

    /// Whether two transports are the same one (clones of each other).
    pub fn same_as(&self, other: &Transport) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

/// Builds a [`Transport`].
#[derive(Debug, Default)]
#[must_use = "a builder does nothing until `build` is called"]
pub struct TransportBuilder {
    connect_timeout: Option<Duration>,
    max_in_flight: Option<usize>,
    danger_accept_invalid_certs: bool,
}

impl TransportBuilder {
    /// Bound on requests in flight at once over every client (default 128; at least 1).
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = Some(n.clamp(1, Semaphore::MAX_PERMITS));
        self
    }

    /// Connect timeout of every connection of the pool (default 5 s).
    pub fn connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = Some(d);
        self
    }

    /// Accepts invalid TLS certificates: needed for clients whose configuration sets
    /// `insecure` (a test proxy). A client with `insecure` refuses a transport without it.
    pub fn danger_accept_invalid_certs(mut self, yes: bool) -> Self {
        self.danger_accept_invalid_certs = yes;
        self
    }

    /// Builds the transport.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Transport`] if the TLS stack cannot be initialised.
    pub fn build(self) -> Result<Transport, Error> {
        let max = self
            .max_in_flight
            .unwrap_or(DEFAULT_TRANSPORT_MAX_IN_FLIGHT);
        let http = http_client(
            self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            self.danger_accept_invalid_certs,
            None,
        )?;
        Ok(Transport {
            inner: Arc::new(TransportInner {
                http,
                limiter: Arc::new(Semaphore::new(max)),
                max_in_flight: max,
                accepts_invalid_certs: self.danger_accept_invalid_certs,
            }),
        })
    }
}

/// The one place a reqwest client is built: a pool, rustls, no redirects. The
/// `User-Agent` is also sent on each request (a shared pool serves clients with
/// different agents).
pub(crate) fn http_client(
    connect_timeout: Duration,
    accept_invalid_certs: bool,
    user_agent: Option<&str>,
) -> Result<reqwest::Client, Error> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(Duration::from_secs(90))
        .tls_danger_accept_invalid_certs(accept_invalid_certs)
        // Never follow redirects: reqwest would resend `X-Auth-Token` (a custom header)
        // to whatever host a redirect names. The Scaleway API does not redirect; a 3xx
        // surfaces as an error.
        .redirect(reqwest::redirect::Policy::none());
    if let Some(ua) = user_agent {
        builder = builder.user_agent(ua.to_owned());
    }
    builder.build().map_err(|e| {
        Error::new(ErrorKind::Transport {
            message: format!(
                "cannot initialise the HTTP client: {}",
                crate::error_chain(&e)
            ),
            connect: true,
        })
    })
}
