//! Instance v1 servers and (local) volumes (`shared/scaleway-api/instance.md`): `per_page` pagination,
//! `x-total-count` + `link` headers, wrapped single objects, `organization`/`project` fields.
//!
//! Writes: create and delete of security groups (the policy checker's canaries). The request is
//! the Go SDK's `CreateSecurityGroupRequest` (scaleway-sdk-go `2c5cd81b`: `name`, `description`,
//! `organization` (deprecated) or `project`, `tags`, `organization_default` / `project_default`,
//! `stateful`, `inbound_default_policy`, `outbound_default_policy`, `enable_default_security`);
//! the answers are those of that SDK's recorded `test-api-update-security-group` cassette:
//! `201` with `{"security_group": {...}}` and a `Location` header, and `204` on delete. Sim
//! choices: a missing policy is `accept`; `enable_default_security` is always `true` (the SDK:
//! "read only"); `project_default` is stored but changes no other group.

use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode};

use super::{add, authorize_create, bool_field, str_field, strings_field, uuid_field};
use crate::error::{ApiError, Style, no_content};
use crate::http::{Ctx, Loc, RouteDef, instance_list_response, instance_page, slice, wrapped};
use crate::iam::{Action, Product};
use crate::locality::INSTANCE_ZONES;
use crate::model::{InstanceVolume, SecurityGroup, Server};
use crate::util::now;

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
    let w = Action::Write;
    add(
        v,
        Method::POST,
        "/instance/v1/zones/{zone}/security_groups",
        z,
        p,
        w,
        "instance_security_group",
        create_security_group,
    );
    add(
        v,
        Method::DELETE,
        "/instance/v1/zones/{zone}/security_groups/{security_group_id}",
        z,
        p,
        w,
        "instance_security_group",
        delete_security_group,
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

/// `accept` or `drop` (`SecurityGroupPolicy`); absent: `accept`.
fn policy(
    body: &serde_json::Map<String, serde_json::Value>,
    key: &str,
) -> Result<&'static str, ApiError> {
    match str_field(body, key)?.as_deref() {
        None | Some("accept") => Ok("accept"),
        Some("drop") => Ok("drop"),
        Some(_) => Err(ApiError::invalid(
            key,
            "constraint",
            "value is not a valid enum value",
        )),
    }
}

fn create_security_group(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let style = ctx.style();
    let body = ctx.json_body()?;
    let project = uuid_field(&body, "project").map_err(|e| e.with_style(style))?;
    let organization = uuid_field(&body, "organization").map_err(|e| e.with_style(style))?;
    let name = str_field(&body, "name")?.unwrap_or_default();
    let description = str_field(&body, "description")?.unwrap_or_default();
    let tags = strings_field(&body, "tags")?.unwrap_or_default();
    let project_default = bool_field(&body, "project_default")?.unwrap_or(false);
    let organization_default = bool_field(&body, "organization_default")?.unwrap_or(false);
    let stateful = bool_field(&body, "stateful")?.unwrap_or(false);
    let inbound = policy(&body, "inbound_default_policy")?;
    let outbound = policy(&body, "outbound_default_policy")?;
    bool_field(&body, "enable_default_security")?;
    let zone = ctx.param("zone").to_owned();
    let mut st = ctx.app.state.write();
    // "Precisely one of Project, Organization must be set"; the deprecated `organization`
    // alone means the Organization's default project (its ID is the Organization's).
    let project = match (project, organization) {
        (Some(p), _) => p,
        (None, Some(o)) => o,
        (None, None) => {
            return Err(
                ApiError::invalid("project", "required", "required key not provided")
                    .with_style(style),
            );
        }
    };
    authorize_create(ctx, &st, &project)?;
    let id = st.new_id();
    let t = now();
    let sg = SecurityGroup {
        name: if name.is_empty() {
            format!("sg-{}", &id[..8])
        } else {
            name
        },
        id,
        creation_date: t,
        modification_date: t,
        description,
        organization: st.organization_id.clone(),
        project,
        servers: Vec::new(),
        stateful,
        inbound_default_policy: inbound,
        outbound_default_policy: outbound,
        organization_default,
        project_default,
        enable_default_security: true,
        state: "available",
        tags,
        zone,
    };
    st.security_groups.insert(sg.clone());
    let mut resp = wrapped(StatusCode::CREATED, "security_group", &sg);
    let location = format!(
        "{}/instance/v1/zones/{}/security_groups/{}",
        "https://api.scaleway.com", sg.zone, sg.id
    );
    if let Ok(v) = http::HeaderValue::from_str(&location) {
        resp.headers_mut().insert(http::header::LOCATION, v);
    }
    Ok(resp)
}

fn delete_security_group(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let id = ctx.uuid_param("security_group_id")?;
    let mut st = ctx.app.state.write();
    let Some(g) = st.security_groups.get_in(ctx.param("zone"), id) else {
        return Err(ctx.missing(&st, nf("instance_security_group", id)));
    };
    ctx.authorize(&st, &g.project)?;
    st.security_groups.remove(id);
    Ok(no_content())
}
