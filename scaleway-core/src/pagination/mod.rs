//! One pagination mechanism for both Scaleway styles.
//!
//! * **`page` / `page_size`** with `total_count` in the body (every API but Instance);
//! * **`page` / `per_page`** with the total in the `X-Total-Count` header (and a `Link`
//!   header) — Instance.
//!
//! The paginator asks for the largest page the API accepts (100) so that listings take
//! the fewest requests, reads the total from the **first** page (later pages may lie:
//! VPC answers `total_count: 0` past the end), then fetches every remaining page
//! concurrently up to a bound while yielding items in order. If the server returned fewer
//! items than asked while the total says there is more, the first page's length is taken
//! as the page size (as the Go SDK does). It stops at the first short or empty page even
//! if the total promised more. A total lower than the first page's count is not believed:
//! pages are then fetched one by one until a short page. It never requests more than
//! `ceil(total / page_size)` pages per pass, nor more than 10 000 (an error says so), so it
//! cannot loop forever.
//!
//! **While the collection changes.** Items are deduplicated by ID ([`ListItem`]) over the
//! whole listing, and a listing is read again (a further *pass*, up to
//! [`Paginator::max_passes`]) when a pass cannot prove it saw every item that existed when
//! it began: fewer distinct items certainly created before the pass than its first page
//! announced. So an item that exists from the start to the end of a listing is yielded
//! exactly once, no item twice, and a quiet listing costs one request per page, as before.
//! [`Listable::listing`] gives the [`ListingReport`] (what changed, what was re-read);
//! [`Listable::items`], [`pages`](Listable::pages) and [`collect`](Listable::collect) end
//! with an [`ErrorKind::IncompleteListing`] error when the bound was reached. The argument
//! is in `docs/inventory.md`.
//!
//! **One shape for every listing.** [`Listable`] is the one listing abstraction of the
//! `scaleway-*` crates: every product listing builder (IAM's, the registry's…) turns into a
//! [`Paginator`] and is read with the same four consumers, none taking an argument —
//! [`items`](Listable::items) (a `Stream` of items), [`pages`](Listable::pages) (a `Stream`
//! of pages), [`collect`](Listable::collect) (a `Vec`) and [`listing`](Listable::listing)
//! (pages, then the [`ListingReport`]). Required parameters (a region, a policy ID) are
//! given when the listing is built; reading the same listing in many localities at once is
//! [`fanout::collect_per_locality`](crate::fanout::collect_per_locality).
//!
//! ```no_run
//! # async fn run(client: scaleway_core::Client) -> Result<(), scaleway_core::Error> {
//! use futures::TryStreamExt;
//! use scaleway_core::{Listable, Zone};
//!
//! #[derive(serde::Deserialize)]
//! struct Server { id: String, creation_date: Option<scaleway_core::Timestamp> }
//!
//! impl scaleway_core::ListItem for Server {
//!     fn list_id(&self) -> std::borrow::Cow<'_, str> { self.id.as_str().into() }
//!     fn list_created_at(&self) -> Option<scaleway_core::Timestamp> { self.creation_date }
//! }
//!
//! let servers: Vec<Server> = client
//!     .get("/instance/v1/zones/{zone}/servers")
//!     .zone(&Zone::FrPar1)
//!     .query("order", "creation_date_asc")
//!     .paginate::<Server>("servers")
//!     .per_page_style()
//!     .items()
//!     .try_collect()
//!     .await?;
//! # Ok(()) }
//! ```

mod listable;
mod listing;

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use futures::stream::{self, BoxStream, StreamExt};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};

use crate::Timestamp;
use crate::client::{RequestBuilder, Response, redacted_excerpt};
use crate::error::{DecodeError, Error, ErrorKind};

pub use self::listable::Listable;
use self::listing::{AfterPass, Fetched, PassStart, Step, Tracker};
pub use self::listing::{
    Completeness, DEFAULT_CLOCK_MARGIN, DEFAULT_MAX_PASSES, ListItem, Listing, ListingReport,
};

