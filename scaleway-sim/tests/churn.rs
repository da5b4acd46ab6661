//! The page-size cap and the churn fault: what a reader sees, page by page.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers may panic"
)]

mod common;

use common::{client, get};
use scaleway_sim::{Churn, ChurnEventKind, ChurnMode, Faults, Scenario, Sim};
use serde_json::Value;

fn ids(body: &Value, key: &str) -> Vec<String> {
    body[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn dense(faults: Faults) -> (Sim, String, String) {
    let sim = Sim::builder(Scenario::dense(10))
        .faults(faults)
        .start()
        .await
        .unwrap();
    let cred = sim.credential("inventory").unwrap().clone();
    (sim, cred.secret_key, cred.project_id)
}

#[tokio::test]
async fn the_page_size_cap_serves_fewer_items_with_the_real_total() {
    let (sim, token, project) = dense(Faults {
        page_size_cap: Some(4),
        ..Faults::default()
    })
    .await;
    let c = client();
    let r = get(
        &c,
        sim.api_url(),
        &token,
        &format!("/vpc/v2/regions/fr-par/vpcs?project_id={project}&page_size=100&page=3"),
    )
    .await;
    assert_eq!(
        ids(&r.body, "vpcs").len(),
        2,
        "10 items, pages of 4: 4, 4, 2"
    );
    assert_eq!(r.body["total_count"], 10);
    let r = get(
        &c,
        sim.api_url(),
        &token,
        &format!("/instance/v1/zones/fr-par-1/servers?project={project}&per_page=50&page=1"),
    )
    .await;
    assert_eq!(ids(&r.body, "servers").len(), 4);
    assert_eq!(r.headers["x-total-count"], "10");
    let link = r.headers["link"].to_str().unwrap();
    assert!(link.contains("page=3&per_page=4"), "{link}");
}

/// The first change of a listing deletes an item of page 1 before page 2 is answered: the
/// item that opened page 2 now closes page 1, which the reader already has.
#[tokio::test]
async fn a_deletion_before_the_boundary_moves_an_item_onto_the_page_already_read() {
    let (sim, token, project) = dense(Faults {
        page_size_cap: Some(4),
        ..Faults::default()
    })
    .await;
    let c = client();
    let path = |page: u32| {
        format!(
            "/secret-manager/v1beta1/regions/fr-par/secrets?project_id={project}&order_by=created_at_asc&page_size=4&page={page}"
        )
    };
    let quiet_page_2 = ids(
        &get(&c, sim.api_url(), &token, &path(2)).await.body,
        "secrets",
    );
    let page_1 = ids(
        &get(&c, sim.api_url(), &token, &path(1)).await.body,
        "secrets",
    );
    sim.set_faults(Faults {
        page_size_cap: Some(4),
        churn: Some(Churn::new(1.0, ChurnMode::Delete, 1)),
        ..Faults::default()
    });
    let r = get(&c, sim.api_url(), &token, &path(2)).await;
    assert_eq!(r.body["total_count"], 9);
    let page_2 = ids(&r.body, "secrets");
    let log = sim.churn_log();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, ChurnEventKind::Deleted);
    assert_eq!(log[0].collection, "secrets");
    assert_eq!(log[0].page, 2);
    assert_eq!(
        log[0].path,
        "/secret-manager/v1beta1/regions/fr-par/secrets"
    );
    assert!(page_1.contains(&log[0].id), "deleted on page 1");
    // The item that opened page 2 is no longer on it: page 2 starts one item later.
    assert_eq!(page_2[..3], quiet_page_2[1..]);
    // The budget is spent: the listing holds still.
    let again = ids(
        &get(&c, sim.api_url(), &token, &path(2)).await.body,
        "secrets",
    );
    assert_eq!(again, page_2);
    assert_eq!(sim.churn_log().len(), 1);
    // The first page never changes anything.
    assert!(sim.state().ids("secrets").len() == 9);
}

/// A replace creates the newest item: last oldest-first, the total unchanged.
#[tokio::test]
async fn a_replace_keeps_the_total_and_adds_the_newest_item() {
    let (sim, token, project) = dense(Faults {
        page_size_cap: Some(4),
        churn: Some(Churn::new(1.0, ChurnMode::Replace, 1)),
        ..Faults::default()
    })
    .await;
    let c = client();
    let path = |page: u32| {
        format!(
            "/k8s/v1/regions/fr-par/clusters?project_id={project}&order_by=created_at_asc&page_size=4&page={page}"
        )
    };
    let r = get(&c, sim.api_url(), &token, &path(3)).await;
    assert_eq!(r.body["total_count"], 10);
    let log = sim.churn_log();
    let created: Vec<_> = log
        .iter()
        .filter(|e| e.kind == ChurnEventKind::Created)
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].collection, "clusters");
    // Deleting a cluster takes its pools with it (logged).
    assert!(
        log.iter()
            .any(|e| e.kind == ChurnEventKind::Deleted && e.collection == "pools")
    );
    assert_eq!(
        ids(&r.body, "clusters").last(),
        Some(&created[0].id),
        "newest last"
    );
}

/// Same seed, same requests: same changes.
#[tokio::test]
async fn changes_are_drawn_from_the_seed() {
    let mut logs = Vec::new();
    for _ in 0..2 {
        let (sim, token, project) = dense(Faults {
            page_size_cap: Some(2),
            churn: Some(Churn::new(0.5, ChurnMode::Mixed, 10)),
            ..Faults::default()
        })
        .await;
        let c = client();
        for page in 1..=5 {
            get(
                &c,
                sim.api_url(),
                &token,
                &format!(
                    "/vpc/v2/regions/fr-par/private-networks?project_id={project}&page={page}"
                ),
            )
            .await;
        }
        logs.push(
            sim.churn_log()
                .into_iter()
                .map(|e| (e.kind, e.page, e.id))
                .collect::<Vec<_>>(),
        );
    }
    assert!(!logs[0].is_empty());
    assert_eq!(logs[0], logs[1]);
}
