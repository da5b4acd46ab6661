//! Many customers (a benchmark, not a timed test): 500 customers' projects of 200 resources,
//! each behind its own key, synced by one [`Fleet`] on one shared transport.
//!
//! The simulator's `customers` scenario runs in a child process (this binary, re-executed
//! with `INVENTORY_CUSTOMERS_SIM=1`), so that the parent's peak RSS (`VmHWM`) is the
//! client's alone. Two phases on the same simulator, 30 ms per request:
//!
//! 1. **baseline**: no fault;
//! 2. **faults**: 10 keys limited to 10 requests per second each (429 beyond, a per-key
//!    fault of the simulator) and one key revoked (deleted: 401).
//!
//! Each phase prints its wall time, what came back (complete snapshots, errors), the
//! requests (counted by the customers' clients and by the simulator), the 429s, the peak of
//! requests in flight at the simulator, when the healthy and the rate-limited customers
//! finished, and the parent's peak RSS. Snapshots are consumed as they come (counted, then
//! dropped), as a control plane storing them would.
//!
//! ```text
//! cargo bench -p scaleway-inventory --bench customers
//! cargo bench -p scaleway-inventory --bench customers -- 100      # 100 customers instead of 500
//! cargo bench -p scaleway-inventory --bench customers -- 500 32   # 32 customers at once (64)
//! ```
#![allow(
    missing_docs,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use scaleway_core::{Config, Region, Transport};
use scaleway_inventory::{Customer, CustomerError, Fleet, Inventory, ObjectStorageSource};
use scaleway_sim::{CustomersParams, Faults, KeyFault, Scenario, Sim};

const RESOURCES_PER_CUSTOMER: usize = 200;
const LATENCY: Duration = Duration::from_millis(30);
/// Customers 7, 57, 107, … (every 50th) are rate-limited; customer 13 is revoked.
const LIMITED_EVERY: usize = 50;
const LIMITED_FIRST: usize = 7;
const LIMITED_PER_SECOND: u32 = 10;
const REVOKED: usize = 13;
const GLOBAL_BOUND: usize = 128;
const CUSTOMERS_AT_ONCE: usize = 64;
const KEY_BOUND: usize = 8;

fn is_limited(i: usize) -> bool {
    i % LIMITED_EVERY == LIMITED_FIRST
}

/// The numbers given on the command line: customers, then customers at once.
fn numbers() -> Vec<usize> {
    std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect()
}

fn customer_count() -> usize {
    numbers().first().copied().unwrap_or(500)
}

fn customers_at_once() -> usize {
    numbers().get(1).copied().unwrap_or(CUSTOMERS_AT_ONCE)
}

/// Child: serve the scenario; print the URL, the S3 endpoints and the customers' keys; then
/// obey `faults` / `stats` lines on stdin until it closes.
fn serve() {
    let n = customer_count();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = Sim::builder(Scenario::customers(CustomersParams::new(
            n,
            RESOURCES_PER_CUSTOMER,
        )))
        .latency(LATENCY)
        .start()
        .await
        .unwrap();
        let mut out = std::io::stdout().lock();
        writeln!(out, "api {}", sim.api_url()).unwrap();
        for r in Region::ALL {
            writeln!(out, "s3 {} {}", r, sim.s3_endpoint(r.as_str()).unwrap()).unwrap();
        }
        for i in 0..n {
            let c = sim.credential(&CustomersParams::name(i)).unwrap();
            writeln!(
                out,
                "customer {i} {} {} {}",
                c.access_key, c.secret_key, c.project_id
            )
            .unwrap();
        }
        writeln!(out, "ready").unwrap();
        out.flush().unwrap();
        drop(out);
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        std::thread::spawn(move || {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        while let Some(cmd) = rx.recv().await {
            match cmd.as_str() {
                "faults" => {
                    let key_faults = (0..n)
                        .filter(|i| is_limited(*i))
                        .map(|i| {
                            let c = sim.credential(&CustomersParams::name(i)).unwrap();
                            KeyFault::new(&c.access_key).with_rate_limit(LIMITED_PER_SECOND)
                        })
                        .collect();
                    sim.set_faults(Faults {
                        latency: LATENCY,
                        key_faults,
                        ..Faults::default()
                    });
                    if REVOKED < n {
                        let c = sim.credential(&CustomersParams::name(REVOKED)).unwrap();
                        sim.state().delete_api_key(&c.access_key).unwrap();
                    }
                    sim.reset_peak_in_flight();
                    println!("ok");
                }
                "stats" => {
                    println!(
                        "stats {} {} {}",
                        sim.request_count(),
                        sim.peak_in_flight(),
                        (cpu_secs() * 100.0) as u64
                    );
                    sim.reset_peak_in_flight();
                }
                _ => println!("?"),
            }
        }
    });
}

