//! The blob step: every distinct blob of the image downloaded (a few at once), streamed to
//! disk while hashed, resumed where a broken transfer stopped, retried on core's policy,
//! and moved into the layout only once its size and digest match.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use futures::TryFutureExt as _;
use futures::stream::{self, StreamExt, TryStreamExt};
use oci_client::client::BlobResponse;
use oci_client::errors::{DigestError, OciDistributionError};
use scaleway_core::{AttemptError, Outcome};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt;

use super::layout::PARTIAL_DIR;
use super::manifest::{Descriptor, ResolvedImage, dedup_descriptors, invalid_manifest};
use super::session::{Ctx, Failure, Session};
use super::{BlobSummary, PullEvent};
use crate::error::{Diagnosis, Error, Result};

/// Progress is reported at most once per this many bytes of a blob.
const PROGRESS_STEP: u64 = 1 << 20;
/// Write buffer of a blob file.
const WRITE_BUFFER: usize = 1 << 20;

/// The blobs of a pull, as the report gives them.
pub(super) struct PulledBlobs {
    pub(super) config: BlobSummary,
    pub(super) layers: Vec<BlobSummary>,
    pub(super) bytes_downloaded: u64,
}

/// What one transfer left on disk.
struct Transfer {
    digest: String,
    received: u64,
    resumed_from: u64,
}

/// How one transfer failed.
enum TransferError {
    /// Give up with this error.
    Final(Error),
    /// The registry's answer, and the bytes received before it.
    Oci(OciDistributionError, u64),
    /// The body broke off, after this many bytes.
    Broken(String, u64),
}

impl Ctx {
    /// Downloads every distinct blob of `image` (a blob listed twice — repeated empty
    /// layers — once: two downloads would share its partial file), at most
    /// `concurrency` at once; one summary per listed descriptor, in the manifest's order.
    pub(super) async fn download_blobs(&self, image: &ResolvedImage) -> Result<PulledBlobs> {
        let digest = &image.manifest_digest;
        let (unique, slots) = dedup_descriptors(&image.descriptors, digest)?;
        self.emit(&PullEvent::Resolved {
            reference: self.pull.reference.to_string(),
            manifest_digest: digest.clone(),
            platform: image.platform.to_string(),
            blobs: unique.len(),
            total_bytes: unique
                .iter()
                .fold(0u64, |t, d| t.saturating_add(d.size_u64())),
        });
        // The futures are built first (they do nothing until polled), so that no closure
        // borrowing `self` is part of the stream's type: `send()` stays spawnable.
        let downloads: Vec<_> = unique
            .iter()
            .enumerate()
            .map(|(i, d)| self.blob(d).map_ok(move |(s, n)| (i, s, n)))
            .collect();
        let mut results: Vec<(usize, BlobSummary, u64)> = stream::iter(downloads)
            .buffer_unordered(self.pull.concurrency)
            .try_collect()
            .await?;
        results.sort_by_key(|(i, _, _)| *i);
        let bytes_downloaded = results
            .iter()
            .fold(0u64, |t, (_, _, n)| t.saturating_add(*n));
        let mut summaries = Vec::with_capacity(slots.len());
        for (d, &slot) in image.descriptors.iter().zip(&slots) {
            let (_, summary, _) = results
                .get(slot)
                .ok_or_else(|| invalid_manifest(digest, "a blob was not pulled"))?;
            let mut summary = summary.clone();
            summary.media_type.clone_from(&d.media_type);
            summaries.push(summary);
        }
        let mut summaries = summaries.into_iter();
        let config = summaries
            .next()
            .ok_or_else(|| invalid_manifest(digest, "it has no config"))?;
        Ok(PulledBlobs {
            config,
            layers: summaries.collect(),
            bytes_downloaded,
        })
    }

