//! The S3-compatible Object Storage endpoint: one listener per Object Storage region
//! (path-style addressing), standing in for `https://s3.<region>.scw.cloud`.
//!
//! * **SigV4 is verified by [s3s](https://docs.rs/s3s)** (header signatures, payload hash,
//!   date), an implementation independent of the clients under test. s3s 0.14 is the newest
//!   release that builds on the toolchain in use (0.15+ need Rust 1.96); it declares Rust 1.92.
//! * **Served**: ListBuckets (`GET /`), HeadBucket (`HEAD /<bucket>`: 200 with
//!   `x-amz-bucket-region`, 403, 404, no body, as recorded), GetBucketLocation
//!   (`GET /<bucket>?location`), GetBucketVersioning (`?versioning`), GetBucketTagging
//!   (`?tagging`), CreateBucket (`PUT /<bucket>`) and DeleteBucket (`DELETE /<bucket>`);
//!   anything else is s3s's `NotImplemented`.
//! * **CreateBucket / DeleteBucket** (the policy checker's canaries), as recorded in the
//!   scaleway-cli cassette `internal/namespaces/object/v1/testdata/test-bucket-cors-create-simple.cassette.yaml`
//!   (commit `c2d470d8`): `PUT` (body `<CreateBucketConfiguration><LocationConstraint>fr-par…`)
//!   answers `200` with an empty body and `Location: /<bucket>`; `DELETE` answers `204`. The
//!   bucket is created in the project of the signature (`ACCESS_KEY@PROJECT_ID`, else the key's
//!   preferred project), in the listener's region; IAM: `ObjectStorageBucketsWrite` (or a
//!   set that includes it) to create, `ObjectStorageBucketsDelete` to delete. Sim choices
//!   (AWS behaviour, not on record for Scaleway): the body is not read; `InvalidBucketName`
//!   (400) for a name that is not 3–63 lower-case letters, digits, dots and dashes starting
//!   and ending with a letter or digit; `BucketAlreadyOwnedByYou` / `BucketAlreadyExists`
//!   (409) for a taken name; objects are not modelled, so a bucket is always empty.
//! * **Project**: the access key id may be `ACCESS_KEY@PROJECT_ID`; without the suffix the key's
//!   `default_project_id` (its preferred project) is used. ListBuckets lists that project's
//!   buckets of the listener's region.
//! * **IAM**: the same engine as the JSON API: `ObjectStorageReadOnly` / `ObjectStorageFullAccess`
//!   (or `AllProducts*`) on the project (ListBuckets) or on the bucket's project (bucket reads),
//!   propagation delay and conditions included. Otherwise `403 AccessDenied`.
//! * **Shapes** (`shared/recorded/s3/`): `<?xml …?>` prolog and `text/xml; charset=utf-8` on
//!   successful answers, `ListAllMyBucketsResult` without `xmlns`, Owner `<project>:<project>`,
//!   dates with milliseconds, never-versioned buckets as `<Status></Status>`, a bucket without
//!   tags as the `NoSuchTagSet` 404; errors as `application/xml` without prolog:
//!   `<Error><Code/><Message/><RequestId/><HostId/><Resource/>[<BucketName/>]</Error>` (s3s's own
//!   errors, e.g. `SignatureDoesNotMatch`, are rewritten into that shape); `x-amz-request-id` and
//!   `x-amz-id-2` headers.
//! * **Bucket policies** (minimal): [`crate::Sim::deny_bucket_actions`] makes chosen bucket
//!   reads answer `403 AccessDenied` for everyone, as a `Deny` statement would;
//!   [`crate::SimState::add_bucket`] adds a bucket while the sim runs.
//! * **Faults**: latency, the shared rate limit (the gateway's bare 429), the 5xx rate and
//!   region outages of [`crate::Faults`] apply; requests count in [`crate::Sim::request_count`].
//!
//! Sim choices (not confirmed by the sources): `GetBucketLocation`'s content type (like the other
//! bucket reads), the `xmlns` on `LocationConstraint` (docs sample), `PermanentRedirect` (301) for
//! a bucket of another region, `InvalidAccessKeyId` for unknown or expired keys and
//! `AuthorizationHeaderMalformed` for a credential scope naming another region (AWS behaviour).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::Body as AxumBody;
use axum::extract::Request;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use s3s::auth::{S3Auth, SecretKey};
use s3s::route::S3Route;
use s3s::service::{S3Service, S3ServiceBuilder};
use s3s::{S3Request, S3Response, S3Result, s3_error};
use serde::{Deserialize, Serialize};

