//! The one listing abstraction: a product-style builder implementing [`Listable`] is read
//! with the same four consumers as a bare paginator, with its own error type and item
//! preparation; one listing read in many localities (`fanout::collect_per_locality`); the
//! ID types declared with `uuid_id!`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use futures::{StreamExt, TryStreamExt};
use scaleway_core::{
    Client, Config, Env, Error, ListItem, Listable, Locality, LocalityOutcome, Paginator,
    ProductLocalities, RetryPolicy, Timestamp, Zone, fanout,
};
use serde_json::json;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ACCESS: &str = "SCWXXXXXXXXXXXXXXXXX";
const SECRET: &str = "11111111-1111-1111-1111-111111111111";

fn client_for(server: &MockServer) -> Client {
    let env = Env::from_pairs([
        ("SCW_ACCESS_KEY", ACCESS),
        ("SCW_SECRET_KEY", SECRET),
        ("SCW_API_URL", server.uri().as_str()),
    ]);
    let config = Config::loader().env(env).load().unwrap();
    Client::builder()
        .config(config)
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
}

scaleway_core::uuid_id! {
    /// A widget ID.
    pub struct WidgetId("widget ID");
}

#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
struct Widget {
    id: WidgetId,
    #[serde(default)]
    created_at: Option<Timestamp>,
    /// Not sent by the API: filled from the request.
    #[serde(skip)]
    zone: Option<Zone>,
}

impl ListItem for Widget {
    fn list_id(&self) -> std::borrow::Cow<'_, str> {
        self.id.as_str().into()
    }
    fn list_created_at(&self) -> Option<Timestamp> {
        self.created_at
    }
}

/// A product crate's own error: it explains refusals its own way.
#[derive(Debug)]
enum ProductError {
    Denied(String),
    Other(Error),
}

impl From<Error> for ProductError {
    fn from(e: Error) -> Self {
        ProductError::Other(e)
    }
}

/// A product listing builder: the zone is required when it is built, filters are methods.
#[derive(Debug, Clone)]
struct ListWidgets {
    client: Client,
    zone: Zone,
    name: Option<String>,
}

impl ListWidgets {
    fn name(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }
}

impl Listable for ListWidgets {
    type Item = Widget;
    type Error = ProductError;

    fn into_paginator(self) -> Paginator<Widget, ProductError> {
        let zone = self.zone.clone();
        self.client
            .get("/widgets/v1/zones/{zone}/widgets")
            .zone(&self.zone)
            .query("order_by", "created_at_asc")
            .query_opt("name", self.name.as_deref())
            .paginate::<Widget>("widgets")
            .map_items(move |mut w| {
                w.zone = Some(zone.clone());
                w
            })
            .map_err(|e| {
                if e.is_permission_denied() {
                    ProductError::Denied(format!("explained: {e}"))
                } else {
                    ProductError::Other(e)
                }
            })
    }
}

fn widget(n: u32) -> serde_json::Value {
    json!({"id": format!("00000000-0000-4000-8000-{n:012}"), "created_at": "2026-01-01T00:00:00Z"})
}

async fn mount_widgets(server: &MockServer, zone: &str, n: u32) {
    for page in 1..=n.div_ceil(2) {
        let items: Vec<_> = ((page - 1) * 2 + 1..=(page * 2).min(n))
            .map(widget)
            .collect();
        Mock::given(method("GET"))
            .and(path(format!("/widgets/v1/zones/{zone}/widgets")))
            .and(query_param("page", page.to_string()))
            .and(query_param("page_size", "2"))
            .and(query_param("order_by", "created_at_asc"))
            .and(query_param("name", "w"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"widgets": items, "total_count": n})),
            )
            .mount(server)
            .await;
    }
}

fn list(client: &Client, zone: Zone) -> ListWidgets {
    ListWidgets {
        client: client.clone(),
        zone,
        name: None,
    }
    .name("w")
}

/// A listing with a page size of 2 (the server's cap here).
fn small(l: ListWidgets) -> Paginator<Widget, ProductError> {
    l.into_paginator().page_size(2)
}

#[tokio::test]
async fn the_four_consumers_read_the_same_items() {
    let server = MockServer::start().await;
    mount_widgets(&server, "fr-par-1", 5).await;
    let client = client_for(&server);
    let l = || list(&client, Zone::FrPar1);

    let collected = small(l()).collect().await.unwrap();
    assert_eq!(collected.len(), 5);
    assert!(collected.iter().all(|w| w.zone == Some(Zone::FrPar1)));
    assert_eq!(
        collected[0].id.as_str(),
        "00000000-0000-4000-8000-000000000001"
    );

    let items: Vec<Widget> = small(l()).items().try_collect().await.unwrap();
    assert_eq!(items, collected);

    let pages: Vec<_> = small(l()).pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 3);
    let flat: Vec<Widget> = pages.into_iter().flat_map(|p| p.items).collect();
    assert_eq!(flat, collected);

    let (reported, report) = small(l()).listing().collect_with_report().await.unwrap();
    assert_eq!(reported, collected);
    assert!(report.is_complete());
    assert_eq!(report.pages, 3);

    // The builder itself is a listing too (default page size: one request).
    Mock::given(method("GET"))
        .and(path("/widgets/v1/zones/fr-par-2/widgets"))
        .and(query_param("page_size", "100"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"widgets": [widget(7)], "total_count": 1})),
        )
        .mount(&server)
        .await;
    let one = list(&client, Zone::FrPar2).collect().await.unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].zone, Some(Zone::FrPar2));
}

