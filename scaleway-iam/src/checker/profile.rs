//! Profiles: what a job needs (permission sets and the scope they must be granted at) and
//! which excess is tolerated. Profiles are data: four are built in, others load from a
//! TOML, YAML or JSON file.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::catalogue::Catalogue;

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

/// What to do with a kind of excess (`allow`, `warn`, `forbid`; `block` is the same as
/// `forbid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExcessAction {
    /// Blocking finding: the key is `Invalid`.
    #[serde(alias = "block")]
    Forbid,
    /// Warning finding.
    Warn,
    /// Reported as information only.
    Allow,
}

/// The profile's least privilege: what it allows beyond its requirements.
///
/// A profile that says nothing gets safe defaults: nothing at Organization level (sets,
/// escalation-grade sets, Owner keys) and no grant on all projects (blocking); sets the job
/// does not need and grants on other projects are warnings, and so are personal user keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ExcessRules {
    /// Organization-level permission sets (and `account_root_user` sets or scopes) the
    /// profile does not require. Default: forbid.
    #[serde(default = "forbid")]
    pub organization_sets: ExcessAction,
    /// Escalation-grade sets (`IAMManager`, `OrganizationManager`, …) the profile does not
    /// require. Default: forbid.
    #[serde(default = "forbid")]
    pub escalation_sets: ExcessAction,
    /// Project-level sets not covered by the requirements, and required sets also granted
    /// on other projects. Default: warn.
    #[serde(default = "warn")]
    pub other_project_sets: ExcessAction,
    /// Grants on all projects: a required set granted Organization-wide (every current and
    /// future project) instead of on the target project(s), and an unneeded set granted so
    /// (the stricter of this and `other_project_sets`). Default: forbid.
    #[serde(default = "forbid")]
    pub wider_scope: ExcessAction,
    /// A key of the Organization owner, who bypasses IAM and so holds everything at
    /// Organization level. Absent: as `organization_sets` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_keys: Option<ExcessAction>,
    /// A key of a person (an IAM user) instead of an IAM application: it stops working
    /// when they leave, and carries their rights (which the other rules judge). Default:
    /// warn.
    #[serde(default = "warn")]
    pub personal_user_keys: ExcessAction,
    /// Sets that are never reported as excess.
    #[serde(default)]
    pub allow: Vec<String>,
}

impl ExcessRules {
    /// What to do with an Owner key: `owner_keys`, else `organization_sets`.
    pub fn owner_keys(&self) -> ExcessAction {
        self.owner_keys.unwrap_or(self.organization_sets)
    }

    /// Every least-privilege setting `forbid` (nothing beyond the requirements on the
    /// target project; no Owner nor personal key).
    pub fn strict() -> Self {
        ExcessRules {
            organization_sets: ExcessAction::Forbid,
            escalation_sets: ExcessAction::Forbid,
            other_project_sets: ExcessAction::Forbid,
            wider_scope: ExcessAction::Forbid,
            owner_keys: Some(ExcessAction::Forbid),
            personal_user_keys: ExcessAction::Forbid,
            allow: Vec::new(),
        }
    }
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
            wider_scope: ExcessAction::Forbid,
            owner_keys: None,
            personal_user_keys: ExcessAction::Warn,
            allow: Vec::new(),
        }
    }
}

/// What a key's default (preferred) project other than the target means for a job.
///
/// S3 requests carry no project: Object Storage acts on the key's default project, unless
/// the client signs with `ACCESS_KEY@PROJECT_ID`. Whether a mismatch breaks the job depends
/// on the tools the job uses, so each profile says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DefaultProjectRule {
    /// The default project must be a target project (blocking otherwise): the job's tools
    /// sign S3 requests with the bare access key (AWS CLI, rclone, restic, s3fs, …), so
    /// buckets are listed and created in the key's default project.
    Require,
    /// A mismatch is a warning: the job selects its project itself (S3 requests signed
    /// `ACCESS_KEY@PROJECT_ID`, project filters on the JSON API).
    Warn,
}

