//! Instance v1 servers and (local) volumes.
//!
//! Instance is the odd API out: owner fields are `organization` / `project`, timestamps are
//! `creation_date` / `modification_date` with `+00:00` offsets, and a server's `volumes` is
//! an object keyed `"0"`, `"1"`, … whose Block Storage (`sbs_volume`) entries carry only
//! `id`, `volume_type`, `boot`, `state` and `zone` (details live in the Block API).

use std::cell::RefCell;
use std::sync::Arc;

use scaleway_core::{Timestamp, Zone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Id, SharedStr};

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
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: SharedStr,
    /// Organization ID (`organization`, not `organization_id`).
    #[serde(default)]
    pub organization: SharedStr,
    /// Project ID (`project`, not `project_id`).
    #[serde(default)]
    pub project: SharedStr,
    /// Commercial type (`PRO2-S`, `DEV1-M`, …).
    #[serde(default)]
    pub commercial_type: SharedStr,
    /// Hostname.
    #[serde(default)]
    pub hostname: SharedStr,
    /// Tags.
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub tags: Vec<String>,
    /// State.
    pub state: ServerState,
    /// Free-text state detail (`booted`, …).
    #[serde(default)]
    pub state_detail: SharedStr,
    /// Architecture.
    #[serde(default)]
    pub arch: Option<Arch>,
    /// Creation time.
    #[serde(default)]
    pub creation_date: Option<Timestamp>,
    /// Last modification time.
    #[serde(default)]
    pub modification_date: Option<Timestamp>,
    /// Attached volumes, keyed by index as a string (`"0"` is the root volume), in index
    /// order.
    #[serde(default)]
    pub volumes: ServerVolumes,
    /// The image the server was created from.
    #[serde(default)]
    pub image: Option<ServerImage>,
    /// How it boots (recorded: `local`).
    #[serde(default)]
    pub boot_type: Option<BootType>,
    /// Public IPs (IPv4 and IPv6, routed or not).
    #[serde(
        default,
        deserialize_with = "shared_ips",
        serialize_with = "serialize_ips"
    )]
    pub public_ips: Vec<Arc<ServerIp>>,
    /// The first public IP (deprecated by the API in favour of
    /// [`public_ips`](Self::public_ips); null without one). Shared with the equal entry of
    /// [`public_ips`](Self::public_ips) when the server repeats it (one copy in memory).
    #[serde(
        default,
        deserialize_with = "shared_ip",
        serialize_with = "serialize_ip"
    )]
    pub public_ip: Option<Arc<ServerIp>>,
    /// Private IPv4 address of legacy (non-routed) servers; null for routed-IP servers.
    #[serde(default)]
    pub private_ip: Option<SharedStr>,
    /// IPv6 address of legacy servers (deprecated; null for routed-IP servers, whose IPv6
    /// addresses are in [`public_ips`](Self::public_ips)).
    #[serde(default)]
    pub ipv6: Option<Box<ServerIpv6>>,
    /// Whether the server uses routed IPs (deprecated, nullable).
    #[serde(default)]
    pub routed_ip_enabled: Option<bool>,
    /// Private NICs (their addresses are in IPAM: [`PrivateNic::ipam_ip_ids`]).
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub private_nics: Vec<PrivateNic>,
    /// Security group (`{id, name}`).
    #[serde(default)]
    pub security_group: Option<SecurityGroupSummary>,
    /// Placement group (null when the server is in none; boxed, as most servers are in
    /// none).
    #[serde(default)]
    pub placement_group: Option<Box<PlacementGroup>>,
    /// Whether the server is protected against deletion.
    #[serde(default)]
    pub protected: bool,
    /// Zone.
    #[serde(default)]
    pub zone: Option<Zone>,
}

impl Server {
    /// The attached volumes in index order (`"0"`, `"1"`, …, `"10"`).
    pub fn volumes_in_order(&self) -> Vec<(&str, &VolumeServer)> {
        self.volumes.iter().collect()
    }
}

/// A server's `volumes` object (`{"0": {…}, "1": {…}}`), kept in index order (`"0"`, `"1"`,
/// …, `"10"`; keys that are not numbers last, by name) in a vector the size of its entries:
/// a server has one to a few volumes, and 100 000 servers hold 100 000 of these.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerVolumes(Vec<(SharedStr, VolumeServer)>);

