//! Every example ends quietly when its reader goes away (`cargo run --example X | head`):
//! no panic, exit status 0 or 141 (128 + SIGPIPE).
//!
//! Each example program (built once by the test: see support/mod.rs) runs against its
//! in-process simulator (no credentials: an empty environment and home), with its stdout
//! closed before it writes anything, or after its first line.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, ExitStatus, Stdio};

mod support;

/// How the test reads the example's stdout.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Reader {
    /// Closes it at once.
    Gone,
    /// Reads the first line, then closes it (`| head -1`).
    FirstLine,
    /// Reads it all.
    All,
}

/// Runs `name args` with no Scaleway configuration, its stdout read by `reader`. Its status
/// and stderr.
fn run(name: &str, args: &[&str], reader: Reader) -> (ExitStatus, String) {
    let home = std::env::temp_dir().join(format!("closed-pipe-home-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let mut command = Command::new(support::example(name));
    if reader == Reader::Gone {
        // A pipe whose reader is gone before the example starts.
        let (read, write) = std::io::pipe().unwrap();
        drop(read);
        command.stdout(write);
    } else {
        command.stdout(Stdio::piped());
    }
    let mut child = command
        .args(args)
        .env_clear()
        .env("HOME", &home)
        .env(
            "PATH",
            scaleway_core::Env::from_process().get("PATH").unwrap_or(""),
        )
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().map(BufReader::new);
    // Read on another thread: the example may fill the stderr pipe before it writes stdout.
    let reading = std::thread::spawn(move || match (reader, stdout) {
        (Reader::Gone, _) | (_, None) => {}
        (Reader::FirstLine, Some(mut stdout)) => {
            let _ = stdout.read_line(&mut String::new());
        }
        (Reader::All, Some(mut stdout)) => {
            let _ = stdout.read_to_end(&mut Vec::new());
        }
    });
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    reading.join().unwrap();
    (child.wait().unwrap(), stderr)
}

/// `name args` with its reader gone at once ends with 141; after one line, with 141 or
/// its status when read to the end (the reader may have gone after its last write); never
/// with a panic or a word about the pipe.
fn assert_quiet(name: &str, args: &[&str]) {
    let (normal, stderr) = run(name, args, Reader::All);
    assert!(!stderr.contains("panicked"), "{name} {args:?}:\n{stderr}");
    for reader in [Reader::Gone, Reader::FirstLine] {
        let (status, stderr) = run(name, args, reader);
        let what = format!("{name} {args:?}, reader {reader:?}: {status}");
        assert!(!stderr.contains("panicked"), "{what}: panicked\n{stderr}");
        assert!(!stderr.contains("Broken pipe"), "{what}: said so\n{stderr}");
        match reader {
            Reader::Gone => assert_eq!(status.code(), Some(141), "{what}\n{stderr}"),
            _ => assert!(
                status.code() == Some(141) || status.code() == normal.code(),
                "{what} (read to the end: {normal})\n{stderr}"
            ),
        }
    }
}

#[test]
fn config_ends_quietly() {
    assert_quiet("config", &[]);
    assert_quiet("config", &["--json"]);
}

#[test]
fn inventory_ends_quietly() {
    assert_quiet("inventory", &[]);
    assert_quiet("inventory", &["--json"]);
    assert_quiet("inventory", &["--ndjson"]);
}

#[test]
fn check_credentials_ends_quietly() {
    assert_quiet("check_credentials", &[]);
    assert_quiet("check_credentials", &["--json"]);
}

#[test]
fn provision_ends_quietly() {
    assert_quiet("provision", &["--profile", "inventory-readonly"]);
}

#[test]
fn customers_ends_quietly() {
    assert_quiet("customers", &["--at-once", "2"]);
}

#[test]
fn registry_ends_quietly() {
    assert_quiet("registry", &["images"]);
    assert_quiet("registry", &["namespaces", "--json"]);
}
