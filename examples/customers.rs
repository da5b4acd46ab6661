//! A backup control plane's sync of many customers: every customer's project read with the
//! customer's own key, under one global bound, results as each customer finishes.
//!
//! ```text
//! cargo run --example customers -- [--keys FILE] [--shard K/N] [--out DIR]
//!     [--at-once N] [--max-in-flight N] [--key-max-in-flight N]
//! ```
//!
//! `--keys FILE` holds one customer per line, `ID ACCESS_KEY SECRET_KEY PROJECT_ID`
//! (whitespace-separated; blank lines and lines starting with `#` are skipped); each key is
//! used alone, nothing is taken from the `SCW_*` environment or the `scw` config file. Without
//! it, the simulator's `customers` scenario (20 customers) runs in process, with
//! `customer-0003`'s key revoked and `customer-0005`'s limited to 5 requests per second; it
//! says so on stderr. `--shard K/N` keeps the customers whose id hashes to K modulo N (FNV-1a),
//! so that N machines given the same file and K = 0..N-1 share the customers without
//! overlap. `--out DIR` writes each snapshot to `DIR/ID.json`. One line per customer on stdout
//! as it finishes; secrets are never printed. Exit status: 0 when every customer's snapshot is
//! complete, 3 when some customer failed or is incomplete, 1 on an error, 2 on a usage error.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example: results on stdout, notes and errors on stderr"
)]

// Its `println!`/`eprintln!` shadow std's: a closed pipe ends the example quietly.
#[macro_use]
#[allow(unreachable_pub, reason = "shared helpers, used by several examples")]
mod common;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use futures::StreamExt;
use scaleway_core::{Config, Region, Transport};
use scaleway_inventory::{Customer, Fleet, FleetBuilder, Inventory, ObjectStorageSource, Snapshot};
use scaleway_sim::{CustomersParams, Faults, KeyFault, Scenario, Sim};

const USAGE: &str = "usage: cargo run --example customers -- [--keys FILE] [--shard K/N] [--out DIR] [--at-once N] [--max-in-flight N] [--key-max-in-flight N]
  --keys FILE              one customer per line: ID ACCESS_KEY SECRET_KEY PROJECT_ID (default: the simulator)
  --shard K/N              only the customers whose id hashes to K modulo N (spread over N machines)
  --out DIR                write each snapshot to DIR/ID.json
  --at-once N              customers synced (or waiting to be written) at once (default 64)
  --max-in-flight N        requests in flight over every customer (default 128)
  --key-max-in-flight N    requests in flight per key (default 8)
  -h, --help               this help
exit status: 0 every snapshot complete, 3 some customer failed or incomplete, 1 error, 2 usage error";

#[derive(Debug)]
enum Command {
    Help,
    Run(Args),
}

#[derive(Debug, PartialEq)]
struct Args {
    keys: Option<PathBuf>,
    shard: Option<(u64, u64)>,
    out: Option<PathBuf>,
    at_once: usize,
    max_in_flight: usize,
    key_max_in_flight: usize,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut out = Args {
        keys: None,
        shard: None,
        out: None,
        at_once: 64,
        max_in_flight: 128,
        key_max_in_flight: 8,
    };
    let number = |name: &str, v: String| -> Result<usize, String> {
        match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!("{name}: `{v}` is not a positive number")),
        }
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--keys" => out.keys = Some(PathBuf::from(value("--keys")?)),
            "--shard" => out.shard = Some(parse_shard(&value("--shard")?)?),
            "--out" => out.out = Some(PathBuf::from(value("--out")?)),
            "--at-once" => out.at_once = number("--at-once", value("--at-once")?)?,
            "--max-in-flight" => {
                out.max_in_flight = number("--max-in-flight", value("--max-in-flight")?)?;
            }
            "--key-max-in-flight" => {
                out.key_max_in_flight =
                    number("--key-max-in-flight", value("--key-max-in-flight")?)?;
            }
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Command::Run(out))
}

fn parse_shard(v: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--shard: `{v}` is not K/N with 0 <= K < N (e.g. 0/4)");
    let (k, n) = v.split_once('/').ok_or_else(bad)?;
    let (k, n): (u64, u64) = (k.parse().map_err(|_| bad())?, n.parse().map_err(|_| bad())?);
    if n == 0 || k >= n {
        return Err(bad());
    }
    Ok((k, n))
}

