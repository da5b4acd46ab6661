//! Consistent listings while the collection changes: passes over the pages, deduplication
//! by ID, and the report of what changed and what was re-read.
//!
//! # The argument
//!
//! A *pass* reads page 1, then the other pages (concurrently). Let `S` be the collection
//! when the server answered page 1 (page 1 is always answered before any other page of the
//! pass is asked for), and `N` the total page 1 announced, so `|S| = N`. Call an item of the
//! pass *old* when it was certainly in `S`: it is on page 1, or it was seen by an earlier
//! pass (so it existed before this pass began, and still exists since this pass saw it), or
//! it was created before the pass began (its creation time is before the server's `Date`
//! of page 1, minus a margin for that header's one-second precision and for clocks).
//!
//! Old items are distinct items of `S`. So if a pass saw `N` distinct old items, it saw all
//! of `S`, whatever moved meanwhile: every item that existed from the start to the end of
//! the listing was in `S`, so it was seen. This holds for any order of the listing; an
//! oldest-first order only makes it rarer that a pass falls short (creations land after
//! every existing item and shift nothing). When a pass sees fewer than `N` old items, a
//! further pass reads the listing again, up to a bound; items already yielded are never
//! yielded again (deduplicated by ID over the whole listing).
//!
//! Assumptions, stated in `docs/inventory.md`: a page's items and its total describe the
//! same moment; an item never leaves and re-enters the listing (nothing is restored while
//! it is read); creation times come from a clock within the margin of the `Date` header's.

use std::borrow::Cow;
use std::collections::HashMap;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::stream::{BoxStream, Stream, StreamExt};
use serde::{Deserialize, Serialize};

use crate::Timestamp;
use crate::error::Error;

use super::{Explain, Page};

/// Default number of passes over a listing that changed while it was read, the first one
/// included ([`super::Paginator::max_passes`]). Once the collection stops changing, at most
/// two more passes prove the listing complete: the first may still meet, unseen before, an
/// item created during the previous pass, whose creation time cannot place it before or
/// after the pass began; the next one counts it as seen.
pub const DEFAULT_MAX_PASSES: u32 = 5;

/// Default margin between the server's `Date` and an item's creation time for the item to
/// count as created before a pass began: the `Date` header's one-second precision, and a
/// few seconds for the clocks of the API's machines ([`super::Paginator::clock_margin`]).
pub const DEFAULT_CLOCK_MARGIN: Duration = Duration::from_secs(5);

/// What the paginator needs to know about a listed item to keep a listing consistent while
/// the collection changes: its ID (items are deduplicated by it) and its creation time.
///
/// ```
/// use std::borrow::Cow;
///
/// use scaleway_core::{ListItem, Timestamp};
///
/// #[derive(serde::Deserialize)]
/// struct Server {
///     id: String,
///     creation_date: Option<Timestamp>,
/// }
///
/// impl ListItem for Server {
///     fn list_id(&self) -> Cow<'_, str> {
///         Cow::Borrowed(&self.id)
///     }
///     fn list_created_at(&self) -> Option<Timestamp> {
///         self.creation_date
///     }
/// }
/// ```
pub trait ListItem {
    /// The item's ID, unique within its listing. Items with an empty ID are never
    /// deduplicated (and cannot prove a pass complete: see [`Completeness`]). Borrowed
    /// where the item holds it as text; owned where it holds it in another form (the
    /// inventory's compact IDs).
    fn list_id(&self) -> Cow<'_, str>;

    /// When the item was created, if known. An item without a creation time counts as
    /// created before the listing began, so a listing of such items cannot detect a
    /// deletion compensated by a creation (see `docs/inventory.md`).
    fn list_created_at(&self) -> Option<Timestamp>;
}

/// `id` (IAM API keys: `access_key`) and `created_at` (Instance: `creation_date`) of a
/// JSON object.
impl ListItem for serde_json::Value {
    fn list_id(&self) -> Cow<'_, str> {
        Cow::Borrowed(
            ["id", "access_key"]
                .iter()
                .find_map(|k| self.get(k).and_then(serde_json::Value::as_str))
                .unwrap_or(""),
        )
    }

    fn list_created_at(&self) -> Option<Timestamp> {
        ["created_at", "creation_date"].iter().find_map(|k| {
            self.get(k)
                .and_then(serde_json::Value::as_str)
                .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
                .map(|t| t.with_timezone(&chrono::Utc))
        })
    }
}

/// Whether a listing is known to hold every item that existed while it was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Completeness {
    /// A pass saw as many items that existed when it began as the server announced: every
    /// item that existed from the start to the end of the listing was yielded.
    #[default]
    Complete,
    /// Every pass, up to the bound, saw fewer such items than announced (the collection kept
    /// changing): items may be missing.
    MayBeIncomplete,
    /// The server announced no believable total, so completeness could not be checked (the
    /// pages were read until a short one).
    Unchecked,
}

impl Completeness {
    /// `complete`, `may_be_incomplete`, `unchecked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Completeness::Complete => "complete",
            Completeness::MayBeIncomplete => "may_be_incomplete",
            Completeness::Unchecked => "unchecked",
        }
    }
}

