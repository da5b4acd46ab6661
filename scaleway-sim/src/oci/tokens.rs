//! The token realm and authorization: Docker token auth (HTTP Basic with the secret key),
//! bearer tokens, the `401` challenge and the IAM decision of who may pull what.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::extract::Request;
use axum::response::Response;
use base64::Engine as _;
use http::{HeaderValue, StatusCode, header};

use crate::iam::{Action, Product, RequestAttrs};
use crate::model::RegistryImage;
use crate::util::{Query, fmt_z, is_uuid, now};

use super::{Grant, REGIONS, Shared, TOKEN_SECONDS, api_json, oci_error};

/// The realm's base URL as the client can reach it.
pub(super) fn realm_base(shared: &Shared, req_headers: &http::HeaderMap) -> String {
    let addr = shared.realm_addr;
    if !addr.ip().is_unspecified() {
        return format!("http://{addr}");
    }
    // Bound to every interface: the host the client reached the registry by.
    let host = req_headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.parse::<http::uri::Authority>().ok())
        .map_or_else(|| "127.0.0.1".to_owned(), |a| a.host().to_owned());
    format!("http://{host}:{}", addr.port())
}

pub(super) fn challenge(
    shared: &Shared,
    headers: &http::HeaderMap,
    region: &str,
    repository: Option<&str>,
) -> Response {
    let mut value = format!(
        "Bearer realm=\"{}/registry-internal/v1/regions/{region}/tokens\",service=\"registry\"",
        realm_base(shared, headers)
    );
    if let Some(r) = repository {
        value.push_str(&format!(",scope=\"repository:{r}:pull\""));
    }
    let mut resp = oci_error(
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED",
        "authentication required",
        repository.map_or(
            serde_json::Value::Null,
            |r| serde_json::json!([{ "Type": "repository", "Name": r, "Action": "pull" }]),
        ),
    );
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

pub(super) fn auth_error(reason: &str) -> Response {
    api_json(
        StatusCode::UNAUTHORIZED,
        &serde_json::json!({
            "message": "authentication is denied", "method": "api_key", "reason": reason, "type": "denied_authentication"
        }),
    )
}

/// The realm: `GET /registry-internal/v1/regions/{region}/tokens?service=registry&scope=repository:<repo>:pull`.
pub(super) async fn token(shared: Arc<Shared>, region: String, req: Request) -> Response {
    shared.counters.token.fetch_add(1, Ordering::Relaxed);
    if !REGIONS.contains(&region.as_str()) {
        return api_json(
            StatusCode::BAD_REQUEST,
            &serde_json::json!({ "message": "Unknown region in path" }),
        );
    }
    let query = Query::parse(req.uri().query());
    let repository = query
        .get("scope")
        .and_then(|s| s.strip_prefix("repository:"))
        .and_then(|s| s.rsplit_once(':'))
        .map(|(repo, _actions)| repo.to_owned())
        .unwrap_or_default();
    let basic = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .map(|b| {
            base64::engine::general_purpose::STANDARD
                .decode(b.trim())
                .ok()
                .and_then(|raw| String::from_utf8(raw).ok())
                .and_then(|s| s.split_once(':').map(|(_, p)| p.to_owned()))
                .unwrap_or_default()
        });
    let access_key = match basic {
        None => None,
        Some(secret) => {
            if !is_uuid(&secret) {
                return auth_error("invalid_argument");
            }
            let st = crate::authn::fresh(&shared.state);
            match crate::authn::by_secret(&st, &secret) {
                Ok(live) => Some(live.key.access_key.clone()),
                Err(refusal) => return auth_error(refusal.reason()),
            }
        }
    };
    let n = shared.token_seq.fetch_add(1, Ordering::Relaxed);
    let token = format!(
        "{:016x}{:016x}",
        crate::util::splitmix(shared.seed ^ 0x0c1),
        crate::util::splitmix(n ^ (now() as u64))
    );
    if let Ok(mut t) = shared.tokens.lock() {
        let at = shared.app.faults.clock.now();
        t.retain(|_, g| g.expires > at);
        t.insert(
            token.clone(),
            Grant {
                access_key,
                repository,
                region,
                expires: at + Duration::from_secs(TOKEN_SECONDS),
            },
        );
    }
    api_json(
        StatusCode::OK,
        &serde_json::json!({
            "token": token, "access_token": token, "expires_in": TOKEN_SECONDS, "issued_at": fmt_z(now())
        }),
    )
}

/// The grant of the request's bearer token, if it is valid on `region`'s registry.
pub(super) fn bearer_grant(shared: &Shared, region: &str, req: &Request) -> Option<Grant> {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")?
        .trim()
        .to_owned();
    let tokens = shared.tokens.lock().ok()?;
    let g = tokens.get(&token)?;
    (g.expires > shared.app.faults.clock.now() && g.region == region).then(|| g.clone())
}

/// Who may pull what: the outcome of authorization for one repository.
pub(super) enum Access {
    Allowed { image: Arc<RegistryImage> },
    Unauthorized,
    Denied,
    NameUnknown,
}

/// Authentication and authorization come first, so that only a caller who may read a
/// namespace learns whether a repository exists in it: an anonymous caller gets the challenge,
/// a keyed one without read access `403`, whether the repository exists or not. A missing
/// namespace is `NAME_UNKNOWN` only for a key that may read the registry of every project.
pub(super) fn authorize(
    shared: &Shared,
    region: &str,
    repository: &str,
    grant: Option<&Grant>,
    attrs: &RequestAttrs,
) -> Access {
    let st = crate::authn::fresh(&shared.state);
    let anonymous = grant.is_none_or(|g| g.access_key.is_none());
    // IAM: registry read on the namespace's project (the key may have been revoked since
    // the token was issued).
    let reach = grant
        .and_then(|g| g.access_key.as_deref())
        .and_then(|ak| crate::authn::by_access_key(&st, ak).ok())
        .map(|key| key.reach(&st, Product::Registry, Action::Read, attrs));
    let readable = |project: &str| reach.as_ref().is_some_and(|r| r.covers(project));
    let ns = repository
        .split_once('/')
        .and_then(|(ns_name, image_name)| {
            let ns = st
                .namespaces
                .in_locality(region)
                .find(|n| n.name == ns_name)
                .cloned()?;
            let image = st
                .images
                .in_locality(region)
                .find(|i| i.namespace_id == ns.id && i.name == image_name)
                .cloned();
            Some((ns, image))
        });
    let Some((ns, image)) = ns else {
        return if anonymous {
            Access::Unauthorized
        } else if reach == Some(crate::iam::Reach::All) {
            Access::NameUnknown
        } else {
            Access::Denied
        };
    };
    let public = |i: &RegistryImage| match i.visibility {
        "public" => true,
        "private" => false,
        _ => ns.is_public,
    };
    match image {
        Some(i) if readable(&ns.project_id) || public(&i) => Access::Allowed { image: i },
        None if readable(&ns.project_id) || ns.is_public => Access::NameUnknown,
        _ if anonymous => Access::Unauthorized,
        _ => Access::Denied,
    }
}

pub(super) fn denied() -> Response {
    api_json(
        StatusCode::FORBIDDEN,
        &serde_json::json!({
            "details": [
                { "action": "read", "resource": "api_namespace" },
                { "action": "read", "resource": "registry_image" }
            ],
            "message": "insufficient permissions"
        }),
    )
}
