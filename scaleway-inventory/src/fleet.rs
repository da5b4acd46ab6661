//! Many customers at once: [`Fleet`].

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use scaleway_core::{
    AccessKey, Client, Config, Error, ProjectId, RetryPolicy, SecretKey, Transport,
};

use crate::engine::{Inventory, InventoryBuilder};
use crate::report::{FailureKind, LocalityStatus, SyncStats};
use crate::snapshot::Snapshot;
use crate::source::Event;

/// Default number of customers synced (or waiting to be consumed) at once. A customer's
/// sync keeps about 3 requests in flight on average (its listings are chains of dependent
/// calls), so about 40 customers fill the transport's default bound of 128; 64 leaves room
/// for customers slowed by their own rate limit, which keep their place while they wait.
pub const DEFAULT_CUSTOMERS_AT_ONCE: usize = 64;

/// Default bound on each key's requests in flight.
pub const DEFAULT_KEY_MAX_IN_FLIGHT: usize = 8;

/// One customer to sync: an id of the caller's choosing (a database key, a tenant name…)
/// and the configuration of the customer's key.
#[derive(Debug, Clone)]
pub struct Customer<I> {
    id: I,
    config: Config,
    max_in_flight: Option<usize>,
    retry: Option<RetryPolicy>,
}

impl<I> Customer<I> {
    /// A customer's key and the project it is for, and nothing from the process
    /// ([`Config::for_key`]: no `SCW_*` variable or configuration file of the platform leaks
    /// into the customer's calls).
    pub fn new(id: I, access_key: AccessKey, secret_key: SecretKey, project_id: ProjectId) -> Self {
        Self::from_config(id, Config::for_key(access_key, secret_key, project_id))
    }

    /// A customer with a configuration of its own: e.g. from
    /// [`ConfigLoader::isolated`](scaleway_core::ConfigLoader::isolated) with an API URL.
    /// Its default project is the one inventoried (add more with
    /// [`FleetBuilder::inventory`]).
    pub fn from_config(id: I, config: Config) -> Self {
        Customer {
            id,
            config,
            max_in_flight: None,
            retry: None,
        }
    }

    /// This key's own bound on requests in flight, instead of the fleet's
    /// ([`FleetBuilder::key_max_in_flight`]).
    #[must_use]
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.max_in_flight = Some(n.max(1));
        self
    }

    /// This key's listings' retry policy, instead of the fleet's ([`FleetBuilder::retry`]).
    #[must_use]
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The caller's id of the customer.
    pub fn id(&self) -> &I {
        &self.id
    }

    /// The configuration of the customer's key (its `Debug` never shows the secret key).
    pub fn config(&self) -> &Config {
        &self.config
    }
}

/// Why a customer has no snapshot. The other customers are not affected.
#[derive(Debug)]
#[non_exhaustive]
pub enum CustomerError {
    /// The key was refused (401 `denied_authentication`: unknown, revoked or expired). The
    /// customer's sync stopped at the first refusal.
    KeyRefused {
        /// The refused key (its access key; never the secret).
        access_key: Option<AccessKey>,
        /// The first refused listing and the API's answer, one line.
        message: String,
        /// Requests made for this customer.
        stats: SyncStats,
    },
    /// The customer's deadline ([`FleetBuilder::customer_timeout`]) passed before its sync
    /// ended; what it had listed is dropped.
    TimedOut {
        /// The deadline.
        after: Duration,
        /// Requests made for this customer.
        stats: SyncStats,
    },
    /// The customer's client or inventory could not be built (e.g. an `insecure`
    /// configuration on a transport that verifies certificates, or no project).
    Setup(Error),
    /// The customer's sync task ended abnormally (a panic in a custom source).
    Aborted {
        /// What the runtime said.
        message: String,
    },
}

impl CustomerError {
    /// The requests made for this customer, when any were.
    pub fn stats(&self) -> Option<&SyncStats> {
        match self {
            CustomerError::KeyRefused { stats, .. } | CustomerError::TimedOut { stats, .. } => {
                Some(stats)
            }
            CustomerError::Setup(_) | CustomerError::Aborted { .. } => None,
        }
    }

    /// Whether the customer's key was refused.
    pub fn is_key_refused(&self) -> bool {
        matches!(self, CustomerError::KeyRefused { .. })
    }
}

impl fmt::Display for CustomerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CustomerError::KeyRefused {
                access_key,
                message,
                ..
            } => match access_key {
                Some(ak) => write!(f, "the key {ak} was refused: {message}"),
                None => write!(f, "the key was refused: {message}"),
            },
            CustomerError::TimedOut { after, .. } => write!(
                f,
                "the customer's sync did not end within {} ms (FleetBuilder::customer_timeout)",
                after.as_millis()
            ),
            CustomerError::Setup(e) => write!(f, "the customer's sync could not start: {e}"),
            CustomerError::Aborted { message } => {
                write!(f, "the customer's sync ended abnormally: {message}")
            }
        }
    }
}

