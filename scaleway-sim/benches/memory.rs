//! Memory use of the `large` scenario: the growth of this process's resident set size
//! (`/proc/self/statm`, Linux only) while the scenario is built and served.
//!
//! ```text
//! cargo bench -p scaleway-sim --bench memory                        # 100,000 resources
//! SIM_BENCH_RESOURCES=10000 cargo bench -p scaleway-sim --bench memory
//! ```
//!
//! A benchmark, not a test: a resident set size depends on the allocator, the platform and
//! what else the process did, so it is measured and reported, never asserted.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::expect_used,
    reason = "a benchmark program prints its results and may panic"
)]

use std::process::ExitCode;
use std::time::Instant;

use scaleway_sim::{LargeParams, Scenario, Sim};

/// Resident set size in bytes, if this platform has `/proc/self/statm`.
fn rss() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn main() -> ExitCode {
    #[allow(clippy::disallowed_methods, reason = "benchmark configuration")]
    let total: usize = std::env::var("SIM_BENCH_RESOURCES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let Some(before) = rss() else {
        eprintln!("memory: /proc/self/statm cannot be read here (Linux only); nothing measured");
        return ExitCode::FAILURE;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let t = Instant::now();
        let sim = Sim::builder(Scenario::large(LargeParams::with_total(total)))
            .seed(42)
            .start()
            .await
            .expect("sim");
        let built = t.elapsed();
        let after = rss().unwrap_or(before);
        let count = sim.state().resource_count();
        // Serve one big listing, so that the state is known to be usable.
        let token = &sim.credential("inventory").expect("inventory").secret_key;
        let url = format!(
            "{}instance/v1/zones/fr-par-1/servers?per_page=100",
            sim.api_url()
        );
        let t = Instant::now();
        let r = reqwest::Client::new()
            .get(url)
            .header("X-Auth-Token", token)
            .send()
            .await
            .expect("request");
        let listed = t.elapsed();
        assert!(r.status().is_success(), "{}", r.status());
        let in_zone = r
            .headers()
            .get("x-total-count")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("?")
            .to_owned();
        let grown = after.saturating_sub(before);
        #[allow(clippy::cast_precision_loss, reason = "a printed figure")]
        let mib = grown as f64 / 1_048_576.0;
        println!(
            "large scenario: {count} resources built in {built:.2?}, RSS grew by {mib:.1} MiB \
             ({} bytes/resource); first page of fr-par-1 servers ({in_zone} in the zone) in {listed:.2?}",
            grown / count.max(1) as u64
        );
    });
    ExitCode::SUCCESS
}
