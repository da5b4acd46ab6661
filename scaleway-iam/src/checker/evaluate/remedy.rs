//! Remediation helpers: the `scw` command and the policy rule that add a grant.

use scaleway_core::ProjectId;

use super::Resolution;
use super::key::principal_arg;
use crate::checker::profile::Profile;
use crate::model::RuleSpec;

/// The `scw` command adding `rule`: to a policy of the bearer's own without conditional
/// rules (`scw iam rule create` rewrites the policy's rules without their conditions), else
/// as a new policy.
pub(super) fn scw_add_rule(res: &Resolution, rule: &RuleSpec, profile: &Profile) -> Option<String> {
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
    let usable = res.direct_policies.iter().find(|(id, _)| {
        !res.grants
            .iter()
            .any(|g| g.path.policy_id == id.as_str() && !g.condition.is_empty())
    });
    if let Some((policy_id, _)) = usable {
        return Some(format!(
            "scw iam rule create {policy_id} {}",
            args.join(" ")
        ));
    }
    let principal = principal_arg(res.bearer.as_ref()?);
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
pub(super) fn grant_rule(
    set: &str,
    project: Option<&ProjectId>,
    res: &Resolution,
) -> Option<RuleSpec> {
    match project {
        Some(p) => Some(RuleSpec::on_target_project([set.to_owned()], p)),
        None => res
            .organization_id
            .as_ref()
            .filter(|o| !o.is_empty())
            .map(|o| RuleSpec::organization([set.to_owned()], o.clone())),
    }
}

/// Said in a fix's summary when no rule can be written for lack of the Organization ID.
pub(super) fn unknown_org_note(rule: Option<&RuleSpec>) -> &'static str {
    if rule.is_some() {
        ""
    } else {
        " (scoped to your Organization: the checker could not read its ID, so no rule or command is suggested)"
    }
}
