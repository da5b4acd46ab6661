//! The [`Source`] trait every source implements, and what the engine hands it.

use std::fmt;
use std::sync::Arc;

use futures::StreamExt;
use scaleway_core::{
    Client, Error, ListItem, Listable, ListingReport, Locality, PageStyle, ProjectId,
    RequestBuilder, RetryPolicy,
};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc;

use crate::report::{LocalityReport, LocalityStatus, SyncStats};
use crate::resource::Resource;
use crate::sources::SourceName;

/// A discovery source: one product (or a custom one of an embedding tool).
///
/// The trait is object-safe: the engine holds `Arc<dyn Source>`, so a tool can add its own
/// sources next to the built-in ones or run a subset.
///
/// Everything an implementation needs is exported by this crate: the attribute
/// ([`async_trait`](crate::async_trait)), the error ([`Error`](crate::Error)), the
/// localities ([`Locality`](crate::Locality), [`Region`](crate::Region),
/// [`Zone`](crate::Zone)) and, for custom objects, [`serde_json`](crate::serde_json).
///
/// ```
/// use std::sync::Arc;
/// use scaleway_inventory::{
///     Emitter, Error, Inventory, ListContext, Locality, ProductObject, Region, Resource,
///     ResourceKind, Source, async_trait, serde_json,
/// };
///
/// /// A source of resources the tool keeps elsewhere.
/// #[derive(Debug)]
/// struct Appliances;
///
/// #[async_trait]
/// impl Source for Appliances {
///     fn name(&self) -> &str {
///         "appliances"
///     }
///     fn localities(&self) -> Vec<Locality> {
///         vec![Locality::Region(Region::FrPar)]
///     }
///     async fn list(&self, ctx: &ListContext, out: &mut Emitter) -> Result<(), Error> {
///         out.announce(1).await;
///         let object = ProductObject::Custom(serde_json::json!({"serial": "A-1"}));
///         let r = Resource::new(ResourceKind::Custom("appliance".into()), self.name(),
///             ctx.locality.clone(), "A-1", object)
///             .with_name("appliance A-1")
///             .with_project(ctx.project_id.clone());
///         out.emit(r).await
///     }
/// }
///
/// # fn run(client: scaleway_core::Client) -> Result<(), Error> {
/// let inventory = Inventory::builder(client)
///     .sources(&[]) // no built-in source: this one alone
///     .add_source(Arc::new(Appliances))
///     .build()?;
/// # let _ = inventory;
/// # Ok(())
/// # }
/// ```
#[async_trait::async_trait]
pub trait Source: Send + Sync + fmt::Debug {
    /// Short, stable name (`instance`, `block`, …): the `source` of its resources and of
    /// its reports.
    fn name(&self) -> &str;

    /// The localities where the product exists: one listing runs per locality (and per
    /// project).
    fn localities(&self) -> Vec<Locality>;

    /// Lists one project in one locality, emitting resources as they arrive.
    ///
    /// # Errors
    ///
    /// The error that stopped the listing: the engine reports it as `denied`,
    /// `not_available` or `failed` for this locality; other listings are unaffected.
    async fn list(&self, ctx: &ListContext, out: &mut Emitter) -> Result<(), Error>;
}

/// What a listing works on.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ListContext {
    /// The client (its global bound on requests in flight applies to every listing).
    pub client: Client,
    /// The project to list.
    pub project_id: ProjectId,
    /// The locality to list.
    pub locality: Locality,
    /// The retry policy of the listing's calls ([`crate::InventoryBuilder::retry`]; default
    /// [`crate::Inventory::default_retry`]). [`ListContext::get`] applies it.
    pub retry: RetryPolicy,
}

impl ListContext {
    /// A context (for tests and custom engines), with the inventory's default retry policy.
    pub fn new(client: Client, project_id: ProjectId, locality: Locality) -> Self {
        ListContext {
            client,
            project_id,
            locality,
            retry: crate::engine::default_retry(),
        }
    }

    /// The same context with this retry policy.
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// `GET route` on the client, with the listing's retry policy: how every built-in JSON
    /// source starts its calls.
    pub fn get(&self, route: &'static str) -> RequestBuilder {
        self.client.get(route).retry(self.retry.clone())
    }
}

/// An event of a running sync.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Event {
    /// A resource, as soon as its page arrived.
    Resource(Box<Resource>),
    /// A listing announced how many resources it will emit (progress).
    Expected {
        /// The source's name.
        source: SourceName,
        /// Additional resources expected.
        count: u64,
    },
    /// A listing finished (one per source × project × locality).
    Finished(LocalityReport),
    /// Every listing finished; the last event of a sync.
    Completed(SyncStats),
}

/// Where a source sends its resources (with back-pressure: a slow consumer slows the
/// listings down instead of buffering everything).
#[derive(Debug)]
pub struct Emitter {
    tx: mpsc::Sender<Event>,
    source: Arc<str>,
    count: u64,
    status: Option<LocalityStatus>,
    reads: ListingReport,
}

