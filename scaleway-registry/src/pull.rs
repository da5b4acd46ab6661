//! Image pulls through the OCI distribution API, into an OCI image layout.
//!
//! The bearer-token challenge is done by `crate::auth` (the realm is read from
//! `WWW-Authenticate`; Basic auth with the secret key as password, sent only to a Scaleway
//! realm over https or to a local registry override's loopback realm), and the token is
//! handed to [`oci-client`](oci_client), which does the rest of the protocol: manifests and
//! image indexes by tag or digest (their digests are verified against
//! `Docker-Content-Digest` and the reference), and blob streams, including `Range`
//! requests. What it does not do, this module does: blobs are streamed to disk (never
//! held whole in memory) while their sha256 is computed here — oci-client does not verify
//! a `Range` (partial) response — and a blob becomes visible in the layout only once its
//! size and digest match; a blob listed several times (repeated empty layers) is
//! downloaded once; partial downloads are kept and resumed (within a pull after a broken
//! transfer, and by the next pull after an interruption); blobs already in the layout are
//! re-verified and reused.
//!
//! The layout written (`oci-layout`, `index.json`, `blobs/sha256/…`) is what Trivy
//! (`trivy image --input DIR`), Grype (`grype oci-dir:DIR`) and skopeo read: `index.json`
//! points at the image manifest of the selected platform, annotated with the tag.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::TryFutureExt as _;
use futures::stream::{self, StreamExt, TryStreamExt};
use oci_client::Reference;
use oci_client::client::{BlobResponse, ClientConfig, ClientProtocol};
use oci_client::errors::{DigestError, OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use scaleway_core::{ApiErrorKind, Region};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt;

use crate::api::RegistryApi;
use crate::auth::{AuthFailure, AuthSettings, PullAuth, Withheld};
use crate::error::{Diagnosis, Error, KeyProblem, Result};
use crate::reference::{ImageReference, Platform};
use crate::troubleshoot::with_suggestion;

/// Media types of manifests this crate reads (OCI and Docker, single and multi-platform).
const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const ACCEPT: &[&str] = &[OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST];

/// The `User-Agent` of registry requests.
const USER_AGENT: &str = concat!(
    "scaleway-sdk-rust/",
    env!("CARGO_PKG_VERSION"),
    " (scaleway-registry; oci-client)"
);

/// Default number of blobs downloaded at once.
pub const DEFAULT_PULL_CONCURRENCY: usize = 4;
/// Default number of attempts per blob (broken transfers resume where they stopped).
pub const DEFAULT_BLOB_ATTEMPTS: u32 = 5;

/// Progress is reported at most once per this many bytes of a blob.
const PROGRESS_STEP: u64 = 1 << 20;
/// Write buffer of a blob file.
const WRITE_BUFFER: usize = 1 << 20;
/// Directory (inside the output) holding partial downloads.
const PARTIAL_DIR: &str = ".partial";
/// The largest blob a manifest may declare (1 TiB): anything larger is refused as
/// absurd before any download.
pub(crate) const MAX_BLOB_SIZE: u64 = 1 << 40;

/// What a pull reports while it runs (for progress display).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PullEvent {
    /// The manifest was resolved: what will be fetched.
    Resolved {
        /// The reference pulled.
        reference: String,
        /// Digest of the image manifest of the selected platform.
        manifest_digest: String,
        /// The platform.
        platform: String,
        /// Number of distinct blobs (config and layers; a blob listed twice counts once).
        blobs: usize,
        /// Their total size in bytes.
        total_bytes: u64,
    },
    /// A blob download starts (or resumes at `resumed_from`).
    BlobStarted {
        /// Digest.
        digest: String,
        /// Size in bytes.
        size: u64,
        /// Bytes already on disk from an earlier attempt.
        resumed_from: u64,
    },
    /// Bytes received for a blob so far (including resumed bytes); at most once per MiB.
    BlobProgress {
        /// Digest.
        digest: String,
        /// Bytes on disk.
        received: u64,
        /// Size in bytes.
        size: u64,
    },
    /// A transfer broke; it is retried from where it stopped.
    BlobRetry {
        /// Digest.
        digest: String,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// What failed.
        error: String,
    },
    /// A blob is in the layout, verified.
    BlobDone {
        /// Digest.
        digest: String,
        /// Size in bytes.
        size: u64,
        /// Whether it was already in the layout (verified again, not downloaded).
        reused: bool,
    },
}

type ProgressFn = Arc<dyn Fn(&PullEvent) + Send + Sync>;

/// One blob of a pulled image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct BlobSummary {
    /// Digest.
    pub digest: String,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// Whether it was already in the layout.
    pub reused: bool,
    /// Bytes resumed from an earlier, interrupted download.
    pub resumed_bytes: u64,
}

/// What a pull did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PullReport {
    /// The reference pulled.
    pub reference: String,
    /// Digest of the image manifest written (the one `index.json` points at).
    pub manifest_digest: String,
    /// Digest of the image index the tag pointed at, for multi-platform images.
    pub index_digest: Option<String>,
    /// The platform selected.
    pub platform: String,
    /// The image config.
    pub config: BlobSummary,
    /// The layers, in order, as the manifest lists them (a layer listed twice appears
    /// twice; it was downloaded once).
    pub layers: Vec<BlobSummary>,
    /// Bytes received over the network for blobs (config and layers).
    pub bytes_downloaded: u64,
    /// The OCI image layout directory.
    pub out_dir: PathBuf,
    /// Wall-clock time of the pull.
    pub elapsed: Duration,
}

