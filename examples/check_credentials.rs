//! Can this Scaleway key do the job, and nothing more? The policy checker on the command
//! line: the "Pending Validation → Ready / Invalid" step of a platform's onboarding.
//!
//! ```text
//! cargo run --example check_credentials -- --profile byoc-kapsule --project-id UUID [--json]
//!     [--access-key SCW…]     audit another key with the configured one (auditor mode)
//!     [--source-ip IP]        the public IP your requests come from (evaluates IP conditions)
//!     [--accept-unproven]     count Unproven as Ready (what the key alone cannot prove:
//!                             write access in probe mode, …); the report still lists it
//!     [--canary]              probe mode: prove write access with the key itself, by
//!                             creating then deleting a free resource per product (a VPC, a
//!                             Private Network, a security group, an empty bucket)
//!     [--scw-profile NAME]    profile of the scw config file
//!     [--credential NAME]     demo only: check this demo key only
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
//! "report"}`, or `"error"` instead of `"report"` when the check could not run. With
//! `--canary`, the `byoc` key proves its write access with canaries (Kubernetes, which has
//! no free canary, stays unproven), and the demo checks in the simulator that nothing was
//! left behind (exit 2 if something was).
//!
//! Exit status: 0 Ready, 1 Invalid (proven wrong), 2 usage or connection error, 3 pending
//! propagation (check again later), 4 Unproven (nothing proven wrong, but some requirement
//! not proven with this key alone: check it in auditor mode, or accept it knowingly). In
//! the demo, the most severe over all checks, in the order error (2) > invalid (1) >
//! unproven (4) > pending (3) > ready (0): unproven needs someone to act, pending only
//! time.
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
    CheckOptions, Checker, Profile, Report, RequestContext, RequirementStatus, Target, Verdict,
};
use scaleway_sim::{Scenario, Sim};

const USAGE: &str = "usage: cargo run --example check_credentials -- --profile NAME|FILE --project-id UUID [--access-key SCW…] [--source-ip IP] [--accept-unproven] [--canary] [--scw-profile NAME] [--json] [--credential NAME (demo only)]";

/// Exit statuses.
const READY: u8 = 0;
const INVALID: u8 = 1;
const ERROR: u8 = 2;
const PENDING: u8 = 3;
const UNPROVEN: u8 = 4;

#[derive(Debug, Default)]
struct Args {
    profile: Option<String>,
    project_id: Option<ProjectId>,
    access_key: Option<AccessKey>,
    source_ip: Option<IpAddr>,
    accept_unproven: bool,
    canary: bool,
    scw_profile: Option<String>,
    json: bool,
    credential: Option<String>,
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
            "--canary" => a.canary = true,
            "--scw-profile" => a.scw_profile = Some(value("--scw-profile")?),
            "--json" => a.json = true,
            "--credential" => a.credential = Some(value("--credential")?),
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
        Verdict::Unproven { .. } => UNPROVEN,
        _ => INVALID,
    }
}

