//! The OCI distribution (Docker Registry v2) endpoint: one listener per registry region, standing in
//! for `rg.<region>.scw.cloud`, plus one listener for the token realm.
//!
//! Sources: `shared/scaleway-api/registry.md` (hosts, Docker token auth with the secret key as the
//! Basic password and any username, the observed 403 body) and the OCI distribution specification
//! (routes, error codes, `Docker-Content-Digest`, `Range`).
//!
//! * `GET /v2/` without a valid bearer token answers `401` with
//!   `WWW-Authenticate: Bearer realm="…",service="registry"`. The realm is served by a separate
//!   listener at `/registry-internal/v1/regions/{region}/tokens` (the path a third-party project
//!   recorded for `api.scaleway.com`; unconfirmed). It takes HTTP Basic auth (any username, the
//!   secret key as password) or none (anonymous, for public images) and answers
//!   `{"token", "access_token", "expires_in": 300, "issued_at"}`. A refused key gets the API's
//!   `401 denied_authentication` body (sim choice: the realm is on the API gateway). A token is
//!   valid for the repository of its scope on the registry of the region whose realm issued it
//!   (another region's registry answers the challenge). When the simulator listens on every
//!   interface (`0.0.0.0`), the realm named in the challenge uses the host the client reached
//!   the registry by.
//! * Manifests and image indexes by tag or digest, blobs, and `tags/list`, with correct
//!   `Docker-Content-Digest`, `Content-Type` and `Content-Length`. An image index is served
//!   only when `Accept` lists `application/vnd.oci.image.index.v1+json`, else `404
//!   MANIFEST_UNKNOWN` (the CNCF distribution registry's behaviour; Scaleway's is unconfirmed).
//!   Blob `Range` (RFC 9110): `bytes=a-`, `bytes=a-b`, the suffix `bytes=-n`; `416` with
//!   `Content-Range: bytes */len` past the end; another unit, a malformed or a multi-range header
//!   is ignored (`200`, whole blob).
//! * Pulling needs registry read permission (`ContainerRegistryReadOnly` or any set granting it) on
//!   the namespace's project, evaluated at each request with the same IAM engine as the JSON API;
//!   refused requests get `403` with the body observed from `rg.fr-par.scw.cloud`
//!   (`{"details":[{"action":"read","resource":"api_namespace"},{"action":"read","resource":"registry_image"}],"message":"insufficient permissions"}`;
//!   the message text is a sim choice). Public namespaces (`is_public`, image visibility
//!   `inherit`) and public images can be pulled anonymously; an anonymous request for anything else
//!   gets the `401` challenge.
//! * Authentication and authorization come before existence: an anonymous request for a
//!   repository that is not public gets the challenge and a keyed one without read access the
//!   `403`, whether the repository exists or not. Then unknown repository → `404 NAME_UNKNOWN`
//!   (for a missing namespace, only to a key that may read the registry of every project),
//!   unknown tag or manifest digest → `404 MANIFEST_UNKNOWN`, unknown blob → `404 BLOB_UNKNOWN`
//!   (distribution-spec error envelopes).
//!
//! The JSON API's [`crate::Faults`] apply to these listeners (token realm included): latency,
//! connection latency, the shared rate limit (bare `429` with `x-envoy-ratelimited: true`) and
//! the 5xx rate; requests count in [`crate::Sim::request_count`] and carry `x-request-id`.
//! Locality faults do not (they stand for a region's API being down, not its registry host).
//! [`RegistryFaults`] (corrupt a blob, break a transfer) apply through
//! [`crate::Sim::set_registry_faults`].
//!
//! Every tag of every scenario is a small, real, multi-platform image generated deterministically
//! when the simulator starts: an OCI image index → `linux/amd64` and `linux/arm64/v8` manifests →
//! config + two gzip tar layers (a base layer shared by every image, an application layer per
//! tag), with correct sha256 digests and `diff_ids`. The management API's tag `digest` is the
//! index digest, and image/namespace `size` the size of what is stored.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http::{HeaderValue, StatusCode, header};

use crate::model::{RegistryImage, RegistryTag};
use crate::state::SimState;
use crate::util::now;

mod routes;
mod storage;
mod tokens;

use routes::{base, distribution};
use storage::{Store, build_sized_image, build_store};
use tokens::token;

/// Regions where the registry endpoint listens (where the management API exists).
pub const REGIONS: &[&str] = crate::locality::REGISTRY_REGIONS;

const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
const OCI_LAYER_GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
/// Lifetime of a registry token.
const TOKEN_SECONDS: u64 = 300;
/// `created` of every generated image (the demo scenario's base time).
const CREATED: &str = "2026-03-02T09:00:00Z";

/// Faults of the registry endpoint. `RegistryFaults::default()` injects none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryFaults {
    corrupt: Vec<String>,
    cut: Option<(String, u64)>,
}

impl RegistryFaults {
    /// Serves the blob `digest` with one byte flipped (headers unchanged), every time.
    #[must_use]
    pub fn corrupt_blob(mut self, digest: &str) -> Self {
        self.corrupt.push(digest.to_owned());
        self
    }