/// FNV-1a: the same on every machine and every run (unlike the standard library's hasher).
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn in_shard(id: &str, shard: Option<(u64, u64)>) -> bool {
    shard.is_none_or(|(k, n)| fnv1a(id) % n == k)
}

/// The customers of a `--keys` file. Errors name the line and what is wrong, never its secret.
fn parse_keys(text: &str) -> Result<Vec<Customer<String>>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let [id, access_key, secret_key, project_id] = f[..] else {
            return Err(format!(
                "line {}: {} fields, expected 4: ID ACCESS_KEY SECRET_KEY PROJECT_ID",
                n + 1,
                f.len()
            ));
        };
        let at =
            |what: &str, e: &dyn std::fmt::Display| format!("line {} ({id}): {what}: {e}", n + 1);
        out.push(Customer::new(
            id.to_owned(),
            access_key.parse().map_err(|e| at("access key", &e))?,
            secret_key
                .parse()
                .map_err(|_| at("secret key", &"not a UUID"))?,
            project_id.parse().map_err(|e| at("project id", &e))?,
        ));
    }
    Ok(out)
}

/// The simulator's customers scenario, one key revoked and one rate-limited.
async fn simulated() -> Result<(Sim, Vec<Customer<String>>), Box<dyn std::error::Error>> {
    let sim = Sim::start(Scenario::customers(CustomersParams::new(20, 200))).await?;
    let revoked = CustomersParams::name(3);
    let limited = CustomersParams::name(5);
    let mut customers = Vec::new();
    for i in 0..20 {
        let name = CustomersParams::name(i);
        let c = sim
            .credential(&name)
            .ok_or("the scenario has no such customer")?;
        let config = Config::loader()
            .isolated()
            .access_key(c.access_key.parse()?)
            .secret_key(c.secret_key.parse()?)
            .project_id(c.project_id.parse()?)
            .api_url(sim.api_url().clone())
            .load()?;
        customers.push(Customer::from_config(name, config));
    }
    if let Some(c) = sim.credential(&revoked) {
        sim.state().delete_api_key(&c.access_key)?;
    }
    if let Some(c) = sim.credential(&limited) {
        sim.set_faults(Faults {
            key_faults: vec![KeyFault::new(&c.access_key).with_rate_limit(5)],
            ..Faults::default()
        });
    }
    eprintln!(
        "no --keys: the simulator's customers scenario in process (20 customers; {revoked}'s key revoked, {limited}'s limited to 5 requests/s)"
    );
    Ok((sim, customers))
}

/// Object Storage with the listings' patient retry policy (its own default gives up after
/// 3 attempts within 8 s: a rate-limited key would leave its buckets unlisted), and the
/// in-process simulator's endpoints when there is one.
fn object_storage(fleet: FleetBuilder, sim: Option<&Sim>) -> FleetBuilder {
    let endpoints: Vec<(Region, scaleway_core::url::Url)> = Region::ALL
        .iter()
        .filter_map(|r| Some((r.clone(), sim?.s3_endpoint(r.as_str())?)))
        .collect();
    fleet.inventory(move |client, inventory| {
        let mut s3 = ObjectStorageSource::builder()
            .from_client(client)
            .retry(Inventory::default_retry());
        for (region, url) in &endpoints {
            s3 = s3.endpoint(region.clone(), url.clone());
        }
        Ok(inventory.object_storage(s3.build()?))
    })
}

fn summary(snapshot: &Snapshot) -> String {
    let s = &snapshot.stats;
    let state = if snapshot.is_complete() {
        "complete".to_owned()
    } else {
        let bad = snapshot
            .listings
            .iter()
            .filter(|l| !l.status.is_ok() && !l.status.is_not_available())
            .count();
        format!("INCOMPLETE ({bad} listings denied or failed)")
    };
    format!(
        "{state}: {} resources, {} requests, {} answered 429, waited {:.1} s",
        snapshot.resources.len(),
        s.requests,
        s.rate_limited,
        Duration::from_millis(s.retry_wall_ms).as_secs_f64()
    )
}

