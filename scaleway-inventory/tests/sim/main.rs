//! End to end against the simulator's `demo` scenario.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../common/mod.rs"]
mod common;
mod object_storage;

use object_storage::s3_source;

use std::collections::BTreeSet;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use scaleway_core::{Region, RetryPolicy};
use scaleway_inventory::{
    BackupRole, CoveragePolicy, CoverageStatus, Event, Exclusion, FailureKind, Inventory,
    LocalityStatus, ProductObject, RelationKind, Resource, ResourceKind, Snapshot, SourceName,
    diff,
};
use scaleway_sim::{Faults, LocalityFault, RuleSpec, Scenario, Sim};

const JSON_SOURCES: [SourceName; 6] = [
    SourceName::Instance,
    SourceName::Block,
    SourceName::Secret,
    SourceName::Kubernetes,
    SourceName::Vpc,
    SourceName::Registry,
];

async fn demo() -> Sim {
    Sim::start(Scenario::demo()).await.unwrap()
}

/// Names of the resources of `kind` (Kapsule's node servers, `scw-…`, left out).
fn names(s: &Snapshot, kind: ResourceKind) -> BTreeSet<String> {
    s.resources
        .iter()
        .filter(|r| r.kind() == &kind && !r.name().starts_with("scw-"))
        .map(|r| r.name().to_owned())
        .collect()
}

#[tokio::test]
async fn every_json_source_on_the_demo_production_project() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let prod = sim.project_id("production").unwrap();
    let client = common::client(&sim, &cred);
    let inv = common::inventory(client)
        .project(prod.parse().unwrap())
        .sources(&JSON_SOURCES)
        .build()
        .unwrap();
    let snap = inv.collect().await;
    // Where the product does not exist: reported, not listed.
    let absent = [
        ("block", "it-mil-1"),
        ("registry", "it-mil"),
        ("secret", "it-mil"),
    ];
    for l in &snap.listings {
        let key = (l.source.as_str(), l.locality.to_string());
        if absent.iter().any(|(s, loc)| (*s, loc.to_string()) == key) {
            assert_eq!(l.status, LocalityStatus::not_available(), "{key:?}");
        } else {
            assert!(
                matches!(l.status, LocalityStatus::Ok { .. }),
                "{} {}: {:?}",
                l.source,
                l.locality,
                l.status
            );
        }
    }
    // Every (source, locality) was reported once: listed where the product exists.
    assert_eq!(snap.listings.len(), 10 + 10 + 4 + 4 + 4 + 4);
    assert!(snap.is_complete());
    assert!(snap.resources.iter().all(|r| r.project_id() == prod));
    assert_eq!(
        names(&snap, ResourceKind::InstanceServer),
        ["batch-1", "db-1", "web-1", "web-2", "worker-1"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        names(&snap, ResourceKind::Secret),
        ["api-token", "db-password", "old-api-token"]
            .map(String::from)
            .into()
    );
    assert_eq!(
        names(&snap, ResourceKind::RegistryNamespace),
        ["acme-prod"].map(String::from).into()
    );
    assert_eq!(
        names(&snap, ResourceKind::KubernetesCluster),
        ["production-kapsule"].map(String::from).into()
    );
    assert_eq!(names(&snap, ResourceKind::KubernetesPool).len(), 1);
    assert!(names(&snap, ResourceKind::Vpc).contains("production-vpc"));
    assert!(names(&snap, ResourceKind::PrivateNetwork).contains("production-pn"));
    assert!(names(&snap, ResourceKind::BlockVolume).contains("backup-data"));
    assert!(names(&snap, ResourceKind::BlockSnapshot).contains("backup-data-weekly"));
    // Counts in the reports add up to the resources.
    let total: u64 = snap
        .listings
        .iter()
        .map(|l| match l.status {
            LocalityStatus::Ok { count } => count,
            _ => 0,
        })
        .sum();
    assert_eq!(total as usize, snap.resources.len());
    // The secret source never read a secret value.
    assert!(
        sim.route_counts()
            .iter()
            .all(|(r, _)| !r.contains("/access")),
        "{:?}",
        sim.route_counts()
    );
}

