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

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use sha2::{Digest as _, Sha256};

use crate::iam::{Action, Product, RequestAttrs};
use crate::model::{RegistryImage, RegistryTag};
use crate::state::{SimState, State};
use crate::util::{Query, fmt_z, is_uuid, now};

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

/// A stored manifest or index.
#[derive(Debug, Clone)]
struct Manifest {
    media_type: &'static str,
    bytes: Bytes,
}

/// Image content, keyed by digest; which digests each image (repository) holds.
#[derive(Debug, Default)]
struct Store {
    manifests: HashMap<String, Manifest>,
    blobs: HashMap<String, Bytes>,
    by_image: HashMap<String, HashSet<String>>,
    /// Content of the scenario's tag images, not kept: digest → how to generate it again
    /// (deterministic, a few tens of microseconds). Only digests are kept per image.
    generated: HashMap<String, Arc<Recipe>>,
}

/// The inputs of [`build_tag_image`].
#[derive(Debug)]
struct Recipe {
    namespace: String,
    image: String,
    tag: String,
}

/// Stored or generated content of one digest.
enum Content {
    Manifest(Manifest),
    Blob(Bytes),
}

impl Store {
    /// The content of `digest` if `image_id` holds it.
    fn get(&self, image_id: &str, digest: &str) -> Option<Content> {
        if !self.by_image.get(image_id)?.contains(digest) {
            return None;
        }
        if let Some(m) = self.manifests.get(digest) {
            return Some(Content::Manifest(m.clone()));
        }
        if let Some(b) = self.blobs.get(digest) {
            return Some(Content::Blob(b.clone()));
        }
        let r = self.generated.get(digest)?;
        let built = build_tag_image(&r.namespace, &r.image, &r.tag);
        built
            .manifests
            .into_iter()
            .find(|(d, _)| d == digest)
            .map(|(_, m)| Content::Manifest(m))
            .or_else(|| {
                built
                    .blobs
                    .into_iter()
                    .find(|(d, _)| d == digest)
                    .map(|(_, b)| Content::Blob(b))
            })
    }
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

// ------------------------------------------------------------------ image generation

/// One generated image: its top digest (index or manifest), manifests and blobs.
struct Built {
    top: String,
    manifests: Vec<(String, Manifest)>,
    blobs: Vec<(String, Bytes)>,
}

impl Built {
    fn size(&self) -> u64 {
        let m: usize = self.manifests.iter().map(|(_, m)| m.bytes.len()).sum();
        let b: usize = self.blobs.iter().map(|(_, b)| b.len()).sum();
        (m + b) as u64
    }