/// How a listing was read: whether the collection changed meanwhile and what was re-read to
/// stay complete. On a quiet listing: one pass, `changed` false, nothing re-read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct ListingReport {
    /// Passes over the pages (1 when the first pass proved complete).
    pub passes: u32,
    /// Pages read, over every pass.
    pub pages: u32,
    /// Pages read by the passes after the first.
    pub reread_pages: u32,
    /// The collection changed while it was read: the total moved, pages shifted, items were
    /// created, or a re-read found items that appeared or vanished.
    pub changed: bool,
    /// Pages announced different totals (within a pass or between passes).
    pub total_moved: bool,
    /// Items seen on two pages of one pass (later items shifted onto a page read after
    /// them); yielded once.
    pub duplicates: u64,
    /// Items first seen by a re-read: missed by an earlier pass (shifted onto a page it had
    /// already read) or created meanwhile.
    pub reread_found: u64,
    /// Items an earlier pass saw that the last pass did not (deleted meanwhile).
    pub vanished: u64,
    /// Items, after a pass's first page, created after that pass began (or just before it,
    /// within the clock margin: such an item cannot be placed before or after the start).
    pub created: u64,
    /// Whether the listing is known to be complete.
    pub completeness: Completeness,
    /// When it may be incomplete: how many items the last pass could not account for (its
    /// first page's total minus the items it saw that existed when it began).
    pub possibly_missing: u64,
}

impl ListingReport {
    /// Whether the listing is known to be complete.
    pub fn is_complete(&self) -> bool {
        self.completeness == Completeness::Complete
    }

    /// Adds another listing's report to this one (a source reading several listings):
    /// counts add up, flags combine, passes is the largest, completeness the worst.
    pub fn merge(&mut self, other: &ListingReport) {
        self.passes = self.passes.max(other.passes);
        self.pages += other.pages;
        self.reread_pages += other.reread_pages;
        self.changed |= other.changed;
        self.total_moved |= other.total_moved;
        self.duplicates += other.duplicates;
        self.reread_found += other.reread_found;
        self.vanished += other.vanished;
        self.created += other.created;
        self.possibly_missing += other.possibly_missing;
        let rank = |c: Completeness| match c {
            Completeness::Complete => 0,
            Completeness::Unchecked => 1,
            Completeness::MayBeIncomplete => 2,
        };
        if rank(other.completeness) > rank(self.completeness) {
            self.completeness = other.completeness;
        }
    }
}

/// One page of a pass, as fetched, with what the tracker needs from its response.
#[derive(Debug)]
pub(crate) struct Fetched<T> {
    pub(crate) page: Page<T>,
    /// Page 1 only: the total believed (see `believed_total`), and the time before which an
    /// item was certainly created before the pass began.
    pub(crate) start: Option<PassStart>,
}

/// What page 1 of a pass tells.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PassStart {
    pub(crate) total: Option<u64>,
    pub(crate) created_before: Timestamp,
}

/// The counts of the current pass.
#[derive(Debug, Default)]
pub(crate) struct PassCount {
    number: u32,
    total: Option<u64>,
    created_before: Option<Timestamp>,
    /// Distinct items certainly in the collection when the pass began.
    old: u64,
    /// An item without ID was seen: the count cannot prove completeness.
    unidentified: bool,
}

/// The state of a listing across passes.
pub(crate) struct Tracker {
    /// Every ID yielded, and the last pass that saw it.
    seen: HashMap<Box<str>, u32>,
    pub(crate) report: ListingReport,
    pass: PassCount,
    first_total: Option<u64>,
    max_passes: u32,
}

/// What to do after a pass.
pub(crate) enum AfterPass {
    /// Read the listing again.
    Again,
    /// Stop: the report is final.
    Stop,
}

impl Tracker {
    pub(crate) fn new(max_passes: u32) -> Self {
        Tracker {
            seen: HashMap::new(),
            report: ListingReport::default(),
            pass: PassCount::default(),
            first_total: None,
            max_passes: max_passes.max(1),
        }
    }

    /// A pass begins.
    pub(crate) fn begin_pass(&mut self) {
        self.report.passes += 1;
        self.pass = PassCount {
            number: self.report.passes,
            ..PassCount::default()
        };
    }

