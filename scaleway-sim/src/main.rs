//! `scaleway-sim` command: serves a scenario until Ctrl-C.
//!
//! ```text
//! cargo run -p scaleway-sim -- --scenario demo --port 0 [--latency-ms N] [--seed N]
//!     [--rate-limit N] [--error-rate F] [--iam-delay-secs N] [--connection-latency-ms N]
//!     [--fail-locality LOC]... [--host ADDR] [--large-total N] [--dense N] [--customers N]
//!     [--ports-from N] [--large servers=N,block_volumes=N,secrets=N,buckets=N,images=N,projects=N]
//!     [--page-size-cap N] [--churn-rate F] [--churn-max N]
//! ```
//!
//! `--large` is `--scenario large` with exactly these `LargeParams` (omitted ones are the
//! defaults'); `projects=0` puts everything in the default project.
//!
//! The first line printed is `SCW_API_URL=<url>`, then one `s3 region=… url=…` line per Object
//! Storage region, one `registry region=… host=…` line per registry region, then one
//! `credential …` line per credential. `--ports-from N` puts the side listeners on fixed ports
//! (the token realm on N, the registries on N+1.., the S3 endpoints after them). A port that
//! cannot be bound ends it with exit code 1 and a message naming it.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line program prints its URL and credentials"
)]

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use scaleway_sim::{
    Churn, ChurnMode, CustomersParams, Faults, LargeParams, LocalityFault, Scenario, Sim,
};

const USAGE: &str = "usage: scaleway-sim [--scenario demo|large|empty|customers] [--port N] [--host ADDR] [--seed N] \
[--latency-ms N] [--connection-latency-ms N] [--rate-limit N] [--error-rate F] [--iam-delay-secs N] \
[--fail-locality ZONE_OR_REGION]... [--large-total N] [--dense N] [--customers N] [--ports-from N] \
[--large servers=N,block_volumes=N,secrets=N,buckets=N,images=N,projects=N] \
[--page-size-cap N] [--churn-rate F] [--churn-max N]";

struct Args {
    scenario: Scenario,
    host: IpAddr,
    port: u16,
    seed: u64,
    faults: Faults,
    iam_delay: Duration,
    ports_from: Option<u16>,
}

fn parse() -> Result<Args, String> {
    use lexopt::prelude::*;
    let mut args = Args {
        scenario: Scenario::demo(),
        host: IpAddr::from([127, 0, 0, 1]),
        port: 0,
        seed: 1,
        faults: Faults::default(),
        iam_delay: Duration::ZERO,
        ports_from: None,
    };
    let mut p = lexopt::Parser::from_env();
    let err = |e: lexopt::Error| e.to_string();
    while let Some(arg) = p.next().map_err(err)? {
        match arg {
            Long("scenario") => {
                let v: String = p.value().map_err(err)?.string().map_err(err)?;
                args.scenario = Scenario::from_name(&v).ok_or(format!("unknown scenario {v}"))?;
            }
            Long("large-total") => {
                let n: usize = p.value().map_err(err)?.parse().map_err(err)?;
                args.scenario = Scenario::large(LargeParams::with_total(n));
            }
            Long("customers") => {
                let n: usize = p.value().map_err(err)?.parse().map_err(err)?;
                args.scenario = Scenario::customers(CustomersParams::new(
                    n,
                    CustomersParams::default().resources_per_customer,
                ));
            }
            Long("large") => {
                let v: String = p.value().map_err(err)?.string().map_err(err)?;
                args.scenario = Scenario::large(large_params(&v)?);
            }
            Long("dense") => {
                let n: usize = p.value().map_err(err)?.parse().map_err(err)?;
                args.scenario = Scenario::dense(n);
            }
            Long("page-size-cap") => {
                args.faults.page_size_cap = Some(p.value().map_err(err)?.parse().map_err(err)?);
            }
            Long("churn-rate") => {
                let rate: f64 = p.value().map_err(err)?.parse().map_err(err)?;
                let max = args.faults.churn.as_ref().map_or(3, |c| c.max_per_listing);
                args.faults.churn = Some(Churn::new(rate, ChurnMode::Mixed, max));
            }
            Long("churn-max") => {
                let max: u32 = p.value().map_err(err)?.parse().map_err(err)?;
                let rate = args.faults.churn.as_ref().map_or(0.0, |c| c.rate);
                args.faults.churn = Some(Churn::new(rate, ChurnMode::Mixed, max));
            }
            Long("port") => args.port = p.value().map_err(err)?.parse().map_err(err)?,
            Long("host") => args.host = p.value().map_err(err)?.parse().map_err(err)?,
            Long("ports-from") => {
                args.ports_from = Some(p.value().map_err(err)?.parse().map_err(err)?);
            }
            Long("seed") => args.seed = p.value().map_err(err)?.parse().map_err(err)?,
            Long("latency-ms") => {
                args.faults.latency =
                    Duration::from_millis(p.value().map_err(err)?.parse().map_err(err)?);
            }
            Long("connection-latency-ms") => {
                args.faults.connection_latency =
                    Duration::from_millis(p.value().map_err(err)?.parse().map_err(err)?);
            }
            Long("rate-limit") => {
                args.faults.rate_limit = Some(p.value().map_err(err)?.parse().map_err(err)?)
            }
            Long("error-rate") => {
                args.faults.error_rate = p.value().map_err(err)?.parse().map_err(err)?
            }
            Long("iam-delay-secs") => {
                args.iam_delay = Duration::from_secs(p.value().map_err(err)?.parse().map_err(err)?);
            }
            Long("fail-locality") => {
                let v: String = p.value().map_err(err)?.string().map_err(err)?;
                args.faults
                    .locality_faults
                    .push(LocalityFault::unavailable(&v));
            }
            Short('h') | Long("help") => return Err(USAGE.to_owned()),
            _ => return Err(format!("{}\n{USAGE}", arg.unexpected())),
        }
    }
    Ok(args)
}