use crate::faults::Verdict;
use crate::http::App;
use crate::iam::{Action, Product, Reach, S3Access};
use crate::model::Bucket;
use crate::state::State;
use crate::util::{is_uuid, splitmix};

/// Regions where the S3 endpoint listens.
pub const REGIONS: &[&str] = crate::locality::OBJECT_STORAGE_REGIONS;

const XML_OK: &str = "text/xml; charset=utf-8";
const XML_ERROR: &str = "application/xml";
/// HeadBucket's content type, on success too (recorded).
const XML_HEAD: &str = "application/xml";
const PROLOG: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
const XMLNS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// The running S3 endpoint (owned by [`crate::Sim`]; its listeners stop with it).
#[derive(Debug)]
pub(crate) struct ObjectStorage {
    endpoints: BTreeMap<String, SocketAddr>,
    requests: Arc<AtomicU64>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    denied: Denied,
}

/// Bucket name → S3 actions denied on it to every principal ([`crate::Sim::deny_bucket_actions`]).
type Denied = Arc<RwLock<HashMap<String, BTreeSet<String>>>>;

impl Drop for ObjectStorage {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// What one region's listener shares with its handlers.
struct Region {
    name: &'static str,
    app: Arc<App>,
    service: S3Service,
    requests: Arc<AtomicU64>,
}

/// Starts one listener per Object Storage region on `ip`.
pub(crate) async fn start(
    app: &Arc<App>,
    ip: IpAddr,
    ports_from: Option<u16>,
) -> Result<ObjectStorage, crate::SimError> {
    let mut endpoints = BTreeMap::new();
    let mut tasks = Vec::new();
    let requests = Arc::new(AtomicU64::new(0));
    let denied = Denied::default();
    for (i, region) in (0u16..).zip(REGIONS) {
        let port = ports_from.map_or(0, |p| p.saturating_add(i));
        let listener = crate::server::bind(SocketAddr::new(ip, port)).await?;
        endpoints.insert((*region).to_owned(), listener.local_addr()?);
        let mut builder = S3ServiceBuilder::new(Unimplemented);
        builder.set_auth(KeyStore {
            app: Arc::clone(app),
        });
        builder.set_route(Routes {
            app: Arc::clone(app),
            region,
            denied: Arc::clone(&denied),
        });
        let shared = Arc::new(Region {
            name: region,
            app: Arc::clone(app),
            service: builder.build(),
            requests: Arc::clone(&requests),
        });
        let router = Router::new().fallback(move |req: Request| handle(Arc::clone(&shared), req));
        let listener = crate::server::SimListener {
            inner: listener,
            faults: Arc::clone(&app.faults),
        };
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                router.into_make_service_with_connect_info::<crate::server::PeerAddr>(),
            )
            .await;
        }));
    }
    Ok(ObjectStorage {
        endpoints,
        requests,
        tasks,
        denied,
    })
}

impl crate::Sim {
    /// The S3 endpoint of `region` (plain HTTP, path-style), standing in for
    /// `https://s3.<region>.scw.cloud`, or `None` where Object Storage does not exist.
    pub fn s3_endpoint(&self, region: &str) -> Option<url::Url> {
        let addr = self.object_storage.endpoints.get(region)?;
        url::Url::parse(&format!("http://{addr}")).ok()
    }

    /// Requests received by the S3 endpoints (they also count in [`crate::Sim::request_count`]).
    pub fn s3_request_count(&self) -> u64 {
        self.object_storage.requests.load(Ordering::Relaxed)
    }

    /// Denies these S3 actions on `bucket` to every principal, as a bucket policy with a
    /// `Deny` statement for them would (`s3:GetBucketLocation`, `s3:GetBucketVersioning`,
    /// `s3:GetBucketTagging`, and `s3:ListBucket` for HeadBucket): such calls answer
    /// `403 AccessDenied`, the same error document as any refused call (no body for HEAD). Adds to the actions denied before; an empty list lifts them all.
    /// Sim choice: a bucket policy is not evaluated statement by statement here.
    pub fn deny_bucket_actions(&self, bucket: &str, actions: &[&str]) {
        let mut denied = self
            .object_storage
            .denied
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if actions.is_empty() {
            denied.remove(bucket);
        } else {
            denied
                .entry(bucket.to_owned())
                .or_default()
                .extend(actions.iter().map(|a| (*a).to_owned()));
        }
    }
}

