//! Many credentials at once: each key checks itself (its key alone, nothing from the
//! process), concurrently under one bound and one overall deadline, over one shared HTTP
//! pool, each result on its own.
//!
//! ```no_run
//! # async fn run(keys: Vec<scaleway_iam::checker::batch::Credential>) -> Result<(), scaleway_core::Error> {
//! use futures::StreamExt;
//! use scaleway_core::Transport;
//! use scaleway_iam::checker::batch::BatchOptions;
//! use scaleway_iam::checker::{Checker, Profile};
//!
//! let transport = Transport::builder().max_in_flight(128).build()?;
//! let checker = Checker::new();
//! let profile = Profile::builtin("byoc-kapsule").expect("a built-in profile");
//! let mut options = BatchOptions::default();
//! options.deadline = Some(std::time::Duration::from_secs(120));
//! let mut results = checker.check_many(&transport, &profile, keys, options);
//! while let Some(item) = results.next().await {
//!     match &item.result {
//!         Ok(report) => println!("{}: {}", item.label, report.verdict.status()),
//!         Err(e) => println!("{}: not checked: {e}", item.label),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! * **One bound**: at most [`BatchOptions::concurrency`] credentials are being checked at
//!   once, and the [`Transport`]'s bound caps the requests in flight over all of them.
//! * **Each key on its own**: every credential gets its own [`Client`] (its own in-flight
//!   share, retries, [`ClientStats`]); a key refused, rate-limited or failing only affects
//!   its own item.
//! * **One deadline**: past [`BatchOptions::deadline`] (from the call), checks still running
//!   are dropped (canary resources they created are still deleted, see
//!   [`canary`](super::canary)) and the credentials not started yet are not checked: their
//!   items say [`BatchError::DeadlineExceeded`]. Every credential gets exactly one item.
//! * **Streamed** as each check completes (not in input order: use [`BatchItem::index`]).

use std::fmt;
use std::time::Duration;

use futures::stream::{self, Stream, StreamExt};
use scaleway_core::url::Url;
use scaleway_core::{
    AccessKey, Client, ClientStats, Config, Error, ProjectId, SecretKey, Transport,
};

use super::{Checker, Profile, Report, Target};

/// Default number of credentials checked at once.
pub const DEFAULT_BATCH_CONCURRENCY: usize = 32;

/// Default bound on requests in flight for one credential.
pub const DEFAULT_PER_KEY_IN_FLIGHT: usize = 4;

/// One customer's key to check. `Debug` never shows the secret.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Credential {
    /// The caller's name for it (a customer ID), repeated in its [`BatchItem`].
    pub label: String,
    /// Access key.
    pub access_key: AccessKey,
    /// Secret key.
    pub secret_key: SecretKey,
    /// The project the key is for (the check's target and the key's default project).
    pub project_id: ProjectId,
}

impl Credential {
    /// A credential.
    pub fn new(
        label: impl Into<String>,
        access_key: AccessKey,
        secret_key: SecretKey,
        project_id: ProjectId,
    ) -> Self {
        Credential {
            label: label.into(),
            access_key,
            secret_key,
            project_id,
        }
    }
}

/// Settings of [`Checker::check_many`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct BatchOptions {
    /// Credentials checked at once (default 32; at least 1).
    pub concurrency: usize,
    /// Requests in flight at once for one credential (default 4).
    pub per_key_in_flight: usize,
    /// Overall deadline, from the call (default: none).
    pub deadline: Option<Duration>,
    /// The API URL (default `https://api.scaleway.com`; a proxy or the simulator).
    pub api_url: Option<Url>,
    /// Appended to every client's `User-Agent`.
    pub user_agent_suffix: Option<String>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions {
            concurrency: DEFAULT_BATCH_CONCURRENCY,
            per_key_in_flight: DEFAULT_PER_KEY_IN_FLIGHT,
            deadline: None,
            api_url: None,
            user_agent_suffix: None,
        }
    }
}

