//! Provision a key for a job: an IAM application, a policy scoped to the project, an API
//! key with an expiry and the project as default — then check it. Safe to re-run: what
//! exists under the same name is reused, and said so.
//!
//! ```text
//! cargo run --example provision -- --profile inventory-readonly --project-id UUID
//!     [--name NAME] [--days N] [--new-key] [--scw-profile NAME] [--json]
//! ```
//!
//! `--profile` is a built-in profile (inventory-readonly, byoc-kapsule, registry-scanner,
//! object-storage-backup) or a TOML/YAML/JSON profile file; `--days` the key's lifetime,
//! 1 to 3650 (default 90). The configured key needs IAM write permission (e.g.
//! `IAMManager`). With no Scaleway credentials configured it runs against the in-process
//! simulator (demo scenario) with its `admin` key, on its `production` project.
//!
//! Steps go to stderr. The new key's access and secret keys go to stdout **as soon as the
//! key exists, before it is checked** — the secret is shown this once, whatever the check
//! says. The check follows; a check that cannot run is reported, not fatal. With `--json`,
//! stdout is one document: the credentials, the steps, and `check` (the report) or
//! `check_error`.
//!
//! Exit status: 0 when the new key checks Ready, 3 when it is pending propagation, 1 when
//! it checks Invalid, 4 when it checks Unproven (as in check_credentials), 2 on a usage or
//! connection error — or when the key was provisioned but could not be checked (its
//! credentials were printed: store them).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example: results on stdout, progress and errors on stderr"
)]

// Its `println!`/`eprintln!` shadow std's: a closed pipe ends the example quietly.
#[macro_use]
#[allow(unreachable_pub, reason = "shared helpers, used by several examples")]
mod common;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use scaleway_core::{Client, Config, Env, Error, ErrorKind, ProjectId};
use scaleway_iam::IamApi;
use scaleway_iam::checker::{CheckOptions, Checker, Profile, Report, Target, Verdict};
use scaleway_iam::provision::{ProvisionRequest, ProvisionedKey, provision};

const USAGE: &str = "usage: cargo run --example provision -- --profile NAME|FILE --project-id UUID [--name NAME] [--days N] [--new-key] [--scw-profile NAME] [--json]";

/// Longest key lifetime accepted by `--days` (ten years).
const MAX_DAYS: u32 = 3650;

const READY: u8 = 0;
const INVALID: u8 = 1;
const ERROR: u8 = 2;
const PENDING: u8 = 3;
const UNPROVEN: u8 = 4;

#[derive(Debug)]
struct Args {
    profile: Option<String>,
    project_id: Option<ProjectId>,
    name: Option<String>,
    days: u32,
    new_key: bool,
    scw_profile: Option<String>,
    json: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    common::init_tracing();
    match run().await {
        Ok(code) => ExitCode::from(code),
        Err(m) if m.is_empty() => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(m) => {
            eprintln!("error: {m}");
            ExitCode::from(ERROR)
        }
    }
}

async fn run() -> Result<u8, String> {
    let args = parse_args(std::env::args().skip(1))?;
    let profile_spec = args
        .profile
        .as_deref()
        .ok_or_else(|| format!("--profile is required\n{USAGE}"))?;
    let profile = load_profile(profile_spec)?;
    let target = connect(args.scw_profile.as_deref()).await?;
    let project = match (&args.project_id, &target.sim) {
        (Some(p), _) => p.clone(),
        (None, Some(sim)) => sim
            .project_id("production")
            .and_then(|p| p.parse().ok())
            .ok_or("the demo scenario has no production project")?,
        (None, None) => return Err(format!("--project-id is required\n{USAGE}")),
    };
    let mut request = ProvisionRequest::new(
        args.name
            .clone()
            .unwrap_or_else(|| format!("{}-{}", profile.name, &project.as_str()[..8])),
        profile,
        project,
    );
    request.key_lifetime = Duration::from_secs(u64::from(args.days) * 24 * 3600);
    request.always_new_key = args.new_key;
    let mut options = CheckOptions::default();
    // The confirmation probes Object Storage too: at the simulator's S3 endpoint, or the
    // configured one (the key's client takes `s3_endpoint` from the configuration).
    if let Some(sim) = &target.sim {
        options.s3_endpoint = sim.s3_endpoint("fr-par");
    }
    let job = Job {
        iam: IamApi::new(&target.client),
        auditor: target.client.clone(),
        base: target.config.clone(),
        request,
        checker: Checker::new().with_options(options),
        json: args.json,
    };
    let mut stdout = common::stdout();
    provision_and_check(&job, &mut stdout).await
}

