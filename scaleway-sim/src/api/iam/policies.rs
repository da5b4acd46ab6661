//! IAM policies, their rules (validated against the permission-set catalogue) and the
//! permission sets.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;

use crate::api::{bool_field, required_str, str_field, strings_field, uuid_field};
use crate::error::{ApiError, json, no_content};
use crate::http::{Ctx, created_now, list_response, slice, sort_by_order, std_page};
use crate::model::{Policy, Principal};
use crate::state::{RuleScopeSpec, RuleSpec, rules_from_specs};
use crate::util::{is_uuid, now};

use super::{nf, org_filter};

pub(super) fn list_policies(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = std_page(ctx)?;
    let org = org_filter(ctx)?;
    let editable = ctx.bool_query("editable")?;
    let no_principal = ctx.bool_query("no_principal")?;
    let name = ctx.query.get("policy_name");
    let tag = ctx.query.get("tag");
    let users = ctx.query.all("user_ids");
    let groups = ctx.query.all("group_ids");
    let apps = ctx.query.all("application_ids");
    let ids = ctx.query.all("policy_ids");
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let mut items: Vec<&Arc<Policy>> = st
        .iam
        .policies
        .iter_ordered()
        .into_iter()
        .filter(|p| org.is_none_or(|o| o == p.organization_id))
        .filter(|p| editable.is_none_or(|e| e == p.editable))
        .filter(|p| no_principal.is_none_or(|n| n == matches!(p.principal, Principal::Nobody(_))))
        .filter(|p| name.is_none_or(|n| p.name.contains(n)))
        .filter(|p| tag.is_none_or(|t| p.tags.iter().any(|x| x == t)))
        .filter(|p| {
            let any = !(users.is_empty() && groups.is_empty() && apps.is_empty());
            !any || match &p.principal {
                Principal::User(u) => users.contains(&u.as_str()),
                Principal::Group(g) => groups.contains(&g.as_str()),
                Principal::Application(a) => apps.contains(&a.as_str()),
                Principal::Nobody(_) => false,
            }
        })
        .filter(|p| ids.is_empty() || ids.contains(&p.id.as_str()))
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "policy_name_asc",
        |p| &p.name,
        |p| p.created_at,
        |p| p.updated_at,
    )?;
    Ok(list_response("policies", slice(&items, page), items.len()))
}

pub(super) fn get_policy(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("policy_id")?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let p = st.iam.policies.get(id).ok_or_else(|| nf("policy", id))?;
    Ok(json(StatusCode::OK, &**p))
}

pub(super) fn parse_rule_specs(
    value: Option<&serde_json::Value>,
) -> Result<Vec<RuleSpec>, ApiError> {
    let bad = || ApiError::invalid("rules", "format", "value must be an array of rules");
    let Some(v) = value else {
        return Ok(Vec::new());
    };
    let serde_json::Value::Array(arr) = v else {
        return if v.is_null() {
            Ok(Vec::new())
        } else {
            Err(bad())
        };
    };
    arr.iter()
        .map(|r| {
            let serde_json::Value::Object(m) = r else {
                return Err(bad());
            };
            let sets = strings_field(m, "permission_set_names")?.unwrap_or_default();
            let condition = str_field(m, "condition")?.unwrap_or_default();
            let projects = strings_field(m, "project_ids")?;
            let org = uuid_field(m, "organization_id")?;
            let scope = match (projects, org) {
                (Some(p), None) => {
                    if let Some(bad_id) = p.iter().find(|x| !is_uuid(x)) {
                        let _ = bad_id;
                        return Err(ApiError::invalid_uuid("project_ids"));
                    }
                    RuleScopeSpec::Projects(p)
                }
                (None, Some(_)) => RuleScopeSpec::Organization,
                _ => {
                    return Err(ApiError::invalid(
                        "project_ids",
                        "required",
                        "exactly one of project_ids and organization_id is required",
                    ));
                }
            };
            Ok(RuleSpec {
                permission_set_names: sets,
                scope,
                condition,
            })
        })
        .collect()
}

/// Checks rule specs against the catalogue: known sets; organization-scoped sets only in
/// organization-scoped rules; one scope type per rule (sim choice: the real validation messages are
/// not recorded).
pub(super) fn validate_specs(specs: &[RuleSpec]) -> Result<(), ApiError> {
    for s in specs {
        let mut kinds = std::collections::BTreeSet::new();
        for name in &s.permission_set_names {
            match crate::iam::set_is_organization(name) {
                None => {
                    return Err(ApiError::invalid(
                        "permission_set_names",
                        "constraint",
                        "unknown permission set",
                    ));
                }
                Some(o) => {
                    kinds.insert(o);
                }
            }
        }
        if kinds.len() > 1
            || (kinds.contains(&true) && matches!(s.scope, RuleScopeSpec::Projects(_)))
        {
            return Err(ApiError::invalid(
                "permission_set_names",
                "constraint",
                "permission sets of a rule must all match the rule's scope",
            ));
        }
    }
    Ok(())
}