#[tokio::test]
async fn servers_and_block_volumes_are_joined_both_ways() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let client = common::client(&sim, &cred);
    let inv = common::inventory(client)
        .sources(&[SourceName::Instance, SourceName::Block])
        .build()
        .unwrap();
    let snap = inv.collect().await;
    let mut edges = 0;
    for server in snap
        .resources
        .iter()
        .filter(|r| *r.kind() == ResourceKind::InstanceServer)
    {
        let scaleway_inventory::ProductObject::InstanceServer(s) = &server.object() else {
            panic!("typed server object")
        };
        for (_, v) in s.volumes_in_order() {
            let target = server
                .relations()
                .iter()
                .find(|r| {
                    r.kind == RelationKind::HasAttached && r.target.ends_with(&*v.id.to_str())
                })
                .unwrap_or_else(|| panic!("{} has {} attached", server.name(), v.id));
            let volume = snap
                .get(&target.target)
                .unwrap_or_else(|| panic!("{} is in the snapshot", target.target));
            assert!(
                volume
                    .relations()
                    .iter()
                    .any(|r| r.kind == RelationKind::AttachedTo && r.target == server.id()),
                "{} is attached to {}",
                volume.id(),
                server.id()
            );
            if *volume.kind() == ResourceKind::BlockVolume {
                let scaleway_inventory::ProductObject::BlockVolume(b) = &volume.object() else {
                    panic!("typed volume")
                };
                assert!(
                    b.references.iter().any(|r| r.product_resource_id == s.id),
                    "the Block API's references name the server"
                );
                edges += 1;
            }
        }
        // Servers with Block volumes are backup sources and destinations; sizes known.
        let has_block = server
            .relations()
            .iter()
            .any(|r| r.target.starts_with("block_volume/"));
        assert_eq!(
            server.roles().contains(&BackupRole::Source),
            has_block,
            "{}",
            server.name()
        );
        assert!(server.size_bytes().is_some(), "{} size", server.name());
    }
    assert!(edges >= 5, "{edges} server ↔ Block volume edges");
    // A standalone volume is attached to nothing.
    let backup = snap
        .resources
        .iter()
        .find(|r| r.name() == "backup-data")
        .unwrap();
    assert!(
        backup
            .relations()
            .iter()
            .all(|r| r.kind != RelationKind::AttachedTo)
    );
    assert_eq!(
        backup.roles(),
        vec![BackupRole::Source, BackupRole::Destination]
    );
}

#[tokio::test]
async fn a_product_without_rights_is_denied_and_the_rest_completes() {
    let sim = demo().await;
    let prod = sim.project_id("production").unwrap();
    // An application with every read-only set but Secret Manager's and Container Registry's.
    let app = sim.state().add_application("no-secrets");
    sim.state()
        .add_policy(
            "no-secrets",
            scaleway_sim::PolicyPrincipal::Application(app.clone()),
            vec![RuleSpec::projects(
                &[
                    "InstancesReadOnly",
                    "BlockStorageReadOnly",
                    "KubernetesReadOnly",
                    "VPCReadOnly",
                    "PrivateNetworksReadOnly",
                ],
                &[&prod],
            )],
        )
        .unwrap();
    let key = sim.state().create_api_key(&app, false, &prod).unwrap();
    let client = common::client_with(&sim, &key.access_key, &key.secret_key, &prod, 64);
    let snap = common::inventory(client)
        .sources(&JSON_SOURCES)
        .build()
        .unwrap()
        .collect()
        .await;
    for l in &snap.listings {
        if l.status.is_not_available() {
            assert_eq!(l.locality.to_string().get(..6), Some("it-mil"), "{l:?}");
        } else if l.source == "secret" || l.source == "registry" {
            let LocalityStatus::Denied { missing, .. } = &l.status else {
                panic!("secret {}: {:?}", l.locality, l.status)
            };
            assert!(
                missing.iter().any(|m| m.action == "read"),
                "the 403 details name the missing permission: {missing:?}"
            );
        } else {
            assert!(
                l.status.is_ok(),
                "{} {}: {:?}",
                l.source,
                l.locality,
                l.status
            );
        }
    }
    assert!(!snap.is_complete());
    assert_eq!(names(&snap, ResourceKind::InstanceServer).len(), 5);
    assert!(names(&snap, ResourceKind::Secret).is_empty());
    assert!(names(&snap, ResourceKind::RegistryNamespace).is_empty());
}

