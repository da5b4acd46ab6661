//! The scenario generator's product builders: Instance, Block Storage, Secret Manager,
//! Object Storage, VPC, Kubernetes and Container Registry resources.

use std::collections::BTreeMap;

use super::{BASE_TIME, Gen};
use crate::model::{
    AutoUpgrade, AutoscalerConfig, BlockSnapshot, BlockVolume, Bucket, BucketVersioning, Cluster,
    ImageRootVolume, InstanceImage, InstanceVolume, LocalVolumeRef, MaintenanceWindow, Namespace,
    OidcConfig, PlacementGroup, Pool, PrivateNetwork, PrivateNic, Reference, RegistryImage,
    RegistryTag, SbsVolumeRef, Secret, SecretVersion, SecurityGroupSummary, Server, ServerIp,
    ServerLocation, ServerSummary, ServerVolume, SnapshotParent, Subnet, UpgradePolicy,
    VolumeSpecs, Vpc,
};

impl Gen {
    pub(super) fn mac(&mut self) -> String {
        format!(
            "de:00:00:{:02x}:{:02x}:{:02x}",
            self.rng.u8(),
            self.rng.u8(),
            self.rng.u8()
        )
    }

    pub(super) fn public_ip(&mut self) -> ServerIp {
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

    pub(super) fn image(&mut self, zone: &str) -> InstanceImage {
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
    pub(super) fn block_volume(
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
    pub(super) fn snapshot(&mut self, volume_id: &str, name: &str, image: Option<&str>) {
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
    pub(super) fn server(
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
    pub(super) fn place_in_group(&mut self, server: &str, name: &str) {
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
    pub(super) fn add_ipv6(&mut self, server: &str) {
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
    pub(super) fn schedule_deletion(&mut self, secret: &str) {
        let t = self.tick();
        if let Some(s) = self.st.secrets.get_mut(secret) {
            s.deletion_requested_at = Some(t);
            s.updated_at = t;
        }
    }

    pub(super) fn secret(
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

    pub(super) fn bucket(
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

    pub(super) fn vpc(
        &mut self,
        region: &str,
        project: &str,
        name: &str,
        is_default: bool,
    ) -> String {
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

    pub(super) fn private_network(
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

    pub(super) fn cluster(&mut self, region: &str, project: &str, name: &str, pn: &str) -> String {
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

    pub(super) fn pool(&mut self, cluster: &str, zone: &str, name: &str, size: u32) -> String {
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

    pub(super) fn namespace(&mut self, region: &str, project: &str, name: &str) -> String {
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

    pub(super) fn registry_image(&mut self, namespace: &str, name: &str, tags: &[&str]) {
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
