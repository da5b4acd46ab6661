//! What a finding says: [`FindingKind`], its stable `code` in JSON, and the subject its ID
//! is derived from.

use scaleway_core::{OrganizationId, ProjectId, Timestamp};
use serde::{Deserialize, Serialize};

use super::report::DeniedAction;
use crate::model::PermissionSetScopeType;

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
        project_id: Option<ProjectId>,
        /// The granted set that covers it.
        granted_by: String,
        /// Implication chain from the granted set to the required one.
        chain: Vec<String>,
        /// Whether the chain is an interpretation of the documentation.
        interpreted: bool,
    },
    /// A required set is granted only under a condition the checker could not evaluate
    /// (unproven: nothing shows it is wrong, nothing proves it holds for your requests).
    RequirementConditional {
        /// Required set.
        permission_set: String,
        /// Target project.
        project_id: Option<ProjectId>,
        /// The condition(s).
        conditions: Vec<String>,
    },
    /// A required set is granted, but on other projects only.
    WrongProject {
        /// Required set.
        permission_set: String,
        /// Target project.
        project_id: ProjectId,
        /// Where it is granted instead.
        granted_on: Vec<String>,
    },
    /// A required set is granted Organization-wide (every current and future project)
    /// instead of on the target project.
    WiderThanRequired {
        /// Required set.
        permission_set: String,
        /// Target project.
        project_id: ProjectId,
        /// The granted set.
        granted_by: String,
    },
    /// A required set is not granted.
    Missing {
        /// Required set.
        permission_set: String,
        /// Target project (`None` for an Organization-level requirement).
        project_id: Option<ProjectId>,
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
        default_project_id: ProjectId,
        /// The targets.
        target_project_ids: Vec<ProjectId>,
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
        /// The required set the probe was run for (empty in reports of schema 1).
        #[serde(default)]
        permission_set: String,
        /// Product.
        product: String,
        /// Project probed.
        project_id: ProjectId,
        /// Route read.
        route: String,
    },
    /// A probe read was refused.
    ProbeDenied {
        /// The required set the probe was run for (empty in reports of schema 1).
        #[serde(default)]
        permission_set: String,
        /// Product.
        product: String,
        /// Project probed.
        project_id: ProjectId,
        /// Route read.
        route: String,
        /// The 403's `{resource, action}` details.
        denied: Vec<DeniedAction>,
    },
    /// A probe gave no answer about permissions (network, 5xx, …).
    ProbeInconclusive {
        /// The required set the probe was run for (empty in reports of schema 1).
        #[serde(default)]
        permission_set: String,
        /// Product.
        product: String,
        /// Project probed.
        project_id: ProjectId,
        /// What happened.
        error: String,
    },
    /// Something the checker could not prove with the key alone: `unproven` when it is a
    /// requirement (the verdict is then `Unproven`, unless the caller accepts it:
    /// [`CheckOptions::accept_unproven`](super::CheckOptions::accept_unproven)), `info` for
    /// context.
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
    /// The target project does not exist: the Account API answers 404 to
    /// `GET /account/v3/projects/{project_id}` (a mistyped ID, or a deleted project).
    ProjectNotFound {
        /// The target project.
        project_id: ProjectId,
    },
    /// The key, the target project and the Organization the caller named do not belong to
    /// one Organization: the key's rights apply in its own Organization only.
    OrganizationMismatch {
        /// The target project (`None` when only the caller's Organization is compared).
        project_id: Option<ProjectId>,
        /// The Organization of the key's bearer, when known (IAM read).
        key_organization_id: Option<OrganizationId>,
        /// The project's Organization, when the project could be read.
        project_organization_id: Option<OrganizationId>,
        /// The Organization the caller named ([`Target::organization_id`](super::Target)).
        target_organization_id: Option<OrganizationId>,
    },
    /// The target project could not be read, so whether it exists and which Organization
    /// holds it are not proven: `unproven` when a requirement is met only through an
    /// Organization-wide grant (which covers the projects of its own Organization only),
    /// `info` otherwise.
    ProjectUnverified {
        /// The target project.
        project_id: ProjectId,
        /// Why it could not be read, and what the probes showed about it.
        reason: String,
    },
    /// Canary writes: the key created a free resource in the target project for this
    /// product, and deleted it (write access proven with the key itself).
    CanaryProven {
        /// The required set.
        permission_set: String,
        /// The product written.
        product: String,
        /// The project written to.
        project_id: ProjectId,
        /// The resource type created (`vpc`, `private_network`, `security_group`, `bucket`).
        resource_type: String,
        /// Its ID (a bucket's is its name).
        resource_id: Option<String>,
    },
    /// Canary writes: a create (or the delete that undoes it) was refused (403): write access
    /// is proven missing.
    CanaryRefused {
        /// The required set.
        permission_set: String,
        /// The product.
        product: String,
        /// The project.
        project_id: ProjectId,
        /// The step refused (`create VPC scw-canary-…`, `delete bucket scw-canary-…`).
        step: String,
        /// The refusal's `{resource, action}` details.
        denied: Vec<DeniedAction>,
    },
    /// Canary writes: a step gave no answer about permissions (a 5xx, a timeout).
    CanaryInconclusive {
        /// The required set.
        permission_set: String,
        /// The product.
        product: String,
        /// The project.
        project_id: ProjectId,
        /// The step.
        step: String,
        /// What happened.
        error: String,
    },
    /// Canary writes: a resource created by the check is still there (its delete failed or
    /// was refused, or its create gave no answer): delete it with `delete_command`.
    CanaryLeftover {
        /// The resource type (`vpc`, `private_network`, `security_group`, `bucket`).
        resource_type: String,
        /// Its name (`scw-canary-<uuid>`).
        name: String,
        /// Its ID, when known (a bucket's is its name).
        resource_id: Option<String>,
        /// Its project.
        project_id: ProjectId,
        /// Its region or zone.
        locality: String,
        /// `leftover`, or `maybe_leftover` when its ID was never learnt (the create gave no
        /// answer) and finding it by name failed.
        status: String,
        /// Why it was not deleted.
        reason: String,
        /// The `scw` command that deletes it (or finds it when its ID is unknown).
        delete_command: String,
        /// The API call that deletes it.
        delete_call: String,
    },
    /// A finding of a code this version does not know (written by a newer version): its
    /// code and fields are kept as they were.
    #[serde(untagged)]
    Unknown {
        /// The code.
        code: String,
        /// Its other fields, as sent.
        #[serde(flatten)]
        fields: serde_json::Map<String, serde_json::Value>,
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
            FindingKind::ProjectNotFound { .. } => "project_not_found",
            FindingKind::OrganizationMismatch { .. } => "organization_mismatch",
            FindingKind::ProjectUnverified { .. } => "project_unverified",
            FindingKind::CanaryProven { .. } => "canary_proven",
            FindingKind::CanaryRefused { .. } => "canary_refused",
            FindingKind::CanaryInconclusive { .. } => "canary_inconclusive",
            FindingKind::CanaryLeftover { .. } => "canary_leftover",
            FindingKind::Unknown { .. } => "unknown",
        }
    }

    /// The code as written in JSON (an unknown finding's own code).
    pub fn code_str(&self) -> &str {
        match self {
            FindingKind::Unknown { code, .. } => code,
            other => other.code(),
        }
    }

    /// What the finding is about, so that its ID depends on its content and not on its
    /// place in the report: the permission set, project, product, … it names.
    pub(crate) fn subject(&self) -> String {
        let on = |set: &str, project: Option<&ProjectId>| match project {
            Some(p) => format!("{set}@{p}"),
            None => format!("{set}@organization"),
        };
        match self {
            FindingKind::RequirementMet {
                permission_set,
                project_id,
                ..
            }
            | FindingKind::RequirementConditional {
                permission_set,
                project_id,
                ..
            }
            | FindingKind::Missing {
                permission_set,
                project_id,
                ..
            } => on(permission_set, project_id.as_ref()),
            FindingKind::WrongProject {
                permission_set,
                project_id,
                ..
            }
            | FindingKind::WiderThanRequired {
                permission_set,
                project_id,
                ..
            } => on(permission_set, Some(project_id)),
            FindingKind::ExcessGrant {
                permission_set,
                reason,
                ..
            } => format!("{permission_set}:{reason}"),
            FindingKind::UnknownPermissionSet { permission_set }
            | FindingKind::SetNotProven { permission_set, .. } => permission_set.clone(),
            FindingKind::PersonalUserKey { user_id, .. }
            | FindingKind::OrganizationOwner { user_id } => user_id.clone(),
            FindingKind::DefaultProjectMismatch {
                default_project_id, ..
            } => default_project_id.to_string(),
            FindingKind::ProbeAllowed {
                permission_set,
                product,
                project_id,
                ..
            }
            | FindingKind::ProbeDenied {
                permission_set,
                product,
                project_id,
                ..
            }
            | FindingKind::ProbeInconclusive {
                permission_set,
                product,
                project_id,
                ..
            }
            | FindingKind::CanaryProven {
                permission_set,
                product,
                project_id,
                ..
            }
            | FindingKind::CanaryRefused {
                permission_set,
                product,
                project_id,
                ..
            }
            | FindingKind::CanaryInconclusive {
                permission_set,
                product,
                project_id,
                ..
            } => format!("{permission_set}:{product}@{project_id}"),
            FindingKind::CanaryLeftover {
                resource_type,
                name,
                project_id,
                ..
            } => format!("{resource_type}:{name}@{project_id}"),
            FindingKind::NotProven { what } => what.clone(),
            FindingKind::ProjectNotFound { project_id }
            | FindingKind::ProjectUnverified { project_id, .. } => project_id.to_string(),
            FindingKind::OrganizationMismatch { project_id, .. } => project_id
                .as_ref()
                .map_or_else(|| "target".into(), ToString::to_string),
            FindingKind::KeyRejected { reason } => reason.clone(),
            FindingKind::Unknown { fields, .. } => {
                serde_json::to_string(fields).unwrap_or_default()
            }
            FindingKind::KeyExpired { .. }
            | FindingKind::KeyExpiresSoon { .. }
            | FindingKind::KeyNoExpiry
            | FindingKind::KeyNotFound
            | FindingKind::RecentIamChange { .. }
            | FindingKind::IamReadRefused { .. }
            | FindingKind::ConfirmedLive { .. } => String::new(),
        }
    }
}

/// A finding's ID: `F` and 8 hexadecimal digits of a hash (FNV-1a) of its code and
/// subject, so the same finding has the same ID in every report, wherever it is listed.
pub(crate) fn finding_id(code: &str, subject: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in code.bytes().chain([b'|']).chain(subject.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("F{:08x}", (h >> 32) ^ (h & 0xffff_ffff))
}