/// CPU time (user + system) of this process, in seconds (`/proc/self/stat`, 100 ticks/s).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<u64>() as f64 / 100.0
}

fn vm_hwm_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

struct Key {
    access_key: String,
    secret_key: String,
    project_id: String,
}

struct Child {
    stdin: std::process::ChildStdin,
    stdout: BufReader<std::process::ChildStdout>,
}

impl Child {
    fn line(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim_end().to_owned()
    }

    fn ask(&mut self, cmd: &str) -> String {
        writeln!(self.stdin, "{cmd}").unwrap();
        self.stdin.flush().unwrap();
        self.line()
    }

    /// The simulator's request count, its peak in flight since the last call, and its CPU
    /// time in hundredths of a second.
    fn stats(&mut self) -> (u64, u64, u64) {
        let line = self.ask("stats");
        let f: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .map(|x| x.parse().unwrap())
            .collect();
        (f[0], f[1], f[2])
    }
}

#[derive(Default)]
struct Phase {
    complete: usize,
    incomplete: usize,
    errors: Vec<(usize, String)>,
    resources: usize,
    requests: u64,
    rate_limited: u64,
    healthy_done: Vec<Duration>,
    limited_done: Vec<Duration>,
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i].as_secs_f64()
}

async fn run(
    api: &url::Url,
    s3: &[(Region, url::Url)],
    keys: &[Key],
    transport: &Transport,
) -> (Phase, Duration) {
    let s3 = s3.to_vec();
    let fleet = Fleet::builder(transport.clone())
        .customers_at_once(customers_at_once())
        .key_max_in_flight(KEY_BOUND)
        .inventory(move |client, inventory| {
            let mut b = ObjectStorageSource::builder()
                .from_client(client)
                .retry(Inventory::default_retry());
            for (region, url) in &s3 {
                b = b.endpoint(region.clone(), url.clone());
            }
            Ok(inventory.object_storage(b.build()?))
        })
        .build();
    let customers: Vec<Customer<usize>> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let config = Config::loader()
                .isolated()
                .access_key(k.access_key.parse().unwrap())
                .secret_key(k.secret_key.parse().unwrap())
                .project_id(k.project_id.parse().unwrap())
                .api_url(api.clone())
                .load()
                .unwrap();
            Customer::from_config(i, config)
        })
        .collect();
    let started = Instant::now();
    let mut phase = Phase::default();
    let mut results = fleet.sync(customers);
    while let Some((i, result)) = results.next().await {
        let at = started.elapsed();
        match result {
            Ok(snapshot) => {
                if snapshot.is_complete() {
                    phase.complete += 1;
                } else {
                    phase.incomplete += 1;
                }
                phase.resources += snapshot.resources.len();
                phase.requests += snapshot.stats.requests;
                phase.rate_limited += snapshot.stats.rate_limited;
                if is_limited(i) {
                    phase.limited_done.push(at);
                } else {
                    phase.healthy_done.push(at);
                }
            }
            Err(e) => {
                if let Some(s) = e.stats() {
                    phase.requests += s.requests;
                }
                let kind = match &e {
                    CustomerError::KeyRefused { .. } => "key refused",
                    CustomerError::TimedOut { .. } => "timed out",
                    _ => "other",
                };
                phase.errors.push((i, format!("{kind}: {e}")));
            }
        }
    }
    let wall = started.elapsed();
    phase.healthy_done.sort();
    phase.limited_done.sort();
    (phase, wall)
}

/// What the simulator and the client did during a phase: requests, peak in flight, CPU
/// seconds of each.
struct Load {
    requests: u64,
    peak: u64,
    sim_cpu: f64,
    client_cpu: f64,
}