/// `servers=N,block_volumes=N,…` over the defaults.
fn large_params(spec: &str) -> Result<LargeParams, String> {
    let mut p = LargeParams::default();
    for part in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("--large: `{part}` is not NAME=COUNT\n{USAGE}"))?;
        let n: usize = value
            .parse()
            .map_err(|e| format!("--large: {key}={value}: {e}\n{USAGE}"))?;
        let field = match key {
            "servers" => &mut p.servers,
            "block_volumes" => &mut p.block_volumes,
            "secrets" => &mut p.secrets,
            "buckets" => &mut p.buckets,
            "images" => &mut p.images,
            "projects" => &mut p.projects,
            other => {
                return Err(format!(
                    "--large: unknown count `{other}` (servers, block_volumes, secrets, buckets, images, projects)\n{USAGE}"
                ));
            }
        };
        *field = n;
    }
    Ok(p)
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let mut builder = Sim::builder(args.scenario);
    if let Some(first) = args.ports_from {
        builder = builder.ports_from(first);
    }
    let sim = match builder
        .seed(args.seed)
        .faults(args.faults)
        .iam_propagation_delay(args.iam_delay)
        .addr(SocketAddr::new(args.host, args.port))
        .start()
        .await
    {
        Ok(s) => s,
        Err(e) => {
            // `scaleway-sim: the simulator could not listen on 127.0.0.1:45700: Address in use (os error 98)`
            match std::error::Error::source(&e) {
                Some(why) => eprintln!("scaleway-sim: {e}: {why}"),
                None => eprintln!("scaleway-sim: {e}"),
            }
            return std::process::ExitCode::FAILURE;
        }
    };
    let url = sim.api_url().as_str().trim_end_matches('/').to_owned();
    println!("SCW_API_URL={url}");
    for region in scaleway_sim::s3::REGIONS {
        if let Some(endpoint) = sim.s3_endpoint(region) {
            println!(
                "s3 region={region} url={}",
                endpoint.as_str().trim_end_matches('/')
            );
        }
    }
    for region in scaleway_sim::oci::REGIONS {
        if let Some(host) = sim.registry_host(region) {
            println!("registry region={region} host={host}");
        }
    }
    for c in sim.credentials() {
        println!(
            "credential name={} access_key={} secret_key={} organization_id={} project_id={} bearer={:?} purpose={:?}",
            c.name,
            c.access_key,
            c.secret_key,
            c.organization_id,
            c.project_id,
            c.bearer,
            c.purpose
        );
    }
    let _ = tokio::signal::ctrl_c().await;
    sim.shutdown().await;
    std::process::ExitCode::SUCCESS
}
