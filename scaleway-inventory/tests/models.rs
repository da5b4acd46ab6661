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