/// What to provision and how to check it.
struct Job {
    /// Provisions (needs IAM write).
    iam: IamApi,
    /// Checks the new key (needs IAM read).
    auditor: Client,
    /// The configuration the key's own client copies its API URL and S3 settings from.
    base: Config,
    request: ProvisionRequest,
    checker: Checker,
    json: bool,
}

/// Provisions, writes the new credentials at once (text) or keeps them for the document
/// (`--json`), checks the key, writes the check; the exit status. Only a failed
/// provisioning is an `Err` (nothing to show then).
async fn provision_and_check(job: &Job, out: &mut impl Write) -> Result<u8, String> {
    let done = provision(&job.iam, &job.request)
        .await
        .map_err(|e| message(&e))?;
    for line in &done.log {
        eprintln!("{line}");
    }
    let project = &job.request.project_id;
    let (access_key, secret) = match &done.key {
        ProvisionedKey::New(k) => (k.key.access_key.clone(), Some(k.secret_key.clone())),
        ProvisionedKey::Existing { access_key } => (access_key.clone(), None),
        _ => return Err("unexpected key outcome".into()),
    };
    if !job.json {
        // Before anything else can fail: the secret exists nowhere else.
        let _ = writeln!(out, "access key:      {access_key}");
        let _ = match &secret {
            Some(s) => writeln!(
                out,
                "secret key:      {} (shown this once: store it now)",
                s.expose_secret()
            ),
            None => writeln!(
                out,
                "secret key:      (an existing key was reused: its secret cannot be shown again; use --new-key)"
            ),
        };
        let _ = writeln!(out, "default project: {project}");
        let _ = out.flush();
    }
    let check = check(job, &done.key, &access_key).await;
    if job.json {
        let doc = serde_json::json!({
            "application_id": done.application.id,
            "application_outcome": done.application_outcome,
            "policy_id": done.policy.id,
            "policy_outcome": done.policy_outcome,
            "access_key": access_key.as_str(),
            "secret_key": secret.as_ref().map(|s| s.expose_secret().to_owned()),
            "default_project_id": project.to_string(),
            "log": done.log,
            "check": check.as_ref().ok(),
            "check_error": check.as_ref().err(),
        });
        let _ = writeln!(out, "{doc:#}");
    } else {
        match &check {
            Ok(report) => {
                let _ = writeln!(out, "\n{report}");
            }
            Err(e) => eprintln!(
                "error: the key was provisioned (credentials above) but could not be checked: {e}"
            ),
        }
    }
    let _ = out.flush();
    Ok(match &check {
        Ok(r) => match r.verdict {
            Verdict::Ready => READY,
            Verdict::PendingPropagation { .. } => PENDING,
            Verdict::Unproven { .. } => UNPROVEN,
            _ => INVALID,
        },
        Err(_) => ERROR,
    })
}

/// Checks the provisioned key as the auditor; a new key (whose secret is known) also
/// confirms with its own reads that it is in force.
async fn check(
    job: &Job,
    key: &ProvisionedKey,
    access_key: &scaleway_core::AccessKey,
) -> Result<Report, String> {
    let target = Target::project(job.request.project_id.clone());
    let profile = &job.request.profile;
    match key {
        ProvisionedKey::New(k) => {
            let mut loader = Config::loader()
                .env(Env::default())
                .access_key(k.key.access_key.clone())
                .secret_key(k.secret_key.clone())
                .project_id(job.request.project_id.clone())
                .api_url(job.base.api_url.value.clone());
            if let Some(e) = &job.base.s3_endpoint {
                loader = loader.s3_endpoint(e.value.clone());
            }
            if let Some(r) = &job.base.region {
                loader = loader.region(r.value.clone());
            }
            let key_client = Client::builder()
                .config(loader.load().map_err(|e| e.to_string())?)
                .user_agent_suffix("provision")
                .build()
                .map_err(|e| message(&e))?;
            job.checker
                .audit_confirming(&job.auditor, &key_client, profile, &target)
                .await
        }
        _ => {
            job.checker
                .audit(&job.auditor, access_key, profile, &target)
                .await
        }
    }
    .map_err(|e| message(&e))
}

