//! Many customers on the simulator's `customers` scenario: one global bound (counted at the
//! simulator), each key on its own budget, a revoked key, a rate-limited key, a key whose
//! requests hang, and the bound on customers held at once. Nothing here asserts on elapsed
//! time: orderings are forced by faults the test lifts only after observing the others.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::StreamExt;
use scaleway_core::{Config, Region, RetryPolicy, Transport};
use scaleway_inventory::{
    Customer, CustomerError, FailureKind, Fleet, FleetBuilder, Inventory, LocalityStatus,
    ObjectStorageSource, ResourceKind, Snapshot,
};
use scaleway_sim::{CustomersParams, Faults, KeyFault, Scenario, Sim, SimCredential};

/// Resources per customer: 10 servers, their 10 boot volumes, 10 volumes, 8 secrets, 2 buckets.
const PER_CUSTOMER: usize = 40;

async fn sim(customers: usize) -> Sim {
    Sim::builder(Scenario::customers(CustomersParams::new(
        customers,
        PER_CUSTOMER,
    )))
    // A little latency, so that requests of different customers overlap on the wire.
    .latency(Duration::from_millis(2))
    .start()
    .await
    .unwrap()
}

fn cred(sim: &Sim, i: usize) -> &SimCredential {
    sim.credential(&CustomersParams::name(i)).unwrap()
}

/// Customer `i` of the simulator: its key alone, pointed at the simulator.
fn customer(sim: &Sim, i: usize) -> Customer<usize> {
    let c = cred(sim, i);
    let config = Config::loader()
        .isolated()
        .access_key(c.access_key.parse().unwrap())
        .secret_key(c.secret_key.parse().unwrap())
        .project_id(c.project_id.parse().unwrap())
        .api_url(sim.api_url().clone())
        .load()
        .unwrap();
    Customer::from_config(i, config)
}

fn customers(sim: &Sim, n: usize) -> Vec<Customer<usize>> {
    (0..n).map(|i| customer(sim, i)).collect()
}

/// Retries with short backoffs and room for many 429s.
fn patient() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(100_000)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
        .with_budget(Duration::from_secs(3600))
}

/// A fleet on `transport` whose Object Storage source reaches the simulator's S3 endpoints
/// (with the same patient policy, so that a rate-limited key completes there too).
fn fleet(sim: &Sim, transport: &Transport) -> FleetBuilder {
    let endpoints: Vec<(Region, url::Url)> = Region::ALL
        .iter()
        .map(|r| (r.clone(), sim.s3_endpoint(r.as_str()).unwrap()))
        .collect();
    Fleet::builder(transport.clone())
        .retry(patient())
        .inventory(move |client, inventory| {
            let mut s3 = ObjectStorageSource::builder()
                .from_client(client)
                .retry(patient());
            for (region, url) in &endpoints {
                s3 = s3.endpoint(region.clone(), url.clone());
            }
            Ok(inventory.object_storage(s3.build()?))
        })
}

/// The next result. A stream waiting for the faulty customer would never yield the others (the
/// test lifts the fault only after them): the timeout turns that hang into a failure, it
/// measures nothing.
async fn next_or_hang(
    stream: &mut scaleway_inventory::FleetStream<usize>,
) -> (usize, Result<Snapshot, CustomerError>) {
    tokio::time::timeout(Duration::from_secs(120), stream.next())
        .await
        .expect("the others were held up by the faulty customer")
        .expect("a result")
}

