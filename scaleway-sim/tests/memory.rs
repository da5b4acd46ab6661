//! Memory use of the `large` scenario, measured as the growth of this process's resident set size
//! (`/proc/self/statm`, Linux) while the scenario is built and served.
//!
//! ```text
//! cargo test --release -p scaleway-sim --test memory -- --ignored --nocapture
//! ```
#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a measurement test"
)]

mod common;

use std::time::Instant;

use scaleway_sim::{LargeParams, Scenario, Sim};

/// Resident set size in bytes (0 where `/proc` is not available).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|p| p.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

async fn measure(total: usize) -> (usize, u64) {
    let before = rss();
    let t = Instant::now();
    let sim = Sim::builder(Scenario::large(LargeParams::with_total(total)))
        .seed(42)
        .start()
        .await
        .expect("sim");
    let built = t.elapsed();
    let after = rss();
    let count = sim.state().resource_count();
    // Serve one big listing to make sure the state is usable.
    let c = common::client();
    let admin = &sim.credential("inventory").expect("inventory").secret_key;
    let t = Instant::now();
    let r = common::get(
        &c,
        sim.api_url(),
        admin,
        "/instance/v1/zones/fr-par-1/servers?per_page=100",
    )
    .await;
    assert_eq!(r.status, reqwest::StatusCode::OK);
    let listed = t.elapsed();
    let grown = after.saturating_sub(before);
    println!(
        "large scenario: {count} resources built in {built:?}, RSS grew by {:.1} MiB ({} bytes/resource); \
         first page of fr-par-1 servers ({} in the zone) in {listed:?}",
        grown as f64 / 1_048_576.0,
        grown / count.max(1) as u64,
        r.header("x-total-count").unwrap_or("?")
    );
    (count, grown)
}

#[tokio::test]
async fn ten_thousand_resources_are_small() {
    let (count, grown) = measure(10_000).await;
    assert!(count >= 10_000, "{count}");
    if grown > 0 {
        assert!(grown < 100 * 1_048_576, "{grown} bytes");
    }
}

#[tokio::test]
#[ignore = "slow in debug builds; run with --release (see the module docs)"]
async fn hundred_thousand_resources_fit_well_under_500_mb() {
    let (count, grown) = measure(100_000).await;
    assert!(count >= 100_000, "{count}");
    assert!(grown < 250 * 1_048_576, "{grown} bytes");
}
