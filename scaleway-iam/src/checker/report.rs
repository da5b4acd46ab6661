//! The typed report and its stable JSON form (documented in `docs/policy-checker.md`).

use scaleway_core::Timestamp;
use serde::{Deserialize, Serialize};

use crate::model::{PermissionSetScopeType, RuleScope};

/// Version of the JSON report format; bumped on any incompatible change.
pub const REPORT_SCHEMA_VERSION: u32 = 1;

/// How the report was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Mode {
    /// A separate key with IAM read inspected the target key.
    Auditor,
    /// The key inspected itself through IAM.
    SelfCheck,
    /// The key could not read IAM: results come from one cheap read per product.
    Probe,
}

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Severity {
    /// Informational.
    Info,
    /// Worth fixing; does not block.
    Warning,
    /// Makes the key `Invalid`.
    Blocking,
}

/// The policy / rule / group path that produced a grant.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GrantPath {
    /// Policy ID.
    pub policy_id: String,
    /// Policy name.
    pub policy_name: String,
    /// Rule ID.
    pub rule_id: String,
    /// The group the policy is attached to, when the bearer gets it through a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// That group's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_name: Option<String>,
    /// `all_users` / `all_applications` when the group is a built-in "everyone" group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_membership: Option<String>,
}

impl GrantPath {
    /// A path through a policy attached to the bearer itself.
    pub fn direct(
        policy_id: impl Into<String>,
        policy_name: impl Into<String>,
        rule_id: impl Into<String>,
    ) -> Self {
        GrantPath {
            policy_id: policy_id.into(),
            policy_name: policy_name.into(),
            rule_id: rule_id.into(),
            group_id: None,
            group_name: None,
            group_membership: None,
        }
    }

    /// The same path, through a group.
    #[must_use]
    pub fn via_group(mut self, group_id: impl Into<String>, group_name: impl Into<String>) -> Self {
        self.group_id = Some(group_id.into());
        self.group_name = Some(group_name.into());
        self
    }
}

impl std::fmt::Display for GrantPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "policy \"{}\" ({}) rule {}",
            self.policy_name, self.policy_id, self.rule_id
        )?;
        if let Some(g) = &self.group_name {
            write!(f, " via group \"{g}\"")?;
            if let Some(m) = &self.group_membership {
                write!(f, " ({m})")?;
            }
        }
        Ok(())
    }
}

/// One permission set granted to the bearer, with its scope, condition and origin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Grant {
    /// Permission set name.
    pub permission_set: String,
    /// Level of the set (catalogue, else the rule's `permission_sets_scope_type`).
    pub set_scope: PermissionSetScopeType,
    /// Where the rule applies.
    pub scope: RuleScope,
    /// CEL condition (empty: none).
    #[serde(default)]
    pub condition: String,
    /// Where it comes from.
    pub path: GrantPath,
}

impl Grant {
    /// A grant (for evaluating IAM data read some other way, and for tests).
    pub fn new(
        permission_set: impl Into<String>,
        set_scope: PermissionSetScopeType,
        scope: RuleScope,
        condition: impl Into<String>,
        path: GrantPath,
    ) -> Self {
        Grant {
            permission_set: permission_set.into(),
            set_scope,
            scope,
            condition: condition.into(),
            path,
        }
    }

    /// Whether the grant applies to `project_id` (listed, or Organization-wide for a
    /// project-level set).
    pub fn applies_to_project(&self, project_id: &str) -> bool {
        match &self.scope {
            RuleScope::Projects { project_ids } => project_ids.iter().any(|p| p == project_id),
            RuleScope::Organization { .. } => true,
            _ => false,
        }
    }

    /// Whether the grant is Organization-wide.
    pub fn is_organization_wide(&self) -> bool {
        matches!(self.scope, RuleScope::Organization { .. })
    }
}

/// A `{resource, action}` pair of a 403 body.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DeniedAction {
    /// Resource type.
    pub resource: String,
    /// Action.
    pub action: String,
}

