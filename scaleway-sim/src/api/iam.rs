//! IAM v1alpha1 (`shared/scaleway-api/iam.md`): API keys, applications, users, groups, policies,
//! rules and the permission-set catalogue. Writes go through [`State::iam_change`] so that their
//! enforcement waits for the IAM propagation delay.

use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode};

use super::{add, bool_field, required_str, str_field, strings_field, uuid_field};
use crate::error::{ApiError, Style, json, no_content};
use crate::http::{Ctx, Loc, RouteDef, created_now, list_response, slice, sort_by_order, std_page};
use crate::iam::{Action, Product};
use crate::model::{ApiKey, Application, Bearer, Group, Policy, Principal};
use crate::state::{RuleScopeSpec, RuleSpec, State, new_api_key, rules_from_specs};
use crate::util::{is_access_key, is_uuid, now, parse_ts};

pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    use Action::{Read, Write};
    use Method as M;
    let g = Loc::Global;
    let (k, a, u, gr, p) = (
        Product::IamApiKeys,
        Product::IamApplications,
        Product::IamUsers,
        Product::IamGroups,
        Product::IamPolicies,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/api-keys",
        g,
        k,
        Read,
        "api_key",
        list_keys,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/api-keys",
        g,
        k,
        Write,
        "api_key",
        create_key,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/api-keys/{access_key}",
        g,
        k,
        Read,
        "api_key",
        get_key,
    );
    add(
        v,
        M::PATCH,
        "/iam/v1alpha1/api-keys/{access_key}",
        g,
        k,
        Write,
        "api_key",
        update_key,
    );
    add(
        v,
        M::DELETE,
        "/iam/v1alpha1/api-keys/{access_key}",
        g,
        k,
        Write,
        "api_key",
        delete_key,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/applications",
        g,
        a,
        Read,
        "application",
        list_apps,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/applications",
        g,
        a,
        Write,
        "application",
        create_app,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/applications/{application_id}",
        g,
        a,
        Read,
        "application",
        get_app,
    );
    add(
        v,
        M::PATCH,
        "/iam/v1alpha1/applications/{application_id}",
        g,
        a,
        Write,
        "application",
        update_app,
    );
    add(
        v,
        M::DELETE,
        "/iam/v1alpha1/applications/{application_id}",
        g,
        a,
        Write,
        "application",
        delete_app,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/users",
        g,
        u,
        Read,
        "user",
        list_users,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/users/{user_id}",
        g,
        u,
        Read,
        "user",
        get_user,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/groups",
        g,
        gr,
        Read,
        "group",
        list_groups,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/groups",
        g,
        gr,
        Write,
        "group",
        create_group,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/groups/{group_id}",
        g,
        gr,
        Read,
        "group",
        get_group,
    );
    add(
        v,
        M::DELETE,
        "/iam/v1alpha1/groups/{group_id}",
        g,
        gr,
        Write,
        "group",
        delete_group,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/groups/{group_id}/add-member",
        g,
        gr,
        Write,
        "group",
        add_member,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/groups/{group_id}/remove-member",
        g,
        gr,
        Write,
        "group",
        remove_member,
    );
    add(
        v,
        M::PUT,
        "/iam/v1alpha1/groups/{group_id}/members",
        g,
        gr,
        Write,
        "group",
        set_members,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/policies",
        g,
        p,
        Read,
        "policy",
        list_policies,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/policies",
        g,
        p,
        Write,
        "policy",
        create_policy,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/policies/{policy_id}",
        g,
        p,
        Read,
        "policy",
        get_policy,
    );
    add(
        v,
        M::DELETE,
        "/iam/v1alpha1/policies/{policy_id}",
        g,
        p,
        Write,
        "policy",
        delete_policy,
    );
    add(
        v,
        M::PATCH,
        "/iam/v1alpha1/policies/{policy_id}",
        g,
        p,
        Write,
        "policy",
        update_policy,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/rules",
        g,
        p,
        Read,
        "policy",
        list_rules,
    );
    add(
        v,
        M::PUT,
        "/iam/v1alpha1/rules",
        g,
        p,
        Write,
        "policy",
        set_rules,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/permission-sets",
        g,
        p,
        Read,
        "policy",
        list_sets,
    );
}

