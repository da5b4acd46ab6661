//! IAM API keys: list, get, create (the secret shown once), update, delete.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;

use crate::api::{str_field, uuid_field};
use crate::error::{ApiError, json, no_content};
use crate::http::{Ctx, list_response, slice, sort_by_order, std_page};
use crate::model::{ApiKey, Bearer};
use crate::state::{State, new_api_key};
use crate::util::{is_access_key, now, parse_ts};

use super::{nf, org_filter};

pub(super) fn render_key(k: &ApiKey) -> &ApiKey {
    k
}

pub(super) fn list_keys(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn bearer_org<'a>(st: &'a State, b: &Bearer) -> &'a str {
    match b {
        Bearer::Application(a) => st
            .iam
            .applications
            .get(a)
            .map_or("", |x| &x.organization_id),
        Bearer::User(u) => st.iam.users.get(u).map_or("", |x| &x.organization_id),
    }
}

pub(super) fn key_param<'a>(ctx: &'a Ctx<'_>) -> Result<&'a str, ApiError> {
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

pub(super) fn get_key(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn parse_expiry(
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

pub(super) fn create_key(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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
pub(super) fn key_writable(ctx: &Ctx<'_>, st: &State, key: &str) -> Result<(), ApiError> {
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

pub(super) fn update_key(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn delete_key(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    let key = key_param(ctx)?.to_owned();
    let mut st = ctx.app.state.write();
    key_writable(ctx, &st, &key)?;
    st.iam_change(move |iam| {
        iam.remove_key(&key);
    });
    Ok(no_content())
}
