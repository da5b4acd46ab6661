//! Pure evaluation: resolved facts + profile + target → findings, verdict, remediation.
//! No I/O here, so every rule is table-tested (tests at the bottom and tests/evaluate.rs).

use std::collections::{BTreeMap, BTreeSet};

use scaleway_core::Timestamp;

use super::catalogue::{Basis, Catalogue};
use super::condition::{self, ConditionOutcome, RequestContext};
use super::profile::{DefaultProjectRule, ExcessAction, Profile, RequiredScope};
use super::report::{Finding, FindingKind, Grant, GrantPath, Remediation, Severity, Verdict};
use crate::model::{ApiKey, Bearer, PermissionSetScopeType, RuleScope, RuleSpec, UserType};

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
    pub organization_id: Option<String>,
    /// Every grant.
    pub grants: Vec<Grant>,
    /// Policies attached directly to the bearer: `(id, name)` (used for remediation).
    pub direct_policies: Vec<(String, String)>,
    /// IAM objects' last changes: `(when, what)`.
    pub changes: Vec<(Timestamp, String)>,
}

/// Evaluation settings.
#[derive(Debug, Clone)]
pub(crate) struct EvalSettings<'a> {
    pub(crate) catalogue: &'a Catalogue,
    pub(crate) now: Timestamp,
    pub(crate) window: chrono::Duration,
    pub(crate) context: &'a RequestContext,
}

pub(crate) struct Outcome {
    pub(crate) findings: Vec<Finding>,
    pub(crate) remediation: Vec<Remediation>,
}

fn action_severity(a: ExcessAction) -> Severity {
    match a {
        ExcessAction::Forbid => Severity::Blocking,
        ExcessAction::Warn => Severity::Warning,
        ExcessAction::Allow => Severity::Info,
    }
}

/// Builds findings with ids later.
pub(crate) struct Draft {
    pub(crate) severity: Severity,
    pub(crate) kind: FindingKind,
    pub(crate) message: String,
    pub(crate) paths: Vec<GrantPath>,
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
}

