//! Resources as the real API sends them. Field names, order and JSON types follow the newest recorded
//! responses in `shared/recorded/` (the SDK field tables in `shared/scaleway-api/*.md` where nothing is recorded).
//! Fields that only exist inside the simulator are `#[serde(skip)]`.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer, ser::SerializeMap};

use crate::util::{Ts, ser_off, ser_opt_z, ser_z};

// ---------------------------------------------------------------- Account

/// `qualification` of a project (recorded: only `architecture_type`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Qualification {
    pub(crate) architecture_type: &'static str,
}

/// Account v3 project.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Project {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) organization_id: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) description: String,
    pub(crate) qualification: Qualification,
}

// ---------------------------------------------------------------- IAM

/// IAM user.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) username: String,
    pub(crate) first_name: String,
    pub(crate) last_name: String,
    pub(crate) phone_number: String,
    pub(crate) locale: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) organization_id: String,
    pub(crate) deletable: bool,
    #[serde(serialize_with = "ser_opt_z")]
    pub(crate) last_login_at: Option<Ts>,
    /// `owner` or `member`.
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) two_factor_enabled: bool,
    pub(crate) status: &'static str,
    pub(crate) mfa: bool,
    pub(crate) account_root_user_id: String,
    pub(crate) tags: Vec<String>,
    pub(crate) locked: bool,
}

/// IAM application.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Application {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) organization_id: String,
    pub(crate) editable: bool,
    pub(crate) deletable: bool,
    pub(crate) managed: bool,
    /// Recomputed when rendered.
    pub(crate) nb_api_keys: u32,
    pub(crate) tags: Vec<String>,
}

/// IAM group. `all_users` / `all_applications` come from the SDK's `Group` type; the recordings
/// (2025-11 .. 2026-05) predate them (see the contract test's allow-list).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Group {
    pub(crate) id: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) organization_id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) user_ids: Vec<String>,
    pub(crate) application_ids: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) editable: bool,
    pub(crate) deletable: bool,
    pub(crate) managed: bool,
    pub(crate) all_users: bool,
    pub(crate) all_applications: bool,
}

/// The one-of principal of a policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) enum Principal {
    #[serde(rename = "user_id")]
    User(String),
    #[serde(rename = "group_id")]
    Group(String),
    #[serde(rename = "application_id")]
    Application(String),
    #[serde(rename = "no_principal")]
    Nobody(bool),
}

/// IAM policy (without its rules, which are listed by `GET /rules`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Policy {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) organization_id: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) editable: bool,
    pub(crate) deletable: bool,
    pub(crate) managed: bool,
    pub(crate) nb_rules: u32,
    pub(crate) nb_scopes: u32,
    pub(crate) nb_permission_sets: u32,
    pub(crate) tags: Vec<String>,
    #[serde(flatten)]
    pub(crate) principal: Principal,
    #[serde(skip)]
    pub(crate) rules: Vec<Rule>,
}

impl Policy {
    /// Recomputes the `nb_*` counters from the rules.
    pub(crate) fn recount(&mut self) {
        self.nb_rules = u32::try_from(self.rules.len()).unwrap_or(u32::MAX);
        self.nb_permission_sets = u32::try_from(
            self.rules
                .iter()
                .map(|r| r.permission_set_names.len())
                .sum::<usize>(),
        )
        .unwrap_or(u32::MAX);
        self.nb_scopes = u32::try_from(
            self.rules
                .iter()
                .map(|r| match &r.scope {
                    RuleScope::Projects(p) => p.len(),
                    RuleScope::Organization(_) => 1,
                })
                .sum::<usize>(),
        )
        .unwrap_or(u32::MAX);
    }
}

/// The scope one-of of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) enum RuleScope {
    #[serde(rename = "project_ids")]
    Projects(Vec<String>),
    #[serde(rename = "organization_id")]
    Organization(String),
}

/// IAM rule.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Rule {
    pub(crate) id: String,
    pub(crate) permission_set_names: Vec<String>,
    /// `projects` or `organization`.
    pub(crate) permission_sets_scope_type: &'static str,
    pub(crate) condition: String,
    #[serde(flatten)]
    pub(crate) scope: RuleScope,
}

/// The bearer one-of of an API key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) enum Bearer {
    #[serde(rename = "application_id")]
    Application(String),
    #[serde(rename = "user_id")]
    User(String),
}

