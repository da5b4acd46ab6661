//! Profile diagnostics: prints the resolved configuration with the source of every value,
//! the secret redacted, and every problem found.
//!
//! ```text
//! cargo run --example config [-- --profile NAME] [--json]
//! ```
//!
//! Exit status: 0 when the configuration is valid (even without credentials), 1 when
//! values are invalid, 2 on a usage error, a broken config file or an unknown profile.
#![allow(clippy::print_stdout, clippy::print_stderr)] // printing is what an example does

// Its `println!`/`eprintln!` shadow std's: a closed pipe ends the example quietly.
#[macro_use]
#[allow(unreachable_pub, reason = "shared helpers, used by several examples")]
mod common;

use std::process::ExitCode;

use scaleway_core::{Config, ConfigReport};

const USAGE: &str = "usage: cargo run --example config [-- --profile NAME] [--json]";

fn main() -> ExitCode {
    common::init_tracing();
    let mut profile = None;
    let mut json = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--profile" => match args.next() {
                Some(p) => profile = Some(p),
                None => return usage("--profile needs a name"),
            },
            "--json" => json = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument `{other}`")),
        }
    }
    let mut loader = Config::loader();
    if let Some(p) = &profile {
        loader = loader.profile(p.clone());
    }
    let report = match loader.report() {
        Ok(r) => r,
        Err(e) => {
            if json {
                let v = serde_json::json!({ "error": e.to_string() });
                println!("{v:#}");
            } else {
                eprintln!("error: {e}");
            }
            return ExitCode::from(2);
        }
    };
    if json {
        match serde_json::to_string_pretty(&report) {
            Ok(s) => println!("{s}"),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print_report(&report);
    }
    if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\n{USAGE}");
    ExitCode::from(2)
}

fn print_report(r: &ConfigReport) {
    println!(
        "config file: {} ({})",
        r.config_path.display(),
        if r.config_file_found {
            "found"
        } else {
            "not found"
        }
    );
    println!("profile:     {} ({})", r.profile.value, r.profile.source);
    println!();
    let rows: Vec<[String; 3]> = r
        .settings
        .iter()
        .map(|s| {
            let value = s.value.clone().unwrap_or_else(|| "-".into());
            let source = s
                .source
                .as_ref()
                .map_or_else(|| "not set".to_owned(), ToString::to_string);
            let value = match &s.problem {
                Some(_) => format!("{value}  ✗"),
                None => value,
            };
            [s.key.to_string(), value, source]
        })
        .collect();
    let w0 = rows.iter().map(|r| r[0].len()).max().unwrap_or(0).max(7);
    let w1 = rows
        .iter()
        .map(|r| r[1].chars().count())
        .max()
        .unwrap_or(0)
        .max(5);
    println!("{:<w0$}  {:<w1$}  SOURCE", "SETTING", "VALUE");
    for [k, v, s] in &rows {
        let pad = w1 - v.chars().count();
        println!("{k:<w0$}  {v}{:pad$}  {s}", "");
    }
    if !r.problems.is_empty() {
        println!("\nproblems:");
        for p in &r.problems {
            println!("  - {p}");
        }
    }
    if !r.warnings.is_empty() {
        println!("\nwarnings:");
        for w in &r.warnings {
            println!("  - {w}");
        }
    }
    let has =
        |k: scaleway_core::ConfigKey| r.settings.iter().any(|s| s.key == k && s.value.is_some());
    if !has(scaleway_core::ConfigKey::SecretKey) {
        println!(
            "\nno credentials: set SCW_ACCESS_KEY and SCW_SECRET_KEY, or `access_key` and `secret_key` in {} (profile `{}`).\nThe other examples run against the in-process simulator until you do.",
            r.config_path.display(),
            r.profile.value
        );
    } else if r.problems.is_empty() {
        println!("\nconfiguration is valid.");
    }
}