impl ServerVolumes {
    /// The entries in index order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &VolumeServer)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The entry with this key (`"0"` is the root volume).
    pub fn get(&self, key: &str) -> Option<&VolumeServer> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Number of volumes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, VolumeServer)> for ServerVolumes {
    fn from_iter<I: IntoIterator<Item = (String, VolumeServer)>>(entries: I) -> Self {
        // Keys are shared: `"0"` is every server's.
        let mut v: Vec<(SharedStr, VolumeServer)> = entries
            .into_iter()
            .map(|(k, v)| (SharedStr::new(&k), v))
            .collect();
        v.sort_by_cached_key(|(k, _)| (k.parse::<u64>().unwrap_or(u64::MAX), k.clone()));
        // A key given twice: the last value, as a map keeps it.
        v.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        v.shrink_to_fit();
        ServerVolumes(v)
    }
}

impl<'a> IntoIterator for &'a ServerVolumes {
    type Item = (&'a str, &'a VolumeServer);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (SharedStr, VolumeServer)>,
        fn(&'a (SharedStr, VolumeServer)) -> (&'a str, &'a VolumeServer),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}

impl Serialize for ServerVolumes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

impl<'de> Deserialize<'de> for ServerVolumes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = ServerVolumes;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of volumes keyed by index")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<ServerVolumes, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry::<String, VolumeServer>()? {
                    entries.push(entry);
                }
                Ok(entries.into_iter().collect())
            }
        }
        d.deserialize_map(Entries)
    }
}

/// An entry of [`Server::volumes`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct VolumeServer {
    /// Volume ID (a Block volume ID for `sbs_volume`).
    pub id: Id,
    /// Name (absent for Block volumes).
    #[serde(default)]
    pub name: Option<SharedStr>,
    /// Size in bytes (absent for Block volumes).
    #[serde(default)]
    pub size: Option<u64>,
    /// Volume type.
    pub volume_type: VolumeServerVolumeType,
    /// State.
    #[serde(default)]
    pub state: Option<SharedStr>,
    /// Whether it is the boot volume (the API may say `false` for the root volume).
    #[serde(default)]
    pub boot: bool,
    /// Project ID (absent for Block volumes).
    #[serde(default)]
    pub project: Option<SharedStr>,
    /// Zone.
    #[serde(default)]
    pub zone: Option<Zone>,
}

thread_local! {
    /// The server IPs read last on this thread: `public_ip` repeats one of `public_ips`.
    static RECENT_IPS: RefCell<Vec<Arc<ServerIp>>> = const { RefCell::new(Vec::new()) };
}

/// How many recent IPs are compared (a server has one to a few).
const RECENT_IPS_KEPT: usize = 4;

/// `ip`, shared with an equal IP read just before when there is one.
fn share_ip(ip: ServerIp) -> Arc<ServerIp> {
    RECENT_IPS.with(|recent| {
        let mut recent = recent.borrow_mut();
        if let Some(same) = recent.iter().find(|r| ***r == ip) {
            return Arc::clone(same);
        }
        let ip = Arc::new(ip);
        if recent.len() == RECENT_IPS_KEPT {
            recent.remove(0);
        }
        recent.push(Arc::clone(&ip));
        ip
    })
}

fn shared_ips<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Arc<ServerIp>>, D::Error> {
    let read = Vec::<ServerIp>::deserialize(d)?;
    // A new vector the size of the items (`collect` would reuse the read one in place,
    // with room for four `ServerIp`s).
    let mut ips = Vec::with_capacity(read.len());
    ips.extend(read.into_iter().map(share_ip));
    Ok(ips)
}

fn shared_ip<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<ServerIp>>, D::Error> {
    Ok(Option::<ServerIp>::deserialize(d)?.map(share_ip))
}

fn serialize_ips<S: Serializer>(ips: &[Arc<ServerIp>], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(ips.iter().map(|ip| &**ip))
}

// `serialize_with` passes the field by reference.
#[allow(clippy::ref_option)]
fn serialize_ip<S: Serializer>(ip: &Option<Arc<ServerIp>>, s: S) -> Result<S::Ok, S::Error> {
    ip.as_deref().serialize(s)
}

/// The image embedded in a server (subset).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerImage {
    /// Image ID.
    #[serde(default)]
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: SharedStr,
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
    pub id: Id,
    /// Address.
    #[serde(default)]
    pub address: SharedStr,
    /// `inet` or `inet6`.
    #[serde(default)]
    pub family: Option<IpFamily>,
    /// Gateway.
    #[serde(default)]
    pub gateway: SharedStr,
    /// Netmask, a string (`"32"`).
    #[serde(default)]
    pub netmask: SharedStr,
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
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub tags: Vec<String>,
    /// Its IPAM ID.
    #[serde(default)]
    pub ipam_id: Id,
}

/// The legacy IPv6 address of a server (`ipv6`, deprecated).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerIpv6 {
    /// Address.
    #[serde(default)]
    pub address: SharedStr,
    /// Gateway.
    #[serde(default)]
    pub gateway: SharedStr,
    /// Netmask.
    #[serde(default)]
    pub netmask: SharedStr,
}