/// The largest page size Scaleway APIs accept.
pub const MAX_PAGE_SIZE: u32 = 100;
/// Default number of pages fetched at once after the first.
pub const DEFAULT_PAGE_CONCURRENCY: usize = 16;
/// Hard cap on the number of pages of one listing (IAM's documented `page` maximum).
pub const MAX_PAGES: u32 = 10_000;

/// Which pagination convention the endpoint uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageStyle {
    /// `page` + `page_size`, `total_count` in the body.
    PageSize,
    /// `page` + `per_page`, `X-Total-Count` header (Instance).
    PerPage,
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// 1-based page number.
    pub number: u32,
    /// The page's items.
    pub items: Vec<T>,
    /// The total the server announced on this page, if any.
    pub total_count: Option<u64>,
    /// The pass over the listing this page belongs to (1, then 2… when the listing was read
    /// again because it changed; a later pass's pages hold only the items not yielded
    /// before).
    pub pass: u32,
}

/// Turns the core errors of a listing into the listing's own error type.
pub(crate) type Explain<E> = Arc<dyn Fn(Error) -> E + Send + Sync>;

/// Applied to every item before it is yielded.
type Prepare<T> = Arc<dyn Fn(T) -> T + Send + Sync>;

/// A paginated listing: what every listing of every `scaleway-*` crate turns into. Build it
/// with [`RequestBuilder::paginate`] (a product crate then adapts it with
/// [`map_err`](Paginator::map_err) and [`map_items`](Paginator::map_items)); read it with
/// the [`Listable`] consumers: [`items`](Listable::items), [`pages`](Listable::pages),
/// [`collect`](Listable::collect) or [`listing`](Listable::listing).
///
/// `E` is the error its consumers yield: scaleway-core's [`Error`] unless a product crate
/// explains errors its own way.
#[must_use = "a paginator does nothing until it is consumed"]
pub struct Paginator<T, E = Error> {
    request: RequestBuilder,
    items_key: &'static str,
    style: PageStyle,
    page_size: u32,
    concurrency: usize,
    max_passes: u32,
    clock_margin: Duration,
    explain: Explain<E>,
    prepare: Option<Prepare<T>>,
    _t: PhantomData<fn() -> T>,
}

/// The same listing, to read it again.
impl<T, E> Clone for Paginator<T, E> {
    fn clone(&self) -> Self {
        Paginator {
            request: self.request.clone(),
            items_key: self.items_key,
            style: self.style,
            page_size: self.page_size,
            concurrency: self.concurrency,
            max_passes: self.max_passes,
            clock_margin: self.clock_margin,
            explain: Arc::clone(&self.explain),
            prepare: self.prepare.clone(),
            _t: PhantomData,
        }
    }
}

impl<T, E> fmt::Debug for Paginator<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Paginator")
            .field("request", &self.request)
            .field("items_key", &self.items_key)
            .field("style", &self.style)
            .field("page_size", &self.page_size)
            .field("concurrency", &self.concurrency)
            .field("max_passes", &self.max_passes)
            .field("clock_margin", &self.clock_margin)
            .finish_non_exhaustive()
    }
}

impl RequestBuilder {
    /// Lists every item of a paginated endpoint whose items are under `items_key`
    /// (`"servers"`, `"api_keys"`, …). Send the listing's order with the request (oldest
    /// first where the API documents it: `order_by=created_at_asc`, Instance's
    /// `order=creation_date_asc`), so that creations during the listing shift nothing.
    pub fn paginate<T: DeserializeOwned + ListItem + Send + 'static>(
        self,
        items_key: &'static str,
    ) -> Paginator<T> {
        Paginator {
            request: self,
            items_key,
            style: PageStyle::PageSize,
            page_size: MAX_PAGE_SIZE,
            concurrency: DEFAULT_PAGE_CONCURRENCY,
            max_passes: DEFAULT_MAX_PASSES,
            clock_margin: DEFAULT_CLOCK_MARGIN,
            explain: Arc::new(|e| e),
            prepare: None,
            _t: PhantomData,
        }
    }
}