impl Bearer {
    pub(crate) fn id(&self) -> &str {
        match self {
            Self::Application(id) | Self::User(id) => id,
        }
    }
}

/// IAM API key. The secret is never rendered except in the create response.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ApiKey {
    pub(crate) access_key: String,
    /// Rendered `null` (the create handler renders the secret itself).
    pub(crate) secret_key: Option<String>,
    pub(crate) description: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    #[serde(serialize_with = "ser_opt_z")]
    pub(crate) expires_at: Option<Ts>,
    pub(crate) default_project_id: String,
    pub(crate) editable: bool,
    pub(crate) deletable: bool,
    pub(crate) managed: bool,
    pub(crate) creation_ip: String,
    #[serde(flatten)]
    pub(crate) bearer: Bearer,
    #[serde(skip)]
    pub(crate) secret: String,
}

/// IAM permission set (catalogue entry).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PermissionSet {
    pub(crate) id: String,
    pub(crate) name: &'static str,
    pub(crate) scope_type: &'static str,
    pub(crate) description: &'static str,
    pub(crate) categories: Vec<&'static str>,
}

// ---------------------------------------------------------------- Instance

/// `{id, name}` summary of a server.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServerSummary {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// Instance-local volume (`l_ssd`, `scratch`), as `GET /volumes` and server `volumes` entries show it.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InstanceVolume {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) volume_type: &'static str,
    pub(crate) export_uri: Option<String>,
    pub(crate) organization: String,
    pub(crate) project: String,
    pub(crate) server: Option<ServerSummary>,
    pub(crate) size: u64,
    pub(crate) state: &'static str,
    #[serde(serialize_with = "ser_off")]
    pub(crate) creation_date: Ts,
    #[serde(serialize_with = "ser_off")]
    pub(crate) modification_date: Ts,
    pub(crate) tags: Vec<String>,
    pub(crate) zone: String,
}

/// An `sbs_volume` entry of a server's `volumes` map: only these five fields.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SbsVolumeRef {
    pub(crate) boot: bool,
    pub(crate) volume_type: &'static str,
    pub(crate) id: String,
    pub(crate) state: &'static str,
    pub(crate) zone: String,
}

/// A server volume entry with a local volume: `boot` then the volume's fields.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LocalVolumeRef {
    pub(crate) boot: bool,
    #[serde(flatten)]
    pub(crate) volume: InstanceVolume,
}

/// An entry of `Server.volumes`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub(crate) enum ServerVolume {
    Sbs(SbsVolumeRef),
    Local(Box<LocalVolumeRef>),
}

impl ServerVolume {
    pub(crate) fn id(&self) -> &str {
        match self {
            Self::Sbs(v) => &v.id,
            Self::Local(v) => &v.volume.id,
        }
    }
}

fn ser_volume_map<S: Serializer>(v: &[ServerVolume], s: S) -> Result<S::Ok, S::Error> {
    let mut map = s.serialize_map(Some(v.len()))?;
    for (i, vol) in v.iter().enumerate() {
        map.serialize_entry(&i.to_string(), vol)?;
    }
    map.end()
}

/// `root_volume` of an image.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ImageRootVolume {
    pub(crate) volume_type: &'static str,
    pub(crate) id: String,
    pub(crate) size: u64,
    pub(crate) name: String,
}

/// Marketplace image embedded in a server.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct InstanceImage {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) organization: String,
    pub(crate) project: String,
    pub(crate) root_volume: ImageRootVolume,
    pub(crate) extra_volumes: BTreeMap<String, String>,
    pub(crate) public: bool,
    pub(crate) arch: &'static str,
    #[serde(serialize_with = "ser_off")]
    pub(crate) creation_date: Ts,
    #[serde(serialize_with = "ser_off")]
    pub(crate) modification_date: Ts,
    pub(crate) default_bootscript: Option<String>,
    pub(crate) from_server: String,
    pub(crate) state: &'static str,
    pub(crate) tags: Vec<String>,
    pub(crate) zone: String,
}

/// Public IP attached to a server.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServerIp {
    pub(crate) id: String,
    pub(crate) address: String,
    pub(crate) dynamic: bool,
    pub(crate) gateway: String,
    pub(crate) netmask: String,
    pub(crate) family: &'static str,
    pub(crate) provisioning_mode: &'static str,
    pub(crate) tags: Vec<String>,
    pub(crate) state: &'static str,
    pub(crate) ipam_id: String,
}