impl Emitter {
    pub(crate) fn new(tx: mpsc::Sender<Event>, source: Arc<str>) -> Self {
        Emitter {
            tx,
            source,
            count: 0,
            status: None,
            reads: ListingReport::default(),
        }
    }

    /// An emitter for a custom engine or a test, with the receiving end.
    pub fn channel(source: &str, capacity: usize) -> (Emitter, mpsc::Receiver<Event>) {
        let (tx, rx) = mpsc::channel(capacity.max(1));
        (Emitter::new(tx, Arc::from(source)), rx)
    }

    /// Sends one resource.
    ///
    /// # Errors
    ///
    /// [`scaleway_core::ErrorKind::InvalidRequest`] when the sync was dropped (cancelled).
    pub async fn emit(&mut self, resource: Resource) -> Result<(), Error> {
        self.tx
            .send(Event::Resource(Box::new(resource)))
            .await
            .map_err(|_| Error::invalid_request("the inventory sync was cancelled"))?;
        self.count += 1;
        Ok(())
    }

    /// Announces `count` more resources to come, as an [`Event::Expected`] (for progress
    /// bars).
    pub async fn announce(&mut self, count: u64) {
        let _ = self
            .tx
            .send(Event::Expected {
                source: SourceName::from_name(&self.source),
                count,
            })
            .await;
    }

    /// Resources emitted so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Reports this status for the listing instead of the one the engine would derive
    /// from the result of [`Source::list`] (for a source whose API client explains errors
    /// in its own type, e.g. a denial with the missing permissions).
    pub fn set_status(&mut self, status: LocalityStatus) {
        self.status = Some(status);
    }

    /// The status set with [`Emitter::set_status`].
    pub fn status(&self) -> Option<&LocalityStatus> {
        self.status.as_ref()
    }

    /// Adds how one paginated call of the listing was read ([`scaleway_core::Listing::report`])
    /// to the listing's report: [`emit_pages`] does it; a source reading a paginator itself
    /// calls it once its listing ended. A listing that may be incomplete is then reported
    /// [`LocalityStatus::Incomplete`] instead of `ok`.
    pub fn record_reads(&mut self, reads: &ListingReport) {
        self.reads.merge(reads);
    }

    /// How the listing's pages were read so far (every call recorded with
    /// [`Emitter::record_reads`]).
    pub fn reads(&self) -> &ListingReport {
        &self.reads
    }
}

/// Pages fetched ahead per listing by [`emit_pages`], after the first (scaleway-core's
/// default is 16). Pages fetched ahead wait in memory until the listing emits them, so
/// this bounds a sync's memory when the consumer is slower than the network: streaming
/// ~100 000 resources peaks at about 47–54 MB with 8, 58–66 MB with 16, at the same speed
/// (`cargo bench -p scaleway-inventory --bench rss -- stream`). The client's global bound on
/// requests in flight applies on top.
pub const PAGE_READ_AHEAD: usize = 8;

/// Lists every page of `request` (items under `items_key`), maps each item to resources
/// and emits them page by page. Announces the total from the first page. The one listing
/// helper every built-in source uses; it fetches [`PAGE_READ_AHEAD`] pages at once after
/// the first.
///
/// The listing is scaleway-core's consistent one ([`scaleway_core::Listable::listing`]):
/// each item is emitted once, and the listing is read again when the collection changed
/// while it was read; how it was read is recorded in `out` ([`Emitter::record_reads`]).
/// Send the request with its oldest-first order.
///
/// # Errors
///
/// The first error of any page, or a cancelled sync.
pub async fn emit_pages<T, F, I>(
    request: RequestBuilder,
    items_key: &'static str,
    style: PageStyle,
    out: &mut Emitter,
    mut map: F,
) -> Result<u64, Error>
where
    T: DeserializeOwned + ListItem + Send + 'static,
    F: FnMut(T) -> I,
    I: IntoIterator<Item = Resource>,
{
    let mut pages = request
        .paginate::<T>(items_key)
        .style(style)
        .concurrency(PAGE_READ_AHEAD)
        .listing();
    let mut n = 0;
    let mut first = true;
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                // The report follows the error.
                while pages.next().await.is_some() {}
                if let Some(reads) = pages.report() {
                    out.record_reads(reads);
                }
                return Err(e);
            }
        };
        if first {
            first = false;
            if let Some(total) = page.total_count {
                out.announce(total).await;
            }
        }
        for item in page.items {
            for r in map(item) {
                out.emit(r).await?;
                n += 1;
            }
        }
    }
    if let Some(reads) = pages.report() {
        out.record_reads(reads);
    }
    Ok(n)
}

impl Emitter {
    /// A second emitter on the same sync, for a listing that runs two requests at once
    /// (its count starts at zero; add it back with [`Emitter::absorb`]).
    pub fn fork(&self) -> Emitter {
        Emitter {
            tx: self.tx.clone(),
            source: Arc::clone(&self.source),
            count: 0,
            status: None,
            reads: ListingReport::default(),
        }
    }

    /// Adds the count and the reads of a finished fork.
    pub fn absorb(&mut self, fork: Emitter) {
        self.count += fork.count;
        self.reads.merge(&fork.reads);
    }
}