    /// Takes a page of the current pass; returns it with only the items not yielded before.
    pub(crate) fn page<T: ListItem>(&mut self, fetched: Fetched<T>) -> Page<T> {
        let Fetched { mut page, start } = fetched;
        let number = self.pass.number;
        self.report.pages += 1;
        if number > 1 {
            self.report.reread_pages += 1;
        }
        if let Some(start) = start {
            self.pass.total = start.total;
            self.pass.created_before = Some(start.created_before);
            match (self.first_total, start.total) {
                (None, t) if number == 1 => self.first_total = t,
                (Some(a), Some(b)) if a != b => self.report.total_moved = true,
                _ => {}
            }
        } else if let (Some(a), Some(b)) = (self.pass.total, page.total_count)
            && a != b
        {
            self.report.total_moved = true;
        }
        let on_first_page = page.number == 1;
        let created_before = self.pass.created_before;
        let mut fresh = Vec::with_capacity(page.items.len());
        for item in page.items.drain(..) {
            let id = item.list_id();
            if id.is_empty() {
                self.pass.unidentified = true;
                fresh.push(item);
                continue;
            }
            let created_earlier = match (item.list_created_at(), created_before) {
                (Some(c), Some(before)) => c < before,
                // No creation time: counted as created earlier (see `ListItem`).
                (None, _) => true,
                (Some(_), None) => false,
            };
            if let Some(last) = self.seen.get_mut(&*id) {
                if *last == number {
                    self.report.duplicates += 1;
                } else {
                    // Seen by an earlier pass: it existed before this one began.
                    *last = number;
                    self.pass.old += 1;
                }
                continue;
            }
            self.seen.insert(id.into_owned().into_boxed_str(), number);
            if number > 1 {
                self.report.reread_found += 1;
            }
            if on_first_page || created_earlier {
                self.pass.old += 1;
            } else {
                self.report.created += 1;
            }
            fresh.push(item);
        }
        page.items = fresh;
        page.pass = number;
        page
    }

    /// The current pass ended without error: is the listing complete, or read it again?
    pub(crate) fn end_pass(&mut self) -> AfterPass {
        let complete = match self.pass.total {
            _ if self.pass.unidentified => Some(Completeness::Unchecked),
            None => Some(Completeness::Unchecked),
            Some(n) if self.pass.old == n => Some(Completeness::Complete),
            // More distinct items than announced: the total is not believable.
            Some(n) if self.pass.old > n => Some(Completeness::Unchecked),
            Some(_) => None,
        };
        match complete {
            Some(c) => {
                self.finish(c);
                AfterPass::Stop
            }
            None if self.report.passes >= self.max_passes => {
                self.finish(Completeness::MayBeIncomplete);
                AfterPass::Stop
            }
            None => AfterPass::Again,
        }
    }

    /// The listing ended on an error.
    pub(crate) fn fail(&mut self) {
        self.finish(Completeness::MayBeIncomplete);
    }

    fn finish(&mut self, completeness: Completeness) {
        let last = self.pass.number;
        if last > 1 {
            self.report.vanished = self.seen.values().filter(|p| **p < last).count() as u64;
        }
        let missing = self
            .pass
            .total
            .map_or(0, |n| n.saturating_sub(self.pass.old));
        let r = &mut self.report;
        r.completeness = completeness;
        r.possibly_missing = if completeness == Completeness::MayBeIncomplete {
            missing
        } else {
            0
        };
        r.changed = r.total_moved
            || r.duplicates > 0
            || r.reread_found > 0
            || r.vanished > 0
            || r.created > 0;
    }
}

/// One step of a listing's inner stream.
pub(crate) enum Step<T> {
    Page(Result<Page<T>, Error>),
    Done(ListingReport),
}

/// A listing being read: a `Stream` of pages (each with only the items not yielded before),
/// then its [`ListingReport`]. Get it with [`Listable::listing`](super::Listable::listing).
///
/// Pages come in order within a pass; a further pass (when the first could not be proven
/// complete) yields only the items the earlier ones did not. Unlike the other consumers, it
/// ends without an error when the listing kept changing: read
/// [`report`](Listing::report) to know.
#[must_use = "a listing does nothing until it is consumed"]
pub struct Listing<T, E = Error> {
    inner: BoxStream<'static, Step<T>>,
    explain: Explain<E>,
    report: Option<ListingReport>,
}

impl<T, E> std::fmt::Debug for Listing<T, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Listing")
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

impl<T, E> Listing<T, E> {
    pub(crate) fn new(inner: BoxStream<'static, Step<T>>, explain: Explain<E>) -> Self {
        Listing {
            inner,
            explain,
            report: None,
        }
    }

    /// How the listing was read, once the stream has ended (also after an error); `None`
    /// before.
    pub fn report(&self) -> Option<&ListingReport> {
        self.report.as_ref()
    }

    /// Every item, collected, and the report.
    ///
    /// # Errors
    ///
    /// The first error of any page.
    pub async fn collect_with_report(mut self) -> Result<(Vec<T>, ListingReport), E> {
        let mut out = Vec::new();
        while let Some(page) = self.next().await {
            out.extend(page?.items);
        }
        Ok((out, self.report.unwrap_or_default()))
    }
}

impl<T, E> Stream for Listing<T, E> {
    type Item = Result<Page<T>, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        loop {
            match self.inner.poll_next_unpin(cx) {
                Poll::Ready(Some(Step::Page(Ok(p)))) => return Poll::Ready(Some(Ok(p))),
                Poll::Ready(Some(Step::Page(Err(e)))) => {
                    return Poll::Ready(Some(Err((self.explain)(e))));
                }
                Poll::Ready(Some(Step::Done(r))) => self.report = Some(r),
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
