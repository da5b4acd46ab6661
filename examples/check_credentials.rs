//! Can this Scaleway key do the job, and nothing more? The policy checker on the command
//! line: the "Pending Validation → Ready / Invalid" step of a platform's onboarding.
//!
//! ```text
//! cargo run --example check_credentials -- --profile byoc-kapsule --project-id UUID [--json]
//!     [--access-key SCW…]     audit another key with the configured one (auditor mode)
//!     [--source-ip IP]        the public IP your requests come from (evaluates IP conditions)
//!     [--accept-unproven]     probe mode: what probing cannot prove (write access, …) warns
//!                             instead of blocking
//!     [--scw-profile NAME]    profile of the scw config file
//! ```
//!
//! `--profile` is a built-in profile (inventory-readonly, byoc-kapsule, registry-scanner,
//! object-storage-backup) or a TOML/YAML/JSON profile file. Without `--access-key` the
//! configured key checks itself (falling back to probing when it cannot read IAM).
//! `--json` prints the report exactly as `Report::to_json` (the schema of
//! docs/policy-checker.md); on an error nothing goes to stdout.
//!
//! With no Scaleway credentials configured it starts the simulator's `demo` scenario in
//! process and checks its keys, good and broken, one after another (the `admin` key
//! audits each; then the `inventory` and `byoc` keys check themselves by probing). The
//! demo's `--json` is one array with an object per check: `{"credential", "purpose",
//! "report"}`, or `"error"` instead of `"report"` when the check could not run.
//!
//! Exit status: 0 Ready, 1 Invalid, 3 pending propagation (check again later), 2 usage or
//! connection error. In the demo, the most severe over all checks, in the order error (2)
//! > invalid (1) > pending (3) > ready (0).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example: results on stdout, progress and errors on stderr"
)]

// Its `println!`/`eprintln!` shadow std's: a closed pipe ends the example quietly.
#[macro_use]
#[allow(unreachable_pub, reason = "shared helpers, used by several examples")]
mod common;

use std::net::IpAddr;
use std::path::Path;
use std::process::ExitCode;

use scaleway_core::{AccessKey, Client, Error, ErrorKind, ProjectId};
use scaleway_iam::checker::{
    CheckOptions, Checker, Profile, Report, RequestContext, Target, Verdict,
};
use scaleway_sim::{Scenario, Sim};

const USAGE: &str = "usage: cargo run --example check_credentials -- --profile NAME|FILE --project-id UUID [--access-key SCW…] [--source-ip IP] [--accept-unproven] [--scw-profile NAME] [--json]";

/// Exit statuses.
const READY: u8 = 0;
const INVALID: u8 = 1;
const ERROR: u8 = 2;
const PENDING: u8 = 3;

#[derive(Debug, Default)]
struct Args {
    profile: Option<String>,
    project_id: Option<ProjectId>,
    access_key: Option<AccessKey>,
    source_ip: Option<IpAddr>,
    accept_unproven: bool,
    scw_profile: Option<String>,
    json: bool,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut a = Args::default();
    let mut it = args.into_iter();
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
            "--accept-unproven" => a.accept_unproven = true,
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
        Verdict::Ready => READY,
        Verdict::PendingPropagation { .. } => PENDING,
        _ => INVALID,
    }
}

/// How severe an exit status is: error > invalid > pending > ready (the statuses
/// themselves are not in that order: pending is 3).
fn severity(code: u8) -> u8 {
    match code {
        ERROR => 3,
        INVALID => 2,
        PENDING => 1,
        _ => 0,
    }
}

/// The more severe of two exit statuses.
fn worse(a: u8, b: u8) -> u8 {
    if severity(b) > severity(a) { b } else { a }
}

/// An error for the user: bad input without the "invalid request:" prefix.
fn message(e: &Error) -> String {
    match e.kind() {
        ErrorKind::InvalidRequest(m) => m.clone(),
        _ => e.to_string(),
    }
}

fn usage(msg: &str) -> ExitCode {
    if msg.is_empty() {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {msg}\n{USAGE}");
    ExitCode::from(ERROR)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
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
    options.accept_unproven = args.accept_unproven;
    if !config.has_credentials() {
        return demo(&args, options).await;
    }
    let checker = Checker::new().with_options(options);
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
            eprintln!("error: {}", message(&e));
            return ExitCode::from(ERROR);
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
            eprintln!("error: {}", message(&e));
            ExitCode::from(ERROR)
        }
    }
}

/// The report on stdout: text, or exactly [`Report::to_json`].
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

/// One element of the demo's `--json` array.
fn demo_entry(
    credential: &str,
    purpose: &str,
    result: &Result<Report, String>,
) -> serde_json::Value {
    match result {
        Ok(r) => serde_json::json!({ "credential": credential, "purpose": purpose, "report": r }),
        Err(e) => serde_json::json!({ "credential": credential, "purpose": purpose, "error": e }),
    }
}

