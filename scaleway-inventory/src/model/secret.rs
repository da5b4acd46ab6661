//! Secret Manager v1beta1 secrets — **metadata only**.
//!
//! There is deliberately no model, route or call for secret payloads
//! (`…/versions/{revision}/access`): an inventory never needs secret access, so a key
//! holding only `SecretManagerReadOnly` (or `AllProductsReadOnly`) is enough.

use scaleway_core::{Region, Timestamp};
use serde::{Deserialize, Serialize};

use super::{Id, SharedStr};

scaleway_core::string_enum! {
    /// Status of a secret.
    pub enum SecretStatus {
        /// Unknown.
        UnknownStatus = "unknown_status",
        /// Usable.
        Ready = "ready",
        /// Locked by Scaleway.
        Locked = "locked",
    }
}

scaleway_core::string_enum! {
    /// Type of a secret.
    pub enum SecretType {
        /// Unknown.
        UnknownType = "unknown_type",
        /// Opaque data (the default).
        Opaque = "opaque",
        /// A certificate.
        Certificate = "certificate",
        /// Key/value pairs.
        KeyValue = "key_value",
        /// Username and password.
        BasicCredentials = "basic_credentials",
        /// Database credentials.
        DatabaseCredentials = "database_credentials",
        /// An SSH key.
        SshKey = "ssh_key",
    }
}

/// What happens to an ephemeral secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EphemeralPolicy {
    /// Time to live (`"3600s"`).
    #[serde(default)]
    pub time_to_live: Option<String>,
    /// Whether it expires once accessed.
    #[serde(default)]
    pub expires_once_accessed: Option<bool>,
    /// `delete`, `disable`, …
    #[serde(default)]
    pub action: Option<String>,
}

/// A secret's metadata (`GET /secret-manager/v1beta1/regions/{region}/secrets`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Secret {
    /// Secret ID.
    pub id: Id,
    /// Project ID.
    #[serde(default)]
    pub project_id: SharedStr,
    /// Name.
    #[serde(default)]
    pub name: SharedStr,
    /// Status.
    pub status: SecretStatus,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Tags.
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub tags: Vec<String>,
    /// Number of versions.
    #[serde(default)]
    pub version_count: u32,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether Scaleway manages it.
    #[serde(default)]
    pub managed: bool,
    /// Whether it is protected against deletion.
    #[serde(default)]
    pub protected: bool,
    /// Type.
    #[serde(default, rename = "type")]
    pub secret_type: Option<SecretType>,
    /// Folder path (`/` by default).
    #[serde(default)]
    pub path: SharedStr,
    /// Ephemeral policy (boxed: most secrets have none).
    #[serde(default)]
    pub ephemeral_policy: Option<Box<EphemeralPolicy>>,
    /// Products using this managed secret.
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub used_by: Vec<String>,
    /// When its deletion was requested: set while the secret is scheduled for deletion
    /// (still restorable with `POST …/secrets/{secret_id}/restore`), null otherwise.
    #[serde(default)]
    pub deletion_requested_at: Option<Timestamp>,
    /// Key Manager key encrypting it.
    #[serde(default)]
    pub key_id: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Option<Region>,
}

impl Secret {
    /// Whether the secret is scheduled for deletion (its
    /// [`deletion_requested_at`](Self::deletion_requested_at) is set): listed only with
    /// `scheduled_for_deletion=true`, still restorable.
    pub fn is_scheduled_for_deletion(&self) -> bool {
        self.deletion_requested_at.is_some()
    }
}
