//! The paginator on a collection that changes while it is read: one wiremock test per
//! signal (the total moves, an item shows up on two pages, an item created during the pass
//! compensates a deletion), the quiet case (one pass, one request per page), the bound, and
//! the clock margin. Pages are read one at a time here (`concurrency(1)`), so that each
//! change lands exactly between two page reads.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use futures::{StreamExt, TryStreamExt};
use scaleway_core::{
    Client, Completeness, Config, Env, ErrorKind, ListItem, Listable, ListingReport, RetryPolicy,
    Timestamp,
};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// Old enough to be certainly created before any listing of these tests.
const OLD: &str = "2026-01-01T00:00:00Z";

#[derive(Debug, Clone, Copy)]
enum Change {
    /// Deletes the item at this position (in the served order).
    DeleteAt(usize),
    /// Creates an item, created now (or at `OLD` with `Create { dated_old: true }`), placed
    /// as the newest: last oldest-first, first newest-first.
    Create { dated_old: bool },
}

/// A collection served `page` / `page_size` style, changed before given requests.
struct State {
    /// (id, created_at), in the served order.
    items: Vec<(String, String)>,
    newest_first: bool,
    requests: u32,
    /// Changes made before answering the n-th request (1-based).
    script: HashMap<u32, Vec<Change>>,
    /// Changes made before every request from the n-th on.
    forever: Option<(u32, Vec<Change>)>,
    created: u32,
}

#[derive(Clone)]
struct Live(Arc<Mutex<State>>);

impl Live {
    fn new(n: usize) -> Self {
        let items = (0..n)
            .map(|i| (format!("item-{i:04}"), OLD.to_owned()))
            .collect();
        Live(Arc::new(Mutex::new(State {
            items,
            newest_first: false,
            requests: 0,
            script: HashMap::new(),
            forever: None,
            created: 0,
        })))
    }

    fn newest_first(self) -> Self {
        self.0.lock().unwrap().newest_first = true;
        self
    }

    /// Before the n-th request (1-based).
    fn before(self, request: u32, changes: &[Change]) -> Self {
        self.0
            .lock()
            .unwrap()
            .script
            .insert(request, changes.to_vec());
        self
    }

    fn requests(&self) -> u32 {
        self.0.lock().unwrap().requests
    }
}

impl State {
    fn apply(&mut self, c: Change) {
        match c {
            Change::DeleteAt(i) => {
                if i < self.items.len() {
                    self.items.remove(i);
                }
            }
            Change::Create { dated_old } => {
                self.created += 1;
                let created_at = if dated_old {
                    OLD.to_owned()
                } else {
                    Utc::now().to_rfc3339()
                };
                let item = (format!("new-{:04}", self.created), created_at);
                if self.newest_first {
                    self.items.insert(0, item);
                } else {
                    self.items.push(item);
                }
            }
        }
    }
}

impl Respond for Live {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q: HashMap<String, String> = req.url.query_pairs().into_owned().collect();
        let page: usize = q["page"].parse().unwrap();
        let size: usize = q["page_size"].parse().unwrap();
        let mut st = self.0.lock().unwrap();
        st.requests += 1;
        let n = st.requests;
        let mut changes = st.script.remove(&n).unwrap_or_default();
        if let Some((from, c)) = &st.forever
            && n >= *from
        {
            changes.extend(c.iter().copied());
        }
        for c in changes {
            st.apply(c);
        }
        let start = (page - 1) * size;
        let items: Vec<Value> = st
            .items
            .iter()
            .skip(start)
            .take(size)
            .map(|(id, created_at)| json!({"id": id, "created_at": created_at}))
            .collect();
        ResponseTemplate::new(200)
            .insert_header(
                "date",
                Utc::now()
                    .format("%a, %d %b %Y %H:%M:%S GMT")
                    .to_string()
                    .as_str(),
            )
            .set_body_json(json!({"volumes": items, "total_count": st.items.len()}))
    }
}

#[derive(serde::Deserialize, Debug)]
struct Item {
    id: String,
    created_at: Option<Timestamp>,
}

impl ListItem for Item {
    fn list_id(&self) -> std::borrow::Cow<'_, str> {
        self.id.as_str().into()
    }
    fn list_created_at(&self) -> Option<Timestamp> {
        self.created_at
    }
}

async fn client(live: &Live) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(live.clone())
        .mount(&server)
        .await;
    let config = Config::loader()
        .env(Env::from_pairs([
            ("SCW_ACCESS_KEY", "SCWXXXXXXXXXXXXXXXXX"),
            ("SCW_SECRET_KEY", "11111111-1111-1111-1111-111111111111"),
            ("SCW_API_URL", server.uri().as_str()),
        ]))
        .load()
        .unwrap();
    let client = Client::builder()
        .config(config)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    (server, client)
}

