//! Configuration: environment variables, the `scw` config file and its profiles, and
//! builder overrides — with the same names and precedence as the official Go SDK and the
//! `scw` CLI, and the source of every value remembered.
//!
//! Precedence, highest first: builder override > environment variable (new name, then
//! the legacy names the Go SDK still reads) > the selected profile > the file's top-level
//! (`default`) profile > built-in default. The profile is chosen by
//! [`ConfigLoader::profile`], else `SCW_PROFILE`, else `active_profile` in the file, else
//! `default`.
//!
//! The file is `$SCW_CONFIG_PATH`, else `$XDG_CONFIG_HOME/scw/config.yaml`, else
//! `$HOME/.config/scw/config.yaml` (with a `config.yml` fallback on the default paths).
//!
//! ```
//! use scaleway_core::{Config, Env, Zone};
//!
//! let env = Env::from_pairs([
//!     ("SCW_ACCESS_KEY", "SCWXXXXXXXXXXXXXXXXX"),
//!     ("SCW_SECRET_KEY", "11111111-1111-1111-1111-111111111111"),
//!     ("SCW_DEFAULT_ZONE", "nl-ams-1"),
//! ]);
//! let config = Config::loader().env(env).load()?;
//! let zone = config.zone.as_ref().expect("zone set");
//! assert_eq!(zone.value, Zone::NlAms1);
//! assert_eq!(zone.source.to_string(), "environment variable SCW_DEFAULT_ZONE");
//! # Ok::<(), scaleway_core::ConfigError>(())
//! ```

mod env;
mod file;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use url::Url;

pub use env::Env;
pub(crate) use file::mask_uuids;

use crate::credentials::{AccessKey, OrganizationId, ProjectId, SecretKey};
use crate::locality::{Region, Zone};

/// The default API URL.
pub const DEFAULT_API_URL: &str = "https://api.scaleway.com";

/// Where a configuration value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ValueSource {
    /// An environment variable.
    Env {
        /// Its name, e.g. `SCW_DEFAULT_ZONE`.
        var: String,
    },
    /// The configuration file.
    File {
        /// The file's path.
        path: PathBuf,
        /// The profile the value was read from (`default` for top-level keys).
        profile: String,
    },
    /// A builder override set in code.
    Builder,
    /// The built-in default.
    Default,
}

impl fmt::Display for ValueSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValueSource::Env { var } => write!(f, "environment variable {var}"),
            ValueSource::File { path, profile } => {
                write!(f, "{}, profile `{profile}`", path.display())
            }
            ValueSource::Builder => f.write_str("builder"),
            ValueSource::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: ValueSource,
}

impl<T> Sourced<T> {
    /// A value set in code.
    pub fn builder(value: T) -> Self {
        Sourced {
            value,
            source: ValueSource::Builder,
        }
    }

    fn new(value: T, source: ValueSource) -> Self {
        Sourced { value, source }
    }
}

/// A configuration setting, with its config-file key and environment variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ConfigKey {
    /// `access_key` / `SCW_ACCESS_KEY`.
    AccessKey,
    /// `secret_key` / `SCW_SECRET_KEY`.
    SecretKey,
    /// `default_organization_id` / `SCW_DEFAULT_ORGANIZATION_ID`.
    OrganizationId,
    /// `default_project_id` / `SCW_DEFAULT_PROJECT_ID`.
    ProjectId,
    /// `default_region` / `SCW_DEFAULT_REGION`.
    Region,
    /// `default_zone` / `SCW_DEFAULT_ZONE`.
    Zone,
    /// `api_url` / `SCW_API_URL`.
    ApiUrl,
    /// `insecure` / `SCW_INSECURE`.
    Insecure,
    /// `s3_endpoint` / `SCW_S3_ENDPOINT`.
    S3Endpoint,
    /// `s3_use_path_style` / `SCW_S3_USE_PATH_STYLE`.
    S3UsePathStyle,
    /// `user_agent` / `SCW_USER_AGENT`.
    UserAgent,
}

impl ConfigKey {
    /// Every setting, in display order.
    pub const ALL: [ConfigKey; 11] = [
        ConfigKey::AccessKey,
        ConfigKey::SecretKey,
        ConfigKey::OrganizationId,
        ConfigKey::ProjectId,
        ConfigKey::Region,
        ConfigKey::Zone,
        ConfigKey::ApiUrl,
        ConfigKey::Insecure,
        ConfigKey::S3Endpoint,
        ConfigKey::S3UsePathStyle,
        ConfigKey::UserAgent,
    ];

