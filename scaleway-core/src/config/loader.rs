//! Loading: [`ConfigLoader`] resolves the file path and the profile, then reads every
//! setting from the builder, the environment (new and legacy names) and the file, in order
//! of precedence.

use std::path::PathBuf;

use url::Url;

use crate::credentials::{AccessKey, OrganizationId, ProjectId, SecretKey};
use crate::locality::{Region, Zone};

use super::file;
use super::validate::{
    BOOL_EXPECTED, Validator, known, parse_base_url, parse_bool, parse_region, parse_zone,
    validate_user_agent,
};
use super::{
    Config, ConfigError, ConfigKey, ConfigProblem, ConfigReport, Env, Sourced, ValueSource,
    default_api_url,
};

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
pub(super) struct Raw {
    pub(super) text: String,
    pub(super) source: ValueSource,
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

    pub(super) fn resolve_path(&self, env: &Env) -> (PathBuf, ValueSource) {
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

    pub(super) fn builder_raw(&self, key: ConfigKey) -> Option<Raw> {
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

pub(super) fn env_raw(env: &Env, key: ConfigKey, warnings: &mut Vec<String>) -> Option<Raw> {
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