fn report(name: &str, phase: &Phase, wall: Duration, sim: &Load) {
    println!("{name}: wall time {:.2} s", wall.as_secs_f64());
    println!(
        "  {} complete snapshots, {} incomplete, {} errors; {} resources",
        phase.complete,
        phase.incomplete,
        phase.errors.len(),
        phase.resources
    );
    for (i, e) in &phase.errors {
        println!("  customer {i}: {e}");
    }
    println!(
        "  requests: {} counted by the customers' clients, {} received by the simulator; {} answered 429; peak {} in flight at the simulator (global bound {GLOBAL_BOUND})",
        phase.requests, sim.requests, phase.rate_limited, sim.peak
    );
    println!(
        "  CPU: client {:.1} s, simulator {:.1} s (2 cores shared with other work)",
        sim.client_cpu, sim.sim_cpu
    );
    let h = &phase.healthy_done;
    println!(
        "  customers never limited ({}) done by: median {:.2} s, p90 {:.2} s, last {:.2} s",
        h.len(),
        pct(h, 0.5),
        pct(h, 0.9),
        pct(h, 1.0)
    );
    if !phase.limited_done.is_empty() {
        let l = &phase.limited_done;
        println!(
            "  customers limited in the faults phase ({}) done by: first {:.2} s, last {:.2} s",
            l.len(),
            pct(l, 0.0),
            pct(l, 1.0)
        );
    }
    println!(
        "  client peak RSS so far {:.1} MB (VmHWM)",
        vm_hwm_kib() as f64 / 1024.0
    );
}

fn main() {
    if scaleway_core::Env::from_process().get("INVENTORY_CUSTOMERS_SIM") == Some("1") {
        serve();
        return;
    }
    let n = customer_count();
    let exe = std::env::current_exe().unwrap();
    let mut process = Command::new(exe)
        .args(std::env::args().skip(1))
        .env("INVENTORY_CUSTOMERS_SIM", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Child {
        stdin: process.stdin.take().unwrap(),
        stdout: BufReader::new(process.stdout.take().unwrap()),
    };
    let mut api = None;
    let mut s3 = Vec::new();
    let mut keys = Vec::new();
    loop {
        let line = child.line();
        let f: Vec<&str> = line.split_whitespace().collect();
        match f.first().copied() {
            Some("api") => api = Some(url::Url::parse(f[1]).unwrap()),
            Some("s3") => s3.push((
                f[1].parse::<Region>().unwrap(),
                url::Url::parse(f[2]).unwrap(),
            )),
            Some("customer") => keys.push(Key {
                access_key: f[2].to_owned(),
                secret_key: f[3].to_owned(),
                project_id: f[4].to_owned(),
            }),
            Some("ready") => break,
            _ => panic!("unexpected line from the simulator: {line}"),
        }
    }
    let api = api.unwrap();
    let before = vm_hwm_kib();
    println!(
        "{n} customers x {RESOURCES_PER_CUSTOMER} resources, {} ms per request; transport bound {GLOBAL_BOUND}, {} customers at once, {KEY_BOUND} requests in flight per key",
        LATENCY.as_millis(),
        customers_at_once()
    );
    println!(
        "  client RSS before the first sync {:.1} MB",
        before as f64 / 1024.0
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let transport = Transport::builder()
        .max_in_flight(GLOBAL_BOUND)
        .build()
        .unwrap();
    let (_, _, sim_cpu0) = child.stats();
    let client_cpu0 = cpu_secs();
    let (phase, wall) = rt.block_on(run(&api, &s3, &keys, &transport));
    let (requests1, peak, sim_cpu1) = child.stats();
    let client_cpu1 = cpu_secs();
    let load = Load {
        requests: requests1,
        peak,
        sim_cpu: (sim_cpu1 - sim_cpu0) as f64 / 100.0,
        client_cpu: client_cpu1 - client_cpu0,
    };
    report("baseline (no fault)", &phase, wall, &load);
    assert_eq!(child.ask("faults"), "ok");
    let limited = (0..n).filter(|i| is_limited(*i)).count();
    let (phase, wall) = rt.block_on(run(&api, &s3, &keys, &transport));
    let (requests2, peak, sim_cpu2) = child.stats();
    let load = Load {
        requests: requests2 - requests1,
        peak,
        sim_cpu: (sim_cpu2 - sim_cpu1) as f64 / 100.0,
        client_cpu: cpu_secs() - client_cpu1,
    };
    report(
        &format!(
            "faults ({limited} keys limited to {LIMITED_PER_SECOND} requests/s, customer {REVOKED} revoked)"
        ),
        &phase,
        wall,
        &load,
    );
    drop(child);
    let _ = process.wait();
}