fn nf(resource: &'static str, id: &str) -> ApiError {
    ApiError::NotFound {
        resource,
        id: id.to_owned(),
        style: Style::Standard,
    }
}

fn org_filter<'a>(ctx: &'a Ctx<'_>) -> Result<Option<&'a str>, ApiError> {
    ctx.uuid_query("organization_id")
}

// ------------------------------------------------------------------ API keys

fn render_key(k: &ApiKey) -> &ApiKey {
    k
}

fn list_keys(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = std_page(ctx)?;
    let org = org_filter(ctx)?;
    let editable = ctx.bool_query("editable")?;
    let expired = ctx.bool_query("expired")?;
    let bearer_type = ctx.query.get("bearer_type");
    if !matches!(
        bearer_type,
        None | Some("unknown_bearer_type" | "user" | "application")
    ) {
        return Err(ApiError::invalid(
            "bearer_type",
            "constraint",
            "value is not a valid enum value",
        ));
    }
    let bearer_id = ctx.uuid_query("bearer_id")?;
    let app_id = ctx.uuid_query("application_id")?;
    let user_id = ctx.uuid_query("user_id")?;
    let mut access_keys = ctx.query.all("access_keys");
    if let Some(k) = ctx.query.get("access_key") {
        access_keys.push(k);
    }
    let description = ctx.query.get("description");
    let st = ctx.app.state.read();
    ctx.authorize_org_route(&st)?;
    let t = now();
    let mut items: Vec<&Arc<ApiKey>> = st
        .iam
        .api_keys
        .iter_ordered()
        .into_iter()
        .filter(|k| org.is_none_or(|o| o == bearer_org(&st, &k.bearer)))
        .filter(|k| editable.is_none_or(|e| e == k.editable))
        .filter(|k| expired.is_none_or(|e| e == k.expires_at.is_some_and(|x| x <= t)))
        .filter(|k| match bearer_type {
            Some("user") => matches!(k.bearer, Bearer::User(_)),
            Some("application") => matches!(k.bearer, Bearer::Application(_)),
            _ => true,
        })
        .filter(|k| bearer_id.is_none_or(|b| b == k.bearer.id()))
        .filter(|k| app_id.is_none_or(|b| matches!(&k.bearer, Bearer::Application(a) if a == b)))
        .filter(|k| user_id.is_none_or(|b| matches!(&k.bearer, Bearer::User(a) if a == b)))
        .filter(|k| access_keys.is_empty() || access_keys.contains(&k.access_key.as_str()))
        .filter(|k| description.is_none_or(|d| k.description.contains(d)))
        // Only the keys the caller may read (all, or those of applications or of users).
        .filter(|k| ctx.may_on_key(&st, &k.bearer))
        .collect();
    match ctx.query.get("order_by").unwrap_or("created_at_asc") {
        "expires_at_asc" => items.sort_by_key(|k| k.expires_at.unwrap_or(i64::MAX)),
        "expires_at_desc" => {
            items.sort_by_key(|k| std::cmp::Reverse(k.expires_at.unwrap_or(i64::MAX)))
        }
        "access_key_asc" => items.sort_by(|a, b| a.access_key.cmp(&b.access_key)),
        "access_key_desc" => items.sort_by(|a, b| b.access_key.cmp(&a.access_key)),
        _ => sort_by_order(
            ctx,
            &mut items,
            "created_at_asc",
            |k| &k.access_key,
            |k| k.created_at,
            |k| k.updated_at,
        )?,
    }
    let page_items: Vec<&ApiKey> = slice(&items, page).iter().map(|k| render_key(k)).collect();
    Ok(list_response("api_keys", &page_items, items.len()))
}

fn bearer_org<'a>(st: &'a State, b: &Bearer) -> &'a str {
    match b {
        Bearer::Application(a) => st
            .iam
            .applications
            .get(a)
            .map_or("", |x| &x.organization_id),
        Bearer::User(u) => st.iam.users.get(u).map_or("", |x| &x.organization_id),
    }
}

fn key_param<'a>(ctx: &'a Ctx<'_>) -> Result<&'a str, ApiError> {
    let k = ctx.param("access_key");
    if is_access_key(k) {
        Ok(k)
    } else {
        Err(ApiError::invalid(
            "access_key",
            "format",
            "value must be a valid access key",
        ))
    }
}

