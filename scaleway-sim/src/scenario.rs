//! Deterministic, seeded scenarios: `demo`, `large`, `empty`.

use std::collections::BTreeMap;

use crate::locality::{
    BLOCK_ZONES, INSTANCE_ZONES, K8S_REGIONS, OBJECT_STORAGE_REGIONS, REGISTRY_REGIONS,
    SECRET_REGIONS, VPC_REGIONS, zone_region,
};
use crate::model::{
    Application, AutoUpgrade, AutoscalerConfig, Bearer, BlockSnapshot, BlockVolume, Bucket,
    BucketVersioning, Cluster, Group, ImageRootVolume, InstanceImage, InstanceVolume,
    LocalVolumeRef, MaintenanceWindow, Namespace, OidcConfig, PlacementGroup, Policy, Pool,
    Principal, PrivateNetwork, PrivateNic, Project, Qualification, Reference, RegistryImage,
    RegistryTag, SbsVolumeRef, Secret, SecretVersion, SecurityGroupSummary, Server, ServerIp,
    ServerLocation, ServerSummary, ServerVolume, SnapshotParent, Subnet, UpgradePolicy, User,
    VolumeSpecs, Vpc,
};
use crate::state::{RuleSpec, State, new_api_key, rules_from_specs};
use crate::util::{Rng, Ts};

mod dense;

/// A credential of a scenario: an API key and what it is meant to show.
#[derive(Clone, PartialEq, Eq)]
pub struct SimCredential {
    /// Short name (`inventory`, `byoc`, …).
    pub name: String,
    /// Access key (`SCW` + 17 uppercase letters or digits).
    pub access_key: String,
    /// Secret key (UUID): the `X-Auth-Token`.
    pub secret_key: String,
    /// Organization of the bearer.
    pub organization_id: String,
    /// The key's `default_project_id`.
    pub project_id: String,
    /// Who bears the key (e.g. `application "inventory"`).
    pub bearer: String,
    /// What the credential is meant to show.
    pub purpose: String,
}

impl std::fmt::Debug for SimCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCredential")
            .field("name", &self.name)
            .field("access_key", &self.access_key)
            .field("secret_key", &"[redacted]")
            .field("organization_id", &self.organization_id)
            .field("project_id", &self.project_id)
            .field("bearer", &self.bearer)
            .field("purpose", &self.purpose)
            .finish()
    }
}

/// Parameters of the `large` scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LargeParams {
    /// Instance servers (spread over all 10 zones).
    pub servers: usize,
    /// Block volumes (the first ones are the servers' boot volumes; the rest are standalone).
    pub block_volumes: usize,
    /// Secrets (one version each), over the Secret Manager regions.
    pub secrets: usize,
    /// Buckets (state only), over the Object Storage regions.
    pub buckets: usize,
    /// Registry images (one `latest` tag each), over the Registry regions.
    pub images: usize,
    /// Projects besides the default one.
    pub projects: usize,
}

impl Default for LargeParams {
    fn default() -> Self {
        Self {
            servers: 1_000,
            block_volumes: 1_000,
            secrets: 500,
            buckets: 200,
            images: 500,
            projects: 5,
        }
    }
}

impl LargeParams {
    /// About `total` resources (each counted once): 30 % servers, 30 % Block volumes, 10 % secrets
    /// plus their versions (10 %), 5 % buckets, 7.5 % registry images plus their tags (7.5 %), and
    /// 20 projects. Servers in `it-mil-1` (no Block Storage) get a local volume instead.
    pub fn with_total(total: usize) -> Self {
        Self {
            servers: total * 3 / 10,
            block_volumes: total * 3 / 10,
            secrets: total / 10,
            buckets: total / 20,
            images: total * 75 / 1000,
            projects: 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Demo,
    Large(LargeParams),
    Empty,
    Dense(usize),
}

/// A scenario to start the simulator with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    kind: Kind,
}

impl Scenario {
    /// One organization with `production`, `staging`, `testing`, resources in fr-par, nl-ams and
    /// pl-waw, and one credential per job and per common IAM mistake (see the README).
    pub fn demo() -> Self {
        Self { kind: Kind::Demo }
    }

    /// A seeded generator of many resources.
    pub fn large(params: LargeParams) -> Self {
        Self {
            kind: Kind::Large(params),
        }
    }

    /// An organization, its default project, one more project and an `admin` key.
    pub fn empty() -> Self {
        Self { kind: Kind::Empty }
    }

    /// `n` resources of every kind the inventory lists, in one project (`dense`, the `inventory`
    /// key's default project), zone `fr-par-1` and region `fr-par`: Instance servers (each with
    /// a Block boot volume and a local volume), Block snapshots, secrets, Kubernetes clusters
    /// (each with `n` pools), VPCs, private networks and registry namespaces. With a page-size
    /// cap ([`crate::Faults::page_size_cap`]) every listing spans several pages, which is what
    /// tests of listings need. Credentials: `inventory` (`AllProductsReadOnly` on the whole
    /// organization) and `admin`.
    pub fn dense(n: usize) -> Self {
        Self {
            kind: Kind::Dense(n),
        }
    }

    /// Parses `demo`, `large`, `empty`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "demo" => Some(Self::demo()),
            "large" => Some(Self::large(LargeParams::default())),
            "empty" => Some(Self::empty()),
            _ => None,
        }
    }

    /// The scenario's name.
    pub fn name(&self) -> &'static str {
        match self.kind {
            Kind::Demo => "demo",
            Kind::Large(_) => "large",
            Kind::Empty => "empty",
            Kind::Dense(_) => "dense",
        }
    }

    pub(crate) fn build(&self, seed: u64) -> (State, Vec<SimCredential>) {
        let mut g = Gen::new(seed);
        match &self.kind {
            Kind::Demo => demo(&mut g),
            Kind::Large(p) => large(&mut g, p),
            Kind::Empty => empty(&mut g),
            Kind::Dense(n) => dense::dense(&mut g, *n),
        }
        g.st.sync_iam();
        (g.st, g.creds)
    }
}

/// 2026-03-02T09:00:00Z in microseconds.
const BASE_TIME: Ts = 1_772_442_000_000_000;

struct Gen {
    st: State,
    rng: Rng,
    t: Ts,
    org: String,
    creds: Vec<SimCredential>,
}