#[tokio::test]
async fn every_consumer_yields_the_listings_own_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "type": "permissions_denied", "message": "insufficient permissions",
            "details": [{"resource": "widget", "action": "read"}]
        })))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let l = || list(&client, Zone::FrPar1);
    assert!(matches!(l().collect().await, Err(ProductError::Denied(_))));
    let first = l().items().next().await.unwrap();
    assert!(matches!(first, Err(ProductError::Denied(_))));
    let first = l().pages().next().await.unwrap();
    assert!(matches!(first, Err(ProductError::Denied(_))));
    let mut listing = l().listing();
    assert!(matches!(
        listing.next().await.unwrap(),
        Err(ProductError::Denied(_))
    ));
    while listing.next().await.is_some() {}
    assert!(!listing.report().unwrap().is_complete());
}

#[tokio::test]
async fn one_listing_in_many_localities() {
    let server = MockServer::start().await;
    mount_widgets(&server, "fr-par-1", 3).await;
    // Not offered here: a 404 on the listing route.
    Mock::given(method("GET"))
        .and(path("/widgets/v1/zones/nl-ams-1/widgets"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "not found"})))
        .mount(&server)
        .await;
    // Refused: the listing's own error, explained.
    Mock::given(method("GET"))
        .and(path("/widgets/v1/zones/pl-waw-1/widgets"))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "type": "permissions_denied", "message": "insufficient permissions"
        })))
        .mount(&server)
        .await;
    let client = client_for(&server);
    let only = vec![
        Locality::Zone(Zone::PlWaw1),
        Locality::Zone(Zone::FrPar1),
        Locality::Zone(Zone::NlAms1),
        // Block is not offered in it-mil-1: never queried.
        Locality::Zone(Zone::ItMil1),
        // The builder refuses it: its locality fails.
        Locality::Zone(Zone::FrPar3),
    ];
    let results =
        fanout::collect_per_locality(ProductLocalities::BLOCK, Some(only.clone()), 4, |loc| {
            match loc {
                Locality::Zone(Zone::FrPar3) => Err(Error::invalid_request("refused")),
                Locality::Zone(z) => Ok(small(list(&client, z.clone()))),
                other => Err(Error::invalid_request(format!("{other} is not a zone"))),
            }
        })
        .await;
    let got: Vec<&Locality> = results.iter().map(|r| &r.locality).collect();
    assert_eq!(
        got,
        only.iter().collect::<Vec<_>>(),
        "in the requested order"
    );
    assert!(
        matches!(&results[0].outcome, LocalityOutcome::Failed(ProductError::Denied(m)) if m.starts_with("explained")),
        "{:?}",
        results[0].outcome
    );
    match &results[1].outcome {
        LocalityOutcome::Ok(ws) => {
            assert_eq!(ws.len(), 3);
            assert!(ws.iter().all(|w| w.zone == Some(Zone::FrPar1)));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(results[2].outcome, LocalityOutcome::NotAvailable));
    assert!(matches!(results[3].outcome, LocalityOutcome::NotAvailable));
    assert!(
        matches!(&results[4].outcome, LocalityOutcome::Failed(ProductError::Other(e)) if e.to_string().contains("refused")),
        "{:?}",
        results[4].outcome
    );
}

#[test]
fn ids_declared_with_the_macro() {
    let id: WidgetId = "ABCDEF01-1111-4111-8111-11111111111A".parse().unwrap();
    assert_eq!(id.as_str(), "abcdef01-1111-4111-8111-11111111111a");
    assert_eq!(id.to_string(), id.as_str());
    assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{id}\""));
    let e = "w-1".parse::<WidgetId>().unwrap_err().to_string();
    assert_eq!(
        e,
        "widget ID `w-1` is not valid: expected a UUID like 11111111-1111-1111-1111-111111111111"
    );
    // Server data is taken as sent (lower-cased), never refused.
    let lenient: WidgetId = serde_json::from_str("\"W-1\"").unwrap();
    assert_eq!(lenient.as_str(), "w-1");
    assert!(WidgetId::default().is_empty());
    let w: Widget =
        serde_json::from_value(json!({"id": "ABCDEF01-1111-4111-8111-11111111111A"})).unwrap();
    assert_eq!(w.id, id);
}
