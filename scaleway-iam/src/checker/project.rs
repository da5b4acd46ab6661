//! Reading the target projects (`GET /account/v3/projects/{project_id}`): whether each
//! exists, and its Organization, which Organization-wide grants and the key's Organization
//! are compared with.

use std::collections::BTreeMap;

use scaleway_core::{Client, ProjectId};

use super::evaluate::ProjectLookup;
use crate::AccountApi;

/// Reads every target project with `client` (the auditor, or the key itself), at once.
pub(crate) async fn lookup(
    client: &Client,
    targets: &[ProjectId],
) -> BTreeMap<ProjectId, ProjectLookup> {
    let reads = targets
        .iter()
        .map(|t| async move { (t.clone(), one(client, t).await) });
    futures::future::join_all(reads).await.into_iter().collect()
}

async fn one(client: &Client, project: &ProjectId) -> ProjectLookup {
    match AccountApi::new(client).get_project(project).await {
        Ok(p) if p.organization_id.is_empty() => ProjectLookup::Unverified {
            reason: "the Account API named no Organization for it".into(),
        },
        Ok(p) => ProjectLookup::Found {
            name: p.name,
            organization_id: p.organization_id,
        },
        Err(e) if e.is_not_found() => ProjectLookup::NotFound,
        Err(e) if e.is_permission_denied() => ProjectLookup::Unverified {
            reason: "the key reading it may not read projects: GET /account/v3/projects/{project_id} answers 403 (ProjectReadOnly, ProjectManager, IAMManager or OrganizationManager read projects)".into(),
        },
        Err(e) => ProjectLookup::Unverified {
            reason: format!("the Account API gave no answer: {e}"),
        },
    }
}