/// What a finding says, with its data. `code` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FindingKind {
    /// A required set is granted where required.
    RequirementMet {
        /// Required set.
        permission_set: String,
        /// Target project (`None` for an Organization-level requirement).
        project_id: Option<String>,
        /// The granted set that covers it.
        granted_by: String,
        /// Implication chain from the granted set to the required one.
        chain: Vec<String>,
        /// Whether the chain is an interpretation of the documentation.
        interpreted: bool,
    },
    /// A required set is granted only under a condition the checker could not evaluate.
    RequirementConditional {
        /// Required set.
        permission_set: String,
        /// Target project.
        project_id: Option<String>,
        /// The condition(s).
        conditions: Vec<String>,
    },
    /// A required set is granted, but on other projects only.
    WrongProject {
        /// Required set.
        permission_set: String,
        /// Target project.
        project_id: String,
        /// Where it is granted instead.
        granted_on: Vec<String>,
    },
    /// A required set is granted Organization-wide (every current and future project)
    /// instead of on the target project.
    WiderThanRequired {
        /// Required set.
        permission_set: String,
        /// Target project.
        project_id: String,
        /// The granted set.
        granted_by: String,
    },
    /// A required set is not granted.
    Missing {
        /// Required set.
        permission_set: String,
        /// Target project (`None` for an Organization-level requirement).
        project_id: Option<String>,
        /// Extra explanation (e.g. a condition that does not hold).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A grant beyond what the profile needs.
    ExcessGrant {
        /// Granted set.
        permission_set: String,
        /// `organization`, `projects` or `unknown` level.
        set_scope: PermissionSetScopeType,
        /// `organization_level_set`, `escalation`, `other_project_set`, `organization_wide`,
        /// `other_project`.
        reason: String,
        /// Whether the set lets its holder grant itself more.
        escalation: bool,
        /// Projects (for project-scoped grants) or `["organization"]`.
        scope: Vec<String>,
    },
    /// A permission-set name the catalogue does not know (never assumed to cover anything
    /// but itself).
    UnknownPermissionSet {
        /// The name.
        permission_set: String,
    },
    /// The key has expired.
    KeyExpired {
        /// When (if known).
        expired_at: Option<Timestamp>,
    },
    /// The key expires soon.
    KeyExpiresSoon {
        /// When.
        expires_at: Timestamp,
        /// Whole days left.
        days_left: i64,
    },
    /// The key never expires.
    KeyNoExpiry,
    /// The key does not exist (deleted, or a typo).
    KeyNotFound,
    /// The API refused the key itself.
    KeyRejected {
        /// The API's reason (`not_found`, `expired`, …).
        reason: String,
    },
    /// The key belongs to a person, not an application.
    PersonalUserKey {
        /// User ID.
        user_id: String,
        /// E-mail, when readable.
        email: Option<String>,
    },
    /// The key belongs to the Organization owner, who bypasses IAM.
    OrganizationOwner {
        /// User ID.
        user_id: String,
    },
    /// The key's default (preferred) project is not the target: S3 tools signing with the
    /// bare access key list the buckets of another project. Blocking when the profile's
    /// `default_project` rule is `require`.
    DefaultProjectMismatch {
        /// The key's default project.
        default_project_id: String,
        /// The targets.
        target_project_ids: Vec<String>,
        /// Whether the profile needs Object Storage.
        object_storage: bool,
        /// Whether the profile requires the default project to be the target
        /// (`default_project = "require"`): the finding is then blocking.
        #[serde(default)]
        required: bool,
    },
    /// IAM changed in the last minutes: the result may still change.
    RecentIamChange {
        /// Latest change.
        changed_at: Timestamp,
        /// What changed.
        what: Vec<String>,
        /// When changes are expected to be in force.
        settles_at: Timestamp,
    },
    /// A probe read succeeded.
    ProbeAllowed {
        /// Product.
        product: String,
        /// Project probed.
        project_id: String,
        /// Route read.
        route: String,
    },
    /// A probe read was refused.
    ProbeDenied {
        /// Product.
        product: String,
        /// Project probed.
        project_id: String,
        /// Route read.
        route: String,
        /// The 403's `{resource, action}` details.
        denied: Vec<DeniedAction>,
    },
    /// A probe gave no answer about permissions (network, 5xx, …).
    ProbeInconclusive {
        /// Product.
        product: String,
        /// Project probed.
        project_id: String,
        /// What happened.
        error: String,
    },
    /// Something the checker could not prove in this mode (blocking when it is a
    /// requirement, unless [`CheckOptions::accept_unproven`](super::CheckOptions::accept_unproven)).
    NotProven {
        /// What.
        what: String,
    },
    /// Probe mode: a required set spanning more products than the job uses (e.g.
    /// `AllProductsReadOnly`) was judged on the profile's products only; the set itself is
    /// not proven.
    SetNotProven {
        /// The required set.
        permission_set: String,
        /// How many products the set covers.
        set_products: usize,
        /// The products it was judged on (the profile's `products` it covers).
        judged_on: Vec<String>,
        /// Those of them every probe could read.
        proven: Vec<String>,
    },
    /// The key cannot read IAM: the checker fell back to probing.
    IamReadRefused {
        /// The 403's details.
        denied: Vec<DeniedAction>,
    },
    /// The key is in force: it authenticated, and the probes that could run passed.
    ConfirmedLive {
        /// Products confirmed by a probe.
        products: Vec<String>,
    },
}