/// `security_group` summary.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SecurityGroupSummary {
    pub(crate) id: String,
    pub(crate) name: String,
}

/// A placement group, as embedded in a server (recorded: `instance/servers-get-200-05.json`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PlacementGroup {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) organization: String,
    pub(crate) project: String,
    /// `optional` or `enforced`.
    pub(crate) policy_mode: &'static str,
    /// `max_availability` or `low_latency`.
    pub(crate) policy_type: &'static str,
    pub(crate) policy_respected: bool,
    pub(crate) tags: Vec<String>,
    pub(crate) zone: String,
}

/// `location` of a server.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ServerLocation {
    pub(crate) zone_id: String,
    pub(crate) platform_id: String,
    pub(crate) cluster_id: String,
    pub(crate) hypervisor_id: String,
    pub(crate) node_id: String,
}

/// Private NIC of a server.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PrivateNic {
    pub(crate) id: String,
    pub(crate) private_network_id: String,
    pub(crate) server_id: String,
    pub(crate) mac_address: String,
    pub(crate) state: &'static str,
    #[serde(serialize_with = "ser_off")]
    pub(crate) creation_date: Ts,
    #[serde(serialize_with = "ser_off")]
    pub(crate) modification_date: Ts,
    pub(crate) zone: String,
    pub(crate) tags: Vec<String>,
    pub(crate) ipam_ip_ids: Vec<String>,
}

/// Instance server (as recorded in 2026).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Server {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) arch: &'static str,
    pub(crate) commercial_type: String,
    pub(crate) boot_type: &'static str,
    pub(crate) organization: String,
    pub(crate) project: String,
    pub(crate) hostname: String,
    pub(crate) image: Option<InstanceImage>,
    #[serde(serialize_with = "ser_volume_map")]
    pub(crate) volumes: Vec<ServerVolume>,
    pub(crate) tags: Vec<String>,
    pub(crate) state: &'static str,
    pub(crate) protected: bool,
    pub(crate) state_detail: String,
    pub(crate) public_ip: Option<ServerIp>,
    pub(crate) public_ips: Vec<ServerIp>,
    pub(crate) mac_address: String,
    pub(crate) routed_ip_enabled: bool,
    pub(crate) ipv6: Option<String>,
    pub(crate) extra_networks: Vec<String>,
    pub(crate) dynamic_ip_required: bool,
    pub(crate) enable_ipv6: bool,
    pub(crate) private_ip: Option<String>,
    #[serde(serialize_with = "ser_off")]
    pub(crate) creation_date: Ts,
    #[serde(serialize_with = "ser_off")]
    pub(crate) modification_date: Ts,
    pub(crate) bootscript: Option<String>,
    pub(crate) security_group: SecurityGroupSummary,
    pub(crate) location: Option<ServerLocation>,
    pub(crate) maintenances: Vec<String>,
    pub(crate) allowed_actions: Vec<&'static str>,
    pub(crate) placement_group: Option<PlacementGroup>,
    pub(crate) private_nics: Vec<PrivateNic>,
    pub(crate) zone: String,
    pub(crate) filesystems: Vec<String>,
    pub(crate) end_of_service: bool,
    pub(crate) dns: String,
}

/// Instance security group, as `POST /instance/v1/zones/{zone}/security_groups` answers it
/// (field order of the Go SDK's recorded `test-api-update-security-group` cassette,
/// scaleway-sdk-go `2c5cd81b`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SecurityGroup {
    pub(crate) id: String,
    #[serde(serialize_with = "ser_off")]
    pub(crate) creation_date: Ts,
    #[serde(serialize_with = "ser_off")]
    pub(crate) modification_date: Ts,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) organization: String,
    pub(crate) project: String,
    /// `{id, name}` of each server in the group.
    pub(crate) servers: Vec<SecurityGroupSummary>,
    pub(crate) stateful: bool,
    pub(crate) inbound_default_policy: &'static str,
    pub(crate) outbound_default_policy: &'static str,
    pub(crate) organization_default: bool,
    pub(crate) project_default: bool,
    pub(crate) enable_default_security: bool,
    pub(crate) state: &'static str,
    pub(crate) tags: Vec<String>,
    pub(crate) zone: String,
}

// ---------------------------------------------------------------- Block

/// A `references` entry (who uses a volume or snapshot).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Reference {
    pub(crate) id: String,
    pub(crate) product_resource_type: &'static str,
    pub(crate) product_resource_id: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) status: &'static str,
}

