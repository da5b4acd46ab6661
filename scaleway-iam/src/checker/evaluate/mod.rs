//! Pure evaluation: resolved facts + profile + target → findings, requirements, remediation.
//! No I/O here, so every rule is table-tested (tests/evaluate.rs).
//!
//! [`evaluate_resolution`] runs the steps in order, each in its own file: the key itself
//! (`key.rs`), the target's project and Organization (`target.rs`), the requirements
//! (`requirements.rs`), the excess (`excess.rs`), recent IAM changes (`changes.rs`). The
//! verdict is `super::verdict`.

mod changes;
mod excess;
mod key;
mod remedy;
mod requirements;
mod target;

use std::collections::BTreeMap;

use scaleway_core::{OrganizationId, ProjectId, Timestamp};

use super::catalogue::Catalogue;
use super::condition::RequestContext;
use super::evidence::{EstablishedBy, Evidence, RequirementCheck, RequirementStatus};
use super::finding::{FindingKind, finding_id};
use super::profile::{Profile, RequiredScope};
use super::report::{Finding, Grant, Remediation, Severity};
use crate::model::{ApiKey, Bearer, PolicyId, RuleSpec, UserType};

pub(crate) use key::key_not_found;
pub(crate) use target::{TargetFacts, the_target};

/// What resolution found out about a key (input of [`Checker::evaluate`](super::Checker::evaluate)).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Resolution {
    /// The key (`None` when it does not exist).
    pub key: Option<ApiKey>,
    /// Its bearer.
    pub bearer: Option<Bearer>,
    /// Bearer's display name (application name, user e-mail).
    pub bearer_name: Option<String>,
    /// The bearer's user type, when it is a user.
    pub user_type: Option<UserType>,
    /// Organization of the bearer.
    pub organization_id: Option<OrganizationId>,
    /// Every grant.
    pub grants: Vec<Grant>,
    /// Policies attached directly to the bearer: `(id, name)` (used for remediation).
    pub direct_policies: Vec<(PolicyId, String)>,
    /// IAM objects' last changes: `(when, what)`.
    pub changes: Vec<(Timestamp, String)>,
    /// What the Account API said about each target project, by project ID (a project not
    /// listed was not read: its Organization is unknown).
    pub projects: BTreeMap<ProjectId, ProjectLookup>,
}

/// What `GET /account/v3/projects/{project_id}` said about a target project.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProjectLookup {
    /// The project exists.
    Found {
        /// Its name.
        name: String,
        /// Its Organization.
        organization_id: OrganizationId,
    },
    /// 404: no such project.
    NotFound,
    /// It could not be read (403 for a reader without `ProjectReadOnly`, no answer, …).
    Unverified {
        /// Why.
        reason: String,
    },
}

/// Evaluation settings.
#[derive(Debug, Clone)]
pub(crate) struct EvalSettings<'a> {
    pub(crate) catalogue: &'a Catalogue,
    pub(crate) now: Timestamp,
    pub(crate) window: chrono::Duration,
    pub(crate) context: &'a RequestContext,
    /// The Organization the caller named (normal form).
    pub(crate) target_organization: Option<OrganizationId>,
    /// When the caller says the key was created.
    pub(crate) key_created_at: Option<Timestamp>,
}

/// Builds findings; their IDs come from their code and subject.
pub(crate) struct Draft {
    pub(crate) severity: Severity,
    pub(crate) kind: FindingKind,
    pub(crate) message: String,
    pub(crate) paths: Vec<crate::checker::GrantPath>,
    pub(crate) fix: Option<(String, Option<String>, Option<RuleSpec>)>,
}

impl Draft {
    pub(crate) fn new(severity: Severity, kind: FindingKind, message: String) -> Self {
        Draft {
            severity,
            kind,
            message,
            paths: Vec::new(),
            fix: None,
        }
    }

    /// The finding's ID (see [`finding_id`]).
    pub(crate) fn id(&self) -> String {
        finding_id(self.kind.code_str(), &self.kind.subject())
    }
}

/// One requirement on one target, while it is being established.
#[derive(Debug, Clone)]
pub(crate) struct ReqDraft {
    pub(crate) set: String,
    pub(crate) project: Option<ProjectId>,
    pub(crate) evidence: Vec<Evidence>,
    pub(crate) findings: Vec<String>,
}

/// The findings and requirements of a check, as the steps add them.
#[derive(Default)]
pub(crate) struct Ledger {
    pub(crate) drafts: Vec<Draft>,
    pub(crate) reqs: Vec<ReqDraft>,
}

impl Ledger {
    /// Adds a finding about no requirement in particular.
    pub(crate) fn push(&mut self, d: Draft) {
        self.drafts.push(d);
    }

    /// The requirement `set` on `project` (`None`: at Organization level), added if new.
    pub(crate) fn req(&mut self, set: &str, project: Option<&ProjectId>) -> usize {
        if let Some(i) = self
            .reqs
            .iter()
            .position(|r| r.set == set && r.project.as_ref() == project)
        {
            return i;
        }
        self.reqs.push(ReqDraft {
            set: set.to_owned(),
            project: project.cloned(),
            evidence: Vec::new(),
            findings: Vec::new(),
        });
        self.reqs.len() - 1
    }

