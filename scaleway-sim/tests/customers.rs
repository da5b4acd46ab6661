//! The `customers` scenario (one key per customer's project), faults scoped to one key, and the
//! count of requests in flight. Nothing here asserts on elapsed time.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers may panic"
)]

mod common;

use std::time::Duration;

use common::{client, get};
use reqwest::StatusCode;
use scaleway_sim::{CustomersParams, Faults, KeyFault, Scenario, Sim, SimCredential};

async fn start(customers: usize, resources: usize) -> Sim {
    Sim::start(Scenario::customers(CustomersParams::new(
        customers, resources,
    )))
    .await
    .expect("sim")
}

fn customer(sim: &Sim, i: usize) -> &SimCredential {
    sim.credential(&CustomersParams::name(i)).expect("customer")
}

fn total(body: &serde_json::Value) -> u64 {
    body["total_count"].as_u64().expect("total_count")
}

#[tokio::test]
async fn each_customer_key_reads_its_own_project_only() {
    let sim = start(3, 200).await;
    let c = client();
    assert_eq!(sim.credentials().len(), 4, "three customers and admin");
    for i in 0..3 {
        let me = customer(&sim, i);
        assert_eq!(
            sim.project_id(&CustomersParams::name(i)).as_deref(),
            Some(me.project_id.as_str())
        );
        // 200 resources: 50 servers with their 50 boot volumes, 50 volumes, 40 secrets, 10
        // buckets; spread over the zones and regions.
        let mut servers = 0;
        let mut volumes = 0;
        for zone in [
            "fr-par-1", "fr-par-2", "fr-par-3", "nl-ams-1", "nl-ams-2", "nl-ams-3", "pl-waw-1",
            "pl-waw-2", "pl-waw-3", "it-mil-1",
        ] {
            let r = get(
                &c,
                sim.api_url(),
                &me.secret_key,
                &format!(
                    "/instance/v1/zones/{zone}/servers?project={}&per_page=100",
                    me.project_id
                ),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "{zone}");
            servers += r.body["servers"].as_array().expect("servers").len();
            if zone != "it-mil-1" {
                let r = get(
                    &c,
                    sim.api_url(),
                    &me.secret_key,
                    &format!(
                        "/block/v1/zones/{zone}/volumes?project_id={}&page_size=100",
                        me.project_id
                    ),
                )
                .await;
                volumes += total(&r.body);
            }
        }
        assert_eq!((servers, volumes), (50, 100), "customer {i}");
        let mut secrets = 0;
        for region in ["fr-par", "nl-ams", "pl-waw"] {
            let r = get(
                &c,
                sim.api_url(),
                &me.secret_key,
                &format!(
                    "/secret-manager/v1beta1/regions/{region}/secrets?project_id={}",
                    me.project_id
                ),
            )
            .await;
            secrets += total(&r.body);
        }
        assert_eq!(secrets, 40, "customer {i}");
        // Another customer's project is refused.
        let other = customer(&sim, (i + 1) % 3);
        let r = get(
            &c,
            sim.api_url(),
            &me.secret_key,
            &format!(
                "/instance/v1/zones/fr-par-1/servers?project={}",
                other.project_id
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "customer {i}");
    }
    let buckets = sim.state().buckets();
    assert_eq!(buckets.len(), 30);
    assert!(
        buckets
            .iter()
            .all(|b| b.project_id == customer(&sim, b.name[1..5].parse().unwrap()).project_id)
    );
}

#[tokio::test]
async fn a_key_fault_touches_that_key_only() {
    let sim = start(2, 8).await;
    let c = client();
    let (limited, other) = (customer(&sim, 0), customer(&sim, 1));
    sim.set_faults(Faults {
        key_faults: vec![KeyFault::rate_limited(&limited.access_key)],
        ..Faults::default()
    });
    let path = |p: &str| format!("/block/v1/zones/fr-par-1/volumes?project_id={p}");
    for _ in 0..3 {
        let r = get(
            &c,
            sim.api_url(),
            &limited.secret_key,
            &path(&limited.project_id),
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.header("x-envoy-ratelimited"), Some("true"));
        assert!(r.raw.is_empty(), "the real 429 has no body");
        let r = get(
            &c,
            sim.api_url(),
            &other.secret_key,
            &path(&other.project_id),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
    }
    // S3: the key of the SigV4 credential (the fault comes before the signature check, so an
    // unsigned request shows it; the other key's request reaches s3s, which refuses it).
    let s3 = sim.s3_endpoint("fr-par").expect("s3");
    let s3_status = |ak: &str| {
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential={ak}@{}/20260302/fr-par/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00",
            limited.project_id
        );
        c.get(s3.clone())
            .header("authorization", auth)
            .header("x-amz-date", "20260302T090000Z")
            .send()
    };
    let r = s3_status(&limited.access_key).await.expect("s3");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let r = s3_status(&other.access_key).await.expect("s3");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A deleted key matches no key fault: it is refused as usual (401).
    sim.state()
        .delete_api_key(&limited.access_key)
        .expect("delete");
    let r = get(
        &c,
        sim.api_url(),
        &limited.secret_key,
        &path(&limited.project_id),
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(r.body["type"], "denied_authentication");
    // Lifting the fault.
    sim.set_faults(Faults::default());
    let r = get(
        &c,
        sim.api_url(),
        &other.secret_key,
        &path(&other.project_id),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

#[tokio::test]
async fn requests_in_flight_are_counted_while_they_are_served() {
    let sim = start(2, 8).await;
    let slow = customer(&sim, 0).clone();
    // An hour of latency for this key: its requests stay in flight for the whole test.
    sim.set_faults(Faults {
        key_faults: vec![KeyFault::new(&slow.access_key).with_latency(Duration::from_secs(3600))],
        ..Faults::default()
    });
    assert_eq!((sim.in_flight(), sim.peak_in_flight()), (0, 0));
    let c = client();
    let mut held = Vec::new();
    for _ in 0..3 {
        let (c, url, token) = (c.clone(), sim.api_url().clone(), slow.secret_key.clone());
        held.push(tokio::spawn(async move {
            get(&c, &url, &token, "/instance/v1/zones/fr-par-1/servers").await
        }));
    }
    // Wait (by polling, not by time) until the three are being served.
    tokio::time::timeout(Duration::from_secs(60), async {
        while sim.in_flight() < 3 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .expect("the three requests never reached the simulator");
    // Another key is served meanwhile, and counted while it is.
    let other = customer(&sim, 1);
    let r = get(
        &c,
        sim.api_url(),
        &other.secret_key,
        "/vpc/v2/regions/fr-par/vpcs",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(sim.in_flight(), 3);
    assert_eq!(sim.peak_in_flight(), 4);
    sim.reset_peak_in_flight();
    assert_eq!(sim.peak_in_flight(), 3);
    for h in held {
        h.abort();
    }
}
