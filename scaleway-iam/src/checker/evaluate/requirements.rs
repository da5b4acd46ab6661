//! Step 3, the requirements: for each required set on each target, the grants that cover
//! it (through the catalogue's implications), where they apply, under which condition.

use std::collections::BTreeSet;

use scaleway_core::ProjectId;

use super::remedy::{grant_rule, scw_add_rule, unknown_org_note};
use super::target::{ProjectOrg, TargetFacts};
use super::{Draft, EvalSettings, Ledger, Resolution};
use crate::checker::catalogue::{Basis, Coverage};
use crate::checker::condition::{self, ConditionOutcome};
use crate::checker::evidence::Evidence;
use crate::checker::finding::FindingKind;
use crate::checker::profile::{Profile, RequiredScope};
use crate::checker::report::{Grant, Severity};
use crate::model::{RuleScope, RuleSpec, UserType};

/// What the excess step must not report twice.
#[derive(Debug, Default)]
pub(crate) struct Used {
    /// `(set, rule ID)` of Organization-wide grants reported as `wider_than_required`.
    pub(crate) org_wide: BTreeSet<(String, String)>,
    /// Sets reported as `wrong_project`.
    pub(crate) wrong_project_sets: BTreeSet<String>,
    /// The key is the Organization owner's (no excess: the owner finding says it all).
    pub(crate) owner: bool,
}

/// How the grants covering a requirement stand against one target.
#[derive(Default)]
struct Sorted<'a> {
    /// Applies (a rule naming the project, or an Organization-level requirement met at
    /// Organization level), condition holding.
    exact: Option<(&'a Grant, &'a Coverage)>,
    /// An Organization-wide rule of the project's own Organization, condition holding.
    wide: Option<(&'a Grant, &'a Coverage)>,
    /// An Organization-wide rule, the project's Organization unknown.
    wide_unverified: Option<(&'a Grant, &'a Coverage)>,
    /// Applies, under a condition the checker cannot evaluate.
    conditional: Vec<&'a Grant>,
    /// Applies, under a condition that does not hold for the request context.
    failed: Vec<&'a Grant>,
    /// Organization-wide rules that cannot apply (another Organization, no such project).
    other_org: Vec<&'a Grant>,
}

fn sort<'a>(
    s: &EvalSettings<'_>,
    covering: &'a [(&'a Grant, Coverage)],
    target: Option<&ProjectId>,
    facts: &TargetFacts,
) -> (Sorted<'a>, Vec<&'a Grant>) {
    let mut out = Sorted::default();
    let mut elsewhere = Vec::new();
    for (g, cov) in covering {
        // Where does the grant stand for this target?
        let place = match (target, &g.scope) {
            (None, RuleScope::Organization { .. }) => 0,
            (None, _) => continue,
            (Some(p), RuleScope::Projects { project_ids }) => {
                if project_ids.iter().any(|id| id.as_str() == p.as_str()) {
                    0
                } else {
                    elsewhere.push(*g);
                    continue;
                }
            }
            (Some(p), RuleScope::Organization { organization_id }) => match facts.orgs.get(p) {
                Some(ProjectOrg::Known(o)) if o.as_str() == organization_id.as_str() => 1,
                Some(ProjectOrg::Unknown(_)) | None => 2,
                _ => {
                    out.other_org.push(*g);
                    continue;
                }
            },
            (Some(_), _) => continue,
        };
        match condition::evaluate(&g.condition, s.context) {
            ConditionOutcome::None | ConditionOutcome::Evaluated { holds: true } => {
                let slot = match place {
                    0 => &mut out.exact,
                    1 => &mut out.wide,
                    _ => &mut out.wide_unverified,
                };
                slot.get_or_insert((*g, cov));
            }
            ConditionOutcome::Evaluated { holds: false } => out.failed.push(*g),
            ConditionOutcome::NotEvaluated { .. } => out.conditional.push(*g),
        }
    }
    (out, elsewhere)
}

fn policies(g: &Grant, cov: &Coverage) -> Evidence {
    Evidence::Policies {
        granted_by: g.permission_set.clone(),
        chain: cov.chain.clone(),
        interpreted: cov.basis == Basis::Interpreted,
        organization_wide: g.is_organization_wide(),
    }
}

/// One requirement `set` on one target, its grants sorted.
struct One<'a> {
    profile: &'a Profile,
    res: &'a Resolution,
    set: &'a String,
    target: Option<&'a ProjectId>,
    req: usize,
}

