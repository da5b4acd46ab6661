//! Profiles: what a job needs (permission sets and the scope they must be granted at) and
//! which excess is tolerated. Profiles are data: four are built in, others load from a
//! TOML, YAML or JSON file.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// Where a required permission set must be granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RequiredScope {
    /// On each target project.
    Project,
    /// At Organization level.
    Organization,
}

/// One required permission set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Requirement {
    /// Permission set name (e.g. `KubernetesFullAccess`).
    pub permission_set: String,
    /// Where (default: `project`).
    #[serde(default = "project_scope")]
    pub scope: RequiredScope,
}

fn project_scope() -> RequiredScope {
    RequiredScope::Project
}

impl Requirement {
    /// A set required on the target project(s).
    pub fn on_project(set: impl Into<String>) -> Self {
        Requirement {
            permission_set: set.into(),
            scope: RequiredScope::Project,
        }
    }

    /// A set required at Organization level.
    pub fn on_organization(set: impl Into<String>) -> Self {
        Requirement {
            permission_set: set.into(),
            scope: RequiredScope::Organization,
        }
    }
}

/// What to do with a kind of excess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExcessAction {
    /// Blocking finding: the key is `Invalid`.
    Forbid,
    /// Warning finding.
    Warn,
    /// Reported as information only.
    Allow,
}

/// Rules about grants beyond the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ExcessRules {
    /// Organization-level permission sets the profile does not require.
    #[serde(default = "forbid")]
    pub organization_sets: ExcessAction,
    /// Escalation-grade sets (`IAMManager`, `OrganizationManager`, …) the profile does not
    /// require.
    #[serde(default = "forbid")]
    pub escalation_sets: ExcessAction,
    /// Project-level sets not covered by the requirements, or granted on other projects.
    #[serde(default = "warn")]
    pub other_project_sets: ExcessAction,
    /// A required set granted Organization-wide (every current and future project) instead
    /// of on the target project(s).
    #[serde(default = "warn")]
    pub wider_scope: ExcessAction,
    /// Sets that are never reported as excess.
    #[serde(default)]
    pub allow: Vec<String>,
}

fn forbid() -> ExcessAction {
    ExcessAction::Forbid
}
fn warn() -> ExcessAction {
    ExcessAction::Warn
}

impl Default for ExcessRules {
    fn default() -> Self {
        ExcessRules {
            organization_sets: ExcessAction::Forbid,
            escalation_sets: ExcessAction::Forbid,
            other_project_sets: ExcessAction::Warn,
            wider_scope: ExcessAction::Warn,
            allow: Vec::new(),
        }
    }
}

/// A job's needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Profile {
    /// Name (`byoc-kapsule`, …).
    pub name: String,
    /// What the job is.
    #[serde(default)]
    pub description: String,
    /// Required permission sets.
    #[serde(rename = "require")]
    pub requirements: Vec<Requirement>,
    /// Excess rules.
    #[serde(default)]
    pub excess: ExcessRules,
    /// Days before expiry from which a key is reported as expiring (default 30).
    #[serde(default = "thirty")]
    pub expiry_warning_days: u32,
}

fn thirty() -> u32 {
    30
}

/// Names of the built-in profiles.
pub const BUILTIN_PROFILES: &[&str] = &[
    "inventory-readonly",
    "byoc-kapsule",
    "registry-scanner",
    "object-storage-backup",
];

/// A profile file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProfileError {
    /// The file cannot be read.
    #[error("cannot read profile file {path}: {message}")]
    Read {
        /// Path.
        path: String,
        /// Why.
        message: String,
    },
    /// The extension says nothing about the format.
    #[error("profile file {path}: unknown format; use a .toml, .yaml, .yml or .json file")]
    UnknownFormat {
        /// Path.
        path: String,
    },
    /// The content does not parse or has the wrong shape.
    #[error("profile {origin}: {message}")]
    Invalid {
        /// File path or `inline`.
        origin: String,
        /// What is wrong and where.
        message: String,
    },
    /// No built-in profile has this name.
    #[error("unknown profile `{name}`: built-in profiles are {}; or give a profile file", BUILTIN_PROFILES.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
    },
}

/// A profile file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileFormat {
    /// TOML.
    Toml,
    /// YAML.
    Yaml,
    /// JSON.
    Json,
}

impl Profile {
    /// A profile with these requirements and the default excess rules.
    pub fn new(name: impl Into<String>, requirements: Vec<Requirement>) -> Self {
        Profile {
            name: name.into(),
            description: String::new(),
            requirements,
            excess: ExcessRules::default(),
            expiry_warning_days: 30,
        }
    }