impl PullReport {
    /// Total size of the distinct blobs (config and layers; a blob listed twice counts
    /// once): what the layout holds besides manifests. Saturates at `u64::MAX`.
    pub fn total_bytes(&self) -> u64 {
        let mut seen = HashSet::new();
        std::iter::once(&self.config)
            .chain(&self.layers)
            .filter(|b| seen.insert(b.digest.as_str()))
            .fold(0u64, |total, b| total.saturating_add(b.size))
    }

    /// Blobs that were already in the layout.
    pub fn blobs_reused(&self) -> usize {
        std::iter::once(&self.config)
            .chain(&self.layers)
            .filter(|b| b.reused)
            .count()
    }
}

/// A pull being prepared ([`RegistryApi::pull`]).
///
/// ```no_run
/// # async fn run(registry: scaleway_registry::RegistryApi) -> Result<(), scaleway_registry::Error> {
/// let reference = "rg.fr-par.scw.cloud/acme-prod/api:v1.2.0".parse()?;
/// let report = registry
///     .pull(&reference, "/tmp/api-oci")
///     .platform("linux/arm64".parse()?)
///     .on_progress(|e| eprintln!("{e:?}"))
///     .send()
///     .await?;
/// println!("{} ({} bytes)", report.manifest_digest, report.total_bytes());
/// # Ok(()) }
/// ```
#[must_use = "a pull does nothing until it is sent"]
pub struct Pull {
    api: RegistryApi,
    reference: ImageReference,
    out: PathBuf,
    platform: Platform,
    concurrency: usize,
    attempts: u32,
    timeout: Duration,
    progress: Option<ProgressFn>,
}

impl std::fmt::Debug for Pull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pull")
            .field("reference", &self.reference.to_string())
            .field("out", &self.out)
            .field("platform", &self.platform.to_string())
            .field("concurrency", &self.concurrency)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

impl Pull {
    pub(crate) fn new(api: RegistryApi, reference: ImageReference, out: PathBuf) -> Self {
        Self {
            api,
            reference,
            out,
            platform: Platform::default(),
            concurrency: DEFAULT_PULL_CONCURRENCY,
            attempts: DEFAULT_BLOB_ATTEMPTS,
            timeout: scaleway_core::DEFAULT_TIMEOUT,
            progress: None,
        }
    }

    /// The platform picked from a multi-platform image (default `linux/amd64`).
    pub fn platform(mut self, platform: Platform) -> Self {
        self.platform = platform;
        self
    }