#[tokio::test]
async fn a_region_answering_503_is_reported_and_the_rest_completes() {
    let sim = demo().await;
    sim.set_faults(Faults {
        locality_faults: vec![LocalityFault::unavailable("nl-ams")],
        ..Faults::default()
    });
    let cred = sim.credential("inventory").unwrap().clone();
    let snap = common::inventory(common::client(&sim, &cred))
        .sources(&JSON_SOURCES)
        .build()
        .unwrap()
        .collect()
        .await;
    let mut failed = 0;
    for l in &snap.listings {
        let in_nl_ams = l.locality.region().is_some_and(|r| r.as_str() == "nl-ams");
        if in_nl_ams {
            let LocalityStatus::Failed { error, kind, .. } = &l.status else {
                panic!("{} {}: {:?}", l.source, l.locality, l.status)
            };
            assert!(error.contains("503"), "{error}");
            assert_eq!(*kind, FailureKind::Api, "{error}");
            failed += 1;
        } else {
            assert!(
                l.status.is_ok() || l.status.is_not_available(),
                "{} {}: {:?}",
                l.source,
                l.locality,
                l.status
            );
        }
    }
    assert_eq!(
        failed,
        3 + 3 + 1 + 1 + 1 + 1,
        "every nl-ams listing is reported"
    );
    assert!(
        snap.stats.retries > 0,
        "503s were retried: {:?}",
        snap.stats
    );
    let servers = names(&snap, ResourceKind::InstanceServer);
    assert!(servers.contains("web-1") && !servers.contains("worker-1"));
}

#[tokio::test]
async fn snapshot_round_trip_and_diff() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let inv = common::inventory(common::client(&sim, &cred))
        .sources(&JSON_SOURCES)
        .build()
        .unwrap();
    let first = inv.collect().await;
    let json = first.to_json().unwrap();
    let back = Snapshot::from_json(&json).unwrap();
    assert_eq!(back, first);
    assert_eq!(back.to_json().unwrap(), json, "stable JSON");
    let ids: Vec<&str> = first.resources.iter().map(|r| r.id()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted, "sorted by id");

    // Nothing changed: an empty diff.
    let again = inv.collect().await;
    assert!(
        diff(&first, &again).is_empty(),
        "{:?}",
        diff(&first, &again)
    );

    // Delete a server: it is removed, its Block volume changes (references, status).
    let web2 = first
        .resources
        .iter()
        .find(|r| r.name() == "web-2")
        .unwrap()
        .clone();
    let web2_id = web2.id().rsplit('/').next().unwrap().to_owned();
    sim.state().delete_server(&web2_id).unwrap();
    let after = inv.collect().await;
    let d = diff(&first, &after);
    assert_eq!(d.removed.len(), 1, "{d:?}");
    assert_eq!(d.removed[0].id(), web2.id());
    assert!(d.added.is_empty());
    let detached: Vec<_> = d
        .changed
        .iter()
        .filter(|c| c.kind == ResourceKind::BlockVolume)
        .collect();
    assert!(!detached.is_empty(), "{d:?}");
    for c in &detached {
        assert!(c.fields.contains(&"relations".to_owned()), "{c:?}");
        assert!(c.fields.contains(&"object.references".to_owned()), "{c:?}");
        assert!(c.fields.contains(&"state".to_owned()), "{c:?}");
    }

    // A listing that fails next time makes its resources unverified, not removed.
    sim.set_faults(Faults {
        locality_faults: vec![LocalityFault::unavailable("pl-waw")],
        ..Faults::default()
    });
    let partial = inv.collect().await;
    let d = diff(&after, &partial);
    assert!(d.removed.is_empty(), "{d:?}");
    assert!(
        d.unverified.iter().any(|r| r.name() == "batch-1"),
        "{:?}",
        d.unverified
    );
}

