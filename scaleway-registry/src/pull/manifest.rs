//! The manifest step: the tag or digest resolved to a manifest (an image index selects
//! the platform), and the blobs it lists, checked before anything is downloaded.

use std::collections::HashMap;

use oci_client::Reference;
use serde::{Deserialize, Serialize};

use super::session::Ctx;
use crate::error::{Diagnosis, Error, Result};
use crate::reference::Platform;

/// Media types of manifests this crate reads (OCI and Docker, single and multi-platform).
pub(super) const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(super) const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const ACCEPT: &[&str] = &[OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST];

/// The largest blob a manifest may declare (1 TiB): anything larger is refused as
/// absurd before any download.
const MAX_BLOB_SIZE: u64 = 1 << 40;

/// The image a reference resolved to: what the layout gets, and the blobs to fetch.
pub(super) struct ResolvedImage {
    /// The image manifest of the selected platform, as received (its digest verified).
    pub(super) manifest_bytes: Vec<u8>,
    /// Its digest.
    pub(super) manifest_digest: String,
    /// Its media type.
    pub(super) media_type: String,
    /// The image index the reference pointed at (bytes, digest), for multi-platform images.
    pub(super) index: Option<(Vec<u8>, String)>,
    /// The platform selected.
    pub(super) platform: Platform,
    /// The config, then the layers as listed (a layer may be listed twice), each checked.
    pub(super) descriptors: Vec<Descriptor>,
}

impl Ctx {
    /// The manifest (or index, then the platform's manifest) of the reference, by tag or
    /// digest; oci-client verifies each manifest's digest. Every blob it lists is checked
    /// (sha256, a sane size) before anything is downloaded.
    pub(super) async fn resolve(&self) -> Result<ResolvedImage> {
        let wanted = &self.pull.platform;
        let (top, top_digest) = self.manifest(&self.oci_ref).await?;
        let parsed: Manifestish = parse_manifest(&top, &top_digest)?;
        let (manifest_bytes, manifest_digest, index, platform) = match &parsed.manifests {
            Some(entries) => {
                let entry = self.platform_entry(entries)?;
                let by_digest = self.oci_ref.clone_with_digest(entry.digest.clone());
                let (bytes, digest) = self.manifest(&by_digest).await?;
                let platform = entry
                    .platform
                    .as_ref()
                    .map_or_else(|| wanted.clone(), PlatformJson::to_platform);
                (bytes, digest, Some((top, top_digest)), platform)
            }
            None => (top, top_digest, None, wanted.clone()),
        };
        let manifest: Manifestish = parse_manifest(&manifest_bytes, &manifest_digest)?;
        let config = manifest
            .config
            .ok_or_else(|| invalid_manifest(&manifest_digest, "it has no config"))?;
        let descriptors: Vec<Descriptor> = std::iter::once(config).chain(manifest.layers).collect();
        for d in &descriptors {
            d.check(&manifest_digest)?;
        }
        Ok(ResolvedImage {
            media_type: manifest
                .media_type
                .unwrap_or_else(|| OCI_MANIFEST.to_owned()),
            manifest_bytes,
            manifest_digest,
            index,
            platform,
            descriptors,
        })
    }

    /// The entry of an image index for the pull's platform.
    fn platform_entry<'a>(&self, entries: &'a [IndexEntry]) -> Result<&'a IndexEntry> {
        let wanted = &self.pull.platform;
        entries
            .iter()
            .find(|e| {
                e.platform
                    .as_ref()
                    .is_some_and(|p| wanted.matches(&p.os, &p.architecture, p.variant.as_deref()))
            })
            .ok_or_else(|| {
                Error::new(Diagnosis::PlatformNotFound {
                    reference: self.pull.reference.to_string(),
                    requested: wanted.to_string(),
                    available: entries
                        .iter()
                        .filter_map(|e| e.platform.as_ref())
                        .map(|p| p.to_platform().to_string())
                        .collect(),
                })
            })
    }

    /// A manifest's raw bytes and verified digest, retried on core's policy.
    async fn manifest(&self, reference: &Reference) -> Result<(Vec<u8>, String)> {
        self.with_session(|session| async move {
            let session = &session;
            self.retrier("the manifest request")
                .run(|_| async move {
                    session
                        .client
                        .pull_manifest_raw(reference, &session.auth, ACCEPT)
                        .await
                        .map(|(bytes, digest)| (bytes.to_vec(), digest))
                        .map_err(|e| self.classify(e, "the manifest").attempt())
                })
                .await
        })
        .await
    }
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
pub(super) struct Descriptor {
    #[serde(default)]
    pub(super) media_type: String,
    pub(super) digest: String,
    pub(super) size: i64,
}

impl Descriptor {
    pub(super) fn size_u64(&self) -> u64 {
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

    pub(super) fn hex<'a>(&'a self, manifest: &str) -> Result<&'a str> {
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
pub(super) fn dedup_descriptors<'a>(
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

pub(super) fn invalid_manifest(digest: &str, why: &str) -> Error {
    Error::new(Diagnosis::Registry {
        status: 0,
        what: format!("manifest {digest}"),
        message: format!("invalid manifest: {why}"),
    })
}

fn parse_manifest(bytes: &[u8], digest: &str) -> Result<Manifestish> {
    serde_json::from_slice(bytes).map_err(|e| invalid_manifest(digest, &e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
