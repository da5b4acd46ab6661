//! IAM applications: list, get, create, update, delete.

use std::sync::Arc;

use axum::response::Response;
use http::StatusCode;

use crate::api::{required_str, str_field, strings_field, uuid_field};
use crate::error::{ApiError, json, no_content};
use crate::http::{Ctx, created_now, list_response, slice, sort_by_order, std_page};
use crate::model::{Application, Bearer};
use crate::state::State;
use crate::util::now;

use super::{nf, org_filter};

pub(super) fn render_app(st: &State, a: &Application) -> Application {
    let mut a = a.clone();
    a.nb_api_keys = st.nb_api_keys(&a.id);
    a
}

pub(super) fn list_apps(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn get_app(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn create_app(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn update_app(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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

pub(super) fn delete_app(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
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
