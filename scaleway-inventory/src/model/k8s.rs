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

scaleway_core::string_enum! {
    /// Day of a maintenance window.
    pub enum MaintenanceWindowDay {
        /// Any day.
        Any = "any",
        /// Monday.
        Monday = "monday",
        /// Tuesday.
        Tuesday = "tuesday",
        /// Wednesday.
        Wednesday = "wednesday",
        /// Thursday.
        Thursday = "thursday",
        /// Friday.
        Friday = "friday",
        /// Saturday.
        Saturday = "saturday",
        /// Sunday.
        Sunday = "sunday",
    }
}

scaleway_core::string_enum! {
    /// Effect of a Kubernetes taint.
    pub enum TaintEffect {
        /// No new pods without a toleration.
        NoSchedule = "NoSchedule",
        /// Avoid scheduling pods without a toleration.
        PreferNoSchedule = "PreferNoSchedule",
        /// Evict running pods without a toleration.
        NoExecute = "NoExecute",
    }
}

/// When a cluster is upgraded automatically (`auto_upgrade`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AutoUpgrade {
    /// Whether patch versions are applied automatically.
    #[serde(default)]
    pub enabled: bool,
    /// When.
    #[serde(default)]
    pub maintenance_window: Option<MaintenanceWindow>,
}

/// A weekly maintenance window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MaintenanceWindow {
    /// Start hour (UTC, 0–23).
    #[serde(default)]
    pub start_hour: u32,
    /// Day.
    #[serde(default)]
    pub day: Option<MaintenanceWindowDay>,
}

/// The OpenID Connect configuration of a cluster's API server (`open_id_connect_config`;
/// every string is `""` when OIDC is not configured).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OidcConfig {
    /// Issuer URL.
    #[serde(default)]
    pub issuer_url: String,
    /// Client ID.
    #[serde(default)]
    pub client_id: String,
    /// Claim used as the user name.
    #[serde(default)]
    pub username_claim: String,
    /// Prefix of user names.
    #[serde(default)]
    pub username_prefix: String,
    /// Claims used as groups.
    #[serde(default)]
    pub groups_claim: Vec<String>,
    /// Prefix of groups.
    #[serde(default)]
    pub groups_prefix: String,
    /// Required claims (`key=value`).
    #[serde(default)]
    pub required_claim: Vec<String>,
}

impl OidcConfig {
    /// Whether OIDC is configured (an issuer is set).
    pub fn is_configured(&self) -> bool {
        !self.issuer_url.is_empty()
    }
}

/// How a pool is upgraded (`upgrade_policy`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UpgradePolicy {
    /// Nodes that may be unavailable at once.
    #[serde(default)]
    pub max_unavailable: u32,
    /// Nodes that may be created above the pool's size.
    #[serde(default)]
    pub max_surge: u32,
}

/// A Kubernetes taint of a pool's nodes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Taint {
    /// Key.
    #[serde(default)]
    pub key: String,
    /// Value.
    #[serde(default)]
    pub value: String,
    /// Effect.
    #[serde(default)]
    pub effect: Option<TaintEffect>,
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
    /// The IAM group of the cluster's nodes (`""` early in creation).
    #[serde(default)]
    pub iam_nodes_group_id: String,
    /// Automatic upgrades.
    #[serde(default)]
    pub auto_upgrade: Option<AutoUpgrade>,
    /// OpenID Connect configuration of the API server.
    #[serde(default)]
    pub open_id_connect_config: Option<OidcConfig>,
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
    /// Private network (absent from recorded pools: the cluster's).
    #[serde(default)]
    pub private_network_id: Option<String>,
    /// Region.
    #[serde(default)]
    pub region: Option<Region>,
    /// The Instance security group of the pool's nodes.
    #[serde(default)]
    pub security_group_id: String,
    /// The Instance placement group of the pool's nodes (null when none).
    #[serde(default)]
    pub placement_group_id: Option<String>,
    /// Whether the nodes have no public IP (absent: the API did not say).
    #[serde(default)]
    pub public_ip_disabled: Option<bool>,
    /// How the pool is upgraded.
    #[serde(default)]
    pub upgrade_policy: Option<UpgradePolicy>,
    /// Taints of the nodes.
    #[serde(default)]
    pub taints: Vec<Taint>,
    /// Taints the nodes carry until they are ready.
    #[serde(default)]
    pub startup_taints: Vec<Taint>,
    /// Whether nodes are repaired automatically.
    #[serde(default)]
    pub autohealing: Option<bool>,
}
