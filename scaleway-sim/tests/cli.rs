//! The `scaleway-sim` command: what it prints first, and its usage errors.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_scaleway-sim");

/// Kills the child when the test ends, passing or not.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The running command, and the lines it printed up to its first credential line.
fn first_lines(args: &[&str]) -> (Killed, Vec<String>) {
    let child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let out = BufReader::new(child.0.stdout.take().unwrap());
    let mut lines = Vec::new();
    for line in out.lines() {
        let line = line.unwrap();
        let done = line.starts_with("credential ");
        lines.push(line);
        if done {
            break;
        }
    }
    (child, lines)
}

#[tokio::test]
async fn prints_the_api_url_then_the_s3_and_registry_endpoints_then_credentials() {
    let (_running, lines) = first_lines(&["--scenario", "demo", "--port", "0"]);
    let url = lines[0]
        .strip_prefix("SCW_API_URL=http://127.0.0.1:")
        .unwrap();
    assert!(url.parse::<u16>().is_ok(), "{}", lines[0]);
    let s3: Vec<&String> = lines.iter().filter(|l| l.starts_with("s3 ")).collect();
    let registry: Vec<&String> = lines
        .iter()
        .filter(|l| l.starts_with("registry "))
        .collect();
    assert_eq!(s3.len(), 4, "{lines:#?}");
    assert_eq!(registry.len(), 3, "{lines:#?}");
    assert!(
        s3[0].starts_with("s3 region=fr-par url=http://127.0.0.1:"),
        "{}",
        s3[0]
    );
    assert!(
        registry[0].starts_with("registry region=fr-par host=127.0.0.1:"),
        "{}",
        registry[0]
    );
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("credential name=inventory "),
        "{lines:#?}"
    );
    assert_eq!(lines.len(), 1 + 4 + 3 + 1, "{lines:#?}");

    // The S3 endpoint printed answers (an unsigned request: 403 from the S3 layer).
    let s3_url = s3[0].split("url=").nth(1).unwrap();
    let r = reqwest::get(format!("{s3_url}/")).await.unwrap();
    assert!(r.headers().contains_key("x-amz-request-id"));
}

#[test]
fn ports_from_puts_the_side_listeners_on_consecutive_ports() {
    // A free block of 8 ports: bind and release a listener, then step off it.
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = probe
        .local_addr()
        .unwrap()
        .port()
        .saturating_sub(1000)
        .max(20000);
    drop(probe);
    let first = base.to_string();
    let (_running, lines) = first_lines(&["--port", "0", "--ports-from", &first]);
    let expect = |line: &str| assert!(lines.iter().any(|l| l == line), "{line} in {lines:#?}");
    expect(&format!(
        "registry region=fr-par host=127.0.0.1:{}",
        base + 1
    ));
    expect(&format!(
        "registry region=pl-waw host=127.0.0.1:{}",
        base + 3
    ));
    expect(&format!(
        "s3 region=fr-par url=http://127.0.0.1:{}",
        base + 4
    ));
    expect(&format!(
        "s3 region=it-mil url=http://127.0.0.1:{}",
        base + 7
    ));
}

#[test]
fn a_bad_flag_is_a_usage_error() {
    for args in [
        &["--ports-from", "not-a-port"][..],
        &["--scenario", "nope"],
        &["--what"],
        &["--large", "servers=many"],
        &["--large", "servers"],
        &["--large", "planets=3"],
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.is_empty(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
}

#[test]
fn large_takes_its_counts_and_projects_0_is_one_project() {
    let child = Command::new(BIN)
        .args([
            "--large",
            "servers=3,block_volumes=2,secrets=1,buckets=0,images=0,projects=0",
            "--port",
            "0",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    let mut projects = std::collections::BTreeMap::new();
    for line in BufReader::new(child.0.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        let field = |name: &str| {
            line.split(' ')
                .find_map(|f| f.strip_prefix(name))
                .map(str::to_owned)
        };
        if let (Some(name), Some(project)) = (field("credential name="), field("project_id=")) {
            projects.insert(name, project);
        }
        if projects.len() == 2 {
            break;
        }
    }
    assert!(projects.contains_key("inventory"), "{projects:?}");
    // The inventory key's default project is the first non-default one, if any.
    assert_eq!(
        projects.get("inventory"),
        projects.get("admin"),
        "one project"
    );
}
