//! Scaleway's official Python SDK (`scaleway` from PyPI) and boto3 against the simulator:
//! every listing the simulator serves, read with the SDK's `list_*_all` helpers (every page,
//! every item parsed into the SDK's types), must return the count the simulator itself
//! reports; boto3's HeadBucket must get the recorded 200, 403 and 404.
//!
//! The packages are installed by pip into a throwaway virtual environment under a temporary
//! directory (pip's own cache makes later runs fast). The test is **skipped**, with a message
//! on stderr saying why, where `python3` or its `venv` module is missing, where pip cannot
//! reach the package registry, or when `SCALEWAY_SIM_PYTHON=skip`. With
//! `SCALEWAY_SIM_PYTHON=require` a skip is a failure instead. Every subprocess runs under a
//! timeout, so the test never hangs.
//!
//! `cargo nextest run -p scaleway-sim --test python_sdk` (about 20 s with a warm pip cache).
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "test code may panic and says why it skips"
)]

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{client, get};
use scaleway_sim::{Scenario, Sim};
use serde_json::Value;

/// The packages, pinned so that a run is reproducible (newest releases when written).
const PACKAGES: &[&str] = &["scaleway==2.12.0", "boto3==1.44.8"];

/// The script the SDK runs (`tests/python/sdk_listings.py`).
fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/sdk_listings.py")
}

#[allow(clippy::disallowed_methods, reason = "test configuration")]
fn mode() -> String {
    std::env::var("SCALEWAY_SIM_PYTHON").unwrap_or_default()
}

/// Skips (or, with `SCALEWAY_SIM_PYTHON=require`, fails) with a reason.
fn skip(reason: &str) {
    assert!(
        mode() != "require",
        "SCALEWAY_SIM_PYTHON=require, but: {reason}"
    );
    eprintln!("SKIPPED python_sdk: {reason}");
}

/// What a finished subprocess said.
struct Output {
    success: bool,
    stdout: String,
    stderr: String,
}