fn get_key(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let key = key_param(ctx)?;
    let st = ctx.app.state.read();
    ctx.authorize_org_route(&st)?;
    let k = st
        .iam
        .api_keys
        .get(key)
        .ok_or_else(|| nf("access_key", key))?;
    if !ctx.may_on_key(&st, &k.bearer) {
        return Err(ctx.denied());
    }
    Ok(json(StatusCode::OK, &**k))
}

fn parse_expiry(
    body: &serde_json::Map<String, serde_json::Value>,
) -> Result<Option<i64>, ApiError> {
    match str_field(body, "expires_at")? {
        None => Ok(None),
        Some(s) => parse_ts(&s).map(Some).ok_or_else(|| {
            ApiError::invalid(
                "expires_at",
                "format",
                "value must be a valid RFC 3339 timestamp",
            )
        }),
    }
}

fn create_key(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body = ctx.json_body()?;
    // A caller allowed on one kind of key only (IAMApplicationManager: applications' keys) is
    // refused a key of the other kind before the rest of its body is validated: the kind is
    // told by which bearer field is present.
    let kind = |field: &str| {
        body.get(field)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
    };
    let claimed = match (kind("application_id"), kind("user_id")) {
        (Some(a), None) => Some(Bearer::Application(a)),
        (None, Some(u)) => Some(Bearer::User(u)),
        _ => None,
    };
    if let Some(b) = &claimed
        && !ctx.may_on_key(&ctx.app.state.read(), b)
    {
        return Err(ctx.denied());
    }
    let app_id = uuid_field(&body, "application_id")?;
    let user_id = uuid_field(&body, "user_id")?;
    let default_project = uuid_field(&body, "default_project_id")?;
    let expires_at = parse_expiry(&body)?;
    let description = str_field(&body, "description")?.unwrap_or_default();
    if description.chars().count() > 200 {
        return Err(ApiError::invalid(
            "description",
            "constraint",
            "value length must be at most 200",
        ));
    }
    let mut st = ctx.app.state.write();
    ctx.authorize_org_route(&st)?;
    let bearer = match (app_id, user_id) {
        (Some(a), None) => {
            if st.iam.applications.get(&a).is_none() {
                return Err(nf("application", &a));
            }
            Bearer::Application(a)
        }
        (None, Some(u)) => {
            if st.iam.users.get(&u).is_none() {
                return Err(nf("user", &u));
            }
            Bearer::User(u)
        }
        _ => {
            return Err(ApiError::invalid(
                "application_id",
                "required",
                "exactly one of application_id and user_id is required",
            ));
        }
    };
    if !ctx.may_on_key(&st, &bearer) {
        return Err(ctx.denied());
    }
    let project = default_project.unwrap_or_else(|| st.organization_id.clone());
    let mut key = new_api_key(&mut st, bearer, project, expires_at, &description);
    if let Some(ip) = ctx.caller.attrs.ip {
        key.creation_ip = ip.to_string();
    }
    let stored = key.clone();
    st.iam_change(move |iam| iam.insert_key(stored.clone()));
    // The secret is shown once, in this response only.
    key.secret_key = Some(key.secret.clone());
    Ok(json(StatusCode::OK, &key))
}

/// The key exists and the caller may change it (404 before 403 only for callers with some
/// right on keys, checked at dispatch).
fn key_writable(ctx: &Ctx<'_>, st: &State, key: &str) -> Result<(), ApiError> {
    let k = st
        .iam
        .api_keys
        .get(key)
        .ok_or_else(|| nf("access_key", key))?;
    if ctx.may_on_key(st, &k.bearer) {
        Ok(())
    } else {
        Err(ctx.denied())
    }
}

fn update_key(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let key = key_param(ctx)?.to_owned();
    let mut st = ctx.app.state.write();
    // A caller allowed on one kind of key only is refused another kind before its body is read.
    key_writable(ctx, &st, &key)?;
    let body = ctx.json_body()?;
    let default_project = uuid_field(&body, "default_project_id")?;
    let description = str_field(&body, "description")?;
    let expires_at = parse_expiry(&body)?;
    let t = now();
    let k2 = key.clone();
    st.iam_change(move |iam| {
        if let Some(k) = iam.api_keys.get_mut(&k2) {
            if let Some(p) = &default_project {
                p.clone_into(&mut k.default_project_id);
            }
            if let Some(d) = &description {
                d.clone_into(&mut k.description);
            }
            if expires_at.is_some() {
                k.expires_at = expires_at;
            }
            k.updated_at = t;
        }
    });
    let out = st.iam.api_keys.get(&key).map(|k| (**k).clone());
    out.map_or_else(
        || Err(nf("access_key", &key)),
        |k| Ok(json(StatusCode::OK, &k)),
    )
}

