//! Kubernetes Kapsule v1 clusters and pools.
//!
//! There is no region-wide pool listing: pools are listed per cluster.

use std::collections::BTreeMap;

use scaleway_core::{Region, Timestamp, Zone};
use serde::{Deserialize, Serialize};

scaleway_core::string_enum! {
    /// Status of a cluster.
    pub enum ClusterStatus {
        /// Unknown.
        UnknownStatus = "unknown",
        /// Creating.
        Creating = "creating",
        /// Ready.
        Ready = "ready",
        /// Deleting.
        Deleting = "deleting",
        /// Deleted.
        Deleted = "deleted",
        /// Updating.
        Updating = "updating",
        /// Locked.
        Locked = "locked",
        /// Needs a pool.
        PoolRequired = "pool_required",
    }
}

scaleway_core::string_enum! {
    /// Status of a pool.
    pub enum PoolStatus {
        /// Unknown.
        UnknownStatus = "unknown",
        /// Ready.
        Ready = "ready",
        /// Deleting.
        Deleting = "deleting",
        /// Deleted.
        Deleted = "deleted",
        /// Scaling.
        Scaling = "scaling",
        /// Warning.
        Warning = "warning",
        /// Locked.
        Locked = "locked",
        /// Upgrading.
        Upgrading = "upgrading",
    }
}

/// A Kapsule cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cluster {
    /// Cluster ID.
    pub id: String,
    /// Cluster type (`kapsule`, `multicloud`, `kapsule-dedicated-4`, …).
    #[serde(default, rename = "type")]
    pub cluster_type: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Status.
    pub status: ClusterStatus,
    /// Kubernetes version.
    #[serde(default)]
    pub version: String,
    /// Region.
    #[serde(default)]
    pub region: Option<Region>,
    /// Organization ID.
    #[serde(default)]
    pub organization_id: String,
    /// Project ID.
    #[serde(default)]
    pub project_id: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// CNI (`cilium`, `calico`, …).
    #[serde(default)]
    pub cni: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// API server URL.
    #[serde(default)]
    pub cluster_url: String,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Whether an upgrade is available.
    #[serde(default)]
    pub upgrade_available: bool,
    /// Private network (null for legacy clusters).
    #[serde(default)]
    pub private_network_id: Option<String>,
    /// Pod CIDR (`""` when unset).
    #[serde(default)]
    pub pod_cidr: String,
    /// Service CIDR (`""` when unset).
    #[serde(default)]
    pub service_cidr: String,
}

/// A node pool of a cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Pool {
    /// Pool ID.
    pub id: String,
    /// Cluster ID.
    #[serde(default)]
    pub cluster_id: String,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Status.
    pub status: PoolStatus,
    /// Kubernetes version.
    #[serde(default)]
    pub version: String,
    /// Node type, normalised by the API (`DEV1-M` → `dev1_m`).
    #[serde(default)]
    pub node_type: String,
    /// Autoscaling.
    #[serde(default)]
    pub autoscaling: bool,
    /// Number of nodes.
    #[serde(default)]
    pub size: u32,
    /// Minimum number of nodes.
    #[serde(default)]
    pub min_size: u32,
    /// Maximum number of nodes.
    #[serde(default)]
    pub max_size: u32,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Zone of the nodes.
    #[serde(default)]
    pub zone: Option<Zone>,
    /// Root volume type (`l_ssd`, `sbs_5k`, …).
    #[serde(default)]
    pub root_volume_type: String,
    /// Root volume size in bytes.
    #[serde(default)]
    pub root_volume_size: Option<u64>,
    /// Kubernetes labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Private network.
    #[serde(default)]
    pub private_network_id: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Option<Region>,
}