/// A placement group, as embedded in a server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PlacementGroup {
    /// Placement group ID.
    #[serde(default)]
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: SharedStr,
    /// Organization ID.
    #[serde(default)]
    pub organization: SharedStr,
    /// Project ID.
    #[serde(default)]
    pub project: SharedStr,
    /// Tags.
    #[serde(default, deserialize_with = "super::exact_vec")]
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
    pub id: Id,
    /// The private network it is attached to.
    #[serde(default)]
    pub private_network_id: SharedStr,
    /// MAC address.
    #[serde(default)]
    pub mac_address: String,
    /// State.
    #[serde(default)]
    pub state: SharedStr,
    /// IPAM IDs of its private addresses (resolve them with the IPAM API).
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub ipam_ip_ids: Vec<String>,
    /// Tags.
    #[serde(default, deserialize_with = "super::exact_vec")]
    pub tags: Vec<String>,
}

/// `{id, name}` of a security group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SecurityGroupSummary {
    /// ID.
    #[serde(default)]
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: SharedStr,
}

/// `{id, name}` of a server a volume is attached to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ServerSummary {
    /// Server ID.
    #[serde(default)]
    pub id: Id,
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
    pub id: Id,
    /// Name.
    #[serde(default)]
    pub name: SharedStr,
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
    pub organization: SharedStr,
    /// Project ID.
    #[serde(default)]
    pub project: SharedStr,
    /// Tags.
    #[serde(default, deserialize_with = "super::exact_vec")]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_deprecated_public_ip_shares_the_entry_it_repeats_and_is_written_back() {
        let ip = |id: &str, address: &str| serde_json::json!({"id": id, "address": address, "family": "inet", "tags": []});
        let (a, b) = (
            ip("3fa85f64-5717-4562-b3fc-2c963f66afa6", "51.15.1.2"),
            ip("3fa85f64-5717-4562-b3fc-2c963f66afa7", "2001:db8::1"),
        );
        let json = serde_json::json!({
            "id": "11111111-2222-4333-8444-555555555555", "state": "running",
            "public_ips": [a, b], "public_ip": a,
        });
        let s: Server = serde_json::from_value(json.clone()).unwrap();
        let first = s.public_ips.first().unwrap();
        assert!(
            Arc::ptr_eq(first, s.public_ip.as_ref().unwrap()),
            "one copy"
        );
        assert_eq!((s.public_ips.len(), s.public_ips.capacity()), (2, 2));
        let back = serde_json::to_value(&s).unwrap();
        assert_eq!(
            (&back["public_ips"], &back["public_ip"]["address"]),
            (
                &serde_json::json!([s.public_ips[0], s.public_ips[1]]),
                &"51.15.1.2".into()
            )
        );
        assert_eq!(serde_json::from_value::<Server>(back).unwrap(), s);
        // Another IP than the listed ones: its own copy, kept as sent.
        let json = serde_json::json!({
            "id": "11111111-2222-4333-8444-555555555555", "state": "running",
            "public_ips": [b], "public_ip": ip("other", "51.15.9.9"),
        });
        let s: Server = serde_json::from_value(json).unwrap();
        assert_eq!(s.public_ip.as_ref().unwrap().id, "other");
        assert_eq!(s.public_ips[0].address, "2001:db8::1");
    }

    #[test]
    fn server_volumes_are_kept_in_index_order_and_written_back_as_an_object() {
        let entry = |id: &str| serde_json::json!({"id": id, "volume_type": "l_ssd"});
        let json = serde_json::json!({"10": entry("j"), "2": entry("b"), "0": entry("a"), "x": entry("z")});
        let volumes: ServerVolumes = serde_json::from_value(json).unwrap();
        let keys: Vec<&str> = volumes.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["0", "2", "10", "x"]);
        assert_eq!(
            volumes.get("10").map(|v| v.id.to_string()).as_deref(),
            Some("j")
        );
        assert_eq!((volumes.len(), volumes.is_empty()), (4, false));
        let back = serde_json::to_value(&volumes).unwrap();
        assert_eq!(back["2"]["id"], "b");
        assert_eq!(
            serde_json::from_value::<ServerVolumes>(back).unwrap(),
            volumes
        );
        let text = r#"{"0": {"id": "first", "volume_type": "l_ssd"}, "0": {"id": "last", "volume_type": "l_ssd"}}"#;
        let twice: ServerVolumes = serde_json::from_str(text).unwrap();
        assert_eq!(
            twice.get("0").map(|v| v.id.to_string()).as_deref(),
            Some("last")
        );
        assert_eq!(twice.len(), 1);
    }
}