impl<T, E> Paginator<T, E>
where
    T: DeserializeOwned + ListItem + Send + 'static,
    E: Send + 'static,
{
    /// Uses Instance's `per_page` / `X-Total-Count` convention.
    pub fn per_page_style(mut self) -> Self {
        self.style = PageStyle::PerPage;
        self
    }

    /// Sets the pagination convention.
    pub fn style(mut self, style: PageStyle) -> Self {
        self.style = style;
        self
    }

    /// Sets the page size (default and maximum 100).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = n.clamp(1, MAX_PAGE_SIZE);
        self
    }

    /// Sets how many pages are fetched at once after the first (default 16). The client's
    /// global bound on requests in flight still applies.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Reads the listing at most `n` times (default [`DEFAULT_MAX_PASSES`], at least 1) when
    /// it changes while it is read.
    pub fn max_passes(mut self, n: u32) -> Self {
        self.max_passes = n.max(1);
        self
    }

    /// How much earlier than the server's `Date` of a pass's first page an item must have
    /// been created to count as created before the pass began (default
    /// [`DEFAULT_CLOCK_MARGIN`]). A larger margin costs a re-read when something was
    /// created shortly before the listing; a smaller one trusts the server's clocks more.
    pub fn clock_margin(mut self, margin: Duration) -> Self {
        self.clock_margin = margin;
        self
    }

    /// Yields errors as `f` makes them (a product crate's error type, which explains a
    /// refusal its own way). Every consumer uses it, the
    /// [`IncompleteListing`](ErrorKind::IncompleteListing) error included.
    pub fn map_err<E2: Send + 'static>(
        self,
        f: impl Fn(E) -> E2 + Send + Sync + 'static,
    ) -> Paginator<T, E2> {
        let explain = self.explain;
        Paginator {
            request: self.request,
            items_key: self.items_key,
            style: self.style,
            page_size: self.page_size,
            concurrency: self.concurrency,
            max_passes: self.max_passes,
            clock_margin: self.clock_margin,
            explain: Arc::new(move |e| f(explain(e))),
            prepare: self.prepare,
            _t: PhantomData,
        }
    }

    /// Applies `f` to every item before it is yielded, after deduplication: fills in what
    /// the API leaves out (the region an item was read from, say). Applied after any
    /// earlier `map_items`.
    pub fn map_items(mut self, f: impl Fn(T) -> T + Send + Sync + 'static) -> Self {
        self.prepare = Some(match self.prepare.take() {
            Some(before) => Arc::new(move |item| f(before(item))),
            None => Arc::new(f),
        });
        self
    }

    /// The same listing yielding scaleway-core's errors, and how to turn them into `E` (the
    /// fan-out decides "not available here" on the core error).
    pub(crate) fn split_explain(self) -> (Paginator<T>, Explain<E>) {
        let explain = Arc::clone(&self.explain);
        let core = Paginator {
            request: self.request,
            items_key: self.items_key,
            style: self.style,
            page_size: self.page_size,
            concurrency: self.concurrency,
            max_passes: self.max_passes,
            clock_margin: self.clock_margin,
            explain: Arc::new(|e| e),
            prepare: self.prepare,
            _t: PhantomData,
        };
        (core, explain)
    }

    /// Every page and then the [`ListingReport`]: see [`Listing`].
    pub(crate) fn read_listing(self) -> Listing<T, E> {
        let fetcher = Fetcher {
            request: self.request,
            items_key: self.items_key,
            style: self.style,
            page_size: self.page_size,
        };
        let run = Run {
            fetcher,
            concurrency: self.concurrency,
            margin: chrono::Duration::from_std(self.clock_margin)
                .unwrap_or_else(|_| chrono::Duration::seconds(5)),
            tracker: Tracker::new(self.max_passes),
            prepare: self.prepare,
            pass: None,
            state: RunState::Reading,
        };
        Listing::new(stream::unfold(run, Run::step).boxed(), self.explain)
    }

    /// Every page, in order; then, when the listing kept changing, an
    /// [`ErrorKind::IncompleteListing`] error. The stream ends after the first error.
    pub(crate) fn read_pages(self) -> BoxStream<'static, Result<Page<T>, E>> {
        let (core, explain) = self.split_explain();
        let info = core.request.info();
        let pages = stream::unfold(Some(core.read_listing()), move |state| {
            let info = info.clone();
            async move {
                let mut listing = state?;
                match listing.next().await {
                    Some(Err(e)) => Some((Err(e), None)),
                    Some(Ok(p)) => Some((Ok(p), Some(listing))),
                    None => {
                        let report = listing.report()?;
                        if report.completeness != Completeness::MayBeIncomplete {
                            return None;
                        }
                        let err = Error::new(ErrorKind::IncompleteListing {
                            passes: report.passes,
                            missing: report.possibly_missing,
                        })
                        .with_request(info);
                        Some((Err(err), None))
                    }
                }
            }
        });
        pages.map(move |p| p.map_err(|e| explain(e))).boxed()
    }

    /// Every item, in order (see [`Paginator::read_pages`]).
    pub(crate) fn read_items(self) -> BoxStream<'static, Result<T, E>> {
        self.read_pages()
            .flat_map(|page| match page {
                Ok(p) => stream::iter(p.items.into_iter().map(Ok)).left_stream(),
                Err(e) => stream::iter(std::iter::once(Err(e))).right_stream(),
            })
            .boxed()
    }

    /// Every item, collected (see [`Paginator::read_pages`]).
    pub(crate) async fn read_all(self) -> Result<Vec<T>, E> {
        let mut out = Vec::new();
        let mut pages = self.read_pages();
        while let Some(p) = pages.next().await {
            out.extend(p?.items);
        }
        Ok(out)
    }
}

