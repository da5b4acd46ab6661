//! Secret Manager v1beta1 (`shared/scaleway-api/secret.md`): secrets, version metadata, and version
//! access (payload, base64) which needs a set granting secret access (`SecretManagerSecretAccess`,
//! `SecretManagerFullAccess`, `AllProductsFullAccess`).

use std::sync::Arc;

use axum::response::Response;
use base64::Engine as _;
use http::{Method, StatusCode};
use serde::Serialize;

use super::add;
use crate::error::{ApiError, Style, json};
use crate::http::{Ctx, Loc, RouteDef, has_tags, list_response, slice, sort_by_order, std_page};
use crate::iam::{Action, Product, Reach};
use crate::locality::SECRET_REGIONS;
use crate::model::{Secret, SecretVersion};

pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    let (l, p, r) = (
        Loc::Region(SECRET_REGIONS),
        Product::SecretManager,
        Action::Read,
    );
    add(
        v,
        Method::GET,
        "/secret-manager/v1beta1/regions/{region}/secrets",
        l,
        p,
        r,
        "secret",
        list_secrets,
    );
    add(
        v,
        Method::GET,
        "/secret-manager/v1beta1/regions/{region}/secrets/{secret_id}",
        l,
        p,
        r,
        "secret",
        get_secret,
    );
    add(
        v,
        Method::GET,
        "/secret-manager/v1beta1/regions/{region}/secrets/{secret_id}/versions",
        l,
        p,
        r,
        "secret",
        list_versions,
    );
    add(
        v,
        Method::GET,
        "/secret-manager/v1beta1/regions/{region}/secrets/{secret_id}/versions/{revision}",
        l,
        p,
        r,
        "secret",
        get_version,
    );
    add(
        v,
        Method::GET,
        "/secret-manager/v1beta1/regions/{region}/secrets/{secret_id}/versions/{revision}/access",
        l,
        p,
        Action::SecretAccess,
        "secret",
        access_version,
    );
}

fn nf(resource: &'static str, id: &str) -> ApiError {
    ApiError::NotFound {
        resource,
        id: id.to_owned(),
        style: Style::Standard,
    }
}

fn list_secrets(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let project = ctx.uuid_query("project_id")?;
    let org = ctx.uuid_query("organization_id")?;
    let name = ctx.query.get("name");
    let path = ctx.query.get("path");
    let tags = ctx.query.all("tags");
    let kind = ctx.query.get("type").filter(|t| *t != "unknown_type");
    let scheduled = ctx.bool_query("scheduled_for_deletion")?.unwrap_or(false);
    if project.is_none() && org.is_none() {
        // The SDK documents that one of them is required (exact real error body unconfirmed).
        return Err(ApiError::invalid(
            "project_id",
            "required",
            "project_id or organization_id is required",
        ));
    }
    let region = ctx.param("region");
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    if project.is_none() {
        // Listing by organization needs a rule on all current and future projects (SDK doc).
        if reach != Reach::All {
            return Err(ApiError::invalid(
                "project_id",
                "required",
                "project_id is required",
            ));
        }
        if org != Some(st.organization_id.as_str()) {
            return Err(ctx.denied());
        }
    }
    let mut items: Vec<&Arc<Secret>> = st
        .secrets
        .in_locality(region)
        .filter(|s| reach.covers(&s.project_id))
        .filter(|s| name.is_none_or(|n| s.name == n))
        .filter(|s| path.is_none_or(|p| s.path == p))
        .filter(|s| has_tags(&s.tags, &tags))
        .filter(|s| kind.is_none_or(|k| k == s.kind))
        .filter(|s| scheduled == s.deletion_requested_at.is_some())
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "name_asc",
        |s| &s.name,
        |s| s.created_at,
        |s| s.updated_at,
    )?;
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<Secret>(ctx, change);
        return list_secrets(ctx);
    }
    Ok(list_response("secrets", slice(&items, page), items.len()))
}

fn find<'a>(ctx: &Ctx<'_>, st: &'a crate::state::State) -> Result<&'a Arc<Secret>, ApiError> {
    let id = ctx.uuid_param("secret_id")?;
    let Some(s) = st.secrets.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(st, nf("secret", id)));
    };
    ctx.authorize(st, &s.project_id)?;
    Ok(s)
}

fn get_secret(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let st = ctx.app.state.read();
    let s = find(ctx, &st)?;
    Ok(json(StatusCode::OK, &**s))
}

fn list_versions(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let statuses = ctx.query.all("status");
    let st = ctx.app.state.read();
    let s = find(ctx, &st)?;
    let items: Vec<&SecretVersion> = s
        .versions
        .iter()
        .filter(|v| statuses.is_empty() || statuses.contains(&v.status))
        .collect();
    Ok(list_response("versions", slice(&items, page), items.len()))
}

fn revision<'a>(ctx: &Ctx<'_>, s: &'a Secret) -> Result<&'a SecretVersion, ApiError> {
    let rev = ctx.param("revision");
    let found = match rev {
        "latest" => s.versions.iter().max_by_key(|v| v.revision),
        "latest_enabled" => s
            .versions
            .iter()
            .filter(|v| v.status == "enabled")
            .max_by_key(|v| v.revision),
        n => match n.parse::<u32>() {
            Ok(n) => s.versions.iter().find(|v| v.revision == n),
            Err(_) => {
                return Err(ApiError::invalid(
                    "revision",
                    "format",
                    "value must be a revision number, latest or latest_enabled",
                ));
            }
        },
    };
    found.ok_or_else(|| nf("secret_version", rev))
}

fn get_version(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let st = ctx.app.state.read();
    let s = find(ctx, &st)?;
    Ok(json(StatusCode::OK, revision(ctx, s)?))
}

#[derive(Serialize)]
struct Access<'a> {
    secret_id: &'a str,
    revision: u32,
    data: String,
    data_crc32: Option<u32>,
    #[serde(rename = "type")]
    kind: &'static str,
}

fn access_version(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let st = ctx.app.state.read();
    let s = find(ctx, &st)?;
    let v = revision(ctx, s)?;
    if v.status != "enabled" {
        return Err(ApiError::Precondition {
            precondition: "resource_disabled",
            help_message: "cannot access a disabled secret version",
        });
    }
    Ok(json(
        StatusCode::OK,
        &Access {
            secret_id: &s.id,
            revision: v.revision,
            data: base64::engine::general_purpose::STANDARD.encode(&v.data),
            data_crc32: None,
            kind: s.kind,
        },
    ))
}