    /// Breaks the connection after `bytes` bytes of the next `GET` of blob `digest` (once).
    #[must_use]
    pub fn cut_blob_after(mut self, digest: &str, bytes: u64) -> Self {
        self.cut = Some((digest.to_owned(), bytes));
        self
    }
}

/// Request counters of the registry endpoint (all regions).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegistryStats {
    /// Token requests (realm).
    pub token_requests: u64,
    /// `GET`/`HEAD` of manifests.
    pub manifest_requests: u64,
    /// `GET` of blobs.
    pub blob_requests: u64,
    /// `GET` of blobs with a `Range` header.
    pub range_requests: u64,
    /// Blob body bytes sent.
    pub blob_bytes: u64,
}

#[derive(Debug, Default)]
struct Counters {
    token: AtomicU64,
    manifest: AtomicU64,
    blob: AtomicU64,
    range: AtomicU64,
    blob_bytes: AtomicU64,
}

/// What a token grants.
#[derive(Debug, Clone)]
struct Grant {
    /// `None` for an anonymous token.
    access_key: Option<String>,
    repository: String,
    /// The registry region whose realm issued it (a token is valid on that registry only).
    region: String,
    expires: Instant,
}

#[derive(Debug)]
struct Shared {
    state: SimState,
    store: RwLock<Store>,
    tokens: Mutex<HashMap<String, Grant>>,
    faults: Mutex<RegistryFaults>,
    counters: Counters,
    /// The JSON API's faults, request counter and `trust_forwarded_for`.
    app: Arc<crate::http::App>,
    /// Where the realm listens; an unspecified address (`0.0.0.0`) is replaced by the host
    /// the client used to reach the registry.
    realm_addr: SocketAddr,
    token_seq: AtomicU64,
    seed: u64,
}

/// The running registry endpoint (owned by [`crate::Sim`]; its listeners stop with it).
#[derive(Debug)]
pub(crate) struct Registry {
    hosts: BTreeMap<String, SocketAddr>,
    shared: Arc<Shared>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for Registry {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Generates the images of every tag in the state, then starts the token listener and one
/// listener per registry region on `ip`.
pub(crate) async fn start(
    app: &Arc<crate::http::App>,
    ip: std::net::IpAddr,
    ports_from: Option<u16>,
) -> Result<Registry, crate::SimError> {
    let (state, seed) = (&app.state, app.seed);
    let store = {
        let mut st = state.write();
        build_store(&mut st)
    };
    let port = |i: u16| ports_from.map_or(0, |p| p.saturating_add(i));
    let token_listener = crate::server::bind(SocketAddr::new(ip, port(0))).await?;
    let token_addr = token_listener.local_addr()?;
    let token_listener = crate::server::SimListener {
        inner: token_listener,
        faults: Arc::clone(&app.faults),
    };
    let shared = Arc::new(Shared {
        state: state.clone(),
        store: RwLock::new(store),
        tokens: Mutex::new(HashMap::new()),
        faults: Mutex::new(RegistryFaults::default()),
        counters: Counters::default(),
        app: Arc::clone(app),
        realm_addr: token_addr,
        token_seq: AtomicU64::new(0),
        seed,
    });
    let mut tasks = Vec::new();
    let token_router = Router::new().route(
        "/registry-internal/v1/regions/{region}/tokens",
        get({
            let s = Arc::clone(&shared);
            move |axum::extract::Path(region): axum::extract::Path<String>, req: Request| {
                let s = Arc::clone(&s);
                async move { front(&s, req, |req| token(Arc::clone(&s), region, req)).await }
            }
        }),
    );
    tasks.push(tokio::spawn(async move {
        let _ = axum::serve(
            token_listener,
            token_router.into_make_service_with_connect_info::<crate::server::PeerAddr>(),
        )
        .await;
    }));
    let mut hosts = BTreeMap::new();
    for (i, region) in (1u16..).zip(REGIONS) {
        let listener = crate::server::bind(SocketAddr::new(ip, port(i))).await?;
        hosts.insert((*region).to_owned(), listener.local_addr()?);
        let listener = crate::server::SimListener {
            inner: listener,
            faults: Arc::clone(&app.faults),
        };
        let s = Arc::clone(&shared);
        let router = Router::new()
            .route(
                "/v2/",
                get({
                    let s = Arc::clone(&s);
                    move |req: Request| {
                        let s = Arc::clone(&s);
                        async move { front(&s, req, |req| base(Arc::clone(&s), region, req)).await }
                    }
                }),
            )
            .route(
                "/v2/{*rest}",
                get({
                    let s = Arc::clone(&s);
                    move |req: Request| {
                        let s = Arc::clone(&s);
                        async move {
                            front(&s, req, |req| distribution(Arc::clone(&s), region, req)).await
                        }
                    }
                }),
            );
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<crate::server::PeerAddr>(),
            )
            .await;
        }));
    }
    Ok(Registry {
        hosts,
        shared,
        tasks,
    })
}

