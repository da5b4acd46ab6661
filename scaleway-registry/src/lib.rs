#![doc = include_str!("../README.md")]
//!
//! # Overview
//!
//! * [`RegistryApi`]: Registry v1 namespaces, images and tags — list with filters (name,
//!   namespace, project) in one region or in every region at once with a result per
//!   region, get, update visibility, delete — all through `scaleway-core`'s [`Client`]
//!   (auth, retries, tracing, error decoding);
//! * [`ImageReference`]: `rg.<region>.scw.cloud/<namespace>/<image>:<tag>`, derived from
//!   the API's objects ([`Namespace::reference`], [`RegistryApi::reference`]); the host
//!   serving each region can be overridden ([`RegistryHosts`]) without changing references;
//! * [`RegistryApi::pull`]: the bearer-token challenge (the secret key is sent only to a
//!   Scaleway token realm over `https`, see [`RegistryHosts`]), then the OCI distribution
//!   API through [`oci-client`](oci_client) (manifests and image indexes, platform
//!   selection), blobs streamed to disk and verified against their sha256, downloaded
//!   concurrently (a blob listed twice once), resumed after an interruption, written as an
//!   OCI image layout that Trivy and Grype read;
//! * [`Error`], the crate's one error type: a revoked or expired key, a missing permission
//!   set, the wrong region, a namespace name that differs in case, a key scoped to another
//!   project, a missing image or tag (with the closest names) — each its own
//!   [`Diagnosis`] (`error.diagnosis()`), and a message that says what to fix.
//!   `docs/registry.md` lists them like a support page.
//!
//! Pull traffic goes through `oci-client`'s own HTTP client (the issue this crate resolves
//! asks for a maintained distribution client), except the `/v2/` challenge and the token
//! request, which this crate makes itself so that it decides where the secret key goes
//! (oci-client would send it to any realm); every management-API call goes through
//! `scaleway-core`.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod api;
mod auth;
mod error;
mod model;
mod pull;
mod reference;
mod troubleshoot;

pub use api::{
    ListImages, ListNamespaces, ListTags, RegistryApi, UpdateNamespace, flatten_regions,
};
pub use error::{Diagnosis, Error, KeyProblem, KeyProject, ProjectSource, RegionFailure, Result};
pub use model::{
    Image, ImageId, ImageStatus, ImageVisibility, Namespace, NamespaceId, NamespaceOrderBy,
    NamespaceStatus, OrderBy, Tag, TagId, TagStatus,
};
pub use pull::{
    BlobSummary, DEFAULT_BLOB_ATTEMPTS, DEFAULT_PULL_CONCURRENCY, Pull, PullEvent, PullReport,
};
pub use reference::{ImageReference, Platform, RegistryHosts};
pub use scaleway_core::{Client, Listable, Region};
pub use troubleshoot::Resolved;

/// The docs/registry.md support page's examples are compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/registry.md")]
struct SupportPageDoctests;