    /// The key in `config.yaml`.
    pub fn file_key(self) -> &'static str {
        match self {
            ConfigKey::AccessKey => "access_key",
            ConfigKey::SecretKey => "secret_key",
            ConfigKey::OrganizationId => "default_organization_id",
            ConfigKey::ProjectId => "default_project_id",
            ConfigKey::Region => "default_region",
            ConfigKey::Zone => "default_zone",
            ConfigKey::ApiUrl => "api_url",
            ConfigKey::Insecure => "insecure",
            ConfigKey::S3Endpoint => "s3_endpoint",
            ConfigKey::S3UsePathStyle => "s3_use_path_style",
            ConfigKey::UserAgent => "user_agent",
        }
    }

    /// The environment variables read for this setting, current name first, then the
    /// legacy names the Go SDK (`scw/env.go`) still reads, in its order.
    pub fn env_vars(self) -> &'static [&'static str] {
        match self {
            ConfigKey::AccessKey => &["SCW_ACCESS_KEY", "SCALEWAY_ACCESS_KEY"],
            ConfigKey::SecretKey => &[
                "SCW_SECRET_KEY",
                "SCW_TOKEN",
                "SCALEWAY_TOKEN",
                "SCALEWAY_ACCESS_KEY",
            ],
            ConfigKey::OrganizationId => &[
                "SCW_DEFAULT_ORGANIZATION_ID",
                "SCW_ORGANIZATION",
                "SCALEWAY_ORGANIZATION",
            ],
            ConfigKey::ProjectId => &["SCW_DEFAULT_PROJECT_ID"],
            ConfigKey::Region => &["SCW_DEFAULT_REGION", "SCW_REGION", "SCALEWAY_REGION"],
            ConfigKey::Zone => &["SCW_DEFAULT_ZONE"],
            ConfigKey::ApiUrl => &["SCW_API_URL"],
            ConfigKey::Insecure => &["SCW_INSECURE", "SCW_TLSVERIFY"],
            ConfigKey::S3Endpoint => &["SCW_S3_ENDPOINT"],
            ConfigKey::S3UsePathStyle => &["SCW_S3_USE_PATH_STYLE"],
            ConfigKey::UserAgent => &["SCW_USER_AGENT"],
        }
    }

    /// Whether the value is a secret (never printed).
    pub fn is_secret(self) -> bool {
        self == ConfigKey::SecretKey
    }

    /// The [`ConfigLoader`] method that sets it.
    fn loader_method(self) -> &'static str {
        match self {
            ConfigKey::AccessKey => "access_key",
            ConfigKey::SecretKey => "secret_key",
            ConfigKey::OrganizationId => "organization_id",
            ConfigKey::ProjectId => "project_id",
            ConfigKey::Region => "region",
            ConfigKey::Zone => "zone",
            ConfigKey::ApiUrl => "api_url",
            ConfigKey::Insecure => "insecure",
            ConfigKey::S3Endpoint => "s3_endpoint",
            ConfigKey::S3UsePathStyle => "s3_use_path_style",
            ConfigKey::UserAgent => "user_agent",
        }
    }

    /// How a user sets it: "set SCW_X or `x` in FILE (profile P)".
    fn how_to_set(self, file: &Path, profile: &str) -> String {
        format!(
            "set {} or `{}` in {} (profile `{profile}`)",
            self.env_vars()[0],
            self.file_key(),
            file.display()
        )
    }
}

impl fmt::Display for ConfigKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_key())
    }
}

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

fn join_problems(p: &[ConfigProblem]) -> String {
    p.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn fmt_location(line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(" at line {l}, column {c}"),
        (Some(l), None) => format!(" at line {l}"),
        _ => String::new(),
    }
}

fn fmt_known(known: &[String]) -> String {
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
    config: Option<Config>,
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

/// A validated configuration. Every value remembers its [`ValueSource`].
///
/// `Debug` and `Serialize` never show the secret key.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Config {
    /// The selected profile and why it was selected.
    pub profile: Sourced<String>,
    /// The configuration file path that was looked at.
    pub config_path: PathBuf,
    /// Access key ID.
    pub access_key: Option<Sourced<AccessKey>>,
    /// Secret key (redacted in every output).
    pub secret_key: Option<Sourced<SecretKey>>,
    /// Default organization ID.
    pub organization_id: Option<Sourced<OrganizationId>>,
    /// Default project ID.
    pub project_id: Option<Sourced<ProjectId>>,
    /// Default region.
    pub region: Option<Sourced<Region>>,
    /// Default zone.
    pub zone: Option<Sourced<Zone>>,
    /// API base URL.
    pub api_url: Sourced<Url>,
    /// Skip TLS certificate verification and allow plain `http` to any host.
    pub insecure: Sourced<bool>,
    /// Object Storage endpoint override.
    pub s3_endpoint: Option<Sourced<Url>>,
    /// Path-style Object Storage addressing.
    pub s3_use_path_style: Sourced<bool>,
    /// User-Agent replacement (`SCW_USER_AGENT`).
    pub user_agent: Option<Sourced<String>>,
    /// Built from values given in code only ([`ConfigLoader::isolated`], [`Config::for_key`]):
    /// errors about missing values then name the loader method, not a variable or file key.
    #[serde(skip)]
    isolated: bool,
}

