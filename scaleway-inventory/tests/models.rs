//! Every typed model parses every recorded response of its API (`shared/recorded/`).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_core::testing::{Recorded, recorded};
use scaleway_inventory::model::{block, instance, k8s, object_storage, secret, vpc};
use serde::de::DeserializeOwned;
use serde_json::Value;

fn parse<T: DeserializeOwned>(rec: &Recorded, value: &Value) -> T {
    let text = serde_json::to_string(value).unwrap();
    let de = &mut serde_json::Deserializer::from_str(&text);
    match serde_path_to_error::deserialize(de) {
        Ok(v) => v,
        Err(e) => panic!("{}: {} at {}", rec.name(), e.inner(), e.path()),
    }
}

fn list<T: DeserializeOwned>(rec: &Recorded, key: &str) -> Vec<T> {
    let items = rec
        .response_body
        .get(key)
        .unwrap_or_else(|| panic!("{}: no `{key}`", rec.name()));
    parse(rec, items)
}

fn one<T: DeserializeOwned>(rec: &Recorded, wrapper: Option<&str>) -> T {
    let value = match wrapper {
        Some(k) => rec
            .response_body
            .get(k)
            .unwrap_or_else(|| panic!("{}: no `{k}`", rec.name())),
        None => &rec.response_body,
    };
    parse(rec, value)
}

/// The successful JSON responses of `api`.
fn ok_json(api: &str) -> Vec<Recorded> {
    recorded(api)
        .into_iter()
        .filter(|r| r.status < 400 && r.body_format == "json")
        .collect()
}

#[test]
fn instance_servers_and_volumes() {
    let mut servers = 0;
    let mut volumes = 0;
    for rec in ok_json("instance") {
        match rec.operation.as_str() {
            "servers-list" => {
                let v: Vec<instance::Server> = list(&rec, "servers");
                for s in &v {
                    for (k, vol) in &s.volumes {
                        assert!(k.parse::<u32>().is_ok(), "{}: volume key {k}", rec.name());
                        assert!(!vol.id.is_empty(), "{}: volume id", rec.name());
                    }
                }
                servers += v.len();
            }
            "servers-get" | "servers-create" => {
                let s: instance::Server = one(&rec, Some("server"));
                assert!(!s.id.is_empty(), "{}", rec.name());
                servers += 1;
            }
            "volumes-list" => volumes += list::<instance::Volume>(&rec, "volumes").len(),
            "volumes-get" => {
                let _: instance::Volume = one(&rec, Some("volume"));
                volumes += 1;
            }
            other => panic!("{}: operation {other} not covered", rec.name()),
        }
    }
    assert!(
        servers > 10 && volumes > 3,
        "{servers} servers, {volumes} volumes"
    );
}

#[test]
fn instance_sbs_volume_entries_and_states() {
    let mut sbs = 0;
    let mut states = std::collections::BTreeSet::new();
    for rec in ok_json("instance")
        .into_iter()
        .filter(|r| r.operation == "servers-list")
    {
        for s in list::<instance::Server>(&rec, "servers") {
            states.insert(s.state.as_str().to_owned());
            for (_, v) in s.volumes_in_order() {
                if v.volume_type == instance::VolumeServerVolumeType::SbsVolume {
                    sbs += 1;
                    assert!(
                        v.size.is_none(),
                        "{}: sbs entries carry no size",
                        rec.name()
                    );
                }
            }
        }
    }
    assert!(sbs > 0, "recorded servers have sbs_volume entries");
    for s in &states {
        assert!(
            instance::ServerState::KNOWN.contains(&s.as_str()),
            "state {s} is a known value"
        );
    }
}

#[test]
fn block_volumes_and_snapshots() {
    let mut n = 0;
    let mut referenced = 0;
    for rec in ok_json("block") {
        let op = rec
            .operation
            .trim_start_matches("v1alpha1-")
            .trim_start_matches("v1-");
        match op {
            "volumes-list" => {
                for v in list::<block::Volume>(&rec, "volumes") {
                    referenced += v.attached_servers().count();
                    n += 1;
                }
            }
            "volumes-get" | "volumes-create" => {
                let v: block::Volume = one(&rec, None);
                referenced += v.attached_servers().count();
                n += 1;
            }
            "snapshots-list" => n += list::<block::Snapshot>(&rec, "snapshots").len(),
            "snapshots-get" => {
                let _: block::Snapshot = one(&rec, None);
                n += 1;
            }
            other => panic!("{}: operation {other} not covered", rec.name()),
        }
    }
    assert!(n > 20, "{n} block objects");
    assert!(
        referenced > 0,
        "some recorded volumes are attached to servers"
    );
}

