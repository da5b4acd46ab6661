//! Sync benchmarks against the simulator (not timed tests):
//!
//! * `large`: 5000 servers, 5000 Block volumes, 600 secrets, 30 ms per request: wall time
//!   and number of requests against the minimum (largest pages);
//! * `429`: the same workload under a shared rate limit of 50 requests/s answering 429,
//!   with the inventory's default retry policy: every resource, no duplicates, and how long
//!   it waited (`retry_wall`: wall time with at least one call backing off).
//!
//! `large` runs twice: with the client's default bound of 64 requests in flight, and with
//! `ClientBuilder::max_concurrent_requests(128)`, enough for the ~90 requests of the second
//! round (every page after the first of each listing) to be in flight at once.
//!
//! ```text
//! cargo bench -p scaleway-inventory --bench sync            # both
//! cargo bench -p scaleway-inventory --bench sync -- large   # one
//! ```
#![allow(
    missing_docs,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss
)]

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use futures::StreamExt;
use scaleway_core::{Client, Config, DEFAULT_MAX_CONCURRENT_REQUESTS, Env, RetryPolicy};
use scaleway_inventory::{Event, Inventory, ResourceKind, SourceName};
use scaleway_sim::{LargeParams, Scenario, Sim};

const SOURCES: [SourceName; 3] = [SourceName::Instance, SourceName::Block, SourceName::Secret];

fn params() -> LargeParams {
    LargeParams {
        servers: 5000,
        block_volumes: 5000,
        secrets: 600,
        buckets: 0,
        images: 0,
        projects: 0,
    }
}

fn client(sim: &Sim, retry: RetryPolicy, max_in_flight: usize) -> Client {
    let cred = sim.credential("inventory").unwrap();
    let config = Config::loader()
        .env(Env::default())
        .access_key(cred.access_key.parse().unwrap())
        .secret_key(cred.secret_key.parse().unwrap())
        .organization_id(cred.organization_id.parse().unwrap())
        .project_id(cred.project_id.parse().unwrap())
        .api_url(sim.api_url().clone())
        .load()
        .unwrap();
    Client::builder()
        .config(config)
        .retry(retry)
        .max_concurrent_requests(max_in_flight)
        .build()
        .unwrap()
}

/// The fewest requests the listings can take: one per started page of 100 (at least one
/// per listing), from what the sync found.
fn minimum_requests(snap: &scaleway_inventory::Snapshot) -> u64 {
    let mut per_listing: BTreeMap<(ResourceKind, String), u64> = BTreeMap::new();
    for r in &snap.resources {
        *per_listing
            .entry((r.kind().clone(), r.locality().to_string()))
            .or_default() += 1;
    }
    let listings_per_locality: BTreeMap<&str, Vec<ResourceKind>> = BTreeMap::from([
        (
            "instance",
            vec![ResourceKind::InstanceServer, ResourceKind::InstanceVolume],
        ),
        (
            "block",
            vec![ResourceKind::BlockVolume, ResourceKind::BlockSnapshot],
        ),
        ("secret", vec![ResourceKind::Secret]),
    ]);
    let mut total = 0;
    // Listings skipped where the product does not exist send nothing.
    for l in snap.listings.iter().filter(|l| l.status.is_ok()) {
        for kind in &listings_per_locality[l.source.as_str()] {
            let n = per_listing
                .get(&(kind.clone(), l.locality.to_string()))
                .copied()
                .unwrap_or(0);
            total += n.div_ceil(100).max(1);
        }
    }
    total
}

