//! Provision a key for a job: an IAM application, a policy scoped to the project, an API
//! key with an expiry and the project as default — then check it. Safe to re-run: what
//! exists under the same name is reused, and said so.
//!
//! ```text
//! cargo run --example provision -- --profile inventory-readonly --project-id UUID
//!     [--name NAME] [--days N] [--new-key] [--scw-profile NAME] [--json]
//! ```
//!
//! The configured key needs IAM write permission (e.g. `IAMManager`). With no Scaleway
//! credentials configured it runs against the in-process simulator (demo scenario) with its
//! `admin` key, on its `production` project. Steps go to stderr; the result (including the
//! new secret key, shown this once) to stdout.
//!
//! Exit status: 0 when the new key checks Ready, 3 when it is pending propagation, 1 when
//! it checks Invalid, 2 on a usage or connection error.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example: results on stdout, progress and errors on stderr"
)]

#[allow(unreachable_pub, reason = "shared helpers, used by several examples")]
mod common;

use std::process::ExitCode;
use std::time::Duration;

use scaleway_core::ProjectId;
use scaleway_iam::IamApi;
use scaleway_iam::checker::{Checker, Profile, Target, Verdict};
use scaleway_iam::provision::{ProvisionRequest, ProvisionedKey, provision};

const USAGE: &str = "usage: cargo run --example provision -- --profile NAME --project-id UUID [--name NAME] [--days N] [--new-key] [--scw-profile NAME] [--json]";

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => ExitCode::from(code),
        Err(m) if m.is_empty() => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        Err(m) => {
            eprintln!("error: {m}");
            ExitCode::from(2)
        }
    }
}

async fn run() -> Result<u8, String> {
    let (profile, project, name, days, new_key, scw_profile, json) = parse_args()?;
    let profile_name = profile.ok_or_else(|| format!("--profile is required\n{USAGE}"))?;
    let profile = Profile::builtin(&profile_name)
        .or_else(|_| Profile::from_file(&profile_name))
        .map_err(|e| e.to_string())?;
    let target = connect(scw_profile.as_deref()).await?;
    let project = match (project, &target.sim) {
        (Some(p), _) => p,
        (None, Some(sim)) => sim
            .project_id("production")
            .and_then(|p| p.parse().ok())
            .ok_or("the demo scenario has no production project")?,
        (None, None) => return Err(format!("--project-id is required\n{USAGE}")),
    };
    let iam = IamApi::new(&target.client);
    let mut req = ProvisionRequest::new(
        name.unwrap_or_else(|| format!("{}-{}", profile.name, &project.as_str()[..8])),
        profile.clone(),
        project.clone(),
    );
    req.key_lifetime = Duration::from_secs(days * 24 * 3600);
    req.always_new_key = new_key;
    let done = provision(&iam, &req).await.map_err(|e| e.to_string())?;
    for line in &done.log {
        eprintln!("{line}");
    }
    let (access_key, secret) = match &done.key {
        ProvisionedKey::New(k) => (k.key.access_key.to_string(), Some(k.secret_key.clone())),
        ProvisionedKey::Existing { access_key } => (access_key.to_string(), None),
        _ => return Err("unexpected key outcome".into()),
    };
    // Check the key as the admin; with the new secret, confirm it is in force.
    let checker = Checker::new();
    let check_target = Target::project(project.clone());
    let report = match &done.key {
        ProvisionedKey::New(k) => {
            let cfg = scaleway_core::Config::loader()
                .env(scaleway_core::Env::default())
                .access_key(k.key.access_key.clone())
                .secret_key(k.secret_key.clone())
                .api_url(target.client.api_url().clone())
                .load()
                .map_err(|e| e.to_string())?;
            let key_client = scaleway_core::Client::new(cfg).map_err(|e| e.to_string())?;
            checker
                .audit_confirming(&target.client, &key_client, &profile, &check_target)
                .await
        }
        _ => {
            let ak = access_key
                .parse()
                .map_err(|e: scaleway_core::InvalidValue| e.to_string())?;
            checker
                .audit(&target.client, &ak, &profile, &check_target)
                .await
        }
    }
    .map_err(|e| e.to_string())?;
    if json {
        let out = serde_json::json!({
            "application_id": done.application.id,
            "application_outcome": done.application_outcome,
            "policy_id": done.policy.id,
            "policy_outcome": done.policy_outcome,
            "access_key": access_key,
            "secret_key": secret.as_ref().map(|s| s.expose_secret().to_owned()),
            "default_project_id": project.to_string(),
            "log": done.log,
            "check": report,
        });
        println!("{out:#}");
    } else {
        println!("access key:      {access_key}");
        match &secret {
            Some(s) => println!(
                "secret key:      {} (shown this once: store it now)",
                s.expose_secret()
            ),
            None => println!(
                "secret key:      (an existing key was reused: its secret cannot be shown again; use --new-key)"
            ),
        }
        println!("default project: {project}");
        println!("\n{report}");
    }
    Ok(match report.verdict {
        Verdict::Ready => 0,
        Verdict::PendingPropagation { .. } => 3,
        _ => 1,
    })
}

/// The user's credentials, or the in-process simulator's `admin` key when there are none.
async fn connect(scw_profile: Option<&str>) -> Result<common::Target, String> {
    let config = common::user_config(scw_profile).map_err(|e| e.to_string())?;
    if config.has_credentials() {
        let client = scaleway_core::Client::builder()
            .config(config.clone())
            .user_agent_suffix("provision")
            .build()
            .map_err(|e| e.to_string())?;
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
    let client = scaleway_core::Client::builder()
        .config(config.clone())
        .user_agent_suffix("provision")
        .build()
        .map_err(|e| e.to_string())?;
    Ok(common::Target {
        client,
        config,
        sim: Some(sim),
    })
}

#[allow(clippy::type_complexity)]
fn parse_args() -> Result<
    (
        Option<String>,
        Option<ProjectId>,
        Option<String>,
        u64,
        bool,
        Option<String>,
        bool,
    ),
    String,
> {
    let (mut profile, mut project, mut name, mut days, mut new_key, mut scw_profile, mut json) =
        (None, None::<ProjectId>, None, 90u64, false, None, false);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |n: &str| {
            it.next()
                .ok_or_else(|| format!("{n} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--profile" => profile = Some(value("--profile")?),
            "--project-id" => {
                project = Some(
                    value("--project-id")?
                        .parse()
                        .map_err(|e| format!("--project-id: {e}"))?,
                )
            }
            "--name" => name = Some(value("--name")?),
            "--days" => {
                days = value("--days")?
                    .parse()
                    .map_err(|_| "--days: a number of days".to_owned())?
            }
            "--new-key" => new_key = true,
            "--scw-profile" => scw_profile = Some(value("--scw-profile")?),
            "--json" => json = true,
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`\n{USAGE}")),
        }
    }
    Ok((profile, project, name, days, new_key, scw_profile, json))
}