async fn run(args: Args) -> Result<ExitCode, Box<dyn std::error::Error>> {
    let (sim, customers) = match &args.keys {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("--keys {}: {e}", path.display()))?;
            let customers =
                parse_keys(&text).map_err(|e| format!("--keys {}: {e}", path.display()))?;
            (None, customers)
        }
        None => {
            let (sim, customers) = simulated().await?;
            (Some(sim), customers)
        }
    };
    let customers: Vec<_> = customers
        .into_iter()
        .filter(|c| in_shard(c.id(), args.shard))
        .collect();
    if let Some(dir) = &args.out {
        std::fs::create_dir_all(dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    }
    let transport = Transport::builder()
        .max_in_flight(args.max_in_flight)
        .build()?;
    let fleet = Fleet::builder(transport)
        .customers_at_once(args.at_once)
        .key_max_in_flight(args.key_max_in_flight);
    let fleet = object_storage(fleet, sim.as_ref()).build();
    let total = customers.len();
    let mut all_complete = true;
    let mut results = fleet.sync(customers);
    let mut stdout = common::stdout();
    while let Some((id, result)) = results.next().await {
        let line = match result {
            Ok(snapshot) => {
                all_complete &= snapshot.is_complete();
                if let Some(dir) = &args.out {
                    let path = dir.join(format!("{id}.json"));
                    std::fs::write(&path, snapshot.to_json()?)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                }
                format!("{id}  {}", summary(&snapshot))
            }
            Err(e) => {
                all_complete = false;
                format!("{id}  FAILED: {e}")
            }
        };
        // A closed pipe (`| head`) ends the example quietly (status 141), as every example.
        if let Err(e) = writeln!(stdout, "{line}") {
            common::end_after_write_error(&e, "stdout");
        }
    }
    eprintln!("{total} customers");
    Ok(if all_complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(3)
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    common::init_tracing();
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run(a)) => a,
        Err(e) => {
            eprintln!("{e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Result<Command, String> {
        parse_args(a.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn arguments() {
        let Ok(Command::Run(a)) = args(&["--shard", "1/4", "--at-once", "8", "--out", "d"]) else {
            panic!("not parsed");
        };
        assert_eq!(a.shard, Some((1, 4)));
        assert_eq!(a.at_once, 8);
        assert_eq!(a.out, Some(PathBuf::from("d")));
        assert!(matches!(args(&["-h"]), Ok(Command::Help)));
        for bad in [
            &["--shard", "4/4"][..],
            &["--shard", "1"],
            &["--shard", "0/0"],
            &["--at-once", "0"],
            &["--max-in-flight", "x"],
            &["--keys"],
            &["--what"],
        ] {
            assert!(args(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shards_split_the_customers_without_overlap() {
        let ids: Vec<String> = (0..200).map(CustomersParams::name).collect();
        let mut counts = [0usize; 4];
        for id in &ids {
            let shards: Vec<u64> = (0..4).filter(|k| in_shard(id, Some((*k, 4)))).collect();
            assert_eq!(shards.len(), 1, "{id}");
            counts[shards[0] as usize] += 1;
        }
        assert!(counts.iter().all(|c| *c > 20), "{counts:?}");
        assert!(ids.iter().all(|id| in_shard(id, None)));
    }

    #[test]
    fn a_keys_file_is_read_and_its_errors_never_show_a_secret() {
        let secret = "11111111-2222-4333-8444-555555555555";
        let text = format!(
            "# id access_key secret_key project_id\n\nacme SCWXXXXXXXXXXXXXXXXX {secret} 22222222-2222-4222-8222-222222222222\n"
        );
        let customers = parse_keys(&text).unwrap_or_default();
        assert_eq!(customers.len(), 1);
        assert_eq!(customers[0].id(), "acme");
        assert!(!format!("{:?}", customers[0]).contains(secret));
        for bad in [
            format!("acme SCWXXXXXXXXXXXXXXXXX {secret}"),
            format!("acme nope {secret} 22222222-2222-4222-8222-222222222222"),
            "acme SCWXXXXXXXXXXXXXXXXX not-a-uuid 22222222-2222-4222-8222-222222222222".to_owned(),
            format!("acme SCWXXXXXXXXXXXXXXXXX {secret} nope"),
        ] {
            let Err(e) = parse_keys(&bad) else {
                panic!("accepted: {bad}");
            };
            assert!(e.starts_with("line 1"), "{e}");
            assert!(!e.contains(secret) && !e.contains("not-a-uuid"), "{e}");
        }
    }
}
