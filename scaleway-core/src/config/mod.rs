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
mod loader;
mod report;
mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;
use url::Url;

pub use env::Env;
pub(crate) use file::mask_uuids;
pub use loader::ConfigLoader;
pub use report::{ConfigError, ConfigProblem, ConfigReport, Setting};
pub(crate) use validate::{parse_base_url, validate_user_agent};

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

fn default_api_url() -> Url {
    #[allow(clippy::expect_used)] // a constant, checked by a unit test
    Url::parse(DEFAULT_API_URL).expect("DEFAULT_API_URL parses")
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_url_parses() {
        assert_eq!(default_api_url().as_str(), "https://api.scaleway.com/");
    }
}
