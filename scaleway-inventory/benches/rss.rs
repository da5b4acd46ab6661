//! Memory (peak RSS) and time of the inventory at about 100 000 resources (40 000 servers,
//! 40 000 Block volumes, 20 000 secrets, one project), the simulator out of process.
//!
//! ```text
//! cargo bench -p scaleway-inventory --bench rss              # every measure below
//! cargo bench -p scaleway-inventory --bench rss -- stream    # one of them
//! ```
//!
//! * `stream`: the sync's events, counted and dropped (nothing kept);
//! * `collect`: [`Inventory::collect`] into a [`Snapshot`], kept: peak RSS, and the RSS the
//!   snapshot holds per resource;
//! * `diff`: two 100k snapshots (a sync, and the same with 1 % removed, 1 % changed, 1 %
//!   added) written to files (format 1), then compared by [`diff_json`] straight from the
//!   files in a fresh process (the diff's time: reading both and comparing; peak RSS), and,
//!   in another, read back whole with [`Snapshot::read_json`] and compared by [`diff`]
//!   (load time, comparison time, peak RSS).
//!
//! Each measure runs in its own process (this binary re-executed), and the simulator in
//! another (`INVENTORY_RSS_SIM=1`), so that each peak RSS (`VmHWM` in `/proc/self/status`)
//! is the client's alone.
#![allow(
    missing_docs,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss
)]

