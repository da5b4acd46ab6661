//! Container Registry v1 namespaces.
//!
//! Stand-in until `scaleway-registry` publishes its namespace listing: the registry source
//! uses only [`Namespace`] and one listing route, so swapping it for the registry crate's
//! model is local to `sources/registry.rs`.

use scaleway_core::{Region, Timestamp};
use serde::{Deserialize, Serialize};

scaleway_core::string_enum! {
    /// Status of a namespace.
    pub enum NamespaceStatus {
        /// Unknown.
        UnknownStatus = "unknown",
        /// Ready.
        Ready = "ready",
        /// Deleting.
        Deleting = "deleting",
        /// Error.
        Error = "error",
        /// Locked.
        Locked = "locked",
    }
}

/// A registry namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Namespace {
    /// Namespace ID.
    pub id: String,
    /// Name (unique per region across all organizations).
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Organization ID.
    #[serde(default)]
    pub organization_id: String,
    /// Project ID.
    #[serde(default)]
    pub project_id: String,
    /// Status.
    pub status: NamespaceStatus,
    /// Status message (`""` when ready).
    #[serde(default)]
    pub status_message: String,
    /// Docker endpoint without scheme (`rg.fr-par.scw.cloud/name`).
    #[serde(default)]
    pub endpoint: String,
    /// Anonymous pulls allowed.
    #[serde(default)]
    pub is_public: bool,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Number of images.
    #[serde(default)]
    pub image_count: u32,
    /// Region.
    #[serde(default)]
    pub region: Option<Region>,
}
