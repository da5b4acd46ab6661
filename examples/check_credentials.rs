//! Can this Scaleway key do the job, and nothing more? The policy checker on the command
//! line: the "Pending Validation → Ready / Invalid" step of a platform's onboarding.
//!
//! ```text
//! cargo run --example check_credentials -- --profile byoc-kapsule --project-id UUID [--json]
//!     [--access-key SCW…]     audit another key with the configured one (auditor mode)
//!     [--source-ip IP]        the public IP your requests come from (evaluates IP conditions)
//!     [--scw-profile NAME]    profile of the scw config file
//! ```
//!
//! `--profile` is a built-in profile (inventory-readonly, byoc-kapsule, registry-scanner,
//! object-storage-backup) or a TOML/YAML/JSON profile file. Without `--access-key` the
//! configured key checks itself (falling back to probing when it cannot read IAM).
//!
//! With no Scaleway credentials configured it starts the simulator's `demo` scenario in
//! process and checks its keys, good and broken, one after another (the `admin` key
//! audits each; then the `inventory` key checks itself by probing).
//!
//! Exit status: 0 Ready, 1 Invalid, 3 pending propagation (check again later), 2 usage or
//! connection error. In the demo, the worst of all checks.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example: results on stdout, progress and errors on stderr"
)]

#[allow(unreachable_pub, reason = "shared helpers, used by several examples")]
mod common;

use std::net::IpAddr;
use std::path::Path;
use std::process::ExitCode;

use scaleway_core::{AccessKey, Client, ProjectId};
use scaleway_iam::checker::{
    CheckOptions, Checker, Profile, Report, RequestContext, Target, Verdict,
};
use scaleway_sim::{Scenario, Sim};

const USAGE: &str = "usage: cargo run --example check_credentials -- --profile NAME|FILE --project-id UUID [--access-key SCW…] [--source-ip IP] [--scw-profile NAME] [--json]";

#[derive(Debug, Default)]
struct Args {
    profile: Option<String>,
    project_id: Option<ProjectId>,
    access_key: Option<AccessKey>,
    source_ip: Option<IpAddr>,
    scw_profile: Option<String>,
    json: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args::default();
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--profile" => a.profile = Some(value("--profile")?),
            "--project-id" => {
                a.project_id = Some(
                    value("--project-id")?
                        .parse()
                        .map_err(|e| format!("--project-id: {e}"))?,
                );
            }
            "--access-key" => {
                a.access_key = Some(
                    value("--access-key")?
                        .parse()
                        .map_err(|e| format!("--access-key: {e}"))?,
                );
            }
            "--source-ip" => {
                let v = value("--source-ip")?;
                a.source_ip = Some(
                    v.parse()
                        .map_err(|_| format!("--source-ip: `{v}` is not an IP address"))?,
                );
            }
            "--scw-profile" => a.scw_profile = Some(value("--scw-profile")?),
            "--json" => a.json = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(a)
}

fn load_profile(spec: &str) -> Result<Profile, String> {
    let path = Path::new(spec);
    if path.extension().is_some() || path.exists() {
        Profile::from_file(path).map_err(|e| e.to_string())
    } else {
        Profile::builtin(spec).map_err(|e| e.to_string())
    }
}

fn exit_code(v: &Verdict) -> u8 {
    match v {
        Verdict::Ready => 0,
        Verdict::PendingPropagation { .. } => 3,
        _ => 1,
    }
}

