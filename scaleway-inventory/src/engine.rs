//! The engine: every source × project × locality listing at once, under the client's
//! one global bound on requests in flight.

use std::collections::{HashMap, VecDeque};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use scaleway_core::{Client, Error, Locality, ProjectId, Region, RetryPolicy, Zone};
use tokio::sync::mpsc;
use tokio::task::{Id, JoinSet};

use crate::report::{LocalityReport, LocalityStatus, SyncStats};
use crate::resource::Resource;
use crate::snapshot::Snapshot;
use crate::source::{Emitter, Event, ListContext, Source};
use crate::sources::{
    BlockSource, InstanceSource, KubernetesSource, ObjectStorageSource, RegistrySource,
    SecretSource, SourceName, VpcSource,
};

/// Events buffered between the listings and the consumer (back-pressure beyond).
pub const DEFAULT_CHANNEL_CAPACITY: usize = 1024;

/// The listings' default retry policy: core's backoff (250 ms doubling to 8 s, full
/// jitter) with 40 attempts within 300 s.
pub(crate) fn default_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(40)
        .with_budget(Duration::from_secs(300))
}

/// Discovers a project (or several): runs every source in every locality where its
/// product exists, concurrently, and streams or collects the resources.
///
/// ```no_run
/// # async fn run() -> Result<(), scaleway_core::Error> {
/// use scaleway_core::Client;
/// use scaleway_inventory::Inventory;
///
/// let client = Client::from_env()?;
/// let inventory = Inventory::builder(client).build()?; // the default project, every source
/// let snapshot = inventory.collect().await;
/// for listing in snapshot.listings.iter().filter(|l| !l.status.is_ok()) {
///     eprintln!("{} {}: {:?}", listing.source, listing.locality, listing.status);
/// }
/// println!("{} resources", snapshot.resources.len());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Inventory {
    client: Client,
    projects: Vec<ProjectId>,
    sources: Vec<Arc<dyn Source>>,
    regions: Option<Vec<Region>>,
    channel_capacity: usize,
    retry: RetryPolicy,
}

/// Builds an [`Inventory`].
#[derive(Debug)]
pub struct InventoryBuilder {
    client: Client,
    projects: Vec<ProjectId>,
    built_in: Vec<SourceName>,
    custom: Vec<Arc<dyn Source>>,
    object_storage: Option<ObjectStorageSource>,
    regions: Option<Vec<Region>>,
    channel_capacity: usize,
    retry: RetryPolicy,
}

impl InventoryBuilder {
    /// Adds a project to discover (default: the configuration's default project).
    pub fn project(mut self, project: ProjectId) -> Self {
        if !self.projects.contains(&project) {
            self.projects.push(project);
        }
        self
    }

    /// Runs only these built-in sources (default: all of them). A
    /// [`SourceName::Custom`] name is refused by [`InventoryBuilder::build`]: custom sources
    /// are added with [`InventoryBuilder::add_source`].
    pub fn sources(mut self, names: &[SourceName]) -> Self {
        self.built_in = names
            .iter()
            .map(|n| SourceName::from_name(n.as_str()))
            .collect();
        self
    }

    /// Adds a custom source.
    pub fn add_source(mut self, source: Arc<dyn Source>) -> Self {
        self.custom.push(source);
        self
    }

    /// Uses this Object Storage source (endpoints, path style, timeouts) instead of one
    /// built from the client's configuration.
    pub fn object_storage(mut self, source: ObjectStorageSource) -> Self {
        self.object_storage = Some(source);
        self
    }

    /// Lists only these regions (and their zones).
    pub fn regions(mut self, regions: impl IntoIterator<Item = Region>) -> Self {
        self.regions = Some(regions.into_iter().collect());
        self
    }

    /// The retry policy of the listings' JSON API calls (default
    /// [`Inventory::default_retry`]: 40 attempts within 300 s), instead of the client's.
    ///
    /// A sync is read-only, idempotent work that should complete under a shared rate
    /// limit, so the inventory is more patient than a client's default. The price: a
    /// locality answering 5xx is reported `failed` only once the policy gives up (minutes
    /// with the default); pass a shorter policy to report outages sooner. Object Storage
    /// keeps its own, fast-failing policy ([`crate::ObjectStorageSourceBuilder::retry`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Events buffered before back-pressure slows the listings (default 1024).
    pub fn channel_capacity(mut self, n: usize) -> Self {
        self.channel_capacity = n.max(1);
        self
    }

