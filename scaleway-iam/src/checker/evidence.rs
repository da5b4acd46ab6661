//! How each requirement was established: the report's `requirements` section.
//!
//! A requirement (one required permission set, on one target project or at Organization
//! level) is established in one of these ways, strongest last:
//!
//! * **policies**: the key's policies, read through IAM (auditor or self-check mode), grant
//!   it (or the key is the Organization owner's, which IAM does not restrict);
//! * **probe**: a read with the key itself was allowed (probe mode) — which proves read
//!   access only;
//! * **canary**: a write with the key itself, undone — which proves write access. Nothing
//!   produces canary evidence yet: [`CheckOptions`](super::CheckOptions) will gain the
//!   switch that runs canary writes; the model, the verdict and the JSON Schema already
//!   take it;
//! * **none**: not established, and the report says why.

use scaleway_core::ProjectId;
use serde::{Deserialize, Serialize};

/// Whether a requirement holds, as far as the checker could tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RequirementStatus {
    /// Proven to hold.
    Met,
    /// Proven not to hold (missing, mis-scoped, refused, expired key…): a blocking finding
    /// says how.
    NotMet,
    /// Neither: an `unproven` finding says what could not be proven and how to prove it.
    Unproven,
}

/// The strongest way a requirement was established (`none` unless it is `met`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EstablishedBy {
    /// From the key's policies, read through IAM.
    Policies,
    /// By reads with the key itself.
    Probe,
    /// By writes with the key itself, undone.
    Canary,
    /// Not established: see `reason`.
    None,
}

/// One piece of evidence for a requirement. `method` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Evidence {
    /// A grant of the key's policies covers the requirement (IAM read).
    Policies {
        /// The granted set.
        granted_by: String,
        /// Implication chain from the granted set to the required one.
        chain: Vec<String>,
        /// Whether the chain is an interpretation of the documentation.
        interpreted: bool,
        /// Whether the grant is Organization-wide (every project of its Organization).
        organization_wide: bool,
    },
    /// The key is the Organization owner's: IAM does not restrict it (IAM read).
    Owner,
    /// A read with the key itself was allowed.
    Probe {
        /// The product read.
        product: String,
        /// What was read.
        route: String,
    },
    /// A write with the key itself, undone: a resource created, then deleted.
    Canary {
        /// The product written.
        product: String,
        /// The resource type created (`vpc`, `security_group`, `bucket`, …).
        resource_type: String,
        /// The resource's ID (or name), when it was created.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource_id: Option<String>,
        /// Whether it was deleted again (`false`: a leftover, reported by a finding with
        /// how to delete it).
        deleted: bool,
    },
}

impl Evidence {
    /// The way of establishing this evidence stands for.
    pub fn established_by(&self) -> EstablishedBy {
        match self {
            Evidence::Policies { .. } | Evidence::Owner => EstablishedBy::Policies,
            Evidence::Probe { .. } => EstablishedBy::Probe,
            Evidence::Canary { .. } => EstablishedBy::Canary,
        }
    }
}

/// One requirement of the profile on one target, and how the checker established it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RequirementCheck {
    /// The required set.
    pub permission_set: String,
    /// The target project (`None` for an Organization-level requirement).
    pub project_id: Option<ProjectId>,
    /// Met, not met, or unproven.
    pub status: RequirementStatus,
    /// How it was established (`none` unless `met`).
    pub established_by: EstablishedBy,
    /// Everything that speaks for it (reads that worked even when writes are unproven…).
    pub evidence: Vec<Evidence>,
    /// Why it is not met or not proven (the findings' messages), when it is not `met`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// IDs of the findings about it.
    pub findings: Vec<String>,
}
