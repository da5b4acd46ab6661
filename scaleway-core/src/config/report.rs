//! What loading reports: the problems with values ([`ConfigProblem`]), the errors
//! ([`ConfigError`]), and every setting with its value and source ([`ConfigReport`]).

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use super::{Config, ConfigKey, Sourced, ValueSource};

/// A problem with one configuration value: which value, from where, and what is accepted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ConfigProblem {
    /// The setting.
    pub key: ConfigKey,
    /// Where the bad value came from (`None` when the problem is a missing value).
    pub source: Option<ValueSource>,
    /// The value as given (`[redacted]` for secrets).
    pub shown_value: Option<String>,
    /// What is wrong and what is accepted.
    pub message: String,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.shown_value.as_deref().unwrap_or("");
        match &self.source {
            Some(ValueSource::Env { var }) => write!(f, "{var}={shown} (environment)"),
            Some(ValueSource::File { path, profile }) => write!(
                f,
                "{}={shown} ({}, profile `{profile}`)",
                self.key.file_key(),
                path.display()
            ),
            Some(ValueSource::Builder) => write!(f, "{}={shown} (builder)", self.key.file_key()),
            Some(ValueSource::Default) => write!(f, "{}={shown} (default)", self.key.file_key()),
            None => write!(f, "{}", self.key.file_key()),
        }?;
        write!(f, ": {}", self.message)
    }
}

/// Errors from loading or using the configuration.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// One or more values are invalid; each problem names its source and what is accepted.
    #[error("invalid configuration: {}", join_problems(.problems))]
    Invalid {
        /// Every problem found.
        problems: Vec<ConfigProblem>,
    },
    /// The configuration file is not valid YAML or has the wrong shape.
    #[error("cannot parse {}{}: {message}", .path.display(), fmt_location(*.line, *.column))]
    Yaml {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<u64>,
        /// 1-based column, when known.
        column: Option<u64>,
        /// What the parser said (secrets masked).
        message: String,
    },
    /// The configuration file could not be read.
    #[error("cannot read {}: {message}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        message: String,
    },
    /// `SCW_CONFIG_PATH` (or the builder) names a file that does not exist.
    #[error("{} ({set_by}) names a file that does not exist; create it with `scw init` or unset it", .path.display())]
    MissingFile {
        /// The path.
        path: PathBuf,
        /// Who named it.
        set_by: ValueSource,
    },
    /// The selected profile is not in the file.
    #[error("profile `{name}` ({set_by}) not found in {}; known profiles: {}", .path.display(), fmt_known(.known))]
    UnknownProfile {
        /// The requested profile.
        name: String,
        /// Who selected it.
        set_by: ValueSource,
        /// The file searched (may not exist).
        path: PathBuf,
        /// The profiles the file defines (`default` always exists).
        known: Vec<String>,
    },
    /// A credential needed for the call is not configured.
    #[error("no {what} configured: {how}")]
    MissingCredentials {
        /// `secret key`, `access key`, `project ID`, …
        what: &'static str,
        /// Which environment variable and config-file key to set.
        how: String,
    },
}

pub(super) fn join_problems(p: &[ConfigProblem]) -> String {
    p.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

pub(super) fn fmt_location(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

pub(super) fn fmt_known(known: &[String]) -> String {
    known.join(", ")
}

/// One line of a [`ConfigReport`]: a setting, its displayed value, source and problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Setting {
    /// The setting.
    pub key: ConfigKey,
    /// The value as given (`[redacted]` for the secret key), if set.
    pub value: Option<String>,
    /// Where it came from, if set.
    pub source: Option<ValueSource>,
    /// What is wrong with it, if anything.
    pub problem: Option<String>,
}

/// Everything the loader found, valid or not: the basis of `cargo run --example config`.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct ConfigReport {
    /// The selected profile and why.
    pub profile: Sourced<String>,
    /// The configuration file path looked at, and whether it exists.
    pub config_path: PathBuf,
    /// Whether the file exists (and was read).
    pub config_file_found: bool,
    /// One entry per setting, in [`ConfigKey::ALL`] order.
    pub settings: Vec<Setting>,
    /// Every invalid value (loading fails when this is not empty).
    pub problems: Vec<ConfigProblem>,
    /// Things worth fixing that do not prevent loading (deprecated names, file mode,
    /// unknown keys, a zone or region this version does not know, a zone outside the
    /// default region).
    pub warnings: Vec<String>,
    #[serde(skip)]
    pub(super) config: Option<Config>,
}

impl ConfigReport {
    /// The validated configuration, or every problem found.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] listing each problem.
    pub fn into_config(self) -> Result<Config, ConfigError> {
        match self.config {
            Some(c) if self.problems.is_empty() => Ok(c),
            _ => Err(ConfigError::Invalid {
                problems: self.problems,
            }),
        }
    }
}