    /// Every requirement of `profile` on `targets`.
    pub(crate) fn every_req(&mut self, profile: &Profile, targets: &[ProjectId]) -> Vec<usize> {
        let mut out = Vec::new();
        for r in &profile.requirements {
            match r.scope {
                RequiredScope::Project => {
                    for t in targets {
                        out.push(self.req(&r.permission_set, Some(t)));
                    }
                }
                RequiredScope::Organization => out.push(self.req(&r.permission_set, None)),
            }
        }
        out
    }

    /// Adds a finding about requirement `req`.
    pub(crate) fn push_for(&mut self, req: usize, d: Draft) {
        self.link(req, &d.id());
        self.drafts.push(d);
    }

    /// Links an existing (or coming) finding to requirement `req`.
    pub(crate) fn link(&mut self, req: usize, id: &str) {
        if let Some(r) = self.reqs.get_mut(req)
            && !r.findings.iter().any(|f| f == id)
        {
            r.findings.push(id.to_owned());
        }
    }

    /// Adds evidence for requirement `req`.
    pub(crate) fn evidence(&mut self, req: usize, e: Evidence) {
        if let Some(r) = self.reqs.get_mut(req)
            && !r.evidence.contains(&e)
        {
            r.evidence.push(e);
        }
    }

    /// Raises the severity of finding `id` to at least `severity`.
    pub(crate) fn raise(&mut self, id: &str, severity: Severity) {
        for d in &mut self.drafts {
            if d.id() == id && d.severity < severity {
                d.severity = severity;
            }
        }
    }
}

pub(crate) struct Outcome {
    pub(crate) findings: Vec<Finding>,
    pub(crate) remediation: Vec<Remediation>,
    pub(crate) requirements: Vec<RequirementCheck>,
}

/// Orders findings (blocking first, then unproven, warnings, information; stable
/// otherwise), gives them their IDs, collects their remediations and settles each
/// requirement: not met when a blocking finding is about it, unproven when an unproven one
/// is (or nothing speaks for it), else met.
pub(crate) fn finish(ledger: Ledger) -> Outcome {
    let Ledger { mut drafts, reqs } = ledger;
    drafts.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let mut findings: Vec<Finding> = Vec::new();
    let mut remediation = Vec::new();
    for d in drafts {
        let base = d.id();
        let mut id = base.clone();
        let mut n = 1;
        while findings.iter().any(|f| f.id == id) {
            n += 1;
            id = format!("{base}-{n}");
        }
        if let Some((summary, cmd, rule)) = d.fix {
            remediation.push(Remediation {
                finding: id.clone(),
                summary,
                scw_command: cmd,
                rule,
            });
        }
        findings.push(Finding {
            id,
            severity: d.severity,
            kind: d.kind,
            message: d.message,
            paths: d.paths,
        });
    }
    let requirements = reqs.into_iter().map(|r| settle(r, &findings)).collect();
    Outcome {
        findings,
        remediation,
        requirements,
    }
}

fn settle(r: ReqDraft, findings: &[Finding]) -> RequirementCheck {
    let about: Vec<&Finding> = findings
        .iter()
        .filter(|f| r.findings.contains(&f.id))
        .collect();
    let worst = about.iter().map(|f| f.severity).max();
    let status = match worst {
        Some(Severity::Blocking) => RequirementStatus::NotMet,
        Some(Severity::Unproven) => RequirementStatus::Unproven,
        _ if r.evidence.is_empty() => RequirementStatus::Unproven,
        _ => RequirementStatus::Met,
    };
    let established_by = match status {
        RequirementStatus::Met => r
            .evidence
            .iter()
            .map(Evidence::established_by)
            .max_by_key(|e| match e {
                EstablishedBy::Canary => 3,
                EstablishedBy::Policies => 2,
                EstablishedBy::Probe => 1,
                _ => 0,
            })
            .unwrap_or(EstablishedBy::None),
        _ => EstablishedBy::None,
    };
    let reason = match status {
        RequirementStatus::Met => None,
        _ => {
            let why: Vec<&str> = about
                .iter()
                .filter(|f| f.severity >= Severity::Unproven)
                .map(|f| f.message.as_str())
                .collect();
            Some(if why.is_empty() {
                "nothing was found that proves it".to_owned()
            } else {
                why.join("; ")
            })
        }
    };
    RequirementCheck {
        permission_set: r.set,
        project_id: r.project,
        status,
        established_by,
        evidence: r.evidence,
        reason,
        findings: r.findings,
    }
}

/// Evaluates the IAM-resolved facts of a key against a profile: the key itself, the
/// target's project and Organization, the requirements, the excess, recent changes.
pub(crate) fn evaluate_resolution(
    s: &EvalSettings<'_>,
    profile: &Profile,
    targets: &[ProjectId],
    res: &Resolution,
) -> Ledger {
    let mut l = Ledger::default();
    if key::the_key(s, profile, targets, res, &mut l).is_none() {
        return l;
    }
    let facts = target::the_target(s, targets, res, &mut l);
    let used = requirements::the_requirements(s, profile, targets, res, &facts, &mut l);
    excess::the_excess(s, profile, targets, res, &used, &mut l);
    changes::recent_changes(s, res, &mut l);
    l
}