/// The exit status of one check.
fn status_of(result: &Result<Report, String>) -> u8 {
    match result {
        Ok(r) => exit_code(&r.verdict),
        Err(_) => ERROR,
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
async fn demo(args: &Args, mut options: CheckOptions) -> ExitCode {
    let sim = match Sim::start(Scenario::demo()).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the simulator: {e}");
            return ExitCode::from(ERROR);
        }
    };
    eprintln!(
        "no Scaleway credentials found: running against the in-process simulator (demo scenario) at {}",
        sim.api_url()
    );
    // Object Storage probes go to the simulator's S3 endpoint.
    options.s3_endpoint = sim.s3_endpoint("fr-par");
    let checker = Checker::new().with_options(options);
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
                return ExitCode::from(ERROR);
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
            .map_err(|e| message(&e))
    };
    let admin = match client_for("admin") {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(ERROR);
        }
    };
    let mut worst = READY;
    let mut json_out = Vec::new();
    let mut report = |credential: &str, purpose: &str, result: Result<Report, String>| {
        worst = worse(worst, status_of(&result));
        if args.json {
            json_out.push(demo_entry(credential, purpose, &result));
        } else {
            match &result {
                Ok(r) => println!("{r}"),
                Err(e) => eprintln!("error: {e}"),
            }
        }
    };
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
        let result = checker
            .audit(&admin, &ak, &profile, &target)
            .await
            .map_err(|e| message(&e));
        report(&cred.name, &cred.purpose, result);
    }
    // Self-checks by probing: keys that cannot read IAM inspect themselves. Reads prove the
    // inventory's job; they cannot prove the BYOC key's write access (Invalid unless
    // --accept-unproven).
    for (name, profile) in [
        ("inventory", "inventory-readonly"),
        ("byoc", "byoc-kapsule"),
    ] {
        eprintln!("\n== `{name}` checks itself for {profile} (it cannot read IAM: probe mode)");
        let result = match (client_for(name), Profile::builtin(profile)) {
            (Ok(c), Ok(p)) => checker
                .self_check(&c, &p, &target)
                .await
                .map_err(|e| message(&e)),
            (Err(e), _) => Err(e),
            (_, Err(e)) => Err(e.to_string()),
        };
        report(name, "self-check by probing", result);
    }
    if args.json {
        println!("{}", serde_json::Value::Array(json_out));
    }
    ExitCode::from(worst)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! `cargo test --example check_credentials`
    use super::*;

    #[test]
    fn the_most_severe_status_wins() {
        // error > invalid > pending > ready, whatever the numbers.
        assert_eq!(worse(PENDING, INVALID), INVALID);
        assert_eq!(worse(INVALID, PENDING), INVALID);
        assert_eq!(worse(PENDING, ERROR), ERROR);
        assert_eq!(worse(ERROR, PENDING), ERROR);
        assert_eq!(worse(INVALID, ERROR), ERROR);
        assert_eq!(worse(READY, PENDING), PENDING);
        assert_eq!(worse(PENDING, READY), PENDING);
        let fold = |codes: &[u8]| codes.iter().fold(READY, |w, c| worse(w, *c));
        assert_eq!(fold(&[READY, PENDING, INVALID, READY]), INVALID);
        assert_eq!(
            fold(&[ERROR, PENDING, READY]),
            ERROR,
            "an error is never lowered"
        );
        assert_eq!(fold(&[PENDING, READY]), PENDING);
        assert_eq!(fold(&[]), READY);
    }

    #[test]
    fn demo_json_entries_have_the_documented_shape() {
        let e = demo_entry("deleted", "a deleted key", &Err("boom".into()));
        assert_eq!(
            e,
            serde_json::json!({"credential": "deleted", "purpose": "a deleted key", "error": "boom"})
        );
        assert_eq!(status_of(&Err("boom".into())), ERROR);
    }

    #[test]
    fn arguments() {
        let a = |l: &[&str]| parse_args(l.iter().map(|s| (*s).to_owned()));
        let args = a(&["--profile", "byoc-kapsule", "--accept-unproven", "--json"]).unwrap();
        assert!(args.accept_unproven && args.json);
        assert!(a(&["--bogus"]).unwrap_err().contains("--bogus"));
        assert!(
            a(&["--source-ip", "x"])
                .unwrap_err()
                .contains("not an IP address")
        );
        let e = load_profile("byoc-kapsul").unwrap_err();
        assert!(
            e.contains("byoc-kapsule") && e.contains("inventory-readonly"),
            "{e}"
        );
        assert_eq!(
            message(&Error::invalid_request("profile p needs a target project")),
            "profile p needs a target project"
        );
    }
}