/// How severe an exit status is: error > invalid > unproven > pending > ready (the statuses
/// themselves are not in that order). Unproven is above pending: it needs someone to act
/// (an auditor check, or accepting it), pending only time.
fn severity(code: u8) -> u8 {
    match code {
        ERROR => 4,
        INVALID => 3,
        UNPROVEN => 2,
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
    common::init_tracing();
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
    options.canary = args.canary;
    match common::has_credentials(&config) {
        Ok(true) => {}
        Ok(false) => return demo(&args, options).await,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(ERROR);
        }
    }
    if args.credential.is_some() {
        return usage(
            "--credential names a demo key: it is for the demo (no credentials configured)",
        );
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
    // Canary resources of an interrupted check are deleted by spawned tasks: let them end.
    checker.wait_for_canary_cleanups().await;
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
        "inventory" | "group-granted" | "personal-user" | "other-org" => "inventory-readonly",
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
        let code = status_of(&result);
        eprintln!(
            "   → {} (exit {code}){}",
            match &result {
                Ok(r) => r.verdict.status(),
                Err(_) => "error",
            },
            match &result {
                Ok(r) => unproven_requirements(r),
                Err(_) => String::new(),
            }
        );
        worst = worse(worst, code);
        if args.json {
            json_out.push(demo_entry(credential, purpose, &result));
        } else {
            match &result {
                Ok(r) => println!("{r}"),
                Err(e) => eprintln!("error: {e}"),
            }
        }
    };
    let wanted = |name: &str| args.credential.as_deref().is_none_or(|c| c == name);
    if let Some(c) = &args.credential
        && sim.credential(c).is_none()
    {
        let names: Vec<&str> = sim.credentials().iter().map(|c| c.name.as_str()).collect();
        return usage(&format!(
            "--credential: the demo has no key `{c}`; its keys: {}",
            names.join(", ")
        ));
    }
    for cred in sim.credentials() {
        if !wanted(&cred.name) {
            continue;
        }
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
    // inventory's job; they cannot prove the BYOC key's write access, and nothing is proven
    // wrong either: Unproven (exit 4), Ready with --accept-unproven.
    for (name, profile) in [
        ("inventory", "inventory-readonly"),
        ("byoc", "byoc-kapsule"),
    ] {
        if !wanted(name) {
            continue;
        }
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
    if args.canary {
        // Whatever an interrupted check left to delete, then what the simulator still holds.
        checker.wait_for_canary_cleanups().await;
        let left = sim.state().named("scw-canary-");
        if left.is_empty() {
            eprintln!("\ncanary writes: nothing left behind in the simulator");
        } else {
            eprintln!("\nerror: canary resources left behind in the simulator: {left:?}");
            worst = worse(worst, ERROR);
        }
    }
    ExitCode::from(worst)
}

/// `: A on P, B on P not proven` for an `Unproven` verdict, else nothing.
fn unproven_requirements(r: &Report) -> String {
    if !matches!(r.verdict, Verdict::Unproven { .. }) {
        return String::new();
    }
    let names: Vec<String> = r
        .requirements
        .iter()
        .filter(|q| q.status == RequirementStatus::Unproven)
        .map(|q| match &q.project_id {
            Some(p) => format!("{} on {p}", q.permission_set),
            None => format!("{} at Organization level", q.permission_set),
        })
        .collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(": {} not proven", names.join(", "))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! `cargo test --example check_credentials`
    use super::*;

    #[test]
    fn the_most_severe_status_wins() {
        // error > invalid > unproven > pending > ready, whatever the numbers.
        assert_eq!(worse(UNPROVEN, INVALID), INVALID);
        assert_eq!(worse(INVALID, UNPROVEN), INVALID);
        assert_eq!(worse(UNPROVEN, PENDING), UNPROVEN);
        assert_eq!(worse(PENDING, UNPROVEN), UNPROVEN);
        assert_eq!(worse(UNPROVEN, ERROR), ERROR);
        assert_eq!(worse(READY, UNPROVEN), UNPROVEN);
        assert_eq!(
            exit_code(&Verdict::Unproven {
                unproven: vec!["F1".into()]
            }),
            4
        );
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

    /// The demo, one key at a time: its audit and, for `inventory` and `byoc`, its check of
    /// itself by probing.
    async fn demo_exit(credential: &str) -> ExitCode {
        let args = Args {
            credential: Some(credential.to_owned()),
            json: true,
            ..Args::default()
        };
        demo(&args, CheckOptions::default()).await
    }

    #[tokio::test]
    async fn with_canaries_the_byoc_key_is_unproven_for_kubernetes_only_and_leaves_nothing() {
        let args = Args {
            credential: Some("byoc".to_owned()),
            canary: true,
            json: true,
            ..Args::default()
        };
        let mut options = CheckOptions::default();
        options.canary = true;
        // Unproven (4), not an error (2): the demo found nothing left behind.
        assert_eq!(demo(&args, options).await, ExitCode::from(UNPROVEN));
    }

    #[tokio::test]
    async fn the_demo_keys_get_the_verdicts_of_issue_11() {
        // A least-privilege BYOC key checking itself: its reads work, its writes cannot be
        // proven by reading: Unproven (4), never Invalid (1). Its audit is Ready.
        assert_eq!(demo_exit("byoc").await, ExitCode::from(UNPROVEN));
        // The Owner's key, the BYOC sets on all projects, a key of another Organization:
        // Invalid.
        for key in ["owner", "byoc-all-projects", "other-org"] {
            assert_eq!(demo_exit(key).await, ExitCode::from(INVALID), "{key}");
        }
        // The inventory key: Ready audited and checking itself.
        assert_eq!(demo_exit("inventory").await, ExitCode::from(READY));
        // The IP-conditional key: nothing proven wrong, the condition not provable.
        assert_eq!(demo_exit("conditional").await, ExitCode::from(UNPROVEN));
        assert_eq!(demo_exit("no-such-key").await, ExitCode::from(ERROR));
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
        assert!(args.accept_unproven && args.json && !args.canary);
        assert!(a(&["--canary"]).unwrap().canary);
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
