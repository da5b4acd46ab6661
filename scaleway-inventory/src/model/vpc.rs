//! VPC v2 VPCs and private networks.

use scaleway_core::{Region, Timestamp};
use serde::{Deserialize, Serialize};

/// A VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Vpc {
    /// VPC ID.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Organization ID.
    #[serde(default)]
    pub organization_id: String,
    /// Project ID.
    #[serde(default)]
    pub project_id: String,
    /// Region.
    #[serde(default)]
    pub region: Option<Region>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Whether it is the project's default VPC.
    #[serde(default)]
    pub is_default: bool,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Number of private networks.
    #[serde(default)]
    pub private_network_count: u32,
    /// Routing between its private networks.
    #[serde(default)]
    pub routing_enabled: bool,
    /// Whether custom routes are propagated to its private networks
    /// (`custom_routes_propagation_enabled`).
    #[serde(default)]
    pub custom_routes_propagation_enabled: Option<bool>,
    /// Object Storage integration (in newer responses only: absent means the API did not
    /// say).
    #[serde(default)]
    pub s3_integration_enabled: Option<bool>,
    /// Transitivity (in newer responses only).
    #[serde(default)]
    pub transitivity_enabled: Option<bool>,
}

/// A subnet of a private network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Subnet {
    /// Subnet ID.
    #[serde(default)]
    pub id: String,
    /// CIDR.
    #[serde(default)]
    pub subnet: String,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// The private network it belongs to.
    #[serde(default)]
    pub private_network_id: String,
    /// The VPC it belongs to.
    #[serde(default)]
    pub vpc_id: String,
    /// Project ID.
    #[serde(default)]
    pub project_id: String,
    /// Region (in newer responses only).
    #[serde(default)]
    pub region: Option<Region>,
}

/// A private network (regional).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrivateNetwork {
    /// Private network ID.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Organization ID.
    #[serde(default)]
    pub organization_id: String,
    /// Project ID.
    #[serde(default)]
    pub project_id: String,
    /// Region.
    #[serde(default)]
    pub region: Option<Region>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Subnets.
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    /// The VPC it belongs to.
    #[serde(default)]
    pub vpc_id: String,
    /// DHCP.
    #[serde(default)]
    pub dhcp_enabled: bool,
    /// Object Storage integration (absent in older responses).
    #[serde(default)]
    pub has_s3_integration: bool,
    /// Whether the VPC's default route is propagated to it
    /// (`default_route_propagation_enabled`).
    #[serde(default)]
    pub default_route_propagation_enabled: Option<bool>,
}