#[test]
fn secrets_metadata() {
    let mut n = 0;
    for rec in ok_json("secret") {
        match rec.operation.as_str() {
            "secrets-list" => n += list::<secret::Secret>(&rec, "secrets").len(),
            "secrets-get" | "secrets-create" => {
                let _: secret::Secret = one(&rec, None);
                n += 1;
            }
            // Versions are not inventoried, and payloads are never read by this crate.
            "versions-list" | "versions-get" | "versions-create" | "versions-access" => {}
            other => panic!("{}: operation {other} not covered", rec.name()),
        }
    }
    assert!(n > 5, "{n} secrets");
}

#[test]
fn kubernetes_clusters_and_pools() {
    let mut n = 0;
    for rec in ok_json("k8s") {
        match rec.operation.as_str() {
            "clusters-list" => n += list::<k8s::Cluster>(&rec, "clusters").len(),
            "clusters-get" | "clusters-create" => {
                let _: k8s::Cluster = one(&rec, None);
                n += 1;
            }
            "pools-list" => n += list::<k8s::Pool>(&rec, "pools").len(),
            "pools-get" | "pools-create" => {
                let _: k8s::Pool = one(&rec, None);
                n += 1;
            }
            // Nodes and versions are not inventoried.
            "nodes-list" | "versions-list" => {}
            other => panic!("{}: operation {other} not covered", rec.name()),
        }
    }
    assert!(n > 10, "{n} k8s objects");
}

#[test]
fn vpcs_and_private_networks() {
    let mut n = 0;
    for rec in ok_json("vpc") {
        match rec.operation.as_str() {
            "vpcs-list" => n += list::<vpc::Vpc>(&rec, "vpcs").len(),
            "vpcs-get" | "vpcs-create" => {
                let _: vpc::Vpc = one(&rec, None);
                n += 1;
            }
            "private-networks-list" => {
                n += list::<vpc::PrivateNetwork>(&rec, "private_networks").len();
            }
            "private-networks-get" | "private-networks-create" => {
                let _: vpc::PrivateNetwork = one(&rec, None);
                n += 1;
            }
            other => panic!("{}: operation {other} not covered", rec.name()),
        }
    }
    assert!(n > 20, "{n} vpc objects");
}

#[test]
fn registry_namespaces() {
    let mut n = 0;
    for rec in ok_json("registry") {
        match rec.operation.as_str() {
            "namespaces-list" => {
                n += list::<scaleway_registry::Namespace>(&rec, "namespaces").len();
            }
            "namespaces-get" | "namespaces-create" => {
                let _: scaleway_registry::Namespace = one(&rec, None);
                n += 1;
            }
            // Images and tags are not inventoried.
            "images-list" | "images-get" | "tags-list" | "tags-get" => {}
            other => panic!("{}: operation {other} not covered", rec.name()),
        }
    }
    assert!(n > 3, "{n} namespaces");
}

