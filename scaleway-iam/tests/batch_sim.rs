//! Many credentials at once against the simulator: one item per credential, each on its
//! own, under one deadline, over one transport.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{options, sim};
use futures::StreamExt;
use scaleway_core::Transport;
use scaleway_iam::checker::batch::{BatchError, BatchItem, BatchOptions, Credential};
use scaleway_iam::checker::{Checker, Profile};
use scaleway_sim::Sim;

fn credential(sim: &Sim, label: &str, name: &str) -> Credential {
    let c = sim.credential(name).unwrap();
    Credential::new(
        label,
        c.access_key.parse().unwrap(),
        c.secret_key.parse().unwrap(),
        sim.project_id("production").unwrap().parse().unwrap(),
    )
}

/// `n` keys of the demo's `byoc` application, plus a revoked key and an unknown one.
fn credentials(sim: &Sim, n: usize) -> Vec<Credential> {
    let st = sim.state();
    let app = st.application_id("byoc").unwrap();
    let prod = sim.project_id("production").unwrap();
    let mut v: Vec<Credential> = (0..n)
        .map(|i| {
            let k = st.create_api_key(&app, false, &prod).unwrap();
            Credential::new(
                format!("customer-{i}"),
                k.access_key.parse().unwrap(),
                k.secret_key.parse().unwrap(),
                prod.parse().unwrap(),
            )
        })
        .collect();
    v.push(credential(sim, "revoked", "deleted"));
    v.push(Credential::new(
        "unknown",
        "SCWUNKNOWNUNKNOWN123".parse().unwrap(),
        "0f0f0f0f-0000-4000-8000-000000000000".parse().unwrap(),
        prod.parse().unwrap(),
    ));
    v
}

fn batch_options(sim: &Sim) -> BatchOptions {
    let mut o = BatchOptions::default();
    o.api_url = Some(sim.api_url().clone());
    o.concurrency = 8;
    o
}

async fn run(sim: &Sim, creds: Vec<Credential>, o: BatchOptions, t: &Transport) -> Vec<BatchItem> {
    let checker = Checker::new().with_options(options(sim));
    let profile = Profile::builtin("byoc-kapsule").unwrap();
    checker
        .check_many(t, &profile, creds, o)
        .collect::<Vec<_>>()
        .await
}

#[tokio::test]
async fn every_credential_gets_its_own_result() {
    let sim = sim().await;
    let creds = credentials(&sim, 20);
    let n = creds.len();
    let transport = Transport::builder().max_in_flight(4).build().unwrap();
    let before = sim.request_count();
    let items = run(&sim, creds, batch_options(&sim), &transport).await;
    assert_eq!(items.len(), n);
    let indices: BTreeSet<usize> = items.iter().map(|i| i.index).collect();
    assert_eq!(indices, (0..n).collect(), "one item per credential");
    let mut sent = 0;
    for item in &items {
        let report = item
            .result
            .as_ref()
            .unwrap_or_else(|e| panic!("{}: {e}", item.label));
        assert_eq!(report.key.access_key, item.access_key.to_string());
        assert!(item.stats.attempts > 0, "{}", item.label);
        sent += item.stats.attempts;
        match item.label.as_str() {
            // Refused keys are reports of their own (Invalid), never an abort of the batch.
            "revoked" | "unknown" => {
                assert!(!report.verdict.is_ready());
                assert!(
                    report.has("key_not_found") || report.has("key_rejected"),
                    "{}: {}",
                    item.label,
                    report.to_text()
                );
            }
            // The customer keys cannot read IAM: each is probed with its key alone.
            _ => assert!(report.has("iam_read_refused"), "{}", report.to_text()),
        }
    }
    // Each client counted its own requests; together, every request the simulator saw.
    assert_eq!(sent, sim.request_count() - before);
    assert_eq!(transport.in_flight(), 0);
}

#[tokio::test]
async fn past_the_deadline_nothing_more_is_sent_and_every_item_says_so() {
    let sim = sim().await;
    let creds = credentials(&sim, 5);
    let n = creds.len();
    let transport = Transport::new().unwrap();
    let mut o = batch_options(&sim);
    o.deadline = Some(Duration::ZERO);
    let before = sim.request_count();
    let items = run(&sim, creds, o, &transport).await;
    assert_eq!(items.len(), n);
    for item in &items {
        assert!(
            matches!(item.result, Err(BatchError::DeadlineExceeded)),
            "{}: {:?}",
            item.label,
            item.result
        );
        assert_eq!(item.stats.attempts, 0);
    }
    assert_eq!(
        sim.request_count(),
        before,
        "nothing sent past the deadline"
    );
    // A deadline far away changes nothing.
    let mut o = batch_options(&sim);
    o.deadline = Some(Duration::from_secs(3600));
    let items = run(&sim, credentials(&sim, 3), o, &transport).await;
    assert!(items.iter().all(|i| i.result.is_ok()));
}

#[test]
fn a_credential_never_prints_its_secret() {
    let c = Credential::new(
        "customer",
        "SCWXXXXXXXXXXXXXXXXX".parse().unwrap(),
        "5e1d7c0a-9b8f-4c3d-a2e1-0f9e8d7c6b5a".parse().unwrap(),
        "11111111-1111-4111-8111-111111111111".parse().unwrap(),
    );
    assert!(!format!("{c:?}").contains("5e1d7c0a"));
}
