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
//!
//! The steps, one module each: [`session`] (the token, the oci-client holding it, what a
//! registry answer means and its diagnosis), [`manifest`] (the manifest or index, the
//! platform, the descriptors), [`blob`] (downloads: resume, verification, retries) and
//! [`layout`] (the files of the OCI layout). Every retry of a pull — the token request, a
//! manifest, a broken blob transfer — runs on core's [`Retrier`](scaleway_core::Retrier):
//! the client's [`RetryPolicy`](scaleway_core::RetryPolicy) with [`Pull::attempts`] as its
//! maximum.

mod blob;
mod layout;
mod manifest;
mod session;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::api::RegistryApi;
#[cfg(doc)]
use crate::error::Diagnosis;
use crate::error::Result;
use crate::reference::{ImageReference, Platform};

use session::Ctx;

/// Default number of blobs downloaded at once.
pub const DEFAULT_PULL_CONCURRENCY: usize = 4;
/// Default number of attempts per blob (broken transfers resume where they stopped).
pub const DEFAULT_BLOB_ATTEMPTS: u32 = 5;

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

    /// Attempts per request of the pull — the token, each manifest, each blob — (default
    /// 5); a broken blob transfer resumes where it stopped.
    ///
    /// What is retried, the backoff between attempts and the time budget are the client's
    /// [`RetryPolicy`](scaleway_core::RetryPolicy)'s (this replaces its maximum number of
    /// attempts); the budget of a blob starts again after each transfer that received
    /// bytes, so a long download that breaks is resumed however long it ran.
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
    ///   files, [`Diagnosis::Registry`] for other registry answers (a 429 or a 5xx after
    ///   the retries).
    pub async fn send(self) -> Result<PullReport> {
        let started = Instant::now();
        let region = self.api.region_of(&self.reference)?;
        let has_upper = |s: &str| s.bytes().any(|b| b.is_ascii_uppercase());
        if has_upper(self.reference.namespace()) || has_upper(self.reference.image()) {
            // Distribution names are lower-case: say which existing name was meant.
            return Err(self.api.diagnose_missing(&self.reference).await);
        }
        let ctx = Ctx::new(self, &region)?;
        ctx.authenticate().await?;
        // Manifests first (small, verified), then the blobs, then the files that make the
        // layout complete.
        let image = ctx.resolve().await?;
        layout::write_manifests(&ctx.pull.out, &image).await?;
        let blobs = ctx.download_blobs(&image).await?;
        layout::complete(&ctx.pull.out, &image, &ctx.pull.reference).await?;
        let pull = ctx.pull;
        Ok(PullReport {
            reference: pull.reference.to_string(),
            manifest_digest: image.manifest_digest,
            index_digest: image.index.map(|(_, d)| d),
            platform: image.platform.to_string(),
            config: blobs.config,
            layers: blobs.layers,
            bytes_downloaded: blobs.bytes_downloaded,
            out_dir: pull.out,
            elapsed: started.elapsed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pull can be spawned: its future is `Send` (every step, the retries included).
    #[allow(dead_code)]
    fn a_pull_is_spawnable(pull: Pull) {
        fn spawnable<T: Send + 'static>(_: &T) {}
        spawnable(&pull.send());
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
}
