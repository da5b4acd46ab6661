//! Image storage: the content store (manifests, blobs, and the recipes of generated tag
//! images) and the deterministic generation of every scenario image (index, manifests,
//! config, gzip tar layers).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use bytes::Bytes;
use sha2::{Digest as _, Sha256};

use crate::model::RegistryTag;
use crate::state::State;

use super::{CREATED, OCI_CONFIG, OCI_INDEX, OCI_LAYER_GZIP, OCI_MANIFEST};

/// A stored manifest or index.
#[derive(Debug, Clone)]
pub(super) struct Manifest {
    pub(super) media_type: &'static str,
    pub(super) bytes: Bytes,
}

/// Image content, keyed by digest; which digests each image (repository) holds.
#[derive(Debug, Default)]
pub(super) struct Store {
    pub(super) manifests: HashMap<String, Manifest>,
    pub(super) blobs: HashMap<String, Bytes>,
    pub(super) by_image: HashMap<String, HashSet<String>>,
    /// Content of the scenario's tag images, not kept: digest → how to generate it again
    /// (deterministic, a few tens of microseconds). Only digests are kept per image.
    pub(super) generated: HashMap<String, Arc<Recipe>>,
}

/// The inputs of [`build_tag_image`].
#[derive(Debug)]
pub(super) struct Recipe {
    pub(super) namespace: String,
    pub(super) image: String,
    pub(super) tag: String,
}

/// Stored or generated content of one digest.
pub(super) enum Content {
    Manifest(Manifest),
    Blob(Bytes),
}

impl Store {
    /// The content of `digest` if `image_id` holds it.
    pub(super) fn get(&self, image_id: &str, digest: &str) -> Option<Content> {
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

/// One generated image: its top digest (index or manifest), manifests and blobs.
pub(super) struct Built {
    pub(super) top: String,
    pub(super) manifests: Vec<(String, Manifest)>,
    pub(super) blobs: Vec<(String, Bytes)>,
}

impl Built {
    pub(super) fn size(&self) -> u64 {
        let m: usize = self.manifests.iter().map(|(_, m)| m.bytes.len()).sum();
        let b: usize = self.blobs.iter().map(|(_, b)| b.len()).sum();
        (m + b) as u64
    }

    pub(super) fn put(self, store: &mut Store, image_id: &str) {
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

pub(super) fn digest_of(bytes: &[u8]) -> String {
    let h = Sha256::digest(bytes);
    let mut s = String::with_capacity(71);
    s.push_str("sha256:");
    for b in h.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// One entry of a tar archive.
pub(super) enum Entry<'a> {
    Dir(&'a str),
    File(&'a str, u32, &'a [u8]),
}

/// A ustar archive (mtime 0, uid/gid 0), ending with two zero blocks.
pub(super) fn tar(entries: &[Entry<'_>]) -> Vec<u8> {
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

pub(super) fn gzip(data: &[u8], level: flate2::Compression) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::GzBuilder::new()
        .mtime(0)
        .write(Vec::with_capacity(data.len() / 2 + 64), level);
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// A gzip layer: (compressed digest, compressed bytes, uncompressed digest = diff_id).
pub(super) fn layer(tarball: &[u8], level: flate2::Compression) -> (String, Bytes, String) {
    let gz = gzip(tarball, level);
    (digest_of(&gz), Bytes::from(gz), digest_of(tarball))
}

/// The base layer shared by every generated image.
pub(super) fn base_layer() -> &'static (String, Bytes, String) {
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

pub(super) fn descriptor(media_type: &str, digest: &str, size: usize) -> serde_json::Value {
    serde_json::json!({ "mediaType": media_type, "digest": digest, "size": size })
}

/// Config and manifest of one platform; returns (manifest digest, manifest, config blob).
pub(super) fn platform_manifest(
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
pub(super) fn build_tag_image(namespace: &str, image: &str, tag: &str) -> Built {
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
pub(super) fn build_sized_image(
    namespace: &str,
    image: &str,
    tag: &str,
    layer_sizes: &[usize],
) -> Built {
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
pub(super) fn build_store(st: &mut State) -> Store {
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
}