/// An error for the user: bad input without the "invalid request:" prefix.
fn message(e: &Error) -> String {
    match e.kind() {
        ErrorKind::InvalidRequest(m) => m.clone(),
        _ => e.to_string(),
    }
}

/// A built-in profile, or a profile file when `spec` looks like a path.
fn load_profile(spec: &str) -> Result<Profile, String> {
    let path = Path::new(spec);
    if path.extension().is_some() || path.exists() {
        Profile::from_file(path).map_err(|e| e.to_string())
    } else {
        Profile::builtin(spec).map_err(|e| e.to_string())
    }
}

/// `--days`: a whole number of days from 1 to [`MAX_DAYS`].
fn parse_days(v: &str) -> Result<u32, String> {
    let t = v.trim();
    if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!(
            "--days: `{v}` is not a number of days; give 1 to {MAX_DAYS}"
        ));
    }
    match t.parse::<u32>() {
        Ok(0) => Err(format!(
            "--days: the key must live at least 1 day (0 would create an expired key); give 1 to {MAX_DAYS}"
        )),
        Ok(d) if d <= MAX_DAYS => Ok(d),
        // Larger, or too large for a number at all.
        _ => Err(format!(
            "--days: `{v}` is too long a lifetime; give 1 to {MAX_DAYS} days (ten years at most)"
        )),
    }
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Args, String> {
    let mut a = Args {
        profile: None,
        project_id: None,
        name: None,
        days: 90,
        new_key: false,
        scw_profile: None,
        json: false,
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let mut value = |n: &str| {
            it.next()
                .ok_or_else(|| format!("{n} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--profile" => a.profile = Some(value("--profile")?),
            "--project-id" => {
                let v = value("--project-id")?;
                a.project_id = Some(v.parse().map_err(|e| format!("--project-id `{v}`: {e}"))?);
            }
            "--name" => a.name = Some(value("--name")?),
            "--days" => a.days = parse_days(&value("--days")?)?,
            "--new-key" => a.new_key = true,
            "--scw-profile" => a.scw_profile = Some(value("--scw-profile")?),
            "--json" => a.json = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok(a)
}

/// The user's credentials, or the in-process simulator's `admin` key when there are none.
async fn connect(scw_profile: Option<&str>) -> Result<common::Target, String> {
    let config = common::user_config(scw_profile).map_err(|e| e.to_string())?;
    if common::has_credentials(&config)? {
        let client = Client::builder()
            .config(config.clone())
            .user_agent_suffix("provision")
            .build()
            .map_err(|e| message(&e))?;
        return Ok(common::Target {
            client,
            config,
            sim: None,
        });
    }
    let sim = scaleway_sim::Sim::start(scaleway_sim::Scenario::demo())
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "no Scaleway credentials found: running against the in-process simulator (demo scenario) at {}",
        sim.api_url()
    );
    let cred = sim
        .credential("admin")
        .ok_or("the demo scenario has no admin credential")?
        .clone();
    let config = common::sim_config(&sim, &cred).map_err(|e| e.to_string())?;
    let client = Client::builder()
        .config(config.clone())
        .user_agent_suffix("provision")
        .build()
        .map_err(|e| message(&e))?;
    Ok(common::Target {
        client,
        config,
        sim: Some(sim),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! `cargo test --example provision`
    use super::*;
    use scaleway_sim::{Scenario, Sim};

    fn args(list: &[&str]) -> Result<Args, String> {
        parse_args(list.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn days_are_validated_without_panicking() {
        assert_eq!(args(&["--days", "90"]).unwrap().days, 90);
        assert_eq!(args(&["--days", "3650"]).unwrap().days, 3650);
        assert_eq!(args(&[]).unwrap().days, 90);
        for (v, says) in [
            ("0", "at least 1 day"),
            ("3651", "too long"),
            ("300000000000000", "too long"),
            ("99999999999999999999999", "too long"),
            ("-3", "not a number"),
            ("ninety", "not a number"),
            ("", "not a number"),
        ] {
            let e = args(&["--days", v]).unwrap_err();
            assert!(e.starts_with("--days") && e.contains(says), "{v}: {e}");
            assert!(e.contains("1 to 3650"), "{v}: {e}");
        }
    }

    #[test]
    fn an_unknown_profile_lists_the_builtins() {
        let e = load_profile("inventroy-readonly").unwrap_err();
        for n in scaleway_iam::checker::BUILTIN_PROFILES {
            assert!(e.contains(n), "{e}");
        }
        assert!(!e.starts_with("invalid request"), "{e}");
        // A path is read as a file, with the file's error.
        let e = load_profile("/nonexistent/p.toml").unwrap_err();
        assert!(e.contains("/nonexistent/p.toml"), "{e}");
    }

    #[test]
    fn input_errors_have_no_invalid_request_prefix() {
        let e = Error::invalid_request("application name: 1 to 64 characters");
        assert_eq!(message(&e), "application name: 1 to 64 characters");
        assert!(
            args(&["--project-id", "nope"])
                .unwrap_err()
                .starts_with("--project-id `nope`")
        );
    }

    /// A job on the simulator whose check cannot run: the auditor cannot read IAM.
    fn job_with_a_failing_check(sim: &Sim, json: bool) -> (Job, Vec<u8>) {
        let client = |name: &str| {
            let cfg = common::sim_config(sim, sim.credential(name).unwrap()).unwrap();
            Client::builder()
                .config(cfg)
                .retry(scaleway_core::RetryPolicy::never())
                .build()
                .unwrap()
        };
        let base = common::sim_config(sim, sim.credential("admin").unwrap()).unwrap();
        let mut request = ProvisionRequest::new(
            "ci-check-fails",
            Profile::builtin("registry-scanner").unwrap(),
            sim.project_id("production").unwrap().parse().unwrap(),
        );
        request.always_new_key = true;
        let job = Job {
            iam: IamApi::new(&client("admin")),
            auditor: client("inventory"),
            base,
            request,
            checker: Checker::new(),
            json,
        };
        (job, Vec::new())
    }

    #[tokio::test]
    async fn the_secret_is_shown_even_when_the_check_fails() {
        let sim = Sim::start(Scenario::demo()).await.unwrap();
        let iam = IamApi::new(&{
            let cfg = common::sim_config(&sim, sim.credential("admin").unwrap()).unwrap();
            Client::new(cfg).unwrap()
        });
        // Text: the credentials come first, then the failure; exit 2.
        let (job, mut out) = job_with_a_failing_check(&sim, false);
        let code = provision_and_check(&job, &mut out).await.unwrap();
        assert_eq!(code, ERROR);
        let text = String::from_utf8(out).unwrap();
        let access = text
            .lines()
            .find_map(|l| l.strip_prefix("access key:"))
            .unwrap()
            .trim()
            .to_owned();
        let secret = text
            .lines()
            .find_map(|l| l.strip_prefix("secret key:"))
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_owned();
        assert!(secret.parse::<scaleway_core::SecretKey>().is_ok(), "{text}");
        assert!(text.contains("shown this once"), "{text}");
        // The printed key exists (the secret is its own: the key authenticates).
        assert!(iam.get_api_key(&access.parse().unwrap()).await.is_ok());
        // JSON: one document with the credentials and the check's error.
        let (job, mut out) = job_with_a_failing_check(&sim, true);
        let code = provision_and_check(&job, &mut out).await.unwrap();
        assert_eq!(code, ERROR);
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert!(doc["secret_key"].as_str().unwrap().len() == 36, "{doc:#}");
        assert!(doc["access_key"].as_str().unwrap().starts_with("SCW"));
        assert!(doc["check"].is_null(), "{doc:#}");
        assert!(
            doc["check_error"].as_str().unwrap().contains("HTTP 403"),
            "{doc:#}"
        );
    }

    #[tokio::test]
    async fn a_missing_project_is_an_error_before_anything_is_printed() {
        let sim = Sim::start(Scenario::demo()).await.unwrap();
        let (mut job, mut out) = job_with_a_failing_check(&sim, false);
        job.request.project_id = "6f1c2b0e-4a5d-4e8f-9b7a-3c2d1e0f9a8b".parse().unwrap();
        let e = provision_and_check(&job, &mut out).await.unwrap_err();
        assert!(e.starts_with("project 6f1c2b0e-"), "{e}");
        assert!(out.is_empty());
    }
}
