//! Instance v1 servers and (local) volumes.
//!
//! Instance is the odd API out: owner fields are `organization` / `project`, timestamps are
//! `creation_date` / `modification_date` with `+00:00` offsets, and a server's `volumes` is
//! an object keyed `"0"`, `"1"`, … whose Block Storage (`sbs_volume`) entries carry only
//! `id`, `volume_type`, `boot`, `state` and `zone` (details live in the Block API).

use std::collections::BTreeMap;

use scaleway_core::{Timestamp, Zone};
use serde::{Deserialize, Serialize};

scaleway_core::string_enum! {
    /// State of a server.
    pub enum ServerState {
        /// Running.
        Running = "running",
        /// Stopped (resources released).
        Stopped = "stopped",
        /// Stopped in place (note the spaces; resources kept).
        StoppedInPlace = "stopped in place",
        /// Starting.
        Starting = "starting",
        /// Stopping.
        Stopping = "stopping",
        /// Locked by Scaleway.
        Locked = "locked",
    }
}

scaleway_core::string_enum! {
    /// Type of a volume attached to a server.
    pub enum VolumeServerVolumeType {
        /// Local SSD.
        LSsd = "l_ssd",
        /// Legacy block SSD.
        BSsd = "b_ssd",
        /// Block Storage volume (details in the Block API).
        SbsVolume = "sbs_volume",
        /// Scratch storage.
        Scratch = "scratch",
    }
}

scaleway_core::string_enum! {
    /// Type of an Instance volume.
    pub enum VolumeType {
        /// Local SSD.
        LSsd = "l_ssd",
        /// Legacy block SSD.
        BSsd = "b_ssd",
        /// Unified.
        Unified = "unified",
        /// Scratch storage.
        Scratch = "scratch",
        /// Block Storage volume.
        SbsVolume = "sbs_volume",
        /// Block Storage snapshot.
        SbsSnapshot = "sbs_snapshot",
    }
}

scaleway_core::string_enum! {
    /// State of an Instance volume.
    pub enum VolumeState {
        /// Available.
        Available = "available",
        /// Snapshotting.
        Snapshotting = "snapshotting",
        /// Fetching.
        Fetching = "fetching",
        /// Saving.
        Saving = "saving",
        /// Attaching.
        Attaching = "attaching",
        /// Resizing.
        Resizing = "resizing",
        /// Hot-syncing.
        Hotsyncing = "hotsyncing",
        /// Error.
        Error = "error",
    }
}

scaleway_core::string_enum! {
    /// CPU architecture.
    pub enum Arch {
        /// Unknown.
        UnknownArch = "unknown_arch",
        /// x86-64.
        X86_64 = "x86_64",
        /// 32-bit ARM.
        Arm = "arm",
        /// 64-bit ARM.
        Arm64 = "arm64",
    }
}

scaleway_core::string_enum! {
    /// How a server boots (`boot_type`).
    pub enum BootType {
        /// From its local or Block boot volume.
        Local = "local",
        /// From a bootscript (legacy).
        Bootscript = "bootscript",
        /// The rescue image.
        Rescue = "rescue",
    }
}

scaleway_core::string_enum! {
    /// IP family of a server IP.
    pub enum IpFamily {
        /// IPv4.
        Inet = "inet",
        /// IPv6.
        Inet6 = "inet6",
    }
}

scaleway_core::string_enum! {
    /// How a server IP is provisioned.
    pub enum IpProvisioningMode {
        /// Set by hand.
        Manual = "manual",
        /// DHCP.
        Dhcp = "dhcp",
        /// SLAAC (IPv6).
        Slaac = "slaac",
    }
}

scaleway_core::string_enum! {
    /// State of a server IP.
    pub enum IpState {
        /// Unknown.
        UnknownState = "unknown_state",
        /// Detached.
        Detached = "detached",
        /// Attached.
        Attached = "attached",
        /// Pending.
        Pending = "pending",
        /// Error.
        Error = "error",
    }
}