    /// How many blobs are downloaded at once (default 4).
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n.max(1);
        self
    }

    /// Attempts per blob; a broken transfer resumes where it stopped (default 5).
    pub fn attempts(mut self, n: u32) -> Self {
        self.attempts = n.max(1);
        self
    }

    /// Read timeout of registry requests: the longest wait for the next bytes
    /// (default 30 s).
    pub fn timeout(mut self, d: Duration) -> Self {
        self.timeout = d;
        self
    }

    /// Called with each [`PullEvent`].
    pub fn on_progress(mut self, f: impl Fn(&PullEvent) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Pulls the image into the OCI layout directory (created if needed). Blobs already
    /// there are verified and reused; partial downloads of an interrupted pull are resumed.
    ///
    /// # Errors
    ///
    /// * [`Diagnosis::KeyRejected`], [`Diagnosis::PermissionDenied`],
    ///   [`Diagnosis::OtherProject`]: the key cannot pull this image (what to fix);
    /// * [`Diagnosis::WrongRegion`], [`Diagnosis::NamespaceCase`],
    ///   [`Diagnosis::NamespaceNotFound`], [`Diagnosis::ImageNotFound`],
    ///   [`Diagnosis::TagNotFound`]: the reference does not exist (with the nearest
    ///   names), diagnosed through the management API — also when the registry only
    ///   answers `401`/`403` (it need not say whether a name exists);
    /// * [`Diagnosis::RegionsUnavailable`]: that diagnosis could not read every region;
    /// * [`Diagnosis::CredentialsWithheld`]: the registry named a token realm that may
    ///   not receive the secret key, and the anonymous pull failed;
    /// * [`Diagnosis::PlatformNotFound`]: no manifest for the platform;
    /// * [`Diagnosis::DigestMismatch`], [`Diagnosis::SizeMismatch`]: content
    ///   failed verification and was discarded;
    /// * [`Diagnosis::Transport`] after the retries, [`Diagnosis::Io`] for local
    ///   files, [`Diagnosis::Registry`] for other registry answers.
    pub async fn send(self) -> Result<PullReport> {
        let started = Instant::now();
        let region = self.api.region_of(&self.reference)?;
        if self
            .reference
            .namespace()
            .bytes()
            .any(|b| b.is_ascii_uppercase())
            || self
                .reference
                .image()
                .bytes()
                .any(|b| b.is_ascii_uppercase())
        {
            // Distribution names are lower-case: say which existing name was meant.
            return Err(self.api.diagnose_missing(&self.reference).await);
        }
        let ctx = Ctx::new(&self, &region)?;
        ctx.authenticate(&self).await?;

        // Manifest (or index) by tag or digest; oci-client verifies its digest.
        let (top, top_digest) = ctx.manifest(&self, &ctx.oci_ref).await?;
        let parsed: Manifestish = parse_manifest(&top, &top_digest)?;
        let (manifest_bytes, manifest_digest, index, platform) =
            if let Some(entries) = &parsed.manifests {
                let entry = entries
                    .iter()
                    .find(|e| {
                        e.platform.as_ref().is_some_and(|p| {
                            self.platform
                                .matches(&p.os, &p.architecture, p.variant.as_deref())
                        })
                    })
                    .ok_or_else(|| {
                        Error::new(Diagnosis::PlatformNotFound {
                            reference: self.reference.to_string(),
                            requested: self.platform.to_string(),
                            available: entries
                                .iter()
                                .filter_map(|e| e.platform.as_ref())
                                .map(PlatformJson::to_platform)
                                .map(|p| p.to_string())
                                .collect(),
                        })
                    })?;
                let by_digest = ctx.oci_ref.clone_with_digest(entry.digest.clone());
                let (bytes, digest) = ctx.manifest(&self, &by_digest).await?;
                let platform = entry
                    .platform
                    .as_ref()
                    .map_or_else(|| self.platform.clone(), PlatformJson::to_platform);
                (bytes, digest, Some((top, top_digest)), platform)
            } else {
                (top, top_digest, None, self.platform.clone())
            };
        let manifest: Manifestish = parse_manifest(&manifest_bytes, &manifest_digest)?;
        let config = manifest
            .config
            .clone()
            .ok_or_else(|| invalid_manifest(&manifest_digest, "it has no config"))?;
        let media_type = manifest
            .media_type
            .clone()
            .unwrap_or_else(|| OCI_MANIFEST.to_owned());

        // The layout: manifests first (small, verified), then blobs.
        let blobs_dir = self.out.join("blobs").join("sha256");
        create_dir(&blobs_dir).await?;
        create_dir(&self.out.join(PARTIAL_DIR)).await?;
        write_blob(&blobs_dir, &manifest_digest, &manifest_bytes).await?;
        if let Some((bytes, digest)) = &index {
            // Kept (unreferenced by index.json) so that the tag's digest can be checked.
            write_blob(&blobs_dir, digest, bytes).await?;
        }
        let index_digest = index.map(|(_, d)| d);

        let descriptors: Vec<Descriptor> = std::iter::once(config.clone())
            .chain(manifest.layers.iter().cloned())
            .collect();
        for d in &descriptors {
            d.check(&manifest_digest)?;
        }
        // A blob listed twice (repeated empty layers) is downloaded once: two downloads
        // would share its partial file.
        let (unique, slots) = dedup_descriptors(&descriptors, &manifest_digest)?;
        ctx.emit(&PullEvent::Resolved {
            reference: self.reference.to_string(),
            manifest_digest: manifest_digest.clone(),
            platform: platform.to_string(),
            blobs: unique.len(),
            total_bytes: unique
                .iter()
                .fold(0u64, |t, d| t.saturating_add(d.size_u64())),
        });
        // The futures are built first (they do nothing until polled), so that no closure
        // borrowing `ctx` is part of the stream's type: `send()` stays spawnable.
        let downloads: Vec<_> = unique
            .iter()
            .enumerate()
            .map(|(i, d)| ctx.blob(&self, d).map_ok(move |(s, n)| (i, s, n)))
            .collect();
        let mut results: Vec<(usize, BlobSummary, u64)> = stream::iter(downloads)
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        results.sort_by_key(|(i, _, _)| *i);
        let bytes_downloaded = results
            .iter()
            .fold(0u64, |t, (_, _, n)| t.saturating_add(*n));
        // Back to the manifest's order, one summary per listed descriptor.
        let mut summaries = Vec::with_capacity(descriptors.len());
        for (d, &slot) in descriptors.iter().zip(&slots) {
            let (_, summary, _) = results
                .get(slot)
                .ok_or_else(|| invalid_manifest(&manifest_digest, "a blob was not pulled"))?;
            let mut summary = summary.clone();
            summary.media_type.clone_from(&d.media_type);
            summaries.push(summary);
        }
        let mut summaries = summaries.into_iter();
        let config_summary = summaries
            .next()
            .ok_or_else(|| invalid_manifest(&manifest_digest, "it has no config"))?;
        let layers: Vec<BlobSummary> = summaries.collect();

        // Complete: oci-layout and index.json (written last, atomically).
        write_file(
            &self.out.join("oci-layout"),
            br#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .await?;
        let index = layout_index(
            &media_type,
            &manifest_digest,
            manifest_bytes.len() as u64,
            &platform,
            &self.reference,
        );
        let index = serde_json::to_vec_pretty(&index)
            .map_err(|e| Error::invalid_argument(format!("cannot serialize index.json: {e}")))?;
        write_file(&self.out.join("index.json"), &index).await?;
        let _ = tokio::fs::remove_dir(self.out.join(PARTIAL_DIR)).await;

        Ok(PullReport {
            reference: self.reference.to_string(),
            manifest_digest,
            index_digest,
            platform: platform.to_string(),
            config: config_summary,
            layers,
            bytes_downloaded,
            out_dir: self.out.clone(),
            elapsed: started.elapsed(),
        })
    }
}

/// Everything one pull shares.
struct Ctx {
    auth: PullAuth,
    /// The oci-client in use and the token it holds; replaced when the token is renewed.
    session: tokio::sync::Mutex<Option<Session>>,
    protocol: ClientProtocol,
    concurrency: usize,
    timeout: Duration,
    oci_ref: Reference,
    host: String,
    progress: Option<ProgressFn>,
}

/// An oci-client holding one registry token (never the secret key, except Basic auth for a
/// non-bearer challenge of a host that may receive it).
#[derive(Clone)]
struct Session {
    client: oci_client::Client,
    auth: RegistryAuth,
    /// Increases with each renewed token.
    generation: u64,
    /// Whether the token was obtained with the key.
    with_key: bool,
    /// Set when a key is configured but was not sent (untrusted realm), and why.
    withheld: Option<Withheld>,
}

impl Ctx {
    fn new(pull: &Pull, region: &Region) -> Result<Self> {
        let host = pull.api.hosts.connect_host(region);
        let plain_http = pull.api.hosts.is_plain_http(&host);
        let protocol = if plain_http {
            ClientProtocol::HttpsExcept(pull.api.hosts.plain_http_hosts())
        } else {
            ClientProtocol::Https
        };
        let repository = pull.reference.repository();
        let auth = PullAuth::new(AuthSettings {
            client: &pull.api.client,
            host: &host,
            plain_http,
            repository: repository.clone(),
            secret: pull.api.client.secret_key().cloned(),
            access_key: access_key(pull),
            timeout: pull.timeout,
        })?;
        let oci_ref = match pull.reference.digest() {
            Some(d) => Reference::with_digest(host.clone(), repository, d.to_owned()),
            None => Reference::with_tag(
                host.clone(),
                repository,
                pull.reference.tag_or_digest().to_owned(),
            ),
        };
        Ok(Self {
            auth,
            session: tokio::sync::Mutex::new(None),
            protocol,
            concurrency: pull.concurrency,
            timeout: pull.timeout,
            oci_ref,
            host,
            progress: pull.progress.clone(),
        })
    }

    fn emit(&self, event: &PullEvent) {
        if let Some(p) = &self.progress {
            p(event);
        }
    }

    /// The bearer-token exchange, then an oci-client holding the token.
    async fn authenticate(&self, pull: &Pull) -> Result<()> {
        let session = self.new_session(pull, 0).await?;
        *self.session.lock().await = Some(session);
        Ok(())
    }

    /// The session in use.
    async fn session(&self, pull: &Pull) -> Result<Session> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let s = self.new_session(pull, 0).await?;
        *guard = Some(s.clone());
        Ok(s)
    }

    /// Renews the token after the registry refused the one of `generation` (it may have
    /// expired during a long pull); a no-op if another download renewed it already.
    async fn renew(&self, pull: &Pull, generation: u64) -> Result<Session> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref().filter(|s| s.generation != generation) {
            return Ok(s.clone());
        }
        let s = self.new_session(pull, generation + 1).await?;
        *guard = Some(s.clone());
        Ok(s)
    }

    async fn new_session(&self, pull: &Pull, generation: u64) -> Result<Session> {
        let mut attempt = 0;
        let obtained = loop {
            attempt += 1;
            match self.auth.obtain().await {
                Ok(o) => break o,
                Err(AuthFailure::Transient(m)) if attempt < pull.attempts => {
                    tracing::info!(attempt, error = %m, "retrying the registry token request");
                    tokio::time::sleep(pull.api.client.retry_policy().delay(attempt)).await;
                }
                Err(AuthFailure::Transient(message)) => {
                    return Err(Error::new(Diagnosis::Transport {
                        host: self.host.clone(),
                        message,
                    }));
                }
                Err(AuthFailure::Final(e)) => return Err(e),
                Err(AuthFailure::Denied(details)) => {
                    return Err(self.finish_denied(pull, details).await);
                }
            }
        };
        if let Some(w) = &obtained.withheld {
            tracing::warn!(
                realm = %w.realm,
                reason = %w.reason,
                "the registry's token realm may not receive the secret key: pulling anonymously"
            );
        }
        let config = ClientConfig {
            protocol: self.protocol.clone(),
            platform_resolver: None,
            max_concurrent_download: self.concurrency,
            read_timeout: Some(self.timeout),
            connect_timeout: Some(scaleway_core::DEFAULT_CONNECT_TIMEOUT),
            user_agent: USER_AGENT,
            ..ClientConfig::default()
        };
        let client = oci_client::Client::try_from(config).map_err(|e| {
            Error::new(Diagnosis::Transport {
                host: self.host.clone(),
                message: format!("cannot initialise the registry client: {e}"),
            })
        })?;
        // Stores the token in the client (a bearer token is used as is: no request).
        if !matches!(obtained.auth, RegistryAuth::Anonymous) {
            client
                .store_auth_if_needed(self.oci_ref.resolve_registry(), &obtained.auth)
                .await;
        }
        Ok(Session {
            client,
            auth: obtained.auth,
            generation,
            with_key: obtained.with_key,
            withheld: obtained.withheld,
        })
    }

    /// A manifest's raw bytes and verified digest.
    async fn manifest(&self, pull: &Pull, reference: &Reference) -> Result<(Vec<u8>, String)> {
        let mut session = self.session(pull).await?;
        let mut renewed = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match session
                .client
                .pull_manifest_raw(reference, &session.auth, ACCEPT)
                .await
            {
                Ok((bytes, digest)) => return Ok((bytes.to_vec(), digest)),
                Err(e) => match self.classify(pull, e, "the manifest") {
                    Failure::Transient(m) if attempt < pull.attempts => {
                        tracing::info!(attempt, error = %m, "retrying the manifest request");
                        tokio::time::sleep(pull.api.client.retry_policy().delay(attempt)).await;
                    }
                    Failure::Unauthorized if !renewed => {
                        renewed = true;
                        session = self.renew(pull, session.generation).await?;
                    }
                    f => return Err(self.finish(pull, &session, f).await),
                },
            }
        }
    }

    /// Turns an oci-client error into what it means.
    fn classify(&self, pull: &Pull, e: OciDistributionError, what: &str) -> Failure {
        match e {
            OciDistributionError::AuthenticationFailure(body) => {
                // Only with Basic auth for a non-bearer challenge (oci-client then asks a
                // realm itself): the realm is Scaleway's API, its error body a Scaleway one.
                let api = scaleway_core::decode_api_error(401, |_| None, body.as_bytes());
                match api.kind {
                    ApiErrorKind::DeniedAuthentication { reason, .. } => {
                        Failure::Final(Error::new(Diagnosis::KeyRejected {
                            problem: KeyProblem::from_reason(&reason),
                            access_key: access_key(pull),
                        }))
                    }
                    ApiErrorKind::PermissionsDenied { details } => Failure::Denied(details),
                    _ => Failure::Final(Error::new(Diagnosis::Registry {
                        status: 401,
                        what: what.to_owned(),
                        message: api.message,
                    })),
                }
            }
            OciDistributionError::UnauthorizedError { .. } => Failure::Unauthorized,
            OciDistributionError::RegistryError { envelope, .. } => {
                let first = envelope.errors.first();
                let message = first.map(|e| e.message.clone()).unwrap_or_default();
                match first.map(|e| &e.code) {
                    Some(
                        OciErrorCode::NameUnknown
                        | OciErrorCode::ManifestUnknown
                        | OciErrorCode::NotFound,
                    ) => Failure::Missing,
                    Some(OciErrorCode::Denied) => Failure::Denied(Vec::new()),
                    Some(OciErrorCode::Unauthorized) => Failure::Unauthorized,
                    Some(OciErrorCode::Toomanyrequests) => Failure::Transient(message),
                    Some(OciErrorCode::NameInvalid) => Failure::Missing,
                    _ => Failure::Final(Error::new(Diagnosis::Registry {
                        status: 0,
                        what: what.to_owned(),
                        message,
                    })),
                }
            }
            OciDistributionError::ServerError { code, message, .. } => {
                let api = scaleway_core::decode_api_error(code, |_| None, message.as_bytes());
                match (code, api.kind) {
                    (403, ApiErrorKind::PermissionsDenied { details }) => Failure::Denied(details),
                    (403, _) => Failure::Denied(Vec::new()),
                    (404, _) => Failure::Missing,
                    (429 | 500..=599, _) => Failure::Transient(format!("HTTP {code}")),
                    (_, _) => Failure::Final(Error::new(Diagnosis::Registry {
                        status: code,
                        what: what.to_owned(),
                        message: api.message,
                    })),
                }
            }
            OciDistributionError::DigestError(DigestError::VerificationError {
                expected,
                actual,
            }) => Failure::Final(Error::new(Diagnosis::DigestMismatch { expected, actual })),
            OciDistributionError::RequestError(e) => {
                Failure::Transient(scaleway_core::error_chain(&e))
            }
            OciDistributionError::IoError(e) => Failure::Transient(e.to_string()),
            other => Failure::Final(Error::new(Diagnosis::Registry {
                status: 0,
                what: what.to_owned(),
                message: other.to_string(),
            })),
        }
    }

    /// Diagnoses a final failure through the management API where that helps.
    async fn finish(&self, pull: &Pull, session: &Session, f: Failure) -> Error {
        let withheld = |cause: &str| {
            session
                .withheld
                .as_ref()
                .map(|w| self.auth.withheld_error(w, cause))
        };
        match f {
            Failure::Final(e) => e,
            Failure::Transient(message) => Error::new(Diagnosis::Transport {
                host: self.host.clone(),
                message,
            }),
            Failure::Missing => {
                let e = with_suggestion(
                    pull.api.diagnose_missing(&pull.reference).await,
                    &pull.reference,
                );
                match (
                    e.diagnosis(),
                    withheld("the registry answered 404 to the anonymous pull"),
                ) {
                    // The API lists it, the registry hides it from an anonymous pull.
                    (Diagnosis::Registry { status: 404, .. }, Some(w)) => w,
                    _ => e,
                }
            }
            Failure::Denied(details) => {
                match withheld("the registry answered 403 to the anonymous pull") {
                    Some(w) => w,
                    None => self.finish_denied(pull, details).await,
                }
            }
            Failure::Unauthorized => {
                if let Some(w) = withheld("the registry answered 401 to the anonymous pull") {
                    w
                } else if session.with_key {
                    // A token obtained with the key, refused even after renewal: the same
                    // diagnosis as a 403 (region, case, permission, project).
                    self.finish_denied(pull, Vec::new()).await
                } else if !self.auth.has_key() {
                    Error::new(Diagnosis::KeyRejected {
                        problem: KeyProblem::Missing,
                        access_key: None,
                    })
                } else {
                    Error::new(Diagnosis::Registry {
                        status: 401,
                        what: pull.reference.to_string(),
                        message: "the registry asked for no authentication, then refused the request: check the region's registry host".into(),
                    })
                }
            }
        }
    }

    async fn finish_denied(
        &self,
        pull: &Pull,
        details: Vec<scaleway_core::PermissionDenied>,
    ) -> Error {
        match pull.api.region_of(&pull.reference) {
            Ok(region) => {
                pull.api
                    .diagnose_denied(&pull.reference, &region, details)
                    .await
            }
            Err(e) => e,
        }
    }

    /// Downloads one blob into the layout, or reuses it; returns its summary and the
    /// bytes received.
    async fn blob(&self, pull: &Pull, d: &Descriptor) -> Result<(BlobSummary, u64)> {
        let hex = d.hex(&d.digest)?;
        let size = d.size_u64();
        let final_path = pull.out.join("blobs").join("sha256").join(hex);
        let summary = |reused, resumed_bytes| BlobSummary {
            digest: d.digest.clone(),
            media_type: d.media_type.clone(),
            size,
            reused,
            resumed_bytes,
        };
        if file_matches(&final_path, &d.digest, size).await? {
            self.emit(&PullEvent::BlobDone {
                digest: d.digest.clone(),
                size,
                reused: true,
            });
            return Ok((summary(true, 0), 0));
        }
        let partial = pull.out.join(PARTIAL_DIR).join(format!("sha256-{hex}"));
        // Bytes left by an earlier, interrupted pull.
        let resumed_bytes = tokio::fs::metadata(&partial)
            .await
            .map_or(0, |m| m.len())
            .min(size);
        let mut downloaded = 0u64;
        let mut attempt = 0u32;
        let mut restarted_after_mismatch = false;
        let mut session = self.session(pull).await?;
        let mut renewed = false;
        loop {
            attempt += 1;
            let outcome = self.transfer(&session.client, d, &partial, size).await;
            match outcome {
                Ok(t) => {
                    downloaded += t.received;
                    if t.received + t.resumed_from < size {
                        // The body ended early without an error: resume.
                        if attempt < pull.attempts {
                            self.emit(&PullEvent::BlobRetry {
                                digest: d.digest.clone(),
                                attempt,
                                error: "the transfer ended early".into(),
                            });
                            continue;
                        }
                        return Err(Error::new(Diagnosis::SizeMismatch {
                            digest: d.digest.clone(),
                            expected: size,
                            actual: t.received + t.resumed_from,
                        }));
                    }
                    let actual = t.digest;
                    if actual != d.digest {
                        let _ = tokio::fs::remove_file(&partial).await;
                        if t.resumed_from > 0
                            && !restarted_after_mismatch
                            && attempt < pull.attempts
                        {
                            // The earlier partial download may have been the corrupt part.
                            restarted_after_mismatch = true;
                            continue;
                        }
                        return Err(Error::new(Diagnosis::DigestMismatch {
                            expected: d.digest.clone(),
                            actual,
                        }));
                    }
                    tokio::fs::rename(&partial, &final_path)
                        .await
                        .map_err(|e| Error::io("move into place", &final_path, e))?;
                    self.emit(&PullEvent::BlobDone {
                        digest: d.digest.clone(),
                        size,
                        reused: false,
                    });
                    return Ok((summary(false, resumed_bytes), downloaded));
                }
                Err(TransferError::Final(e)) => {
                    if matches!(
                        e.diagnosis(),
                        Diagnosis::SizeMismatch { .. } | Diagnosis::DigestMismatch { .. }
                    ) {
                        let _ = tokio::fs::remove_file(&partial).await;
                    }
                    return Err(e);
                }
                Err(TransferError::Oci(e, received)) => {
                    downloaded += received;
                    match self.classify(pull, e, &format!("blob {}", d.digest)) {
                        Failure::Transient(m) if attempt < pull.attempts => {
                            self.emit(&PullEvent::BlobRetry {
                                digest: d.digest.clone(),
                                attempt,
                                error: m,
                            });
                            tokio::time::sleep(pull.api.client.retry_policy().delay(attempt)).await;
                        }
                        Failure::Missing => {
                            return Err(Error::new(Diagnosis::Registry {
                                status: 404,
                                what: format!("blob {}", d.digest),
                                message:
                                    "the manifest references a blob the registry does not have"
                                        .into(),
                            }));
                        }
                        Failure::Unauthorized if !renewed => {
                            // The token may have expired during a long pull.
                            renewed = true;
                            session = self.renew(pull, session.generation).await?;
                        }
                        f => return Err(self.finish(pull, &session, f).await),
                    }
                }
                Err(TransferError::Broken(m, received)) => {
                    downloaded += received;
                    if attempt >= pull.attempts {
                        return Err(Error::new(Diagnosis::Transport {
                            host: self.host.clone(),
                            message: m,
                        }));
                    }
                    self.emit(&PullEvent::BlobRetry {
                        digest: d.digest.clone(),
                        attempt,
                        error: m,
                    });
                    tokio::time::sleep(pull.api.client.retry_policy().delay(attempt)).await;
                }
            }
        }
    }

    /// One attempt: resume the partial file (or start it), stream the rest to disk while
    /// hashing everything.
    async fn transfer(
        &self,
        client: &oci_client::Client,
        d: &Descriptor,
        partial: &Path,
        size: u64,
    ) -> std::result::Result<Transfer, TransferError> {
        let io = |action, e| TransferError::Final(Error::io(action, partial, e));
        // What is on disk already, hashed.
        let (mut hasher, mut offset) = match tokio::fs::metadata(partial).await {
            Ok(m) if m.len() > 0 && m.len() <= size => {
                let p = partial.to_owned();
                let n = m.len();
                let h = tokio::task::spawn_blocking(move || hash_file(&p))
                    .await
                    .map_err(|e| io("read", std::io::Error::other(e)))?
                    .map_err(|e| io("read", e))?;
                (h, n)
            }
            Ok(_) => {
                tokio::fs::remove_file(partial)
                    .await
                    .map_err(|e| io("remove", e))?;
                (Sha256::new(), 0)
            }
            Err(_) => (Sha256::new(), 0),
        };
        if offset == size && size > 0 {
            return Ok(Transfer {
                digest: finish_digest(hasher),
                received: 0,
                resumed_from: offset,
            });
        }
        let resumed_from = offset;
        self.emit(&PullEvent::BlobStarted {
            digest: d.digest.clone(),
            size,
            resumed_from,
        });
        let digest: &str = &d.digest;
        let mut stream = if offset > 0 {
            match client
                .pull_blob_stream_partial(&self.oci_ref, digest, offset, None)
                .await
            {
                Ok(BlobResponse::Partial(s)) => s,
                Ok(BlobResponse::Full(s)) => {
                    // The registry ignored the range: start over.
                    hasher = Sha256::new();
                    offset = 0;
                    s
                }
                Err(e) => return Err(TransferError::Oci(e, 0)),
            }
        } else {
            client
                .pull_blob_stream(&self.oci_ref, digest)
                .await
                .map_err(|e| TransferError::Oci(e, 0))?
        };
        let file = tokio::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(offset > 0)
            .truncate(offset == 0)
            .open(partial)
            .await
            .map_err(|e| io("create", e))?;
        let mut out = tokio::io::BufWriter::with_capacity(WRITE_BUFFER, file);
        let mut written = offset;
        let mut received = 0u64;
        let mut next_report = written + PROGRESS_STEP;
        let mut broken = None;
        while let Some(chunk) = stream.next().await {
            match chunk {
                Ok(bytes) => {
                    written += bytes.len() as u64;
                    received += bytes.len() as u64;
                    if written > size {
                        drop(out);
                        return Err(TransferError::Final(Error::new(Diagnosis::SizeMismatch {
                            digest: d.digest.clone(),
                            expected: size,
                            actual: written,
                        })));
                    }
                    hasher.update(&bytes);
                    out.write_all(&bytes).await.map_err(|e| io("write", e))?;
                    if written >= next_report || written == size {
                        next_report = written + PROGRESS_STEP;
                        self.emit(&PullEvent::BlobProgress {
                            digest: d.digest.clone(),
                            received: written,
                            size,
                        });
                    }
                }
                Err(e) => {
                    let verification = e
                        .get_ref()
                        .and_then(|i| i.downcast_ref::<DigestError>())
                        .is_some();
                    if !verification {
                        broken = Some(e.to_string());
                    }
                    // A verification failure of oci-client: ours decides below.
                    break;
                }
            }
        }
        out.flush().await.map_err(|e| io("write", e))?;
        out.into_inner()
            .sync_all()
            .await
            .map_err(|e| io("write", e))?;
        if let Some(m) = broken {
            return Err(TransferError::Broken(m, received));
        }
        Ok(Transfer {
            digest: finish_digest(hasher),
            received,
            resumed_from: offset,
        })
    }
}