    fn put(self, store: &mut Store, image_id: &str) {
        let set = store.by_image.entry(image_id.to_owned()).or_default();
        for (d, m) in self.manifests {
            set.insert(d.clone());
            store.manifests.insert(d, m);
        }
        for (d, b) in self.blobs {
            set.insert(d.clone());
            store.blobs.insert(d, b);
        }
    }
}

fn digest_of(bytes: &[u8]) -> String {
    let h = Sha256::digest(bytes);
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in h.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// One entry of a tar archive.
enum Entry<'a> {
    Dir(&'a str),
    File(&'a str, u32, &'a [u8]),
}

/// A ustar archive (mtime 0, uid/gid 0), ending with two zero blocks.
fn tar(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let (name, mode, data, kind) = match e {
            Entry::Dir(n) => (*n, 0o755, &[][..], b'5'),
            Entry::File(n, m, d) => (*n, *m, *d, b'0'),
        };
        let mut h = [0u8; 512];
        let nb = name.as_bytes();
        h[..nb.len().min(100)].copy_from_slice(&nb[..nb.len().min(100)]);
        let octal = |h: &mut [u8; 512], at: usize, width: usize, v: u64| {
            let s = format!("{v:0w$o}\0", w = width - 1);
            h[at..at + width].copy_from_slice(s.as_bytes());
        };
        octal(&mut h, 100, 8, u64::from(mode));
        octal(&mut h, 108, 8, 0);
        octal(&mut h, 116, 8, 0);
        octal(&mut h, 124, 12, data.len() as u64);
        octal(&mut h, 136, 12, 0);
        h[148..156].copy_from_slice(b"        ");
        h[156] = kind;
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[265..269].copy_from_slice(b"root");
        h[297..301].copy_from_slice(b"root");
        let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
        let s = format!("{sum:06o}\0 ");
        h[148..156].copy_from_slice(s.as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn gzip(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::with_capacity(data.len() / 2 + 64), level);
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// A gzip layer: (compressed digest, compressed bytes, uncompressed digest = diff_id).
fn layer(tarball: &[u8], level: flate2::Compression) -> (String, Bytes, String) {
    let gz = gzip(tarball, level);
    (digest_of(&gz), Bytes::from(gz), digest_of(tarball))
}

/// The base layer shared by every generated image.
fn base_layer() -> &'static (String, Bytes, String) {
    static BASE: std::sync::OnceLock<(String, Bytes, String)> = std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        let os_release = b"NAME=\"Scaleway Sim Linux\"\nID=scaleway-sim\nVERSION_ID=1.0\nPRETTY_NAME=\"Scaleway Sim Linux 1.0 (simulated image)\"\n";
        let t = tar(&[
            Entry::Dir("etc/"),
            Entry::File("etc/os-release", 0o644, os_release),
            Entry::Dir("app/"),
        ]);
        layer(&t, flate2::Compression::default())
    })
}

fn descriptor(media_type: &str, digest: &str, size: usize) -> serde_json::Value {
    serde_json::json!({ "mediaType": media_type, "digest": digest, "size": size })
}

/// Config and manifest of one platform; returns (manifest digest, manifest, config blob).
fn platform_manifest(
    arch: &str,
    variant: Option<&str>,
    cmd: &str,
    version: &str,
    layers: &[&(String, Bytes, String)],
) -> (String, Manifest, (String, Bytes)) {
    let mut config = serde_json::json!({
        "architecture": arch,
        "os": "linux",
        "created": CREATED,
        "config": {
            "Cmd": [cmd],
            "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Labels": { "org.opencontainers.image.version": version, "org.opencontainers.image.vendor": "scaleway-sim" }
        },
        "rootfs": { "type": "layers", "diff_ids": layers.iter().map(|l| l.2.clone()).collect::<Vec<_>>() },
        "history": layers.iter().enumerate().map(|(i, _)| serde_json::json!({
            "created": CREATED, "created_by": format!("scaleway-sim: layer {i}")
        })).collect::<Vec<_>>(),
    });
    if let (Some(v), Some(o)) = (variant, config.as_object_mut()) {
        o.insert("variant".into(), v.into());
    }
    let config = Bytes::from(serde_json::to_vec(&config).unwrap_or_default());
    let config_digest = digest_of(&config);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": descriptor(OCI_CONFIG, &config_digest, config.len()),
        "layers": layers.iter().map(|l| descriptor(OCI_LAYER_GZIP, &l.0, l.1.len())).collect::<Vec<_>>(),
    });
    let bytes = Bytes::from(serde_json::to_vec(&manifest).unwrap_or_default());
    (
        digest_of(&bytes),
        Manifest {
            media_type: OCI_MANIFEST,
            bytes,
        },
        (config_digest, config),
    )
}

/// The image of one tag of the scenario: an index over linux/amd64 and linux/arm64/v8.
fn build_tag_image(namespace: &str, image: &str, tag: &str) -> Built {
    let base = base_layer();
    let short = image.rsplit('/').next().unwrap_or(image);
    let dir = format!("app/{short}/");
    let version_path = format!("app/{short}/VERSION");
    let run_path = format!("app/{short}/run");
    let version = format!("{namespace}/{image}:{tag}\n");
    let run = format!("#!/bin/sh\necho \"{namespace}/{image}:{tag}\"\n");
    let t = tar(&[
        Entry::Dir(&dir),
        Entry::File(&version_path, 0o644, version.as_bytes()),
        Entry::File(&run_path, 0o755, run.as_bytes()),
    ]);
    let app = layer(&t, flate2::Compression::default());
    let cmd = format!("/{run_path}");
    let mut manifests = Vec::new();
    let mut blobs = vec![
        (base.0.clone(), base.1.clone()),
        (app.0.clone(), app.1.clone()),
    ];
    let mut entries = Vec::new();
    for (arch, variant) in [("amd64", None), ("arm64", Some("v8"))] {
        let (d, m, config) = platform_manifest(arch, variant, &cmd, tag, &[base, &app]);
        let mut platform = serde_json::json!({ "architecture": arch, "os": "linux" });
        if let (Some(v), Some(o)) = (variant, platform.as_object_mut()) {
            o.insert("variant".into(), v.into());
        }
        entries.push(serde_json::json!({
            "mediaType": OCI_MANIFEST, "digest": d, "size": m.bytes.len(), "platform": platform
        }));
        blobs.push(config);
        manifests.push((d, m));
    }
    let index =
        serde_json::json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": entries });
    let bytes = Bytes::from(serde_json::to_vec(&index).unwrap_or_default());
    let top = digest_of(&bytes);
    manifests.push((
        top.clone(),
        Manifest {
            media_type: OCI_INDEX,
            bytes,
        },
    ));
    Built {
        top,
        manifests,
        blobs,
    }
}

