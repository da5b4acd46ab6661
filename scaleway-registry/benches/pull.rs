//! Pull throughput against the in-process simulator: an image of incompressible layers is
//! pulled into a fresh OCI layout (token exchange, manifest, concurrent streamed downloads,
//! sha256 of every byte, writes to disk), then re-pulled into the same layout (every blob
//! re-verified from disk, nothing downloaded).
//!
//! ```text
//! cargo bench -p scaleway-registry --bench pull                  # 4 layers x 32 MB
//! cargo bench -p scaleway-registry --bench pull -- --layers 8 --mb 16 --runs 5
//! ```
//!
//! Everything runs on this machine (client and simulator share its cores), so the figure is
//! the client's cost per byte plus the simulator's, not a network's.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark binary"
)]

use std::time::{Duration, Instant};

use scaleway_core::{Client, Config, Env, Region};
use scaleway_registry::{RegistryApi, RegistryHosts};
use scaleway_sim::{Scenario, Sim};

struct Opts {
    layers: usize,
    mb: usize,
    runs: usize,
}

fn opts() -> Opts {
    let mut o = Opts {
        layers: 4,
        mb: 32,
        runs: 3,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = |d: usize| args.next().and_then(|v| v.parse().ok()).unwrap_or(d);
        match a.as_str() {
            "--layers" => o.layers = num(o.layers),
            "--mb" => o.mb = num(o.mb),
            "--runs" => o.runs = num(o.runs),
            _ => {} // `cargo bench` passes `--bench`
        }
    }
    o
}

fn mb_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let o = opts();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async move {
        let sim = Sim::start(Scenario::demo()).await.expect("sim");
        let t = Instant::now();
        let sizes = vec![o.mb * 1_000_000; o.layers];
        sim.add_registry_image("fr-par", "acme-prod", "bench", "v1", &sizes)
            .expect("namespace");
        println!("image of {} x {} MB built in {:.2?}", o.layers, o.mb, t.elapsed());

        let cred = sim.credential("registry-scanner").expect("credential");
        let config = Config::loader()
            .env(Env::default())
            .access_key(cred.access_key.parse().unwrap())
            .secret_key(cred.secret_key.parse().unwrap())
            .project_id(cred.project_id.parse().unwrap())
            .api_url(sim.api_url().clone())
            .load()
            .unwrap();
        let client = Client::builder().config(config).build().unwrap();
        let hosts = RegistryHosts::new()
            .with_override(Region::FrPar, sim.registry_host("fr-par").unwrap())
            .unwrap();
        let registry = RegistryApi::new(&client).with_hosts(hosts);
        let reference = "rg.fr-par.scw.cloud/acme-prod/bench:v1".parse().unwrap();

        for concurrency in [1, 4] {
            let mut fresh = Vec::new();
            let mut reverify = Vec::new();
            let mut total = 0;
            for _ in 0..o.runs {
                let dir = tempfile::tempdir().expect("tempdir");
                let report = registry
                    .pull(&reference, dir.path())
                    .concurrency(concurrency)
                    .send()
                    .await
                    .expect("pull");
                total = report.total_bytes();
                assert_eq!(report.bytes_downloaded, total);
                fresh.push(mb_s(total, report.elapsed));
                let again = registry
                    .pull(&reference, dir.path())
                    .concurrency(concurrency)
                    .send()
                    .await
                    .expect("re-pull");
                assert_eq!(again.bytes_downloaded, 0);
                reverify.push(mb_s(total, again.elapsed));
            }
            println!(
                "concurrency {concurrency}: fresh pull of {:.0} MB: median {:.0} MB/s (runs: {}); re-pull verifying from disk: median {:.0} MB/s",
                total as f64 / 1e6,
                median(fresh.clone()),
                fresh.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(", "),
                median(reverify),
            );
        }
    });
}