impl One<'_> {
    fn where_(&self) -> String {
        match self.target {
            Some(p) => format!("on project {p}"),
            None => "at Organization level".into(),
        }
    }

    fn met(&self, l: &mut Ledger, g: &Grant, cov: &Coverage) {
        let set = self.set;
        let interpreted = cov.basis == Basis::Interpreted;
        let mut d = Draft::new(
            Severity::Info,
            FindingKind::RequirementMet {
                permission_set: set.clone(),
                project_id: self.target.cloned(),
                granted_by: g.permission_set.clone(),
                chain: cov.chain.clone(),
                interpreted,
            },
            if g.permission_set == *set {
                format!("{set} {}: met", self.where_())
            } else {
                format!(
                    "{set} {}: met through {} ({}{})",
                    self.where_(),
                    g.permission_set,
                    cov.chain.join(" → "),
                    if interpreted {
                        ", an interpretation of the documentation"
                    } else {
                        ""
                    }
                )
            },
        );
        d.paths.push(g.path.clone());
        l.evidence(self.req, policies(g, cov));
        l.push_for(self.req, d);
    }

    /// Met through an Organization-wide grant: wider than required (as severe as the
    /// profile's `wider_scope` says); not linked to the requirement, which it meets.
    fn wider(&self, l: &mut Ledger, used: &mut Used, g: &Grant, cov: &Coverage, p: &ProjectId) {
        let set = self.set;
        used.org_wide
            .insert((g.permission_set.clone(), g.path.rule_id.clone()));
        let mut d = Draft::new(
            super::excess::action_severity(self.profile.excess.wider_scope),
            FindingKind::WiderThanRequired {
                permission_set: set.clone(),
                project_id: p.clone(),
                granted_by: g.permission_set.clone(),
            },
            format!(
                "{set} on project {p}: granted through {} on the whole Organization (every current and future project), not on the project only",
                g.permission_set
            ),
        );
        d.paths.push(g.path.clone());
        let rule = RuleSpec::on_target_project([set.clone()], p);
        d.fix = Some((
            format!(
                "grant {set} on project {p} only, then remove {} from the Organization-wide rule {} of policy \"{}\"",
                g.permission_set, g.path.rule_id, g.path.policy_name
            ),
            scw_add_rule(self.res, &rule, self.profile),
            Some(rule),
        ));
        l.evidence(self.req, policies(g, cov));
        l.push(d);
    }

    fn conditional(&self, l: &mut Ledger, conditional: &[&Grant]) {
        let set = self.set;
        let conditions: Vec<String> = conditional.iter().map(|g| g.condition.clone()).collect();
        let mut d = Draft::new(
            Severity::Unproven,
            FindingKind::RequirementConditional {
                permission_set: set.clone(),
                project_id: self.target.cloned(),
                conditions: conditions.clone(),
            },
            format!(
                "{set} {}: granted only under the condition `{}`, which the checker cannot prove will hold for your requests",
                self.where_(),
                conditions.join("` / `")
            ),
        );
        d.paths = conditional.iter().map(|g| g.path.clone()).collect();
        let rule = grant_rule(set, self.target, self.res);
        d.fix = Some((
            format!(
                "grant {set} {} without condition, or check with the request context (source IP) your requests will have{}",
                self.where_(),
                unknown_org_note(rule.as_ref())
            ),
            rule.as_ref()
                .and_then(|r| scw_add_rule(self.res, r, self.profile)),
            rule,
        ));
        l.push_for(self.req, d);
    }

    fn not_granted(
        &self,
        l: &mut Ledger,
        used: &mut Used,
        sorted: &Sorted<'_>,
        elsewhere: &[&Grant],
    ) {
        let set = self.set;
        let rule = grant_rule(set, self.target, self.res);
        let fix = Some((
            format!(
                "add a rule granting {set} {}{}",
                self.where_(),
                unknown_org_note(rule.as_ref())
            ),
            rule.as_ref()
                .and_then(|r| scw_add_rule(self.res, r, self.profile)),
            rule,
        ));
        if let (false, Some(p)) = (elsewhere.is_empty(), self.target) {
            used.wrong_project_sets
                .extend(elsewhere.iter().map(|g| g.permission_set.clone()));
            let mut granted_on: Vec<String> = elsewhere
                .iter()
                .flat_map(|g| match &g.scope {
                    RuleScope::Projects { project_ids } => {
                        project_ids.iter().map(ToString::to_string).collect()
                    }
                    _ => Vec::new(),
                })
                .collect();
            granted_on.sort();
            granted_on.dedup();
            let mut d = Draft::new(
                Severity::Blocking,
                FindingKind::WrongProject {
                    permission_set: set.clone(),
                    project_id: p.clone(),
                    granted_on: granted_on.clone(),
                },
                format!(
                    "{set} is granted on {} but not on the target project {p}",
                    granted_on.join(", ")
                ),
            );
            d.paths = elsewhere.iter().map(|g| g.path.clone()).collect();
            d.fix = fix;
            l.push_for(self.req, d);
            return;
        }
        let note = if let Some(g) = sorted.failed.first() {
            Some(format!(
                "a rule grants it under `{}`, which does not hold for the given request context",
                g.condition
            ))
        } else {
            sorted.other_org.first().map(|g| {
                format!(
                    "{} is granted on every project of Organization {}, which the target project is not in",
                    g.permission_set,
                    match &g.scope {
                        RuleScope::Organization { organization_id } => organization_id.as_str(),
                        _ => "?",
                    }
                )
            })
        };
        let mut d = Draft::new(
            Severity::Blocking,
            FindingKind::Missing {
                permission_set: set.clone(),
                project_id: self.target.cloned(),
                note: note.clone(),
            },
            match &note {
                Some(n) => format!("{set} {}: missing ({n})", self.where_()),
                None => format!("{set} {}: missing", self.where_()),
            },
        );
        d.paths = sorted
            .failed
            .iter()
            .chain(&sorted.other_org)
            .map(|g| g.path.clone())
            .collect();
        d.fix = fix;
        l.push_for(self.req, d);
    }
}