/// Runs `cmd` to completion or kills it after `timeout` (`Err` then).
fn run(mut cmd: Command, timeout: Duration) -> Result<Output, String> {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    // Read both pipes while waiting (a full pipe would block the child).
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let deadline = Instant::now() + timeout;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| format!("{what}: {e}"))? {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("{what}: no answer within {timeout:?}, killed"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Ok(Output {
        success: status.success(),
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    })
}

/// Whether pip's output says the registry could not be reached.
fn network_failure(text: &str) -> bool {
    [
        "Failed to establish a new connection",
        "Temporary failure in name resolution",
        "Name or service not known",
        "Network is unreachable",
        "Connection refused",
        "Max retries exceeded",
        "ConnectTimeoutError",
        "ReadTimeoutError",
        "Could not fetch URL",
        "No matching distribution found",
    ]
    .iter()
    .any(|m| text.contains(m))
}

/// Creates the virtual environment and installs the packages; `None` (after saying why)
/// when the test must be skipped.
fn install(dir: &Path) -> Option<PathBuf> {
    let found = run(
        {
            let mut c = Command::new("python3");
            c.arg("--version");
            c
        },
        Duration::from_secs(30),
    );
    if !found.as_ref().is_ok_and(|o| o.success) {
        skip("python3 was not found");
        return None;
    }
    let venv = dir.join("venv");
    let mut c = Command::new("python3");
    c.args(["-m", "venv"]).arg(&venv);
    match run(c, Duration::from_secs(120)) {
        Ok(o) if o.success => {}
        Ok(o) => {
            skip(&format!(
                "python3 cannot create a virtual environment (install python3-venv): {}",
                o.stderr.trim()
            ));
            return None;
        }
        Err(e) => panic!("{e}"),
    }
    let python = venv.join("bin/python");
    let mut c = Command::new(&python);
    c.args([
        "-m",
        "pip",
        "install",
        "--disable-pip-version-check",
        "--no-input",
        "--progress-bar",
        "off",
        "--timeout",
        "30",
        "--retries",
        "2",
    ])
    .args(PACKAGES);
    let o = run(c, Duration::from_secs(600)).unwrap_or_else(|e| panic!("{e}"));
    if !o.success {
        let text = format!("{}\n{}", o.stdout, o.stderr);
        if network_failure(&text) {
            skip(&format!(
                "pip could not reach the package registry: {}",
                text.lines()
                    .rev()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
            ));
            return None;
        }
        panic!("pip install {PACKAGES:?} failed:\n{text}");
    }
    Some(python)
}

/// `total_count` of a standard listing (or `x-total-count` of an Instance one).
async fn total(c: &reqwest::Client, sim: &Sim, token: &str, path: &str) -> u64 {
    let r = get(c, sim.api_url(), token, path).await;
    assert_eq!(r.status.as_u16(), 200, "{path}: {}", r.body);
    r.body["total_count"]
        .as_u64()
        .or_else(|| r.header("x-total-count").and_then(|v| v.parse().ok()))
        .unwrap_or_else(|| panic!("{path}: no total"))
}

/// The ids of a listing's items.
async fn ids(c: &reqwest::Client, sim: &Sim, token: &str, path: &str, key: &str) -> Vec<String> {
    let r = get(c, sim.api_url(), token, path).await;
    r.body[key]
        .as_array()
        .unwrap_or_else(|| panic!("{path}: {}", r.body))
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

/// What the simulator itself says each listing of the script holds.
async fn expected(sim: &Sim, token: &str) -> Vec<(&'static str, u64)> {
    let c = client();
    let org = sim.organization_id().to_owned();
    let prod = sim.project_id("production").unwrap();
    let secrets = format!("/secret-manager/v1beta1/regions/fr-par/secrets?project_id={prod}");
    let mut out = Vec::new();
    for (name, path) in [
        (
            "instance_servers",
            format!("/instance/v1/zones/fr-par-1/servers?project={prod}&per_page=100"),
        ),
        (
            "instance_volumes",
            format!("/instance/v1/zones/fr-par-2/volumes?project={prod}&per_page=100"),
        ),
        (
            "block_v1alpha1_volumes",
            format!("/block/v1alpha1/zones/fr-par-1/volumes?project_id={prod}"),
        ),
        (
            "block_v1alpha1_snapshots",
            format!("/block/v1alpha1/zones/fr-par-1/snapshots?project_id={prod}"),
        ),
        (
            "block_v1_volumes",
            format!("/block/v1/zones/fr-par-1/volumes?project_id={prod}"),
        ),
        (
            "block_v1_snapshots",
            format!("/block/v1/zones/fr-par-1/snapshots?project_id={prod}"),
        ),
        (
            "k8s_clusters",
            format!("/k8s/v1/regions/fr-par/clusters?project_id={prod}"),
        ),
        (
            "vpc_vpcs",
            format!("/vpc/v2/regions/fr-par/vpcs?project_id={prod}"),
        ),
        (
            "vpc_private_networks",
            format!("/vpc/v2/regions/fr-par/private-networks?project_id={prod}"),
        ),
        (
            "registry_namespaces",
            format!("/registry/v1/regions/fr-par/namespaces?project_id={prod}"),
        ),
        (
            "registry_images",
            format!("/registry/v1/regions/fr-par/images?project_id={prod}"),
        ),
        ("secrets", secrets.clone()),
        (
            "secrets_scheduled_for_deletion",
            format!("{secrets}&scheduled_for_deletion=true"),
        ),
        (
            "iam_api_keys",
            format!("/iam/v1alpha1/api-keys?organization_id={org}"),
        ),
        (
            "iam_applications",
            format!("/iam/v1alpha1/applications?organization_id={org}"),
        ),
        (
            "iam_users",
            format!("/iam/v1alpha1/users?organization_id={org}"),
        ),
        (
            "iam_groups",
            format!("/iam/v1alpha1/groups?organization_id={org}"),
        ),
        (
            "iam_policies",
            format!("/iam/v1alpha1/policies?organization_id={org}&page_size=100"),
        ),
        (
            "iam_permission_sets",
            format!("/iam/v1alpha1/permission-sets?organization_id={org}"),
        ),
        (
            "account_projects",
            format!("/account/v3/projects?organization_id={org}"),
        ),
    ] {
        out.push((name, total(&c, sim, token, &path).await));
    }
    // Listings of children: the sum over their parents.
    let mut sum = |name, n| out.push((name, n));
    let mut n = 0;
    for id in ids(
        &c,
        sim,
        token,
        &format!("/k8s/v1/regions/fr-par/clusters?project_id={prod}"),
        "clusters",
    )
    .await
    {
        n += total(
            &c,
            sim,
            token,
            &format!("/k8s/v1/regions/fr-par/clusters/{id}/pools"),
        )
        .await;
    }
    sum("k8s_pools", n);
    let mut n = 0;
    for id in ids(
        &c,
        sim,
        token,
        &format!("/registry/v1/regions/fr-par/images?project_id={prod}"),
        "images",
    )
    .await
    {
        n += total(
            &c,
            sim,
            token,
            &format!("/registry/v1/regions/fr-par/images/{id}/tags"),
        )
        .await;
    }
    sum("registry_tags", n);
    let mut n = 0;
    for id in ids(&c, sim, token, &secrets, "secrets").await {
        n += total(
            &c,
            sim,
            token,
            &format!("/secret-manager/v1beta1/regions/fr-par/secrets/{id}/versions"),
        )
        .await;
    }
    sum("secret_versions", n);
    let mut n = 0;
    let policies = format!("/iam/v1alpha1/policies?organization_id={org}&page_size=100");
    for id in ids(&c, sim, token, &policies, "policies").await {
        n += total(
            &c,
            sim,
            token,
            &format!("/iam/v1alpha1/rules?policy_id={id}"),
        )
        .await;
    }
    sum("iam_rules", n);
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_python_sdk_and_boto3_read_every_listing() {
    if mode() == "skip" {
        eprintln!("SKIPPED python_sdk: SCALEWAY_SIM_PYTHON=skip");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let venv_dir = dir.path().to_owned();
    let Some(python) = tokio::task::spawn_blocking(move || install(&venv_dir))
        .await
        .unwrap()
    else {
        return;
    };
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let admin = sim.credential("admin").unwrap().clone();
    let scanner = sim.credential("registry-scanner").unwrap().clone();
    let prod = sim.project_id("production").unwrap();
    let want = expected(&sim, &admin.secret_key).await;

    let mut cmd = Command::new(&python);
    cmd.arg(script())
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("SIM_API_URL", sim.api_url().as_str().trim_end_matches('/'))
        .env("SIM_ACCESS_KEY", &admin.access_key)
        .env("SIM_SECRET_KEY", &admin.secret_key)
        .env("SIM_ORGANIZATION_ID", sim.organization_id())
        .env("SIM_PROJECT_ID", &prod)
        .env("SIM_DENIED_ACCESS_KEY", &scanner.access_key)
        .env("SIM_DENIED_SECRET_KEY", &scanner.secret_key)
        .env("SIM_BUCKET_OK", "acme-prod-assets")
        .env("SIM_BUCKET_DENIED", "acme-prod-backups");
    for region in scaleway_sim::s3::REGIONS {
        let var = format!("SIM_S3_{}", region.to_uppercase().replace('-', "_"));
        cmd.env(
            var,
            sim.s3_endpoint(region)
                .unwrap()
                .as_str()
                .trim_end_matches('/'),
        );
    }
    let o = tokio::task::spawn_blocking(move || run(cmd, Duration::from_secs(180)))
        .await
        .unwrap()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(o.success, "the script failed:\n{}\n{}", o.stdout, o.stderr);
    let got: Value = serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}\n{}", o.stdout, o.stderr));

    // Every listing parses and returns what the simulator holds.
    let listings = got["listings"].as_object().unwrap();
    let mut wrong = Vec::new();
    for (name, n) in &want {
        assert!(*n > 0, "{name}: the demo has something to list");
        match &listings.get(*name) {
            Some(Value::Number(c)) if c.as_u64() == Some(*n) => {}
            Some(other) => wrong.push(format!(
                "{name}: expected {n}, SDK got {}",
                other.get("error").unwrap_or(other)
            )),
            None => wrong.push(format!("{name}: not listed by the script")),
        }
    }
    assert_eq!(listings.len(), want.len(), "{listings:?}");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Typed values: a customer key, a public snapshot, the scheduled secret's deletion time.
    let details = &got["details"];
    assert_eq!(
        details["kms_key_ids"].as_array().unwrap().len(),
        1,
        "{details}"
    );
    assert_eq!(
        details["public_snapshots"],
        serde_json::json!(["web-1-boot-2026-03-01"])
    );
    assert!(
        details["scheduled_deletion_requested"][0].is_string(),
        "{details}"
    );

    // boto3: HeadBucket as recorded, ListBuckets.
    let s3 = &got["s3"];
    assert_eq!(
        s3["head_ok"],
        serde_json::json!({"status": 200, "region": "fr-par"}),
        "{s3}"
    );
    assert_eq!(
        s3["head_missing"],
        serde_json::json!({"status": 404, "code": "404"}),
        "{s3}"
    );
    assert_eq!(
        s3["head_denied"],
        serde_json::json!({"status": 403, "code": "403"}),
        "{s3}"
    );
    assert_eq!(s3["list_buckets"], 1, "{s3}");
}