impl Config {
    /// Loads from the process environment and the config file it points to.
    ///
    /// # Errors
    ///
    /// See [`ConfigLoader::load`].
    pub fn from_env() -> Result<Config, ConfigError> {
        ConfigLoader::new().load()
    }

    /// A loader, to inject an environment, pick a profile or override values.
    pub fn loader() -> ConfigLoader {
        ConfigLoader::new()
    }

    /// A configuration made of this key alone: the access key, the secret key and the
    /// project they are used for, the default API URL, and **nothing** from the process —
    /// no `SCW_*` (or legacy) environment variable and no configuration file. A platform
    /// checking a customer's key uses it so that its own environment (its default
    /// Organization, region, zone, API URL, …) never leaks into the customer's calls.
    ///
    /// There is then no default Organization, region or zone: calls that need one fail
    /// with an error naming the [`ConfigLoader`] method to set it with. To set more values
    /// (a region, an API URL for a proxy or the simulator), use
    /// [`ConfigLoader::isolated`] instead.
    ///
    /// ```
    /// use scaleway_core::{Config, ValueSource};
    ///
    /// let config = Config::for_key(
    ///     "SCWXXXXXXXXXXXXXXXXX".parse()?,
    ///     "11111111-1111-1111-1111-111111111111".parse()?,
    ///     "22222222-2222-2222-2222-222222222222".parse()?,
    /// );
    /// assert!(config.organization_id.is_none(), "whatever SCW_DEFAULT_ORGANIZATION_ID says");
    /// assert_eq!(config.project_id.unwrap().source, ValueSource::Builder);
    /// # Ok::<(), scaleway_core::InvalidValue>(())
    /// ```
    pub fn for_key(access_key: AccessKey, secret_key: SecretKey, project_id: ProjectId) -> Config {
        Config {
            profile: Sourced::new("default".to_owned(), ValueSource::Default),
            config_path: PathBuf::new(),
            access_key: Some(Sourced::builder(access_key)),
            secret_key: Some(Sourced::builder(secret_key)),
            organization_id: None,
            project_id: Some(Sourced::builder(project_id)),
            region: None,
            zone: None,
            api_url: Sourced::new(default_api_url(), ValueSource::Default),
            insecure: Sourced::new(false, ValueSource::Default),
            s3_endpoint: None,
            s3_use_path_style: Sourced::new(false, ValueSource::Default),
            user_agent: None,
            isolated: true,
        }
    }

    /// Whether the configuration was built from values given in code only
    /// ([`Config::for_key`], [`ConfigLoader::isolated`]), ignoring the process environment
    /// and configuration files.
    pub fn is_isolated(&self) -> bool {
        self.isolated
    }

    /// The secret key, or an error naming the variable and file key to set.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingCredentials`] when no secret key is configured.
    pub fn require_secret_key(&self) -> Result<&SecretKey, ConfigError> {
        self.secret_key
            .as_ref()
            .map(|s| &s.value)
            .ok_or_else(|| self.missing(ConfigKey::SecretKey, "secret key"))
    }

    /// The access key, or an error naming the variable and file key to set.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingCredentials`] when no access key is configured.
    pub fn require_access_key(&self) -> Result<&AccessKey, ConfigError> {
        self.access_key
            .as_ref()
            .map(|s| &s.value)
            .ok_or_else(|| self.missing(ConfigKey::AccessKey, "access key"))
    }

    /// The default project ID, or an error naming the variable and file key to set.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingCredentials`] when no default project is configured.
    pub fn require_project_id(&self) -> Result<&ProjectId, ConfigError> {
        self.project_id
            .as_ref()
            .map(|s| &s.value)
            .ok_or_else(|| self.missing(ConfigKey::ProjectId, "project ID"))
    }

    /// The default organization ID, or an error naming the variable and file key to set.
    ///
    /// # Errors
    ///
    /// [`ConfigError::MissingCredentials`] when no default organization is configured.
    pub fn require_organization_id(&self) -> Result<&OrganizationId, ConfigError> {
        self.organization_id
            .as_ref()
            .map(|s| &s.value)
            .ok_or_else(|| self.missing(ConfigKey::OrganizationId, "organization ID"))
    }

    /// Whether both an access key and a secret key are configured.
    pub fn has_credentials(&self) -> bool {
        self.access_key.is_some() && self.secret_key.is_some()
    }

