//! Object Storage buckets through the S3 API, signed with SigV4 (the aws-sigv4 crate)
//! through scaleway-core's [`RequestSigner`] hook.
//!
//! The access key id is `ACCESS_KEY@PROJECT_ID`, so the listing is the target project's
//! even when the key's preferred project differs. Each region's ListBuckets is followed,
//! per bucket, by GetBucketLocation, then GetBucketVersioning and GetBucketTagging. Only
//! ListBuckets decides the region's status: a per-bucket call that is refused or fails
//! leaves that attribute unknown and adds a [`Note`] to the bucket.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use scaleway_core::s3::SigV4Signer;
use scaleway_core::{
    AccessKey, Client, Error, Locality, Method, ProductLocalities, ProjectId, Region,
    RequestSigner, RetryPolicy, SecretKey,
};
use url::Url;

use crate::model::object_storage::{
    Bucket, ListAllMyBucketsResult, LocationConstraint, Tagging, Versioning,
    VersioningConfiguration, parse_error, parse_timestamp, parse_xml,
};
use crate::report::LocalityStatus;
use crate::resource::{BackupRole, Note, ProductObject, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source};

/// Default timeout of one S3 attempt (connect included): an unreachable endpoint fails
/// fast instead of holding the sync.
pub const DEFAULT_S3_TIMEOUT: Duration = Duration::from_secs(5);

/// A custom endpoint from the configuration (`SCW_S3_ENDPOINT` / `s3_endpoint`).
#[derive(Debug, Clone)]
struct ConfiguredEndpoint {
    /// The region it serves: the one its host names, else the default region.
    region: Region,
    url: Url,
    /// Where it was set, for messages.
    origin: String,
}

/// Object Storage: ListBuckets per region, then location, versioning and tags of each
/// bucket (permission set `ObjectStorageReadOnly`).
///
/// Endpoint of a region, first match:
///
/// 1. an override given with [`ObjectStorageSourceBuilder::endpoint`];
/// 2. the configured `s3_endpoint` (`SCW_S3_ENDPOINT`): it serves the region its host
///    names (`https://s3.nl-ams.scw.cloud` → `nl-ams`), else the configured default region
///    (else `fr-par`). When its host names a region, the other regions use it with their
///    own name substituted; when it does not (`https://minio.internal`), the other regions
///    are reported `not_available` with a reason, and nothing — credentials included — is
///    sent to Scaleway's public endpoints: give their endpoints with
///    [`ObjectStorageSourceBuilder::endpoint`] to list them;
/// 3. `https://s3.<region>.scw.cloud`, as the official tools do.
#[derive(Clone)]
pub struct ObjectStorageSource {
    access_key: AccessKey,
    secret_key: SecretKey,
    configured_endpoint: Option<ConfiguredEndpoint>,
    endpoints: BTreeMap<Region, Url>,
    path_style: bool,
    timeout: Duration,
    retry: RetryPolicy,
    bucket_concurrency: usize,
}

impl fmt::Debug for ObjectStorageSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectStorageSource")
            .field("access_key", &self.access_key.as_str())
            .field("secret_key", &"[redacted]")
            .field("configured_endpoint", &self.configured_endpoint)
            .field("endpoints", &self.endpoints)
            .field("path_style", &self.path_style)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The region whose name `url`'s host contains.
fn region_named_in(url: &Url) -> Option<Region> {
    let host = url.host_str()?;
    Region::ALL.into_iter().find(|r| host.contains(r.as_str()))
}

/// Builds an [`ObjectStorageSource`].
#[derive(Debug, Clone, Default)]
pub struct ObjectStorageSourceBuilder {
    credentials: Option<(AccessKey, SecretKey)>,
    configured_endpoint: Option<ConfiguredEndpoint>,
    endpoints: BTreeMap<Region, Url>,
    path_style: Option<bool>,
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
}

impl ObjectStorageSourceBuilder {
    /// Takes the access key, secret key, `s3_endpoint`, default region and
    /// `s3_use_path_style` of the client's configuration.
    pub fn from_client(mut self, client: &Client) -> Self {
        if let (Ok(ak), Some(sk)) = (client.access_key(), client.secret_key()) {
            self.credentials = Some((ak.clone(), sk.clone()));
        }
        let config = client.config();
        if let Some(endpoint) = &config.s3_endpoint {
            let url = endpoint.value.clone();
            let region = region_named_in(&url)
                .or_else(|| client.default_region().cloned())
                .unwrap_or(Region::FrPar);
            self.configured_endpoint = Some(ConfiguredEndpoint {
                region,
                url,
                origin: format!("s3_endpoint ({})", endpoint.source),
            });
        }
        if config.s3_use_path_style.value {
            self.path_style = Some(true);
        }
        self
    }