impl std::error::Error for CustomerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CustomerError::Setup(e) => Some(e),
            _ => None,
        }
    }
}

/// What a fleet does to each customer's [`InventoryBuilder`] (sources, regions, Object
/// Storage endpoints…), given the customer's client.
type Configure = dyn Fn(&Client, InventoryBuilder) -> Result<InventoryBuilder, Error> + Send + Sync;

struct Settings {
    transport: Transport,
    customers_at_once: usize,
    key_max_in_flight: usize,
    retry: RetryPolicy,
    request_timeout: Option<Duration>,
    customer_timeout: Option<Duration>,
    configure: Option<Arc<Configure>>,
}

/// Many customers at once: inventories over many `(key, project)` pairs, one
/// [`Transport`] for all of them, each key on its own budget, results streamed per customer.
///
/// A backup control plane holds hundreds of customers' projects, each behind the customer's
/// own API key. A [`Fleet`] syncs them concurrently:
///
/// * **one global bound**: every customer's client is built on the fleet's [`Transport`], so
///   at most [`TransportBuilder::max_in_flight`](scaleway_core::TransportBuilder::max_in_flight)
///   requests are on the wire at once over all the customers;
/// * **each key on its own budget**: each customer gets its own [`Client`] (its own bound on
///   requests in flight, [`FleetBuilder::key_max_in_flight`], and its own counters) and its
///   listings their own retry policy ([`FleetBuilder::retry`], or per customer
///   [`Customer::retry`]). A request holds a permit of its key and one of the transport only
///   while it is on the wire: a key waiting out 429s holds nothing the others need, and a key
///   whose requests hang holds at most its own bound of the global one;
/// * **a clear result per customer**: the [`Snapshot`] (whose listings say what was complete,
///   denied or failed, as for one project), or a [`CustomerError`]: the key refused (401:
///   unknown, revoked or expired; the sync of that customer stops at the first refusal), the
///   customer's deadline passed ([`FleetBuilder::customer_timeout`]), or its client or
///   inventory could not be built;
/// * **streamed, memory bounded**: results come as each customer finishes, in that order
///   (never waiting for a slower one); at most [`FleetBuilder::customers_at_once`] customers
///   are synced or waiting to be consumed at once, so at most that many snapshots are held
///   besides those the caller keeps. The next customer starts when the caller takes a result.
///
/// ```no_run
/// # async fn run(keys: Vec<(String, scaleway_core::AccessKey, scaleway_core::SecretKey, scaleway_core::ProjectId)>) -> Result<(), scaleway_core::Error> {
/// use futures::StreamExt;
/// use scaleway_core::Transport;
/// use scaleway_inventory::{Customer, CustomerError, Fleet};
///
/// let transport = Transport::builder().max_in_flight(128).build()?; // the global bound
/// let fleet = Fleet::builder(transport)
///     .customers_at_once(64) // at most 64 snapshots in memory
///     .key_max_in_flight(8) // each key's own share
///     .build();
/// let customers = keys
///     .into_iter()
///     .map(|(id, access_key, secret_key, project)| Customer::new(id, access_key, secret_key, project));
/// let mut results = fleet.sync(customers);
/// while let Some((id, result)) = results.next().await {
///     match result {
///         Ok(snapshot) if snapshot.is_complete() => { /* store it, diff it, report coverage */ }
///         Ok(snapshot) => { /* complete but for the listings it marks denied or failed */ }
///         Err(CustomerError::KeyRefused { access_key, .. }) => {
///             eprintln!("{id}: key {access_key:?} refused: ask the customer for a new one");
///         }
///         Err(e) => eprintln!("{id}: {e}"),
///     }
/// }
/// # Ok(()) }
/// ```
///
/// **No global state.** A fleet holds its transport and its settings, nothing else; the
/// crates keep no process-wide registry, cache or limiter. To spread customers over several
/// machines, give each worker its share of the customers (from your own job system) and its
/// own fleet: the global bound is then per machine. See `docs/inventory.md`.
///
/// Cheap to clone.
#[derive(Clone)]
pub struct Fleet {
    settings: Arc<Settings>,
}

impl fmt::Debug for Fleet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("Fleet")
            .field("transport", &s.transport)
            .field("customers_at_once", &s.customers_at_once)
            .field("key_max_in_flight", &s.key_max_in_flight)
            .field("retry", &s.retry)
            .field("request_timeout", &s.request_timeout)
            .field("customer_timeout", &s.customer_timeout)
            .field("inventory", &s.configure.as_ref().map(|_| "custom"))
            .finish()
    }
}