/// `specs` of a block volume.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct VolumeSpecs {
    pub(crate) perf_iops: u32,
    pub(crate) class: &'static str,
}

/// Block Storage volume (v1alpha1 shape; v1 adds `kms_key_id`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BlockVolume {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) size: u64,
    pub(crate) project_id: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) references: Vec<Reference>,
    pub(crate) parent_snapshot_id: Option<String>,
    pub(crate) status: &'static str,
    pub(crate) tags: Vec<String>,
    pub(crate) specs: VolumeSpecs,
    #[serde(serialize_with = "ser_opt_z")]
    pub(crate) last_detached_at: Option<Ts>,
    pub(crate) zone: String,
    /// The Key Manager key encrypting it: rendered by v1 only ([`BlockVolumeV1`]).
    #[serde(skip)]
    pub(crate) kms_key_id: Option<String>,
}

/// The v1 rendering of a volume: v1alpha1's fields and `kms_key_id` (null when the volume
/// has no customer key, as every recorded v1 volume).
#[derive(Serialize)]
pub(crate) struct BlockVolumeV1<'a> {
    #[serde(flatten)]
    pub(crate) volume: &'a BlockVolume,
    pub(crate) kms_key_id: Option<&'a str>,
}

/// `parent_volume` of a snapshot.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SnapshotParent {
    pub(crate) id: String,
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) status: &'static str,
}

/// Block Storage snapshot (v1alpha1 shape; v1 adds `public`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BlockSnapshot {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) parent_volume: Option<SnapshotParent>,
    pub(crate) size: u64,
    pub(crate) project_id: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) references: Vec<Reference>,
    pub(crate) status: &'static str,
    pub(crate) tags: Vec<String>,
    pub(crate) class: &'static str,
    pub(crate) zone: String,
    /// Whether it is public: rendered by v1 only ([`BlockSnapshotV1`]).
    #[serde(skip)]
    pub(crate) public: bool,
}

/// The v1 rendering of a snapshot.
#[derive(Serialize)]
pub(crate) struct BlockSnapshotV1<'a> {
    #[serde(flatten)]
    pub(crate) snapshot: &'a BlockSnapshot,
    pub(crate) public: bool,
}

// ---------------------------------------------------------------- Secret Manager

/// Secret (metadata).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Secret {
    pub(crate) id: String,
    pub(crate) project_id: String,
    pub(crate) name: String,
    pub(crate) status: &'static str,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) tags: Vec<String>,
    pub(crate) version_count: u32,
    pub(crate) description: String,
    pub(crate) managed: bool,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) protected: bool,
    pub(crate) path: String,
    pub(crate) ephemeral_policy: Option<String>,
    pub(crate) used_by: Vec<String>,
    #[serde(serialize_with = "ser_opt_z")]
    pub(crate) deletion_requested_at: Option<Ts>,
    pub(crate) key_id: Option<String>,
    pub(crate) region: String,
    #[serde(skip)]
    pub(crate) versions: Vec<SecretVersion>,
}

/// Secret version (metadata; the payload is `#[serde(skip)]`).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SecretVersion {
    pub(crate) revision: u32,
    pub(crate) secret_id: String,
    pub(crate) status: &'static str,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    #[serde(serialize_with = "ser_opt_z")]
    pub(crate) deleted_at: Option<Ts>,
    pub(crate) description: String,
    pub(crate) latest: bool,
    pub(crate) ephemeral_properties: Option<String>,
    #[serde(serialize_with = "ser_opt_z")]
    pub(crate) deletion_requested_at: Option<Ts>,
    pub(crate) region: String,
    #[serde(skip)]
    pub(crate) data: Vec<u8>,
}

// ---------------------------------------------------------------- Object Storage (data only)

/// The versioning state of a bucket, as `GetBucketVersioning` reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BucketVersioning {
    /// Never enabled: `<Status></Status>` (the empty element Scaleway answers, recorded in
    /// `shared/recorded/s3/get-bucket-versioning-200-01.json`).
    #[default]
    Unversioned,
    /// `<Status>Enabled</Status>`.
    Enabled,
    /// `<Status>Suspended</Status>`: enabled once, then suspended.
    Suspended,
}

impl BucketVersioning {
    /// The `Status` element's text.
    pub fn status(self) -> &'static str {
        match self {
            Self::Unversioned => "",
            Self::Enabled => "Enabled",
            Self::Suspended => "Suspended",
        }
    }
}