/// Step 3.
pub(crate) fn the_requirements(
    s: &EvalSettings<'_>,
    profile: &Profile,
    targets: &[ProjectId],
    res: &Resolution,
    facts: &TargetFacts,
    l: &mut Ledger,
) -> Used {
    let cat = s.catalogue;
    let owner = res.user_type == Some(UserType::Owner);
    let mut used = Used {
        owner,
        ..Used::default()
    };
    for req in &profile.requirements {
        let set = &req.permission_set;
        if !cat.knows(set) {
            l.push(Draft::new(
                Severity::Warning,
                FindingKind::UnknownPermissionSet {
                    permission_set: set.clone(),
                },
                format!(
                    "the profile requires {set}, which the catalogue (version {}) does not know: only a grant of {set} itself can meet it",
                    cat.version()
                ),
            ));
        }
        let covering: Vec<(&Grant, Coverage)> = res
            .grants
            .iter()
            .filter_map(|g| cat.coverage(&g.permission_set, set).map(|c| (g, c)))
            .collect();
        let on: Vec<Option<&ProjectId>> = match req.scope {
            RequiredScope::Project => targets.iter().map(Some).collect(),
            RequiredScope::Organization => vec![None],
        };
        for target in on {
            let one = One {
                profile,
                res,
                set,
                target,
                req: l.req(set, target),
            };
            for id in facts.blocking_for(target) {
                l.link(one.req, &id);
            }
            if owner {
                l.evidence(one.req, Evidence::Owner);
                l.push_for(
                    one.req,
                    Draft::new(
                        Severity::Info,
                        FindingKind::RequirementMet {
                            permission_set: set.clone(),
                            project_id: target.cloned(),
                            granted_by: "organization owner".into(),
                            chain: Vec::new(),
                            interpreted: false,
                        },
                        format!(
                            "{set} {}: met (the Organization owner bypasses IAM)",
                            one.where_()
                        ),
                    ),
                );
                continue;
            }
            let (sorted, elsewhere) = sort(s, &covering, target, facts);
            if let Some((g, cov)) = sorted.exact {
                one.met(l, g, cov);
            } else if let (Some((g, cov)), Some(p)) = (sorted.wide, target) {
                one.wider(l, &mut used, g, cov, p);
            } else if let (Some((g, cov)), Some(p)) = (sorted.wide_unverified, target) {
                one.wider(l, &mut used, g, cov, p);
                if let Some(ProjectOrg::Unknown(id)) = facts.orgs.get(p) {
                    l.raise(id, Severity::Unproven);
                    l.link(one.req, id);
                }
            } else if !sorted.conditional.is_empty() {
                one.conditional(l, &sorted.conditional);
            } else {
                one.not_granted(l, &mut used, &sorted, &elsewhere);
            }
        }
    }
    used
}