    /// Uses these credentials.
    pub fn credentials(mut self, access_key: AccessKey, secret_key: SecretKey) -> Self {
        self.credentials = Some((access_key, secret_key));
        self
    }

    /// The endpoint of `region` (e.g. the simulator's, or one of several custom
    /// endpoints); wins over everything else.
    pub fn endpoint(mut self, region: Region, url: Url) -> Self {
        self.endpoints.insert(region, url);
        self
    }

    /// Path-style addressing (`https://s3.<region>.scw.cloud/<bucket>`) instead of
    /// virtual-hosted (`https://<bucket>.s3.<region>.scw.cloud`). Always used for bucket
    /// names with dots and for endpoints that are IP addresses or `localhost`.
    pub fn path_style(mut self, yes: bool) -> Self {
        self.path_style = Some(yes);
        self
    }

    /// Timeout of one S3 attempt, connect included (default 5 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = Some(d);
        self
    }

    /// Retry policy of S3 calls (default: 3 attempts within 8 s, so that an unreachable
    /// endpoint fails fast).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Builds the source.
    ///
    /// # Errors
    ///
    /// [`scaleway_core::ErrorKind::InvalidRequest`] when no access key and secret key were
    /// given (set `SCW_ACCESS_KEY` and `SCW_SECRET_KEY`, or call `credentials`).
    pub fn build(self) -> Result<ObjectStorageSource, Error> {
        let (access_key, secret_key) = self.credentials.ok_or_else(|| {
            Error::invalid_request(
                "Object Storage needs an access key and a secret key (SCW_ACCESS_KEY, SCW_SECRET_KEY)",
            )
        })?;
        Ok(ObjectStorageSource {
            access_key,
            secret_key,
            configured_endpoint: self.configured_endpoint,
            endpoints: self.endpoints,
            path_style: self.path_style.unwrap_or(false),
            timeout: self.timeout.unwrap_or(DEFAULT_S3_TIMEOUT),
            retry: self.retry.unwrap_or_else(|| {
                RetryPolicy::default()
                    .with_max_attempts(3)
                    .with_budget(Duration::from_secs(8))
            }),
            bucket_concurrency: 32,
        })
    }
}

impl ObjectStorageSource {
    /// A builder.
    pub fn builder() -> ObjectStorageSourceBuilder {
        ObjectStorageSourceBuilder::default()
    }

    /// A source with the client's credentials and S3 settings.
    ///
    /// # Errors
    ///
    /// See [`ObjectStorageSourceBuilder::build`].
    pub fn from_client(client: &Client) -> Result<ObjectStorageSource, Error> {
        ObjectStorageSource::builder().from_client(client).build()
    }

    /// The endpoint used for `region` (see [`ObjectStorageSource`] for the rule).
    ///
    /// # Errors
    ///
    /// [`scaleway_core::ErrorKind::InvalidRequest`] saying why, when a custom endpoint
    /// serves another region and its host names no region to substitute (the listing of
    /// `region` is then reported `not_available` with that reason), or for a region name
    /// that makes no URL.
    pub fn endpoint(&self, region: &Region) -> Result<Url, Error> {
        self.resolve(region).map_err(Error::invalid_request)
    }

    fn resolve(&self, region: &Region) -> Result<Url, String> {
        if let Some(u) = self.endpoints.get(region) {
            return Ok(u.clone());
        }
        if let Some(c) = &self.configured_endpoint {
            if &c.region == region {
                return Ok(c.url.clone());
            }
            let from = c.region.as_str();
            let named = region_named_in(&c.url).is_some();
            if let Some(host) = c.url.host_str().filter(|h| named && h.contains(from)) {
                let mut u = c.url.clone();
                if u.set_host(Some(&host.replace(from, region.as_str())))
                    .is_ok()
                {
                    return Ok(u);
                }
            }
            return Err(format!(
                "the custom Object Storage endpoint {} from {} serves {from} only (its host names no region to substitute), so {region} is not listed and no credentials are sent elsewhere; to list {region}, give its endpoint with ObjectStorageSource::builder().endpoint(region, url)",
                c.url.as_str().trim_end_matches('/'),
                c.origin,
            ));
        }
        Url::parse(&format!("https://s3.{}.scw.cloud", region.as_str()))
            .map_err(|e| format!("no S3 endpoint for region `{region}`: {e}"))
    }

    /// The access key id requests are signed with: `ACCESS_KEY@PROJECT_ID`.
    pub fn access_key_id(&self, project: &ProjectId) -> String {
        format!("{}@{}", self.access_key.as_str(), project.as_str())
    }

    fn signer(&self, project: &ProjectId, region: &Region) -> Arc<dyn RequestSigner> {
        Arc::new(SigV4Signer::new(
            self.access_key_id(project),
            self.secret_key.clone(),
            region,
        ))
    }

