//! IAM users (read-only) and groups, with their memberships.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;

use crate::api::{required_str, str_field, strings_field, uuid_field};
use crate::error::{ApiError, json, no_content};
use crate::http::{Ctx, created_now, list_response, slice, sort_by_order, std_page};
use crate::model::Group;
use crate::util::{is_uuid, now};

use super::{nf, org_filter};

pub(super) fn list_users(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn get_user(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("user_id")?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let u = st.iam.users.get(id).ok_or_else(|| nf("user", id))?;
    Ok(json(StatusCode::OK, &**u))
}

// ------------------------------------------------------------------ groups

pub(super) fn list_groups(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn get_group(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let id = ctx.uuid_param("group_id")?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let g = st.iam.groups.get(id).ok_or_else(|| nf("group", id))?;
    Ok(json(StatusCode::OK, &**g))
}

pub(super) fn create_group(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn delete_group(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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
pub(super) fn change_members(
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

pub(super) fn member_ids(ctx: &Ctx<'_>) -> Result<(Option<String>, Option<String>), ApiError> {
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

pub(super) fn add_member(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn remove_member(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn set_members(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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
