//! Kubernetes Kapsule v1 clusters and pools (`shared/scaleway-api/k8s.md`).

use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode};

use super::add;
use crate::error::{ApiError, Style, json};
use crate::http::{Ctx, Loc, RouteDef, list_response, slice, sort_by_order, std_page};
use crate::iam::{Action, Product};
use crate::locality::K8S_REGIONS;
use crate::model::{Cluster, Pool};

pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    let (l, p, r) = (Loc::Region(K8S_REGIONS), Product::Kubernetes, Action::Read);
    add(
        v,
        Method::GET,
        "/k8s/v1/regions/{region}/clusters",
        l,
        p,
        r,
        "cluster",
        list_clusters,
    );
    add(
        v,
        Method::GET,
        "/k8s/v1/regions/{region}/clusters/{cluster_id}",
        l,
        p,
        r,
        "cluster",
        get_cluster,
    );
    add(
        v,
        Method::GET,
        "/k8s/v1/regions/{region}/clusters/{cluster_id}/pools",
        l,
        p,
        r,
        "pool",
        list_pools,
    );
    add(
        v,
        Method::GET,
        "/k8s/v1/regions/{region}/pools/{pool_id}",
        l,
        p,
        r,
        "pool",
        get_pool,
    );
}

fn nf(resource: &'static str, id: &str) -> ApiError {
    ApiError::NotFound {
        resource,
        id: id.to_owned(),
        style: Style::Standard,
    }
}

fn sort_status_version<T>(
    ctx: &Ctx<'_>,
    items: &mut [&Arc<T>],
    status: impl Fn(&T) -> &str,
    version: impl Fn(&T) -> &str,
) -> bool {
    match ctx.query.get("order_by") {
        Some("status_asc") => items.sort_by(|a, b| status(a).cmp(status(b))),
        Some("status_desc") => items.sort_by(|a, b| status(b).cmp(status(a))),
        Some("version_asc") => items.sort_by(|a, b| version(a).cmp(version(b))),
        Some("version_desc") => items.sort_by(|a, b| version(b).cmp(version(a))),
        _ => return false,
    }
    true
}

fn list_clusters(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let project = ctx.uuid_query("project_id")?;
    let org = ctx.uuid_query("organization_id")?;
    let pn = ctx.uuid_query("private_network_id")?;
    let name = ctx.query.get("name");
    let status = ctx.query.get("status").filter(|s| *s != "unknown");
    let kind = ctx.query.get("type");
    let version = ctx.query.get("version");
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    let mut items: Vec<&Arc<Cluster>> = st
        .clusters
        .in_locality(ctx.param("region"))
        .filter(|c| reach.covers(&c.project_id))
        .filter(|c| org.is_none_or(|o| o == c.organization_id))
        .filter(|c| pn.is_none_or(|p| c.private_network_id.as_deref() == Some(p)))
        .filter(|c| name.is_none_or(|n| c.name.contains(n)))
        .filter(|c| status.is_none_or(|s| s == c.status))
        .filter(|c| kind.is_none_or(|k| k == c.kind))
        .filter(|c| version.is_none_or(|v| c.version.starts_with(v)))
        .collect();
    if !sort_status_version(ctx, &mut items, |c| c.status, |c| &c.version) {
        sort_by_order(
            ctx,
            &mut items,
            "created_at_asc",
            |c| &c.name,
            |c| c.created_at,
            |c| c.updated_at,
        )?;
    }
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<Cluster>(ctx, change);
        return list_clusters(ctx);
    }
    Ok(list_response("clusters", slice(&items, page), items.len()))
}

fn find_cluster(ctx: &Ctx<'_>, st: &crate::state::State) -> Result<Arc<Cluster>, ApiError> {
    let id = ctx.uuid_param("cluster_id")?;
    let Some(c) = st.clusters.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(st, nf("cluster", id)));
    };
    ctx.authorize(st, &c.project_id)?;
    Ok(Arc::clone(c))
}

fn get_cluster(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let st = ctx.app.state.read();
    let c = find_cluster(ctx, &st)?;
    Ok(json(StatusCode::OK, &*c))
}

fn list_pools(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let name = ctx.query.get("name");
    let status = ctx.query.get("status").filter(|s| *s != "unknown");
    let st = ctx.app.state.read();
    let c = find_cluster(ctx, &st)?;
    let mut items: Vec<&Arc<Pool>> = st
        .pools
        .in_locality(ctx.param("region"))
        .filter(|p| p.cluster_id == c.id)
        .filter(|p| name.is_none_or(|n| p.name.contains(n)))
        .filter(|p| status.is_none_or(|s| s == p.status))
        .collect();
    if !sort_status_version(ctx, &mut items, |p| p.status, |p| &p.version) {
        sort_by_order(
            ctx,
            &mut items,
            "created_at_asc",
            |p| &p.name,
            |p| p.created_at,
            |p| p.updated_at,
        )?;
    }
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<Pool>(ctx, change);
        return list_pools(ctx);
    }
    Ok(list_response("pools", slice(&items, page), items.len()))
}

fn get_pool(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("pool_id")?;
    let st = ctx.app.state.read();
    let Some(p) = st.pools.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(&st, nf("pool", id)));
    };
    ctx.authorize(&st, &p.project_id)?;
    Ok(json(StatusCode::OK, &**p))
}