/// Where a listing's run is.
enum RunState {
    Reading,
    /// The report is to be yielded, then the stream ends.
    Report,
    Ended,
}

/// A listing across its passes.
struct Run<T> {
    fetcher: Fetcher,
    concurrency: usize,
    margin: chrono::Duration,
    tracker: Tracker,
    prepare: Option<Prepare<T>>,
    pass: Option<BoxStream<'static, Result<Fetched<T>, Error>>>,
    state: RunState,
}

impl<T: DeserializeOwned + ListItem + Send + 'static> Run<T> {
    async fn step(mut self) -> Option<(Step<T>, Self)> {
        loop {
            match self.state {
                RunState::Ended => return None,
                RunState::Report => {
                    self.state = RunState::Ended;
                    let report = self.tracker.report.clone();
                    return Some((Step::Done(report), self));
                }
                RunState::Reading => {}
            }
            if self.pass.is_none() {
                self.tracker.begin_pass();
                self.pass = Some(one_pass(
                    self.fetcher.clone(),
                    self.concurrency,
                    self.margin,
                ));
            }
            let next = match self.pass.as_mut() {
                Some(p) => p.next().await,
                None => None,
            };
            match next {
                Some(Ok(fetched)) => {
                    let mut page = self.tracker.page(fetched);
                    if let Some(prepare) = &self.prepare {
                        page.items = page.items.into_iter().map(|i| prepare(i)).collect();
                    }
                    return Some((Step::Page(Ok(page)), self));
                }
                Some(Err(e)) => {
                    self.tracker.fail();
                    self.pass = None;
                    self.state = RunState::Report;
                    return Some((Step::Page(Err(e)), self));
                }
                None => {
                    self.pass = None;
                    if let AfterPass::Stop = self.tracker.end_pass() {
                        self.state = RunState::Report;
                    }
                }
            }
        }
    }
}

/// One pass: page 1, then the others.
fn one_pass<T: DeserializeOwned + Send + 'static>(
    fetcher: Fetcher,
    concurrency: usize,
    margin: chrono::Duration,
) -> BoxStream<'static, Result<Fetched<T>, Error>> {
    let page_size = fetcher.page_size;
    let first = {
        let f = fetcher.clone();
        async move {
            // The local clock stands in for a server that sends no `Date`.
            let sent_at = chrono::Utc::now();
            f.fetch::<T>(1).await.map(|(page, meta)| {
                let start = PassStart {
                    total: believed_total(&page),
                    created_before: meta.date.unwrap_or(sent_at) - margin,
                };
                (page, meta.link_last, start)
            })
        }
    };
    stream::once(first)
        .flat_map(move |first| match first {
            Err(e) => stream::iter([Err(e)]).boxed(),
            Ok((page, link_last, start)) => {
                rest_of_listing(fetcher.clone(), page, link_last, page_size, concurrency)
                    .enumerate()
                    .map(move |(i, p)| {
                        p.map(|page| Fetched {
                            page,
                            start: (i == 0).then_some(start),
                        })
                    })
                    .boxed()
            }
        })
        .boxed()
}