    fn bucket_url(&self, endpoint: &Url, bucket: &str, sub: &str) -> Url {
        let host_is_ip_or_local = match endpoint.host() {
            Some(url::Host::Domain(d)) => d == "localhost",
            Some(_) => true,
            None => true,
        };
        let mut u = endpoint.clone();
        if self.path_style || host_is_ip_or_local || bucket.contains('.') {
            let base = u.path().trim_end_matches('/').to_owned();
            u.set_path(&format!("{base}/{bucket}"));
        } else if let Some(host) = endpoint.host_str() {
            let _ = u.set_host(Some(&format!("{bucket}.{host}")));
            u.set_path("/");
        }
        u.set_query(Some(sub));
        u
    }

    async fn get(
        &self,
        client: &Client,
        url: Url,
        route: &'static str,
        signer: &Arc<dyn RequestSigner>,
    ) -> Result<Vec<u8>, Error> {
        let response = client
            .request_url(Method::Get, url, route)
            .signer(Arc::clone(signer))
            .timeout(self.timeout)
            .retry(self.retry.clone())
            .send_raw()
            .await?;
        Ok(response.body().to_vec())
    }

    /// Reads one bucket attribute (`?location`, `?versioning`, `?tagging`). A bucket
    /// deleted meanwhile is [`Attr::Gone`]; `absent` maps an S3 error code that means "none"
    /// (`NoSuchTagSet`) to a value; any other error leaves the attribute unknown.
    async fn attribute<T>(
        &self,
        rc: &RegionCall<'_>,
        bucket: &str,
        sub: &str,
        route: &'static str,
        parse: impl FnOnce(&[u8]) -> Result<T, String>,
        absent: impl FnOnce(&str) -> Option<T>,
    ) -> Attr<T> {
        let url = self.bucket_url(rc.endpoint, bucket, sub);
        match self.get(rc.client, url, route, rc.signer).await {
            Ok(body) => match parse(&body) {
                Ok(v) => Attr::Known(v),
                Err(e) => Attr::Unknown(format!("{route}: cannot parse the answer: {e}")),
            },
            Err(e) => match s3_code(&e).as_deref() {
                Some("NoSuchBucket") => Attr::Gone,
                Some(code) => match absent(code) {
                    Some(v) => Attr::Known(v),
                    None => Attr::Unknown(s3_error_line(&e)),
                },
                None => Attr::Unknown(s3_error_line(&e)),
            },
        }
    }

    /// Reads one bucket's location, versioning and tags. `None` when the bucket is in
    /// another region (it is listed there) or was deleted meanwhile. An attribute that
    /// could not be read is left unknown, with a note.
    async fn describe(
        &self,
        rc: &RegionCall<'_>,
        name: String,
        creation_date: Option<String>,
    ) -> Option<(Bucket, Vec<Note>)> {
        let mut notes = Vec::new();
        let location = self
            .attribute(
                rc,
                &name,
                "location",
                "s3:GetBucketLocation",
                |b| parse_xml::<LocationConstraint>(b).map(|l| l.region.trim().to_owned()),
                |_| None,
            )
            .await;
        let bucket_region = match location {
            Attr::Gone => return None,
            // An empty constraint: the endpoint's own region.
            Attr::Known(l) if l.is_empty() => Some(rc.region.clone()),
            Attr::Known(l) => {
                Some(Region::from_server(&l).unwrap_or_else(|| Region::Other(l.clone())))
            }
            Attr::Unknown(why) => {
                notes.push(Note::new(
                    ["object.region"],
                    format!(
                        "location unknown ({why}); reported in {}, whose ListBuckets listed it",
                        rc.region
                    ),
                ));
                None
            }
        };
        if bucket_region.as_ref().is_some_and(|r| r != rc.region) {
            return None;
        }
        let (versioning, tagging) = futures::join!(
            self.attribute(
                rc,
                &name,
                "versioning",
                "s3:GetBucketVersioning",
                |b| parse_xml::<VersioningConfiguration>(b).map(|v| v.versioning()),
                |_| None,
            ),
            self.attribute(
                rc,
                &name,
                "tagging",
                "s3:GetBucketTagging",
                |b| {
                    parse_xml::<Tagging>(b).map(|t| {
                        t.tag_set
                            .tag
                            .into_iter()
                            .map(|t| (t.key, t.value))
                            .collect::<BTreeMap<_, _>>()
                    })
                },
                // A bucket without tags answers `NoSuchTagSet`.
                |code| (code == "NoSuchTagSet").then(BTreeMap::new),
            ),
        );
        let versioning = match versioning {
            Attr::Gone => return None,
            Attr::Known(v) => Some(v),
            Attr::Unknown(why) => {
                notes.push(Note::new(
                    ["object.versioning", "state"],
                    format!("versioning unknown ({why})"),
                ));
                None
            }
        };
        let tags = match tagging {
            Attr::Gone => return None,
            Attr::Known(t) => Some(t),
            Attr::Unknown(why) => {
                notes.push(Note::new(
                    ["object.tags", "tags"],
                    format!("tags unknown ({why})"),
                ));
                None
            }
        };
        let bucket = Bucket {
            name,
            project_id: rc.project.as_str().to_owned(),
            region: bucket_region,
            creation_date: creation_date.as_deref().and_then(parse_timestamp),
            versioning,
            tags,
            owner_id: rc.owner_id.to_owned(),
        };
        Some((bucket, notes))
    }
}