const BYOC_SETS: &[&str] = &[
    "KubernetesFullAccess",
    "PrivateNetworksFullAccess",
    "VPCFullAccess",
    "InstancesFullAccess",
    "ObjectStorageFullAccess",
];

impl Gen {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let org = rng.uuid();
        let st = State::new(org.clone(), seed);
        Self {
            st,
            rng,
            t: BASE_TIME,
            org,
            creds: Vec::new(),
        }
    }

    fn tick(&mut self) -> Ts {
        self.t += 60_000_000 + self.rng.jitter_micros();
        self.t
    }

    fn id(&mut self) -> String {
        self.rng.uuid()
    }

    fn project(&mut self, name: &str, description: &str) -> String {
        // The default project's id equals the organization id.
        let id = if name == "default" {
            self.org.clone()
        } else {
            self.id()
        };
        let t = self.tick();
        self.st.projects.insert(Project {
            id: id.clone(),
            name: name.to_owned(),
            organization_id: self.org.clone(),
            created_at: t,
            updated_at: t,
            description: description.to_owned(),
            qualification: Qualification {
                architecture_type: "unknown_architecture_type",
            },
        });
        id
    }

    fn user(&mut self, email: &str, owner: bool) -> String {
        let id = self.id();
        let t = self.tick();
        let username = email.split('@').next().unwrap_or(email).to_owned();
        self.st.iam.users.insert(User {
            id: id.clone(),
            email: email.to_owned(),
            username,
            first_name: String::new(),
            last_name: String::new(),
            phone_number: String::new(),
            locale: "en_US".to_owned(),
            created_at: t,
            updated_at: t,
            organization_id: self.org.clone(),
            deletable: !owner,
            last_login_at: Some(t + 3_600_000_000),
            kind: if owner { "owner" } else { "member" },
            two_factor_enabled: owner,
            status: "activated",
            mfa: owner,
            account_root_user_id: if owner { id.clone() } else { String::new() },
            tags: Vec::new(),
            locked: false,
        });
        id
    }

    fn application(&mut self, name: &str, description: &str) -> String {
        let id = self.id();
        let t = self.tick();
        self.st.iam.applications.insert(Application {
            id: id.clone(),
            name: name.to_owned(),
            description: description.to_owned(),
            created_at: t,
            updated_at: t,
            organization_id: self.org.clone(),
            editable: true,
            deletable: true,
            managed: false,
            nb_api_keys: 0,
            tags: Vec::new(),
        });
        id
    }

    #[allow(clippy::fn_params_excessive_bools, reason = "group flags")]
    fn group(
        &mut self,
        name: &str,
        description: &str,
        users: Vec<String>,
        apps: Vec<String>,
        all_users: bool,
        all_apps: bool,
    ) -> String {
        let id = self.id();
        let t = self.tick();
        let builtin = all_users || all_apps;
        self.st.iam.groups.insert(Group {
            id: id.clone(),
            created_at: t,
            updated_at: t,
            organization_id: self.org.clone(),
            name: name.to_owned(),
            description: description.to_owned(),
            user_ids: users,
            application_ids: apps,
            tags: Vec::new(),
            editable: !builtin,
            deletable: !builtin,
            managed: builtin,
            all_users,
            all_applications: all_apps,
        });
        id
    }

    fn policy(&mut self, name: &str, principal: Principal, rules: &[RuleSpec]) -> String {
        let id = self.id();
        let t = self.tick();
        let rules = rules_from_specs(&mut self.st, rules).unwrap_or_default();
        let mut p = Policy {
            id: id.clone(),
            name: name.to_owned(),
            description: String::new(),
            organization_id: self.org.clone(),
            created_at: t,
            updated_at: t,
            editable: true,
            deletable: true,
            managed: false,
            nb_rules: 0,
            nb_scopes: 0,
            nb_permission_sets: 0,
            tags: Vec::new(),
            principal,
            rules,
        };
        p.recount();
        self.st.iam.policies.insert(p);
        id
    }

    #[allow(clippy::too_many_arguments, reason = "a table row")]
    fn key(
        &mut self,
        name: &str,
        bearer: Bearer,
        bearer_desc: &str,
        project: &str,
        expires_at: Option<Ts>,
        purpose: &str,
        keep: bool,
    ) {
        let mut k = new_api_key(&mut self.st, bearer, project.to_owned(), expires_at, name);
        let t = self.tick();
        k.created_at = t;
        k.updated_at = t;
        k.creation_ip = "198.51.100.24".to_owned();
        self.creds.push(SimCredential {
            name: name.to_owned(),
            access_key: k.access_key.clone(),
            secret_key: k.secret.clone(),
            organization_id: self.org.clone(),
            project_id: project.to_owned(),
            bearer: bearer_desc.to_owned(),
            purpose: purpose.to_owned(),
        });
        if keep {
            self.st.iam.insert_key(k);
        }
    }

    fn app_with_policy(&mut self, name: &str, description: &str, rules: &[RuleSpec]) -> String {
        let app = self.application(name, description);
        self.policy(name, Principal::Application(app.clone()), rules);
        app
    }

    // ------------------------------------------------------------ products

    fn mac(&mut self) -> String {
        format!(
            "de:00:00:{:02x}:{:02x}:{:02x}",
            self.rng.u8(),
            self.rng.u8(),
            self.rng.u8()
        )
    }

    fn public_ip(&mut self) -> ServerIp {
        let id = self.id();
        ServerIp {
            id: id.clone(),
            address: format!("51.15.{}.{}", self.rng.u8(), self.rng.u8().max(1)),
            dynamic: false,
            gateway: "62.210.0.1".to_owned(),
            netmask: "32".to_owned(),
            family: "inet",
            provisioning_mode: "dhcp",
            tags: Vec::new(),
            state: "attached",
            ipam_id: id,
        }
    }

    fn image(&mut self, zone: &str) -> InstanceImage {
        let t = BASE_TIME - 86_400_000_000 * 30;
        let marketplace = "51b656e3-4865-41e8-adbc-0c45bdd780db".to_owned();
        InstanceImage {
            id: self.id(),
            name: "Ubuntu 24.04 Noble Numbat".to_owned(),
            organization: marketplace.clone(),
            project: marketplace,
            root_volume: ImageRootVolume {
                volume_type: "sbs_snapshot",
                id: self.id(),
                size: 0,
                name: String::new(),
            },
            extra_volumes: BTreeMap::new(),
            public: true,
            arch: "x86_64",
            creation_date: t,
            modification_date: t,
            default_bootscript: None,
            from_server: String::new(),
            state: "available",
            tags: Vec::new(),
            zone: zone.to_owned(),
        }
    }

    /// A block volume; attached to `server` if given.
    fn block_volume(
        &mut self,
        zone: &str,
        project: &str,
        name: &str,
        size_gb: u64,
        server: Option<&str>,
    ) -> String {
        let id = self.id();
        let t = self.tick();
        let references = server
            .map(|s| {
                vec![Reference {
                    id: self.id(),
                    product_resource_type: "instance_server",
                    product_resource_id: s.to_owned(),
                    created_at: t,
                    kind: "exclusive",
                    status: "attached",
                }]
            })
            .unwrap_or_default();
        let (kind, iops) = if self.rng.usize(0..4) == 0 {
            ("sbs_15k", 15_000)
        } else {
            ("sbs_5k", 5_000)
        };
        self.st.block_volumes.insert(BlockVolume {
            id: id.clone(),
            name: name.to_owned(),
            kind,
            size: size_gb * 1_000_000_000,
            project_id: project.to_owned(),
            created_at: t,
            updated_at: t,
            status: if server.is_some() {
                "in_use"
            } else {
                "available"
            },
            references,
            parent_snapshot_id: None,
            tags: Vec::new(),
            specs: VolumeSpecs {
                perf_iops: iops,
                class: "sbs",
            },
            last_detached_at: None,
            zone: zone.to_owned(),
            kms_key_id: None,
        });
        id
    }

    /// A snapshot of a volume; `image` = the id of an Instance image built from it (referenced).
    fn snapshot(&mut self, volume_id: &str, name: &str, image: Option<&str>) {
        let Some(v) = self.st.block_volumes.get(volume_id).cloned() else {
            return;
        };
        let t = self.tick();
        let id = self.id();
        self.st.block_snapshots.insert(BlockSnapshot {
            id,
            name: name.to_owned(),
            parent_volume: Some(SnapshotParent {
                id: v.id.clone(),
                name: v.name.clone(),
                kind: v.kind,
                status: v.status,
            }),
            size: v.size,
            project_id: v.project_id.clone(),
            created_at: t,
            updated_at: t,
            references: image
                .map(|i| {
                    vec![Reference {
                        id: self.rng.uuid(),
                        product_resource_type: "instance_image",
                        product_resource_id: i.to_owned(),
                        created_at: t,
                        kind: "link",
                        status: "attached",
                    }]
                })
                .unwrap_or_default(),
            status: if image.is_some() {
                "in_use"
            } else {
                "available"
            },
            tags: Vec::new(),
            class: "sbs",
            zone: v.zone.clone(),
            public: false,
        });
    }

    /// A server with a boot SBS volume (`sbs_data` extra SBS volumes, `local` local volumes).
    #[allow(clippy::too_many_arguments, reason = "a table row")]
    fn server(
        &mut self,
        zone: &str,
        project: &str,
        name: &str,
        commercial_type: &str,
        tags: &[&str],
        sbs_data: usize,
        local: usize,
        private_network: Option<&str>,
    ) -> String {
        let id = self.id();
        let mut volumes = Vec::new();
        for i in 0..=sbs_data {
            let vname = if i == 0 {
                format!("{name}-boot")
            } else {
                format!("{name}-data-{i}")
            };
            let size = if i == 0 { 20 } else { 50 };
            let vid = self.block_volume(zone, project, &vname, size, Some(&id));
            volumes.push(ServerVolume::Sbs(SbsVolumeRef {
                boot: false,
                volume_type: "sbs_volume",
                id: vid,
                state: "available",
                zone: zone.to_owned(),
            }));
        }
        let t = self.tick();
        for i in 0..local {
            let vol = InstanceVolume {
                id: self.id(),
                name: format!("{name}-local-{i}"),
                volume_type: "l_ssd",
                export_uri: None,
                organization: self.org.clone(),
                project: project.to_owned(),
                server: Some(ServerSummary {
                    id: id.clone(),
                    name: name.to_owned(),
                }),
                size: 40_000_000_000,
                state: "available",
                creation_date: t,
                modification_date: t,
                tags: Vec::new(),
                zone: zone.to_owned(),
            };
            self.st.instance_volumes.insert(vol.clone());
            volumes.push(ServerVolume::Local(Box::new(LocalVolumeRef {
                boot: false,
                volume: vol,
            })));
        }
        let ip = self.public_ip();
        let image = self.image(zone);
        let private_nics = private_network
            .map(|pn| {
                vec![PrivateNic {
                    id: self.id(),
                    private_network_id: pn.to_owned(),
                    server_id: id.clone(),
                    mac_address: format!(
                        "02:00:00:{:02x}:{:02x}:{:02x}",
                        self.rng.u8(),
                        self.rng.u8(),
                        self.rng.u8()
                    ),
                    state: "available",
                    creation_date: t,
                    modification_date: t,
                    zone: zone.to_owned(),
                    tags: Vec::new(),
                    ipam_ip_ids: vec![self.id()],
                }]
            })
            .unwrap_or_default();
        let stopped = self.rng.usize(0..6) == 0;
        let server = Server {
            id: id.clone(),
            name: name.to_owned(),
            arch: "x86_64",
            commercial_type: commercial_type.to_owned(),
            boot_type: "local",
            organization: self.org.clone(),
            project: project.to_owned(),
            hostname: name.to_owned(),
            image: Some(image),
            volumes,
            tags: tags.iter().map(|s| (*s).to_owned()).collect(),
            state: if stopped { "stopped" } else { "running" },
            protected: false,
            state_detail: if stopped {
                String::new()
            } else {
                "booted".to_owned()
            },
            public_ip: if stopped { None } else { Some(ip.clone()) },
            public_ips: if stopped { Vec::new() } else { vec![ip] },
            mac_address: self.mac(),
            routed_ip_enabled: true,
            ipv6: None,
            extra_networks: Vec::new(),
            dynamic_ip_required: false,
            enable_ipv6: false,
            private_ip: None,
            creation_date: t,
            modification_date: t + 1_200_000,
            bootscript: None,
            security_group: SecurityGroupSummary {
                id: self.id(),
                name: "Default security group".to_owned(),
            },
            location: if stopped {
                None
            } else {
                Some(ServerLocation {
                    zone_id: zone.to_owned(),
                    platform_id: "14".to_owned(),
                    cluster_id: format!("{}", 10 + self.rng.usize(0..80)),
                    hypervisor_id: format!("{}", 100 + self.rng.usize(0..800)),
                    node_id: format!("{}", self.rng.usize(1..40)),
                })
            },
            maintenances: Vec::new(),
            allowed_actions: if stopped {
                vec!["poweron", "backup"]
            } else {
                vec!["poweroff", "terminate", "reboot", "stop_in_place", "backup"]
            },
            placement_group: None,
            private_nics,
            zone: zone.to_owned(),
            filesystems: Vec::new(),
            end_of_service: false,
            dns: format!("{id}.pub.instances.scw.cloud"),
        };
        self.st.servers.insert(server);
        id
    }

    /// Puts a server in a new placement group (shape of the recorded one).
    fn place_in_group(&mut self, server: &str, name: &str) {
        let id = self.id();
        let org = self.org.clone();
        if let Some(s) = self.st.servers.get_mut(server) {
            s.placement_group = Some(PlacementGroup {
                id,
                name: name.to_owned(),
                organization: org,
                project: s.project.clone(),
                policy_mode: "enforced",
                policy_type: "max_availability",
                policy_respected: true,
                tags: Vec::new(),
                zone: s.zone.clone(),
            });
        }
    }

    /// Gives a running server a routed IPv6 address too (shape of the recorded ones).
    fn add_ipv6(&mut self, server: &str) {
        let id = self.id();
        let (a, b) = (self.rng.u64(0..0xffff), self.rng.u64(0..0xffff));
        if let Some(s) = self.st.servers.get_mut(server) {
            s.public_ips.push(ServerIp {
                id: id.clone(),
                address: format!("2001:bc8:710:{a:x}:dc00:ff:fe{:02x}:{b:x}", a & 0xff),
                dynamic: false,
                gateway: format!("fe80::dc00:ff:fe{:02x}:{:x}", a & 0xff, b ^ 1),
                netmask: "64".to_owned(),
                family: "inet6",
                provisioning_mode: "slaac",
                tags: Vec::new(),
                state: "attached",
                ipam_id: id,
            });
        }
    }

    /// Requests the deletion of a secret: it is then listed only with
    /// `scheduled_for_deletion=true`, its status still `ready` (recorded:
    /// `secret/secrets-get-200-05.json`).
    fn schedule_deletion(&mut self, secret: &str) {
        let t = self.tick();
        if let Some(s) = self.st.secrets.get_mut(secret) {
            s.deletion_requested_at = Some(t);
            s.updated_at = t;
        }
    }

    fn secret(
        &mut self,
        region: &str,
        project: &str,
        name: &str,
        path: &str,
        payloads: &[&[u8]],
    ) -> String {
        let id = self.id();
        let t = self.tick();
        let n = payloads.len();
        let versions = payloads
            .iter()
            .enumerate()
            .map(|(i, data)| SecretVersion {
                revision: u32::try_from(i + 1).unwrap_or(u32::MAX),
                secret_id: id.clone(),
                status: "enabled",
                created_at: t + i as i64 * 1_000_000,
                updated_at: t + i as i64 * 1_000_000,
                deleted_at: None,
                description: String::new(),
                latest: i + 1 == n,
                ephemeral_properties: None,
                deletion_requested_at: None,
                region: region.to_owned(),
                data: data.to_vec(),
            })
            .collect();
        self.st.secrets.insert(Secret {
            id: id.clone(),
            project_id: project.to_owned(),
            name: name.to_owned(),
            status: "ready",
            created_at: t,
            updated_at: t,
            tags: Vec::new(),
            version_count: u32::try_from(n).unwrap_or(u32::MAX),
            description: String::new(),
            managed: false,
            kind: "opaque",
            protected: false,
            path: path.to_owned(),
            ephemeral_policy: None,
            used_by: Vec::new(),
            deletion_requested_at: None,
            key_id: None,
            region: region.to_owned(),
            versions,
        });
        id
    }

    fn bucket(
        &mut self,
        region: &str,
        project: &str,
        name: &str,
        versioning: BucketVersioning,
        tags: &[(&str, &str)],
    ) {
        let t = self.tick();
        self.st.buckets.push(Bucket {
            name: name.to_owned(),
            region: region.to_owned(),
            project_id: project.to_owned(),
            versioning,
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            created_at: t,
        });
    }

    fn vpc(&mut self, region: &str, project: &str, name: &str, is_default: bool) -> String {
        let id = self.id();
        let t = self.tick();
        self.st.vpcs.insert(Vpc {
            created_at: t,
            custom_routes_propagation_enabled: false,
            id: id.clone(),
            is_default,
            name: name.to_owned(),
            organization_id: self.org.clone(),
            private_network_count: 0,
            project_id: project.to_owned(),
            region: region.to_owned(),
            routing_enabled: true,
            s3_integration_enabled: false,
            tags: if is_default {
                vec!["default".to_owned()]
            } else {
                Vec::new()
            },
            transitivity_enabled: false,
            updated_at: t,
        });
        id
    }

    fn private_network(
        &mut self,
        region: &str,
        project: &str,
        vpc: &str,
        name: &str,
        cidr: &str,
    ) -> String {
        let id = self.id();
        let t = self.tick();
        let mut subnets = Vec::new();
        for s in [
            cidr.to_owned(),
            format!(
                "fd64:badd:{:x}:{:x}::/64",
                self.rng.u64(0..0xffff),
                self.rng.u64(0..0xffff)
            ),
        ] {
            subnets.push(Subnet {
                created_at: t,
                id: self.id(),
                private_network_id: id.clone(),
                project_id: project.to_owned(),
                region: region.to_owned(),
                subnet: s,
                updated_at: t,
                vpc_id: vpc.to_owned(),
            });
        }
        self.st.private_networks.insert(PrivateNetwork {
            created_at: t,
            default_route_propagation_enabled: false,
            dhcp_enabled: true,
            has_s3_integration: false,
            id: id.clone(),
            name: name.to_owned(),
            organization_id: self.org.clone(),
            project_id: project.to_owned(),
            region: region.to_owned(),
            subnets,
            tags: Vec::new(),
            updated_at: t,
            vpc_id: vpc.to_owned(),
        });
        if let Some(v) = self.st.vpcs.get_mut(vpc) {
            v.private_network_count += 1;
        }
        id
    }

    fn cluster(&mut self, region: &str, project: &str, name: &str, pn: &str) -> String {
        let id = self.id();
        let t = self.tick();
        self.st.clusters.insert(Cluster {
            region: region.to_owned(),
            id: id.clone(),
            organization_id: self.org.clone(),
            project_id: project.to_owned(),
            created_at: t,
            updated_at: t,
            kind: "kapsule",
            name: name.to_owned(),
            description: String::new(),
            status: "ready",
            version: "1.35.3".to_owned(),
            cni: "cilium",
            tags: Vec::new(),
            cluster_url: format!("https://{id}.api.k8s.{region}.scw.cloud:6443"),
            dns_wildcard: format!("*.{id}.nodes.k8s.{region}.scw.cloud"),
            autoscaler_config: AutoscalerConfig {
                scale_down_disabled: false,
                scale_down_delay_after_add: "10m",
                estimator: "binpacking",
                expander: "random",
                ignore_daemonsets_utilization: false,
                balance_similar_node_groups: false,
                expendable_pods_priority_cutoff: 0,
                scale_down_unneeded_time: "10m",
                scale_down_utilization_threshold: 0.5,
                max_graceful_termination_sec: 0,
                skip_nodes_with_local_storage: false,
                log_level: 2,
            },
            auto_upgrade: AutoUpgrade {
                enabled: false,
                maintenance_window: MaintenanceWindow {
                    start_hour: 0,
                    day: "any",
                },
            },
            upgrade_available: false,
            feature_gates: Vec::new(),
            admission_plugins: Vec::new(),
            open_id_connect_config: OidcConfig {
                issuer_url: String::new(),
                client_id: String::new(),
                username_claim: String::new(),
                username_prefix: String::new(),
                groups_claim: Vec::new(),
                groups_prefix: String::new(),
                required_claim: Vec::new(),
            },
            apiserver_cert_sans: Vec::new(),
            private_network_id: Some(pn.to_owned()),
            commitment_ends_at: t,
            acl_available: true,
            iam_nodes_group_id: String::new(),
            pod_cidr: "100.64.0.0/15".to_owned(),
            service_cidr: "10.32.0.0/20".to_owned(),
            service_dns_ip: "10.32.0.10".to_owned(),
        });
        id
    }

    fn pool(&mut self, cluster: &str, zone: &str, name: &str, size: u32) -> String {
        let Some(c) = self.st.clusters.get(cluster).cloned() else {
            return String::new();
        };
        let id = self.id();
        let t = self.tick();
        let security_group_id = self.id();
        self.st.pools.insert(Pool {
            region: c.region.clone(),
            id: id.clone(),
            cluster_id: c.id.clone(),
            created_at: t,
            updated_at: t,
            name: name.to_owned(),
            status: "ready",
            version: c.version.clone(),
            node_type: "pro2_xxs".to_owned(),
            autoscaling: false,
            size,
            min_size: size,
            max_size: size,
            container_runtime: "containerd",
            autohealing: true,
            tags: Vec::new(),
            placement_group_id: None,
            kubelet_args: BTreeMap::new(),
            upgrade_policy: UpgradePolicy {
                max_unavailable: 1,
                max_surge: 0,
            },
            zone: zone.to_owned(),
            root_volume_type: "sbs_5k",
            root_volume_size: 20_000_000_000,
            public_ip_disabled: false,
            security_group_id,
            labels: BTreeMap::new(),
            taints: Vec::new(),
            startup_taints: Vec::new(),
            error_message: None,
            project_id: c.project_id.clone(),
        });
        // The pool's nodes are Instance servers in the cluster's project, on its private network.
        for _ in 0..size {
            let node = format!("scw-{}-{}-{:06x}", c.name, name, self.rng.u64(0..0xff_ffff));
            let tags = [
                format!("kapsule={}", c.id),
                format!("pool={id}"),
                format!("pool-name={name}"),
                "runtime=containerd".to_owned(),
                "managed=true".to_owned(),
            ];
            let tag_refs: Vec<&str> = tags.iter().map(String::as_str).collect();
            let pn = c.private_network_id.clone();
            self.server(
                zone,
                &c.project_id,
                &node,
                "PRO2-XXS",
                &tag_refs,
                0,
                0,
                pn.as_deref(),
            );
        }
        id
    }

    fn namespace(&mut self, region: &str, project: &str, name: &str) -> String {
        let id = self.id();
        let t = self.tick();
        self.st.namespaces.insert(Namespace {
            created_at: t,
            description: String::new(),
            endpoint: format!("rg.{region}.scw.cloud/{name}"),
            id: id.clone(),
            image_count: 0,
            is_public: false,
            name: name.to_owned(),
            organization_id: self.org.clone(),
            project_id: project.to_owned(),
            region: region.to_owned(),
            size: 0,
            status: "ready",
            status_message: String::new(),
            updated_at: t,
        });
        id
    }

    fn registry_image(&mut self, namespace: &str, name: &str, tags: &[&str]) {
        let Some(ns) = self.st.namespaces.get(namespace).cloned() else {
            return;
        };
        let id = self.id();
        let t = self.tick();
        let size = 20_000_000 + self.rng.u64(0..200_000_000);
        for tag in tags {
            let digest: String = (0..32).map(|_| format!("{:02x}", self.rng.u8())).collect();
            let tid = self.id();
            self.st.tags.insert(RegistryTag {
                created_at: t,
                digest: format!("sha256:{digest}"),
                id: tid,
                image_id: id.clone(),
                name: (*tag).to_owned(),
                status: "ready",
                updated_at: t,
                region: ns.region.clone(),
                project_id: ns.project_id.clone(),
            });
        }
        self.st.images.insert(RegistryImage {
            created_at: t,
            id,
            name: name.to_owned(),
            namespace_id: ns.id.clone(),
            size,
            status: "ready",
            status_message: String::new(),
            tags: tags.iter().map(|s| (*s).to_owned()).collect(),
            updated_at: t,
            visibility: "inherit",
            region: ns.region.clone(),
            project_id: ns.project_id.clone(),
        });
        if let Some(n) = self.st.namespaces.get_mut(namespace) {
            n.image_count += 1;
            n.size += size;
        }
    }
}