/// Builds a [`Fleet`].
#[must_use = "a builder does nothing until `build` is called"]
pub struct FleetBuilder {
    settings: Settings,
}

impl fmt::Debug for FleetBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FleetBuilder").finish_non_exhaustive()
    }
}

impl FleetBuilder {
    /// Customers synced, or finished and waiting for the caller to take their result, at
    /// once (default [`DEFAULT_CUSTOMERS_AT_ONCE`]; at least 1): the bound on snapshots in
    /// memory. A customer slowed by its own rate limit keeps its place while it waits, so
    /// leave room above `global bound / key bound` for the keys you expect to be limited.
    pub fn customers_at_once(mut self, n: usize) -> Self {
        self.settings.customers_at_once = n.max(1);
        self
    }

    /// Each key's bound on requests in flight (default [`DEFAULT_KEY_MAX_IN_FLIGHT`]; at
    /// least 1), within the transport's global bound. A customer can override it
    /// ([`Customer::max_in_flight`]).
    pub fn key_max_in_flight(mut self, n: usize) -> Self {
        self.settings.key_max_in_flight = n.max(1);
        self
    }

    /// The listings' retry policy for every key (default [`Inventory::default_retry`]); a
    /// customer can override it ([`Customer::retry`]). Each key backs off on its own 429s.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = policy;
        self
    }

    /// Timeout of one attempt of every key's requests (default: scaleway-core's, 30 s).
    pub fn request_timeout(mut self, d: Duration) -> Self {
        self.settings.request_timeout = Some(d);
        self
    }

    /// A deadline for each customer's whole sync (default none): past it, the customer's
    /// result is [`CustomerError::TimedOut`] and its place goes to the next customer.
    pub fn customer_timeout(mut self, d: Duration) -> Self {
        self.settings.customer_timeout = Some(d);
        self
    }

    /// Shapes each customer's inventory (sources, regions, more projects, Object Storage
    /// endpoints…); the function gets the customer's client. Its retry policy is already
    /// set from [`FleetBuilder::retry`] / [`Customer::retry`]; an error it returns is the
    /// customer's [`CustomerError::Setup`].
    ///
    /// Object Storage keeps its own fast-failing retry policy
    /// ([`ObjectStorageSourceBuilder::retry`](crate::ObjectStorageSourceBuilder::retry)): for
    /// a rate-limited key to complete there too, give it a patient one here.
    ///
    /// ```
    /// use scaleway_inventory::{Fleet, Inventory, ObjectStorageSource, SourceName};
    /// # fn f(transport: scaleway_core::Transport) {
    /// let fleet = Fleet::builder(transport)
    ///     .inventory(|client, inventory| {
    ///         let s3 = ObjectStorageSource::builder()
    ///             .from_client(client)
    ///             .retry(Inventory::default_retry())
    ///             .build()?;
    ///         Ok(inventory
    ///             .sources(&[SourceName::Instance, SourceName::Block, SourceName::ObjectStorage])
    ///             .object_storage(s3))
    ///     })
    ///     .build();
    /// # let _ = fleet; }
    /// ```
    pub fn inventory<F>(mut self, configure: F) -> Self
    where
        F: Fn(&Client, InventoryBuilder) -> Result<InventoryBuilder, Error> + Send + Sync + 'static,
    {
        self.settings.configure = Some(Arc::new(configure));
        self
    }

    /// Builds the fleet.
    pub fn build(self) -> Fleet {
        Fleet {
            settings: Arc::new(self.settings),
        }
    }
}

impl Fleet {
    /// A builder on `transport`: its bound on requests in flight is the fleet's global bound.
    pub fn builder(transport: Transport) -> FleetBuilder {
        FleetBuilder {
            settings: Settings {
                transport,
                customers_at_once: DEFAULT_CUSTOMERS_AT_ONCE,
                key_max_in_flight: DEFAULT_KEY_MAX_IN_FLIGHT,
                retry: Inventory::default_retry(),
                request_timeout: None,
                customer_timeout: None,
                configure: None,
            },
        }
    }

    /// The shared transport.
    pub fn transport(&self) -> &Transport {
        &self.settings.transport
    }

    /// Syncs `customers` and streams `(id, result)` as each customer finishes. Customers are
    /// taken from the iterator as places free up, so it may be long (or lazy). Syncs run as
    /// Tokio tasks of the current runtime, started on the first poll; dropping the stream
    /// cancels them.
    pub fn sync<I, C>(&self, customers: C) -> FleetStream<I>
    where
        I: Send + 'static,
        C: IntoIterator<Item = Customer<I>>,
        C::IntoIter: Send + 'static,
    {
        self.sync_stream(futures::stream::iter(customers))
    }

