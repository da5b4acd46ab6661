//! Block Storage volumes and snapshots, `v1alpha1` and `v1` (`shared/scaleway-api/block.md`).
//! `references` of volumes attached to servers point at the Instance server
//! (`product_resource_type = "instance_server"`), consistently with the servers' `volumes` maps.

use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode};
use serde::Serialize;

use super::add;
use crate::error::{ApiError, Style, json};
use crate::http::{Ctx, Loc, RouteDef, has_tags, list_response, slice, sort_by_order, std_page};
use crate::iam::{Action, Product};
use crate::locality::BLOCK_ZONES;
use crate::model::{BlockSnapshot, BlockSnapshotV1, BlockVolume, BlockVolumeV1};

pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    let (z, p, r) = (Loc::Zone(BLOCK_ZONES), Product::Block, Action::Read);
    add(
        v,
        Method::GET,
        "/block/v1alpha1/zones/{zone}/volumes",
        z,
        p,
        r,
        "volume",
        list_volumes,
    );
    add(
        v,
        Method::GET,
        "/block/v1alpha1/zones/{zone}/volumes/{volume_id}",
        z,
        p,
        r,
        "volume",
        get_volume,
    );
    add(
        v,
        Method::GET,
        "/block/v1alpha1/zones/{zone}/snapshots",
        z,
        p,
        r,
        "snapshot",
        list_snapshots,
    );
    add(
        v,
        Method::GET,
        "/block/v1alpha1/zones/{zone}/snapshots/{snapshot_id}",
        z,
        p,
        r,
        "snapshot",
        get_snapshot,
    );
    add(
        v,
        Method::GET,
        "/block/v1/zones/{zone}/volumes",
        z,
        p,
        r,
        "volume",
        list_volumes,
    );
    add(
        v,
        Method::GET,
        "/block/v1/zones/{zone}/volumes/{volume_id}",
        z,
        p,
        r,
        "volume",
        get_volume,
    );
    add(
        v,
        Method::GET,
        "/block/v1/zones/{zone}/snapshots",
        z,
        p,
        r,
        "snapshot",
        list_snapshots,
    );
    add(
        v,
        Method::GET,
        "/block/v1/zones/{zone}/snapshots/{snapshot_id}",
        z,
        p,
        r,
        "snapshot",
        get_snapshot,
    );
}

fn is_v1(ctx: &Ctx<'_>) -> bool {
    ctx.route.path.starts_with("/block/v1/")
}

