//! Step 2, the target: is each target project real, and in the key's Organization (and in
//! the one the caller named)? An Organization-wide grant covers the projects of its own
//! Organization only, so the requirements step needs each project's Organization.

use std::collections::BTreeMap;

use scaleway_core::{OrganizationId, ProjectId};

use super::{Draft, EvalSettings, Ledger, ProjectLookup, Resolution};
use crate::checker::finding::FindingKind;
use crate::checker::report::Severity;

/// What is known of a target project's Organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ProjectOrg {
    /// Read from the Account API.
    Known(OrganizationId),
    /// The project does not exist (a blocking finding says so).
    NotFound,
    /// Not read: the ID of the `project_unverified` finding, raised to `unproven` when a
    /// requirement depends on it.
    Unknown(String),
}

/// What the target step found out.
#[derive(Debug, Default)]
pub(crate) struct TargetFacts {
    /// Each target project's Organization.
    pub(crate) orgs: BTreeMap<ProjectId, ProjectOrg>,
    /// The blocking findings about each target project (not found, another
    /// Organization), which make every requirement on it not met. Key `""`: about every
    /// target.
    pub(crate) blocking: BTreeMap<String, Vec<String>>,
}

impl TargetFacts {
    /// The blocking findings about `project` (`None`: an Organization-level requirement).
    pub(crate) fn blocking_for(&self, project: Option<&ProjectId>) -> Vec<String> {
        let mut out = self.blocking.get("").cloned().unwrap_or_default();
        if let Some(p) = project {
            out.extend(self.blocking.get(p.as_str()).cloned().unwrap_or_default());
        }
        out
    }

    fn block(&mut self, project: &str, l: &mut Ledger, d: Draft) {
        self.blocking
            .entry(project.to_owned())
            .or_default()
            .push(d.id());
        l.push(d);
    }
}

/// The Organizations compared: the key's (IAM), the project's (Account API) and the
/// caller's ([`Target::organization_id`](crate::checker::Target)).
struct Orgs<'a> {
    key: Option<&'a OrganizationId>,
    caller: Option<&'a OrganizationId>,
}

fn mismatch(
    project: Option<&ProjectId>,
    project_org: Option<&OrganizationId>,
    orgs: &Orgs<'_>,
) -> Option<Draft> {
    let known: Vec<(&str, &OrganizationId)> = [
        ("the key's", orgs.key),
        ("the project's", project_org),
        ("the one you named", orgs.caller),
    ]
    .into_iter()
    .filter_map(|(who, o)| o.map(|o| (who, o)))
    .collect();
    let first = known.first()?.1;
    if known.iter().all(|(_, o)| *o == first) {
        return None;
    }
    let said: Vec<String> = known
        .iter()
        .map(|(who, o)| format!("{who} is {o}"))
        .collect();
    let mut d = Draft::new(
        Severity::Blocking,
        FindingKind::OrganizationMismatch {
            project_id: project.cloned(),
            key_organization_id: orgs.key.cloned(),
            project_organization_id: project_org.cloned(),
            target_organization_id: orgs.caller.cloned(),
        },
        format!(
            "{}: the Organizations differ ({}), and a key's rights apply in its own Organization only",
            match project {
                Some(p) => format!("project {p}"),
                None => "the target".to_owned(),
            },
            said.join(", ")
        ),
    );
    d.fix = Some((
        "check the project ID and the Organization: give a key of the project's Organization (or a project of the key's Organization)".into(),
        None,
        None,
    ));
    Some(d)
}

/// Step 2.
pub(crate) fn the_target(
    s: &EvalSettings<'_>,
    targets: &[ProjectId],
    res: &Resolution,
    l: &mut Ledger,
) -> TargetFacts {
    let orgs = Orgs {
        key: res.organization_id.as_ref(),
        caller: s.target_organization.as_ref(),
    };
    let mut facts = TargetFacts::default();
    let mut compared = false;
    for t in targets {
        let fact = match res.projects.get(t) {
            Some(ProjectLookup::Found {
                organization_id, ..
            }) => {
                compared = true;
                if let Some(d) = mismatch(Some(t), Some(organization_id), &orgs) {
                    facts.block(t.as_str(), l, d);
                }
                ProjectOrg::Known(organization_id.clone())
            }
            Some(ProjectLookup::NotFound) => {
                let mut d = Draft::new(
                    Severity::Blocking,
                    FindingKind::ProjectNotFound {
                        project_id: t.clone(),
                    },
                    format!(
                        "project {t} does not exist (GET /account/v3/projects/{t} answers 404): a mistyped ID, or a deleted project"
                    ),
                );
                d.fix = Some((
                    "check the project ID (scw account project list)".into(),
                    None,
                    None,
                ));
                facts.block(t.as_str(), l, d);
                ProjectOrg::NotFound
            }
            other => {
                let reason = match other {
                    Some(ProjectLookup::Unverified { reason }) => reason.clone(),
                    _ => "the project was not read".to_owned(),
                };
                let d = Draft::new(
                    Severity::Info,
                    FindingKind::ProjectUnverified {
                        project_id: t.clone(),
                        reason: reason.clone(),
                    },
                    format!(
                        "project {t} could not be read ({reason}): whether it exists and which Organization holds it are not proven, so an Organization-wide grant (which covers the projects of its own Organization only) is not proven to cover it"
                    ),
                );
                let id = d.id();
                l.push(d);
                ProjectOrg::Unknown(id)
            }
        };
        facts.orgs.insert(t.clone(), fact);
    }
    if !compared && let Some(d) = mismatch(None, None, &orgs) {
        facts.block("", l, d);
    }
    facts
}