fn usage(msg: &str) -> ExitCode {
    if msg.is_empty() {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {msg}\n{USAGE}");
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(m) => return usage(&m),
    };
    let config = match common::user_config(args.scw_profile.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut options = CheckOptions::default();
    if let Some(ip) = args.source_ip {
        options.request_context = RequestContext::from_ip(ip);
    }
    let checker = Checker::new().with_options(options);
    if !config.has_credentials() {
        return demo(&args, &checker).await;
    }
    let Some(profile_spec) = &args.profile else {
        return usage("--profile is required");
    };
    let profile = match load_profile(profile_spec) {
        Ok(p) => p,
        Err(m) => return usage(&m),
    };
    let Some(project) = args
        .project_id
        .clone()
        .or_else(|| config.project_id.as_ref().map(|p| p.value.clone()))
    else {
        return usage("--project-id is required (or a default project in the configuration)");
    };
    let client = match Client::builder()
        .config(config)
        .user_agent_suffix("check_credentials")
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let target = Target::project(project);
    let result = match &args.access_key {
        Some(ak) => {
            eprintln!("auditing {ak} with the configured key…");
            checker.audit(&client, ak, &profile, &target).await
        }
        None => {
            eprintln!("the configured key checks itself…");
            checker.self_check(&client, &profile, &target).await
        }
    };
    match result {
        Ok(report) => {
            print_report(&report, args.json);
            ExitCode::from(exit_code(&report.verdict))
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn print_report(report: &Report, json: bool) {
    if json {
        match report.to_json() {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("error: {e}"),
        }
    } else {
        println!("{report}");
    }
}

/// The built-in profile a demo key was made for.
fn demo_profile(credential: &str) -> &'static str {
    match credential {
        "inventory" | "group-granted" | "personal-user" => "inventory-readonly",
        "registry-scanner" => "registry-scanner",
        _ => "byoc-kapsule",
    }
}

/// No credentials: check every demo key of the simulator, one after another.
async fn demo(args: &Args, checker: &Checker) -> ExitCode {
    let sim = match Sim::start(Scenario::demo()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the simulator: {e}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "no Scaleway credentials found: running against the in-process simulator (demo scenario) at {}",
        sim.api_url()
    );
    // `--profile` checks every key for that profile; without it each key is checked for
    // the job it was made for (the broken ones for byoc-kapsule).
    let fixed_profile = match args.profile.as_deref().map(load_profile) {
        Some(Ok(p)) => Some(p),
        Some(Err(m)) => return usage(&m),
        None => None,
    };
    let project = match args.project_id.clone() {
        Some(p) => p,
        None => match sim.project_id("production").and_then(|p| p.parse().ok()) {
            Some(p) => p,
            None => {
                eprintln!("error: the demo scenario has no production project");
                return ExitCode::from(2);
            }
        },
    };
    let target = Target::project(project);
    let client_for = |name: &str| -> Result<Client, String> {
        let cred = sim
            .credential(name)
            .ok_or_else(|| format!("no demo credential `{name}`"))?;
        let config = common::sim_config(&sim, cred).map_err(|e| e.to_string())?;
        Client::builder()
            .config(config)
            .user_agent_suffix("check_credentials")
            .build()
            .map_err(|e| e.to_string())
    };
    let admin = match client_for("admin") {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut worst = 0u8;
    let mut json_out = Vec::new();
    for cred in sim.credentials() {
        let Ok(ak) = cred.access_key.parse::<AccessKey>() else {
            continue;
        };
        let profile = match &fixed_profile {
            Some(p) => p.clone(),
            None => match load_profile(demo_profile(&cred.name)) {
                Ok(p) => p,
                Err(m) => return usage(&m),
            },
        };
        eprintln!(
            "\n== `{}` ({}): {}\n   checked for profile {}",
            cred.name, cred.bearer, cred.purpose, profile.name
        );
        match checker.audit(&admin, &ak, &profile, &target).await {
            Ok(r) => {
                worst = worst.max(exit_code(&r.verdict));
                if args.json {
                    json_out.push(serde_json::json!({ "credential": cred.name, "purpose": cred.purpose, "report": r }));
                } else {
                    println!("{r}");
                }
            }
            Err(e) => {
                eprintln!("error: {e}");
                worst = 2;
            }
        }
    }
    // Self-check by probing: a key that cannot read IAM inspects itself.
    eprintln!(
        "\n== `inventory` checks itself for inventory-readonly (it cannot read IAM: probe mode)"
    );
    let result = match (
        client_for("inventory"),
        Profile::builtin("inventory-readonly"),
    ) {
        (Ok(c), Ok(p)) => checker
            .self_check(&c, &p, &target)
            .await
            .map_err(|e| e.to_string()),
        (Err(e), _) => Err(e),
        (_, Err(e)) => Err(e.to_string()),
    };
    match result {
        Ok(r) => {
            worst = worst.max(exit_code(&r.verdict));
            if args.json {
                json_out.push(serde_json::json!({ "credential": "inventory", "purpose": "self-check by probing", "report": r }));
            } else {
                println!("{r}");
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            worst = 2;
        }
    }
    if args.json {
        println!("{}", serde_json::Value::Array(json_out));
    }
    ExitCode::from(worst)
}