/// A bucket, served by the S3 endpoint ([`crate::s3`]), not by the JSON API.
#[derive(Debug, Clone)]
pub struct Bucket {
    /// Bucket name (globally unique).
    pub name: String,
    /// Region code, e.g. `fr-par`.
    pub region: String,
    /// Owning project.
    pub project_id: String,
    /// Versioning state.
    pub versioning: BucketVersioning,
    /// Bucket tags (key, value).
    pub tags: Vec<(String, String)>,
    /// Creation time (microseconds since the epoch).
    pub created_at: i64,
}

// ---------------------------------------------------------------- Registry

/// Registry namespace.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Namespace {
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    pub(crate) description: String,
    pub(crate) endpoint: String,
    pub(crate) id: String,
    pub(crate) image_count: u32,
    pub(crate) is_public: bool,
    pub(crate) name: String,
    pub(crate) organization_id: String,
    pub(crate) project_id: String,
    pub(crate) region: String,
    pub(crate) size: u64,
    pub(crate) status: &'static str,
    pub(crate) status_message: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
}

/// Registry image.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RegistryImage {
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) namespace_id: String,
    pub(crate) size: u64,
    pub(crate) status: &'static str,
    pub(crate) status_message: String,
    pub(crate) tags: Vec<String>,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) visibility: &'static str,
    #[serde(skip)]
    pub(crate) region: String,
    /// Project of the namespace (for IAM checks and filters).
    #[serde(skip)]
    pub(crate) project_id: String,
}

/// Registry tag.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct RegistryTag {
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    pub(crate) digest: String,
    pub(crate) id: String,
    pub(crate) image_id: String,
    pub(crate) name: String,
    pub(crate) status: &'static str,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    #[serde(skip)]
    pub(crate) region: String,
    #[serde(skip)]
    pub(crate) project_id: String,
}

// ---------------------------------------------------------------- Kubernetes

/// `autoscaler_config` of a cluster (recorded defaults).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AutoscalerConfig {
    pub(crate) scale_down_disabled: bool,
    pub(crate) scale_down_delay_after_add: &'static str,
    pub(crate) estimator: &'static str,
    pub(crate) expander: &'static str,
    pub(crate) ignore_daemonsets_utilization: bool,
    pub(crate) balance_similar_node_groups: bool,
    pub(crate) expendable_pods_priority_cutoff: i32,
    pub(crate) scale_down_unneeded_time: &'static str,
    pub(crate) scale_down_utilization_threshold: f32,
    pub(crate) max_graceful_termination_sec: u32,
    pub(crate) skip_nodes_with_local_storage: bool,
    pub(crate) log_level: i32,
}

/// `maintenance_window` of `auto_upgrade`.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct MaintenanceWindow {
    pub(crate) start_hour: u32,
    pub(crate) day: &'static str,
}

/// `auto_upgrade` of a cluster.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct AutoUpgrade {
    pub(crate) enabled: bool,
    pub(crate) maintenance_window: MaintenanceWindow,
}

/// `open_id_connect_config` of a cluster.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct OidcConfig {
    pub(crate) issuer_url: String,
    pub(crate) client_id: String,
    pub(crate) username_claim: String,
    pub(crate) username_prefix: String,
    pub(crate) groups_claim: Vec<String>,
    pub(crate) groups_prefix: String,
    pub(crate) required_claim: Vec<String>,
}

/// Kapsule cluster.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Cluster {
    pub(crate) region: String,
    pub(crate) id: String,
    pub(crate) organization_id: String,
    pub(crate) project_id: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) status: &'static str,
    pub(crate) version: String,
    pub(crate) cni: &'static str,
    pub(crate) tags: Vec<String>,
    pub(crate) cluster_url: String,
    pub(crate) dns_wildcard: String,
    pub(crate) autoscaler_config: AutoscalerConfig,
    pub(crate) auto_upgrade: AutoUpgrade,
    pub(crate) upgrade_available: bool,
    pub(crate) feature_gates: Vec<String>,
    pub(crate) admission_plugins: Vec<String>,
    pub(crate) open_id_connect_config: OidcConfig,
    pub(crate) apiserver_cert_sans: Vec<String>,
    pub(crate) private_network_id: Option<String>,
    #[serde(serialize_with = "ser_z")]
    pub(crate) commitment_ends_at: Ts,
    pub(crate) acl_available: bool,
    pub(crate) iam_nodes_group_id: String,
    pub(crate) pod_cidr: String,
    pub(crate) service_cidr: String,
    pub(crate) service_dns_ip: String,
}