impl crate::SimState {
    /// Adds a bucket (served by the S3 endpoint of its region at once). A bucket with the
    /// same name is replaced.
    pub fn add_bucket(&self, bucket: Bucket) {
        let mut st = self.write();
        st.buckets.retain(|b| b.name != bucket.name);
        st.buckets.push(bucket);
    }
}

fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(AxumBody::empty());
    *r.status_mut() = status;
    r
}

/// Faults and counting, then s3s (signature), then the shape of s3s's own errors.
async fn handle(region: Arc<Region>, req: Request) -> Response {
    let n = region.app.stats.total.fetch_add(1, Ordering::Relaxed);
    region.requests.fetch_add(1, Ordering::Relaxed);
    let _in_flight = region.app.stats.enter();
    let request_id = request_id(region.app.seed, n);
    let faults = &region.app.faults;
    let (verdict, latency) = faults.decide_with_key(
        faults.decide(&format!("/s3/regions/{}/", region.name)),
        || crate::key_faults::s3_key(req.headers()),
    );
    if !latency.is_zero() {
        region.app.faults.wait(latency).await;
    }
    let mut resp = match verdict {
        Verdict::Pass => {
            let (parts, body) = req.into_parts();
            match axum::body::to_bytes(body, 1 << 20).await {
                Ok(bytes) => {
                    let req = http::Request::from_parts(parts, s3s::Body::from(bytes));
                    call_s3s(&region, req, &request_id).await
                }
                Err(_) => error_response(
                    StatusCode::BAD_REQUEST,
                    "MaxMessageLengthExceeded",
                    "Your request was too big.",
                    &request_id,
                    "/",
                    None,
                ),
            }
        }
        Verdict::RateLimited => {
            let mut r = empty(StatusCode::TOO_MANY_REQUESTS);
            r.headers_mut()
                .insert("x-envoy-ratelimited", HeaderValue::from_static("true"));
            r
        }
        Verdict::Status(s) => {
            empty(StatusCode::from_u16(s).unwrap_or(StatusCode::SERVICE_UNAVAILABLE))
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-amz-request-id", v.clone());
        resp.headers_mut().insert("x-amz-id-2", v);
    }
    resp
}

async fn call_s3s(region: &Region, req: http::Request<s3s::Body>, request_id: &str) -> Response {
    let resource = req.uri().path().to_owned();
    let out = match region.service.call(req).await {
        Ok(r) => r,
        Err(_) => {
            return error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalError",
                "We encountered an internal error. Please try again.",
                request_id,
                &resource,
                None,
            );
        }
    };
    let (parts, mut body) = out.into_parts();
    let bytes = body.store_all_limited(4 << 20).await.unwrap_or_default();
    let own = parts.headers.get("x-sim-s3").is_some();
    if !own && parts.status.as_u16() >= 400 {
        // An error s3s produced itself (signature, unknown operation): same shape as ours.
        #[derive(Deserialize, Default)]
        #[serde(rename_all = "PascalCase")]
        struct S3sError {
            #[serde(default)]
            code: String,
            #[serde(default)]
            message: String,
        }
        let text = String::from_utf8_lossy(&bytes);
        let e: S3sError = quick_xml::de::from_str(&text).unwrap_or_default();
        return error_response(
            parts.status,
            &e.code,
            &e.message,
            request_id,
            &resource,
            None,
        );
    }
    let bytes = if parts.status.as_u16() >= 400 {
        fill_request_id(&bytes, request_id).unwrap_or(bytes)
    } else {
        bytes
    };
    let mut resp = Response::new(AxumBody::from(bytes));
    *resp.status_mut() = parts.status;
    for (k, v) in &parts.headers {
        if k.as_str() != "x-sim-s3" {
            resp.headers_mut().insert(k.clone(), v.clone());
        }
    }
    resp
}

fn request_id(seed: u64, n: u64) -> String {
    let a = splitmix(seed ^ 0x5353 ^ n);
    let b = splitmix(a);
    format!(
        "txg{:020x}-{:010x}",
        u128::from(a) << 16 | u128::from(b & 0xffff),
        b >> 24
    )
}

#[derive(Serialize)]
#[serde(rename = "Error", rename_all = "PascalCase")]
struct ErrorXml<'a> {
    code: &'a str,
    message: &'a str,
    request_id: &'a str,
    host_id: &'a str,
    resource: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    bucket_name: Option<&'a str>,
}