impl crate::Sim {
    /// The `host:port` serving the registry of `region` (standing in for `rg.<region>.scw.cloud`,
    /// plain HTTP), or `None` where Container Registry does not exist.
    pub fn registry_host(&self, region: &str) -> Option<String> {
        self.registry.hosts.get(region).map(ToString::to_string)
    }

    /// Request counters of the registry endpoint.
    pub fn registry_stats(&self) -> RegistryStats {
        let c = &self.registry.shared.counters;
        RegistryStats {
            token_requests: c.token.load(Ordering::Relaxed),
            manifest_requests: c.manifest.load(Ordering::Relaxed),
            blob_requests: c.blob.load(Ordering::Relaxed),
            range_requests: c.range.load(Ordering::Relaxed),
            blob_bytes: c.blob_bytes.load(Ordering::Relaxed),
        }
    }

    /// Replaces the registry endpoint's faults.
    pub fn set_registry_faults(&self, faults: RegistryFaults) {
        if let Ok(mut f) = self.registry.shared.faults.lock() {
            *f = faults;
        }
    }

    /// Adds (or replaces) tag `tag` of image `image` in the namespace named `namespace` of `region`:
    /// a single-platform `linux/amd64` image whose layers hold `layer_sizes` bytes of deterministic,
    /// incompressible data each (for throughput measurements). Creates the image and tag in the
    /// management API too. Returns the manifest digest, or `None` if there is no such namespace.
    pub fn add_registry_image(
        &self,
        region: &str,
        namespace: &str,
        image: &str,
        tag: &str,
        layer_sizes: &[usize],
    ) -> Option<String> {
        let built = build_sized_image(namespace, image, tag, layer_sizes);
        let mut st = self.state.write();
        let ns = st
            .namespaces
            .in_locality(region)
            .find(|n| n.name == namespace)
            .map(|n| (**n).clone())?;
        let existing = st
            .images
            .iter()
            .find(|i| i.namespace_id == ns.id && i.name == image)
            .map(|i| (**i).clone());
        let t = now();
        let image_id = match existing {
            Some(i) => i.id,
            None => {
                let id = st.new_id();
                st.images.insert(RegistryImage {
                    created_at: t,
                    id: id.clone(),
                    name: image.to_owned(),
                    namespace_id: ns.id.clone(),
                    size: 0,
                    status: "ready",
                    status_message: String::new(),
                    tags: Vec::new(),
                    updated_at: t,
                    visibility: "inherit",
                    region: ns.region.clone(),
                    project_id: ns.project_id.clone(),
                });
                if let Some(n) = st.namespaces.get_mut(&ns.id) {
                    n.image_count += 1;
                }
                id
            }
        };
        let old_tag = st
            .tags
            .iter()
            .find(|x| x.image_id == image_id && x.name == tag)
            .map(|x| x.id.clone());
        let tag_id = match old_tag {
            Some(id) => id,
            None => st.new_id(),
        };
        st.tags.insert(RegistryTag {
            created_at: t,
            digest: built.top.clone(),
            id: tag_id,
            image_id: image_id.clone(),
            name: tag.to_owned(),
            status: "ready",
            updated_at: t,
            region: ns.region.clone(),
            project_id: ns.project_id.clone(),
        });
        let top = built.top.clone();
        if let Ok(mut store) = self.registry.shared.store.write() {
            let added = built.size();
            built.put(&mut store, &image_id);
            if let Some(img) = st.images.get_mut(&image_id) {
                if !img.tags.iter().any(|x| x == tag) {
                    img.tags.push(tag.to_owned());
                }
                img.size += added;
                img.updated_at = t;
            }
            if let Some(n) = st.namespaces.get_mut(&ns.id) {
                n.size += added;
            }
        }
        Some(top)
    }
}

// ------------------------------------------------------------------ HTTP

fn oci_error(status: StatusCode, code: &str, message: &str, detail: serde_json::Value) -> Response {
    let body =
        serde_json::json!({ "errors": [{ "code": code, "message": message, "detail": detail }] });
    let mut r = (status, serde_json::to_vec(&body).unwrap_or_default()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn api_json(status: StatusCode, body: &serde_json::Value) -> Response {
    let mut r = (status, serde_json::to_vec(body).unwrap_or_default()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// Faults, counting and the request id of every request, like the JSON API's (locality
/// faults excepted: they model a region's API, not its registry host).
async fn front<F, Fut>(shared: &Shared, req: Request, handler: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: std::future::Future<Output = Response>,
{
    let app = &shared.app;
    let n = app.stats.total.fetch_add(1, Ordering::Relaxed);
    let _in_flight = app.stats.enter();
    let (verdict, latency) = app.faults.decide("/registry-distribution/");
    if !latency.is_zero() {
        app.faults.wait(latency).await;
    }
    let mut resp = match verdict {
        crate::faults::Verdict::Pass => handler(req).await,
        crate::faults::Verdict::RateLimited => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            r.headers_mut()
                .insert("x-envoy-ratelimited", HeaderValue::from_static("true"));
            r
        }
        crate::faults::Verdict::Status(code) => {
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
            r
        }
    };
    if let Ok(v) = HeaderValue::from_str(&crate::util::uuid_from_u64(app.seed ^ 0x7e9, n)) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}
