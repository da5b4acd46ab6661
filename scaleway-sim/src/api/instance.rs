//! Instance v1 servers and (local) volumes (`shared/scaleway-api/instance.md`): `per_page` pagination,
//! `x-total-count` + `link` headers, wrapped single objects, `organization`/`project` fields.

use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode};

use super::add;
use crate::error::{ApiError, Style};
use crate::http::{Ctx, Loc, RouteDef, instance_list_response, instance_page, slice, wrapped};
use crate::iam::{Action, Product};
use crate::locality::INSTANCE_ZONES;
use crate::model::{InstanceVolume, Server};

pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    let (z, p, r) = (Loc::Zone(INSTANCE_ZONES), Product::Instance, Action::Read);
    add(
        v,
        Method::GET,
        "/instance/v1/zones/{zone}/servers",
        z,
        p,
        r,
        "instance_server",
        list_servers,
    );
    add(
        v,
        Method::GET,
        "/instance/v1/zones/{zone}/servers/{server_id}",
        z,
        p,
        r,
        "instance_server",
        get_server,
    );
    add(
        v,
        Method::GET,
        "/instance/v1/zones/{zone}/volumes",
        z,
        p,
        r,
        "instance_volume",
        list_volumes,
    );
    add(
        v,
        Method::GET,
        "/instance/v1/zones/{zone}/volumes/{volume_id}",
        z,
        p,
        r,
        "instance_volume",
        get_volume,
    );
}

fn nf(resource: &'static str, id: &str) -> ApiError {
    ApiError::NotFound {
        resource,
        id: id.to_owned(),
        style: Style::Instance,
    }
}

fn comma_list(ctx: &Ctx<'_>, key: &str) -> Vec<String> {
    ctx.query
        .get(key)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fn list_servers(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = instance_page(ctx)?;
    let project = ctx.uuid_query("project")?;
    let org = ctx.uuid_query("organization")?;
    let name = ctx.query.get("name");
    let commercial_type = ctx.query.get("commercial_type");
    let state = ctx.query.get("state");
    if let Some(s) = state
        && !matches!(
            s,
            "running" | "stopped" | "stopped in place" | "starting" | "stopping" | "locked"
        )
    {
        return Err(ApiError::invalid(
            "state",
            "constraint",
            "value is not a valid enum value",
        ));
    }
    let tags = comma_list(ctx, "tags");
    let ids = comma_list(ctx, "servers");
    let pn = ctx.query.get("private_network");
    let pns = comma_list(ctx, "private_networks");
    let without_ip = ctx.bool_query("without_ip")?;
    let zone = ctx.param("zone");
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    let mut items: Vec<&Arc<Server>> = st
        .servers
        .in_locality(zone)
        .filter(|s| reach.covers(&s.project))
        .filter(|s| org.is_none_or(|o| o == s.organization))
        .filter(|s| name.is_none_or(|n| s.name.contains(n)))
        .filter(|s| commercial_type.is_none_or(|c| c == s.commercial_type))
        .filter(|s| state.is_none_or(|x| x == s.state))
        .filter(|s| tags.iter().all(|t| s.tags.contains(t)))
        .filter(|s| ids.is_empty() || ids.contains(&s.id))
        .filter(|s| pn.is_none_or(|p| s.private_nics.iter().any(|n| n.private_network_id == p)))
        .filter(|s| {
            pns.is_empty()
                || s.private_nics
                    .iter()
                    .any(|n| pns.contains(&n.private_network_id))
        })
        .filter(|s| without_ip.is_none_or(|w| w == s.public_ips.is_empty()))
        .collect();
    match ctx.query.get("order").unwrap_or("creation_date_desc") {
        "creation_date_desc" => items.sort_by_key(|s| std::cmp::Reverse(s.creation_date)),
        "creation_date_asc" => items.sort_by_key(|s| s.creation_date),
        "modification_date_desc" => items.sort_by_key(|s| std::cmp::Reverse(s.modification_date)),
        "modification_date_asc" => items.sort_by_key(|s| s.modification_date),
        _ => {
            return Err(ApiError::invalid(
                "order",
                "constraint",
                "value is not a valid enum value",
            ));
        }
    }
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<Server>(ctx, change);
        return list_servers(ctx);
    }
    Ok(instance_list_response(
        ctx,
        "servers",
        "servers",
        slice(&items, page),
        items.len(),
        page,
    ))
}

fn get_server(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("server_id")?;
    let st = ctx.app.state.read();
    let Some(s) = st.servers.get_in(ctx.param("zone"), id) else {
        return Err(ctx.missing(&st, nf("instance_server", id)));
    };
    ctx.authorize(&st, &s.project)?;
    Ok(wrapped(StatusCode::OK, "server", &**s))
}

fn list_volumes(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = instance_page(ctx)?;
    let project = ctx.uuid_query("project")?;
    let org = ctx.uuid_query("organization")?;
    let name = ctx.query.get("name");
    let vtype = ctx.query.get("volume_type");
    let tags = comma_list(ctx, "tags");
    let zone = ctx.param("zone");
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    let mut items: Vec<&Arc<InstanceVolume>> = st
        .instance_volumes
        .in_locality(zone)
        .filter(|v| reach.covers(&v.project))
        .filter(|v| org.is_none_or(|o| o == v.organization))
        .filter(|v| name.is_none_or(|n| v.name.contains(n)))
        .filter(|v| vtype.is_none_or(|t| t == v.volume_type))
        .filter(|v| tags.iter().all(|t| v.tags.contains(t)))
        .collect();
    items.sort_by_key(|v| v.creation_date);
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<InstanceVolume>(ctx, change);
        return list_volumes(ctx);
    }
    Ok(instance_list_response(
        ctx,
        "volumes",
        "volumes",
        slice(&items, page),
        items.len(),
        page,
    ))
}

fn get_volume(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("volume_id")?;
    let st = ctx.app.state.read();
    let Some(v) = st.instance_volumes.get_in(ctx.param("zone"), id) else {
        return Err(ctx.missing(&st, nf("instance_volume", id)));
    };
    ctx.authorize(&st, &v.project)?;
    Ok(wrapped(StatusCode::OK, "volume", &**v))
}