    fn missing(&self, key: ConfigKey, what: &'static str) -> ConfigError {
        let how = if self.isolated {
            format!(
                "this configuration holds only values given in code (it ignores SCW_* variables and config files): set it with ConfigLoader::{}",
                key.loader_method()
            )
        } else {
            key.how_to_set(&self.config_path, &self.profile.value)
        };
        ConfigError::MissingCredentials { what, how }
    }
}

/// Builds a [`Config`] from an environment, the config file and overrides.
///
/// The file system is read only at the paths derived from the (injected) environment, so
/// tests point `HOME` or `SCW_CONFIG_PATH` at a temporary directory.
///
/// ```
/// use scaleway_core::{Config, Env, Region};
///
/// let config = Config::loader()
///     .env(Env::default())          // nothing from the process environment
///     .region(Region::PlWaw)        // a builder override wins over everything
///     .load()?;
/// assert_eq!(config.region.unwrap().value, Region::PlWaw);
/// # Ok::<(), scaleway_core::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default)]
#[must_use = "a loader does nothing until `load` or `report` is called"]
pub struct ConfigLoader {
    isolated: bool,
    env: Option<Env>,
    profile: Option<String>,
    config_path: Option<PathBuf>,
    access_key: Option<AccessKey>,
    secret_key: Option<SecretKey>,
    organization_id: Option<OrganizationId>,
    project_id: Option<ProjectId>,
    region: Option<Region>,
    zone: Option<Zone>,
    api_url: Option<Url>,
    insecure: Option<bool>,
    s3_endpoint: Option<Url>,
    s3_use_path_style: Option<bool>,
    user_agent: Option<String>,
}

/// A raw value before validation. Holds the secret key as text: never printed.
struct Raw {
    text: String,
    source: ValueSource,
}

