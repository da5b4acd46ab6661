//! VPC v2: VPCs and private networks (`shared/scaleway-api/vpc.md`). VPCs are governed by the
//! `VPC*` permission sets, private networks by `PrivateNetworks*`.
//!
//! Writes: create and delete of VPCs and private networks (the policy checker's canaries).
//! Request bodies are the Go SDK's `CreateVPCRequest` / `CreatePrivateNetworkRequest`
//! (scaleway-sdk-go `2c5cd81b`: `name`, `project_id`, `tags`, `enable_routing`,
//! `enable_transitivity`; `name`, `project_id`, `tags`, `subnets`, `vpc_id`,
//! `default_route_propagation_enabled`), answers the recorded creates
//! (`vpc/vpcs-create-200-01.json`, `vpc/private-networks-create-200-01.json`: 200 and the bare
//! object; a VPC created with `enable_routing: false` has `routing_enabled: true`) and deletes
//! `204` with an empty body (`core.md`). Sim choices: a private network without `vpc_id` goes to
//! the project's default VPC of the region, created if the project has none (the documentation
//! says every project gets one per region); deleting a VPC that still holds private networks is
//! not refused (the real answer is not on record).

use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode};

use super::{
    add, authorize_create, bool_field, required_uuid, str_field, strings_field, uuid_field,
};
use crate::error::{ApiError, Style, json, no_content};
use crate::http::{Ctx, Loc, RouteDef, has_tags, list_response, slice, sort_by_order, std_page};
use crate::iam::{Action, Product};
use crate::locality::VPC_REGIONS;
use crate::model::Subnet;
use crate::model::{PrivateNetwork, Vpc};
use crate::state::State;
use crate::util::now;

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
    let w = Action::Write;
    add(
        v,
        Method::POST,
        "/vpc/v2/regions/{region}/vpcs",
        l,
        Product::Vpc,
        w,
        "vpc",
        create_vpc,
    );
    add(
        v,
        Method::DELETE,
        "/vpc/v2/regions/{region}/vpcs/{vpc_id}",
        l,
        Product::Vpc,
        w,
        "vpc",
        delete_vpc,
    );
    add(
        v,
        Method::POST,
        "/vpc/v2/regions/{region}/private-networks",
        l,
        Product::PrivateNetworks,
        w,
        "private_network",
        create_pn,
    );
    add(
        v,
        Method::DELETE,
        "/vpc/v2/regions/{region}/private-networks/{private_network_id}",
        l,
        Product::PrivateNetworks,
        w,
        "private_network",
        delete_pn,
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
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<Vpc>(ctx, change);
        return list_vpcs(ctx);
    }
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
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<PrivateNetwork>(ctx, change);
        return list_pns(ctx);
    }
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

/// A new VPC of `project` in `region` (not inserted).
fn new_vpc(st: &mut State, region: &str, project: &str, name: String, tags: Vec<String>) -> Vpc {
    let t = now();
    Vpc {
        created_at: t,
        custom_routes_propagation_enabled: true,
        id: st.new_id(),
        is_default: false,
        name,
        organization_id: st.organization_id.clone(),
        private_network_count: 0,
        project_id: project.to_owned(),
        region: region.to_owned(),
        // Recorded: `enable_routing: false` is answered `routing_enabled: true`.
        routing_enabled: true,
        s3_integration_enabled: false,
        tags,
        transitivity_enabled: false,
        updated_at: t,
    }
}

fn create_vpc(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let body = ctx.json_body()?;
    let project = required_uuid(&body, "project_id")?;
    let name = str_field(&body, "name")?.unwrap_or_default();
    let tags = strings_field(&body, "tags")?.unwrap_or_default();
    bool_field(&body, "enable_routing")?;
    let transitivity = bool_field(&body, "enable_transitivity")?.unwrap_or(false);
    let region = ctx.param("region").to_owned();
    let mut st = ctx.app.state.write();
    authorize_create(ctx, &st, &project)?;
    let name = if name.is_empty() {
        format!("vpc-{}", &st.new_id()[..8])
    } else {
        name
    };
    let mut vpc = new_vpc(&mut st, &region, &project, name, tags);
    vpc.transitivity_enabled = transitivity;
    st.vpcs.insert(vpc.clone());
    Ok(json(StatusCode::OK, &vpc))
}