fn to_xml<T: Serialize>(value: &T) -> String {
    let mut out = String::new();
    let mut ser = quick_xml::se::Serializer::new(&mut out);
    ser.expand_empty_elements(true);
    if value.serialize(ser).is_err() {
        out.clear();
    }
    out
}

fn error_response(
    status: StatusCode,
    code: &str,
    message: &str,
    request_id: &str,
    resource: &str,
    bucket: Option<&str>,
) -> Response {
    let body = to_xml(&ErrorXml {
        code,
        message,
        request_id,
        host_id: request_id,
        resource,
        bucket_name: bucket,
    });
    let mut r = Response::new(AxumBody::from(body));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(XML_ERROR));
    r
}

/// s3s needs an `S3` implementation; every operation the sim serves is a custom route.
struct Unimplemented;

#[async_trait::async_trait]
impl s3s::S3 for Unimplemented {}

/// Looks up secret keys for s3s's signature check (`ACCESS_KEY` or `ACCESS_KEY@PROJECT_ID`).
struct KeyStore {
    app: Arc<App>,
}

fn split_access_key(access_key: &str) -> (&str, Option<&str>) {
    match access_key.split_once('@') {
        Some((ak, project)) => (ak, Some(project)),
        None => (access_key, None),
    }
}

#[async_trait::async_trait]
impl S3Auth for KeyStore {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        let (ak, project) = split_access_key(access_key);
        if project.is_some_and(|p| !is_uuid(p)) {
            return Err(s3_error!(InvalidAccessKeyId));
        }
        let st = crate::authn::fresh(&self.app.state);
        let key = crate::authn::by_access_key(&st, ak)
            .map_err(|_| s3_error!(InvalidAccessKeyId))?
            .key;
        Ok(SecretKey::from(key.secret.clone()))
    }
}

/// The operations the sim serves, after s3s verified the signature.
struct Routes {
    app: Arc<App>,
    region: &'static str,
    denied: Denied,
}