impl ConfigLoader {
    /// A loader reading the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads nothing from the process: no environment variable (whatever
    /// [`ConfigLoader::env`] was given) and no configuration file (whatever
    /// [`ConfigLoader::config_path`] or `SCW_CONFIG_PATH` says). Only the values set on this
    /// loader count, then the built-in defaults. For a customer's key checked by a platform
    /// whose own `SCW_*` settings must not leak into the customer's calls; see also
    /// [`Config::for_key`].
    ///
    /// ```
    /// use scaleway_core::{Config, Env, Region};
    ///
    /// let platform_env = Env::from_pairs([
    ///     ("SCW_DEFAULT_ORGANIZATION_ID", "99999999-9999-9999-9999-999999999999"),
    ///     ("SCW_DEFAULT_REGION", "nl-ams"),
    /// ]);
    /// let config = Config::loader()
    ///     .env(platform_env)
    ///     .isolated()
    ///     .access_key("SCWXXXXXXXXXXXXXXXXX".parse()?)
    ///     .secret_key("11111111-1111-1111-1111-111111111111".parse()?)
    ///     .project_id("22222222-2222-2222-2222-222222222222".parse()?)
    ///     .region(Region::FrPar)
    ///     .load()?;
    /// assert!(config.organization_id.is_none());
    /// assert_eq!(config.region.unwrap().value, Region::FrPar);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn isolated(mut self) -> Self {
        self.isolated = true;
        self
    }

    /// Reads this environment instead of the process environment.
    pub fn env(mut self, env: Env) -> Self {
        self.env = Some(env);
        self
    }

    /// Selects a profile (wins over `SCW_PROFILE` and `active_profile`).
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    /// Reads this config file (wins over `SCW_CONFIG_PATH`).
    pub fn config_path(mut self, path: impl Into<PathBuf>) -> Self {
        self.config_path = Some(path.into());
        self
    }

    /// Overrides the access key.
    pub fn access_key(mut self, v: AccessKey) -> Self {
        self.access_key = Some(v);
        self
    }

    /// Overrides the secret key.
    pub fn secret_key(mut self, v: SecretKey) -> Self {
        self.secret_key = Some(v);
        self
    }

    /// Overrides the default organization ID.
    pub fn organization_id(mut self, v: OrganizationId) -> Self {
        self.organization_id = Some(v);
        self
    }

    /// Overrides the default project ID.
    pub fn project_id(mut self, v: ProjectId) -> Self {
        self.project_id = Some(v);
        self
    }

    /// Overrides the default region.
    pub fn region(mut self, v: Region) -> Self {
        self.region = Some(v);
        self
    }

    /// Overrides the default zone.
    pub fn zone(mut self, v: Zone) -> Self {
        self.zone = Some(v);
        self
    }

    /// Overrides the API URL (for a proxy or the simulator).
    pub fn api_url(mut self, v: Url) -> Self {
        self.api_url = Some(v);
        self
    }

    /// Overrides the `insecure` flag.
    pub fn insecure(mut self, v: bool) -> Self {
        self.insecure = Some(v);
        self
    }

    /// Overrides the Object Storage endpoint.
    pub fn s3_endpoint(mut self, v: Url) -> Self {
        self.s3_endpoint = Some(v);
        self
    }

    /// Overrides path-style Object Storage addressing.
    pub fn s3_use_path_style(mut self, v: bool) -> Self {
        self.s3_use_path_style = Some(v);
        self
    }

    /// Overrides the User-Agent (replaces the default, like `SCW_USER_AGENT`).
    pub fn user_agent(mut self, v: impl Into<String>) -> Self {
        self.user_agent = Some(v.into());
        self
    }

    /// Loads and validates.
    ///
    /// # Errors
    ///
    /// * [`ConfigError::Yaml`] / [`ConfigError::Io`] when the file is broken or unreadable;
    /// * [`ConfigError::MissingFile`] when `SCW_CONFIG_PATH` names no file;
    /// * [`ConfigError::UnknownProfile`] listing the known profiles;
    /// * [`ConfigError::Invalid`] listing every invalid value with its source.
    ///
    /// Missing credentials are not an error here (some calls need none); see
    /// [`Config::require_secret_key`].
    pub fn load(self) -> Result<Config, ConfigError> {
        self.report()?.into_config()
    }

    /// Resolves every setting and reports values, sources, problems and warnings without
    /// failing on invalid values.
    ///
    /// # Errors
    ///
    /// Only the errors that stop resolution: a broken or unreadable file, a missing
    /// explicit file, an unknown profile.
    pub fn report(self) -> Result<ConfigReport, ConfigError> {
        let env = if self.isolated {
            Env::default()
        } else {
            self.env.clone().unwrap_or_else(Env::from_process)
        };
        let (config_path, path_source) = if self.isolated {
            (PathBuf::new(), ValueSource::Default)
        } else {
            self.resolve_path(&env)
        };
        let explicit = !matches!(path_source, ValueSource::Default);
        let mut file = if config_path.as_os_str().is_empty() {
            None
        } else {
            file::read_file(&config_path)?
        };
        let mut actual_path = config_path.clone();
        if file.is_none() && !explicit && config_path.extension().is_some_and(|e| e == "yaml") {
            let yml = config_path.with_extension("yml");
            file = file::read_file(&yml)?;
            if file.is_some() {
                actual_path = yml;
            }
        }
        if file.is_none() && explicit {
            return Err(ConfigError::MissingFile {
                path: config_path,
                set_by: path_source,
            });
        }
        let mut warnings = file
            .as_ref()
            .map(|f| f.warnings.clone())
            .unwrap_or_default();

        // Profile selection.
        let profile = if self.isolated {
            // No file is read: there is no profile to select.
            Sourced::new("default".to_owned(), ValueSource::Default)
        } else if let Some(p) = &self.profile {
            Sourced::builder(p.clone())
        } else if let Some(p) = env.get("SCW_PROFILE").filter(|p| !p.is_empty()) {
            Sourced::new(
                p.to_owned(),
                ValueSource::Env {
                    var: "SCW_PROFILE".into(),
                },
            )
        } else if let Some(p) = file.as_ref().and_then(|f| f.raw.active_profile.as_ref()) {
            Sourced::new(
                p.0.clone(),
                ValueSource::File {
                    path: actual_path.clone(),
                    profile: "default".into(),
                },
            )
        } else {
            Sourced::new("default".to_owned(), ValueSource::Default)
        };
        let named = if profile.value == "default" {
            None
        } else {
            let found = file
                .as_ref()
                .and_then(|f| f.raw.profiles.as_ref())
                .and_then(|p| p.get(&profile.value));
            match found {
                Some(p) => Some(p),
                None => {
                    let mut known = vec!["default".to_owned()];
                    known.extend(
                        file.as_ref()
                            .and_then(|f| f.raw.profiles.as_ref())
                            .into_iter()
                            .flat_map(|p| p.keys().cloned()),
                    );
                    return Err(ConfigError::UnknownProfile {
                        name: profile.value,
                        set_by: profile.source,
                        path: actual_path,
                        known,
                    });
                }
            }
        };

        // Raw resolution, key by key.
        let mut raws: Vec<(ConfigKey, Option<Raw>)> = Vec::new();
        for key in ConfigKey::ALL {
            let raw = self
                .builder_raw(key)
                .or_else(|| env_raw(&env, key, &mut warnings))
                .or_else(|| {
                    let f = file.as_ref()?;
                    let from = |p: &file::RawProfile, name: &str| {
                        p.get(key.file_key()).map(|t| Raw {
                            text: t.to_owned(),
                            source: ValueSource::File {
                                path: f.path.clone(),
                                profile: name.to_owned(),
                            },
                        })
                    };
                    named
                        .and_then(|p| from(p, &profile.value))
                        .or_else(|| from(&f.raw, "default"))
                });
            raws.push((key, raw));
        }

        let mut v = Validator {
            problems: Vec::new(),
            settings: Vec::new(),
            secret: raws
                .iter()
                .find(|(k, _)| *k == ConfigKey::SecretKey)
                .and_then(|(_, r)| r.as_ref())
                .map(|r| r.text.trim().to_owned()),
        };
        let get = |k: ConfigKey| -> Option<&Raw> {
            raws.iter()
                .find(|(key, _)| *key == k)
                .and_then(|(_, r)| r.as_ref())
        };
        let access_key = v.check(ConfigKey::AccessKey, get(ConfigKey::AccessKey), |t| {
            t.parse::<AccessKey>().map_err(|e| e.to_string())
        });
        let secret_key = v.check(ConfigKey::SecretKey, get(ConfigKey::SecretKey), |t| {
            SecretKey::new(t).map_err(|e| e.to_string())
        });
        let organization_id = v.check(
            ConfigKey::OrganizationId,
            get(ConfigKey::OrganizationId),
            |t| t.parse::<OrganizationId>().map_err(|e| e.to_string()),
        );
        let project_id = v.check(ConfigKey::ProjectId, get(ConfigKey::ProjectId), |t| {
            t.parse::<ProjectId>().map_err(|e| e.to_string())
        });
        let region = v.check(ConfigKey::Region, get(ConfigKey::Region), parse_region);
        let zone = v.check(ConfigKey::Zone, get(ConfigKey::Zone), parse_zone);
        let insecure = v.check(ConfigKey::Insecure, get(ConfigKey::Insecure), |t| {
            parse_bool(t).ok_or_else(|| BOOL_EXPECTED.to_owned())
        });
        let insecure_flag = insecure.as_ref().is_some_and(|s| s.value);
        let api_url = v.check(ConfigKey::ApiUrl, get(ConfigKey::ApiUrl), |t| {
            parse_base_url(t, insecure_flag)
        });
        let s3_endpoint = v.check(ConfigKey::S3Endpoint, get(ConfigKey::S3Endpoint), |t| {
            parse_base_url(t, insecure_flag)
        });
        let s3_use_path_style = v.check(
            ConfigKey::S3UsePathStyle,
            get(ConfigKey::S3UsePathStyle),
            |t| parse_bool(t).ok_or_else(|| BOOL_EXPECTED.to_owned()),
        );
        let user_agent = v.check(ConfigKey::UserAgent, get(ConfigKey::UserAgent), |t| {
            validate_user_agent(t).map(|()| t.to_owned())
        });

        // Cross-field rules.
        if secret_key.is_some() && get(ConfigKey::AccessKey).is_none() {
            v.problems.push(ConfigProblem {
                key: ConfigKey::AccessKey,
                source: None,
                shown_value: None,
                message: format!(
                    "a secret key is configured but no access key: {}",
                    if self.isolated {
                        "set it with ConfigLoader::access_key".to_owned()
                    } else {
                        ConfigKey::AccessKey.how_to_set(&actual_path, &profile.value)
                    }
                ),
            });
        }
        // A well-formed zone or region this version does not know is used as given, with a
        // warning, as the Go SDK does: new ones appear (core.md §3).
        if let Some(r) = region.as_ref().filter(|r| !r.value.is_known()) {
            warnings.push(format!(
                "default region {} ({}) is not a region this version knows ({}); it is used as given: a new region, or a typo?",
                r.value,
                r.source,
                known(Region::ALL.iter().map(Region::as_str)),
            ));
        }
        if let Some(z) = zone.as_ref().filter(|z| !z.value.is_known()) {
            warnings.push(format!(
                "default zone {} ({}) is not a zone this version knows ({}); it is used as given: a new zone, or a typo?",
                z.value,
                z.source,
                known(Zone::ALL.iter().map(Zone::as_str)),
            ));
        }
        if let (Some(z), Some(r)) = (&zone, &region)
            && z.value.region() != r.value
        {
            warnings.push(format!(
                "default zone {} ({}) is not in default region {} ({})",
                z.value, z.source, r.value, r.source
            ));
        }

        let Validator {
            problems,
            mut settings,
            ..
        } = v;
        let api_url =
            api_url.unwrap_or_else(|| Sourced::new(default_api_url(), ValueSource::Default));
        let insecure = insecure.unwrap_or_else(|| Sourced::new(false, ValueSource::Default));
        let s3_use_path_style =
            s3_use_path_style.unwrap_or_else(|| Sourced::new(false, ValueSource::Default));
        // Show the defaults that apply, and keep the settings in display order.
        for s in &mut settings {
            if s.value.is_none() {
                let default = match s.key {
                    ConfigKey::ApiUrl => Some(api_url.value.to_string()),
                    ConfigKey::Insecure => Some(insecure.value.to_string()),
                    ConfigKey::S3UsePathStyle => Some(s3_use_path_style.value.to_string()),
                    _ => None,
                };
                if default.is_some() {
                    s.value = default;
                    s.source = Some(ValueSource::Default);
                }
            }
        }
        settings.sort_by_key(|s| ConfigKey::ALL.iter().position(|k| *k == s.key));
        let config = Config {
            profile: profile.clone(),
            config_path: actual_path.clone(),
            access_key,
            secret_key,
            organization_id,
            project_id,
            region,
            zone,
            api_url,
            insecure,
            s3_endpoint,
            s3_use_path_style,
            user_agent,
            isolated: self.isolated,
        };
        Ok(ConfigReport {
            profile,
            config_file_found: file.is_some(),
            config_path: actual_path,
            settings,
            problems,
            warnings,
            config: Some(config),
        })
    }

    fn resolve_path(&self, env: &Env) -> (PathBuf, ValueSource) {
        if let Some(p) = &self.config_path {
            return (p.clone(), ValueSource::Builder);
        }
        if let Some(p) = env.get("SCW_CONFIG_PATH").filter(|p| !p.is_empty()) {
            return (
                PathBuf::from(p),
                ValueSource::Env {
                    var: "SCW_CONFIG_PATH".into(),
                },
            );
        }
        let base = match env.get("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
            Some(x) => PathBuf::from(x),
            None => match env
                .get("HOME")
                .filter(|h| !h.is_empty())
                .or_else(|| env.get("USERPROFILE").filter(|h| !h.is_empty()))
            {
                Some(home) => PathBuf::from(home).join(".config"),
                // No home directory: there is no default config file (never a path
                // relative to the working directory).
                None => return (PathBuf::new(), ValueSource::Default),
            },
        };
        (base.join("scw").join("config.yaml"), ValueSource::Default)
    }

    fn builder_raw(&self, key: ConfigKey) -> Option<Raw> {
        let text = match key {
            ConfigKey::AccessKey => self.access_key.as_ref().map(ToString::to_string),
            ConfigKey::SecretKey => self
                .secret_key
                .as_ref()
                .map(|s| s.expose_secret().to_owned()),
            ConfigKey::OrganizationId => self.organization_id.as_ref().map(ToString::to_string),
            ConfigKey::ProjectId => self.project_id.as_ref().map(ToString::to_string),
            ConfigKey::Region => self.region.as_ref().map(ToString::to_string),
            ConfigKey::Zone => self.zone.as_ref().map(ToString::to_string),
            ConfigKey::ApiUrl => self.api_url.as_ref().map(ToString::to_string),
            ConfigKey::Insecure => self.insecure.map(|b| b.to_string()),
            ConfigKey::S3Endpoint => self.s3_endpoint.as_ref().map(ToString::to_string),
            ConfigKey::S3UsePathStyle => self.s3_use_path_style.map(|b| b.to_string()),
            ConfigKey::UserAgent => self.user_agent.clone(),
        }?;
        Some(Raw {
            text,
            source: ValueSource::Builder,
        })
    }
}