/// Numbers drafts (blocking first, then warnings, then info; stable otherwise) and
/// collects their remediations.
pub(crate) fn finish(mut drafts: Vec<Draft>) -> Outcome {
    drafts.sort_by_key(|d| std::cmp::Reverse(d.severity));
    let mut findings = Vec::new();
    let mut remediation = Vec::new();
    for (i, d) in drafts.into_iter().enumerate() {
        let id = format!("F{}", i + 1);
        if let Some((summary, cmd, rule)) = d.fix {
            remediation.push(Remediation {
                finding: id.clone(),
                summary,
                scw_command: cmd,
                rule: rule.and_then(|r| serde_json::to_value(r).ok()),
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
    Outcome {
        findings,
        remediation,
    }
}

/// Whether a blocking finding may go away while recent IAM changes propagate: a missing or
/// wrongly scoped grant, a conditional one, or a key not visible yet.
fn propagation_can_change(kind: &FindingKind) -> bool {
    matches!(
        kind,
        FindingKind::Missing { .. }
            | FindingKind::WrongProject { .. }
            | FindingKind::RequirementConditional { .. }
            | FindingKind::KeyNotFound
    )
}

/// The verdict for numbered findings.
pub(crate) fn verdict(
    findings: &[Finding],
    settles_at: Option<Timestamp>,
    confirmed_live: bool,
    now: Timestamp,
) -> Verdict {
    let blocking: Vec<String> = findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .map(|f| f.id.clone())
        .collect();
    // Only findings about grants (or a key not visible yet) can change while IAM changes
    // propagate; any other blocking finding (expired key, forbidden excess, default project,
    // refused probe, …) makes the key Invalid now.
    let all_deferrable = findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .all(|f| propagation_can_change(&f.kind));
    // Only a new or edited key changed: its grants are not changing, so blocking findings
    // will not go away by waiting.
    let only_key_changed = findings.iter().any(|f| {
        matches!(&f.kind, FindingKind::RecentIamChange { what, .. }
            if what.iter().all(|w| w.starts_with("API key")))
    });
    let waiting_helps = blocking.is_empty() || (all_deferrable && !only_key_changed);
    match settles_at {
        Some(t) if t > now && waiting_helps && !(blocking.is_empty() && confirmed_live) => {
            Verdict::PendingPropagation {
                recheck_after: t,
                recheck_in_seconds: (t - now).num_seconds().max(1) as u64,
                blocking,
            }
        }
        _ if blocking.is_empty() => Verdict::Ready,
        _ => Verdict::Invalid { blocking },
    }
}

fn scw_add_rule(res: &Resolution, rule: &RuleSpec, profile: &Profile) -> Option<String> {
    let mut args = Vec::new();
    for (i, s) in rule.permission_set_names.iter().enumerate() {
        args.push(format!("permission-set-names.{i}={s}"));
    }
    if let Some(p) = &rule.project_ids {
        for (i, id) in p.iter().enumerate() {
            args.push(format!("project-ids.{i}={id}"));
        }
    }
    if let Some(o) = &rule.organization_id {
        args.push(format!("organization-id={o}"));
    }
    // `scw iam rule create` rewrites the policy's rules without their conditions: only
    // suggest it for a policy that has none.
    let usable = res.direct_policies.iter().find(|(id, _)| {
        !res.grants
            .iter()
            .any(|g| g.path.policy_id == *id && !g.condition.is_empty())
    });
    if let Some((policy_id, _)) = usable {
        return Some(format!(
            "scw iam rule create {policy_id} {}",
            args.join(" ")
        ));
    }
    let bearer = res.bearer.as_ref()?;
    let principal = match bearer {
        Bearer::Application(id) => format!("application-id={id}"),
        Bearer::User(id) => format!("user-id={id}"),
    };
    let rules: Vec<String> = args.iter().map(|a| format!("rules.0.{a}")).collect();
    Some(format!(
        "scw iam policy create name={} {principal} {}",
        profile.name,
        rules.join(" ")
    ))
}

/// The rule granting `set` on `project`, or at Organization level when `project` is
/// `None` — which needs the Organization's ID: without it there is no rule to suggest
/// (never `"organization_id": ""`).
fn grant_rule(set: &str, project: Option<&String>, res: &Resolution) -> Option<RuleSpec> {
    match project {
        Some(p) => Some(RuleSpec::projects([set.to_owned()], [p.clone()])),
        None => res
            .organization_id
            .as_deref()
            .filter(|o| !o.trim().is_empty())
            .map(|o| RuleSpec::organization([set.to_owned()], o)),
    }
}

/// Said in a fix's summary when no rule can be written for lack of the Organization ID.
fn unknown_org_note(rule: Option<&RuleSpec>) -> &'static str {
    if rule.is_some() {
        ""
    } else {
        " (scoped to your Organization: the checker could not read its ID, so no rule or command is suggested)"
    }
}

fn has_org_set(cat: &Catalogue, g: &Grant) -> bool {
    cat.scope_of(&g.permission_set, &g.set_scope) == PermissionSetScopeType::Organization
}

/// Evaluates the IAM-resolved facts of a key against a profile.
pub(crate) fn evaluate_resolution(
    s: &EvalSettings<'_>,
    profile: &Profile,
    targets: &[String],
    res: &Resolution,
) -> Vec<Draft> {
    let cat = s.catalogue;
    let mut out: Vec<Draft> = Vec::new();

    // ---------------------------------------------------------------- the key itself
    let Some(key) = &res.key else {
        out.push(Draft::new(
            Severity::Blocking,
            FindingKind::KeyNotFound,
            "the API key does not exist (deleted, or a wrong access key)".into(),
        ));
        return out;
    };
    let ak = key.access_key.to_string();
    match key.expires_at {
        Some(t) if t <= s.now => {
            let mut d = Draft::new(
                Severity::Blocking,
                FindingKind::KeyExpired {
                    expired_at: Some(t),
                },
                format!("the key expired on {}", t.format("%Y-%m-%d %H:%M UTC")),
            );
            d.fix = Some((
                "create a new key for the same bearer (an expired key cannot be extended)".into(),
                None,
                None,
            ));
            out.push(d);
        }
        Some(t) => {
            let days = (t - s.now).num_days();
            if days < i64::from(profile.expiry_warning_days) {
                out.push(Draft::new(
                    Severity::Warning,
                    FindingKind::KeyExpiresSoon {
                        expires_at: t,
                        days_left: days,
                    },
                    format!(
                        "the key expires in {days} day(s), on {}: plan its rotation",
                        t.format("%Y-%m-%d")
                    ),
                ));
            }
        }
        None => {
            let mut d = Draft::new(
                Severity::Warning,
                FindingKind::KeyNoExpiry,
                "the key never expires: a leaked key stays valid forever".into(),
            );
            let create = res.bearer.as_ref().map(|b| {
                let who = match b {
                    Bearer::Application(id) => format!("application-id={id}"),
                    Bearer::User(id) => format!("user-id={id}"),
                };
                format!(
                    "scw iam api-key create {who} expires-at=<RFC 3339 date> default-project-id={}",
                    key.default_project_id
                )
            });
            d.fix = Some((
                format!("rotate {ak} into a key with an expiry (then delete {ak})"),
                create,
                None,
            ));
            out.push(d);
        }
    }
    let owner = res.user_type == Some(UserType::Owner);
    if let Some(Bearer::User(uid)) = &res.bearer {
        out.push(Draft::new(
            Severity::Warning,
            FindingKind::PersonalUserKey {
                user_id: uid.clone(),
                email: res.bearer_name.clone(),
            },
            format!(
                "the key belongs to a person ({}), not to an IAM application: it stops working when they leave, and carries their rights",
                res.bearer_name.as_deref().unwrap_or(uid)
            ),
        ));
        if owner {
            out.push(Draft::new(
                Severity::Warning,
                FindingKind::OrganizationOwner {
                    user_id: uid.clone(),
                },
                "the key belongs to the Organization owner, who bypasses IAM: every requirement passes, but the key can do anything in the Organization".into(),
            ));
        }
    }
    if !key.default_project_id.is_empty()
        && !targets.is_empty()
        && !targets.contains(&key.default_project_id)
    {
        let object_storage = profile.needs_object_storage(cat);
        let required = profile.default_project_rule(cat) == DefaultProjectRule::Require;
        let dp = &key.default_project_id;
        let mut d = Draft::new(
            if required {
                Severity::Blocking
            } else {
                Severity::Warning
            },
            FindingKind::DefaultProjectMismatch {
                default_project_id: dp.clone(),
                target_project_ids: targets.to_vec(),
                object_storage,
                required,
            },
            if required {
                format!(
                    "the key's default project is {dp}, not the target: S3 tools signing with the bare access key (which the profile expects) list and create buckets in {dp} instead"
                )
            } else {
                format!(
                    "the key's default project is {dp}, not the target: the profile's job selects its project itself (S3 requests signed ACCESS_KEY@PROJECT_ID), but other S3 tools using this key would list the buckets of {dp}"
                )
            },
        );
        d.fix = Some((
            format!("make {} the key's default project", targets[0]),
            Some(format!(
                "scw iam api-key update {ak} default-project-id={}",
                targets[0]
            )),
            None,
        ));
        out.push(d);
    }

    // ---------------------------------------------------------------- requirements
    let ctx = s.context;
    let cond = |g: &Grant| condition::evaluate(&g.condition, ctx);
    let mut wrong_project_sets: BTreeSet<String> = BTreeSet::new();
    let mut used_org_wide: BTreeSet<(String, String)> = BTreeSet::new();
    for req in &profile.requirements {
        let set = &req.permission_set;
        if !cat.knows(set) {
            out.push(Draft::new(
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
        if owner {
            let projects: Vec<Option<String>> = match req.scope {
                RequiredScope::Project => targets.iter().cloned().map(Some).collect(),
                RequiredScope::Organization => vec![None],
            };
            for p in projects {
                out.push(Draft::new(
                    Severity::Info,
                    FindingKind::RequirementMet {
                        permission_set: set.clone(),
                        project_id: p,
                        granted_by: "organization owner".into(),
                        chain: Vec::new(),
                        interpreted: false,
                    },
                    format!("{set}: met (the Organization owner bypasses IAM)"),
                ));
            }
            continue;
        }
        let covering: Vec<(&Grant, super::catalogue::Coverage)> = res
            .grants
            .iter()
            .filter_map(|g| cat.coverage(&g.permission_set, set).map(|c| (g, c)))
            .collect();
        let targets_for_req: Vec<Option<&String>> = match req.scope {
            RequiredScope::Project => targets.iter().map(Some).collect(),
            RequiredScope::Organization => vec![None],
        };
        for target in targets_for_req {
            let here: Vec<&(&Grant, super::catalogue::Coverage)> = covering
                .iter()
                .filter(|(g, _)| match target {
                    Some(p) => g.applies_to_project(p),
                    None => g.is_organization_wide(),
                })
                .collect();
            let mut exact_ok = None;
            let mut wide_ok = None;
            let mut conditional = Vec::new();
            let mut failed_conditions = Vec::new();
            for item in &here {
                let (g, _) = item;
                let ok = match cond(g) {
                    ConditionOutcome::None | ConditionOutcome::Evaluated { holds: true } => true,
                    ConditionOutcome::Evaluated { holds: false } => {
                        failed_conditions.push((*g).clone());
                        continue;
                    }
                    ConditionOutcome::NotEvaluated { .. } => {
                        conditional.push((*g).clone());
                        continue;
                    }
                };
                if ok {
                    if target.is_some() && g.is_organization_wide() {
                        wide_ok.get_or_insert(*item);
                    } else {
                        exact_ok.get_or_insert(*item);
                    }
                }
            }
            let pid = target.cloned();
            let where_ = match target {
                Some(p) => format!("on project {p}"),
                None => "at Organization level".into(),
            };
            if let Some((g, cov)) = exact_ok.or(if target.is_none() { wide_ok } else { None }) {
                let interpreted = cov.basis == Basis::Interpreted;
                let mut d = Draft::new(
                    Severity::Info,
                    FindingKind::RequirementMet {
                        permission_set: set.clone(),
                        project_id: pid,
                        granted_by: g.permission_set.clone(),
                        chain: cov.chain.clone(),
                        interpreted,
                    },
                    if g.permission_set == *set {
                        format!("{set} {where_}: met")
                    } else {
                        format!(
                            "{set} {where_}: met through {} ({}{})",
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
                out.push(d);
            } else if let (Some((g, _)), Some(p)) = (wide_ok, target) {
                used_org_wide.insert((g.permission_set.clone(), g.path.rule_id.clone()));
                let mut d = Draft::new(
                    action_severity(profile.excess.wider_scope),
                    FindingKind::WiderThanRequired {
                        permission_set: set.clone(),
                        project_id: p.clone(),
                        granted_by: g.permission_set.clone(),
                    },
                    format!(
                        "{set} on project {p}: met, but through {} granted on the whole Organization (every current and future project)",
                        g.permission_set
                    ),
                );
                d.paths.push(g.path.clone());
                let rule = RuleSpec::projects([set.clone()], [p.clone()]);
                d.fix = Some((
                    format!(
                        "grant {set} on project {p} only, then remove {} from the Organization-wide rule {} of policy \"{}\"",
                        g.permission_set, g.path.rule_id, g.path.policy_name
                    ),
                    scw_add_rule(res, &rule, profile),
                    Some(rule),
                ));
                out.push(d);
            } else if !conditional.is_empty() {
                let conditions: Vec<String> =
                    conditional.iter().map(|g| g.condition.clone()).collect();
                let mut d = Draft::new(
                    Severity::Blocking,
                    FindingKind::RequirementConditional {
                        permission_set: set.clone(),
                        project_id: pid.clone(),
                        conditions: conditions.clone(),
                    },
                    format!(
                        "{set} {where_}: granted only under the condition `{}`, which the checker cannot prove will hold for your requests",
                        conditions.join("` / `")
                    ),
                );
                d.paths = conditional.iter().map(|g| g.path.clone()).collect();
                let rule = grant_rule(set, pid.as_ref(), res);
                d.fix = Some((
                    format!(
                        "grant {set} {where_} without condition, or check with the request context (source IP) your requests will have{}",
                        unknown_org_note(rule.as_ref())
                    ),
                    rule.as_ref().and_then(|r| scw_add_rule(res, r, profile)),
                    rule,
                ));
                out.push(d);
            } else {
                let elsewhere: Vec<&Grant> = covering
                    .iter()
                    .map(|(g, _)| *g)
                    .filter(|g| !here.iter().any(|(h, _)| std::ptr::eq(*h, *g)))
                    .collect();
                let rule = grant_rule(set, pid.as_ref(), res);
                let fix = Some((
                    format!(
                        "add a rule granting {set} {where_}{}",
                        unknown_org_note(rule.as_ref())
                    ),
                    rule.as_ref().and_then(|r| scw_add_rule(res, r, profile)),
                    rule,
                ));
                if let (false, Some(p)) = (elsewhere.is_empty(), target) {
                    wrong_project_sets.extend(elsewhere.iter().map(|g| g.permission_set.clone()));
                    let mut granted_on: Vec<String> = elsewhere
                        .iter()
                        .flat_map(|g| match &g.scope {
                            RuleScope::Projects { project_ids } => project_ids.clone(),
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
                    out.push(d);
                } else {
                    let note = (!failed_conditions.is_empty()).then(|| {
                        format!(
                            "a rule grants it under `{}`, which does not hold for the given request context",
                            failed_conditions[0].condition
                        )
                    });
                    let mut d = Draft::new(
                        Severity::Blocking,
                        FindingKind::Missing {
                            permission_set: set.clone(),
                            project_id: pid.clone(),
                            note: note.clone(),
                        },
                        match &note {
                            Some(n) => format!("{set} {where_}: missing ({n})"),
                            None => format!("{set} {where_}: missing"),
                        },
                    );
                    d.paths = failed_conditions.iter().map(|g| g.path.clone()).collect();
                    d.fix = fix;
                    out.push(d);
                }
            }
        }
    }

    // ---------------------------------------------------------------- excess
    if !owner {
        // (set, reason) → (scope labels, paths, escalation, level)
        type Bucket = (
            BTreeSet<String>,
            Vec<GrantPath>,
            bool,
            PermissionSetScopeType,
            Severity,
        );
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
                RuleScope::Projects { project_ids } => project_ids.clone(),
                RuleScope::Organization { .. } => vec!["organization".into()],
                RuleScope::AccountRootUser { .. } => vec!["account root user".into()],
                RuleScope::Unknown => vec!["unknown".into()],
            };
            let (reason, action) = if has_org_set(cat, g) && !required_covers {
                if escalation {
                    ("escalation", profile.excess.escalation_sets)
                } else {
                    ("organization_level_set", profile.excess.organization_sets)
                }
            } else if !required_covers {
                if escalation {
                    ("escalation", profile.excess.escalation_sets)
                } else {
                    ("other_project_set", profile.excess.other_project_sets)
                }
            } else {
                match &g.scope {
                    RuleScope::Organization { .. }
                        if level != PermissionSetScopeType::Organization =>
                    {
                        if used_org_wide.contains(&(name.clone(), g.path.rule_id.clone())) {
                            continue; // reported as wider_than_required
                        }
                        ("organization_wide", profile.excess.wider_scope)
                    }
                    RuleScope::Projects { project_ids } => {
                        let others: Vec<&String> = project_ids
                            .iter()
                            .filter(|p| !targets.contains(p))
                            .collect();
                        if others.is_empty() || wrong_project_sets.contains(name) {
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
                    .filter(|p| reason != "other_project" || !targets.contains(p)),
            );
            e.1.push(g.path.clone());
        }
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
            out.push(d);
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
                let rule_needed =
                    res.grants
                        .iter()
                        .filter(|g| g.path.rule_id == p.rule_id)
                        .any(|g| {
                            profile.requirements.iter().any(|r| {
                                cat.coverage(&r.permission_set, &g.permission_set).is_some()
                            })
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
            out.push(d);
        }
    }

    // ---------------------------------------------------------------- recent changes
    if let Some((t, _)) = res.changes.iter().max_by_key(|(t, _)| *t)
        && *t + s.window > s.now
    {
        let what: Vec<String> = res
            .changes
            .iter()
            .filter(|(c, _)| *c + s.window > s.now)
            .map(|(_, w)| w.clone())
            .collect();
        out.push(Draft::new(
            Severity::Info,
            FindingKind::RecentIamChange {
                changed_at: *t,
                what: what.clone(),
                settles_at: *t + s.window,
            },
            format!(
                "IAM changed {} s ago ({}): changes can take up to {} s to apply, so this result may still change",
                (s.now - *t).num_seconds().max(0),
                what.join("; "),
                s.window.num_seconds()
            ),
        ));
    }
    out
}

/// When recent changes settle, if some change is within the window.
pub(crate) fn settles_at(findings: &[Finding]) -> Option<Timestamp> {
    findings.iter().find_map(|f| match &f.kind {
        FindingKind::RecentIamChange { settles_at, .. } => Some(*settles_at),
        _ => None,
    })
}
