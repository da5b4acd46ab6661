//! Container Registry v1 management API (`shared/scaleway-api/registry.md`): namespaces, images, tags.
//! Registry 404s have no `type` (recorded: `{"message":"Namespace was not found"}`; the image and tag
//! wordings follow the same pattern, unconfirmed). DELETEs return the deleted object (status
//! `deleting`).
//!
//! 403 `resource` names (unconfirmed): no 403 of this API is recorded, and its 404s carry no
//! `resource`. The only registry resource names on record are those of the denied pull observed on
//! the registry host (`shared/scaleway-api/registry.md`, core.md §errors; a third-party log):
//! `api_namespace` and `registry_image`. They are used here as the least invented choice:
//! namespace routes say `api_namespace`, image routes `registry_image`, and tag routes
//! `registry_image` too (a pull by tag is denied on `registry_image`, so tags are taken to be
//! governed by their image; no tag resource name is on record).
use std::sync::Arc;

use axum::response::Response;
use http::{Method, StatusCode};

use super::{add, bool_field, str_field};
use crate::error::{ApiError, json};
use crate::http::{Ctx, Loc, RouteDef, created_now, list_response, slice, sort_by_order, std_page};
use crate::iam::{Action, Product};
use crate::locality::REGISTRY_REGIONS;
use crate::model::{Namespace, RegistryImage, RegistryTag};

pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    use Action::{Read, Write};
    use Method as M;
    let (l, p) = (Loc::Region(REGISTRY_REGIONS), Product::Registry);
    add(
        v,
        M::GET,
        "/registry/v1/regions/{region}/namespaces",
        l,
        p,
        Read,
        "api_namespace",
        list_namespaces,
    );
    add(
        v,
        M::GET,
        "/registry/v1/regions/{region}/namespaces/{namespace_id}",
        l,
        p,
        Read,
        "api_namespace",
        get_namespace,
    );
    add(
        v,
        M::PATCH,
        "/registry/v1/regions/{region}/namespaces/{namespace_id}",
        l,
        p,
        Write,
        "api_namespace",
        update_namespace,
    );
    add(
        v,
        M::DELETE,
        "/registry/v1/regions/{region}/namespaces/{namespace_id}",
        l,
        p,
        Write,
        "api_namespace",
        delete_namespace,
    );
    add(
        v,
        M::GET,
        "/registry/v1/regions/{region}/images",
        l,
        p,
        Read,
        "registry_image",
        list_images,
    );
    add(
        v,
        M::GET,
        "/registry/v1/regions/{region}/images/{image_id}",
        l,
        p,
        Read,
        "registry_image",
        get_image,
    );
    add(
        v,
        M::PATCH,
        "/registry/v1/regions/{region}/images/{image_id}",
        l,
        p,
        Write,
        "registry_image",
        update_image,
    );
    add(
        v,
        M::DELETE,
        "/registry/v1/regions/{region}/images/{image_id}",
        l,
        p,
        Write,
        "registry_image",
        delete_image,
    );
    add(
        v,
        M::GET,
        "/registry/v1/regions/{region}/images/{image_id}/tags",
        l,
        p,
        Read,
        "registry_image",
        list_tags,
    );
    add(
        v,
        M::GET,
        "/registry/v1/regions/{region}/tags/{tag_id}",
        l,
        p,
        Read,
        "registry_image",
        get_tag,
    );
    add(
        v,
        M::DELETE,
        "/registry/v1/regions/{region}/tags/{tag_id}",
        l,
        p,
        Write,
        "registry_image",
        delete_tag,
    );
}

const NS_NF: ApiError = ApiError::PlainNotFound("Namespace was not found");
const IMG_NF: ApiError = ApiError::PlainNotFound("Image was not found");
const TAG_NF: ApiError = ApiError::PlainNotFound("Tag was not found");

