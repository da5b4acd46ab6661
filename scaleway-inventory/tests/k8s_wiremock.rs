//! Kapsule: a cluster deleted between the cluster listing and its pools listing, against
//! wiremock with recorded bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_core::testing::recorded;
use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_inventory::{Inventory, LocalityStatus, RelationKind, ResourceKind, SourceName};
use serde_json::Value;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROJECT: &str = "11111111-1111-1111-1111-111111111111";

fn recorded_json(name: &str) -> Value {
    recorded("k8s")
        .into_iter()
        .find(|r| r.name() == name)
        .unwrap_or_else(|| panic!("{name}"))
        .response_body
}

#[tokio::test]
async fn a_cluster_deleted_before_its_pools_are_listed_is_noted_and_the_region_completes() {
    let server = MockServer::start().await;
    // Recorded: two clusters in fr-par.
    let clusters = recorded_json("clusters-list-200-01.json");
    let ids: Vec<String> = clusters["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    let (kept, deleted) = (&ids[0], &ids[1]);
    Mock::given(method("GET"))
        .and(path("/k8s/v1/regions/fr-par/clusters"))
        .and(query_param("project_id", PROJECT))
        .respond_with(ResponseTemplate::new(200).set_body_json(&clusters))
        .expect(1)
        .mount(&server)
        .await;
    // Recorded: one pool (re-parented to the first cluster).
    let mut pools = recorded_json("pools-list-200-01.json");
    pools["pools"][0]["cluster_id"] = Value::from(kept.as_str());
    Mock::given(method("GET"))
        .and(path(format!(
            "/k8s/v1/regions/fr-par/clusters/{kept}/pools"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(&pools))
        .expect(1)
        .mount(&server)
        .await;
    // Recorded: the API's 404 for a cluster that no longer exists.
    let mut not_found = recorded_json("clusters-get-404-01.json");
    not_found["resource_id"] = Value::from(deleted.as_str());
    Mock::given(method("GET"))
        .and(path(format!(
            "/k8s/v1/regions/fr-par/clusters/{deleted}/pools"
        )))
        .respond_with(ResponseTemplate::new(404).set_body_json(&not_found))
        .expect(1)
        .mount(&server)
        .await;

    let config = Config::loader()
        .env(Env::default())
        .access_key("SCWXXXXXXXXXXXXXXXXX".parse().unwrap())
        .secret_key("22222222-2222-2222-2222-222222222222".parse().unwrap())
        .project_id(PROJECT.parse().unwrap())
        .api_url(server.uri().parse().unwrap())
        .load()
        .unwrap();
    let client = Client::builder().config(config).build().unwrap();
    let snap = Inventory::builder(client)
        .sources(&[SourceName::Kubernetes])
        .regions([Region::FrPar])
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
        .collect()
        .await;
    assert_eq!(snap.listings.len(), 1);
    assert_eq!(
        snap.listings[0].status,
        LocalityStatus::Ok { count: 3 },
        "two clusters and one pool: {:?}",
        snap.listings
    );
    let gone = snap
        .get(&format!("k8s_cluster/fr-par/{deleted}"))
        .expect("the deleted cluster was listed: it is reported");
    assert_eq!(gone.notes().len(), 1);
    assert!(gone.is_unknown("relations"));
    assert!(
        gone.notes()[0].message.contains("pools not listed")
            && gone.notes()[0].message.contains("404"),
        "{:?}",
        gone.notes()
    );
    let cluster = snap.get(&format!("k8s_cluster/fr-par/{kept}")).unwrap();
    assert!(cluster.notes().is_empty());
    assert!(
        cluster
            .relations()
            .iter()
            .any(|r| r.kind == RelationKind::Contains && r.target.starts_with("k8s_pool/")),
        "{:?}",
        cluster.relations()
    );
    assert_eq!(
        snap.count_by_kind().get(&ResourceKind::KubernetesPool),
        Some(&1)
    );
}