#[tokio::test]
async fn coverage_with_exclusions() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let snap = common::inventory(common::client(&sim, &cred))
        .sources(&JSON_SOURCES)
        .build()
        .unwrap()
        .collect()
        .await;
    let by_name = |n: &str| {
        snap.resources
            .iter()
            .find(|r| r.name() == n)
            .unwrap_or_else(|| panic!("{n}"))
            .clone()
    };
    let db_password = by_name("db-password");
    let web1 = by_name("web-1");
    let policy = CoveragePolicy::new()
        .protect(db_password.id().to_owned())
        .protect(web1.id().rsplit('/').next().unwrap()) // the bare product ID works too
        .exclude("name=api-*".parse::<Exclusion>().unwrap())
        .exclude("tag=batch".parse::<Exclusion>().unwrap());
    let report = policy.report(&snap);
    assert_eq!(
        report.resources.get(db_password.id()),
        Some(&CoverageStatus::Protected)
    );
    assert_eq!(
        report.resources.get(web1.id()),
        Some(&CoverageStatus::Protected)
    );
    assert_eq!(
        report.resources.get(by_name("api-token").id()),
        Some(&CoverageStatus::Excluded)
    );
    assert_eq!(
        report.resources.get(by_name("batch-1").id()),
        Some(&CoverageStatus::Excluded)
    );
    assert_eq!(
        report.resources.get(by_name("backup-data").id()),
        Some(&CoverageStatus::Unprotected)
    );
    // VPCs are not backup-able: not counted.
    assert!(
        !report
            .resources
            .contains_key(by_name("production-vpc").id())
    );
    let secrets = report
        .by_kind
        .iter()
        .find(|r| r.kind == ResourceKind::Secret)
        .unwrap();
    assert_eq!(
        (
            secrets.counts.protected,
            secrets.counts.unprotected,
            secrets.counts.excluded
        ),
        (1, 1, 1),
        "old-api-token, scheduled for deletion but still there, is unprotected"
    );
    assert_eq!(secrets.percentage, Some(50.0));
    let t = report.total;
    assert_eq!(
        (t.protected + t.unprotected + t.excluded) as usize,
        report.resources.len()
    );
    assert_eq!(report.by_project.len(), 1);
    let p = t.percentage().unwrap();
    assert!(p > 0.0 && p < 100.0, "{p}");
}

#[tokio::test]
async fn the_stream_yields_resources_before_their_listing_report() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let inv = common::inventory(common::client(&sim, &cred))
        .sources(&JSON_SOURCES)
        .build()
        .unwrap();
    let mut stream = inv.stream();
    let mut finished: BTreeSet<(String, String)> = BTreeSet::new();
    let mut resources = 0;
    let mut completed = 0;
    while let Some(event) = stream.next().await {
        match event {
            Event::Resource(r) => {
                resources += 1;
                let key = (r.source().to_owned(), r.locality().to_string());
                assert!(
                    !finished.contains(&key),
                    "{} arrived after its listing's report",
                    r.id()
                );
            }
            Event::Finished(l) => {
                assert!(finished.insert((l.source.to_string(), l.locality.to_string())));
            }
            Event::Completed(_) => completed += 1,
            _ => {}
        }
    }
    assert_eq!(completed, 1);
    assert!(resources > 20);
    assert_eq!(finished.len(), 36, "a report per source and locality");
}