async fn large(max_in_flight: usize) {
    let sim = Sim::builder(Scenario::large(params()))
        .latency(Duration::from_millis(30))
        .start()
        .await
        .unwrap();
    let inv = Inventory::builder(client(&sim, RetryPolicy::default(), max_in_flight))
        .sources(&SOURCES)
        .build()
        .unwrap();
    let _warm = inv.collect().await;
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..7 {
        let before = sim.request_count();
        let t = Instant::now();
        let snap = inv.collect().await;
        times.push(t.elapsed());
        let requests = sim.request_count() - before;
        assert!(snap.is_complete(), "{:?}", snap.listings);
        last = Some((snap, requests));
    }
    times.sort();
    let (snap, requests) = last.unwrap();
    let counts = snap.count_by_kind();
    let min = minimum_requests(&snap);
    println!("large: 30 ms per request, global bound {max_in_flight} requests in flight");
    println!(
        "  resources: {} ({} servers, {} Block volumes, {} secrets, {} local volumes, {} snapshots)",
        snap.resources.len(),
        counts.get(&ResourceKind::InstanceServer).unwrap_or(&0),
        counts.get(&ResourceKind::BlockVolume).unwrap_or(&0),
        counts.get(&ResourceKind::Secret).unwrap_or(&0),
        counts.get(&ResourceKind::InstanceVolume).unwrap_or(&0),
        counts.get(&ResourceKind::BlockSnapshot).unwrap_or(&0),
    );
    println!(
        "  wall time over 7 runs: min {:.3} s, median {:.3} s, max {:.3} s (two-round-trip bound: 0.060 s; target <= 0.25 s)",
        times[0].as_secs_f64(),
        times[3].as_secs_f64(),
        times[6].as_secs_f64()
    );
    println!(
        "  requests: {requests} (minimum with pages of 100: {min}; {:+.1} %)",
        (requests as f64 - min as f64) * 100.0 / min as f64
    );
}

async fn rate_limited() {
    let sim = Sim::builder(Scenario::large(params()))
        .latency(Duration::from_millis(30))
        .rate_limit(50)
        .start()
        .await
        .unwrap();
    // The client's default retry policy and bound; the inventory's default listing policy.
    let inv = Inventory::builder(client(
        &sim,
        RetryPolicy::default(),
        DEFAULT_MAX_CONCURRENT_REQUESTS,
    ))
    .sources(&SOURCES)
    .build()
    .unwrap();
    let t = Instant::now();
    let mut ids = HashSet::new();
    let mut duplicates = 0;
    let mut stats = None;
    let mut statuses = Vec::new();
    let mut stream = inv.stream();
    while let Some(event) = stream.next().await {
        match event {
            Event::Resource(r) if !ids.insert(r.id().to_owned()) => duplicates += 1,
            Event::Finished(l) => statuses.push(l),
            Event::Completed(s) => stats = Some(s),
            _ => {}
        }
    }
    let elapsed = t.elapsed();
    let stats = stats.unwrap();
    let complete = statuses
        .iter()
        .all(|l| l.status.is_ok() || l.status.is_not_available());
    let expected = 5000 + 5000 + 600;
    println!(
        "429: shared limit of 50 requests/s, 30 ms per request, inventory's default retry policy ({:?})",
        Inventory::default_retry()
    );
    println!(
        "  complete: {complete}; resources: {} unique (servers + Block volumes + secrets >= {expected}), {duplicates} duplicates",
        ids.len()
    );
    println!(
        "  wall time {:.1} s; {} requests, {} answered 429, {} retries; waited {:.1} s (retry_wall: wall time with a call backing off; {:.1} s of backoff summed over concurrent calls)",
        elapsed.as_secs_f64(),
        stats.requests,
        stats.rate_limited,
        stats.retries,
        stats.retry_wall().as_secs_f64(),
        stats.retry_wait().as_secs_f64()
    );
    assert!(complete && duplicates == 0 && ids.len() >= expected);
}

fn main() {
    let which: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let want = |name: &str| which.is_empty() || which.iter().any(|w| w == name);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if want("large") {
        rt.block_on(large(DEFAULT_MAX_CONCURRENT_REQUESTS));
        rt.block_on(large(128));
    }
    if want("429") {
        rt.block_on(rate_limited());
    }
}