    /// Builds the inventory.
    ///
    /// # Errors
    ///
    /// * [`scaleway_core::ConfigError::MissingCredentials`] when no project was given and
    ///   the configuration has no default project;
    /// * the errors of [`ObjectStorageSource::from_client`] when Object Storage is
    ///   selected without credentials;
    /// * [`scaleway_core::ErrorKind::InvalidRequest`] when [`InventoryBuilder::sources`]
    ///   named a source that is not built in.
    pub fn build(self) -> Result<Inventory, Error> {
        let mut projects = self.projects;
        if projects.is_empty() {
            projects.push(self.client.default_project_id()?.clone());
        }
        let mut sources: Vec<Arc<dyn Source>> = Vec::new();
        let mut object_storage = self.object_storage;
        for name in &self.built_in {
            let s: Arc<dyn Source> = match name {
                SourceName::Instance => Arc::new(InstanceSource::new()),
                SourceName::Block => Arc::new(BlockSource::new()),
                SourceName::Secret => Arc::new(SecretSource::new()),
                SourceName::ObjectStorage => match object_storage.take() {
                    Some(s) => Arc::new(s),
                    None => Arc::new(ObjectStorageSource::from_client(&self.client)?),
                },
                SourceName::Kubernetes => Arc::new(KubernetesSource::new()),
                SourceName::Vpc => Arc::new(VpcSource::new()),
                SourceName::Registry => Arc::new(RegistrySource::new()),
                SourceName::Custom(name) => {
                    return Err(Error::invalid_request(format!(
                        "`{name}` is not a built-in source (known sources: {}); add a custom source with InventoryBuilder::add_source",
                        SourceName::ALL.map(|n| n.to_string()).join(", ")
                    )));
                }
            };
            sources.push(s);
        }
        sources.extend(self.custom);
        Ok(Inventory {
            client: self.client,
            projects,
            sources,
            regions: self.regions,
            channel_capacity: self.channel_capacity,
            retry: self.retry,
        })
    }
}

impl Inventory {
    /// A builder on `client`: the client's bound on requests in flight
    /// ([`scaleway_core::ClientBuilder::max_concurrent_requests`]) is the sync's one
    /// global bound. Listings retry with the inventory's own policy
    /// ([`InventoryBuilder::retry`]), not the client's.
    pub fn builder(client: Client) -> InventoryBuilder {
        InventoryBuilder {
            client,
            projects: Vec::new(),
            built_in: SourceName::ALL.to_vec(),
            custom: Vec::new(),
            object_storage: None,
            regions: None,
            channel_capacity: DEFAULT_CHANNEL_CAPACITY,
            retry: default_retry(),
        }
    }

    /// The listings' default retry policy: scaleway-core's backoff (250 ms doubling up to
    /// 8 s, full jitter) with 40 attempts within 300 s, so that a sync completes under a
    /// shared rate limit answering 429 (see [`InventoryBuilder::retry`]).
    pub fn default_retry() -> RetryPolicy {
        default_retry()
    }

    /// The listings' retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }

    /// The projects discovered.
    pub fn projects(&self) -> &[ProjectId] {
        &self.projects
    }

    /// The sources run.
    pub fn sources(&self) -> &[Arc<dyn Source>] {
        &self.sources
    }

    /// Every (source, project, locality) listing a sync runs.
    pub fn plan(&self) -> Vec<(Arc<dyn Source>, ProjectId, Locality)> {
        self.listings(|source| source.localities())
    }

    /// The (source, project, locality) triples a sync reports `not_available` without
    /// sending a request: the zones (for a source listing zones) or regions (for one
    /// listing regions) scaleway-core knows where the source's product does not exist —
    /// Block Storage in `it-mil-1`, Secret Manager in `it-mil`, … — within
    /// [`InventoryBuilder::regions`].
    pub fn skipped(&self) -> Vec<(Arc<dyn Source>, ProjectId, Locality)> {
        self.listings(|source| {
            let has = source.localities();
            let mut known: Vec<Locality> = Vec::new();
            if has.iter().any(|l| matches!(l, Locality::Zone(_))) {
                known.extend(Zone::ALL.iter().cloned().map(Locality::Zone));
            }
            if has.iter().any(|l| matches!(l, Locality::Region(_))) {
                known.extend(Region::ALL.iter().cloned().map(Locality::Region));
            }
            known.retain(|l| !has.contains(l));
            known
        })
    }

    fn listings(
        &self,
        localities: impl Fn(&dyn Source) -> Vec<Locality>,
    ) -> Vec<(Arc<dyn Source>, ProjectId, Locality)> {
        let mut out = Vec::new();
        for source in &self.sources {
            for project in &self.projects {
                for locality in localities(source.as_ref()) {
                    let wanted = match (&self.regions, locality.region()) {
                        (None, _) => true,
                        (Some(list), Some(r)) => list.contains(&r),
                        (Some(_), None) => true,
                    };
                    if wanted {
                        out.push((Arc::clone(source), project.clone(), locality));
                    }
                }
            }
        }
        out
    }

    /// Starts a sync and streams its events: resources as their pages arrive, listing
    /// reports as listings finish, and [`Event::Completed`] last. Listings start on the
    /// first poll, on the current Tokio runtime; dropping the stream cancels them.
    pub fn stream(&self) -> SyncStream {
        SyncStream {
            state: State::Idle(self.clone()),
        }
    }

    /// Runs a sync to the end and returns the snapshot: every resource, the relations
    /// joined both ways (server `volumes` ↔ Block `references`, …), and the status of
    /// every listing.
    pub async fn collect(&self) -> Snapshot {
        let projects = self.projects.clone();
        let mut resources: Vec<Resource> = Vec::new();
        let mut listings = Vec::new();
        let mut stats = SyncStats::default();
        let mut stream = self.stream();
        while let Some(event) = stream.next().await {
            match event {
                Event::Resource(r) => resources.push(*r),
                Event::Finished(l) => listings.push(l),
                Event::Completed(s) => stats = s,
                Event::Expected { .. } => {}
            }
        }
        Snapshot::from_parts(projects, resources, listings, stats)
    }
}

