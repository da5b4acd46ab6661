//! Test helpers for the scaleway-* crates (feature `test-util`): the recorded-response
//! loader, and [`ManualClock`], a clock tests control for a client's retries and timeouts.
//!
//! `../shared/recorded/` (beside the workspace) holds real responses recorded by
//! Scaleway's own public test suites. Every typed model must parse every recorded
//! response of its API; these helpers read the folder at test time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::clock::ManualClock;

/// One recorded interaction.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Recorded {
    /// The file it was read from (set by the loader).
    #[serde(skip)]
    pub file: PathBuf,
    /// API directory (`iam`, `instance`, …).
    pub api: String,
    /// Operation (`servers-list`, `policies-get`, …).
    pub operation: String,
    /// HTTP method.
    pub method: String,
    /// Host (`api.scaleway.com`, `s3.fr-par.scw.cloud`, …).
    pub host: String,
    /// Path as recorded.
    pub path: String,
    /// Decoded query (a repeated key gives a list).
    #[serde(default)]
    pub query: BTreeMap<String, serde_json::Value>,
    /// HTTP status.
    pub status: u16,
    /// Kept response headers, lower-case names.
    #[serde(default)]
    pub response_headers: BTreeMap<String, String>,
    /// `json`, `xml`, `text` or `empty`.
    pub body_format: String,
    /// The parsed JSON body, or the XML/text as a string, or null.
    #[serde(default)]
    pub response_body: serde_json::Value,
    /// The request body the official client sent, if recorded.
    #[serde(default)]
    pub request_body: serde_json::Value,
}

impl Recorded {
    /// The file name without directory, for assertion messages.
    pub fn name(&self) -> String {
        self.file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The body re-serialized as bytes (JSON), the string as is (XML/text), or empty.
    pub fn body_bytes(&self) -> Vec<u8> {
        match (&self.body_format[..], &self.response_body) {
            ("json", v) => serde_json::to_vec(v).unwrap_or_default(),
            (_, serde_json::Value::String(s)) => s.clone().into_bytes(),
            _ => Vec::new(),
        }
    }
}

/// The recorded folder: `$SCALEWAY_RECORDED_DIR`, else `../shared/recorded` beside the
/// workspace.
///
/// # Panics
///
/// When the folder does not exist: tests must not pass silently without their data.
pub fn recorded_dir() -> PathBuf {
    let dir = crate::Env::from_process()
        .get("SCALEWAY_RECORDED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/recorded"));
    assert!(
        dir.join("index.json").is_file(),
        "recorded responses not found at {}: put the shared folder beside the workspace or set SCALEWAY_RECORDED_DIR",
        dir.display()
    );
    dir
}

/// Every recorded interaction of `api` (a directory name), sorted by file name.
///
/// # Panics
///
/// When the folder is missing or a file is not a valid recording.
pub fn recorded(api: &str) -> Vec<Recorded> {
    let dir = recorded_dir().join(api);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no recordings in {}", dir.display());
    files
        .into_iter()
        .map(|f| {
            let text = std::fs::read_to_string(&f)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", f.display()));
            let mut r: Recorded = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{} is not a recording: {e}", f.display()));
            r.file = f;
            r
        })
        .collect()
}

/// Every recorded interaction of every API.
pub fn recorded_all() -> Vec<Recorded> {
    let mut apis: Vec<String> = std::fs::read_dir(recorded_dir())
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    apis.sort();
    apis.iter().flat_map(|a| recorded(a)).collect()
}