/// The first page's total, unless it is lower than what the first page already holds.
fn believed_total<T>(first: &Page<T>) -> Option<u64> {
    let seen = first.items.len() as u64;
    first.total_count.filter(|t| *t >= seen)
}

/// The first page, then the others. Decides how many pages there are from the first one.
fn rest_of_listing<T: DeserializeOwned + Send + 'static>(
    fetcher: Fetcher,
    first: Page<T>,
    link_last: Option<u32>,
    page_size: u32,
    concurrency: usize,
) -> BoxStream<'static, Result<Page<T>, Error>> {
    let seen = first.items.len() as u64;
    // The server may cap the page size below what we asked (maximums are unconfirmed for
    // some APIs): like the Go SDK, take the first page's length as the page size when the
    // total says there is more.
    let effective = match first.total_count {
        Some(t) if t > seen && seen > 0 && seen < u64::from(page_size) => seen,
        _ => u64::from(page_size),
    };
    // A total below what the first page already holds is not believed.
    let total = believed_total(&first);
    let short = seen < effective;
    let last_page = match (total, link_last) {
        (Some(t), _) => Some(t.div_ceil(effective.max(1))),
        (None, Some(l)) => Some(u64::from(l)),
        (None, None) => None,
    };
    let head = stream::iter([Ok(first)]);
    if short || last_page.is_some_and(|l| l <= 1) {
        return head.boxed();
    }
    if let Some(l) = last_page
        && l > u64::from(MAX_PAGES)
    {
        let err = Error::invalid_request(format!(
            "the listing announces {l} pages of {effective} items, more than the {MAX_PAGES} pages this client fetches; narrow it with filters"
        ));
        return head.chain(stream::iter([Err(err)])).boxed();
    }
    let fetch = move |n: u32| {
        let f = fetcher.clone();
        async move { f.fetch(n).await.map(|(p, _)| p) }
    };
    let rest = match last_page {
        // Known page count: all remaining pages at once, in order.
        Some(l) => stream::iter(2..=(l as u32))
            .map(fetch)
            .buffered(concurrency)
            .boxed(),
        // No (believable) total: one page after the other until a short page.
        None => stream::iter(2..=MAX_PAGES).then(fetch).boxed(),
    };
    take_through(
        head.chain(rest).boxed(),
        move |page: &Result<Page<T>, Error>| match page {
            Err(_) => true,
            Ok(p) => (p.items.len() as u64) < effective,
        },
    )
}

