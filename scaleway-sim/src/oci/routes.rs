//! The distribution routes: `GET /v2/`, manifests, blobs (with `Range`) and `tags/list`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};

use crate::model::{RegistryImage, RegistryTag};
use crate::util::Query;

use super::storage::Content;
use super::tokens::{Access, authorize, bearer_grant, challenge, denied};
use super::{OCI_INDEX, Shared, api_json, oci_error};

/// `GET /v2/`: 200 with a valid token, else the challenge.
pub(super) async fn base(shared: Arc<Shared>, region: &'static str, req: Request) -> Response {
    if bearer_grant(&shared, region, &req).is_some() {
        api_json(StatusCode::OK, &serde_json::json!({}))
    } else {
        challenge(&shared, req.headers(), region, None)
    }
}

pub(super) enum Target<'a> {
    Manifest(&'a str),
    Blob(&'a str),
    Tags,
}

pub(super) fn parse_target(rest: &str) -> Option<(&str, Target<'_>)> {
    if let Some(repo) = rest.strip_suffix("/tags/list") {
        return Some((repo, Target::Tags));
    }
    if let Some((repo, r)) = rest.rsplit_once("/manifests/") {
        return Some((repo, Target::Manifest(r)));
    }
    if let Some((repo, d)) = rest.rsplit_once("/blobs/") {
        return Some((repo, Target::Blob(d)));
    }
    None
}

/// `GET|HEAD /v2/<namespace>/<image>/{manifests/<ref>, blobs/<digest>, tags/list}`.
pub(super) async fn distribution(
    shared: Arc<Shared>,
    region: &'static str,
    req: Request,
) -> Response {
    let path = req.uri().path().to_owned();
    let rest = path.strip_prefix("/v2/").unwrap_or("");
    let Some((repository, target)) = parse_target(rest) else {
        return oci_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "not found",
            serde_json::Value::Null,
        );
    };
    let grant = bearer_grant(&shared, region, &req);
    let grant = grant.filter(|g| g.repository == repository);
    if grant.is_none() && req.headers().contains_key(header::AUTHORIZATION) {
        // A missing, expired, other-region or other-repository token: challenge for the
        // right scope.
        return challenge(&shared, req.headers(), region, Some(repository));
    }
    let attrs = crate::authn::attrs(
        shared.app.trust_forwarded_for,
        req.headers(),
        req.extensions(),
    );
    let image = match authorize(&shared, region, repository, grant.as_ref(), &attrs) {
        Access::Allowed { image } => image,
        Access::Unauthorized => {
            return challenge(&shared, req.headers(), region, Some(repository));
        }
        Access::Denied => return denied(),
        Access::NameUnknown => {
            return oci_error(
                StatusCode::NOT_FOUND,
                "NAME_UNKNOWN",
                "repository name not known to registry",
                serde_json::json!({ "name": repository }),
            );
        }
    };
    let head = req.method() == Method::HEAD;
    match target {
        Target::Tags => tags_list(&shared, &image, repository, req.uri().query()),
        Target::Manifest(reference) => {
            shared.counters.manifest.fetch_add(1, Ordering::Relaxed);
            let accept = req
                .headers()
                .get_all(header::ACCEPT)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
                .join(",");
            manifest(&shared, &image, reference, head, &accept)
        }
        Target::Blob(digest) => blob(&shared, &image, digest, head, req.headers()),
    }
}

pub(super) fn tags_of(shared: &Shared, image: &RegistryImage) -> Vec<Arc<RegistryTag>> {
    let st = shared.state.read();
    let mut tags: Vec<Arc<RegistryTag>> = st
        .tags
        .iter()
        .filter(|t| t.image_id == image.id)
        .cloned()
        .collect();
    tags.sort_by(|a, b| a.name.cmp(&b.name));
    tags
}