fn default_api_url() -> Url {
    #[allow(clippy::expect_used)] // a constant, checked by a unit test
    Url::parse(DEFAULT_API_URL).expect("DEFAULT_API_URL parses")
}

fn env_raw(env: &Env, key: ConfigKey, warnings: &mut Vec<String>) -> Option<Raw> {
    let vars = key.env_vars();
    for (i, var) in vars.iter().enumerate() {
        let Some(val) = env.get(var) else { continue };
        // SCALEWAY_ACCESS_KEY is read by the Go SDK both as an access key and (last) as a
        // secret key; take it only for the setting whose format it has.
        if *var == "SCALEWAY_ACCESS_KEY" {
            let looks_secret = crate::credentials::is_uuid(val);
            if (key == ConfigKey::SecretKey) != looks_secret {
                continue;
            }
        }
        let text = if *var == "SCW_TLSVERIFY" {
            match parse_bool(val) {
                Some(b) => (!b).to_string(),
                None => val.to_owned(),
            }
        } else {
            val.to_owned()
        };
        if i > 0 {
            warnings.push(format!(
                "{var} is a deprecated name; use {} instead",
                vars[0]
            ));
        }
        return Some(Raw {
            text,
            source: ValueSource::Env {
                var: (*var).to_owned(),
            },
        });
    }
    None
}