    /// Downloads one blob into the layout, or reuses it; returns its summary and the
    /// bytes received.
    async fn blob(&self, d: &Descriptor) -> Result<(BlobSummary, u64)> {
        let hex = d.hex(&d.digest)?;
        let size = d.size_u64();
        let out = &self.pull.out;
        let final_path = out.join("blobs").join("sha256").join(hex);
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
        let partial = out.join(PARTIAL_DIR).join(format!("sha256-{hex}"));
        // Bytes left by an earlier, interrupted pull.
        let resumed_bytes = tokio::fs::metadata(&partial)
            .await
            .map_or(0, |m| m.len())
            .min(size);
        let downloaded = AtomicU64::new(0);
        let mut t = self.download(d, &partial, &downloaded).await?;
        if t.digest != d.digest && t.resumed_from > 0 {
            // The bytes kept from an earlier attempt may be the corrupt part: once more,
            // from the first byte.
            remove(&partial).await;
            t = self.download(d, &partial, &downloaded).await?;
        }
        if t.digest != d.digest {
            remove(&partial).await;
            return Err(Error::new(Diagnosis::DigestMismatch {
                expected: d.digest.clone(),
                actual: t.digest,
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
        Ok((summary(false, resumed_bytes), downloaded.into_inner()))
    }

    /// Transfers the blob into its partial file until it has every byte (its digest is
    /// checked by the caller), retrying broken transfers; the token is renewed once if
    /// the registry refuses it. `downloaded` counts the bytes received.
    async fn download(
        &self,
        d: &Descriptor,
        partial: &Path,
        downloaded: &AtomicU64,
    ) -> Result<Transfer> {
        self.with_session(|session| async move {
            self.transfers(&session, d, partial, downloaded).await
        })
        .await
    }

    /// Transfers on one session, each resuming the partial file, until one completes or
    /// the retry policy gives up. A retry is announced with [`PullEvent::BlobRetry`].
    async fn transfers(
        &self,
        session: &Session,
        d: &Descriptor,
        partial: &Path,
        downloaded: &AtomicU64,
    ) -> std::result::Result<Transfer, Failure> {
        let size = d.size_u64();
        let what = format!("blob {}", d.digest);
        // The failure a retry is announced with (once the policy decided to retry).
        let failed: Mutex<Option<String>> = Mutex::new(None);
        let (what, failed) = (&what, &failed);
        let note = |error: String| {
            *failed.lock().unwrap_or_else(PoisonError::into_inner) = Some(error);
        };
        self.retrier("a blob transfer")
            .run(|attempt| async move {
                let retrying = failed.lock().unwrap_or_else(PoisonError::into_inner).take();
                if let Some(error) = retrying {
                    self.emit(&PullEvent::BlobRetry {
                        digest: d.digest.clone(),
                        attempt: attempt - 1,
                        error,
                    });
                }
                let (failure, received) = match self
                    .transfer(&session.client, d, partial, size)
                    .await
                {
                    Ok(t) if t.received + t.resumed_from >= size => {
                        downloaded.fetch_add(t.received, Ordering::Relaxed);
                        return Ok(t);
                    }
                    Ok(t) => {
                        // The body ended early without an error: resume.
                        let error = Error::new(Diagnosis::SizeMismatch {
                            digest: d.digest.clone(),
                            expected: size,
                            actual: t.received + t.resumed_from,
                        });
                        note("the transfer ended early".into());
                        let f = Failure::Transient(Outcome::TransportFailed, error);
                        (f.attempt(), t.received)
                    }
                    Err(TransferError::Final(e)) => {
                        if matches!(
                            e.diagnosis(),
                            Diagnosis::SizeMismatch { .. } | Diagnosis::DigestMismatch { .. }
                        ) {
                            remove(partial).await;
                        }
                        (AttemptError::fatal(Failure::Final(e)), 0)
                    }
                    Err(TransferError::Oci(e, received)) => {
                        let f = match self.classify(e, what) {
                            Failure::Missing => Failure::Final(Error::new(Diagnosis::Registry {
                                status: 404,
                                what: what.clone(),
                                message:
                                    "the manifest references a blob the registry does not have"
                                        .into(),
                            })),
                            f => f,
                        };
                        note(f.to_string());
                        (f.attempt(), received)
                    }
                    Err(TransferError::Broken(message, received)) => {
                        note(message.clone());
                        let f =
                            Failure::Transient(Outcome::TransportFailed, self.transport(message));
                        (f.attempt(), received)
                    }
                };
                downloaded.fetch_add(received, Ordering::Relaxed);
                // Bytes received are kept: the next transfer resumes after them.
                Err(if received > 0 {
                    failure.progressed()
                } else {
                    failure
                })
            })
            .await
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

/// Removes a partial download that cannot be resumed (best effort: the next pull starts
/// it over anyway).
async fn remove(partial: &Path) {
    let _ = tokio::fs::remove_file(partial).await;
}

#[cfg(test)]
mod tests {
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
}
