//! The examples never print a secret key, at any log level: each runs as its own process
//! against the in-process simulator (no credentials configured, so its `demo` scenario) at
//! `RUST_LOG=trace`, and every demo key's secret is looked for in its stdout and stderr —
//! with `X-Auth-Token` calls, S3 SigV4 signing and the registry's Basic-auth token
//! exchange all on the way. (scaleway-core's tests/secrets.rs does the same for the
//! library's own paths.)
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::path::Path;
use std::process::Command;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use scaleway_sim::{Scenario, Sim};

mod support;

struct Run {
    code: Option<i32>,
    output: String,
}

/// Runs `exe` with nothing from this environment but `RUST_LOG=trace` and an empty home
/// (so no credentials: the example starts the simulator itself).
fn run(exe: &Path, args: &[&str], home: &Path) -> Run {
    let out = Command::new(exe)
        .args(args)
        .env_clear()
        .env("HOME", home)
        .env("RUST_LOG", "trace")
        .output()
        .expect("the example runs");
    Run {
        code: out.status.code(),
        output: format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}

#[tokio::test]
async fn examples_at_trace_level_never_print_a_secret_key() {
    // The demo scenario is generated from a fixed seed: the keys the examples' own
    // simulator hands out are these.
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let again = Sim::start(Scenario::demo()).await.unwrap();
    let keys: Vec<(String, String)> = sim
        .credentials()
        .iter()
        .map(|c| (c.access_key.clone(), c.secret_key.clone()))
        .collect();
    let keys_again: Vec<(String, String)> = again
        .credentials()
        .iter()
        .map(|c| (c.access_key.clone(), c.secret_key.clone()))
        .collect();
    assert_eq!(keys, keys_again, "the demo's keys are the same every time");
    assert!(keys.len() >= 5, "{}", keys.len());
    let inventory_key = &sim.credential("inventory").unwrap().access_key;

    let home = tempfile::tempdir().unwrap();
    let out_dir = home.path().join("oci");
    let out_dir = out_dir.to_str().unwrap();
    let runs = [
        ("inventory", vec![], Some(0)),
        ("inventory", vec!["--json"], Some(0)),
        // Some demo keys are broken on purpose: the worst verdict is Invalid (1).
        ("check_credentials", vec![], Some(1)),
        ("check_credentials", vec!["--json"], Some(1)),
        (
            "registry",
            vec![
                "pull",
                "rg.fr-par.scw.cloud/acme-prod/api:latest",
                "--out",
                out_dir,
            ],
            Some(0),
        ),
    ];
    for (name, args, expected) in runs {
        let r = run(support::example(name), &args, home.path());
        let what = format!("{name} {}", args.join(" "));
        assert_eq!(r.code, expected, "{what}:\n{}", r.output);
        assert!(
            r.output.contains("scaleway.request"),
            "{what}: RUST_LOG=trace shows the request spans:\n{}",
            r.output
        );
        if name == "inventory" {
            // The example's simulator is the demo whose keys are checked here.
            assert!(r.output.contains(inventory_key.as_str()), "{what}");
        }
        for (access_key, secret) in &keys {
            // The whole secret, its first and last groups on their own, and the registry
            // token exchange's Basic credentials.
            let head = &secret[..8];
            let tail = &secret[secret.len() - 12..];
            let basic = STANDARD.encode(format!("nologin:{secret}"));
            for fragment in [secret.as_str(), head, tail, basic.as_str()] {
                assert!(
                    !r.output.contains(fragment),
                    "{what} printed (part of) the secret of {access_key}"
                );
            }
        }
    }
}