struct Validator {
    problems: Vec<ConfigProblem>,
    settings: Vec<Setting>,
    /// The raw secret key text, to keep it out of every other setting's output.
    secret: Option<String>,
}

impl Validator {
    fn check<T>(
        &mut self,
        key: ConfigKey,
        raw: Option<&Raw>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Sourced<T>> {
        let Some(raw) = raw else {
            self.settings.push(Setting {
                key,
                value: None,
                source: None,
                problem: None,
            });
            return None;
        };
        // A secret key pasted into another setting must not be printed either.
        let is_the_secret = !key.is_secret()
            && self
                .secret
                .as_deref()
                .is_some_and(|sk| sk == raw.text.trim());
        let looks_secret =
            key == ConfigKey::AccessKey && crate::credentials::is_uuid(raw.text.trim());
        let shown = if key.is_secret() || is_the_secret || looks_secret {
            "[redacted]".to_owned()
        } else {
            raw.text.clone()
        };
        let result = if raw.text.is_empty() {
            Err("is set but empty; set a value or unset it".to_owned())
        } else if is_the_secret {
            Err("this is the secret key; it belongs in secret_key / SCW_SECRET_KEY".to_owned())
        } else if looks_secret {
            Err("this looks like a secret key (a UUID); the access key is `SCW` followed by 17 upper-case letters or digits".to_owned())
        } else {
            parse(&raw.text)
        };
        match result {
            Ok(v) => {
                self.settings.push(Setting {
                    key,
                    value: Some(shown),
                    source: Some(raw.source.clone()),
                    problem: None,
                });
                Some(Sourced::new(v, raw.source.clone()))
            }
            Err(message) => {
                self.settings.push(Setting {
                    key,
                    value: Some(shown.clone()),
                    source: Some(raw.source.clone()),
                    problem: Some(message.clone()),
                });
                self.problems.push(ConfigProblem {
                    key,
                    source: Some(raw.source.clone()),
                    shown_value: Some(shown),
                    message,
                });
                None
            }
        }
    }
}

const BOOL_EXPECTED: &str = "expected a boolean: true, false, 1, 0, t, f (any case)";

fn known<'a>(names: impl Iterator<Item = &'a str>) -> String {
    format!("known: {}", names.collect::<Vec<_>>().join(", "))
}

