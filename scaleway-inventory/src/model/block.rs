//! Block Storage volumes and snapshots, as `/block/v1` sends them (the inventory's source
//! reads v1). The same types parse `/block/v1alpha1` responses: v1 only adds
//! [`Volume::kms_key_id`] and [`Snapshot::public`], which are `None` in v1alpha1 answers.
//!
//! A volume attached to an Instance server has a [`Reference`] whose
//! `product_resource_type` is `instance_server` and `product_resource_id` the server ID;
//! the server's `volumes` map lists the same volume with `volume_type = "sbs_volume"`.

use scaleway_core::{Timestamp, Zone};
use serde::{Deserialize, Serialize};

use super::{Id, SharedStr};

scaleway_core::string_enum! {
    /// Status of a Block volume.
    pub enum VolumeStatus {
        /// Unknown.
        UnknownStatus = "unknown_status",
        /// Creating.
        Creating = "creating",
        /// Available (not attached).
        Available = "available",
        /// In use (attached).
        InUse = "in_use",
        /// Deleting.
        Deleting = "deleting",
        /// Deleted.
        Deleted = "deleted",
        /// Resizing.
        Resizing = "resizing",
        /// Error.
        Error = "error",
        /// Snapshotting.
        Snapshotting = "snapshotting",
        /// Locked.
        Locked = "locked",
        /// Updating.
        Updating = "updating",
    }
}

scaleway_core::string_enum! {
    /// Status of a Block snapshot.
    pub enum SnapshotStatus {
        /// Unknown.
        UnknownStatus = "unknown_status",
        /// Creating.
        Creating = "creating",
        /// Available.
        Available = "available",
        /// Error.
        Error = "error",
        /// Deleting.
        Deleting = "deleting",
        /// Deleted.
        Deleted = "deleted",
        /// In use.
        InUse = "in_use",
        /// Locked.
        Locked = "locked",
        /// Exporting.
        Exporting = "exporting",
    }
}

scaleway_core::string_enum! {
    /// Storage class.
    pub enum StorageClass {
        /// Unknown.
        UnknownStorageClass = "unknown_storage_class",
        /// Unspecified.
        Unspecified = "unspecified",
        /// Legacy block SSD.
        Bssd = "bssd",
        /// Scaleway Block Storage.
        Sbs = "sbs",
    }
}

scaleway_core::string_enum! {
    /// Type of a reference.
    pub enum ReferenceType {
        /// Unknown.
        UnknownType = "unknown_type",
        /// Link.
        Link = "link",
        /// Exclusive (an attachment).
        Exclusive = "exclusive",
        /// Read-only.
        ReadOnly = "read_only",
    }
}

scaleway_core::string_enum! {
    /// Status of a reference.
    pub enum ReferenceStatus {
        /// Unknown.
        UnknownStatus = "unknown_status",
        /// Attaching.
        Attaching = "attaching",
        /// Attached.
        Attached = "attached",
        /// Detaching.
        Detaching = "detaching",
        /// Detached.
        Detached = "detached",
        /// Creating.
        Creating = "creating",
        /// Error.
        Error = "error",
    }
}

/// Who uses a volume or snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Reference {
    /// Reference ID.
    #[serde(default)]
    pub id: Id,
    /// `instance_server`, `instance_image`, …
    #[serde(default)]
    pub product_resource_type: SharedStr,
    /// The user's ID (a server ID for `instance_server`).
    #[serde(default)]
    pub product_resource_id: Id,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Type.
    #[serde(default, rename = "type")]
    pub reference_type: Option<ReferenceType>,
    /// Status.
    #[serde(default)]
    pub status: Option<ReferenceStatus>,
}

impl Reference {
    /// Whether this reference attaches the resource to an Instance server.
    pub fn is_instance_server(&self) -> bool {
        self.product_resource_type == "instance_server"
    }
}

/// Performance specifications.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VolumeSpecifications {
    /// IOPS.
    #[serde(default)]
    pub perf_iops: Option<u32>,
    /// Storage class.
    #[serde(default)]
    pub class: Option<StorageClass>,
}

/// A Block volume.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Volume {
    /// Volume ID.
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: SharedStr,
    /// Volume type (`sbs_5k`, `sbs_15k`, …).
    #[serde(default, rename = "type")]
    pub volume_type: SharedStr,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Project ID.
    #[serde(default)]
    pub project_id: SharedStr,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Who uses the volume.
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub references: Vec<Reference>,
    /// The snapshot it was created from.
    #[serde(default)]
    pub parent_snapshot_id: Option<Id>,
    /// Status.
    pub status: VolumeStatus,
    /// Tags.
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub tags: Vec<String>,
    /// Zone.
    #[serde(default)]
    pub zone: Option<Zone>,
    /// Specifications.
    #[serde(default)]
    pub specs: Option<VolumeSpecifications>,
    /// When it was last detached.
    #[serde(default)]
    pub last_detached_at: Option<Timestamp>,
    /// The Key Manager key encrypting the volume (v1 only; null when the volume is not
    /// encrypted with a customer key, and absent from v1alpha1 answers and from v1 answers
    /// recorded before 2026-06).
    #[serde(default)]
    pub kms_key_id: Option<SharedStr>,
}

impl Volume {
    /// IDs of the Instance servers this volume is attached to.
    pub fn attached_servers(&self) -> impl Iterator<Item = &Id> {
        self.references
            .iter()
            .filter(|r| r.is_instance_server())
            .map(|r| &r.product_resource_id)
    }
}

/// The volume a snapshot was taken from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SnapshotParentVolume {
    /// Volume ID.
    #[serde(default)]
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Volume type.
    #[serde(default, rename = "type")]
    pub volume_type: SharedStr,
    /// Status.
    #[serde(default)]
    pub status: Option<VolumeStatus>,
}

/// A Block snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Snapshot {
    /// Snapshot ID.
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: SharedStr,
    /// The volume it was taken from (null once that volume is deleted).
    #[serde(default)]
    pub parent_volume: Option<SnapshotParentVolume>,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Project ID.
    #[serde(default)]
    pub project_id: SharedStr,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Who uses the snapshot.
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub references: Vec<Reference>,
    /// Status.
    pub status: SnapshotStatus,
    /// Tags.
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub tags: Vec<String>,
    /// Zone.
    #[serde(default)]
    pub zone: Option<Zone>,
    /// Storage class.
    #[serde(default)]
    pub class: Option<StorageClass>,
    /// Whether the snapshot is public (v1 only; `None` in v1alpha1 answers).
    #[serde(default)]
    pub public: Option<bool>,
}