/// One bucket attribute's outcome.
enum Attr<T> {
    Known(T),
    /// The bucket no longer exists (`NoSuchBucket`).
    Gone,
    /// Not read: why.
    Unknown(String),
}

/// What the calls of one region's listing share.
struct RegionCall<'a> {
    client: &'a Client,
    endpoint: &'a Url,
    region: &'a Region,
    project: &'a ProjectId,
    signer: &'a Arc<dyn RequestSigner>,
    owner_id: &'a str,
}

/// The S3 error code of a failed call (`NoSuchTagSet`, `AccessDenied`, …).
fn s3_code(e: &Error) -> Option<String> {
    let api = e.api_error()?;
    parse_error(api.body_excerpt.as_bytes()).map(|x| x.code)
}

/// One line for a failed S3 call: the error, and the S3 code and message when the body is
/// an S3 `<Error>`.
pub(crate) fn s3_error_line(e: &Error) -> String {
    match e
        .api_error()
        .and_then(|a| parse_error(a.body_excerpt.as_bytes()))
    {
        Some(x) => format!("{e}: {}: {}", x.code, x.message),
        None => e.to_string(),
    }
}

#[async_trait::async_trait]
impl Source for ObjectStorageSource {
    fn name(&self) -> &str {
        "object-storage"
    }

    fn localities(&self) -> Vec<Locality> {
        ProductLocalities::OBJECT_STORAGE.all()
    }

    async fn list(&self, ctx: &ListContext, out: &mut Emitter) -> Result<(), Error> {
        let region = super::region_of(ctx)?;
        let endpoint = match self.resolve(&region) {
            Ok(u) => u,
            Err(reason) => {
                out.set_status(LocalityStatus::NotAvailable {
                    reason: Some(reason),
                });
                return Ok(());
            }
        };
        let signer = self.signer(&ctx.project_id, &region);
        let mut root = endpoint.clone();
        if root.path().is_empty() {
            root.set_path("/");
        }
        // Only ListBuckets decides the region's status.
        let body = self
            .get(&ctx.client, root, "s3:ListBuckets", &signer)
            .await?;
        let listing: ListAllMyBucketsResult = parse_xml(&body).map_err(|e| {
            Error::invalid_request(format!("cannot parse ListAllMyBucketsResult: {e}"))
        })?;
        let owner_id = listing.owner.map(|o| o.id).unwrap_or_default();
        out.announce(listing.buckets.bucket.len() as u64).await;
        let rc = RegionCall {
            client: &ctx.client,
            endpoint: &endpoint,
            region: &region,
            project: &ctx.project_id,
            signer: &signer,
            owner_id: &owner_id,
        };
        let mut described = futures::stream::iter(listing.buckets.bucket)
            .map(|b| self.describe(&rc, b.name, b.creation_date))
            .buffer_unordered(self.bucket_concurrency);
        while let Some(bucket) = described.next().await {
            if let Some((bucket, notes)) = bucket {
                let mut r = bucket_resource(self.name(), &region, bucket);
                for n in notes {
                    r.add_note(n);
                }
                out.emit(r).await?;
            }
        }
        Ok(())
    }
}

fn bucket_resource(source: &str, region: &Region, b: Bucket) -> Resource {
    let tags: Vec<String> = b
        .tags
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let (name, project, created) = (b.name.clone(), b.project_id.clone(), b.creation_date);
    let state = match &b.versioning {
        None | Some(Versioning::Disabled) => String::new(),
        Some(v) => format!("versioning {}", v.as_str().to_ascii_lowercase()),
    };
    Resource::new(
        ResourceKind::Bucket,
        source,
        Locality::Region(region.clone()),
        &name,
        ProductObject::Bucket(Box::new(b)),
    )
    .with_name(name.clone())
    .with_server_project(project)
    .with_tags(tags)
    .with_state(state)
    .with_created_at(created)
    .with_roles(&[
        BackupRole::Source,
        BackupRole::Store,
        BackupRole::Destination,
    ])
}