fn delete_key(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let key = key_param(ctx)?.to_owned();
    let mut st = ctx.app.state.write();
    key_writable(ctx, &st, &key)?;
    st.iam_change(move |iam| {
        iam.remove_key(&key);
    });
    Ok(no_content())
}

// ------------------------------------------------------------------ applications

fn render_app(st: &State, a: &Application) -> Application {
    let mut a = a.clone();
    a.nb_api_keys = st.nb_api_keys(&a.id);
    a
}

fn list_apps(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = std_page(ctx)?;
    let org = org_filter(ctx)?;
    let editable = ctx.bool_query("editable")?;
    let name = ctx.query.get("name");
    let tag = ctx.query.get("tag");
    let ids = ctx.query.all("application_ids");
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let mut items: Vec<&Arc<Application>> = st
        .iam
        .applications
        .iter_ordered()
        .into_iter()
        .filter(|a| org.is_none_or(|o| o == a.organization_id))
        .filter(|a| editable.is_none_or(|e| e == a.editable))
        .filter(|a| name.is_none_or(|n| a.name.contains(n)))
        .filter(|a| tag.is_none_or(|t| a.tags.iter().any(|x| x == t)))
        .filter(|a| ids.is_empty() || ids.contains(&a.id.as_str()))
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "created_at_asc",
        |a| &a.name,
        |a| a.created_at,
        |a| a.updated_at,
    )?;
    let out: Vec<Application> = slice(&items, page)
        .iter()
        .map(|a| render_app(&st, a))
        .collect();
    Ok(list_response("applications", &out, items.len()))
}

fn get_app(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("application_id")?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let a = st
        .iam
        .applications
        .get(id)
        .ok_or_else(|| nf("application", id))?;
    Ok(json(StatusCode::OK, &render_app(&st, a)))
}

fn create_app(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body = ctx.json_body()?;
    let name = required_str(&body, "name")?;
    let description = str_field(&body, "description")?.unwrap_or_default();
    let tags = strings_field(&body, "tags")?.unwrap_or_default();
    let org = uuid_field(&body, "organization_id")?;
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    if org.is_some_and(|o| o != st.organization_id) {
        return Err(ctx.denied());
    }
    let t = created_now();
    let app = Application {
        id: st.new_id(),
        name,
        description,
        created_at: t,
        updated_at: t,
        organization_id: st.organization_id.clone(),
        editable: true,
        deletable: true,
        managed: false,
        nb_api_keys: 0,
        tags,
    };
    let stored = app.clone();
    st.iam_change(move |iam| iam.applications.insert(stored.clone()));
    Ok(json(StatusCode::OK, &app))
}

fn update_app(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("application_id")?.to_owned();
    let body = ctx.json_body()?;
    let name = str_field(&body, "name")?;
    let description = str_field(&body, "description")?;
    let tags = strings_field(&body, "tags")?;
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    if st.iam.applications.get(&id).is_none() {
        return Err(nf("application", &id));
    }
    let t = now();
    let aid = id.clone();
    st.iam_change(move |iam| {
        if let Some(a) = iam.applications.get_mut(&aid) {
            if let Some(n) = &name {
                n.clone_into(&mut a.name);
            }
            if let Some(d) = &description {
                d.clone_into(&mut a.description);
            }
            if let Some(t) = &tags {
                a.tags.clone_from(t);
            }
            a.updated_at = t;
        }
    });
    let out = st.iam.applications.get(&id).map(|a| render_app(&st, a));
    out.map_or_else(
        || Err(nf("application", &id)),
        |a| Ok(json(StatusCode::OK, &a)),
    )
}