#[test]
fn s3_documents() {
    let mut buckets = 0;
    let mut seen = std::collections::BTreeSet::new();
    for rec in recorded("s3") {
        let body = rec.body_bytes();
        let name = rec.name();
        if rec.status >= 400 {
            if body.is_empty() {
                continue; // HEAD errors have no body
            }
            let e = object_storage::parse_error(&body)
                .unwrap_or_else(|| panic!("{name}: not an S3 error"));
            assert!(!e.code.is_empty(), "{name}: error code");
            seen.insert(format!("error:{}", e.code));
            continue;
        }
        match rec.operation.as_str() {
            "ListBuckets" | "list-buckets" => {
                let l: object_storage::ListAllMyBucketsResult =
                    object_storage::parse_xml(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
                let owner = l.owner.expect("owner");
                assert!(owner.id.contains(':'), "{name}: owner id {}", owner.id);
                for b in &l.buckets.bucket {
                    let date = b.creation_date.as_deref().expect("creation date");
                    assert!(
                        object_storage::parse_timestamp(date).is_some(),
                        "{name}: date {date}"
                    );
                }
                buckets += l.buckets.bucket.len();
                seen.insert("list".to_owned());
            }
            "GetBucketVersioning" | "get-bucket-versioning" => {
                let v: object_storage::VersioningConfiguration =
                    object_storage::parse_xml(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
                // Recorded: a never-versioned bucket answers `<Status></Status>`.
                assert_eq!(
                    v.versioning(),
                    object_storage::Versioning::Disabled,
                    "{name}"
                );
                seen.insert("versioning".to_owned());
            }
            "GetBucketTagging" | "get-bucket-tagging" => {
                let t: object_storage::Tagging =
                    object_storage::parse_xml(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(t.tag_set.tag.len(), 1, "{name}");
                assert_eq!(t.tag_set.tag[0].key, "foo", "{name}");
                seen.insert("tagging".to_owned());
            }
            _ => {}
        }
    }
    for want in [
        "list",
        "versioning",
        "tagging",
        "error:NoSuchTagSet",
        "error:NoSuchBucket",
    ] {
        assert!(
            seen.contains(want),
            "recorded S3 documents include {want}: {seen:?}"
        );
    }
    assert!(buckets > 10, "{buckets} buckets");
}

#[test]
fn location_constraint_and_versioning_shapes() {
    // The documented GetBucketLocation answer (docs sample; not recorded).
    let l: object_storage::LocationConstraint = object_storage::parse_xml(
        br#"<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">nl-ams</LocationConstraint>"#,
    )
    .unwrap();
    assert_eq!(l.region, "nl-ams");
    let v: object_storage::VersioningConfiguration = object_storage::parse_xml(
        b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
    )
    .unwrap();
    assert!(v.versioning().is_enabled());
    let v: object_storage::VersioningConfiguration =
        object_storage::parse_xml(b"<VersioningConfiguration/>").unwrap();
    assert_eq!(v.versioning(), object_storage::Versioning::Disabled);
}

// ------------------------------------------------------------------ the fields an inventory needs
//
// Parsing is not enough: each field below must be *read* from the recordings. For every
// recorded object, the typed model is serialized back and compared with the recorded JSON,
// field by field (`read_back`): a misnamed field (`#[serde(default)]` silently gives the
// default) or a wrongly typed one fails here.

/// Checks that `typed` (the model serialized back) carries what `raw` (the recorded JSON)
/// says: objects key by key for the keys the model has, arrays element by element, scalars
/// equal (timestamps compared as instants). Returns the mismatches.
fn read_back(path: &str, raw: &Value, typed: &Value, errs: &mut Vec<String>) {
    match (raw, typed) {
        (Value::Object(r), Value::Object(t)) => {
            for (k, tv) in t {
                if let Some(rv) = r.get(k) {
                    read_back(&format!("{path}.{k}"), rv, tv, errs);
                }
            }
        }
        (Value::Array(r), Value::Array(t)) if r.len() == t.len() => {
            for (i, (rv, tv)) in r.iter().zip(t).enumerate() {
                read_back(&format!("{path}[{i}]"), rv, tv, errs);
            }
        }
        (Value::String(r), Value::String(t)) if r != t => {
            let instant = |s: &str| scaleway_core::chrono::DateTime::parse_from_rfc3339(s).ok();
            if instant(r).is_none() || instant(r) != instant(t) {
                errs.push(format!("{path}: recorded {r:?}, read {t:?}"));
            }
        }
        (Value::Number(r), Value::Number(t)) if r.as_f64() != t.as_f64() => {
            errs.push(format!("{path}: recorded {r}, read {t}"));
        }
        (r, t)
            if std::mem::discriminant(r) != std::mem::discriminant(t) || {
                !matches!(
                    r,
                    Value::Object(_) | Value::Array(_) | Value::String(_) | Value::Number(_)
                ) && r != t
            } =>
        {
            errs.push(format!("{path}: recorded {r}, read {t}"));
        }
        _ => {}
    }
}

/// Parses every object of `api` whose operation is in `ops` (list items under `key`, or
/// bare/wrapped single objects), checks `fields` are read back, and counts, per field, the
/// objects where the recording has it non-null.
fn fields_read<T: DeserializeOwned + serde::Serialize>(
    api: &str,
    ops: &[(&str, Option<&str>)],
    fields: &[&str],
) -> (Vec<T>, std::collections::BTreeMap<String, usize>) {
    let mut seen: std::collections::BTreeMap<String, usize> =
        fields.iter().map(|f| ((*f).to_owned(), 0)).collect();
    let mut all = Vec::new();
    let mut errs = Vec::new();
    for rec in ok_json(api) {
        let Some((_, key)) = ops.iter().find(|(op, _)| *op == rec.operation) else {
            continue;
        };
        let raws: Vec<&Value> = match key {
            Some(k) => match rec.response_body.get(*k) {
                Some(Value::Array(items)) => items.iter().collect(),
                Some(one) => vec![one],
                None => panic!("{}: no `{k}`", rec.name()),
            },
            None => vec![&rec.response_body],
        };
        for raw in raws {
            let typed: T = parse(&rec, raw);
            let back = serde_json::to_value(&typed).unwrap();
            for f in fields {
                let Some(rv) = raw.get(*f) else { continue };
                if !rv.is_null() {
                    *seen.get_mut(*f).unwrap() += 1;
                }
                match back.get(*f) {
                    Some(tv) => read_back(&format!("{}: {f}", rec.name()), rv, tv, &mut errs),
                    None => errs.push(format!("{}: {f} not modelled", rec.name())),
                }
            }
            all.push(typed);
        }
    }
    assert!(
        errs.is_empty(),
        "{} fields not read:\n{}",
        errs.len(),
        errs.join("\n")
    );
    (all, seen)
}

#[test]
fn instance_server_addresses_placement_boot_and_security_group_are_read() {
    let ops = [
        ("servers-list", Some("servers")),
        ("servers-get", Some("server")),
        ("servers-create", Some("server")),
    ];
    let fields = [
        "boot_type",
        "public_ip",
        "public_ips",
        "private_ip",
        "ipv6",
        "routed_ip_enabled",
        "private_nics",
        "security_group",
        "placement_group",
    ];
    let (servers, seen) = fields_read::<instance::Server>("instance", &ops, &fields);
    // What the recordings hold (39 servers): every one says how it boots and has a security
    // group; public IPs and placement groups on some; no legacy private/IPv6 address.
    assert!(servers.len() > 30, "{} servers", servers.len());
    assert_eq!(seen["boot_type"], servers.len(), "{seen:?}");
    assert_eq!(seen["security_group"], servers.len(), "{seen:?}");
    assert!(
        seen["public_ip"] > 0 && seen["placement_group"] > 0,
        "{seen:?}"
    );
    assert!(
        servers
            .iter()
            .all(|s| s.boot_type == Some(instance::BootType::Local)),
        "recorded boot types are all `local`"
    );
    let ips: Vec<&instance::ServerIp> = servers
        .iter()
        .flat_map(|s| s.public_ips.iter().map(|ip| &**ip))
        .collect();
    assert!(!ips.is_empty());
    for ip in &ips {
        assert!(!ip.address.is_empty() && !ip.gateway.is_empty());
        assert!(matches!(
            ip.family,
            Some(instance::IpFamily::Inet | instance::IpFamily::Inet6)
        ));
        assert!(matches!(
            ip.provisioning_mode,
            Some(instance::IpProvisioningMode::Dhcp | instance::IpProvisioningMode::Slaac)
        ));
        assert!(
            ip.state
                .as_ref()
                .is_some_and(|s| !matches!(s, instance::IpState::Unknown(_)))
        );
    }
    let pg = servers
        .iter()
        .find_map(|s| s.placement_group.as_ref())
        .expect("a recorded placement group");
    assert!(!pg.id.is_empty() && !pg.name.is_empty());
    assert_eq!(
        pg.policy_type,
        Some(instance::PlacementGroupPolicyType::MaxAvailability)
    );
    assert_eq!(
        pg.policy_mode,
        Some(instance::PlacementGroupPolicyMode::Enforced)
    );
    assert!(servers.iter().any(|s| {
        s.private_nics
            .iter()
            .any(|n| !n.private_network_id.is_empty() && !n.ipam_ip_ids.is_empty())
    }));
}

#[test]
fn kapsule_pool_and_cluster_security_fields_are_read() {
    let pool_ops = [
        ("pools-list", Some("pools")),
        ("pools-get", None),
        ("pools-create", None),
    ];
    let pool_fields = [
        "security_group_id",
        "placement_group_id",
        "public_ip_disabled",
        "upgrade_policy",
        "taints",
        "startup_taints",
        "autohealing",
    ];
    let (pools, seen) = fields_read::<k8s::Pool>("k8s", &pool_ops, &pool_fields);
    assert!(pools.len() > 5, "{} pools", pools.len());
    for f in ["security_group_id", "public_ip_disabled", "upgrade_policy"] {
        assert_eq!(seen[f], pools.len(), "{f}: {seen:?}");
    }
    assert!(seen["placement_group_id"] > 0, "{seen:?}");
    assert!(pools.iter().all(|p| !p.security_group_id.is_empty()));
    assert!(pools.iter().all(|p| p.public_ip_disabled.is_some()));
    let taints: Vec<&k8s::Taint> = pools.iter().flat_map(|p| &p.taints).collect();
    assert!(!taints.is_empty(), "recorded pools have taints");
    assert!(taints.iter().all(|t| {
        !t.key.is_empty()
            && t.effect
                .as_ref()
                .is_some_and(|e| !matches!(e, k8s::TaintEffect::Unknown(_)))
    }));
    assert!(pools.iter().any(|p| !p.startup_taints.is_empty()));

    let cluster_ops = [
        ("clusters-list", Some("clusters")),
        ("clusters-get", None),
        ("clusters-create", None),
    ];
    let cluster_fields = [
        "iam_nodes_group_id",
        "auto_upgrade",
        "open_id_connect_config",
    ];
    let (clusters, seen) = fields_read::<k8s::Cluster>("k8s", &cluster_ops, &cluster_fields);
    assert!(clusters.len() > 5, "{} clusters", clusters.len());
    assert_eq!(seen["auto_upgrade"], clusters.len(), "{seen:?}");
    assert!(clusters.iter().any(|c| !c.iam_nodes_group_id.is_empty()));
    assert!(clusters.iter().all(|c| {
        c.auto_upgrade
            .as_ref()
            .and_then(|a| a.maintenance_window.as_ref())
            .is_some_and(|w| w.day == Some(k8s::MaintenanceWindowDay::Any))
    }));
    let oidc = clusters
        .iter()
        .filter_map(|c| c.open_id_connect_config.as_ref())
        .find(|o| o.is_configured())
        .expect("a recorded cluster with OIDC");
    assert_eq!(oidc.issuer_url, "https://accounts.google.com");
    assert_eq!(oidc.groups_claim, ["k8s", "admin"]);
    assert!(clusters.iter().any(|c| {
        c.open_id_connect_config
            .as_ref()
            .is_some_and(|o| !o.is_configured())
    }));
}

#[test]
fn vpc_integration_route_propagation_and_subnet_links_are_read() {
    let ops = [
        ("vpcs-list", Some("vpcs")),
        ("vpcs-get", None),
        ("vpcs-create", None),
    ];
    let fields = [
        "s3_integration_enabled",
        "custom_routes_propagation_enabled",
        "transitivity_enabled",
        "routing_enabled",
    ];
    let (vpcs, seen) = fields_read::<vpc::Vpc>("vpc", &ops, &fields);
    assert_eq!(
        seen["custom_routes_propagation_enabled"],
        vpcs.len(),
        "{seen:?}"
    );
    // Newer recordings only: absent stays `None`, not a made-up `false`.
    let with = vpcs
        .iter()
        .filter(|v| v.s3_integration_enabled.is_some())
        .count();
    assert!(with > 0 && with < vpcs.len(), "{with} of {}", vpcs.len());
    assert!(
        vpcs.iter()
            .any(|v| v.custom_routes_propagation_enabled == Some(true))
    );

    let ops = [
        ("private-networks-list", Some("private_networks")),
        ("private-networks-get", None),
        ("private-networks-create", None),
    ];
    let fields = ["default_route_propagation_enabled", "subnets", "vpc_id"];
    let (pns, seen) = fields_read::<vpc::PrivateNetwork>("vpc", &ops, &fields);
    assert_eq!(
        seen["default_route_propagation_enabled"],
        pns.len(),
        "{seen:?}"
    );
    let mut subnets = 0;
    for pn in &pns {
        for s in &pn.subnets {
            assert_eq!(s.private_network_id, pn.id, "subnet {} of {}", s.id, pn.id);
            assert_eq!(s.vpc_id, pn.vpc_id, "subnet {} of {}", s.id, pn.id);
            assert!(!s.project_id.is_empty());
            subnets += 1;
        }
    }
    assert!(subnets > 20, "{subnets} subnets");
}

#[test]
fn block_v1_kms_key_and_public_are_read() {
    let vol_ops = [
        ("v1-volumes-list", Some("volumes")),
        ("v1-volumes-get", None),
        ("v1alpha1-volumes-get", None),
        ("v1alpha1-volumes-create", None),
    ];
    let (volumes, _) = fields_read::<block::Volume>("block", &vol_ops, &["kms_key_id"]);
    // `kms_key_id` is recorded (always null: no recorded volume uses a customer key) in v1
    // answers since 2026-06; the model reads it as `None`, like its absence.
    let v1_with_key = ok_json("block")
        .iter()
        .filter(|r| r.operation.starts_with("v1-volumes"))
        .flat_map(|r| match r.response_body.get("volumes") {
            Some(Value::Array(a)) => a.clone(),
            _ => vec![r.response_body.clone()],
        })
        .filter(|v| v.get("kms_key_id").is_some())
        .count();
    assert!(
        v1_with_key >= 10,
        "{v1_with_key} recorded v1 volumes carry kms_key_id"
    );
    assert!(volumes.iter().all(|v| v.kms_key_id.is_none()));
    let v: block::Volume = serde_json::from_value(serde_json::json!({
        "id": "6b5e2e4c-3a0c-4b8e-9d58-0d3c7e9b1a11", "status": "available",
        "kms_key_id": "1f5c3a52-8c8c-4e6e-9a4f-2f4c0d9e7b21"}))
    .unwrap();
    assert_eq!(
        v.kms_key_id.as_deref(),
        Some("1f5c3a52-8c8c-4e6e-9a4f-2f4c0d9e7b21")
    );

    let snap_ops = [
        ("v1-snapshots-list", Some("snapshots")),
        ("v1-snapshots-get", None),
        ("v1alpha1-snapshots-get", None),
    ];
    let (snapshots, seen) = fields_read::<block::Snapshot>("block", &snap_ops, &["public"]);
    assert!(seen["public"] >= 6, "{seen:?}");
    // v1 answers say `public`; v1alpha1 ones do not (None, not a made-up `false`).
    assert_eq!(
        snapshots.iter().filter(|s| s.public == Some(false)).count(),
        seen["public"]
    );
    assert!(snapshots.iter().any(|s| s.public.is_none()));
}

#[test]
fn secrets_deletion_state_is_read() {
    let ops = [
        ("secrets-list", Some("secrets")),
        ("secrets-get", None),
        ("secrets-create", None),
    ];
    let (secrets, _) =
        fields_read::<secret::Secret>("secret", &ops, &["deletion_requested_at", "status"]);
    assert!(secrets.len() > 5);
    // One recorded secret is scheduled for deletion (`secrets-get-200-05.json`, read after its
    // deletion was requested): its status stays `ready`, only `deletion_requested_at` says so.
    let scheduled: Vec<&secret::Secret> = secrets
        .iter()
        .filter(|s| s.is_scheduled_for_deletion())
        .collect();
    assert_eq!(scheduled.len(), 1, "{scheduled:?}");
    assert_eq!(scheduled[0].name, "secretVersionNameBasic");
    assert_eq!(scheduled[0].status, secret::SecretStatus::Ready);
    assert_eq!(
        scheduled[0].deletion_requested_at,
        Some("2026-07-03T15:28:06.955940Z".parse().unwrap())
    );
}