/// Yields items until (and including) the first one for which `last` is true, then ends
/// without polling `inner` again (so no page beyond a short one is requested or awaited).
fn take_through<I, F>(inner: BoxStream<'static, I>, last: F) -> BoxStream<'static, I>
where
    I: Send + 'static,
    F: Fn(&I) -> bool + Send + Sync + 'static,
{
    let last = std::sync::Arc::new(last);
    stream::unfold(Some(inner), move |state| {
        let last = std::sync::Arc::clone(&last);
        async move {
            let mut inner = state?;
            let item = inner.next().await?;
            let next_state = if last(&item) { None } else { Some(inner) };
            Some((item, next_state))
        }
    })
    .boxed()
}

#[derive(Debug, Clone)]
struct Fetcher {
    request: RequestBuilder,
    items_key: &'static str,
    style: PageStyle,
    page_size: u32,
}

impl Fetcher {
    /// Fetches page `n`; returns it and what its headers say.
    async fn fetch<T: DeserializeOwned>(&self, n: u32) -> Result<(Page<T>, PageMeta), Error> {
        let size_key = match self.style {
            PageStyle::PageSize => "page_size",
            PageStyle::PerPage => "per_page",
        };
        let req = self
            .request
            .clone()
            .set_query("page", n)
            .set_query(size_key, self.page_size);
        let info = req.info();
        let resp = req.send_raw().await?;
        let (items, body_total) =
            decode_page::<T>(&resp, self.items_key).map_err(|e| e.with_request(info))?;
        let header_total = resp
            .header("x-total-count")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let total_count = match self.style {
            PageStyle::PageSize => body_total.or(header_total),
            PageStyle::PerPage => header_total.or(body_total),
        };
        let meta = PageMeta {
            link_last: resp.header("link").and_then(link_last_page),
            date: resp.header("date").and_then(http_date),
        };
        Ok((
            Page {
                number: n,
                items,
                total_count,
                pass: 1,
            },
            meta,
        ))
    }
}

/// What a page's headers say besides the total.
struct PageMeta {
    /// The `Link: rel="last"` page number.
    link_last: Option<u32>,
    /// The server's `Date`.
    date: Option<Timestamp>,
}

/// An HTTP date (`Thu, 03 Dec 2026 17:03:27 GMT`, RFC 9110's IMF-fixdate).
fn http_date(value: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

fn decode_page<T: DeserializeOwned>(
    resp: &Response,
    items_key: &'static str,
) -> Result<(Vec<T>, Option<u64>), Error> {
    let mut de = serde_json::Deserializer::from_slice(resp.body());
    let mut track = serde_path_to_error::Track::new();
    let seed = PageSeed::<T> {
        key: items_key,
        _t: PhantomData,
    };
    let result = seed.deserialize(serde_path_to_error::Deserializer::new(&mut de, &mut track));
    result.map_err(|e| {
        Error::new(ErrorKind::Decode(DecodeError {
            path: track.path().to_string(),
            message: e.to_string(),
            status: resp.status(),
            request_id: resp.header("x-request-id").map(str::to_owned),
            body_excerpt: redacted_excerpt(resp.body()),
        }))
        .with_attempts(resp.attempts())
    })
}

/// Picks `key` (the items) and `total_count` out of a list response without a struct per
/// endpoint.
struct PageSeed<T> {
    key: &'static str,
    _t: PhantomData<T>,
}

impl<'de, T: DeserializeOwned> DeserializeSeed<'de> for PageSeed<T> {
    type Value = (Vec<T>, Option<u64>);

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, T: DeserializeOwned> Visitor<'de> for PageSeed<T> {
    type Value = (Vec<T>, Option<u64>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "an object with a `{}` list", self.key)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut items: Option<Vec<T>> = None;
        let mut total = None;
        while let Some(k) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if k == self.key {
                items = Some(map.next_value::<Option<Vec<T>>>()?.unwrap_or_default());
            } else if k == "total_count" {
                total = map.next_value::<Option<u64>>()?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        let items = items.ok_or_else(|| de::Error::missing_field(self.key))?;
        Ok((items, total))
    }
}

/// `</servers?page=3&per_page=50>; rel="last"` → 3. Commas inside `<…>` (comma-joined
/// Instance filters) do not split links.
fn link_last_page(link: &str) -> Option<u32> {
    let mut links = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in link.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                links.push(&link[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    links.push(&link[start..]);
    links.into_iter().find_map(|part| {
        let (target, params) = part.split_once(">;")?;
        if !params.contains("rel=\"last\"") && !params.contains("rel=last") {
            return None;
        }
        let target = target.trim().trim_start_matches('<');
        let query = target.split_once('?')?.1;
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix("page="))
            .and_then(|v| v.parse().ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates() {
        let t = http_date("Thu, 03 Dec 2026 17:03:27 GMT").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-03T17:03:27+00:00");
        assert_eq!(http_date("yesterday"), None);
    }

    #[test]
    fn link_header() {
        assert_eq!(
            link_last_page(
                r#"</servers?page=2&per_page=50&>; rel="next",</servers?page=7&per_page=50&>; rel="last""#
            ),
            Some(7)
        );
        assert_eq!(
            link_last_page(r#"</servers?page=1&per_page=50>; rel="first""#),
            None
        );
        assert_eq!(link_last_page("garbage"), None);
        assert_eq!(
            link_last_page(
                r#"</servers?tags=a,b&page=2&per_page=50>; rel="next",</servers?tags=a,b&page=4&per_page=50>; rel="last""#
            ),
            Some(4)
        );
    }
}