pub(super) fn tags_list(
    shared: &Shared,
    image: &RegistryImage,
    repository: &str,
    query: Option<&str>,
) -> Response {
    let q = Query::parse(query);
    let names: Vec<String> = tags_of(shared, image)
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let after: Vec<&String> = match q.get("last") {
        Some(last) => names.iter().filter(|n| n.as_str() > last).collect(),
        None => names.iter().collect(),
    };
    let n = q
        .get("n")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(usize::MAX);
    let page: Vec<&String> = after.iter().take(n).copied().collect();
    let mut resp = api_json(
        StatusCode::OK,
        &serde_json::json!({ "name": repository, "tags": page }),
    );
    if let (true, Some(last)) = (page.len() < after.len(), page.last()) {
        let link = format!("</v2/{repository}/tags/list?n={n}&last={last}>; rel=\"next\"");
        if let Ok(v) = HeaderValue::from_str(&link) {
            resp.headers_mut().insert(header::LINK, v);
        }
    }
    resp
}

pub(super) fn manifest_unknown(reference: &str) -> Response {
    oci_error(
        StatusCode::NOT_FOUND,
        "MANIFEST_UNKNOWN",
        "manifest unknown",
        serde_json::json!({ "reference": reference }),
    )
}

/// A manifest or index by tag or digest. As in the CNCF distribution registry, an image index
/// is served only to a client whose `Accept` lists the OCI index media type (other clients
/// get `404 MANIFEST_UNKNOWN` saying so); manifests are served whatever the `Accept`.
pub(super) fn manifest(
    shared: &Shared,
    image: &RegistryImage,
    reference: &str,
    head: bool,
    accept: &str,
) -> Response {
    let digest = if reference.starts_with("sha256:") {
        reference.to_owned()
    } else {
        match tags_of(shared, image).iter().find(|t| t.name == reference) {
            Some(t) => t.digest.clone(),
            None => return manifest_unknown(reference),
        }
    };
    let found = shared
        .store
        .read()
        .ok()
        .and_then(|s| match s.get(&image.id, &digest) {
            Some(Content::Manifest(m)) => Some(m),
            _ => None,
        });
    let Some(m) = found else {
        return manifest_unknown(reference);
    };
    let accepts_index = accept
        .split(',')
        .any(|t| t.split(';').next().unwrap_or("").trim() == OCI_INDEX);
    if m.media_type == OCI_INDEX && !accepts_index {
        return oci_error(
            StatusCode::NOT_FOUND,
            "MANIFEST_UNKNOWN",
            "OCI index found, but accept header does not support OCI indexes",
            serde_json::json!({ "reference": reference }),
        );
    }
    let len = m.bytes.len();
    let body = if head {
        Body::empty()
    } else {
        Body::from(m.bytes)
    };
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(m.media_type));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    if let Ok(v) = HeaderValue::from_str(&digest) {
        h.insert("docker-content-digest", v);
    }
    resp
}

/// What a `Range` header asks of a blob of `len` bytes (RFC 9110 §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RangeAsk {
    /// No usable range: the whole blob, `200` (another unit, a malformed or a multi-range
    /// header is ignored, as the RFC allows).
    Whole,
    /// `206` with these bytes (first and last, inclusive).
    Part(u64, u64),
    /// `416` with `Content-Range: bytes */len`.
    Unsatisfiable,
}

/// Parses `bytes=a-`, `bytes=a-b` and the suffix form `bytes=-n` (the last `n` bytes).
pub(super) fn parse_range(value: &str, len: u64) -> RangeAsk {
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return RangeAsk::Whole;
    };
    let Some((a, b)) = spec.split_once('-').filter(|_| !spec.contains(',')) else {
        return RangeAsk::Whole;
    };
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        return match b.parse::<u64>() {
            Err(_) => RangeAsk::Whole,
            Ok(0) => RangeAsk::Unsatisfiable,
            Ok(_) if len == 0 => RangeAsk::Unsatisfiable,
            Ok(n) => RangeAsk::Part(len.saturating_sub(n), len - 1),
        };
    }
    let Ok(start) = a.parse::<u64>() else {
        return RangeAsk::Whole;
    };
    let end = if b.is_empty() {
        None
    } else {
        match b.parse::<u64>() {
            Ok(end) if end >= start => Some(end),
            _ => return RangeAsk::Whole,
        }
    };
    if start >= len {
        return RangeAsk::Unsatisfiable;
    }
    RangeAsk::Part(start, end.map_or(len - 1, |e| e.min(len - 1)))
}