pub(super) fn create_policy(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body = ctx.json_body()?;
    let name = required_str(&body, "name")?;
    let description = str_field(&body, "description")?.unwrap_or_default();
    let tags = strings_field(&body, "tags")?.unwrap_or_default();
    let specs = parse_rule_specs(body.get("rules"))?;
    validate_specs(&specs)?;
    let principal = match (
        uuid_field(&body, "user_id")?,
        uuid_field(&body, "group_id")?,
        uuid_field(&body, "application_id")?,
        bool_field(&body, "no_principal")?,
    ) {
        (Some(u), None, None, None | Some(false)) => Principal::User(u),
        (None, Some(g), None, None | Some(false)) => Principal::Group(g),
        (None, None, Some(a), None | Some(false)) => Principal::Application(a),
        (None, None, None, Some(true)) => Principal::Nobody(true),
        _ => {
            return Err(ApiError::invalid(
                "principal",
                "required",
                "exactly one of user_id, group_id, application_id and no_principal is required",
            ));
        }
    };
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    match &principal {
        Principal::User(u) if st.iam.users.get(u).is_none() => return Err(nf("user", u)),
        Principal::Group(g) if st.iam.groups.get(g).is_none() => return Err(nf("group", g)),
        Principal::Application(a) if st.iam.applications.get(a).is_none() => {
            return Err(nf("application", a));
        }
        _ => {}
    }
    let rules = rules_from_specs(&mut st, &specs).map_err(|_| {
        ApiError::invalid(
            "permission_set_names",
            "constraint",
            "unknown permission set",
        )
    })?;
    let t = created_now();
    let mut policy = Policy {
        id: st.new_id(),
        name,
        description,
        organization_id: st.organization_id.clone(),
        created_at: t,
        updated_at: t,
        editable: true,
        deletable: true,
        managed: false,
        nb_rules: 0,
        nb_scopes: 0,
        nb_permission_sets: 0,
        tags,
        principal,
        rules,
    };
    policy.recount();
    let stored = policy.clone();
    st.iam_change(move |iam| iam.policies.insert(stored.clone()));
    Ok(json(StatusCode::OK, &policy))
}

pub(super) fn update_policy(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("policy_id")?.to_owned();
    let body = ctx.json_body()?;
    let name = str_field(&body, "name")?;
    let description = str_field(&body, "description")?;
    let tags = strings_field(&body, "tags")?;
    let principal = match (
        uuid_field(&body, "user_id")?,
        uuid_field(&body, "group_id")?,
        uuid_field(&body, "application_id")?,
        bool_field(&body, "no_principal")?,
    ) {
        (None, None, None, None | Some(false)) => None,
        (Some(u), None, None, None | Some(false)) => Some(Principal::User(u)),
        (None, Some(g), None, None | Some(false)) => Some(Principal::Group(g)),
        (None, None, Some(a), None | Some(false)) => Some(Principal::Application(a)),
        (None, None, None, Some(true)) => Some(Principal::Nobody(true)),
        _ => {
            return Err(ApiError::invalid(
                "principal",
                "constraint",
                "at most one of user_id, group_id, application_id and no_principal",
            ));
        }
    };
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    if st.iam.policies.get(&id).is_none() {
        return Err(nf("policy", &id));
    }
    let t = now();
    let pid = id.clone();
    st.iam_change(move |iam| {
        if let Some(p) = iam.policies.get_mut(&pid) {
            if let Some(n) = &name {
                n.clone_into(&mut p.name);
            }
            if let Some(d) = &description {
                d.clone_into(&mut p.description);
            }
            if let Some(t) = &tags {
                p.tags.clone_from(t);
            }
            if let Some(pr) = &principal {
                p.principal = pr.clone();
            }
            p.updated_at = t;
        }
    });
    let out = st.iam.policies.get(&id).map(|p| (**p).clone());
    out.map_or_else(|| Err(nf("policy", &id)), |p| Ok(json(StatusCode::OK, &p)))
}

pub(super) fn delete_policy(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("policy_id")?.to_owned();
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    if st.iam.policies.get(&id).is_none() {
        return Err(nf("policy", &id));
    }
    st.iam_change(move |iam| {
        iam.policies.remove(&id);
    });
    Ok(no_content())
}

pub(super) fn list_rules(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = std_page(ctx)?;
    let Some(policy_id) = ctx.uuid_query("policy_id")? else {
        return Err(ApiError::invalid(
            "policy_id",
            "required",
            "required key not provided",
        ));
    };
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let p = st
        .iam
        .policies
        .get(policy_id)
        .ok_or_else(|| nf("policy", policy_id))?;
    Ok(list_response("rules", slice(&p.rules, page), p.rules.len()))
}

pub(super) fn set_rules(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body = ctx.json_body()?;
    let Some(policy_id) = uuid_field(&body, "policy_id")? else {
        return Err(ApiError::invalid(
            "policy_id",
            "required",
            "required key not provided",
        ));
    };
    let specs = parse_rule_specs(body.get("rules"))?;
    validate_specs(&specs)?;
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    if st.iam.policies.get(&policy_id).is_none() {
        return Err(nf("policy", &policy_id));
    }
    let rules = rules_from_specs(&mut st, &specs).map_err(|_| {
        ApiError::invalid(
            "permission_set_names",
            "constraint",
            "unknown permission set",
        )
    })?;
    let out = rules.clone();
    let t = now();
    st.iam_change(move |iam| {
        if let Some(p) = iam.policies.get_mut(&policy_id) {
            p.rules.clone_from(&rules);
            p.updated_at = t;
            p.recount();
        }
    });
    #[derive(serde::Serialize)]
    struct SetRulesResponse<'a> {
        rules: &'a [crate::model::Rule],
    }
    Ok(json(StatusCode::OK, &SetRulesResponse { rules: &out }))
}

pub(super) fn list_sets(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = std_page(ctx)?;
    let _ = org_filter(ctx)?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let mut items: Vec<_> = st.permission_sets.iter().collect();
    match ctx.query.get("order_by").unwrap_or("name_asc") {
        "name_asc" | "created_at_asc" => items.sort_by(|a, b| a.name.cmp(b.name)),
        "name_desc" | "created_at_desc" => items.sort_by(|a, b| b.name.cmp(a.name)),
        _ => {
            return Err(ApiError::invalid(
                "order_by",
                "constraint",
                "value is not a valid enum value",
            ));
        }
    }
    Ok(list_response(
        "permission_sets",
        slice(&items, page),
        items.len(),
    ))
}