impl FindingKind {
    /// The finding's stable code (`missing`, `wrong_project`, …).
    pub fn code(&self) -> &'static str {
        match self {
            FindingKind::RequirementMet { .. } => "requirement_met",
            FindingKind::RequirementConditional { .. } => "requirement_conditional",
            FindingKind::WrongProject { .. } => "wrong_project",
            FindingKind::WiderThanRequired { .. } => "wider_than_required",
            FindingKind::Missing { .. } => "missing",
            FindingKind::ExcessGrant { .. } => "excess_grant",
            FindingKind::UnknownPermissionSet { .. } => "unknown_permission_set",
            FindingKind::KeyExpired { .. } => "key_expired",
            FindingKind::KeyExpiresSoon { .. } => "key_expires_soon",
            FindingKind::KeyNoExpiry => "key_no_expiry",
            FindingKind::KeyNotFound => "key_not_found",
            FindingKind::KeyRejected { .. } => "key_rejected",
            FindingKind::PersonalUserKey { .. } => "personal_user_key",
            FindingKind::OrganizationOwner { .. } => "organization_owner",
            FindingKind::DefaultProjectMismatch { .. } => "default_project_mismatch",
            FindingKind::RecentIamChange { .. } => "recent_iam_change",
            FindingKind::ProbeAllowed { .. } => "probe_allowed",
            FindingKind::ProbeDenied { .. } => "probe_denied",
            FindingKind::ProbeInconclusive { .. } => "probe_inconclusive",
            FindingKind::NotProven { .. } => "not_proven",
            FindingKind::SetNotProven { .. } => "set_not_proven",
            FindingKind::IamReadRefused { .. } => "iam_read_refused",
            FindingKind::ConfirmedLive { .. } => "confirmed_live",
        }
    }
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// `F1`, `F2`, … (stable within a report).
    pub id: String,
    /// Severity.
    pub severity: Severity,
    /// What, with data (`code` + fields in JSON).
    #[serde(flatten)]
    pub kind: FindingKind,
    /// One readable sentence.
    pub message: String,
    /// The policy / rule / group paths that caused it.
    #[serde(default)]
    pub paths: Vec<GrantPath>,
}

impl Finding {
    /// The finding's code.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Verdict {
    /// The key can do the job (and, as far as the checker can see, nothing forbidden).
    Ready,
    /// The key cannot be used as is.
    Invalid {
        /// IDs of the blocking findings.
        blocking: Vec<String>,
    },
    /// IAM changed recently: check again after `recheck_after`.
    PendingPropagation {
        /// When to check again.
        recheck_after: Timestamp,
        /// Seconds from the check to `recheck_after`.
        recheck_in_seconds: u64,
        /// IDs of findings that are blocking for now.
        blocking: Vec<String>,
    },
}

impl Verdict {
    /// `ready`, `invalid` or `pending_propagation`.
    pub fn status(&self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::Invalid { .. } => "invalid",
            Verdict::PendingPropagation { .. } => "pending_propagation",
        }
    }

    /// Whether the key is ready.
    pub fn is_ready(&self) -> bool {
        matches!(self, Verdict::Ready)
    }
}

/// A change that would fix a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Remediation {
    /// The finding it fixes.
    pub finding: String,
    /// What to do, in words.
    pub summary: String,
    /// The `scw` command line, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scw_command: Option<String>,
    /// The policy rule to add (`RuleSpecs` of the API), when the fix is a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<serde_json::Value>,
}

/// The key as the report saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KeySummary {
    /// Access key.
    pub access_key: String,
    /// `application` or `user`, when known.
    pub bearer_type: Option<String>,
    /// Bearer ID, when known.
    pub bearer_id: Option<String>,
    /// Bearer name (application name or user e-mail), when known.
    pub bearer_name: Option<String>,
    /// Default project, when known.
    pub default_project_id: Option<String>,
    /// Creation date, when known.
    pub created_at: Option<Timestamp>,
    /// Expiry, when known (`null` in JSON also when it never expires: see findings).
    pub expires_at: Option<Timestamp>,
}

/// The target of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TargetSummary {
    /// Organization, when known.
    pub organization_id: Option<String>,
    /// Target projects.
    pub project_ids: Vec<String>,
}

/// The checker's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Report {
    /// [`REPORT_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// Profile name.
    pub profile: String,
    /// Catalogue version used.
    pub catalogue_version: String,
    /// When the check ran.
    pub checked_at: Timestamp,
    /// How.
    pub mode: Mode,
    /// The answer.
    pub verdict: Verdict,
    /// The key.
    pub key: KeySummary,
    /// The target.
    pub target: TargetSummary,
    /// Findings, blocking first.
    pub findings: Vec<Finding>,
    /// Fixes for missing and mis-scoped items.
    pub remediation: Vec<Remediation>,
    /// Every grant resolved (empty in probe mode).
    pub grants: Vec<Grant>,
}

impl Report {
    /// The blocking findings.
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Blocking)
    }

    /// Findings with this code.
    pub fn findings_with_code<'a>(
        &'a self,
        code: &'a str,
    ) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.code() == code)
    }

    /// Whether some finding has this code.
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code() == code)
    }

    /// The stable JSON form.
    ///
    /// # Errors
    ///
    /// Never in practice (every field serializes).
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string_pretty(self)
    }
}