    /// [`Fleet::sync`] over customers that arrive over time (a job queue): results stream
    /// while the next customers are awaited; the stream ends when `customers` has ended and
    /// every customer's result was yielded.
    pub fn sync_stream<I, S>(&self, customers: S) -> FleetStream<I>
    where
        I: Send + 'static,
        S: Stream<Item = Customer<I>> + Send + 'static,
    {
        let settings = Arc::clone(&self.settings);
        let at_once = settings.customers_at_once;
        let inner = customers
            .map(move |customer: Customer<I>| {
                let Customer {
                    id,
                    config,
                    max_in_flight,
                    retry,
                } = customer;
                let job = Job {
                    config,
                    max_in_flight,
                    retry,
                };
                let task = AbortOnDrop(tokio::spawn(sync_customer(Arc::clone(&settings), job)));
                async move {
                    let result = match task.await {
                        Ok(result) => result,
                        Err(e) => Err(CustomerError::Aborted {
                            message: e.to_string(),
                        }),
                    };
                    (id, result)
                }
            })
            .buffer_unordered(at_once)
            .boxed();
        FleetStream { inner }
    }

    /// Syncs one customer (for a job system whose jobs are single customers; a fleet can
    /// serve many such jobs at once, all under its transport's bound).
    ///
    /// # Errors
    ///
    /// See [`CustomerError`].
    pub async fn sync_one<I>(&self, customer: Customer<I>) -> Result<Snapshot, CustomerError> {
        let job = Job {
            config: customer.config,
            max_in_flight: customer.max_in_flight,
            retry: customer.retry,
        };
        Box::pin(sync_customer(Arc::clone(&self.settings), job)).await
    }
}

/// The results of [`Fleet::sync`]: `(customer id, snapshot or error)` as each customer
/// finishes.
pub struct FleetStream<I> {
    inner: BoxStream<'static, (I, Result<Snapshot, CustomerError>)>,
}

impl<I> fmt::Debug for FleetStream<I> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FleetStream").finish_non_exhaustive()
    }
}

impl<I> Stream for FleetStream<I> {
    type Item = (I, Result<Snapshot, CustomerError>);

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

/// A customer without its id (which stays with the stream).
struct Job {
    config: Config,
    max_in_flight: Option<usize>,
    retry: Option<RetryPolicy>,
}

/// A spawned task, aborted when dropped (a dropped stream cancels its customers).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn sync_customer(settings: Arc<Settings>, job: Job) -> Result<Snapshot, CustomerError> {
    let access_key = job.config.access_key.as_ref().map(|a| a.value.clone());
    let mut builder = Client::builder()
        .transport(&settings.transport)
        .config(job.config)
        .max_concurrent_requests(job.max_in_flight.unwrap_or(settings.key_max_in_flight));
    if let Some(t) = settings.request_timeout {
        builder = builder.timeout(t);
    }
    let client = builder.build().map_err(CustomerError::Setup)?;
    let mut inventory = Inventory::builder(client.clone())
        .retry(job.retry.unwrap_or_else(|| settings.retry.clone()));
    if let Some(configure) = &settings.configure {
        inventory = configure(&client, inventory).map_err(CustomerError::Setup)?;
    }
    let inventory = inventory.build().map_err(CustomerError::Setup)?;
    let started = Instant::now();
    let at_start = client.stats();
    let stats_so_far =
        || SyncStats::from_client_stats(started.elapsed(), &client.stats().since(&at_start));
    let sync = collect(&inventory, access_key, &stats_so_far);
    match settings.customer_timeout {
        None => sync.await,
        Some(after) => match tokio::time::timeout(after, sync).await {
            Ok(result) => result,
            Err(_) => Err(CustomerError::TimedOut {
                after,
                stats: stats_so_far(),
            }),
        },
    }
}

/// [`Inventory::collect`], stopping at the first listing whose key was refused.
async fn collect(
    inventory: &Inventory,
    access_key: Option<AccessKey>,
    stats_so_far: &(dyn Fn() -> SyncStats + Send + Sync),
) -> Result<Snapshot, CustomerError> {
    let mut resources = Vec::new();
    let mut listings = Vec::new();
    let mut stats = SyncStats::default();
    let mut events = inventory.stream();
    while let Some(event) = events.next().await {
        match event {
            Event::Resource(r) => resources.push(*r),
            Event::Finished(report) => {
                if let LocalityStatus::Failed {
                    kind: FailureKind::Authentication,
                    error,
                    ..
                } = &report.status
                {
                    let message = format!("{} {}: {error}", report.source, report.locality);
                    drop(events); // cancels the customer's other listings
                    return Err(CustomerError::KeyRefused {
                        access_key,
                        message,
                        stats: stats_so_far(),
                    });
                }
                listings.push(report);
            }
            Event::Completed(s) => stats = s,
            _ => {}
        }
    }
    let projects = inventory.projects().to_vec();
    Ok(Snapshot::from_parts(projects, resources, listings, stats))
}