pub(super) fn blob(
    shared: &Shared,
    image: &RegistryImage,
    digest: &str,
    head: bool,
    headers: &http::HeaderMap,
) -> Response {
    let found = shared
        .store
        .read()
        .ok()
        .and_then(|s| match s.get(&image.id, digest) {
            Some(Content::Blob(b)) => Some(b),
            _ => None,
        });
    let Some(mut data) = found else {
        return oci_error(
            StatusCode::NOT_FOUND,
            "BLOB_UNKNOWN",
            "blob unknown to registry",
            serde_json::json!({ "digest": digest }),
        );
    };
    let total = data.len() as u64;
    let (corrupt, cut) = match shared.faults.lock() {
        Ok(mut f) => {
            let corrupt = f.corrupt.iter().any(|d| d == digest);
            let cut = if head {
                None
            } else {
                match &f.cut {
                    Some((d, n)) if d == digest => {
                        let n = *n;
                        f.cut = None;
                        Some(n)
                    }
                    _ => None,
                }
            };
            (corrupt, cut)
        }
        Err(_) => (false, None),
    };
    if corrupt && !data.is_empty() {
        let mut v = data.to_vec();
        v[0] ^= 0xff;
        data = Bytes::from(v);
    }
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map_or(RangeAsk::Whole, |v| parse_range(v, total));
    if !head {
        shared.counters.blob.fetch_add(1, Ordering::Relaxed);
        if range != RangeAsk::Whole {
            shared.counters.range.fetch_add(1, Ordering::Relaxed);
        }
    }
    let (status, slice, content_range) = match range {
        RangeAsk::Whole => (StatusCode::OK, data, None),
        RangeAsk::Unsatisfiable => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::RANGE_NOT_SATISFIABLE;
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
        RangeAsk::Part(start, end) => (
            StatusCode::PARTIAL_CONTENT,
            data.slice(start as usize..=end as usize),
            Some(format!("bytes {start}-{end}/{total}")),
        ),
    };
    let len = slice.len();
    let body = if head {
        Body::empty()
    } else if let Some(n) = cut {
        let n = (n as usize).min(len);
        shared
            .counters
            .blob_bytes
            .fetch_add(n as u64, Ordering::Relaxed);
        let first = slice.slice(..n);
        Body::from_stream(futures::stream::iter(vec![
            Ok(first),
            Err(std::io::Error::other(
                "connection cut by the simulator (fault)",
            )),
        ]))
    } else {
        shared
            .counters
            .blob_bytes
            .fetch_add(len as u64, Ordering::Relaxed);
        Body::from(slice)
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = status;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    if let Ok(v) = HeaderValue::from_str(digest) {
        h.insert("docker-content-digest", v);
    }
    if let Some(cr) = content_range.and_then(|c| HeaderValue::from_str(&c).ok()) {
        h.insert(header::CONTENT_RANGE, cr);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        use RangeAsk::{Part, Unsatisfiable, Whole};
        assert_eq!(parse_range("bytes=10-", 100), Part(10, 99));
        assert_eq!(parse_range("bytes=10-19", 100), Part(10, 19));
        assert_eq!(parse_range("bytes=10-1000", 100), Part(10, 99));
        assert_eq!(parse_range("bytes=-10", 100), Part(90, 99));
        assert_eq!(parse_range("bytes=-1000", 100), Part(0, 99));
        assert_eq!(parse_range("bytes=-0", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=-5", 0), Unsatisfiable);
        assert_eq!(parse_range("bytes=100-", 100), Unsatisfiable);
        assert_eq!(parse_range("bytes=19-10", 100), Whole);
        assert_eq!(parse_range("bytes=0-1,5-6", 100), Whole);
        assert_eq!(parse_range("bytes=x-", 100), Whole);
        assert_eq!(parse_range("items=1-2", 100), Whole);
    }
}
