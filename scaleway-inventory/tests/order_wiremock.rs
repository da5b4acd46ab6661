//! The order every listing sends (request shape, against wiremock): oldest first with the
//! value each API documents (`shared/scaleway-api/`), nothing where the API documents none.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;

use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_inventory::{Inventory, SourceName};
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROJECT: &str = "11111111-1111-1111-1111-111111111111";

#[tokio::test]
async fn every_listing_sends_its_documented_oldest_first_order() {
    let server = MockServer::start().await;
    // One empty page for any listing (every items key at once; Instance reads the header).
    let empty = json!({
        "servers": [], "volumes": [], "snapshots": [], "secrets": [], "clusters": [],
        "vpcs": [], "private_networks": [], "namespaces": [], "total_count": 0
    });
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-total-count", "0")
                .set_body_json(empty),
        )
        .mount(&server)
        .await;
    let config = Config::loader()
        .env(Env::from_pairs([
            ("SCW_ACCESS_KEY", "SCWXXXXXXXXXXXXXXXXX"),
            ("SCW_SECRET_KEY", "22222222-2222-2222-2222-222222222222"),
            ("SCW_API_URL", server.uri().as_str()),
            ("SCW_DEFAULT_PROJECT_ID", PROJECT),
        ]))
        .load()
        .unwrap();
    let client = Client::builder()
        .config(config)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let snapshot = Inventory::builder(client)
        .sources(&[
            SourceName::Instance,
            SourceName::Block,
            SourceName::Secret,
            SourceName::Kubernetes,
            SourceName::Vpc,
            SourceName::Registry,
        ])
        .regions([Region::FrPar])
        .build()
        .unwrap()
        .collect()
        .await;
    assert!(snapshot.is_complete(), "{:?}", snapshot.listings);
    // Path (fr-par-1 / fr-par) → the order parameters sent (the same by every request of a
    // path: secrets are listed twice, scheduled for deletion or not).
    let mut sent: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for r in server.received_requests().await.unwrap() {
        let path = r.url.path().to_owned();
        if !path.contains("fr-par-1") && !path.contains("/regions/fr-par/") {
            continue;
        }
        let order: Vec<(String, String)> = r
            .url
            .query_pairs()
            .filter(|(k, _)| k == "order" || k == "order_by")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if let Some(before) = sent.insert(path.clone(), order.clone()) {
            assert_eq!(before, order, "{path}");
        }
    }
    let by = |v: &str| vec![("order_by".to_owned(), v.to_owned())];
    let expected: BTreeMap<String, Vec<(String, String)>> = [
        (
            "/instance/v1/zones/fr-par-1/servers",
            vec![("order".to_owned(), "creation_date_asc".to_owned())],
        ),
        // ListVolumes documents no order.
        ("/instance/v1/zones/fr-par-1/volumes", Vec::new()),
        ("/block/v1/zones/fr-par-1/volumes", by("created_at_asc")),
        ("/block/v1/zones/fr-par-1/snapshots", by("created_at_asc")),
        (
            "/secret-manager/v1beta1/regions/fr-par/secrets",
            by("created_at_asc"),
        ),
        ("/k8s/v1/regions/fr-par/clusters", by("created_at_asc")),
        ("/vpc/v2/regions/fr-par/vpcs", by("created_at_asc")),
        (
            "/vpc/v2/regions/fr-par/private-networks",
            by("created_at_asc"),
        ),
        (
            "/registry/v1/regions/fr-par/namespaces",
            by("created_at_asc"),
        ),
    ]
    .into_iter()
    .map(|(p, o)| (p.to_owned(), o))
    .collect();
    assert_eq!(sent, expected);
}