fn p(sets: &[&str], projects: &[&str]) -> RuleSpec {
    RuleSpec::projects(sets, projects)
}

fn demo(g: &mut Gen) {
    let default = g.project("default", "");
    let production = g.project("production", "Production workloads");
    let staging = g.project("staging", "Pre-production");
    let testing = g.project("testing", "CI and experiments");
    let (prod, stag, test) = (production.as_str(), staging.as_str(), testing.as_str());

    let owner = g.user("owner@example.com", true);
    let member = g.user("member@example.com", false);

    // Built-in groups (flags from the SDK's Group type).
    g.group(
        "All users",
        "Every user of the Organization",
        Vec::new(),
        Vec::new(),
        true,
        false,
    );
    g.group(
        "All applications",
        "Every application of the Organization",
        Vec::new(),
        Vec::new(),
        false,
        true,
    );

    let inventory = g.app_with_policy(
        "inventory",
        "Read-only inventory of production",
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    let byoc = g.app_with_policy(
        "byoc",
        "Bring-your-own-cloud provisioner",
        &[p(BYOC_SETS, &[prod])],
    );
    let scanner = g.app_with_policy(
        "registry-scanner",
        "Scans production images",
        &[p(&["ContainerRegistryReadOnly"], &[prod])],
    );
    let admin = g.app_with_policy(
        "admin",
        "Auditor and provisioner",
        &[
            RuleSpec::organization(&["IAMManager", "ProjectManager"]),
            RuleSpec::organization(&["AllProductsFullAccess"]),
        ],
    );
    let group_app = g.application("group-granted", "Gets its rights from a group only");
    let readers = g.group(
        "production-readers",
        "Read-only access to production",
        Vec::new(),
        vec![group_app.clone()],
        false,
        false,
    );
    g.policy(
        "production-readers",
        Principal::Group(readers),
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    let deleted = g.app_with_policy(
        "deleted",
        "Its key was deleted",
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    let expired = g.app_with_policy(
        "expired",
        "Its key has expired",
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    let wrong = g.app_with_policy(
        "wrong-project",
        "BYOC sets on the wrong project",
        &[p(BYOC_SETS, &[stag])],
    );
    let missing: Vec<&str> = BYOC_SETS
        .iter()
        .copied()
        .filter(|s| *s != "VPCFullAccess")
        .collect();
    let missing_app = g.app_with_policy(
        "missing-set",
        "BYOC without VPCFullAccess",
        &[p(&missing, &[prod])],
    );
    let extra = g.app_with_policy(
        "extra-org-set",
        "BYOC plus an organization-level set",
        &[
            p(BYOC_SETS, &[prod]),
            RuleSpec::organization(&["IAMManager"]),
        ],
    );
    let conditional = g.app_with_policy(
        "conditional",
        "BYOC sets under an IP condition",
        &[p(BYOC_SETS, &[prod]).with_condition("inIpRange(request.ip, \"203.0.113.0/24\")")],
    );
    g.policy(
        "member-production-read",
        Principal::User(member.clone()),
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    g.policy(
        "draft-no-principal",
        Principal::Nobody(true),
        &[p(&["InstancesReadOnly"], &[test])],
    );

    let app = |id: &String| Bearer::Application(id.clone());
    g.key("inventory", app(&inventory), "application \"inventory\"", prod, None,
        "AllProductsReadOnly on production: reads every product in production, 403 elsewhere and on IAM", true);
    g.key("byoc", app(&byoc), "application \"byoc\"", prod, None,
        "KubernetesFullAccess, PrivateNetworksFullAccess, VPCFullAccess, InstancesFullAccess, ObjectStorageFullAccess on production", true);
    g.key(
        "registry-scanner",
        app(&scanner),
        "application \"registry-scanner\"",
        prod,
        None,
        "ContainerRegistryReadOnly on production: registry reads only",
        true,
    );
    g.key(
        "admin",
        app(&admin),
        "application \"admin\"",
        &default,
        None,
        "IAMManager + ProjectManager (organization) and AllProductsFullAccess on all projects",
        true,
    );
    g.key(
        "group-granted",
        app(&group_app),
        "application \"group-granted\" (member of group \"production-readers\")",
        prod,
        None,
        "AllProductsReadOnly on production, granted only through a group",
        true,
    );
    g.key(
        "deleted",
        app(&deleted),
        "application \"deleted\"",
        prod,
        None,
        "a deleted key: every request gets 401 not_found",
        false,
    );
    g.key(
        "expired",
        app(&expired),
        "application \"expired\"",
        prod,
        Some(BASE_TIME - 86_400_000_000 * 60),
        "an expired key: every request gets 401 expired",
        true,
    );
    g.key(
        "wrong-project",
        app(&wrong),
        "application \"wrong-project\"",
        stag,
        None,
        "BYOC sets on staging instead of production (default project staging): 403 on production",
        true,
    );
    g.key(
        "missing-set",
        app(&missing_app),
        "application \"missing-set\"",
        prod,
        None,
        "BYOC minus VPCFullAccess: 403 on VPCs only",
        true,
    );
    g.key("extra-org-set", app(&extra), "application \"extra-org-set\"", prod, None,
        "BYOC plus IAMManager at organization level: works, but can also manage IAM (over-privileged)", true);
    g.key("personal-user", Bearer::User(member.clone()), "user member@example.com (not an application)", prod, None,
        "a key owned by a person: AllProductsReadOnly on production through the member's own policy", true);
    g.key(
        "conditional",
        app(&conditional),
        "application \"conditional\"",
        prod,
        None,
        "BYOC sets under inIpRange(request.ip, \"203.0.113.0/24\"): 403 from any other address",
        true,
    );
    let _ = test;

    // Network and Kubernetes.
    g.vpc("fr-par", prod, "default", true);
    let prod_vpc = g.vpc("fr-par", prod, "production-vpc", false);
    let prod_pn = g.private_network("fr-par", prod, &prod_vpc, "production-pn", "172.16.0.0/22");
    g.vpc("nl-ams", stag, "default", true);
    let stag_vpc = g.vpc("nl-ams", stag, "staging-vpc", false);
    g.private_network("nl-ams", stag, &stag_vpc, "staging-pn", "172.16.8.0/22");
    g.vpc("pl-waw", test, "default", true);
    let cluster = g.cluster("fr-par", prod, "production-kapsule", &prod_pn);
    g.pool(&cluster, "fr-par-1", "default", 2);

    // Instances with Block volumes, local volumes.
    let web1 = g.server(
        "fr-par-1",
        prod,
        "web-1",
        "PRO2-S",
        &["web"],
        0,
        0,
        Some(&prod_pn),
    );
    let web2 = g.server(
        "fr-par-1",
        prod,
        "web-2",
        "PRO2-S",
        &["web"],
        1,
        0,
        Some(&prod_pn),
    );
    g.server(
        "fr-par-2",
        prod,
        "db-1",
        "PRO2-M",
        &["db"],
        1,
        1,
        Some(&prod_pn),
    );
    g.server(
        "nl-ams-1",
        prod,
        "worker-1",
        "DEV1-M",
        &["worker"],
        0,
        0,
        None,
    );
    g.server(
        "pl-waw-1",
        prod,
        "batch-1",
        "POP2-2C-8G",
        &["batch"],
        0,
        1,
        None,
    );
    g.server(
        "fr-par-1",
        stag,
        "staging-web-1",
        "DEV1-S",
        &["web"],
        0,
        0,
        None,
    );
    g.server(
        "nl-ams-1",
        stag,
        "staging-api",
        "DEV1-M",
        &["api"],
        1,
        0,
        None,
    );
    g.server(
        "pl-waw-2",
        test,
        "test-runner",
        "DEV1-S",
        &["ci"],
        0,
        0,
        None,
    );
    local_only_server(g, "fr-par-1", test, "legacy-1", "DEV1-S");
    let backup = g.block_volume("fr-par-1", prod, "backup-data", 100, None);
    g.block_volume("nl-ams-2", prod, "archive", 250, None);
    g.block_volume("pl-waw-1", stag, "scratch-data", 30, None);
    if let Some(boot) =
        g.st.servers
            .get(&web1)
            .map(|s| s.volumes[0].id().to_owned())
    {
        let image = g.id();
        g.snapshot(&boot, "web-1-boot-2026-03-01", Some(&image));
    }
    g.snapshot(&backup, "backup-data-weekly", None);

    // What a security inventory reads: a placement group, an IPv6 address, a volume encrypted
    // with a customer key (Key Manager key ID; no recorded volume has one), a public snapshot.
    g.place_in_group(&web2, "web-spread");
    g.add_ipv6(&web1);
    let kms_key = g.id();
    if let Some(v) = g.st.block_volumes.get_mut(&backup) {
        v.kms_key_id = Some(kms_key);
    }
    let public: Vec<String> =
        g.st.block_snapshots
            .iter()
            .filter(|s| s.name.starts_with("web-1-boot-"))
            .map(|s| s.id.clone())
            .collect();
    for id in public {
        if let Some(s) = g.st.block_snapshots.get_mut(&id) {
            s.public = true;
        }
    }

    // Secrets.
    g.secret(
        "fr-par",
        prod,
        "db-password",
        "/",
        &[b"correct horse battery staple", b"tr0ub4dor&3"],
    );
    g.secret(
        "fr-par",
        prod,
        "api-token",
        "/services",
        &[b"tok_live_5f2c"],
    );
    // Scheduled for deletion, still restorable: hidden by the API's default listing.
    let old = g.secret(
        "fr-par",
        prod,
        "old-api-token",
        "/services",
        &[b"tok_live_0a11"],
    );
    g.schedule_deletion(&old);
    g.secret(
        "nl-ams",
        stag,
        "staging-db-password",
        "/",
        &[b"staging-password"],
    );
    g.secret("pl-waw", test, "test-secret", "/", &[b"not-so-secret"]);

    // Buckets (state only).
    g.bucket(
        "fr-par",
        prod,
        "acme-prod-assets",
        BucketVersioning::Enabled,
        &[("env", "production")],
    );
    g.bucket(
        "nl-ams",
        prod,
        "acme-prod-backups",
        BucketVersioning::Enabled,
        &[("env", "production"), ("kind", "backup")],
    );
    g.bucket(
        "fr-par",
        stag,
        "acme-staging-assets",
        BucketVersioning::Unversioned,
        &[("env", "staging")],
    );
    g.bucket(
        "pl-waw",
        test,
        "acme-testing-tmp",
        BucketVersioning::Suspended,
        &[],
    );

    // Registry.
    let ns = g.namespace("fr-par", prod, "acme-prod");
    g.registry_image(&ns, "api", &["latest", "v1.2.0"]);
    g.registry_image(&ns, "worker", &["latest"]);
    let ns2 = g.namespace("nl-ams", stag, "acme-staging");
    g.registry_image(&ns2, "api", &["staging"]);
    let ns3 = g.namespace("pl-waw", test, "acme-testing");
    g.registry_image(&ns3, "tools/ci", &["v1"]);

    // Last, so that every id above stays what it was.
    demo_boundary_keys(g, &owner, prod);
}

/// Keys that get through a naive check but break least privilege or the Organization boundary:
/// the Organization owner's own key, the BYOC sets on every project, and a key of a second
/// Organization (whose rights apply in its own Organization only: here it is refused
/// everything).
fn demo_boundary_keys(g: &mut Gen, owner: &str, prod: &str) {
    let all_projects = g.app_with_policy(
        "byoc-all-projects",
        "BYOC sets on every project of the Organization",
        &[RuleSpec::organization(BYOC_SETS)],
    );
    g.key(
        "owner",
        Bearer::User(owner.to_owned()),
        "user owner@example.com (the Organization owner)",
        prod,
        None,
        "the Organization owner's key: IAM does not apply to it, every request is allowed",
        true,
    );
    g.key(
        "byoc-all-projects",
        Bearer::Application(all_projects),
        "application \"byoc-all-projects\"",
        prod,
        None,
        "BYOC sets on all current and future projects (an Organization-scoped rule): works on production, and everywhere else",
        true,
    );
    // A second Organization: an application with AllProductsReadOnly on all of its own
    // projects. Its key's default project is that Organization's default project (same id).
    let other_org = g.id();
    let app = g.application("other-org", "An application of another Organization");
    let policy = g.policy(
        "other-org",
        Principal::Application(app.clone()),
        &[RuleSpec::organization(&["AllProductsReadOnly"])],
    );
    if let Some(a) = g.st.iam.applications.get_mut(&app) {
        a.organization_id.clone_from(&other_org);
    }
    if let Some(p) = g.st.iam.policies.get_mut(&policy) {
        p.organization_id.clone_from(&other_org);
        for r in &mut p.rules {
            r.scope = crate::model::RuleScope::Organization(other_org.clone());
        }
    }
    g.key(
        "other-org",
        Bearer::Application(app),
        "application \"other-org\" of another Organization",
        &other_org,
        None,
        "a key of another Organization (AllProductsReadOnly on all of that Organization's projects): refused everything in this one",
        true,
    );
    if let Some(c) = g.creds.last_mut() {
        c.organization_id = other_org;
    }
}

fn empty(g: &mut Gen) {
    let default = g.project("default", "");
    g.project("main", "");
    g.user("owner@example.com", true);
    let admin = g.app_with_policy(
        "admin",
        "Full access",
        &[
            RuleSpec::organization(&["IAMManager", "ProjectManager"]),
            RuleSpec::organization(&["AllProductsFullAccess"]),
        ],
    );
    g.key(
        "admin",
        Bearer::Application(admin),
        "application \"admin\"",
        &default,
        None,
        "IAMManager + ProjectManager (organization) and AllProductsFullAccess on all projects",
        true,
    );
}

fn large(g: &mut Gen, params: &LargeParams) {
    let default = g.project("default", "");
    let mut projects = vec![default.clone()];
    for i in 0..params.projects {
        projects.push(g.project(&format!("project-{i:03}"), ""));
    }
    g.user("owner@example.com", true);
    let inventory = g.app_with_policy(
        "inventory",
        "Read-only inventory",
        &[RuleSpec::organization(&["AllProductsReadOnly"])],
    );
    let admin = g.app_with_policy(
        "admin",
        "Full access",
        &[
            RuleSpec::organization(&["IAMManager", "ProjectManager"]),
            RuleSpec::organization(&["AllProductsFullAccess"]),
        ],
    );
    let first = projects.get(1).cloned().unwrap_or_else(|| default.clone());
    g.key(
        "inventory",
        Bearer::Application(inventory),
        "application \"inventory\"",
        &first,
        None,
        "AllProductsReadOnly on every project (organization scope)",
        true,
    );
    g.key(
        "admin",
        Bearer::Application(admin),
        "application \"admin\"",
        &default,
        None,
        "IAMManager + ProjectManager (organization) and AllProductsFullAccess on all projects",
        true,
    );

    let types = ["DEV1-S", "DEV1-M", "PRO2-XXS", "PRO2-S", "POP2-2C-8G"];
    let attached = params.servers.min(params.block_volumes);
    for i in 0..params.servers {
        let zone = INSTANCE_ZONES[i % INSTANCE_ZONES.len()];
        let project = projects[i % projects.len()].clone();
        let ct = types[i % types.len()];
        // Block Storage does not exist in it-mil-1: servers there get a local volume instead.
        if i < attached && BLOCK_ZONES.contains(&zone) {
            g.server(zone, &project, &format!("srv-{i:06}"), ct, &[], 0, 0, None);
        } else {
            local_only_server(g, zone, &project, &format!("srv-{i:06}"), ct);
        }
    }
    let attached_count = g.st.block_volumes.len();
    for i in attached_count..params.block_volumes {
        let zone = BLOCK_ZONES[i % BLOCK_ZONES.len()];
        let project = projects[i % projects.len()].clone();
        g.block_volume(
            zone,
            &project,
            &format!("vol-{i:06}"),
            10 + (i as u64 % 90),
            None,
        );
    }
    for i in 0..params.secrets {
        let region = SECRET_REGIONS[i % SECRET_REGIONS.len()];
        let project = projects[i % projects.len()].clone();
        g.secret(
            region,
            &project,
            &format!("secret-{i:06}"),
            "/",
            &[b"generated"],
        );
    }
    for i in 0..params.buckets {
        let region = OBJECT_STORAGE_REGIONS[i % OBJECT_STORAGE_REGIONS.len()];
        let project = projects[i % projects.len()].clone();
        g.bucket(
            region,
            &project,
            &format!("bucket-{i:06}-{}", &g.org[..8]),
            if i % 3 == 0 {
                BucketVersioning::Enabled
            } else {
                BucketVersioning::Unversioned
            },
            &[],
        );
    }
    let mut namespaces: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for i in 0..params.images {
        let r = i % REGISTRY_REGIONS.len();
        let pi = (i / REGISTRY_REGIONS.len()) % projects.len();
        let ns = match namespaces.get(&(r, pi)) {
            Some(ns) => ns.clone(),
            None => {
                let name = format!("ns-{}-{pi:03}", &g.org[..8]);
                let project = projects[pi].clone();
                let ns = g.namespace(REGISTRY_REGIONS[r], &project, &name);
                namespaces.insert((r, pi), ns.clone());
                ns
            }
        };
        g.registry_image(&ns, &format!("image-{i:06}"), &["latest"]);
    }
    // One VPC and private network per region and project (small).
    for (pi, project) in projects.iter().enumerate().take(3) {
        for region in VPC_REGIONS {
            let vpc = g.vpc(region, project, "default", true);
            let pn = g.private_network(region, project, &vpc, &format!("pn-{pi}"), "172.16.0.0/22");
            if pi == 0 && K8S_REGIONS.contains(region) && *region == "fr-par" {
                let c = g.cluster(region, project, "large-kapsule", &pn);
                let zone = format!("{region}-1");
                let _ = zone_region(&zone);
                g.pool(&c, &zone, "default", 0);
            }
        }
    }
}

/// A server whose only volume is a local `l_ssd` one (no Block volume).
fn local_only_server(g: &mut Gen, zone: &str, project: &str, name: &str, ct: &str) {
    let id = g.server(zone, project, name, ct, &[], 0, 1, None);
    if let Some(s) = g.st.servers.get_mut(&id) {
        let sbs: Vec<String> = s
            .volumes
            .iter()
            .filter(|v| matches!(v, ServerVolume::Sbs(_)))
            .map(|v| v.id().to_owned())
            .collect();
        s.volumes.retain(|v| !matches!(v, ServerVolume::Sbs(_)));
        for v in sbs {
            g.st.block_volumes.remove(&v);
        }
    }
}