use std::io::{BufRead, BufReader, BufWriter, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use futures::StreamExt;
use scaleway_core::{Client, Config, Env};
use scaleway_inventory::{Event, Inventory, Resource, Snapshot, SourceName, diff, diff_json};
use scaleway_sim::{LargeParams, Scenario, Sim};

const MODE: &str = "INVENTORY_RSS_MODE";

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

/// The simulator in a child process, and an inventory on it.
struct SimProcess {
    child: Child,
    fields: Vec<String>,
}

impl SimProcess {
    fn start() -> SimProcess {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("INVENTORY_RSS_SIM", "1")
            .env_remove(MODE)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let fields = line.split_whitespace().map(str::to_owned).collect();
        SimProcess { child, fields }
    }

    fn inventory(&self) -> Inventory {
        let f = &self.fields;
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
        Inventory::builder(client)
            .sources(&[
                SourceName::Instance,
                SourceName::Block,
                SourceName::Secret,
                SourceName::Kubernetes,
                SourceName::Vpc,
                SourceName::Registry,
            ])
            .build()
            .unwrap()
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn status_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn mb(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn stream() {
    let sim = SimProcess::start();
    let before = status_kib("VmHWM:");
    let (count, elapsed) = runtime().block_on(async {
        let inv = sim.inventory();
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
    println!(
        "stream: {count} resources in {:.2} s; peak RSS {:.1} MB (VmHWM; {:.1} MB before the sync)",
        elapsed.as_secs_f64(),
        mb(status_kib("VmHWM:")),
        mb(before)
    );
}

/// Collects a snapshot; writes it to `out` when given.
fn collect(out: Option<&Path>) {
    let sim = SimProcess::start();
    let rt = runtime();
    let inv = sim.inventory();
    let before = status_kib("VmRSS:");
    let t = Instant::now();
    let snapshot = rt.block_on(inv.collect());
    let elapsed = t.elapsed();
    let held = status_kib("VmRSS:").saturating_sub(before);
    let n = snapshot.resources.len();
    assert!(snapshot.is_complete(), "{:?}", snapshot.listings);
    println!(
        "collect: {n} resources in {:.2} s; peak RSS {:.1} MB (VmHWM); the snapshot holds {:.1} MB of RSS, {} bytes per resource",
        elapsed.as_secs_f64(),
        mb(status_kib("VmHWM:")),
        mb(held),
        held * 1024 / n.max(1) as u64
    );
    if let Some(path) = out {
        let file = BufWriter::new(std::fs::File::create(path).unwrap());
        snapshot.write_json(file).unwrap();
    }
}

/// The second snapshot of the diff: 1 % removed, 1 % changed (tags and state), 1 % added.
fn changed_copy(a: &Snapshot) -> Snapshot {
    let mut resources = Vec::new();
    for (i, r) in a.resources.iter().enumerate() {
        match i % 100 {
            0 => {}
            50 => resources.push(
                r.clone()
                    .with_tags([String::from("changed=yes")])
                    .with_state("changed"),
            ),
            75 => {
                resources.push(r.clone());
                let product_id = r.id().rsplit('/').next().unwrap_or_default();
                let added = Resource::new(
                    r.kind().clone(),
                    r.source(),
                    r.locality().clone(),
                    &format!("{product_id}-new"),
                    r.object().clone(),
                )
                .with_roles(r.roles());
                resources.push(added);
            }
            _ => resources.push(r.clone()),
        }
    }
    Snapshot::from_parts(
        a.projects.clone(),
        resources,
        a.listings.clone(),
        a.stats.clone(),
    )
}

fn load(path: &Path) -> Snapshot {
    Snapshot::read_json(std::fs::File::open(path).unwrap()).unwrap()
}

/// The streamed diff of two files: reading both and comparing.
fn diff_stream(a: &Path, b: &Path) {
    let t = Instant::now();
    let d = diff_json(
        std::fs::File::open(a).unwrap(),
        std::fs::File::open(b).unwrap(),
    )
    .unwrap();
    let elapsed = t.elapsed();
    println!(
        "diff_json: two files of {:.0} and {:.0} MB read and compared in {:.2} s ({} added, {} removed, {} changed); peak RSS {:.1} MB (VmHWM)",
        std::fs::metadata(a).unwrap().len() as f64 / 1e6,
        std::fs::metadata(b).unwrap().len() as f64 / 1e6,
        elapsed.as_secs_f64(),
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        mb(status_kib("VmHWM:"))
    );
}

fn diff_files(a: &Path, b: &Path) {
    let t = Instant::now();
    let (prev, cur) = (load(a), load(b));
    let loaded = t.elapsed();
    let t = Instant::now();
    let d = diff(&prev, &cur);
    let compared = t.elapsed();
    println!(
        "diff: {} and {} resources read in {:.2} s; compared in {:.3} s ({} added, {} removed, {} changed); peak RSS {:.1} MB (VmHWM)",
        prev.resources.len(),
        cur.resources.len(),
        loaded.as_secs_f64(),
        compared.as_secs_f64(),
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        mb(status_kib("VmHWM:"))
    );
}

fn diff_prepare() {
    let dir = std::env::temp_dir().join(format!("inventory-rss-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b): (PathBuf, PathBuf) = (dir.join("a.json"), dir.join("b.json"));
    run_mode("collect", &[a.to_str().unwrap()]);
    let second = changed_copy(&load(&a));
    second
        .write_json(BufWriter::new(std::fs::File::create(&b).unwrap()))
        .unwrap();
    drop(second);
    run_mode("diff-stream", &[a.to_str().unwrap(), b.to_str().unwrap()]);
    run_mode("diff-files", &[a.to_str().unwrap(), b.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
}

fn run_mode(mode: &str, args: &[&str]) {
    let status = Command::new(std::env::current_exe().unwrap())
        .env(MODE, mode)
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "{mode}: {status}");
}

fn main() {
    let env = Env::from_process();
    if env.get("INVENTORY_RSS_SIM") == Some("1") {
        serve();
        return;
    }
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    match env.get(MODE) {
        Some("stream") => stream(),
        Some("collect") => collect(args.first().map(Path::new)),
        Some("diff-files") => diff_files(Path::new(&args[0]), Path::new(&args[1])),
        Some("diff-stream") => diff_stream(Path::new(&args[0]), Path::new(&args[1])),
        _ => {
            let want = |name: &str| args.is_empty() || args.iter().any(|w| w == name);
            if want("stream") {
                run_mode("stream", &[]);
            }
            if want("collect") {
                run_mode("collect", &[]);
            }
            if want("diff") {
                diff_prepare();
            }
        }
    }
}