/// `upgrade_policy` of a pool.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct UpgradePolicy {
    pub(crate) max_unavailable: u32,
    pub(crate) max_surge: u32,
}

/// A taint of a pool.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Taint {
    pub(crate) key: String,
    pub(crate) value: String,
    pub(crate) effect: &'static str,
}

/// Kapsule pool.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Pool {
    pub(crate) region: String,
    pub(crate) id: String,
    pub(crate) cluster_id: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) name: String,
    pub(crate) status: &'static str,
    pub(crate) version: String,
    pub(crate) node_type: String,
    pub(crate) autoscaling: bool,
    pub(crate) size: u32,
    pub(crate) min_size: u32,
    pub(crate) max_size: u32,
    pub(crate) container_runtime: &'static str,
    pub(crate) autohealing: bool,
    pub(crate) tags: Vec<String>,
    pub(crate) placement_group_id: Option<String>,
    pub(crate) kubelet_args: BTreeMap<String, String>,
    pub(crate) upgrade_policy: UpgradePolicy,
    pub(crate) zone: String,
    pub(crate) root_volume_type: &'static str,
    pub(crate) root_volume_size: u64,
    pub(crate) public_ip_disabled: bool,
    pub(crate) security_group_id: String,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) taints: Vec<Taint>,
    pub(crate) startup_taints: Vec<Taint>,
    pub(crate) error_message: Option<String>,
    /// Project of the owning cluster (for IAM checks).
    #[serde(skip)]
    pub(crate) project_id: String,
}

// ---------------------------------------------------------------- VPC

/// VPC.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Vpc {
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    pub(crate) custom_routes_propagation_enabled: bool,
    pub(crate) id: String,
    pub(crate) is_default: bool,
    pub(crate) name: String,
    pub(crate) organization_id: String,
    pub(crate) private_network_count: u32,
    pub(crate) project_id: String,
    pub(crate) region: String,
    pub(crate) routing_enabled: bool,
    pub(crate) s3_integration_enabled: bool,
    pub(crate) tags: Vec<String>,
    pub(crate) transitivity_enabled: bool,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
}

/// A subnet of a private network.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Subnet {
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    pub(crate) id: String,
    pub(crate) private_network_id: String,
    pub(crate) project_id: String,
    pub(crate) region: String,
    pub(crate) subnet: String,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) vpc_id: String,
}

/// Private network.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PrivateNetwork {
    #[serde(serialize_with = "ser_z")]
    pub(crate) created_at: Ts,
    pub(crate) default_route_propagation_enabled: bool,
    pub(crate) dhcp_enabled: bool,
    pub(crate) has_s3_integration: bool,
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) organization_id: String,
    pub(crate) project_id: String,
    pub(crate) region: String,
    pub(crate) subnets: Vec<Subnet>,
    pub(crate) tags: Vec<String>,
    #[serde(serialize_with = "ser_z")]
    pub(crate) updated_at: Ts,
    pub(crate) vpc_id: String,
}

// ---------------------------------------------------------------- table keys

macro_rules! keyed {
    ($t:ty, $id:ident) => {
        impl crate::table::Keyed for $t {
            fn key(&self) -> &str {
                &self.$id
            }
        }
    };
    ($t:ty, $id:ident, $loc:ident) => {
        impl crate::table::Keyed for $t {
            fn key(&self) -> &str {
                &self.$id
            }
            fn locality(&self) -> &str {
                &self.$loc
            }
        }
    };
}

keyed!(Project, id);
keyed!(User, id);
keyed!(Application, id);
keyed!(Group, id);
keyed!(Policy, id);
keyed!(ApiKey, access_key);
keyed!(Server, id, zone);
keyed!(InstanceVolume, id, zone);
keyed!(BlockVolume, id, zone);
keyed!(BlockSnapshot, id, zone);
keyed!(Secret, id, region);
keyed!(Namespace, id, region);
keyed!(RegistryImage, id, region);
keyed!(RegistryTag, id, region);
keyed!(Cluster, id, region);
keyed!(Pool, id, region);
keyed!(Vpc, id, region);
keyed!(PrivateNetwork, id, region);
keyed!(SecurityGroup, id, zone);