fn list_namespaces(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let project = ctx.uuid_query("project_id")?;
    let org = ctx.uuid_query("organization_id")?;
    let name = ctx.query.get("name");
    let region = ctx.param("region");
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    let mut items: Vec<&Arc<Namespace>> = st
        .namespaces
        .in_locality(region)
        .filter(|n| reach.covers(&n.project_id))
        .filter(|n| org.is_none_or(|o| o == n.organization_id))
        .filter(|n| name.is_none_or(|x| x == n.name))
        .collect();
    match ctx.query.get("order_by") {
        Some("description_asc") => items.sort_by(|a, b| a.description.cmp(&b.description)),
        Some("description_desc") => items.sort_by(|a, b| b.description.cmp(&a.description)),
        _ => sort_by_order(
            ctx,
            &mut items,
            "created_at_asc",
            |n| &n.name,
            |n| n.created_at,
            |n| n.updated_at,
        )?,
    }
    if let Some(change) = crate::churn::plan(ctx, page, &items) {
        drop(st);
        crate::churn::apply::<Namespace>(ctx, change);
        return list_namespaces(ctx);
    }
    Ok(list_response(
        "namespaces",
        slice(&items, page),
        items.len(),
    ))
}

fn find_namespace(ctx: &Ctx<'_>, st: &crate::state::State) -> Result<Arc<Namespace>, ApiError> {
    let id = ctx.uuid_param("namespace_id")?;
    let Some(n) = st.namespaces.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(st, NS_NF));
    };
    ctx.authorize(st, &n.project_id)?;
    Ok(Arc::clone(n))
}

fn get_namespace(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let st = ctx.app.state.read();
    let n = find_namespace(ctx, &st)?;
    Ok(json(StatusCode::OK, &*n))
}

fn update_namespace(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    // Authorized on the namespace's Project before the body is read.
    let mut st = ctx.app.state.write();
    let n = find_namespace(ctx, &st)?;
    let body = ctx.json_body()?;
    let description = str_field(&body, "description")?;
    let is_public = bool_field(&body, "is_public")?;
    let ns = st.namespaces.get_mut(&n.id).ok_or(NS_NF)?;
    if let Some(d) = description {
        ns.description = d;
    }
    if let Some(p) = is_public {
        ns.is_public = p;
    }
    ns.updated_at = created_now();
    let out = ns.clone();
    Ok(json(StatusCode::OK, &out))
}

fn delete_namespace(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let mut st = ctx.app.state.write();
    let n = find_namespace(ctx, &st)?;
    let images: Vec<String> = st
        .images
        .iter()
        .filter(|i| i.namespace_id == n.id)
        .map(|i| i.id.clone())
        .collect();
    for i in &images {
        remove_image_and_tags(&mut st, i);
    }
    st.namespaces.remove(&n.id);
    let mut out = (*n).clone();
    out.status = "deleting";
    out.updated_at = created_now();
    Ok(json(StatusCode::OK, &out))
}

fn remove_image_and_tags(st: &mut crate::state::State, image_id: &str) {
    let tags: Vec<String> = st
        .tags
        .iter()
        .filter(|t| t.image_id == image_id)
        .map(|t| t.id.clone())
        .collect();
    for t in tags {
        st.tags.remove(&t);
    }
    st.images.remove(image_id);
}

fn list_images(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let project = ctx.uuid_query("project_id")?;
    let org = ctx.uuid_query("organization_id")?;
    let ns = ctx.uuid_query("namespace_id")?;
    let name = ctx.query.get("name");
    let region = ctx.param("region");
    let st = ctx.app.state.read();
    let reach = ctx.list_reach(&st, project)?;
    let mut items: Vec<&Arc<RegistryImage>> = st
        .images
        .in_locality(region)
        .filter(|i| reach.covers(&i.project_id))
        .filter(|_| org.is_none_or(|o| o == st.organization_id))
        .filter(|i| ns.is_none_or(|n| n == i.namespace_id))
        .filter(|i| name.is_none_or(|n| n == i.name))
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "created_at_asc",
        |i| &i.name,
        |i| i.created_at,
        |i| i.updated_at,
    )?;
    Ok(list_response("images", slice(&items, page), items.len()))
}