/// What an oci-client error means for the pull.
enum Failure {
    /// Give up with this error.
    Final(Error),
    /// Retry (network, 429, 5xx).
    Transient(String),
    /// 404: diagnose which name is wrong.
    Missing,
    /// 403: diagnose which permission, region, name or project is wrong.
    Denied(Vec<scaleway_core::PermissionDenied>),
    /// 401 to a request carrying the token: renew it once, then diagnose.
    Unauthorized,
}

struct Transfer {
    digest: String,
    received: u64,
    resumed_from: u64,
}

enum TransferError {
    Final(Error),
    Oci(OciDistributionError, u64),
    Broken(String, u64),
}

fn access_key(pull: &Pull) -> Option<String> {
    pull.api
        .client
        .config()
        .access_key
        .as_ref()
        .map(|a| a.value.as_str().to_owned())
}

fn finish_digest(hasher: Sha256) -> String {
    format!("sha256:{}", to_hex(&hasher.finalize()))
}

fn to_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(HEX[usize::from(b >> 4)]));
        s.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    s
}

/// Hashes a file (blocking; run it on the blocking pool).
fn hash_file(path: &Path) -> std::io::Result<Sha256> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(h);
        }
        h.update(&buf[..n]);
    }
}

/// Whether `path` exists with this size and digest.
async fn file_matches(path: &Path, digest: &str, size: u64) -> Result<bool> {
    match tokio::fs::metadata(path).await {
        Ok(m) if m.len() == size => {
            let p = path.to_owned();
            let h = tokio::task::spawn_blocking(move || hash_file(&p))
                .await
                .map_err(|e| Error::io("read", path, std::io::Error::other(e)))?
                .map_err(|e| Error::io("read", path, e))?;
            Ok(finish_digest(h) == digest)
        }
        Ok(_) => Ok(false),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

async fn create_dir(path: &Path) -> Result<()> {
    tokio::fs::create_dir_all(path)
        .await
        .map_err(|e| Error::io("create", path, e))
}

/// Writes a file atomically (temporary file, then rename).
async fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(|e| Error::io("write", &tmp, e))?;
    tokio::fs::rename(&tmp, path)
        .await
        .map_err(|e| Error::io("write", path, e))
}

/// Writes a small, already verified blob (a manifest) into the layout.
async fn write_blob(blobs_dir: &Path, digest: &str, bytes: &[u8]) -> Result<()> {
    let hex = digest
        .strip_prefix("sha256:")
        .filter(|h| crate::reference::valid_sha256_digest(digest) && !h.is_empty())
        .ok_or_else(|| {
            Error::new(Diagnosis::Registry {
                status: 0,
                what: "the manifest".into(),
                message: format!("unsupported digest `{digest}` (only sha256 is supported)"),
            })
        })?;
    write_file(&blobs_dir.join(hex), bytes).await
}

/// The parts of an image manifest or index this crate reads (both OCI and Docker).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Manifestish {
    #[serde(default)]
    media_type: Option<String>,
    #[serde(default)]
    manifests: Option<Vec<IndexEntry>>,
    #[serde(default)]
    config: Option<Descriptor>,
    #[serde(default)]
    layers: Vec<Descriptor>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct IndexEntry {
    digest: String,
    #[serde(default)]
    platform: Option<PlatformJson>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
struct PlatformJson {
    architecture: String,
    os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    variant: Option<String>,
}

impl PlatformJson {
    fn to_platform(&self) -> Platform {
        Platform::new(&self.os, &self.architecture, self.variant.as_deref())
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    #[serde(default)]
    media_type: String,
    digest: String,
    size: i64,
}

impl Descriptor {
    fn size_u64(&self) -> u64 {
        u64::try_from(self.size).unwrap_or(0)
    }

    fn check(&self, manifest: &str) -> Result<()> {
        if self.size < 0 {
            return Err(invalid_manifest(
                manifest,
                &format!("{} has a negative size", self.digest),
            ));
        }
        if self.size_u64() > MAX_BLOB_SIZE {
            return Err(invalid_manifest(
                manifest,
                &format!(
                    "{} declares {} bytes, more than the {MAX_BLOB_SIZE} bytes (1 TiB) accepted for one blob; nothing was downloaded",
                    self.digest, self.size
                ),
            ));
        }
        self.hex(manifest).map(|_| ())
    }

    fn hex<'a>(&'a self, manifest: &str) -> Result<&'a str> {
        if crate::reference::valid_sha256_digest(&self.digest) {
            Ok(&self.digest["sha256:".len()..])
        } else {
            Err(invalid_manifest(
                manifest,
                &format!(
                    "unsupported blob digest `{}` (only sha256 is supported)",
                    self.digest
                ),
            ))
        }
    }
}

/// The distinct descriptors (by digest, first listed first), and for each descriptor the
/// index of its distinct one.
fn dedup_descriptors<'a>(
    descriptors: &'a [Descriptor],
    manifest: &str,
) -> Result<(Vec<&'a Descriptor>, Vec<usize>)> {
    let mut unique: Vec<&Descriptor> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut slots = Vec::with_capacity(descriptors.len());
    for d in descriptors {
        match index.get(d.digest.as_str()) {
            Some(&i) => {
                if unique.get(i).is_some_and(|u| u.size != d.size) {
                    return Err(invalid_manifest(
                        manifest,
                        &format!("{} is listed twice with different sizes", d.digest),
                    ));
                }
                slots.push(i);
            }
            None => {
                index.insert(&d.digest, unique.len());
                slots.push(unique.len());
                unique.push(d);
            }
        }
    }
    Ok((unique, slots))
}