/// Why a credential has no report.
#[derive(Debug)]
#[non_exhaustive]
pub enum BatchError {
    /// The overall deadline passed before its check finished (or started).
    DeadlineExceeded,
    /// No client could be built for it (an API URL refused, the TLS stack).
    Client(Error),
    /// The check itself failed (the API could not be reached, …). A refused key is a
    /// report (`Invalid`), not an error.
    Check(Error),
}

impl fmt::Display for BatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BatchError::DeadlineExceeded => {
                f.write_str("the batch's deadline passed before this check finished")
            }
            BatchError::Client(e) => write!(f, "cannot build a client for this key: {e}"),
            BatchError::Check(e) => write!(f, "the check failed: {e}"),
        }
    }
}

impl std::error::Error for BatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            BatchError::DeadlineExceeded => None,
            BatchError::Client(e) | BatchError::Check(e) => Some(e),
        }
    }
}

/// One credential's result.
#[derive(Debug)]
#[non_exhaustive]
pub struct BatchItem {
    /// Its position in the input.
    pub index: usize,
    /// [`Credential::label`].
    pub label: String,
    /// Its access key.
    pub access_key: AccessKey,
    /// The report, or why there is none.
    pub result: Result<Report, BatchError>,
    /// The requests its check sent (attempts, retries, 429s).
    pub stats: ClientStats,
}

impl Checker {
    /// Checks many credentials for `profile`, each key inspecting itself
    /// ([`Checker::self_check`]) on its own project, over `transport` (see the
    /// [module docs](self)). The stream yields one item per credential, as checks
    /// complete.
    pub fn check_many<'a, I>(
        &'a self,
        transport: &Transport,
        profile: &'a Profile,
        credentials: I,
        options: BatchOptions,
    ) -> impl Stream<Item = BatchItem> + Send + 'a
    where
        I: IntoIterator<Item = Credential>,
        I::IntoIter: Send + 'a,
    {
        let deadline = options.deadline.map(|d| tokio::time::Instant::now() + d);
        let concurrency = options.concurrency.max(1);
        let transport = transport.clone();
        stream::iter(credentials.into_iter().enumerate())
            .map(move |(index, credential)| {
                let (transport, options) = (transport.clone(), options.clone());
                async move {
                    self.check_one(index, credential, &transport, profile, &options, deadline)
                        .await
                }
            })
            .buffer_unordered(concurrency)
    }

    async fn check_one(
        &self,
        index: usize,
        credential: Credential,
        transport: &Transport,
        profile: &Profile,
        options: &BatchOptions,
        deadline: Option<tokio::time::Instant>,
    ) -> BatchItem {
        let item = |result, stats| BatchItem {
            index,
            label: credential.label.clone(),
            access_key: credential.access_key.clone(),
            result,
            stats,
        };
        if deadline.is_some_and(|d| tokio::time::Instant::now() >= d) {
            return item(Err(BatchError::DeadlineExceeded), ClientStats::default());
        }
        let client = match key_client(&credential, transport, options) {
            Ok(c) => c,
            Err(e) => return item(Err(BatchError::Client(e)), ClientStats::default()),
        };
        let target = Target::project(credential.project_id.clone());
        let check = self.self_check(&client, profile, &target);
        let result = match deadline {
            Some(d) => match tokio::time::timeout_at(d, check).await {
                Ok(r) => r.map_err(BatchError::Check),
                Err(_) => Err(BatchError::DeadlineExceeded),
            },
            None => check.await.map_err(BatchError::Check),
        };
        item(result, client.stats())
    }
}

/// A client for the credential alone, on the shared transport.
fn key_client(
    c: &Credential,
    transport: &Transport,
    options: &BatchOptions,
) -> Result<Client, Error> {
    let mut loader = Config::loader()
        .isolated()
        .access_key(c.access_key.clone())
        .secret_key(c.secret_key.clone())
        .project_id(c.project_id.clone());
    if let Some(u) = &options.api_url {
        loader = loader.api_url(u.clone());
    }
    let config = loader.load()?;
    let mut builder = Client::builder()
        .transport(transport)
        .config(config)
        .max_concurrent_requests(options.per_key_in_flight.max(1));
    if let Some(s) = &options.user_agent_suffix {
        builder = builder.user_agent_suffix(s.clone());
    }
    builder.build()
}