/// What a request is.
#[derive(Clone, Copy)]
enum Op<'a> {
    ListBuckets,
    Head(&'a str),
    Location(&'a str),
    Versioning(&'a str),
    Tagging(&'a str),
    CreateBucket(&'a str),
    DeleteBucket(&'a str),
}

fn op<'a>(method: &Method, path: &'a str, query: Option<&str>) -> Option<Op<'a>> {
    let bucket = path.trim_start_matches('/').trim_end_matches('/');
    let bare = query
        .unwrap_or("")
        .split('&')
        .all(|p| p.is_empty() || p.starts_with("x-id="));
    if (method == Method::PUT || method == Method::DELETE)
        && bare
        && !bucket.is_empty()
        && !bucket.contains('/')
    {
        return Some(if method == Method::PUT {
            Op::CreateBucket(bucket)
        } else {
            Op::DeleteBucket(bucket)
        });
    }
    let sub = query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("x-id="))
        .map(|p| p.split('=').next().unwrap_or(""))
        .collect::<Vec<_>>();
    if method == Method::HEAD {
        return (!bucket.is_empty() && !bucket.contains('/') && sub.is_empty())
            .then_some(Op::Head(bucket));
    }
    if method != Method::GET {
        return None;
    }
    match (bucket.is_empty(), sub.as_slice()) {
        (true, []) => Some(Op::ListBuckets),
        (false, ["location"]) if !bucket.contains('/') => Some(Op::Location(bucket)),
        (false, ["versioning"]) if !bucket.contains('/') => Some(Op::Versioning(bucket)),
        (false, ["tagging"]) if !bucket.contains('/') => Some(Op::Tagging(bucket)),
        _ => None,
    }
}

#[async_trait::async_trait]
impl S3Route for Routes {
    fn is_match(
        &self,
        method: &Method,
        uri: &http::Uri,
        _headers: &http::HeaderMap,
        _extensions: &mut http::Extensions,
    ) -> bool {
        op(method, uri.path(), uri.query()).is_some()
    }

    async fn check_access(&self, req: &mut S3Request<s3s::Body>) -> S3Result<()> {
        if req.credentials.is_none() {
            return Err(s3_error!(AccessDenied, "Permission denied."));
        }
        Ok(())
    }

    async fn call(&self, req: S3Request<s3s::Body>) -> S3Result<S3Response<s3s::Body>> {
        let path = req.uri.path().to_owned();
        let Some(op) = op(&req.method, &path, req.uri.query()) else {
            return Err(s3_error!(NotImplemented));
        };
        let head = matches!(op, Op::Head(_));
        let (status, content_type, body) = match op {
            Op::CreateBucket(name) | Op::DeleteBucket(name) => {
                self.answer_write(&req, matches!(op, Op::CreateBucket(_)), name)
            }
            _ => self.answer(&req, op),
        };
        let created = status == StatusCode::OK && req.method == Method::PUT;
        // HEAD answers carry no body (recorded: 200, 403 and 404 all empty).
        let body = if head { String::new() } else { body };
        let mut resp = S3Response::new(s3s::Body::from(body));
        resp.status = Some(status);
        if !content_type.is_empty()
            && let Ok(v) = HeaderValue::from_str(content_type)
        {
            resp.headers.insert(header::CONTENT_TYPE, v);
        }
        if created && let Ok(v) = HeaderValue::from_str(&path) {
            resp.headers.insert(header::LOCATION, v);
        }
        if head && status == StatusCode::OK {
            // Recorded on HeadBucket 200 (`s3/head-bucket-200-01.json`).
            resp.headers
                .insert("x-amz-bucket-region", HeaderValue::from_static(self.region));
        }
        resp.headers
            .insert("x-sim-s3", HeaderValue::from_static("1"));
        Ok(resp)
    }
}

/// An answer: status, content type, body.
type Answer = (StatusCode, &'static str, String);

fn error(
    status: StatusCode,
    code: &str,
    message: &str,
    resource: &str,
    bucket: Option<&str>,
) -> Answer {
    let body = to_xml(&ErrorXml {
        code,
        message,
        request_id: "",
        host_id: "",
        resource,
        bucket_name: bucket,
    });
    (status, XML_ERROR, body)
}

fn ok_xml<T: Serialize>(value: &T) -> Answer {
    (StatusCode::OK, XML_OK, format!("{PROLOG}{}", to_xml(value)))
}

#[derive(Serialize)]
#[serde(rename = "ListAllMyBucketsResult", rename_all = "PascalCase")]
struct ListAllMyBucketsResult {
    buckets: Buckets,
    owner: Owner,
}

#[derive(Serialize)]
struct Buckets {
    #[serde(rename = "Bucket")]
    bucket: Vec<BucketXml>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct BucketXml {
    creation_date: String,
    name: String,
}

#[derive(Serialize)]
struct Owner {
    #[serde(rename = "DisplayName")]
    display_name: String,
    #[serde(rename = "ID")]
    id: String,
}

#[derive(Serialize)]
#[serde(rename = "LocationConstraint")]
struct LocationConstraint<'a> {
    #[serde(rename = "@xmlns")]
    xmlns: &'a str,
    #[serde(rename = "$text")]
    region: &'a str,
}

#[derive(Serialize)]
#[serde(rename = "VersioningConfiguration", rename_all = "PascalCase")]
struct VersioningConfiguration<'a> {
    status: &'a str,
}

#[derive(Serialize)]
#[serde(rename = "Tagging", rename_all = "PascalCase")]
struct Tagging {
    tag_set: TagSet,
}

#[derive(Serialize)]
struct TagSet {
    #[serde(rename = "Tag")]
    tag: Vec<Tag>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: String,
    value: String,
}

/// `2026-06-19T13:27:03.000Z` from microseconds since the epoch.
fn s3_date(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// `403 AccessDenied` on `resource`.
fn access_denied(resource: &str) -> Answer {
    error(
        StatusCode::FORBIDDEN,
        "AccessDenied",
        "Permission denied.",
        resource,
        None,
    )
}

impl Routes {
    fn answer(&self, req: &S3Request<s3s::Body>, op: Op<'_>) -> Answer {
        let path = req.uri.path();
        let Some(creds) = &req.credentials else {
            return access_denied(path);
        };
        // The credential scope must name this endpoint's region.
        if let Some(r) = &req.region
            && r.as_str() != self.region
        {
            let msg = format!(
                "The authorization header is malformed; the region '{}' is wrong; expecting '{}'",
                r.as_str(),
                self.region
            );
            return error(
                StatusCode::BAD_REQUEST,
                "AuthorizationHeaderMalformed",
                &msg,
                path,
                None,
            );
        }
        let (ak, project_override) = split_access_key(&creds.access_key);
        let st = crate::authn::fresh(&self.app.state);
        let Ok(live) = crate::authn::by_access_key(&st, ak) else {
            return error(
                StatusCode::FORBIDDEN,
                "InvalidAccessKeyId",
                "The access key Id you provided does not exist in our records.",
                path,
                None,
            );
        };
        let attrs =
            crate::authn::attrs(self.app.trust_forwarded_for, &req.headers, &req.extensions);
        let reach = live.reach(&st, Product::ObjectStorage, Action::Read, &attrs);
        let key = &live.key;
        let project = project_override.unwrap_or(&key.default_project_id);
        match op {
            Op::ListBuckets => self.list_buckets(&st, &reach, project),
            // Answered by `answer_write`.
            Op::CreateBucket(name) | Op::DeleteBucket(name) => error(
                StatusCode::NOT_IMPLEMENTED,
                "NotImplemented",
                "A header you provided implies functionality that is not implemented.",
                &format!("/{name}"),
                None,
            ),
            Op::Head(name) | Op::Location(name) | Op::Versioning(name) | Op::Tagging(name) => {
                self.read_bucket(&st, &reach, op, name)
            }
        }
    }

    /// `ListBuckets`: the buckets of the key's project in this region.
    fn list_buckets(&self, st: &State, reach: &Reach, project: &str) -> Answer {
        let exists = st.projects.get(project).is_some();
        if !exists || !reach.covers(project) {
            return access_denied("/");
        }
        let mut buckets: Vec<&Bucket> = st
            .buckets
            .iter()
            .filter(|b| b.region == self.region && b.project_id == project)
            .collect();
        buckets.sort_by(|a, b| a.name.cmp(&b.name));
        let owner = format!("{project}:{project}");
        ok_xml(&ListAllMyBucketsResult {
            buckets: Buckets {
                bucket: buckets
                    .iter()
                    .map(|b| BucketXml {
                        creation_date: s3_date(b.created_at),
                        name: b.name.clone(),
                    })
                    .collect(),
            },
            owner: Owner {
                display_name: owner.clone(),
                id: owner,
            },
        })
    }

    /// The reads of one bucket (`HeadBucket`, `GetBucketLocation`, `GetBucketVersioning`,
    /// `GetBucketTagging`): the key's reach, then the bucket policy's denials, then the region.
    fn read_bucket(&self, st: &State, reach: &Reach, op: Op<'_>, name: &str) -> Answer {
        let resource = format!("/{name}");
        let Some(bucket) = st.buckets.iter().find(|b| b.name == name) else {
            return error(
                StatusCode::NOT_FOUND,
                "NoSuchBucket",
                "The specified bucket does not exist",
                &resource,
                None,
            );
        };
        if !reach.covers(&bucket.project_id) {
            return access_denied(&resource);
        }
        let action = match op {
            Op::Head(_) => "s3:ListBucket",
            Op::Location(_) => "s3:GetBucketLocation",
            Op::Versioning(_) => "s3:GetBucketVersioning",
            _ => "s3:GetBucketTagging",
        };
        let policy_denies = self
            .denied
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(name)
            .is_some_and(|actions| actions.contains(action));
        if policy_denies {
            return access_denied(&resource);
        }
        match op {
            // Recorded HeadBucket 200: `application/xml`, no body.
            Op::Head(_) if bucket.region == self.region => {
                (StatusCode::OK, XML_HEAD, String::new())
            }
            Op::Location(_) => ok_xml(&LocationConstraint {
                xmlns: XMLNS,
                region: &bucket.region,
            }),
            _ if bucket.region != self.region => error(
                StatusCode::MOVED_PERMANENTLY,
                "PermanentRedirect",
                "The bucket you are attempting to access must be addressed using the specified endpoint.",
                &resource,
                Some(name),
            ),
            Op::Versioning(_) => ok_xml(&VersioningConfiguration {
                status: bucket.versioning.status(),
            }),
            _ if bucket.tags.is_empty() => error(
                StatusCode::NOT_FOUND,
                "NoSuchTagSet",
                "The TagSet does not exist",
                &resource,
                Some(name),
            ),
            _ => ok_xml(&Tagging {
                tag_set: TagSet {
                    tag: bucket
                        .tags
                        .iter()
                        .map(|(k, v)| Tag {
                            key: k.clone(),
                            value: v.clone(),
                        })
                        .collect(),
                },
            }),
        }
    }
}

/// Fills the request id of errors answered by [`Routes`] (they are built before it is known).
fn fill_request_id(body: &[u8], request_id: &str) -> Option<Bytes> {
    let text = std::str::from_utf8(body).ok()?;
    if !text.contains("<RequestId></RequestId>") {
        return None;
    }
    Some(Bytes::from(
        text.replace(
            "<RequestId></RequestId>",
            &format!("<RequestId>{request_id}</RequestId>"),
        )
        .replace(
            "<HostId></HostId>",
            &format!("<HostId>{request_id}</HostId>"),
        ),
    ))
}

/// AWS's bucket naming rule (sim choice for Scaleway: not on record).
fn valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
        && b.first().is_some_and(u8::is_ascii_alphanumeric)
        && b.last().is_some_and(u8::is_ascii_alphanumeric)
}

impl Routes {
    /// CreateBucket (`create`) or DeleteBucket of `name` (see the module docs).
    fn answer_write(&self, req: &S3Request<s3s::Body>, create: bool, name: &str) -> Answer {
        let resource = format!("/{name}");
        let denied = || {
            error(
                StatusCode::FORBIDDEN,
                "AccessDenied",
                "Permission denied.",
                &resource,
                None,
            )
        };
        let Some(creds) = &req.credentials else {
            return denied();
        };
        if let Some(r) = &req.region
            && r.as_str() != self.region
        {
            let msg = format!(
                "The authorization header is malformed; the region '{}' is wrong; expecting '{}'",
                r.as_str(),
                self.region
            );
            return error(
                StatusCode::BAD_REQUEST,
                "AuthorizationHeaderMalformed",
                &msg,
                &resource,
                None,
            );
        }
        let (ak, project_override) = split_access_key(&creds.access_key);
        // Apply due IAM changes, then take the write lock for the change itself.
        drop(crate::authn::fresh(&self.app.state));
        let mut st = self.app.state.write();
        let Ok(live) = crate::authn::by_access_key(&st, ak) else {
            return error(
                StatusCode::FORBIDDEN,
                "InvalidAccessKeyId",
                "The access key Id you provided does not exist in our records.",
                &resource,
                None,
            );
        };
        let attrs =
            crate::authn::attrs(self.app.trust_forwarded_for, &req.headers, &req.extensions);
        let kind = if create {
            S3Access::BucketWrite
        } else {
            S3Access::BucketDelete
        };
        let reach = live.reach(
            &st,
            Product::ObjectStorage,
            Action::ObjectStorage(kind),
            &attrs,
        );
        let existing = st.buckets.iter().position(|b| b.name == name);
        if create {
            let project = project_override
                .unwrap_or(&live.key.default_project_id)
                .to_owned();
            if st.projects.get(&project).is_none() || !reach.covers(&project) {
                return denied();
            }
            if !valid_bucket_name(name) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidBucketName",
                    "The specified bucket is not valid.",
                    &resource,
                    Some(name),
                );
            }
            if let Some(i) = existing {
                let (code, message) = if st.buckets[i].project_id == project {
                    (
                        "BucketAlreadyOwnedByYou",
                        "Your previous request to create the named bucket succeeded and you already own it.",
                    )
                } else {
                    (
                        "BucketAlreadyExists",
                        "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
                    )
                };
                return error(StatusCode::CONFLICT, code, message, &resource, Some(name));
            }
            st.buckets.push(Bucket {
                name: name.to_owned(),
                region: self.region.to_owned(),
                project_id: project,
                versioning: crate::model::BucketVersioning::Unversioned,
                tags: Vec::new(),
                created_at: crate::util::now(),
            });
            return (StatusCode::OK, "", String::new());
        }
        let Some(i) = existing else {
            return error(
                StatusCode::NOT_FOUND,
                "NoSuchBucket",
                "The specified bucket does not exist",
                &resource,
                Some(name),
            );
        };
        if !reach.covers(&st.buckets[i].project_id) {
            return denied();
        }
        if st.buckets[i].region != self.region {
            return error(
                StatusCode::MOVED_PERMANENTLY,
                "PermanentRedirect",
                "The bucket you are attempting to access must be addressed using the specified endpoint.",
                &resource,
                Some(name),
            );
        }
        st.buckets.remove(i);
        (StatusCode::NO_CONTENT, "", String::new())
    }
}