fn nf(resource: &'static str, id: &str) -> ApiError {
    ApiError::NotFound {
        resource,
        id: id.to_owned(),
        style: Style::Standard,
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum VolumeOut<'a> {
    Alpha(&'a BlockVolume),
    V1(BlockVolumeV1<'a>),
}

fn render_volume<'a>(ctx: &Ctx<'_>, v: &'a BlockVolume) -> VolumeOut<'a> {
    if is_v1(ctx) {
        VolumeOut::V1(BlockVolumeV1 {
            volume: v,
            kms_key_id: v.kms_key_id.as_deref(),
        })
    } else {
        VolumeOut::Alpha(v)
    }
}

#[derive(Serialize)]
#[serde(untagged)]
enum SnapshotOut<'a> {
    Alpha(&'a BlockSnapshot),
    V1(BlockSnapshotV1<'a>),
}

fn render_snapshot<'a>(ctx: &Ctx<'_>, s: &'a BlockSnapshot) -> SnapshotOut<'a> {
    if is_v1(ctx) {
        SnapshotOut::V1(BlockSnapshotV1 {
            snapshot: s,
            public: s.public,
        })
    } else {
        SnapshotOut::Alpha(s)
    }
}

/// v1's `include_deleted` (a boolean; v1alpha1 has no such parameter and ignores it). The
/// simulator keeps no deleted volume or snapshot, so either value lists the same ones.
fn include_deleted(ctx: &Ctx<'_>) -> Result<bool, ApiError> {
    if is_v1(ctx) {
        Ok(ctx.bool_query("include_deleted")?.unwrap_or(false))
    } else {
        Ok(false)
    }
}

fn list_volumes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let _deleted = include_deleted(ctx)?;
    let project = ctx.uuid_query("project_id")?;
    let _org = ctx.uuid_query("organization_id")?;
    let product_resource = ctx.uuid_query("product_resource_id")?;
    let name = ctx.query.get("name");
    let tags = ctx.query.all("tags");
    // v1 only: v1alpha1 has no `volume_ids` / `volume_type` filters (block.md).
    let (ids, vtype) = if is_v1(ctx) {
        (ctx.query.all("volume_ids"), ctx.query.get("volume_type"))
    } else {
        (Vec::new(), None)
    };
    let zone = ctx.param("zone");
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    let mut items: Vec<&Arc<BlockVolume>> = st
        .block_volumes
        .in_locality(zone)
        .filter(|v| reach.covers(&v.project_id))
        .filter(|v| name.is_none_or(|n| v.name.contains(n)))
        .filter(|v| has_tags(&v.tags, &tags))
        .filter(|v| ids.is_empty() || ids.contains(&v.id.as_str()))
        .filter(|v| vtype.is_none_or(|t| t == v.kind))
        .filter(|v| {
            product_resource.is_none_or(|p| v.references.iter().any(|r| r.product_resource_id == p))
        })
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "created_at_asc",
        |v| &v.name,
        |v| v.created_at,
        |v| v.updated_at,
    )?;
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<BlockVolume>(ctx, change);
        return list_volumes(ctx);
    }
    let out: Vec<VolumeOut<'_>> = slice(&items, page)
        .iter()
        .map(|v| render_volume(ctx, v))
        .collect();
    Ok(list_response("volumes", &out, items.len()))
}

fn get_volume(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("volume_id")?;
    let st = ctx.app.state.read();
    let Some(v) = st.block_volumes.get_in(ctx.param("zone"), id) else {
        return Err(ctx.missing(&st, nf("volume", id)));
    };
    ctx.authorize(&st, &v.project_id)?;
    Ok(json(StatusCode::OK, &render_volume(ctx, v)))
}

fn list_snapshots(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let _deleted = include_deleted(ctx)?;
    let project = ctx.uuid_query("project_id")?;
    let _org = ctx.uuid_query("organization_id")?;
    let volume_id = ctx.uuid_query("volume_id")?;
    let name = ctx.query.get("name");
    let tags = ctx.query.all("tags");
    let zone = ctx.param("zone");
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    let mut items: Vec<&Arc<BlockSnapshot>> = st
        .block_snapshots
        .in_locality(zone)
        .filter(|s| reach.covers(&s.project_id))
        .filter(|s| name.is_none_or(|n| s.name.contains(n)))
        .filter(|s| has_tags(&s.tags, &tags))
        .filter(|s| volume_id.is_none_or(|v| s.parent_volume.as_ref().is_some_and(|p| p.id == v)))
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "created_at_asc",
        |s| &s.name,
        |s| s.created_at,
        |s| s.updated_at,
    )?;
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<BlockSnapshot>(ctx, change);
        return list_snapshots(ctx);
    }
    let out: Vec<SnapshotOut<'_>> = slice(&items, page)
        .iter()
        .map(|s| render_snapshot(ctx, s))
        .collect();
    Ok(list_response("snapshots", &out, items.len()))
}

fn get_snapshot(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("snapshot_id")?;
    let st = ctx.app.state.read();
    let Some(s) = st.block_snapshots.get_in(ctx.param("zone"), id) else {
        return Err(ctx.missing(&st, nf("snapshot", id)));
    };
    ctx.authorize(&st, &s.project_id)?;
    Ok(json(StatusCode::OK, &render_snapshot(ctx, s)))
}
