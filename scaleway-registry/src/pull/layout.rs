//! The OCI image layout: `blobs/sha256/…` (manifests first, then the verified blobs),
//! partial downloads in `.partial/`, and — written last, once everything is in place —
//! `oci-layout` and `index.json`, which points at the platform's manifest.

use std::path::Path;

use super::manifest::{OCI_INDEX, ResolvedImage};
use crate::error::{Diagnosis, Error, Result};
use crate::reference::{ImageReference, Platform};

/// Directory (inside the output) holding partial downloads.
pub(super) const PARTIAL_DIR: &str = ".partial";

/// Creates the layout's directories and writes the manifests (small, already verified)
/// into `blobs/`, the image index too (unreferenced by `index.json`, kept so that the
/// tag's digest can be checked).
pub(super) async fn write_manifests(out: &Path, image: &ResolvedImage) -> Result<()> {
    let blobs_dir = out.join("blobs").join("sha256");
    create_dir(&blobs_dir).await?;
    create_dir(&out.join(PARTIAL_DIR)).await?;
    write_blob(&blobs_dir, &image.manifest_digest, &image.manifest_bytes).await?;
    if let Some((bytes, digest)) = &image.index {
        write_blob(&blobs_dir, digest, bytes).await?;
    }
    Ok(())
}

/// Completes the layout once every blob is in place: `oci-layout`, then `index.json`
/// (atomically, last: a directory without it is an incomplete pull).
pub(super) async fn complete(
    out: &Path,
    image: &ResolvedImage,
    reference: &ImageReference,
) -> Result<()> {
    write_file(
        &out.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )
    .await?;
    let index = layout_index(
        &image.media_type,
        &image.manifest_digest,
        image.manifest_bytes.len() as u64,
        &image.platform,
        reference,
    );
    let index = serde_json::to_vec_pretty(&index)
        .map_err(|e| Error::invalid_argument(format!("cannot serialize index.json: {e}")))?;
    write_file(&out.join("index.json"), &index).await?;
    let _ = tokio::fs::remove_dir(out.join(PARTIAL_DIR)).await;
    Ok(())
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
    use crate::pull::manifest::OCI_MANIFEST;

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
}