/// Lists `live` page by page; returns every id yielded (in order) and the report.
async fn read(live: &Live) -> (Vec<String>, ListingReport) {
    let (_server, client) = client(live).await;
    let (items, report) = client
        .get("/block/v1/zones/fr-par-1/volumes")
        .paginate::<Item>("volumes")
        .concurrency(1)
        .listing()
        .collect_with_report()
        .await
        .unwrap();
    (items.into_iter().map(|i| i.id).collect(), report)
}

fn ids(range: std::ops::Range<usize>) -> Vec<String> {
    range.map(|i| format!("item-{i:04}")).collect()
}

/// No id yielded twice; every id of `alive` yielded.
fn assert_exactly_once(got: &[String], alive: &[String]) {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for id in got {
        *counts.entry(id).or_default() += 1;
    }
    let twice: Vec<_> = counts.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "yielded twice: {twice:?}");
    let missing: Vec<_> = alive
        .iter()
        .filter(|id| !counts.contains_key(id.as_str()))
        .collect();
    assert!(missing.is_empty(), "missing: {missing:?}");
}

#[tokio::test]
async fn a_quiet_listing_is_read_once_one_request_per_page() {
    let live = Live::new(250);
    let (got, report) = read(&live).await;
    assert_eq!(got, ids(0..250));
    assert_eq!(live.requests(), 3);
    assert_eq!(report.passes, 1);
    assert_eq!(report.pages, 3);
    assert_eq!(report.reread_pages, 0);
    assert!(!report.changed);
    assert!(report.is_complete());
}

#[tokio::test]
async fn a_quiet_listing_read_concurrently_costs_the_same() {
    let live = Live::new(1000);
    let (_server, client) = client(&live).await;
    let mut listing = client.get("/x").paginate::<Item>("volumes").listing();
    let mut got = Vec::new();
    while let Some(page) = listing.next().await {
        got.extend(page.unwrap().items.into_iter().map(|i| i.id));
    }
    assert_eq!(got, ids(0..1000));
    assert_eq!(live.requests(), 10);
    let report = listing.report().unwrap();
    assert_eq!((report.passes, report.pages), (1, 10));
    assert!(!report.changed && report.is_complete());
}

/// Signal (a): a deletion before the page boundary between page 1 and page 2 moves the
/// item that opened page 2 onto page 1, already read; page 2 announces one item less.
#[tokio::test]
async fn the_total_moves_when_an_item_before_the_boundary_is_deleted() {
    let live = Live::new(200).before(2, &[Change::DeleteAt(50)]);
    let (got, report) = read(&live).await;
    let mut alive = ids(0..200);
    alive.remove(50);
    assert_exactly_once(&got, &alive);
    // The first pass missed item 100; the second found it.
    assert_eq!(got.last().map(String::as_str), Some("item-0100"));
    assert!(report.changed && report.total_moved);
    assert_eq!(report.duplicates, 0);
    assert_eq!(
        (report.passes, report.pages, report.reread_pages),
        (2, 4, 2)
    );
    assert_eq!((report.reread_found, report.vanished), (1, 1));
    assert!(report.is_complete());
    assert_eq!(live.requests(), 4);
}

/// Signal (b): newest first, a creation shifts every item one place later: the item that
/// closed page 1 opens page 2 too. A deletion at the end keeps the total still.
#[tokio::test]
async fn an_item_on_two_pages_is_yielded_once_and_the_listing_read_again() {
    let live = Live::new(200).newest_first().before(
        2,
        &[Change::Create { dated_old: false }, Change::DeleteAt(151)],
    );
    let (got, report) = read(&live).await;
    let mut alive = ids(0..200);
    alive.remove(150);
    assert_exactly_once(&got, &alive);
    assert!(report.changed);
    assert!(!report.total_moved);
    assert_eq!(report.duplicates, 1);
    assert_eq!(report.passes, 2);
    assert!(report.is_complete());
}

/// Signal (c): oldest first, a deletion compensated by a creation: the totals agree, no
/// item shows up twice, but item 100 moved onto page 1 and the pass saw a new item in its
/// place. Only the new item's creation time, after the pass began, tells.
#[tokio::test]
async fn a_deletion_compensated_by_a_creation_is_caught_by_the_creation_time() {
    let live = Live::new(200).before(
        2,
        &[Change::DeleteAt(50), Change::Create { dated_old: false }],
    );
    let (got, report) = read(&live).await;
    let mut alive = ids(0..200);
    alive.remove(50);
    assert_exactly_once(&got, &alive);
    assert!(got.contains(&"new-0001".to_owned()));
    assert_eq!(report.created, 1);
    assert!(report.changed);
    assert!(!report.total_moved);
    assert_eq!(report.duplicates, 0);
    assert_eq!(report.passes, 2);
    assert_eq!((report.reread_found, report.vanished), (1, 1));
    assert!(report.is_complete());
}