/// A single-platform image with layers of pseudo-random bytes (stored, not compressed).
fn build_sized_image(namespace: &str, image: &str, tag: &str, layer_sizes: &[usize]) -> Built {
    let mut layers = Vec::new();
    for (i, size) in layer_sizes.iter().enumerate() {
        let mut data = vec![0u8; *size];
        let mut x = crate::util::splitmix(
            (i as u64)
                ^ (namespace.len() as u64) << 8
                ^ (image.len() as u64) << 16
                ^ (tag.len() as u64) << 24,
        ) | 1;
        for chunk in data.chunks_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let b = x.to_le_bytes();
            chunk.copy_from_slice(&b[..chunk.len()]);
        }
        let name = format!("data/{image}-{tag}-{i}.bin").replace('/', "_");
        let name = format!("data/{name}");
        let t = tar(&[Entry::Dir("data/"), Entry::File(&name, 0o644, &data)]);
        layers.push(layer(&t, flate2::Compression::none()));
    }
    let refs: Vec<&(String, Bytes, String)> = layers.iter().collect();
    let (d, m, config) = platform_manifest("amd64", None, "/bin/true", tag, &refs);
    let mut blobs: Vec<(String, Bytes)> = layers.into_iter().map(|(d, b, _)| (d, b)).collect();
    blobs.push(config);
    Built {
        top: d.clone(),
        manifests: vec![(d, m)],
        blobs,
    }
}