/// The events of a running sync (see [`Inventory::stream`]).
pub struct SyncStream {
    state: State,
}

impl std::fmt::Debug for SyncStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Idle(_) => "idle",
            State::Running(_) => "running",
            State::Done => "done",
        };
        f.debug_struct("SyncStream").field("state", &state).finish()
    }
}

enum State {
    Idle(Inventory),
    Running(Box<Running>),
    Done,
}

struct Running {
    rx: mpsc::Receiver<Event>,
    tasks: JoinSet<LocalityReport>,
    keys: HashMap<Id, (String, ProjectId, Locality)>,
    client: scaleway_core::Client,
    stats_at_start: scaleway_core::ClientStats,
    started: Instant,
    rx_closed: bool,
    ready: VecDeque<LocalityReport>,
}

fn start(inventory: Inventory) -> Running {
    let (tx, rx) = mpsc::channel(inventory.channel_capacity);
    let stats_at_start = inventory.client.stats();
    let mut tasks = JoinSet::new();
    let mut keys = HashMap::new();
    // Where the product does not exist: reported at once, nothing sent.
    let ready: VecDeque<LocalityReport> = inventory
        .skipped()
        .into_iter()
        .map(|(source, project, locality)| {
            LocalityReport::new(
                source.name(),
                project,
                locality,
                LocalityStatus::not_available(),
            )
        })
        .collect();
    for (source, project, locality) in inventory.plan() {
        let name: Arc<str> = Arc::from(source.name());
        let out = Emitter::new(tx.clone(), Arc::clone(&name));
        let ctx = ListContext::new(inventory.client.clone(), project.clone(), locality.clone())
            .with_retry(inventory.retry.clone());
        let handle = tasks.spawn(run_listing(source, ctx, out));
        keys.insert(handle.id(), (name.to_string(), project, locality));
    }
    drop(tx);
    Running {
        rx,
        tasks,
        keys,
        client: inventory.client.clone(),
        stats_at_start,
        started: Instant::now(),
        rx_closed: false,
        ready,
    }
}

async fn run_listing(
    source: Arc<dyn Source>,
    ctx: ListContext,
    mut out: Emitter,
) -> LocalityReport {
    let result = source.list(&ctx, &mut out).await;
    let status = match (out.status().cloned(), result) {
        (Some(status), _) => status,
        (None, Ok(())) => LocalityStatus::listed(out.count(), out.reads()),
        (None, Err(e)) => LocalityStatus::from_error(&e, out.count()),
    };
    LocalityReport::new(source.name(), ctx.project_id, ctx.locality, status)
        .with_reads(out.reads().clone())
}

impl Stream for SyncStream {
    type Item = Event;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        let this = &mut *self;
        if let State::Idle(inv) = &this.state {
            this.state = State::Running(Box::new(start(inv.clone())));
        }
        let State::Running(run) = &mut this.state else {
            return Poll::Ready(None);
        };
        loop {
            // Resources first. A listing's report is yielded only after the channel was
            // seen empty once its task had ended, so it always follows its resources.
            if !run.rx_closed {
                match run.rx.poll_recv(cx) {
                    Poll::Ready(Some(event)) => return Poll::Ready(Some(event)),
                    Poll::Ready(None) => run.rx_closed = true,
                    Poll::Pending => {}
                }
            }
            if let Some(report) = run.ready.pop_front() {
                return Poll::Ready(Some(Event::Finished(report)));
            }
            match run.tasks.poll_join_next_with_id(cx) {
                Poll::Ready(Some(Ok((id, report)))) => {
                    run.keys.remove(&id);
                    run.ready.push_back(report);
                }
                Poll::Ready(Some(Err(e))) => {
                    let (source, project_id, locality) =
                        run.keys.remove(&e.id()).unwrap_or_else(|| {
                            (String::from("?"), ProjectId::default(), Locality::Global)
                        });
                    run.ready.push_back(LocalityReport::new(
                        source,
                        project_id,
                        locality,
                        LocalityStatus::Failed {
                            error: format!("the listing task ended abnormally: {e}"),
                            kind: crate::report::FailureKind::Other,
                            partial_count: 0,
                        },
                    ));
                }
                Poll::Ready(None) if run.rx_closed => {
                    let event = completed(run);
                    this.state = State::Done;
                    return Poll::Ready(Some(event));
                }
                // Every task ended; the channel closes once their senders are gone (the
                // receiver's waker is registered above).
                Poll::Ready(None) | Poll::Pending => return Poll::Pending,
            }
        }
    }
}

fn completed(run: &Running) -> Event {
    // Counted by the client, so concurrent work on the same client is included.
    let stats = run.client.stats().since(&run.stats_at_start);
    Event::Completed(SyncStats::from_client_stats(run.started.elapsed(), &stats))
}
