//! What the Block and Secret Manager sources send and how they read the answers, against
//! wiremock with recorded bodies: Block v1 with the recorded listing parameters, secrets
//! listed twice (not scheduled, then scheduled for deletion).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_core::testing::recorded;
use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_inventory::sources::SecretSource;
use scaleway_inventory::{
    Inventory, LocalityStatus, ProductObject, ResourceKind, Snapshot, SourceName,
};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, path_regex, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PROJECT: &str = "11111111-1111-1111-1111-111111111111";

fn recorded_json(api: &str, name: &str) -> Value {
    recorded(api)
        .into_iter()
        .find(|r| r.name() == name)
        .unwrap_or_else(|| panic!("{name}"))
        .response_body
}

async fn sync(server: &MockServer, source: SourceName) -> Snapshot {
    let config = Config::loader()
        .env(Env::default())
        .access_key("SCWXXXXXXXXXXXXXXXXX".parse().unwrap())
        .secret_key("22222222-2222-2222-2222-222222222222".parse().unwrap())
        .project_id(PROJECT.parse().unwrap())
        .api_url(server.uri().parse().unwrap())
        .load()
        .unwrap();
    let client = Client::builder().config(config).build().unwrap();
    Inventory::builder(client)
        .sources(&[source])
        .regions([Region::FrPar])
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
        .collect()
        .await
}

#[tokio::test]
async fn block_is_read_through_v1_with_the_recorded_listing_parameters() {
    let server = MockServer::start().await;
    // Only requests carrying what the official clients send are answered (anything else,
    // v1alpha1 included, gets wiremock's 404 and fails the listing).
    for (kind, body) in [
        (
            "volumes",
            recorded_json("block", "v1-volumes-list-200-05.json"),
        ),
        (
            "snapshots",
            recorded_json("block", "v1-snapshots-list-200-02.json"),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/block/v1/zones/fr-par-1/{kind}")))
            .and(query_param("project_id", PROJECT))
            .and(query_param("include_deleted", "false"))
            .and(query_param("order_by", "created_at_asc"))
            .respond_with(ResponseTemplate::new(200).set_body_json(&body))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path_regex(format!("^/block/v1/zones/fr-par-[23]/{kind}$")))
            .and(query_param("include_deleted", "false"))
            .and(query_param("order_by", "created_at_asc"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({kind: [], "total_count": 0})),
            )
            .expect(2)
            .mount(&server)
            .await;
    }
    let snap = sync(&server, SourceName::Block).await;
    assert!(snap.is_complete(), "{:?}", snap.listings);
    let volumes: Vec<_> = snap
        .resources
        .iter()
        .filter_map(|r| match &r.object() {
            ProductObject::BlockVolume(v) => Some(v),
            _ => None,
        })
        .collect();
    let snapshots: Vec<_> = snap
        .resources
        .iter()
        .filter_map(|r| match &r.object() {
            ProductObject::BlockSnapshot(s) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!((volumes.len(), snapshots.len()), (2, 2));
    // Recorded v1 answers: `kms_key_id: null`, `public: false`.
    assert!(volumes.iter().all(|v| v.kms_key_id.is_none()));
    assert!(snapshots.iter().all(|s| s.public == Some(false)));
}

#[tokio::test]
async fn secrets_scheduled_for_deletion_are_listed_with_their_state_once() {
    let server = MockServer::start().await;
    // Recorded: 32 secrets, none scheduled for deletion.
    let listed = recorded_json("secret", "secrets-list-200-03.json");
    let first = listed["secrets"][0].clone();
    // Recorded: a secret read after its deletion was requested (status still `ready`).
    let scheduled = recorded_json("secret", "secrets-get-200-05.json");
    // The second listing also finds the first secret of the first (its deletion was
    // requested in between): it must be reported once.
    let mut moved = first.clone();
    moved["deletion_requested_at"] = scheduled["deletion_requested_at"].clone();
    for (flag, body) in [
        ("false", listed.clone()),
        (
            "true",
            json!({"secrets": [scheduled.clone(), moved], "total_count": 2}),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path("/secret-manager/v1beta1/regions/fr-par/secrets"))
            .and(query_param("project_id", PROJECT))
            .and(query_param("scheduled_for_deletion", flag))
            .respond_with(ResponseTemplate::new(200).set_body_json(&body))
            .expect(1)
            .mount(&server)
            .await;
    }
    let snap = sync(&server, SourceName::Secret).await;
    let fr_par = snap
        .listings
        .iter()
        .find(|l| l.locality.to_string() == "fr-par")
        .unwrap();
    assert_eq!(fr_par.status, LocalityStatus::Ok { count: 33 });
    let secrets: Vec<_> = snap
        .resources
        .iter()
        .filter(|r| *r.kind() == ResourceKind::Secret)
        .collect();
    assert_eq!(
        secrets.len(),
        33,
        "32 listed + 1 scheduled, the moved one once"
    );
    let id = |v: &Value| format!("secret/fr-par/{}", v["id"].as_str().unwrap());
    let gone = snap
        .get(&id(&scheduled))
        .expect("the scheduled secret is reported");
    assert_eq!(gone.state(), SecretSource::SCHEDULED_FOR_DELETION);
    let ProductObject::Secret(s) = &gone.object() else {
        panic!("typed secret")
    };
    assert!(s.is_scheduled_for_deletion());
    assert_eq!(
        s.deletion_requested_at,
        Some("2026-07-03T15:28:06.955940Z".parse().unwrap())
    );
    // As the first listing saw it.
    assert_eq!(snap.get(&id(&first)).unwrap().state(), "ready");
    assert!(
        secrets
            .iter()
            .filter(|r| r.id() != gone.id())
            .all(|r| r.state() == "ready")
    );
}