#[tokio::test]
async fn a_diff_reports_a_resource_added_between_two_syncs() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let prod = sim.project_id("production").unwrap();
    let client = common::client(&sim, &cred);
    let inv = common::inventory(client.clone())
        .sources(&[SourceName::ObjectStorage, SourceName::Secret])
        .object_storage(s3_source(&sim, &client))
        .build()
        .unwrap();
    let first = inv.collect().await;
    sim.state().add_bucket(scaleway_sim::Bucket {
        name: "acme-prod-logs".into(),
        region: "pl-waw".into(),
        project_id: prod.clone(),
        versioning: scaleway_sim::BucketVersioning::Unversioned,
        tags: vec![("env".into(), "production".into())],
        created_at: 1_780_000_000_000_000,
    });
    let second = inv.collect().await;
    let d = diff(&first, &second);
    assert_eq!(d.added.len(), 1, "{d:?}");
    let added = &d.added[0];
    assert_eq!(added.id(), "bucket/pl-waw/acme-prod-logs");
    assert_eq!(added.project_id(), prod);
    assert_eq!(added.tags(), ["env=production"]);
    assert!(d.removed.is_empty() && d.changed.is_empty() && d.unverified.is_empty());
    // And the reverse is a removal.
    let back = diff(&second, &first);
    assert_eq!(back.removed.len(), 1);
    assert!(back.added.is_empty());
}

/// A tool's own source: fr-par lists two appliances, nl-ams is refused, pl-waw breaks after
/// one; it has no it-mil.
#[derive(Debug)]
struct Appliances;

#[scaleway_inventory::async_trait]
impl scaleway_inventory::Source for Appliances {
    fn name(&self) -> &str {
        "appliances"
    }

    fn localities(&self) -> Vec<scaleway_core::Locality> {
        [Region::FrPar, Region::NlAms, Region::PlWaw]
            .into_iter()
            .map(scaleway_core::Locality::Region)
            .collect()
    }

    async fn list(
        &self,
        ctx: &scaleway_inventory::ListContext,
        out: &mut scaleway_inventory::Emitter,
    ) -> Result<(), scaleway_inventory::Error> {
        let appliance = |serial: &str| {
            Resource::new(
                ResourceKind::Custom("appliance".into()),
                self.name(),
                ctx.locality.clone(),
                serial,
                ProductObject::Custom(serde_json::json!({ "serial": serial })),
            )
            .with_name(format!("appliance {serial}"))
            .with_project(ctx.project_id.clone())
            .with_roles(&[BackupRole::Source])
        };
        match ctx.locality.to_string().as_str() {
            "fr-par" => {
                out.announce(2).await;
                out.emit(appliance("A-1")).await?;
                out.emit(appliance("A-2")).await
            }
            "nl-ams" => {
                out.set_status(LocalityStatus::Denied {
                    missing: Vec::new(),
                    message: "the appliance API refused the token".into(),
                });
                Err(scaleway_inventory::Error::invalid_request("refused"))
            }
            _ => {
                out.emit(appliance("W-1")).await?;
                Err(scaleway_inventory::Error::invalid_request(
                    "the appliance API broke",
                ))
            }
        }
    }
}

#[tokio::test]
async fn a_custom_name_among_the_built_in_sources_is_refused_with_the_way_to_add_it() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let err = common::inventory(common::client(&sim, &cred))
        .sources(&[SourceName::Instance, SourceName::from_name("appliances")])
        .build()
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("`appliances` is not a built-in source"),
        "{msg}"
    );
    assert!(msg.contains("add_source"), "{msg}");
    // A custom name spelling a built-in one is that source.
    let inv = common::inventory(common::client(&sim, &cred))
        .sources(&[SourceName::Custom("vpc".into())])
        .build()
        .unwrap();
    assert_eq!(inv.sources().len(), 1);
    assert_eq!(inv.sources()[0].name(), "vpc");
}

