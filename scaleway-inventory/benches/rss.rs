//! Peak memory of the client while streaming about 100 000 resources.
//!
//! The simulator runs in a child process (this binary, re-executed with
//! `INVENTORY_RSS_SIM=1`), so that the parent's peak RSS (`VmHWM` in `/proc/self/status`)
//! is the client's alone. The parent streams every resource (counting them, keeping none)
//! and prints the count and its peak RSS.
//!
//! ```text
//! cargo bench -p scaleway-inventory --bench rss -- stream
//! ```
#![allow(
    missing_docs,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Instant;

use futures::StreamExt;
use scaleway_core::{Client, Config, Env};
use scaleway_inventory::{Event, Inventory, SourceName};
use scaleway_sim::{LargeParams, Scenario, Sim};

fn params() -> LargeParams {
    LargeParams {
        servers: 40_000,
        block_volumes: 40_000,
        secrets: 20_000,
        buckets: 0,
        images: 0,
        projects: 0,
    }
}

/// Child: serve the scenario, print what the parent needs, stop when stdin closes.
fn serve() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = Sim::start(Scenario::large(params())).await.unwrap();
        let c = sim.credential("inventory").unwrap();
        println!(
            "{} {} {} {} {}",
            sim.api_url(),
            c.access_key,
            c.secret_key,
            c.organization_id,
            c.project_id
        );
        tokio::task::spawn_blocking(|| {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
        })
        .await
        .unwrap();
    });
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    if scaleway_core::Env::from_process().get("INVENTORY_RSS_SIM") == Some("1") {
        serve();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .env("INVENTORY_RSS_SIM", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let f: Vec<&str> = line.split_whitespace().collect();
    let before = vm_hwm_kib();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (count, elapsed) = rt.block_on(async {
        let config = Config::loader()
            .env(Env::default())
            .api_url(f[0].parse().unwrap())
            .access_key(f[1].parse().unwrap())
            .secret_key(f[2].parse().unwrap())
            .organization_id(f[3].parse().unwrap())
            .project_id(f[4].parse().unwrap())
            .load()
            .unwrap();
        let client = Client::builder().config(config).build().unwrap();
        let inv = Inventory::builder(client)
            .sources(&[
                SourceName::Instance,
                SourceName::Block,
                SourceName::Secret,
                SourceName::Kubernetes,
                SourceName::Vpc,
                SourceName::Registry,
            ])
            .build()
            .unwrap();
        let t = Instant::now();
        let mut n = 0u64;
        let mut stream = inv.stream();
        while let Some(e) = stream.next().await {
            if let Event::Resource(r) = e {
                n += 1;
                drop(r);
            }
        }
        (n, t.elapsed())
    });
    drop(child.stdin.take());
    let _ = child.wait();
    let peak = vm_hwm_kib();
    println!(
        "stream: {count} resources in {:.2} s; client peak RSS {:.1} MB (VmHWM; {:.1} MB before the sync)",
        elapsed.as_secs_f64(),
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
}
