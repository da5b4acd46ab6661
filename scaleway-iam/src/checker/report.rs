//! The typed report and its stable JSON form (documented in `docs/policy-checker.md`).

use scaleway_core::{OrganizationId, ProjectId, Timestamp};
use serde::{Deserialize, Serialize};

pub use super::evidence::{EstablishedBy, Evidence, RequirementCheck, RequirementStatus};
pub use super::finding::FindingKind;
use crate::model::{PermissionSetScopeType, RuleScope, RuleSpec};

/// Version of the JSON report format; bumped on any incompatible change (2: the `unproven`
/// verdict and severity, finding IDs derived from their content, `requirements`,
/// `accepted_unproven`, `target.projects`). Its JSON Schema is `docs/report.schema.json`.
pub const REPORT_SCHEMA_VERSION: u32 = 2;

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
    /// A requirement the checker could not prove with the key alone (nothing shows it is
    /// wrong either): makes the verdict `Unproven`, unless the caller accepts it.
    Unproven,
    /// Proven wrong: makes the key `Invalid`.
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

    /// Whether the grant applies to `project_id`, a project of Organization
    /// `project_organization_id` (`None`: unknown). A rule on projects applies to the
    /// projects it lists; an Organization-wide rule to every project of **its own**
    /// Organization, so without the project's Organization the answer is `None`
    /// (unknown). The IDs are typed, so an upper-case ID given by a user names the same
    /// project ([`normalize_id`](scaleway_core::normalize_id)).
    pub fn applies_to_project(
        &self,
        project_id: &ProjectId,
        project_organization_id: Option<&OrganizationId>,
    ) -> Option<bool> {
        match &self.scope {
            RuleScope::Projects { project_ids } => Some(project_ids.contains(project_id)),
            RuleScope::Organization { organization_id } => {
                project_organization_id.map(|o| o == organization_id)
            }
            _ => Some(false),
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

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Finding {
    /// `F` and 8 hexadecimal digits derived from the finding's code and subject (the set,
    /// project, product… it is about): the same finding has the same ID in every report,
    /// whatever its position.
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
    /// The finding's code (an unknown finding's own code).
    pub fn code(&self) -> &str {
        self.kind.code_str()
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
    /// Nothing was refused, missing, mis-scoped or expired, but some requirement could not
    /// be proven with this key alone (for instance write access, which probes never
    /// exercise). The findings say how to get a definite answer;
    /// [`CheckOptions::accept_unproven`](super::CheckOptions::accept_unproven) counts this
    /// as `Ready` instead.
    Unproven {
        /// IDs of the `unproven` findings.
        unproven: Vec<String>,
    },
}

impl Verdict {
    /// `ready`, `invalid`, `pending_propagation` or `unproven`.
    pub fn status(&self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::Invalid { .. } => "invalid",
            Verdict::PendingPropagation { .. } => "pending_propagation",
            Verdict::Unproven { .. } => "unproven",
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
    /// The policy rule to add (`RuleSpecs` of the API, ready for
    /// [`IamApi::set_rules`](crate::IamApi::set_rules)), when the fix is a rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<RuleSpec>,
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
    pub default_project_id: Option<ProjectId>,
    /// Creation date, when known.
    pub created_at: Option<Timestamp>,
    /// Expiry, when known (`null` in JSON also when it never expires: see findings).
    pub expires_at: Option<Timestamp>,
}

/// The target of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TargetSummary {
    /// Organization, when known (the caller's, else the projects', else the key's).
    pub organization_id: Option<OrganizationId>,
    /// Target projects.
    pub project_ids: Vec<ProjectId>,
    /// What the Account API said about each target project.
    #[serde(default)]
    pub projects: Vec<ProjectSummary>,
}

/// What the checker learned about a target project (`GET /account/v3/projects/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ProjectSummary {
    /// The project.
    pub project_id: ProjectId,
    /// `found`, `not_found` or `unverified` (could not be read).
    pub status: String,
    /// Its name, when found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its Organization, when found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<OrganizationId>,
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
    /// Each requirement of the profile on each target, and how it was established.
    #[serde(default)]
    pub requirements: Vec<RequirementCheck>,
    /// Findings, blocking first, then unproven, warnings, information.
    pub findings: Vec<Finding>,
    /// The `unproven` findings the caller chose to accept
    /// ([`CheckOptions::accept_unproven`](super::CheckOptions::accept_unproven)): the verdict
    /// is `Ready`, and these requirements were **not** proven.
    #[serde(default)]
    pub accepted_unproven: Vec<String>,
    /// Fixes for missing and mis-scoped items.
    pub remediation: Vec<Remediation>,
    /// Every grant resolved (empty in probe mode).
    pub grants: Vec<Grant>,
    /// The canary writes, when they ran ([`CheckOptions::canary`](super::CheckOptions::canary)):
    /// every resource created, and what became of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canaries: Option<super::canary::CanaryReport>,
}

impl Report {
    /// The blocking findings.
    pub fn blocking(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Blocking)
    }

    /// The `unproven` findings.
    pub fn unproven(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Unproven)
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
    /// Never in practice (every field serializes); the crate's [`Error`](crate::Error)
    /// ([`ErrorKind::InvalidRequest`](scaleway_core::ErrorKind::InvalidRequest)) if it did.
    pub fn to_json(&self) -> Result<String, crate::Error> {
        serde_json::to_string_pretty(self)
            .map_err(|e| crate::Error::invalid_request(format!("cannot serialize the report: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: &str = "11111111-1111-1111-1111-111111111111";
    const P2: &str = "22222222-2222-2222-2222-222222222222";
    const ORG: &str = "99999999-9999-9999-9999-999999999999";

    fn grant(scope: RuleScope) -> Grant {
        Grant::new(
            "InstancesReadOnly",
            PermissionSetScopeType::Projects,
            scope,
            "",
            GrantPath::direct("policy", "p", "rule"),
        )
    }

    #[test]
    fn applies_to_project_compares_typed_ids() {
        let p1: ProjectId = P1.parse().unwrap();
        let p2: ProjectId = P2.parse().unwrap();
        let org: OrganizationId = ORG.parse().unwrap();
        let upper: ProjectId = P1.to_uppercase().parse().unwrap();
        let on_p1 = grant(RuleScope::Projects {
            project_ids: vec![p1.clone()],
        });
        assert_eq!(on_p1.applies_to_project(&p1, None), Some(true));
        assert_eq!(on_p1.applies_to_project(&upper, None), Some(true));
        assert_eq!(on_p1.applies_to_project(&p2, Some(&org)), Some(false));
        let org_wide = grant(RuleScope::Organization {
            organization_id: org.clone(),
        });
        assert_eq!(org_wide.applies_to_project(&p2, Some(&org)), Some(true));
        assert_eq!(org_wide.applies_to_project(&p2, None), None);
        let other: OrganizationId = P2.parse().unwrap();
        assert_eq!(org_wide.applies_to_project(&p2, Some(&other)), Some(false));
        assert_eq!(
            grant(RuleScope::Unknown).applies_to_project(&p1, Some(&org)),
            Some(false)
        );
    }

    /// The typed IDs of the report serialize as the plain strings they replaced.
    #[test]
    fn typed_ids_keep_the_report_json() {
        let p1: ProjectId = P1.parse().unwrap();
        let org: OrganizationId = ORG.parse().unwrap();
        let target = TargetSummary {
            organization_id: Some(org.clone()),
            project_ids: vec![p1.clone()],
            projects: vec![ProjectSummary {
                project_id: p1.clone(),
                status: "found".into(),
                name: Some("p".into()),
                organization_id: Some(org.clone()),
            }],
        };
        let json = serde_json::to_string(&target).unwrap();
        assert_eq!(
            json,
            format!(
                r#"{{"organization_id":"{ORG}","project_ids":["{P1}"],"projects":[{{"project_id":"{P1}","status":"found","name":"p","organization_id":"{ORG}"}}]}}"#
            )
        );
        assert_eq!(
            serde_json::from_str::<TargetSummary>(&json).unwrap(),
            target
        );
        let kind = super::super::finding::FindingKind::OrganizationMismatch {
            project_id: Some(p1),
            key_organization_id: Some(org),
            project_organization_id: None,
            target_organization_id: None,
        };
        assert_eq!(
            serde_json::to_string(&kind).unwrap(),
            format!(
                r#"{{"code":"organization_mismatch","project_id":"{P1}","key_organization_id":"{ORG}","project_organization_id":null,"target_organization_id":null}}"#
            )
        );
    }
}
