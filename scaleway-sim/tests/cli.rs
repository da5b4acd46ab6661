//! The `scaleway-sim` command: what it prints first, its usage errors, and the port it could
//! not bind.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead as _, BufReader, Read as _};
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

/// The running command and the lines it printed up to its first credential line; or, when it
/// exited before printing one, what it said on stderr.
fn start(args: &[&str]) -> Result<(Killed, Vec<String>), String> {
    let child = Command::new(BIN)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = Killed(child);
    // Read on a thread, so that a chatty stderr never blocks the command.
    let mut err = child.0.stderr.take().unwrap();
    let stderr = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let out = BufReader::new(child.0.stdout.take().unwrap());
    let mut lines = Vec::new();
    for line in out.lines() {
        let line = line.unwrap();
        let done = line.starts_with("credential ");
        lines.push(line);
        if done {
            return Ok((child, lines));
        }
    }
    // Standard output closed without a credential line: the command ended.
    let status = child.0.wait().unwrap();
    let said = stderr.join().unwrap();
    Err(format!("{status}; stdout {lines:?}; stderr: {said}"))
}

/// The running command, and the lines it printed up to its first credential line.
fn first_lines(args: &[&str]) -> (Killed, Vec<String>) {
    start(args).unwrap_or_else(|e| panic!("scaleway-sim {args:?} failed: {e}"))
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

/// A block of 8 ports that were free a moment ago, below the kernel's ephemeral range (so
/// that the clients' ports of other tests seldom land in it).
fn candidate_block() -> u16 {
    use std::hash::BuildHasher as _;
    loop {
        let draw = std::collections::hash_map::RandomState::new().hash_one(std::process::id());
        let base = 20_000 + u16::try_from(draw % 12_000).unwrap();
        let free = (base..base + 8).all(|p| std::net::TcpListener::bind(("127.0.0.1", p)).is_ok());
        if free {
            return base;
        }
    }
}

/// The command started with its side listeners on a block of 8 ports from `candidates`: a
/// block with a busy port makes the command fail saying which port (checked), and the next
/// block is tried. Returns the block's first port, the command and its first lines.
fn on_a_free_block(candidates: impl IntoIterator<Item = u16>) -> (u16, Killed, Vec<String>) {
    let mut busy = Vec::new();
    for base in candidates.into_iter().take(8) {
        match start(&["--port", "0", "--ports-from", &base.to_string()]) {
            Ok((running, lines)) => return (base, running, lines),
            Err(e) => {
                let port = e
                    .split("could not listen on 127.0.0.1:")
                    .nth(1)
                    .and_then(|rest| rest.split(':').next())
                    .and_then(|p| p.parse::<u16>().ok());
                assert!(
                    port.is_some_and(|p| (base..base + 8).contains(&p)) && e.contains("in use"),
                    "not a port of the block {base}.. in use: {e}"
                );
                busy.push(e);
            }
        }
    }
    panic!("every candidate block had a busy port: {busy:#?}");
}

#[test]
fn ports_from_puts_the_side_listeners_on_consecutive_ports() {
    // Another process may take a port of a block between the check and the command's bind.
    // The first block tried has one taken on purpose (held for the whole test), so the retry
    // is exercised on every run; nothing is timed.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy_block = taken.local_addr().unwrap().port() - 2;
    let candidates = std::iter::once(busy_block).chain(std::iter::repeat_with(candidate_block));
    let (base, _running, lines) = on_a_free_block(candidates);
    assert_ne!(base, busy_block);
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
fn a_busy_port_is_named_in_the_failure() {
    // Held for the whole test: the command cannot have it.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = Command::new(BIN)
        .args(["--port", &port.to_string()])
        .output()
        .unwrap();
    assert_busy(&out, port, port);

    // The S3 fr-par listener is the fifth of a `--ports-from` block: on the taken port. The
    // four before it are free when the test picks them, but another process (or another test)
    // may take one meanwhile: the command then rightly names that one, and the test tries a
    // new block (at most a few times).
    for attempt in 1.. {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let Some(first) = port.checked_sub(4).filter(|p| *p > 1024) else {
            continue;
        };
        let out = Command::new(BIN)
            .args(["--port", "0", "--ports-from", &first.to_string()])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        let lost_race = (first..port).any(|p| {
            err.starts_with(&format!(
                "scaleway-sim: the simulator could not listen on 127.0.0.1:{p}: "
            ))
        });
        if lost_race && attempt < 5 {
            continue;
        }
        assert_busy(&out, port, first);
        break;
    }
}

/// The command failed (1) on `port`, busy, with nothing on stdout.
fn assert_busy(out: &std::process::Output, port: u16, block: u16) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "block {block}: {err}");
    assert!(
        err.starts_with(&format!(
            "scaleway-sim: the simulator could not listen on 127.0.0.1:{port}: "
        )) && err.contains("in use"),
        "block {block}: {err}"
    );
    assert!(out.stdout.is_empty(), "block {block}");
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
        if !line.starts_with("credential ") {
            continue;
        }
        if let (Some(name), Some(project)) = (field("name="), field("project_id=")) {
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