/// A region from configuration: one this version knows (or a legacy alias), or a
/// well-formed one it does not know yet (the caller warns); anything else is an error.
fn parse_region(text: &str) -> Result<Region, String> {
    text.parse::<Region>().or_else(|_| {
        Region::from_server(text).ok_or_else(|| {
            format!(
                "`{text}` is not a region: expected two letters, a dash and 3 to 7 letters, like `fr-par` ({})",
                known(Region::ALL.iter().map(Region::as_str))
            )
        })
    })
}

/// A zone from configuration, as [`parse_region`].
fn parse_zone(text: &str) -> Result<Zone, String> {
    text.parse::<Zone>().or_else(|_| {
        Zone::from_server(text).ok_or_else(|| {
            format!(
                "`{text}` is not a zone: expected a region, a dash and a number, like `fr-par-1` ({})",
                known(Zone::ALL.iter().map(Zone::as_str))
            )
        })
    })
}

/// Go `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Validates a base URL: `https`, or plain `http` only for a loopback host or when
/// `insecure` is set. A trailing `/` is tolerated.
pub(crate) fn parse_base_url(text: &str, insecure: bool) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("not a valid URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if insecure || is_loopback(&url) => {}
        "http" => {
            return Err(
                "plain http is only allowed for a loopback host (127.0.0.1, ::1, localhost) or with insecure=true; use https"
                    .to_owned(),
            );
        }
        other => return Err(format!("unsupported scheme `{other}`; use https")),
    }
    if url.host().is_none() {
        return Err("the URL has no host".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the URL must not have a query or fragment".to_owned());
    }
    Ok(url)
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// ≤ 512 bytes of printable ASCII (Go SDK rule).
pub(crate) fn validate_user_agent(s: &str) -> Result<(), String> {
    if s.len() > 512 {
        return Err(format!("too long ({} bytes; at most 512)", s.len()));
    }
    if !s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Err("must be printable ASCII characters only".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_url_parses() {
        assert_eq!(default_api_url().as_str(), "https://api.scaleway.com/");
    }

    #[test]
    fn bools() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("f"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn base_urls() {
        assert!(parse_base_url("https://api.scaleway.com", false).is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(parse_base_url("http://localhost:8080", false).is_ok());
        assert!(parse_base_url("http://[::1]:8080", false).is_ok());
        let e = parse_base_url("http://example.com", false).unwrap_err();
        assert!(e.contains("loopback"), "{e}");
        assert!(parse_base_url("http://example.com", true).is_ok());
        assert!(parse_base_url("ftp://example.com", true).is_err());
        assert!(parse_base_url("not a url", true).is_err());
    }

    #[test]
    fn user_agent_rules() {
        assert!(validate_user_agent("my-tool/1.0").is_ok());
        assert!(validate_user_agent("é").is_err());
        assert!(validate_user_agent(&"a".repeat(513)).is_err());
    }
}
