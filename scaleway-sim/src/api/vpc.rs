//! VPC v2: VPCs and private networks (`shared/scaleway-api/vpc.md`). VPCs are governed by the
//! `VPC*` permission sets, private networks by `PrivateNetworks*`.

use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode};

use super::add;
use crate::error::{ApiError, Style, json};
use crate::http::{Ctx, Loc, RouteDef, has_tags, list_response, slice, sort_by_order, std_page};
use crate::iam::{Action, Product};
use crate::locality::VPC_REGIONS;
use crate::model::{PrivateNetwork, Vpc};

pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    let (l, r) = (Loc::Region(VPC_REGIONS), Action::Read);
    add(
        v,
        Method::GET,
        "/vpc/v2/regions/{region}/vpcs",
        l,
        Product::Vpc,
        r,
        "vpc",
        list_vpcs,
    );
    add(
        v,
        Method::GET,
        "/vpc/v2/regions/{region}/vpcs/{vpc_id}",
        l,
        Product::Vpc,
        r,
        "vpc",
        get_vpc,
    );
    add(
        v,
        Method::GET,
        "/vpc/v2/regions/{region}/private-networks",
        l,
        Product::PrivateNetworks,
        r,
        "private_network",
        list_pns,
    );
    add(
        v,
        Method::GET,
        "/vpc/v2/regions/{region}/private-networks/{private_network_id}",
        l,
        Product::PrivateNetworks,
        r,
        "private_network",
        get_pn,
    );
}

fn nf(resource: &'static str, id: &str) -> ApiError {
    ApiError::NotFound {
        resource,
        id: id.to_owned(),
        style: Style::Standard,
    }
}

fn list_vpcs(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let project = ctx.uuid_query("project_id")?;
    let org = ctx.uuid_query("organization_id")?;
    let name = ctx.query.get("name");
    let tags = ctx.query.all("tags");
    let is_default = ctx.bool_query("is_default")?;
    let routing = ctx.bool_query("routing_enabled")?;
    let s3 = ctx.bool_query("s3_integration_enabled")?;
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    let mut items: Vec<&Arc<Vpc>> = st
        .vpcs
        .in_locality(ctx.param("region"))
        .filter(|v| reach.covers(&v.project_id))
        .filter(|v| org.is_none_or(|o| o == v.organization_id))
        .filter(|v| name.is_none_or(|n| v.name.contains(n)))
        .filter(|v| has_tags(&v.tags, &tags))
        .filter(|v| is_default.is_none_or(|d| d == v.is_default))
        .filter(|v| routing.is_none_or(|d| d == v.routing_enabled))
        .filter(|v| s3.is_none_or(|d| d == v.s3_integration_enabled))
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "created_at_asc",
        |v| &v.name,
        |v| v.created_at,
        |v| v.updated_at,
    )?;
    Ok(list_response("vpcs", slice(&items, page), items.len()))
}

fn get_vpc(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("vpc_id")?;
    let st = ctx.app.state.read();
    let Some(v) = st.vpcs.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(&st, nf("vpc", id)));
    };
    ctx.authorize(&st, &v.project_id)?;
    Ok(json(StatusCode::OK, &**v))
}

fn list_pns(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let project = ctx.uuid_query("project_id")?;
    let org = ctx.uuid_query("organization_id")?;
    let vpc = ctx.uuid_query("vpc_id")?;
    let name = ctx.query.get("name");
    let tags = ctx.query.all("tags");
    let ids = ctx.query.all("private_network_ids");
    let dhcp = ctx.bool_query("dhcp_enabled")?;
    // The filter is named `s3_integration_enabled`, the field `has_s3_integration` (vpc.md).
    let s3 = ctx.bool_query("s3_integration_enabled")?;
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    let mut items: Vec<&Arc<PrivateNetwork>> = st
        .private_networks
        .in_locality(ctx.param("region"))
        .filter(|p| reach.covers(&p.project_id))
        .filter(|p| org.is_none_or(|o| o == p.organization_id))
        .filter(|p| vpc.is_none_or(|v| v == p.vpc_id))
        .filter(|p| name.is_none_or(|n| p.name.contains(n)))
        .filter(|p| has_tags(&p.tags, &tags))
        .filter(|p| ids.is_empty() || ids.contains(&p.id.as_str()))
        .filter(|p| dhcp.is_none_or(|d| d == p.dhcp_enabled))
        .filter(|p| s3.is_none_or(|d| d == p.has_s3_integration))
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "created_at_asc",
        |p| &p.name,
        |p| p.created_at,
        |p| p.updated_at,
    )?;
    Ok(list_response(
        "private_networks",
        slice(&items, page),
        items.len(),
    ))
}

fn get_pn(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("private_network_id")?;
    let st = ctx.app.state.read();
    let Some(p) = st.private_networks.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(&st, nf("private_network", id)));
    };
    ctx.authorize(&st, &p.project_id)?;
    Ok(json(StatusCode::OK, &**p))
}