fn delete_app(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("application_id")?.to_owned();
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    if st.iam.applications.get(&id).is_none() {
        return Err(nf("application", &id));
    }
    st.iam_change(move |iam| {
        iam.applications.remove(&id);
        let keys: Vec<String> = iam
            .api_keys
            .iter()
            .filter(|k| matches!(&k.bearer, Bearer::Application(a) if *a == id))
            .map(|k| k.access_key.clone())
            .collect();
        for k in keys {
            iam.remove_key(&k);
        }
    });
    Ok(no_content())
}

// ------------------------------------------------------------------ users

fn list_users(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = std_page(ctx)?;
    let org = org_filter(ctx)?;
    let mfa = ctx.bool_query("mfa")?;
    let tag = ctx.query.get("tag");
    let kind = ctx.query.get("type").filter(|t| *t != "unknown_type");
    let ids = ctx.query.all("user_ids");
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let mut items: Vec<_> = st
        .iam
        .users
        .iter_ordered()
        .into_iter()
        .filter(|u| org.is_none_or(|o| o == u.organization_id))
        .filter(|u| mfa.is_none_or(|m| m == u.mfa))
        .filter(|u| tag.is_none_or(|t| u.tags.iter().any(|x| x == t)))
        .filter(|u| kind.is_none_or(|k| k == u.kind))
        .filter(|u| ids.is_empty() || ids.contains(&u.id.as_str()))
        .collect();
    match ctx.query.get("order_by").unwrap_or("created_at_asc") {
        "email_asc" => items.sort_by(|a, b| a.email.cmp(&b.email)),
        "email_desc" => items.sort_by(|a, b| b.email.cmp(&a.email)),
        "username_asc" => items.sort_by(|a, b| a.username.cmp(&b.username)),
        "username_desc" => items.sort_by(|a, b| b.username.cmp(&a.username)),
        "last_login_asc" => items.sort_by_key(|u| u.last_login_at),
        "last_login_desc" => items.sort_by_key(|u| std::cmp::Reverse(u.last_login_at)),
        _ => sort_by_order(
            ctx,
            &mut items,
            "created_at_asc",
            |u| &u.email,
            |u| u.created_at,
            |u| u.updated_at,
        )?,
    }
    Ok(list_response("users", slice(&items, page), items.len()))
}

fn get_user(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("user_id")?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let u = st.iam.users.get(id).ok_or_else(|| nf("user", id))?;
    Ok(json(StatusCode::OK, &**u))
}

// ------------------------------------------------------------------ groups

fn list_groups(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let page = std_page(ctx)?;
    let org = org_filter(ctx)?;
    let name = ctx.query.get("name");
    let tag = ctx.query.get("tag");
    let apps = ctx.query.all("application_ids");
    let users = ctx.query.all("user_ids");
    let ids = ctx.query.all("group_ids");
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let mut items: Vec<&Arc<Group>> = st
        .iam
        .groups
        .iter_ordered()
        .into_iter()
        .filter(|g| org.is_none_or(|o| o == g.organization_id))
        .filter(|g| name.is_none_or(|n| g.name.contains(n)))
        .filter(|g| tag.is_none_or(|t| g.tags.iter().any(|x| x == t)))
        .filter(|g| apps.is_empty() || g.application_ids.iter().any(|a| apps.contains(&a.as_str())))
        .filter(|g| users.is_empty() || g.user_ids.iter().any(|u| users.contains(&u.as_str())))
        .filter(|g| ids.is_empty() || ids.contains(&g.id.as_str()))
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "created_at_asc",
        |g| &g.name,
        |g| g.created_at,
        |g| g.updated_at,
    )?;
    Ok(list_response("groups", slice(&items, page), items.len()))
}

fn get_group(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("group_id")?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let g = st.iam.groups.get(id).ok_or_else(|| nf("group", id))?;
    Ok(json(StatusCode::OK, &**g))
}

fn create_group(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body = ctx.json_body()?;
    let name = required_str(&body, "name")?;
    let description = str_field(&body, "description")?.unwrap_or_default();
    let tags = strings_field(&body, "tags")?.unwrap_or_default();
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    let t = created_now();
    let group = Group {
        id: st.new_id(),
        created_at: t,
        updated_at: t,
        organization_id: st.organization_id.clone(),
        name,
        description,
        user_ids: Vec::new(),
        application_ids: Vec::new(),
        tags,
        editable: true,
        deletable: true,
        managed: false,
        all_users: false,
        all_applications: false,
    };
    let stored = group.clone();
    st.iam_change(move |iam| iam.groups.insert(stored.clone()));
    Ok(json(StatusCode::OK, &group))
}

