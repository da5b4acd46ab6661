//! Step 4, the excess: grants beyond the profile, as severe as the profile's least-privilege
//! settings say (`excess.*`).

use std::collections::{BTreeMap, BTreeSet};

use scaleway_core::ProjectId;

use super::requirements::Used;
use super::{Draft, EvalSettings, Ledger, Resolution};
use crate::checker::catalogue::Catalogue;
use crate::checker::finding::FindingKind;
use crate::checker::profile::{ExcessAction, Profile};
use crate::checker::report::{Grant, GrantPath, Severity};
use crate::model::{PermissionSetScopeType, RuleScope};

/// The severity of an excess the profile forbids, warns about or allows.
pub(crate) fn action_severity(a: ExcessAction) -> Severity {
    match a {
        ExcessAction::Forbid => Severity::Blocking,
        ExcessAction::Warn => Severity::Warning,
        ExcessAction::Allow => Severity::Info,
    }
}

/// The stricter of two actions.
fn stricter(a: ExcessAction, b: ExcessAction) -> ExcessAction {
    let rank = |x: ExcessAction| match x {
        ExcessAction::Forbid => 2,
        ExcessAction::Warn => 1,
        ExcessAction::Allow => 0,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// Whether a grant acts at Organization level: an Organization-level set (catalogue, else
/// the rule's `permission_sets_scope_type`), or an `account_root_user` set or scope (the
/// account root user is above every project).
fn organization_level(cat: &Catalogue, g: &Grant) -> bool {
    matches!(
        cat.scope_of(&g.permission_set, &g.set_scope),
        PermissionSetScopeType::Organization | PermissionSetScopeType::AccountRootUser
    ) || matches!(g.scope, RuleScope::AccountRootUser { .. })
}

/// The excess grants by `(set, reason)`: scope labels, paths, escalation, level, severity.
type Bucket = (
    BTreeSet<String>,
    Vec<GrantPath>,
    bool,
    PermissionSetScopeType,
    Severity,
);

/// Excess grants by set and reason; grants of sets the catalogue does not know.
type Collected = (
    BTreeMap<(String, String), Bucket>,
    BTreeMap<String, Vec<GrantPath>>,
);

/// Step 4 (nothing for the Organization owner's key: its own finding says it can do
/// anything).
pub(crate) fn the_excess(
    s: &EvalSettings<'_>,
    profile: &Profile,
    targets: &[ProjectId],
    res: &Resolution,
    used: &Used,
    l: &mut Ledger,
) {
    if used.owner {
        return;
    }
    let (excess, unknown) = collect(s.catalogue, profile, targets, res, used);
    report(s.catalogue, profile, res, excess, unknown, l);
}

/// Sorts every grant the profile does not need (or not there) by set and reason.
fn collect(
    cat: &Catalogue,
    profile: &Profile,
    targets: &[ProjectId],
    res: &Resolution,
    used: &Used,
) -> Collected {
    let mut excess: BTreeMap<(String, String), Bucket> = BTreeMap::new();
    let mut unknown: BTreeMap<String, Vec<GrantPath>> = BTreeMap::new();
    for g in &res.grants {
        let name = &g.permission_set;
        if profile.excess.allow.iter().any(|a| a == name) {
            continue;
        }
        if !cat.knows(name) {
            unknown
                .entry(name.clone())
                .or_default()
                .push(g.path.clone());
        }
        let level = cat.scope_of(name, &g.set_scope);
        let required_covers = profile
            .requirements
            .iter()
            .any(|r| cat.coverage(&r.permission_set, name).is_some());
        let escalation = cat.escalation(name).is_some();
        let scope_labels: Vec<String> = match &g.scope {
            RuleScope::Projects { project_ids } => {
                project_ids.iter().map(ToString::to_string).collect()
            }
            RuleScope::Organization { .. } => vec!["organization".into()],
            RuleScope::AccountRootUser { .. } => vec!["account root user".into()],
            RuleScope::Unknown => vec!["unknown".into()],
        };
        let org_wide = matches!(g.scope, RuleScope::Organization { .. });
        let (reason, action) = if escalation && !required_covers {
            ("escalation", profile.excess.escalation_sets)
        } else if organization_level(cat, g)
            && (!required_covers || matches!(g.scope, RuleScope::AccountRootUser { .. }))
        {
            ("organization_level_set", profile.excess.organization_sets)
        } else if !required_covers {
            // A set the job does not need; on every project, as strict as all-projects
            // grants are.
            let action = if org_wide {
                stricter(
                    profile.excess.other_project_sets,
                    profile.excess.wider_scope,
                )
            } else {
                profile.excess.other_project_sets
            };
            ("other_project_set", action)
        } else {
            match &g.scope {
                RuleScope::Organization { .. } if level != PermissionSetScopeType::Organization => {
                    if used
                        .org_wide
                        .contains(&(name.clone(), g.path.rule_id.clone()))
                    {
                        continue; // reported as wider_than_required
                    }
                    ("organization_wide", profile.excess.wider_scope)
                }
                RuleScope::Projects { project_ids } => {
                    let others: Vec<&ProjectId> = project_ids
                        .iter()
                        .filter(|p| !targets.contains(p))
                        .collect();
                    if others.is_empty() || used.wrong_project_sets.contains(name) {
                        continue;
                    }
                    ("other_project", profile.excess.other_project_sets)
                }
                _ => continue,
            }
        };
        let e = excess
            .entry((name.clone(), reason.to_owned()))
            .or_insert_with(|| {
                (
                    BTreeSet::new(),
                    Vec::new(),
                    escalation,
                    level.clone(),
                    action_severity(action),
                )
            });
        e.0.extend(
            scope_labels
                .into_iter()
                .filter(|p| reason != "other_project" || !targets.iter().any(|t| t.as_str() == p)),
        );
        e.1.push(g.path.clone());
    }
    (excess, unknown)
}

/// The findings of the excess grants, with the fix of the blocking ones.
fn report(
    cat: &Catalogue,
    profile: &Profile,
    res: &Resolution,
    excess: BTreeMap<(String, String), Bucket>,
    unknown: BTreeMap<String, Vec<GrantPath>>,
    l: &mut Ledger,
) {
    for (name, paths) in unknown {
        let mut d = Draft::new(
            Severity::Warning,
            FindingKind::UnknownPermissionSet {
                permission_set: name.clone(),
            },
            format!(
                "{name} is granted but the catalogue (version {}) does not know it: it is assumed to cover nothing else",
                cat.version()
            ),
        );
        d.paths = paths;
        l.push(d);
    }
    for ((name, reason), (scope, paths, escalation, level, severity)) in excess {
        let scope: Vec<String> = scope.into_iter().collect();
        let message = match reason.as_str() {
            "escalation" => format!(
                "{name} is granted ({}): it lets the key give itself any other permission (escalation-grade); the profile does not need it",
                scope.join(", ")
            ),
            "organization_level_set" => {
                format!("{name} is an Organization-level set the profile does not need")
            }
            "other_project_set" => format!(
                "{name} is granted on {} but the profile does not need it",
                scope.join(", ")
            ),
            "organization_wide" => format!(
                "{name} is also granted on the whole Organization (every current and future project)"
            ),
            _ => format!(
                "{name} is also granted on other projects: {}",
                scope.join(", ")
            ),
        };
        let first = paths.first().cloned();
        let mut d = Draft::new(
            severity,
            FindingKind::ExcessGrant {
                permission_set: name.clone(),
                set_scope: level,
                reason,
                escalation,
                scope,
            },
            message,
        );
        if severity == Severity::Blocking
            && let Some(p) = first
        {
            // The whole rule can go when it grants nothing the profile needs, and the
            // policy has no conditional rule (`scw iam rule delete` drops conditions).
            let rule_needed = res
                .grants
                .iter()
                .filter(|g| g.path.rule_id == p.rule_id)
                .any(|g| {
                    profile
                        .requirements
                        .iter()
                        .any(|r| cat.coverage(&r.permission_set, &g.permission_set).is_some())
                });
            let conditional_policy = res
                .grants
                .iter()
                .any(|g| g.path.policy_id == p.policy_id && !g.condition.is_empty());
            let cmd = (!rule_needed && !conditional_policy)
                .then(|| format!("scw iam rule delete {} rule-id={}", p.policy_id, p.rule_id));
            d.fix = Some((
                format!(
                    "remove {name} from rule {} of policy \"{}\" ({}){}",
                    p.rule_id,
                    p.policy_name,
                    p.policy_id,
                    if cmd.is_some() {
                        ": the rule grants nothing the profile needs"
                    } else {
                        " — set the policy's other rules with PUT /iam/v1alpha1/rules, or edit the policy in the console"
                    }
                ),
                cmd,
                None,
            ));
        }
        d.paths = paths;
        l.push(d);
    }
}