fn invalid_manifest(digest: &str, why: &str) -> Error {
    Error::new(Diagnosis::Registry {
        status: 0,
        what: format!("manifest {digest}"),
        message: format!("invalid manifest: {why}"),
    })
}

fn parse_manifest(bytes: &[u8], digest: &str) -> Result<Manifestish> {
    serde_json::from_slice(bytes).map_err(|e| invalid_manifest(digest, &e.to_string()))
}

/// `index.json` of the layout: one manifest, the platform's, with the tag as ref name.
fn layout_index(
    media_type: &str,
    digest: &str,
    size: u64,
    platform: &Platform,
    reference: &ImageReference,
) -> serde_json::Value {
    let mut annotations = serde_json::Map::new();
    // The tag (`latest` when the reference names neither tag nor digest).
    let tag = match (reference.tag(), reference.digest()) {
        (Some(t), _) => Some(t),
        (None, None) => Some("latest"),
        (None, Some(_)) => None,
    };
    if let Some(tag) = tag {
        annotations.insert("org.opencontainers.image.ref.name".into(), tag.into());
    }
    annotations.insert(
        "io.containerd.image.name".into(),
        reference.to_string().into(),
    );
    let mut p = serde_json::json!({
        "architecture": platform.architecture(),
        "os": platform.os(),
    });
    if let (Some(v), Some(obj)) = (platform.variant(), p.as_object_mut()) {
        obj.insert("variant".into(), v.into());
    }
    serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_INDEX,
        "manifests": [{
            "mediaType": media_type,
            "digest": digest,
            "size": size,
            "platform": p,
            "annotations": annotations,
        }]
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hex_and_digest() {
        let mut h = Sha256::new();
        h.update(b"abc");
        assert_eq!(
            finish_digest(h),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn layout_index_points_at_the_manifest() {
        let r: ImageReference = "rg.fr-par.scw.cloud/a/b:v1".parse().unwrap();
        let v = layout_index(
            OCI_MANIFEST,
            "sha256:x",
            12,
            &"linux/arm64/v8".parse().unwrap(),
            &r,
        );
        assert_eq!(
            v["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"],
            "v1"
        );
        assert_eq!(v["manifests"][0]["platform"]["variant"], "v8");
        assert_eq!(v["manifests"][0]["size"], 12);
    }

    #[test]
    fn total_bytes_counts_each_blob_once_and_saturates() {
        let blob = |d: &str, size| BlobSummary {
            digest: d.into(),
            media_type: String::new(),
            size,
            reused: false,
            resumed_bytes: 0,
        };
        let mut report = PullReport {
            reference: String::new(),
            manifest_digest: String::new(),
            index_digest: None,
            platform: String::new(),
            config: blob("c", 10),
            layers: vec![blob("a", 100), blob("b", 1_000), blob("a", 100)],
            bytes_downloaded: 0,
            out_dir: PathBuf::new(),
            elapsed: Duration::ZERO,
        };
        assert_eq!(report.total_bytes(), 1_110);
        report.layers = vec![blob("x", u64::MAX), blob("y", u64::MAX)];
        assert_eq!(report.total_bytes(), u64::MAX);
    }

    #[test]
    fn descriptors_are_checked() {
        let d = Descriptor {
            media_type: String::new(),
            digest: "md5:abc".into(),
            size: 1,
        };
        assert!(
            d.check("m")
                .unwrap_err()
                .to_string()
                .contains("only sha256")
        );
        let d = Descriptor {
            media_type: String::new(),
            digest: format!("sha256:{}", "a".repeat(64)),
            size: -1,
        };
        assert!(d.check("m").unwrap_err().to_string().contains("negative"));
        let d = Descriptor {
            media_type: String::new(),
            digest: format!("sha256:{}", "a".repeat(64)),
            size: i64::MAX,
        };
        assert!(d.check("m").unwrap_err().to_string().contains("1 TiB"));
        let d = Descriptor { size: 1 << 40, ..d };
        assert!(d.check("m").is_ok(), "1 TiB itself is accepted");
    }
}