#[tokio::test]
async fn a_custom_source_runs_through_the_engine_with_its_statuses() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let inv = common::inventory(common::client(&sim, &cred))
        .sources(&[])
        .add_source(Arc::new(Appliances))
        .build()
        .unwrap();
    assert_eq!(inv.sources().len(), 1);
    let before = sim.request_count();
    let mut expected = 0;
    let mut events = inv.stream();
    let mut resources = Vec::new();
    let mut listings = Vec::new();
    while let Some(e) = events.next().await {
        match e {
            Event::Expected { source, count } => {
                assert_eq!(source, "appliances");
                expected += count;
            }
            Event::Resource(r) => resources.push(*r),
            Event::Finished(l) => listings.push(l),
            _ => {}
        }
    }
    assert_eq!(expected, 2);
    assert_eq!(
        sim.request_count(),
        before,
        "the custom source sent nothing"
    );
    let snap = Snapshot::from_parts(
        vec![cred.project_id.parse().unwrap()],
        resources,
        listings,
        Default::default(),
    );
    let status = |loc: &str| {
        snap.listings
            .iter()
            .find(|l| l.locality.to_string() == loc)
            .unwrap_or_else(|| panic!("{loc}: {:?}", snap.listings))
            .status
            .clone()
    };
    assert_eq!(snap.listings.len(), 4, "{:?}", snap.listings);
    assert_eq!(status("fr-par"), LocalityStatus::Ok { count: 2 });
    assert!(
        matches!(status("nl-ams"), LocalityStatus::Denied { message, .. } if message.contains("refused the token"))
    );
    assert!(
        matches!(
            status("pl-waw"),
            LocalityStatus::Failed { partial_count: 1, kind: FailureKind::InvalidRequest, ref error } if error.contains("broke")
        ),
        "{:?}",
        status("pl-waw")
    );
    assert_eq!(status("it-mil"), LocalityStatus::not_available());
    assert!(!snap.is_complete());
    // Resources of a failed listing are kept; custom kinds count in coverage.
    let ids: Vec<&str> = snap.resources.iter().map(|r| r.id()).collect();
    assert_eq!(
        ids,
        [
            "appliance/fr-par/A-1",
            "appliance/fr-par/A-2",
            "appliance/pl-waw/W-1"
        ]
    );
    let report = CoveragePolicy::new().protect("A-1").report(&snap);
    assert_eq!((report.total.protected, report.total.unprotected), (1, 2));
}

#[tokio::test]
async fn where_a_product_does_not_exist_it_is_reported_not_available_without_a_request() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let client = common::client(&sim, &cred);
    let sources = [SourceName::Block, SourceName::Secret, SourceName::Registry];

    // Only it-mil, where none of them exists: every listing skipped, nothing sent.
    let before = sim.request_count();
    let snap = common::inventory(client.clone())
        .sources(&sources)
        .regions([Region::ItMil])
        .build()
        .unwrap()
        .collect()
        .await;
    assert_eq!(sim.request_count(), before, "{:?}", sim.route_counts());
    let got: BTreeSet<(String, String)> = snap
        .listings
        .iter()
        .map(|l| {
            assert_eq!(l.status, LocalityStatus::not_available(), "{l:?}");
            (l.source.to_string(), l.locality.to_string())
        })
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("block", "it-mil-1"),
        ("registry", "it-mil"),
        ("secret", "it-mil"),
    ]
    .map(|(s, l)| (s.to_owned(), l.to_owned()))
    .into();
    assert_eq!(got, want);
    assert!(snap.is_complete(), "not available is not a failure");

    // Everywhere: listed where they exist, one request per listing call, none for it-mil.
    let snap = common::inventory(client)
        .sources(&sources)
        .build()
        .unwrap()
        .collect()
        .await;
    let na: Vec<String> = snap
        .listings
        .iter()
        .filter(|l| l.status.is_not_available())
        .map(|l| format!("{} {}", l.source, l.locality))
        .collect();
    assert_eq!(na, ["block it-mil-1", "registry it-mil", "secret it-mil"]);
    let count = |route: &str| {
        sim.route_counts()
            .into_iter()
            .find(|(r, _)| r == route)
            .map_or(0, |(_, n)| n)
    };
    assert_eq!(count("GET /block/v1/zones/{zone}/volumes"), 9);
    assert_eq!(count("GET /block/v1/zones/{zone}/snapshots"), 9);
    assert_eq!(count("GET /block/v1alpha1/zones/{zone}/volumes"), 0);
    // Two listings per region: not scheduled, then scheduled for deletion.
    assert_eq!(
        count("GET /secret-manager/v1beta1/regions/{region}/secrets"),
        6
    );
    assert_eq!(count("GET /registry/v1/regions/{region}/namespaces"), 3);
}