/// A customer's complete snapshot: its own 40 resources, nothing of another project.
fn assert_complete(sim: &Sim, i: usize, snapshot: &Snapshot) {
    assert!(
        snapshot.is_complete(),
        "customer {i}: {:?}",
        snapshot
            .listings
            .iter()
            .filter(|l| !l.status.is_ok() && !l.status.is_not_available())
            .collect::<Vec<_>>()
    );
    let project = &cred(sim, i).project_id;
    assert_eq!(snapshot.projects, vec![project.parse().unwrap()]);
    assert!(
        snapshot
            .resources
            .iter()
            .all(|r| r.project_id() == project.as_str())
    );
    let kinds = snapshot.count_by_kind();
    let expected = BTreeMap::from([
        (ResourceKind::Bucket, 2),
        (ResourceKind::BlockVolume, 20),
        (ResourceKind::InstanceServer, 10),
        (ResourceKind::Secret, 8),
    ]);
    assert_eq!(kinds, expected, "customer {i}");
}

#[tokio::test]
async fn every_customer_completes_under_one_global_bound() {
    let sim = sim(6).await;
    let transport = Transport::builder().max_in_flight(4).build().unwrap();
    let fleet = fleet(&sim, &transport)
        .customers_at_once(3)
        .key_max_in_flight(2)
        .build();
    let results: Vec<(usize, Result<Snapshot, CustomerError>)> =
        fleet.sync(customers(&sim, 6)).collect().await;
    let mut seen: Vec<usize> = results.iter().map(|(id, _)| *id).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..6).collect::<Vec<_>>(), "one result per customer");
    let mut requests = 0;
    for (i, result) in &results {
        let snapshot = result.as_ref().unwrap();
        assert_complete(&sim, *i, snapshot);
        assert_eq!(snapshot.stats.rate_limited, 0);
        requests += snapshot.stats.requests;
    }
    // Every request the simulator saw was counted by one customer's own client.
    assert_eq!(requests, sim.request_count());
    let peak = sim.peak_in_flight();
    assert!(peak <= 4, "global bound exceeded: {peak} at once");
    assert!(peak >= 2, "nothing ran concurrently ({peak})");
    assert_eq!(transport.in_flight(), 0);
}

#[tokio::test]
async fn a_revoked_key_is_an_error_naming_it_and_the_others_complete() {
    let sim = sim(4).await;
    let revoked = cred(&sim, 1).clone();
    sim.state().delete_api_key(&revoked.access_key).unwrap();
    let transport = Transport::builder().max_in_flight(4).build().unwrap();
    let fleet = fleet(&sim, &transport).key_max_in_flight(2).build();
    let mut results: BTreeMap<usize, Result<Snapshot, CustomerError>> =
        fleet.sync(customers(&sim, 4)).collect().await;
    let error = results.remove(&1).unwrap().unwrap_err();
    let CustomerError::KeyRefused {
        access_key,
        message,
        stats,
    } = &error
    else {
        panic!("not KeyRefused: {error:?}");
    };
    assert_eq!(access_key.as_ref().unwrap().as_str(), revoked.access_key);
    assert!(message.contains("401"), "{message}");
    assert!(error.is_key_refused());
    let shown = error.to_string();
    assert!(shown.contains(&revoked.access_key), "{shown}");
    // The secret appears nowhere.
    for text in [
        shown,
        format!("{error:?}"),
        format!("{:?}", customer(&sim, 1)),
    ] {
        assert!(!text.contains(&revoked.secret_key), "{text}");
    }
    let good: Vec<u64> = results
        .iter()
        .map(|(i, r)| {
            let s = r.as_ref().unwrap();
            assert_complete(&sim, *i, s);
            s.stats.requests
        })
        .collect();
    assert_eq!(good.len(), 3);
    // The refused customer stopped at the first refusal: with its bound of 2, a handful of
    // requests at most, where a sync of every listing sends one per listing (~60) even when
    // each is refused.
    assert!(
        (1..=8).contains(&stats.requests),
        "{} requests for the revoked key, {} for a complete sync",
        stats.requests,
        good[0]
    );
}

