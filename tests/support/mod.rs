//! What the root package's integration tests share: the examples, built as the programs a
//! user runs.
//!
//! `cargo test` builds the examples marked `test = true` in Cargo.toml as test harnesses
//! only, so `target/<profile>/examples/<name>` may not exist (or be stale) on a clean
//! clone: the tests build the programs themselves, once per test binary.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Every example of this package, built (`cargo build --examples`) on first use; name →
/// executable. Panics with cargo's output when the build fails.
pub(crate) fn examples() -> &'static HashMap<String, PathBuf> {
    static EXES: OnceLock<HashMap<String, PathBuf>> = OnceLock::new();
    EXES.get_or_init(build)
}

/// The executable of the example `name`.
pub(crate) fn example(name: &str) -> &'static Path {
    examples()
        .get(name)
        .unwrap_or_else(|| panic!("no example {name}: {:?}", examples().keys()))
}

fn build() -> HashMap<String, PathBuf> {
    let out = Command::new(env!("CARGO"))
        .args([
            "build",
            "--quiet",
            "--examples",
            "--message-format=json",
            "--manifest-path",
        ])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo build --examples: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut exes = HashMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] == "compiler-artifact"
            && msg["target"]["kind"][0] == "example"
            && let (Some(name), Some(exe)) =
                (msg["target"]["name"].as_str(), msg["executable"].as_str())
        {
            exes.insert(name.to_owned(), PathBuf::from(exe));
        }
    }
    assert!(!exes.is_empty(), "cargo built no example");
    exes
}