/// Generates the image of every tag, sets the tags' digests and the images' and namespaces'
/// sizes to what is stored.
fn build_store(st: &mut State) -> Store {
    let mut store = Store::default();
    let tags: Vec<Arc<RegistryTag>> = st.tags.iter().cloned().collect();
    let mut sizes: HashMap<String, u64> = HashMap::new();
    let mut seen: HashMap<String, HashSet<String>> = HashMap::new();
    for t in tags {
        let Some(img) = st.images.get(&t.image_id).cloned() else {
            continue;
        };
        let Some(ns) = st.namespaces.get(&img.namespace_id).cloned() else {
            continue;
        };
        let built = build_tag_image(&ns.name, &img.name, &t.name);
        let recipe = Arc::new(Recipe {
            namespace: ns.name.clone(),
            image: img.name.clone(),
            tag: t.name.clone(),
        });
        let seen = seen.entry(img.id.clone()).or_default();
        let size = sizes.entry(img.id.clone()).or_default();
        for (d, m) in &built.manifests {
            if seen.insert(d.clone()) {
                *size += m.bytes.len() as u64;
            }
        }
        for (d, b) in &built.blobs {
            if seen.insert(d.clone()) {
                *size += b.len() as u64;
            }
        }
        if let Some(tag) = st.tags.get_mut(&t.id) {
            tag.digest.clone_from(&built.top);
        }
        // Keep the digests only; the content is generated again when asked for.
        let set = store.by_image.entry(img.id.clone()).or_default();
        let digests = built
            .manifests
            .iter()
            .map(|(d, _)| d)
            .chain(built.blobs.iter().map(|(d, _)| d));
        for d in digests {
            set.insert(d.clone());
            store
                .generated
                .entry(d.clone())
                .or_insert_with(|| Arc::clone(&recipe));
        }
    }
    let mut ns_sizes: HashMap<String, u64> = HashMap::new();
    for (image_id, size) in sizes {
        if let Some(img) = st.images.get_mut(&image_id) {
            img.size = size;
            *ns_sizes.entry(img.namespace_id.clone()).or_default() += size;
        }
    }
    let ns_ids: Vec<String> = st.namespaces.iter().map(|n| n.id.clone()).collect();
    for id in ns_ids {
        if let Some(n) = st.namespaces.get_mut(&id) {
            n.size = ns_sizes.get(&id).copied().unwrap_or(0);
        }
    }
    store
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

/// The realm's base URL as the client can reach it.
fn realm_base(shared: &Shared, req_headers: &http::HeaderMap) -> String {
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

fn challenge(
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

fn auth_error(reason: &str) -> Response {
    api_json(
        StatusCode::UNAUTHORIZED,
        &serde_json::json!({
            "message": "authentication is denied", "method": "api_key", "reason": reason, "type": "denied_authentication"
        }),
    )
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

/// The realm: `GET /registry-internal/v1/regions/{region}/tokens?service=registry&scope=repository:<repo>:pull`.
async fn token(shared: Arc<Shared>, region: String, req: Request) -> Response {
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
fn bearer_grant(shared: &Shared, region: &str, req: &Request) -> Option<Grant> {
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

/// `GET /v2/`: 200 with a valid token, else the challenge.
async fn base(shared: Arc<Shared>, region: &'static str, req: Request) -> Response {
    if bearer_grant(&shared, region, &req).is_some() {
        api_json(StatusCode::OK, &serde_json::json!({}))
    } else {
        challenge(&shared, req.headers(), region, None)
    }
}

enum Target<'a> {
    Manifest(&'a str),
    Blob(&'a str),
    Tags,
}

fn parse_target(rest: &str) -> Option<(&str, Target<'_>)> {
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

/// Who may pull what: the outcome of authorization for one repository.
enum Access {
    Allowed { image: Arc<RegistryImage> },
    Unauthorized,
    Denied,
    NameUnknown,
}

/// Authentication and authorization come first, so that only a caller who may read a
/// namespace learns whether a repository exists in it: an anonymous caller gets the challenge,
/// a keyed one without read access `403`, whether the repository exists or not. A missing
/// namespace is `NAME_UNKNOWN` only for a key that may read the registry of every project.
fn authorize(
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

fn denied() -> Response {
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

/// `GET|HEAD /v2/<namespace>/<image>/{manifests/<ref>, blobs/<digest>, tags/list}`.
async fn distribution(shared: Arc<Shared>, region: &'static str, req: Request) -> Response {
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

fn tags_of(shared: &Shared, image: &RegistryImage) -> Vec<Arc<RegistryTag>> {
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

fn tags_list(
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

fn manifest_unknown(reference: &str) -> Response {
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
fn manifest(
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
enum RangeAsk {
    /// No usable range: the whole blob, `200` (another unit, a malformed or a multi-range
    /// header is ignored, as the RFC allows).
    Whole,
    /// `206` with these bytes (first and last, inclusive).
    Part(u64, u64),
    /// `416` with `Content-Range: bytes */len`.
    Unsatisfiable,
}

/// Parses `bytes=a-`, `bytes=a-b` and the suffix form `bytes=-n` (the last `n` bytes).
fn parse_range(value: &str, len: u64) -> RangeAsk {
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

fn blob(
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
    fn generated_images_are_deterministic_and_consistent() {
        let a = build_tag_image("acme-prod", "api", "latest");
        let b = build_tag_image("acme-prod", "api", "latest");
        assert_eq!(a.top, b.top);
        let c = build_tag_image("acme-prod", "api", "v1.2.0");
        assert_ne!(a.top, c.top);
        for (d, m) in &a.manifests {
            assert_eq!(&digest_of(&m.bytes), d);
        }
        for (d, blob) in &a.blobs {
            assert_eq!(&digest_of(blob), d);
        }
        let index: serde_json::Value = serde_json::from_slice(
            &a.manifests
                .iter()
                .find(|(d, _)| *d == a.top)
                .map(|(_, m)| m.bytes.clone())
                .unwrap_or_default(),
        )
        .unwrap_or_default();
        assert_eq!(index["manifests"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn tar_headers_have_valid_checksums() {
        let t = tar(&[Entry::File("a.txt", 0o644, b"hello")]);
        assert_eq!(t.len(), 512 + 512 + 1024);
        let mut h = [0u8; 512];
        h.copy_from_slice(&t[..512]);
        let stored =
            u32::from_str_radix(std::str::from_utf8(&h[148..154]).unwrap_or("0"), 8).unwrap_or(0);
        h[148..156].copy_from_slice(b"        ");
        assert_eq!(stored, h.iter().map(|b| u32::from(*b)).sum::<u32>());
        assert_eq!(&t[512..517], b"hello");
    }

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