#[tokio::test]
async fn a_listing_refused_for_the_key_says_authentication() {
    let sim = sim(1).await;
    let c = cred(&sim, 0).clone();
    sim.state().delete_api_key(&c.access_key).unwrap();
    let config = customer(&sim, 0).config().clone();
    let client = scaleway_core::Client::builder()
        .config(config)
        .build()
        .unwrap();
    let snapshot = Inventory::builder(client)
        .sources(&[scaleway_inventory::SourceName::Block])
        .retry(patient())
        .build()
        .unwrap()
        .collect()
        .await;
    let failed: Vec<_> = snapshot
        .listings
        .iter()
        .filter(|l| !l.status.is_not_available())
        .collect();
    assert_eq!(failed.len(), 9, "one per Block zone");
    for l in failed {
        assert!(
            matches!(
                l.status,
                LocalityStatus::Failed {
                    kind: FailureKind::Authentication,
                    ..
                }
            ),
            "{l:?}"
        );
    }
}

#[tokio::test]
async fn a_rate_limited_key_completes_and_the_others_are_not_held_up() {
    let sim = sim(4).await;
    let limited = cred(&sim, 0).clone();
    // Every request of customer 0 is answered 429 until the test lifts the fault, which it
    // does only once the three others have their results: they cannot have waited for it.
    sim.set_faults(Faults {
        key_faults: vec![KeyFault::rate_limited(&limited.access_key)],
        ..Faults::default()
    });
    let transport = Transport::builder().max_in_flight(3).build().unwrap();
    let fleet = fleet(&sim, &transport)
        .customers_at_once(4)
        .key_max_in_flight(2)
        .build();
    let mut stream = fleet.sync(customers(&sim, 4));
    let mut others = BTreeMap::new();
    for _ in 0..3 {
        let (id, result) = next_or_hang(&mut stream).await;
        assert_ne!(
            id, 0,
            "the rate-limited customer cannot finish while refused"
        );
        others.insert(id, result.unwrap());
    }
    let peak_while_limited = sim.peak_in_flight();
    sim.set_faults(Faults::default());
    let (id, result) = stream.next().await.unwrap();
    assert_eq!(id, 0);
    assert!(stream.next().await.is_none());
    let limited_snapshot = result.unwrap();
    assert_complete(&sim, 0, &limited_snapshot);
    let ls = &limited_snapshot.stats;
    assert!(ls.rate_limited >= 1, "{ls:?}");
    // The others: no 429, no retry, and exactly the requests of a sync; the limited one made
    // the same requests plus its own retries.
    for (i, s) in &others {
        assert_complete(&sim, *i, s);
        assert_eq!((s.stats.rate_limited, s.stats.retries), (0, 0), "{i}");
        assert_eq!(s.stats.requests, ls.requests - ls.rate_limited, "{i}");
    }
    assert!(peak_while_limited <= 3, "global bound exceeded");
    assert!(sim.peak_in_flight() <= 3, "global bound exceeded");
}

