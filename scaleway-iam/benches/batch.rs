//! Many credentials at once: 1,000 keys, each checking itself for `byoc-kapsule`, against the
//! in-process simulator, over one shared transport.
//!
//! ```text
//! cargo bench -p scaleway-iam --bench batch
//! ```
//!
//! Prints, for each run (no latency, then 20 ms per request; each without and with canary
//! writes): the wall time, the requests per credential, the verdicts, and the process's peak
//! RSS (`VmHWM`, Linux; the simulator runs in the same process, so its state — the demo
//! scenario plus 1,000 keys — is included; the figure before the batch is printed too).
//! Figures are in docs/policy-checker.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs,
    reason = "a benchmark binary"
)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use scaleway_core::Transport;
use scaleway_iam::checker::batch::{BatchOptions, Credential};
use scaleway_iam::checker::{CheckOptions, Checker, Profile};
use scaleway_sim::{Faults, Scenario, Sim};

const KEYS: usize = 1_000;

/// Peak resident set size so far, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn rss() -> String {
    peak_rss_mib().map_or_else(|| "n/a".to_owned(), |m| format!("{m:.0} MiB"))
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = Sim::start(Scenario::demo()).await.unwrap();
        let st = sim.state();
        let app = st.application_id("byoc").unwrap();
        let prod = sim.project_id("production").unwrap();
        let credentials: Vec<Credential> = (0..KEYS)
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
        let profile = Profile::builtin("byoc-kapsule").unwrap();
        println!("{KEYS} credentials, byoc-kapsule, each key checking itself (probe mode)");
        println!("peak RSS before the batch (simulator + keys): {}", rss());
        let runs = [
            (Duration::ZERO, false),
            (Duration::ZERO, true),
            (Duration::from_millis(20), false),
            (Duration::from_millis(20), true),
        ];
        for (latency, canary) in runs {
            let mut options = CheckOptions::default();
            options.s3_endpoint = sim.s3_endpoint("fr-par");
            options.canary = canary;
            let checker = Checker::new().with_options(options);
            sim.set_faults(Faults {
                latency,
                ..Faults::default()
            });
            let transport = Transport::builder().max_in_flight(128).build().unwrap();
            let mut batch = BatchOptions::default();
            batch.api_url = Some(sim.api_url().clone());
            batch.concurrency = 64;
            batch.deadline = Some(Duration::from_secs(600));
            let before = sim.request_count();
            let t = Instant::now();
            let mut verdicts: BTreeMap<String, usize> = BTreeMap::new();
            let mut stream = checker.check_many(&transport, &profile, credentials.clone(), batch);
            while let Some(item) = stream.next().await {
                let v = match &item.result {
                    Ok(r) => r.verdict.status().to_owned(),
                    Err(e) => format!("error: {e}"),
                };
                *verdicts.entry(v).or_default() += 1;
            }
            drop(stream);
            checker.wait_for_canary_cleanups().await;
            let wall = t.elapsed();
            assert!(sim.state().named("scw-canary-").is_empty(), "canaries left behind");
            let requests = sim.request_count() - before;
            #[allow(clippy::cast_precision_loss, reason = "small counts")]
            let per = requests as f64 / KEYS as f64;
            println!(
                "latency {:>3} ms, canary {canary:>5}: wall {:.2} s, {} requests ({per:.1} per credential), verdicts {verdicts:?}, peak RSS {}",
                latency.as_millis(),
                wall.as_secs_f64(),
                requests,
                rss()
            );
        }
    });
}