fn delete_group(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("group_id")?.to_owned();
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    match st.iam.groups.get(&id) {
        None => return Err(nf("group", &id)),
        Some(g) if !g.deletable => {
            return Err(ApiError::Precondition {
                precondition: "resource_not_deletable",
                help_message: "this group cannot be deleted",
            });
        }
        Some(_) => {}
    }
    st.iam_change(move |iam| {
        iam.groups.remove(&id);
    });
    Ok(no_content())
}

/// Applies a membership change to a group (through the IAM propagation delay) and answers the group.
fn change_members(
    ctx: &Ctx<'_>,
    op: impl Fn(&mut Group) + Send + Sync + 'static,
) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("group_id")?.to_owned();
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    match st.iam.groups.get(&id) {
        None => return Err(nf("group", &id)),
        Some(g) if g.all_users || g.all_applications => {
            return Err(ApiError::Precondition {
                precondition: "resource_not_editable",
                help_message: "the members of this group are managed by Scaleway",
            });
        }
        Some(_) => {}
    }
    let t = now();
    let gid = id.clone();
    st.iam_change(move |iam| {
        if let Some(g) = iam.groups.get_mut(&gid) {
            op(g);
            g.updated_at = t;
        }
    });
    let out = st.iam.groups.get(&id).map(|g| (**g).clone());
    out.map_or_else(|| Err(nf("group", &id)), |g| Ok(json(StatusCode::OK, &g)))
}

fn member_ids(ctx: &Ctx<'_>) -> Result<(Option<String>, Option<String>), ApiError> {
    let body = ctx.json_body()?;
    let user = uuid_field(&body, "user_id")?;
    let app = uuid_field(&body, "application_id")?;
    if user.is_some() == app.is_some() {
        return Err(ApiError::invalid(
            "user_id",
            "required",
            "exactly one of user_id and application_id is required",
        ));
    }
    Ok((user, app))
}

fn add_member(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let (user, app) = member_ids(ctx)?;
    {
        let st = ctx.app.state.read();
        if let Some(u) = &user
            && st.iam.users.get(u).is_none()
        {
            return Err(nf("user", u));
        }
        if let Some(a) = &app
            && st.iam.applications.get(a).is_none()
        {
            return Err(nf("application", a));
        }
    }
    change_members(ctx, move |g| {
        if let Some(u) = &user
            && !g.user_ids.contains(u)
        {
            g.user_ids.push(u.clone());
        }
        if let Some(a) = &app
            && !g.application_ids.contains(a)
        {
            g.application_ids.push(a.clone());
        }
    })
}

fn remove_member(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let (user, app) = member_ids(ctx)?;
    change_members(ctx, move |g| {
        if let Some(u) = &user {
            g.user_ids.retain(|x| x != u);
        }
        if let Some(a) = &app {
            g.application_ids.retain(|x| x != a);
        }
    })
}

fn set_members(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let body = ctx.json_body()?;
    let users = strings_field(&body, "user_ids")?.unwrap_or_default();
    let apps = strings_field(&body, "application_ids")?.unwrap_or_default();
    if users.iter().chain(&apps).any(|x| !is_uuid(x)) {
        return Err(ApiError::invalid_uuid("user_ids"));
    }
    change_members(ctx, move |g| {
        g.user_ids.clone_from(&users);
        g.application_ids.clone_from(&apps);
    })
}

// ------------------------------------------------------------------ policies and rules

fn list_policies(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

fn get_policy(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("policy_id")?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let p = st.iam.policies.get(id).ok_or_else(|| nf("policy", id))?;
    Ok(json(StatusCode::OK, &**p))
}

fn parse_rule_specs(value: Option<&serde_json::Value>) -> Result<Vec<RuleSpec>, ApiError> {
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
fn validate_specs(specs: &[RuleSpec]) -> Result<(), ApiError> {
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

fn create_policy(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

fn update_policy(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

fn delete_policy(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

fn list_rules(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

fn set_rules(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

fn list_sets(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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