#[tokio::test]
async fn coverage_excludes_by_id() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let snap = common::inventory(common::client(&sim, &cred))
        .sources(&JSON_SOURCES)
        .build()
        .unwrap()
        .collect()
        .await;
    let by_name = |n: &str| {
        snap.resources
            .iter()
            .find(|r| r.name() == n)
            .unwrap()
            .clone()
    };
    let (db1, web1, secret) = (by_name("db-1"), by_name("web-1"), by_name("db-password"));
    let web1_bare = web1.id().rsplit('/').next().unwrap().to_owned();
    let policy = CoveragePolicy::new()
        // Exclusion wins over protection.
        .protect(db1.id().to_owned())
        .exclude(Exclusion::from_str(&format!("id={}", db1.id())).unwrap())
        // The bare product ID.
        .exclude(Exclusion::from_str(&format!("id={web1_bare}")).unwrap())
        // A pattern on the full ID: every secret in fr-par.
        .exclude("id=secret/fr-par/*".parse().unwrap());
    let report = policy.report(&snap);
    for r in [&db1, &web1, &secret] {
        assert_eq!(
            report.resources.get(r.id()),
            Some(&CoverageStatus::Excluded),
            "{}",
            r.id()
        );
    }
    let secrets_fr_par = snap
        .resources
        .iter()
        .filter(|r| r.id().starts_with("secret/fr-par/"))
        .count();
    let secrets = report
        .by_kind
        .iter()
        .find(|r| r.kind == ResourceKind::Secret)
        .unwrap();
    assert_eq!(secrets.counts.excluded as usize, secrets_fr_par);
    // An ID matching nothing excludes nothing.
    let none = CoveragePolicy::new()
        .exclude("id=no-such-id".parse().unwrap())
        .report(&snap);
    assert_eq!(none.total.excluded, 0);
    assert!(none.total.unprotected > 0);
}