/// The limit of signal (c), stated in docs/inventory.md: an item whose creation time says it
/// existed before the listing began cannot be told from one that did. Here the compensating
/// item claims an old creation time, so the pass looks complete and item 100 is lost: the
/// creation time is what catches the compensated case above.
#[tokio::test]
async fn a_creation_dated_in_the_past_cannot_be_told_from_an_old_item() {
    let live = Live::new(200).before(
        2,
        &[Change::DeleteAt(50), Change::Create { dated_old: true }],
    );
    let (got, report) = read(&live).await;
    assert!(!got.contains(&"item-0100".to_owned()));
    assert_eq!(report.passes, 1);
    assert!(!report.changed);
}

/// Oldest first, creations alone shift nothing: the total moves, the pass is complete, no
/// re-read.
#[tokio::test]
async fn creations_alone_cost_no_re_read() {
    let live = Live::new(200).before(
        2,
        &[
            Change::Create { dated_old: false },
            Change::Create { dated_old: false },
        ],
    );
    let (got, report) = read(&live).await;
    assert_exactly_once(&got, &ids(0..200));
    assert!(report.changed && report.total_moved);
    assert_eq!((report.passes, report.reread_pages), (1, 0));
    assert!(report.is_complete());
    assert_eq!(live.requests(), 2);
}

/// A collection that keeps changing: the bound is reached, the report says the listing may
/// be incomplete, and the plain stream ends with an error after its items.
#[tokio::test]
async fn a_listing_that_keeps_changing_says_it_may_be_incomplete() {
    let live = Live::new(300);
    live.0.lock().unwrap().forever = Some((2, vec![Change::DeleteAt(0)]));
    let (got, report) = {
        let (_server, client) = client(&live).await;
        let (items, report) = client
            .get("/x")
            .paginate::<Item>("volumes")
            .concurrency(1)
            .max_passes(3)
            .listing()
            .collect_with_report()
            .await
            .unwrap();
        (items.into_iter().map(|i| i.id).collect::<Vec<_>>(), report)
    };
    let unique: std::collections::HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no item twice");
    assert_eq!(report.completeness, Completeness::MayBeIncomplete);
    assert_eq!(report.passes, 3);
    assert!(report.possibly_missing > 0);
    assert!(report.changed);

    let live = Live::new(300);
    live.0.lock().unwrap().forever = Some((2, vec![Change::DeleteAt(0)]));
    let (_server, client) = client(&live).await;
    let results: Vec<Result<Item, _>> = client
        .get("/x")
        .paginate::<Item>("volumes")
        .concurrency(1)
        .max_passes(2)
        .items()
        .collect()
        .await;
    let (last, items) = results.split_last().unwrap();
    assert!(items.iter().all(Result::is_ok));
    let err = last.as_ref().unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::IncompleteListing { passes: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("GET /x"), "{err}");
}

/// An item created just before the listing (within the clock margin) cannot be placed
/// before or after the pass began: one more pass confirms the listing, which reports the
/// item as created (maybe while it was read) and nothing else.
#[tokio::test]
async fn an_item_created_just_before_the_listing_costs_one_confirming_pass() {
    let live = Live::new(150);
    let just_now = (Utc::now() - chrono::Duration::seconds(1)).to_rfc3339();
    live.0.lock().unwrap().items[149].1.clone_from(&just_now);
    let (got, report) = read(&live).await;
    assert_exactly_once(&got, &ids(0..150));
    assert_eq!((report.passes, report.reread_pages), (2, 2));
    assert_eq!(report.created, 1);
    assert!(report.changed);
    assert!(!report.total_moved);
    assert_eq!(
        (report.duplicates, report.reread_found, report.vanished),
        (0, 0, 0)
    );
    assert!(report.is_complete());

    // With no margin (a server whose clocks are trusted to the second), an item created
    // ten seconds before is old: one pass.
    let live = Live::new(150);
    let earlier = (Utc::now() - chrono::Duration::seconds(10)).to_rfc3339();
    live.0.lock().unwrap().items[149].1.clone_from(&earlier);
    let (_server, client) = client(&live).await;
    let (_, report) = client
        .get("/x")
        .paginate::<Item>("volumes")
        .clock_margin(Duration::ZERO)
        .listing()
        .collect_with_report()
        .await
        .unwrap();
    assert_eq!(report.passes, 1);
}

/// `try_collect` on `items()` of a quiet listing: the plain stream is unchanged.
#[tokio::test]
async fn items_of_a_quiet_listing() {
    let live = Live::new(101);
    let (_server, client) = client(&live).await;
    let items: Vec<Item> = client
        .get("/x")
        .paginate::<Item>("volumes")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 101);
    assert_eq!(live.requests(), 2);
}
