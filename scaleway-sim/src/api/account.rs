//! Account v3 projects (`shared/scaleway-api/account.md`).
//!
//! IAM: projects are organization-level (`ProjectManager`, `ProjectReadOnly`, `IAMManager`,
//! `OrganizationManager`); a key with only project-scoped sets gets 403 here (sim choice, the real
//! rule for listing projects is not documented).

use std::sync::Arc;

use http::{Method, StatusCode};

use super::{add, str_field};
use crate::error::{ApiError, json, no_content};
use crate::http::{Ctx, Loc, RouteDef, created_now, list_response, slice, sort_by_order, std_page};
use crate::iam::{Action, Product};
use crate::model::{Project, Qualification};

pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    let p = Product::Account;
    add(
        v,
        Method::GET,
        "/account/v3/projects",
        Loc::Global,
        p,
        Action::Read,
        "project",
        list,
    );
    add(
        v,
        Method::POST,
        "/account/v3/projects",
        Loc::Global,
        p,
        Action::Write,
        "project",
        create,
    );
    add(
        v,
        Method::GET,
        "/account/v3/projects/{project_id}",
        Loc::Global,
        p,
        Action::Read,
        "project",
        get,
    );
    add(
        v,
        Method::PATCH,
        "/account/v3/projects/{project_id}",
        Loc::Global,
        p,
        Action::Write,
        "project",
        update,
    );
    add(
        v,
        Method::DELETE,
        "/account/v3/projects/{project_id}",
        Loc::Global,
        p,
        Action::Write,
        "project",
        delete,
    );
}

fn not_found(id: &str) -> ApiError {
    // Recorded: `"resource": "project_id"`.
    ApiError::NotFound {
        resource: "project_id",
        id: id.to_owned(),
        style: crate::error::Style::Standard,
    }
}

fn list(ctx: &Ctx<'_>) -> Result<axum::response::Response, ApiError> {
    let page = std_page(ctx)?;
    let org = ctx.uuid_query("organization_id")?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let name = ctx.query.get("name");
    let ids = ctx.query.all("project_ids");
    let mut items: Vec<&Arc<Project>> = st
        .projects
        .iter_ordered()
        .into_iter()
        .filter(|p| org.is_none_or(|o| o == p.organization_id))
        .filter(|p| name.is_none_or(|n| p.name == n))
        .filter(|p| ids.is_empty() || ids.contains(&p.id.as_str()))
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "created_at_asc",
        |p| &p.name,
        |p| p.created_at,
        |p| p.updated_at,
    )?;
    Ok(list_response("projects", slice(&items, page), items.len()))
}

fn get(ctx: &Ctx<'_>) -> Result<axum::response::Response, ApiError> {
    let id = ctx.uuid_param("project_id")?;
    let st = ctx.app.state.read();
    ctx.authorize_org(&st)?;
    let p = st.projects.get(id).ok_or_else(|| not_found(id))?;
    Ok(json(StatusCode::OK, &**p))
}

fn create(ctx: &Ctx<'_>) -> Result<axum::response::Response, ApiError> {
    let body = ctx.json_body()?;
    let name = str_field(&body, "name")?.unwrap_or_default();
    let description = str_field(&body, "description")?.unwrap_or_default();
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    let org = match str_field(&body, "organization_id")? {
        Some(o) if !crate::util::is_uuid(&o) => {
            return Err(ApiError::invalid_uuid("organization_id"));
        }
        Some(o) => o,
        None => st.organization_id.clone(),
    };
    if org != st.organization_id {
        return Err(ctx.denied());
    }
    if name.is_empty() {
        return Err(ApiError::invalid(
            "name",
            "required",
            "required key not provided",
        ));
    }
    let t = created_now();
    let project = Project {
        id: st.new_id(),
        name,
        organization_id: org,
        created_at: t,
        updated_at: t,
        description,
        qualification: Qualification {
            architecture_type: "unknown_architecture_type",
        },
    };
    st.projects.insert(project.clone());
    Ok(json(StatusCode::OK, &project))
}

fn update(ctx: &Ctx<'_>) -> Result<axum::response::Response, ApiError> {
    let id = ctx.uuid_param("project_id")?.to_owned();
    let body = ctx.json_body()?;
    let name = str_field(&body, "name")?;
    let description = str_field(&body, "description")?;
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    let p = st.projects.get_mut(&id).ok_or_else(|| not_found(&id))?;
    if let Some(n) = name {
        p.name = n;
    }
    if let Some(d) = description {
        p.description = d;
    }
    p.updated_at = created_now();
    let out = p.clone();
    Ok(json(StatusCode::OK, &out))
}

fn delete(ctx: &Ctx<'_>) -> Result<axum::response::Response, ApiError> {
    let id = ctx.uuid_param("project_id")?.to_owned();
    let mut st = ctx.app.state.write();
    ctx.authorize_org(&st)?;
    st.projects.remove(&id).ok_or_else(|| not_found(&id))?;
    Ok(no_content())
}
