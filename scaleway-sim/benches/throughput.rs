//! Throughput of the simulator on listing routes (no injected latency).
//!
//! ```text
//! cargo bench -p scaleway-sim --bench throughput
//! SIM_BENCH_SECS=10 SIM_BENCH_CONCURRENCY=128 cargo bench -p scaleway-sim --bench throughput
//! ```
//!
//! The client and the server share the machine, so the figure is a lower bound of the server's
//! capacity. Requests are bounded by time (default 5 s per route) and all go to 127.0.0.1.
#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark program prints its results and may panic"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use scaleway_sim::{Scenario, Sim};

fn env_or(name: &str, default: u64) -> u64 {
    #[allow(clippy::disallowed_methods, reason = "benchmark configuration")]
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

async fn hammer(url: String, token: String, concurrency: u64, secs: u64) -> (u64, u64) {
    let ok = Arc::new(AtomicU64::new(0));
    let bad = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (url, token, ok, bad) = (
            url.clone(),
            token.clone(),
            Arc::clone(&ok),
            Arc::clone(&bad),
        );
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::builder().build().expect("client");
            while Instant::now() < deadline {
                match client.get(&url).header("X-Auth-Token", &token).send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        bad.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        let _ = t.await;
    }
    (ok.load(Ordering::Relaxed), bad.load(Ordering::Relaxed))
}

fn main() {
    let secs = env_or("SIM_BENCH_SECS", 5);
    let concurrency = env_or("SIM_BENCH_CONCURRENCY", 64);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let sim = Sim::start(Scenario::demo()).await.expect("sim");
        let base = sim.api_url().as_str().trim_end_matches('/').to_owned();
        let prod = sim.project_id("production").expect("production");
        let inventory = sim
            .credential("inventory")
            .expect("inventory")
            .secret_key
            .clone();
        let routes = [
            (
                "vpc private networks (inventory key, project filter)",
                format!("{base}/vpc/v2/regions/fr-par/private-networks?project_id={prod}"),
            ),
            (
                "block volumes (inventory key, project filter)",
                format!("{base}/block/v1alpha1/zones/fr-par-1/volumes?project_id={prod}"),
            ),
            (
                "instance servers (inventory key, project filter)",
                format!("{base}/instance/v1/zones/fr-par-1/servers?project={prod}"),
            ),
        ];
        println!("scaleway-sim throughput: {concurrency} concurrent clients, {secs} s per route");
        for (name, url) in routes {
            let before = sim.request_count();
            let t = Instant::now();
            let (ok, bad) = hammer(url, inventory.clone(), concurrency, secs).await;
            let elapsed = t.elapsed().as_secs_f64();
            #[allow(clippy::cast_precision_loss, reason = "a rate")]
            let rate = ok as f64 / elapsed;
            println!(
                "{name}: {rate:.0} req/s ({ok} ok, {bad} failed, server counted {})",
                sim.request_count() - before
            );
        }
        sim.shutdown().await;
    });
}