fn find_image(ctx: &Ctx<'_>, st: &crate::state::State) -> Result<Arc<RegistryImage>, ApiError> {
    let id = ctx.uuid_param("image_id")?;
    let Some(i) = st.images.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(st, IMG_NF));
    };
    ctx.authorize(st, &i.project_id)?;
    Ok(Arc::clone(i))
}

fn get_image(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let st = ctx.app.state.read();
    let i = find_image(ctx, &st)?;
    Ok(json(StatusCode::OK, &*i))
}

fn update_image(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    // Authorized on the image's Project before the body is read.
    let mut st = ctx.app.state.write();
    let i = find_image(ctx, &st)?;
    let body = ctx.json_body()?;
    let visibility = match str_field(&body, "visibility")?.as_deref() {
        None => None,
        Some("inherit") => Some("inherit"),
        Some("public") => Some("public"),
        Some("private") => Some("private"),
        Some("visibility_unknown") => Some("visibility_unknown"),
        Some(_) => {
            return Err(ApiError::invalid(
                "visibility",
                "constraint",
                "value is not a valid enum value",
            ));
        }
    };
    let img = st.images.get_mut(&i.id).ok_or(IMG_NF)?;
    if let Some(v) = visibility {
        img.visibility = v;
    }
    img.updated_at = created_now();
    let out = img.clone();
    Ok(json(StatusCode::OK, &out))
}

fn delete_image(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let mut st = ctx.app.state.write();
    let i = find_image(ctx, &st)?;
    remove_image_and_tags(&mut st, &i.id);
    if let Some(ns) = st.namespaces.get_mut(&i.namespace_id) {
        ns.image_count = ns.image_count.saturating_sub(1);
        ns.size = ns.size.saturating_sub(i.size);
    }
    let mut out = (*i).clone();
    out.status = "deleting";
    Ok(json(StatusCode::OK, &out))
}

fn list_tags(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let page = std_page(ctx)?;
    let name = ctx.query.get("name");
    let st = ctx.app.state.read();
    let i = find_image(ctx, &st)?;
    let mut items: Vec<&Arc<RegistryTag>> = st
        .tags
        .in_locality(ctx.param("region"))
        .filter(|t| t.image_id == i.id)
        .filter(|t| name.is_none_or(|n| n == t.name))
        .collect();
    sort_by_order(
        ctx,
        &mut items,
        "created_at_asc",
        |t| &t.name,
        |t| t.created_at,
        |t| t.updated_at,
    )?;
    Ok(list_response("tags", slice(&items, page), items.len()))
}

fn find_tag(ctx: &Ctx<'_>, st: &crate::state::State) -> Result<Arc<RegistryTag>, ApiError> {
    let id = ctx.uuid_param("tag_id")?;
    let Some(t) = st.tags.get_in(ctx.param("region"), id) else {
        return Err(ctx.missing(st, TAG_NF));
    };
    ctx.authorize(st, &t.project_id)?;
    Ok(Arc::clone(t))
}

fn get_tag(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let st = ctx.app.state.read();
    let t = find_tag(ctx, &st)?;
    Ok(json(StatusCode::OK, &*t))
}

fn delete_tag(ctx: &Ctx<'_>) -> Result<Response, ApiError> {
    super::authorized_somewhere(ctx)?;
    let _force = ctx.bool_query("force")?;
    let mut st = ctx.app.state.write();
    let t = find_tag(ctx, &st)?;
    st.tags.remove(&t.id);
    if let Some(img) = st.images.get_mut(&t.image_id) {
        img.tags.retain(|x| *x != t.name);
    }
    let mut out = (*t).clone();
    out.status = "deleting";
    Ok(json(StatusCode::OK, &out))
}