scaleway_core::string_enum! {
    /// Whether a placement group's policy is a hard constraint.
    ///
    /// Values from the Go SDK's `PlacementGroupPolicyMode` (`instance.md` lists the field,
    /// not its values); `enforced` is recorded.
    pub enum PlacementGroupPolicyMode {
        /// Best effort.
        Optional = "optional",
        /// Enforced.
        Enforced = "enforced",
    }
}

scaleway_core::string_enum! {
    /// What a placement group optimizes.
    ///
    /// Values from the Go SDK's `PlacementGroupPolicyType` (`instance.md` lists the field,
    /// not its values); `max_availability` is recorded.
    pub enum PlacementGroupPolicyType {
        /// Spread over hypervisors.
        MaxAvailability = "max_availability",
        /// Packed together.
        LowLatency = "low_latency",
    }
}

/// An Instance server (`GET /instance/v1/zones/{zone}/servers`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Server {
    /// Server ID.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Organization ID (`organization`, not `organization_id`).
    #[serde(default)]
    pub organization: String,
    /// Project ID (`project`, not `project_id`).
    #[serde(default)]
    pub project: String,
    /// Commercial type (`PRO2-S`, `DEV1-M`, …).
    #[serde(default)]
    pub commercial_type: String,
    /// Hostname.
    #[serde(default)]
    pub hostname: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// State.
    pub state: ServerState,
    /// Free-text state detail (`booted`, …).
    #[serde(default)]
    pub state_detail: String,
    /// Architecture.
    #[serde(default)]
    pub arch: Option<Arch>,
    /// Creation time.
    #[serde(default)]
    pub creation_date: Option<Timestamp>,
    /// Last modification time.
    #[serde(default)]
    pub modification_date: Option<Timestamp>,
    /// Attached volumes, keyed by index as a string (`"0"` is the root volume).
    #[serde(default)]
    pub volumes: BTreeMap<String, VolumeServer>,
    /// The image the server was created from.
    #[serde(default)]
    pub image: Option<ServerImage>,
    /// How it boots (recorded: `local`).
    #[serde(default)]
    pub boot_type: Option<BootType>,
    /// Public IPs (IPv4 and IPv6, routed or not).
    #[serde(default)]
    pub public_ips: Vec<ServerIp>,
    /// The first public IP (deprecated by the API in favour of
    /// [`public_ips`](Self::public_ips); null without one).
    #[serde(default)]
    pub public_ip: Option<ServerIp>,
    /// Private IPv4 address of legacy (non-routed) servers; null for routed-IP servers.
    #[serde(default)]
    pub private_ip: Option<String>,
    /// IPv6 address of legacy servers (deprecated; null for routed-IP servers, whose IPv6
    /// addresses are in [`public_ips`](Self::public_ips)).
    #[serde(default)]
    pub ipv6: Option<ServerIpv6>,
    /// Whether the server uses routed IPs (deprecated, nullable).
    #[serde(default)]
    pub routed_ip_enabled: Option<bool>,
    /// Private NICs (their addresses are in IPAM: [`PrivateNic::ipam_ip_ids`]).
    #[serde(default)]
    pub private_nics: Vec<PrivateNic>,
    /// Security group (`{id, name}`).
    #[serde(default)]
    pub security_group: Option<SecurityGroupSummary>,
    /// Placement group (null when the server is in none).
    #[serde(default)]
    pub placement_group: Option<PlacementGroup>,
    /// Whether the server is protected against deletion.
    #[serde(default)]
    pub protected: bool,
    /// Zone.
    #[serde(default)]
    pub zone: Option<Zone>,
}

impl Server {
    /// The attached volumes in index order (`"0"`, `"1"`, …, `"10"`), which the map's
    /// string order does not give past nine volumes.
    pub fn volumes_in_order(&self) -> Vec<(&str, &VolumeServer)> {
        let mut v: Vec<_> = self.volumes.iter().map(|(k, v)| (k.as_str(), v)).collect();
        v.sort_by_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), k.to_string()));
        v
    }
}