    /// A built-in profile by name.
    ///
    /// # Errors
    ///
    /// [`ProfileError::Unknown`] listing the built-in names.
    pub fn builtin(name: &str) -> Result<Profile, ProfileError> {
        let p = |sets: &[&str], description: &str| {
            let mut p = Profile::new(
                name,
                sets.iter().map(|s| Requirement::on_project(*s)).collect(),
            );
            p.description = description.to_owned();
            p
        };
        Ok(match name {
            "inventory-readonly" => p(
                &["AllProductsReadOnly"],
                "read-only inventory of a project: list and read every product",
            ),
            "byoc-kapsule" => p(
                &[
                    "KubernetesFullAccess",
                    "PrivateNetworksFullAccess",
                    "VPCFullAccess",
                    "InstancesFullAccess",
                    "ObjectStorageFullAccess",
                ],
                "bring-your-own-cloud Kubernetes (Kapsule) on one project, nothing at Organization level",
            ),
            "registry-scanner" => p(
                &["ContainerRegistryReadOnly"],
                "container scanner: list and pull images of a project's registry namespaces",
            ),
            "object-storage-backup" => p(
                &[
                    "ObjectStorageBucketsRead",
                    "ObjectStorageObjectsRead",
                    "ObjectStorageObjectsWrite",
                ],
                "backup tool on Object Storage: list buckets, read objects, write backup objects (pruning old backups also needs ObjectStorageObjectsDelete: use a custom profile)",
            ),
            _ => {
                return Err(ProfileError::Unknown {
                    name: name.to_owned(),
                });
            }
        })
    }

    /// Loads a profile file; the format comes from the extension (`.toml`, `.yaml`/`.yml`,
    /// `.json`).
    ///
    /// # Errors
    ///
    /// [`ProfileError`] naming the file and, for bad content, the field and line.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Profile, ProfileError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let format = match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("toml") => ProfileFormat::Toml,
            Some("yaml" | "yml") => ProfileFormat::Yaml,
            Some("json") => ProfileFormat::Json,
            _ => return Err(ProfileError::UnknownFormat { path: shown }),
        };
        let text = std::fs::read_to_string(path).map_err(|e| ProfileError::Read {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        Profile::parse(&text, format, &shown)
    }

    /// Parses profile text; `origin` names it in errors.
    ///
    /// # Errors
    ///
    /// [`ProfileError::Invalid`] with the field path and what is wrong.
    pub fn parse(text: &str, format: ProfileFormat, origin: &str) -> Result<Profile, ProfileError> {
        let invalid = |message: String| ProfileError::Invalid {
            origin: origin.to_owned(),
            message,
        };
        let profile: Profile = match format {
            ProfileFormat::Json => {
                let de = &mut serde_json::Deserializer::from_str(text);
                serde_path_to_error::deserialize(de)
                    .map_err(|e| invalid(format!("at `{}`: {}", e.path(), e.inner())))?
            }
            ProfileFormat::Toml => toml::from_str(text)
                .map_err(|e| invalid(e.to_string().trim_end().replace('\n', " ")))?,
            ProfileFormat::Yaml => serde_saphyr::from_str(text)
                .map_err(|e| invalid(e.to_string().trim_end().replace('\n', " ")))?,
        };
        profile.validate().map_err(invalid)?;
        Ok(profile)
    }

    /// Checks the profile makes sense (a name, at least one requirement, names that look
    /// like permission sets).
    ///
    /// # Errors
    ///
    /// What to fix.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("`name` is empty".into());
        }
        if self.requirements.is_empty() {
            return Err("`require` lists no permission set".into());
        }
        for (i, r) in self.requirements.iter().enumerate() {
            let n = &r.permission_set;
            if n.is_empty() || !n.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format!(
                    "require[{i}].permission_set `{n}` is not a permission set name (letters and digits, e.g. `InstancesReadOnly`)"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins() {
        for n in BUILTIN_PROFILES {
            let p = Profile::builtin(n).unwrap();
            assert_eq!(p.name, *n);
            p.validate().unwrap();
        }
        let e = Profile::builtin("nope").unwrap_err().to_string();
        assert!(e.contains("byoc-kapsule"), "{e}");
    }

    #[test]
    fn formats_and_errors() {
        let toml = "name = \"x\"\n[[require]]\npermission_set = \"InstancesReadOnly\"\n[excess]\norganization_sets = \"warn\"\n";
        let p = Profile::parse(toml, ProfileFormat::Toml, "t").unwrap();
        assert_eq!(p.requirements[0].scope, RequiredScope::Project);
        assert_eq!(p.excess.organization_sets, ExcessAction::Warn);
        let yaml = "name: y\nrequire:\n  - permission_set: IAMReadOnly\n    scope: organization\n";
        let p = Profile::parse(yaml, ProfileFormat::Yaml, "y").unwrap();
        assert_eq!(p.requirements[0].scope, RequiredScope::Organization);
        let json =
            r#"{"name":"j","require":[{"permission_set":"VPCReadOnly","scope":"everywhere"}]}"#;
        let e = Profile::parse(json, ProfileFormat::Json, "j.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("require[0].scope") && e.contains("everywhere"),
            "{e}"
        );
        let e = Profile::parse(
            "name = \"x\"\nrequire = []\n",
            ProfileFormat::Toml,
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("lists no permission set"), "{e}");
        let e = Profile::parse(
            "name = \"x\"\nrequires = []\n",
            ProfileFormat::Toml,
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("requires"), "{e}");
    }
}