fn delete_vpc(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("vpc_id")?;
    let mut st = ctx.app.state.write();
    let Some(v) = st.vpcs.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(&st, nf("vpc", id)));
    };
    ctx.authorize(&st, &v.project_id)?;
    st.vpcs.remove(id);
    Ok(no_content())
}

/// The project's default VPC in `region`, created if it has none.
fn default_vpc(st: &mut State, region: &str, project: &str) -> String {
    if let Some(v) = st
        .vpcs
        .in_locality(region)
        .find(|v| v.is_default && v.project_id == project)
    {
        return v.id.clone();
    }
    let mut vpc = new_vpc(
        st,
        region,
        project,
        "default".to_owned(),
        vec!["default".to_owned()],
    );
    vpc.is_default = true;
    let id = vpc.id.clone();
    st.vpcs.insert(vpc);
    id
}

fn create_pn(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let body = ctx.json_body()?;
    let project = required_uuid(&body, "project_id")?;
    let name = str_field(&body, "name")?.unwrap_or_default();
    let tags = strings_field(&body, "tags")?.unwrap_or_default();
    let vpc_id = uuid_field(&body, "vpc_id")?;
    let cidrs = strings_field(&body, "subnets")?.unwrap_or_default();
    if let Some(bad) = cidrs.iter().find(|c| !c.contains('/')) {
        return Err(ApiError::invalid(
            "subnets",
            "format",
            &format!("{bad} is not a valid CIDR"),
        ));
    }
    let propagation = bool_field(&body, "default_route_propagation_enabled")?.unwrap_or(false);
    let region = ctx.param("region").to_owned();
    let mut st = ctx.app.state.write();
    authorize_create(ctx, &st, &project)?;
    let vpc_id = match vpc_id {
        // Sim choice: the VPC must be in the region and the project (else its 404).
        Some(v) => match st.vpcs.get_in(&region, &v) {
            Some(vpc) if vpc.project_id == project => v,
            _ => return Err(nf("vpc", &v)),
        },
        None => default_vpc(&mut st, &region, &project),
    };
    let id = st.new_id();
    let t = now();
    let cidrs = if cidrs.is_empty() {
        let n = st.private_networks.len() % 64;
        let r = st.new_id();
        vec![
            format!("172.16.{}.0/22", n * 4),
            format!("fd64:badd:{}:{}::/64", &r[..4], &r[9..13]),
        ]
    } else {
        cidrs
    };
    let mut subnets = Vec::new();
    for cidr in cidrs {
        subnets.push(Subnet {
            created_at: t,
            id: st.new_id(),
            private_network_id: id.clone(),
            project_id: project.clone(),
            region: region.clone(),
            subnet: cidr,
            updated_at: t,
            vpc_id: vpc_id.clone(),
        });
    }
    let pn = PrivateNetwork {
        created_at: t,
        default_route_propagation_enabled: propagation,
        dhcp_enabled: true,
        has_s3_integration: false,
        name: if name.is_empty() {
            format!("pn-{}", &id[..8])
        } else {
            name
        },
        id,
        organization_id: st.organization_id.clone(),
        project_id: project,
        region,
        subnets,
        tags,
        updated_at: t,
        vpc_id: vpc_id.clone(),
    };
    st.private_networks.insert(pn.clone());
    if let Some(v) = st.vpcs.get_mut(&vpc_id) {
        v.private_network_count += 1;
    }
    Ok(json(StatusCode::OK, &pn))
}

fn delete_pn(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("private_network_id")?;
    let mut st = ctx.app.state.write();
    let Some(p) = st.private_networks.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(&st, nf("private_network", id)));
    };
    ctx.authorize(&st, &p.project_id)?;
    let vpc = p.vpc_id.clone();
    st.private_networks.remove(id);
    if let Some(v) = st.vpcs.get_mut(&vpc) {
        v.private_network_count = v.private_network_count.saturating_sub(1);
    }
    Ok(no_content())
}