#[tokio::test]
async fn listings_retry_with_the_inventorys_policy_not_the_clients() {
    // 3 requests per second for everyone: most listings meet 429s. The simulator's clock
    // moves only by its latency (100 ms per request, not waited), so the first window holds
    // the first ten requests whatever the machine's speed: the 4th is refused for sure, and
    // every tenth request opens a new window, so the listings complete.
    let sim = Sim::builder(Scenario::demo())
        .rate_limit(3)
        .latency(Duration::from_millis(100))
        .clock(scaleway_sim::SimClock::new())
        .start()
        .await
        .unwrap();
    let cred = sim.credential("inventory").unwrap().clone();
    let prod = sim.project_id("production").unwrap();
    // The client never retries; the inventory's policy does.
    let client = common::client_with(&sim, &cred.access_key, &cred.secret_key, &prod, 64);
    let client = scaleway_core::Client::builder()
        .config(client.config().clone())
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let patient = RetryPolicy::default()
        .with_max_attempts(500)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(40))
        .with_budget(Duration::from_secs(30));
    let snap = Inventory::builder(client)
        .sources(&[SourceName::Instance])
        .regions([Region::FrPar])
        .retry(patient.clone())
        .build()
        .unwrap()
        .collect()
        .await;
    assert!(snap.is_complete(), "{:?}", snap.listings);
    assert_eq!(names(&snap, ResourceKind::InstanceServer).len(), 3);
    let s = &snap.stats;
    assert!(s.rate_limited > 0 && s.retries > 0, "{s:?}");
    assert_eq!(s.requests, 6 + s.retries, "{s:?}");
    // How long it waited: wall time with at least one call backing off.
    assert!(s.retry_wall() > Duration::ZERO, "{s:?}");
    assert!(s.retry_wall() <= s.elapsed(), "{s:?}");
    assert_eq!(
        Inventory::builder(common::client(&sim, &cred))
            .build()
            .unwrap()
            .retry_policy(),
        &Inventory::default_retry()
    );
}

/// The fields a backup or security inventory needs, end to end on the demo: a server's
/// placement group and IPv6 address, a Block volume's customer key, a public snapshot, a
/// secret scheduled for deletion (listed with its state and deletion time).
#[tokio::test]
async fn security_fields_and_secrets_scheduled_for_deletion_end_to_end() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let snap = common::inventory(common::client(&sim, &cred))
        .sources(&JSON_SOURCES)
        .build()
        .unwrap()
        .collect()
        .await;
    assert!(snap.is_complete(), "{:?}", snap.listings);
    let by_name = |n: &str| {
        snap.resources
            .iter()
            .find(|r| r.name() == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let ProductObject::InstanceServer(web2) = &by_name("web-2").object() else {
        panic!("server")
    };
    let pg = web2
        .placement_group
        .as_ref()
        .expect("web-2 is in a placement group");
    assert_eq!(pg.name, "web-spread");
    assert_eq!(
        pg.policy_type,
        Some(scaleway_inventory::model::instance::PlacementGroupPolicyType::MaxAvailability)
    );
    assert_eq!(
        web2.boot_type,
        Some(scaleway_inventory::model::instance::BootType::Local)
    );
    assert!(
        web2.security_group
            .as_ref()
            .is_some_and(|g| !g.id.is_empty())
    );
    let ProductObject::InstanceServer(web1) = &by_name("web-1").object() else {
        panic!("server")
    };
    assert!(web1.public_ips.iter().any(|ip| ip.family
        == Some(scaleway_inventory::model::instance::IpFamily::Inet6)
        && ip.address.starts_with("2001:")));
    let ProductObject::BlockVolume(backup) = &by_name("backup-data").object() else {
        panic!("volume")
    };
    assert!(backup.kms_key_id.as_deref().is_some_and(|k| k.len() == 36));
    let public: Vec<&str> = snap
        .resources
        .iter()
        .filter_map(|r| match &r.object() {
            ProductObject::BlockSnapshot(s) if s.public == Some(true) => Some(r.name()),
            _ => None,
        })
        .collect();
    assert_eq!(public, ["web-1-boot-2026-03-01"]);
    let ProductObject::KubernetesPool(pool) = &snap
        .resources
        .iter()
        .find(|r| *r.kind() == ResourceKind::KubernetesPool)
        .unwrap()
        .object()
    else {
        panic!("pool")
    };
    assert!(!pool.security_group_id.is_empty());
    assert_eq!(pool.public_ip_disabled, Some(false));
    assert!(pool.upgrade_policy.is_some());
    let old = by_name("old-api-token");
    assert_eq!(old.state(), "scheduled_for_deletion");
    let ProductObject::Secret(s) = &old.object() else {
        panic!("secret")
    };
    assert!(s.deletion_requested_at.is_some());
    assert_eq!(by_name("api-token").state(), "ready");
}