#[tokio::test]
async fn a_key_whose_requests_hang_holds_only_its_own_bound() {
    let sim = sim(4).await;
    let slow = cred(&sim, 0).clone();
    sim.set_faults(Faults {
        key_faults: vec![KeyFault::new(&slow.access_key).with_latency(Duration::from_secs(3600))],
        ..Faults::default()
    });
    // One request at a time per key, three over all: the hung key keeps one permit of the
    // three, the others share the two left. Requests wait up to an hour: the hung customer
    // cannot finish during the test.
    let transport = Transport::builder().max_in_flight(3).build().unwrap();
    let fleet = fleet(&sim, &transport)
        .customers_at_once(4)
        .key_max_in_flight(1)
        .request_timeout(Duration::from_secs(7200))
        .build();
    let mut stream = fleet.sync(customers(&sim, 4));
    for _ in 0..3 {
        let (id, result) = next_or_hang(&mut stream).await;
        assert_ne!(id, 0);
        assert_complete(&sim, id, &result.unwrap());
    }
    // The hung key's one request (waited for by polling: it may still be on its way).
    tokio::time::timeout(Duration::from_secs(60), async {
        while sim.in_flight() < 1 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .expect("the hung key's request never reached the simulator");
    assert_eq!(sim.in_flight(), 1, "the hung key holds its own bound only");
    assert_eq!(transport.in_flight(), 1);
    assert!(sim.peak_in_flight() <= 3);
    // Dropping the stream cancels the hung customer and frees its permit.
    drop(stream);
    tokio::time::timeout(Duration::from_secs(60), async {
        while transport.in_flight() > 0 {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await
    .expect("the hung customer's permit was never released");
}

// On tokio's paused clock: the deadline fires only once nothing else can run (the request
// counted and waiting for the simulator's hour of latency), however slow the machine.
#[tokio::test(start_paused = true)]
async fn a_customer_past_its_deadline_times_out() {
    let sim = sim(1).await;
    let slow = cred(&sim, 0).clone();
    sim.set_faults(Faults {
        key_faults: vec![KeyFault::new(&slow.access_key).with_latency(Duration::from_secs(3600))],
        ..Faults::default()
    });
    let transport = Transport::new().unwrap();
    let fleet = fleet(&sim, &transport)
        .customer_timeout(Duration::from_millis(300))
        .build();
    let error = fleet.sync_one(customer(&sim, 0)).await.unwrap_err();
    let CustomerError::TimedOut { after, stats } = &error else {
        panic!("not TimedOut: {error:?}");
    };
    assert_eq!(*after, Duration::from_millis(300));
    assert!(stats.requests >= 1, "{stats:?}");
    assert!(error.to_string().contains("customer_timeout"), "{error}");
}

#[tokio::test]
async fn at_most_n_customers_are_held_at_once() {
    let sim = sim(6).await;
    let transport = Transport::new().unwrap();
    let started = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&started);
    let endpoints: Vec<(Region, url::Url)> = Region::ALL
        .iter()
        .map(|r| (r.clone(), sim.s3_endpoint(r.as_str()).unwrap()))
        .collect();
    let fleet = Fleet::builder(transport)
        .customers_at_once(2)
        .inventory(move |client, inventory| {
            counter.fetch_add(1, Ordering::SeqCst);
            let mut s3 = ObjectStorageSource::builder().from_client(client);
            for (region, url) in &endpoints {
                s3 = s3.endpoint(region.clone(), url.clone());
            }
            Ok(inventory.object_storage(s3.build()?))
        })
        .build();
    let mut stream = fleet.sync(customers(&sim, 6));
    let mut taken = 0;
    while let Some((id, result)) = stream.next().await {
        taken += 1;
        assert_complete(&sim, id, &result.unwrap());
        // A slow consumer: give any eager start every chance to happen.
        for _ in 0..20 {
            tokio::task::yield_now().await;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        let n = started.load(Ordering::SeqCst);
        // The customer just taken, and at most one more (the other place) has started.
        assert!(n <= taken + 1, "{n} started after {taken} taken");
    }
    assert_eq!(taken, 6);
    assert_eq!(started.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn a_customer_that_cannot_start_is_a_setup_error() {
    let sim = sim(1).await;
    // An `insecure` configuration on a transport that verifies certificates.
    let c = cred(&sim, 0);
    let config = Config::loader()
        .isolated()
        .access_key(c.access_key.parse().unwrap())
        .secret_key(c.secret_key.parse().unwrap())
        .project_id(c.project_id.parse().unwrap())
        .api_url(sim.api_url().clone())
        .insecure(true)
        .load()
        .unwrap();
    let fleet = Fleet::builder(Transport::new().unwrap()).build();
    let error = fleet
        .sync_one(Customer::from_config("insecure", config))
        .await
        .unwrap_err();
    assert!(matches!(error, CustomerError::Setup(_)), "{error:?}");
    assert!(
        error.to_string().contains("danger_accept_invalid_certs"),
        "{error}"
    );
    assert_eq!(sim.request_count(), 0);
}