/// An entry of [`Server::volumes`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VolumeServer {
    /// Volume ID (a Block volume ID for `sbs_volume`).
    pub id: String,
    /// Name (absent for Block volumes).
    #[serde(default)]
    pub name: Option<String>,
    /// Size in bytes (absent for Block volumes).
    #[serde(default)]
    pub size: Option<u64>,
    /// Volume type.
    pub volume_type: VolumeServerVolumeType,
    /// State.
    #[serde(default)]
    pub state: Option<String>,
    /// Whether it is the boot volume (the API may say `false` for the root volume).
    #[serde(default)]
    pub boot: bool,
    /// Project ID (absent for Block volumes).
    #[serde(default)]
    pub project: Option<String>,
    /// Zone.
    #[serde(default)]
    pub zone: Option<Zone>,
}

/// The image embedded in a server (subset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerImage {
    /// Image ID.
    #[serde(default)]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Architecture.
    #[serde(default)]
    pub arch: Option<Arch>,
}

/// A public IP of a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerIp {
    /// IP ID.
    #[serde(default)]
    pub id: String,
    /// Address.
    #[serde(default)]
    pub address: String,
    /// `inet` or `inet6`.
    #[serde(default)]
    pub family: Option<IpFamily>,
    /// Gateway.
    #[serde(default)]
    pub gateway: String,
    /// Netmask, a string (`"32"`).
    #[serde(default)]
    pub netmask: String,
    /// Whether it is a dynamic IP (released when the server stops).
    #[serde(default)]
    pub dynamic: Option<bool>,
    /// How it is provisioned.
    #[serde(default)]
    pub provisioning_mode: Option<IpProvisioningMode>,
    /// State.
    #[serde(default)]
    pub state: Option<IpState>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Its IPAM ID.
    #[serde(default)]
    pub ipam_id: String,
}

/// The legacy IPv6 address of a server (`ipv6`, deprecated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerIpv6 {
    /// Address.
    #[serde(default)]
    pub address: String,
    /// Gateway.
    #[serde(default)]
    pub gateway: String,
    /// Netmask.
    #[serde(default)]
    pub netmask: String,
}

/// A placement group, as embedded in a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlacementGroup {
    /// Placement group ID.
    #[serde(default)]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Organization ID.
    #[serde(default)]
    pub organization: String,
    /// Project ID.
    #[serde(default)]
    pub project: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Policy mode.
    #[serde(default)]
    pub policy_mode: Option<PlacementGroupPolicyMode>,
    /// Policy type.
    #[serde(default)]
    pub policy_type: Option<PlacementGroupPolicyType>,
    /// Whether the policy is respected now.
    #[serde(default)]
    pub policy_respected: Option<bool>,
    /// Zone.
    #[serde(default)]
    pub zone: Option<Zone>,
}

/// A private NIC of a server (subset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrivateNic {
    /// NIC ID.
    #[serde(default)]
    pub id: String,
    /// The private network it is attached to.
    #[serde(default)]
    pub private_network_id: String,
    /// MAC address.
    #[serde(default)]
    pub mac_address: String,
    /// State.
    #[serde(default)]
    pub state: String,
    /// IPAM IDs of its private addresses (resolve them with the IPAM API).
    #[serde(default)]
    pub ipam_ip_ids: Vec<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `{id, name}` of a security group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SecurityGroupSummary {
    /// ID.
    #[serde(default)]
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
}

/// `{id, name}` of a server a volume is attached to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerSummary {
    /// Server ID.
    #[serde(default)]
    pub id: String,
    /// Server name.
    #[serde(default)]
    pub name: String,
}

/// An Instance volume (`GET /instance/v1/zones/{zone}/volumes`): local `l_ssd`, legacy
/// `b_ssd` and `scratch` volumes (Block Storage volumes are listed by the Block API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Volume {
    /// Volume ID.
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Volume type.
    pub volume_type: VolumeType,
    /// Creation time.
    #[serde(default)]
    pub creation_date: Option<Timestamp>,
    /// Last modification time.
    #[serde(default)]
    pub modification_date: Option<Timestamp>,
    /// Organization ID.
    #[serde(default)]
    pub organization: String,
    /// Project ID.
    #[serde(default)]
    pub project: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The server it is attached to, if any.
    #[serde(default)]
    pub server: Option<ServerSummary>,
    /// State.
    pub state: VolumeState,
    /// Zone.
    #[serde(default)]
    pub zone: Option<Zone>,
}