impl DefaultProjectRule {
    /// `require` or `warn`.
    pub fn as_str(self) -> &'static str {
        match self {
            DefaultProjectRule::Require => "require",
            DefaultProjectRule::Warn => "warn",
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
    /// What a default project other than the target means (absent: `require` when a
    /// required set covers an Object Storage set, else `warn`; see
    /// [`Profile::default_project_rule`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_project: Option<DefaultProjectRule>,
    /// The products the job uses (catalogue product families: `instances`,
    /// `object-storage`, `kubernetes`, …). Probe mode, which cannot read the key's policies,
    /// judges the required sets on these products only, and says so; empty: every product
    /// of the required sets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
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
            default_project: None,
            products: Vec::new(),
        }
    }

    /// The rule about the key's default project: [`Profile::default_project`], else
    /// `require` when a required set covers an Object Storage set (the job may use S3
    /// tools that rely on the default project), else `warn`.
    pub fn default_project_rule(&self, catalogue: &Catalogue) -> DefaultProjectRule {
        self.default_project.unwrap_or_else(|| {
            if self.needs_object_storage(catalogue) {
                DefaultProjectRule::Require
            } else {
                DefaultProjectRule::Warn
            }
        })
    }

    /// Whether a required set covers an Object Storage set.
    pub fn needs_object_storage(&self, catalogue: &Catalogue) -> bool {
        self.requirements.iter().any(|r| {
            catalogue.sets().any(|s| {
                s.product == "object-storage"
                    && catalogue.coverage(&r.permission_set, &s.name).is_some()
            })
        })
    }

    /// A built-in profile by name.
    ///
    /// # Errors
    ///
    /// [`ProfileError::Unknown`] listing the built-in names.
    pub fn builtin(name: &str) -> Result<Profile, ProfileError> {
        let p = |sets: &[&str],
                 description: &str,
                 default_project: DefaultProjectRule,
                 products: &[&str]| {
            let mut p = Profile::new(
                name,
                sets.iter().map(|s| Requirement::on_project(*s)).collect(),
            );
            p.description = description.to_owned();
            p.default_project = Some(default_project);
            p.products = products.iter().map(|s| (*s).to_owned()).collect();
            p
        };
        // Read-only jobs: all-projects grants are a warning (the key reads more than it
        // needs, writes nothing); everything at Organization level is blocking.
        let reader = |mut p: Profile| {
            p.excess.wider_scope = ExcessAction::Warn;
            p.excess.owner_keys = Some(ExcessAction::Forbid);
            p
        };
        use DefaultProjectRule::{Require, Warn};
        Ok(match name {
            // scaleway-inventory signs S3 with ACCESS_KEY@PROJECT_ID: the default project
            // does not matter to it. The products are the ones it lists.
            "inventory-readonly" => reader(p(
                &["AllProductsReadOnly"],
                "read-only inventory of a project: list and read every product",
                Warn,
                &[
                    "instances",
                    "block-storage",
                    "secret-manager",
                    "object-storage",
                    "kubernetes",
                    "vpc",
                    "private-networks",
                    "container-registry",
                ],
            )),
            // Cluster tooling creates and reads buckets with the bare key (its default
            // project).
            "byoc-kapsule" => {
                let mut byoc = p(
                    &[
                        "KubernetesFullAccess",
                        "PrivateNetworksFullAccess",
                        "VPCFullAccess",
                        "InstancesFullAccess",
                        "ObjectStorageFullAccess",
                    ],
                    "bring-your-own-cloud Kubernetes (Kapsule) on one project, nothing at Organization level",
                    Require,
                    &[
                        "kubernetes",
                        "private-networks",
                        "vpc",
                        "instances",
                        "object-storage",
                    ],
                );
                // One project, nothing else: no Organization-level set, no grant on all
                // projects or on other projects, no Owner nor personal key.
                byoc.excess = ExcessRules::strict();
                byoc
            }
            "registry-scanner" => reader(p(
                &["ContainerRegistryReadOnly"],
                "container scanner: list and pull images of a project's registry namespaces",
                Warn,
                &["container-registry"],
            )),
            // Backup tools (restic, rclone, the AWS CLI) sign with the bare key.
            "object-storage-backup" => p(
                &[
                    "ObjectStorageBucketsRead",
                    "ObjectStorageObjectsRead",
                    "ObjectStorageObjectsWrite",
                ],
                "backup tool on Object Storage: list buckets, read objects, write backup objects (pruning old backups also needs ObjectStorageObjectsDelete: use a custom profile)",
                Require,
                &["object-storage"],
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
        for (i, p) in self.products.iter().enumerate() {
            if p.is_empty()
                || !p
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(format!(
                    "products[{i}] `{p}` is not a product name (lower case and dashes, e.g. `object-storage`)"
                ));
            }
        }
        Ok(())
    }

    /// Checks the profile against a catalogue: every product it lists is a product family
    /// of the catalogue that one of its required sets covers.
    ///
    /// # Errors
    ///
    /// What to fix, with the known product names.
    pub fn validate_with(&self, catalogue: &Catalogue) -> Result<(), String> {
        self.validate()?;
        for (i, p) in self.products.iter().enumerate() {
            if !catalogue.sets().any(|s| s.product == *p) {
                let mut known: Vec<&str> = catalogue.sets().map(|s| s.product.as_str()).collect();
                known.sort_unstable();
                known.dedup();
                return Err(format!(
                    "products[{i}] `{p}` is not a product of the catalogue (version {}); known products: {}",
                    catalogue.version(),
                    known.join(", ")
                ));
            }
            let covered = self.requirements.iter().any(|r| {
                catalogue.sets().any(|s| {
                    s.product == *p && catalogue.coverage(&r.permission_set, &s.name).is_some()
                })
            });
            if !covered {
                return Err(format!(
                    "products[{i}] `{p}`: no required permission set covers it; remove it or require a set of it"
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
        let cat = Catalogue::builtin();
        for n in BUILTIN_PROFILES {
            let p = Profile::builtin(n).unwrap();
            assert_eq!(p.name, *n);
            p.validate_with(cat).unwrap();
            assert!(!p.products.is_empty(), "{n}: the products its job uses");
        }
        let e = Profile::builtin("nope").unwrap_err().to_string();
        assert!(e.contains("byoc-kapsule"), "{e}");
        let rule = |n: &str| Profile::builtin(n).unwrap().default_project_rule(cat);
        assert_eq!(rule("inventory-readonly"), DefaultProjectRule::Warn);
        assert_eq!(rule("registry-scanner"), DefaultProjectRule::Warn);
        assert_eq!(rule("byoc-kapsule"), DefaultProjectRule::Require);
        assert_eq!(rule("object-storage-backup"), DefaultProjectRule::Require);
        // Least privilege: byoc-kapsule allows nothing beyond its project; the readers
        // allow all-projects grants with a warning; Owner keys are blocking everywhere.
        let byoc = Profile::builtin("byoc-kapsule").unwrap().excess;
        assert_eq!(byoc, ExcessRules::strict());
        for n in ["inventory-readonly", "registry-scanner"] {
            let e = Profile::builtin(n).unwrap().excess;
            assert_eq!(e.wider_scope, ExcessAction::Warn, "{n}");
            assert_eq!(e.organization_sets, ExcessAction::Forbid, "{n}");
            assert_eq!(e.owner_keys(), ExcessAction::Forbid, "{n}");
            assert_eq!(e.personal_user_keys, ExcessAction::Warn, "{n}");
        }
        for n in BUILTIN_PROFILES {
            let e = Profile::builtin(n).unwrap().excess;
            assert_eq!(e.owner_keys(), ExcessAction::Forbid, "{n}");
        }
    }

    #[test]
    fn least_privilege_settings_in_files_and_their_safe_defaults() {
        // Nothing said: nothing at Organization level, no grant on all projects.
        let p = Profile::parse(
            "name = \"x\"\n[[require]]\npermission_set = \"InstancesReadOnly\"\n",
            ProfileFormat::Toml,
            "t",
        )
        .unwrap();
        assert_eq!(p.excess, ExcessRules::default());
        assert_eq!(p.excess.organization_sets, ExcessAction::Forbid);
        assert_eq!(p.excess.escalation_sets, ExcessAction::Forbid);
        assert_eq!(p.excess.wider_scope, ExcessAction::Forbid);
        assert_eq!(p.excess.owner_keys(), ExcessAction::Forbid);
        assert_eq!(p.excess.other_project_sets, ExcessAction::Warn);
        assert_eq!(p.excess.personal_user_keys, ExcessAction::Warn);
        // Each can be stated; `block` is `forbid`; Owner keys follow organization_sets.
        let p = Profile::parse(
            "name = \"x\"\n[[require]]\npermission_set = \"InstancesReadOnly\"\n[excess]\norganization_sets = \"warn\"\nwider_scope = \"allow\"\nother_project_sets = \"block\"\npersonal_user_keys = \"forbid\"\n",
            ProfileFormat::Toml,
            "t",
        )
        .unwrap();
        assert_eq!(p.excess.wider_scope, ExcessAction::Allow);
        assert_eq!(p.excess.other_project_sets, ExcessAction::Forbid);
        assert_eq!(p.excess.personal_user_keys, ExcessAction::Forbid);
        assert_eq!(p.excess.owner_keys(), ExcessAction::Warn);
        let p = Profile::parse(
            "name: y\nrequire:\n  - permission_set: IAMReadOnly\n    scope: organization\nexcess:\n  owner_keys: allow\n",
            ProfileFormat::Yaml,
            "y",
        )
        .unwrap();
        assert_eq!(p.excess.owner_keys(), ExcessAction::Allow);
        let e = Profile::parse(
            "name = \"x\"\n[[require]]\npermission_set = \"InstancesReadOnly\"\n[excess]\nowner_keys = \"never\"\n",
            ProfileFormat::Toml,
            "t.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("owner_keys") || e.contains("never"), "{e}");
    }

    #[test]
    fn default_project_rule_and_products_in_files() {
        let cat = Catalogue::builtin();
        // Absent: require when the profile needs Object Storage, else warn.
        let p = Profile::parse(
            "name = \"s3\"\n[[require]]\npermission_set = \"ObjectStorageReadOnly\"\n",
            ProfileFormat::Toml,
            "t",
        )
        .unwrap();
        assert_eq!(p.default_project, None);
        assert_eq!(p.default_project_rule(cat), DefaultProjectRule::Require);
        let p = Profile::parse(
            "name: s3\ndefault_project: warn\nproducts: [object-storage]\nrequire:\n  - permission_set: ObjectStorageReadOnly\n",
            ProfileFormat::Yaml,
            "y",
        )
        .unwrap();
        assert_eq!(p.default_project_rule(cat), DefaultProjectRule::Warn);
        assert_eq!(p.products, vec!["object-storage"]);
        p.validate_with(cat).unwrap();
        let p = Profile::parse(
            r#"{"name":"v","default_project":"require","require":[{"permission_set":"VPCReadOnly"}]}"#,
            ProfileFormat::Json,
            "j",
        )
        .unwrap();
        assert_eq!(p.default_project_rule(cat), DefaultProjectRule::Require);
        let e = Profile::parse(
            r#"{"name":"v","default_project":"maybe","require":[{"permission_set":"VPCReadOnly"}]}"#,
            ProfileFormat::Json,
            "j.json",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("default_project") && e.contains("require"),
            "{e}"
        );
        // Products: a name shape, a product of the catalogue, covered by a requirement.
        let e = Profile::parse(
            r#"{"name":"v","products":["Object Storage"],"require":[{"permission_set":"VPCReadOnly"}]}"#,
            ProfileFormat::Json,
            "j.json",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("products[0]"), "{e}");
        let mut p = Profile::new("v", vec![Requirement::on_project("VPCReadOnly")]);
        p.products = vec!["vpcs".into()];
        let e = p.validate_with(cat).unwrap_err();
        assert!(
            e.contains("`vpcs`") && e.contains("known products") && e.contains("vpc,"),
            "{e}"
        );
        p.products = vec!["instances".into()];
        let e = p.validate_with(cat).unwrap_err();
        assert!(e.contains("no required permission set covers it"), "{e}");
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
