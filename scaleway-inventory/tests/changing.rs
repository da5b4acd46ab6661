//! Listings of a project that changes while it is read: the simulator's churn fault creates
//! and deletes resources between page reads (deletions before the page boundary, deletions
//! compensated by creations), and every source must still report every resource that
//! existed from the start to the end of the sync exactly once, and no resource twice.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use futures::StreamExt;
use scaleway_core::Region;
use scaleway_inventory::{
    Event, Inventory, LocalityReport, LocalityStatus, ResourceKind, SourceName,
};
use scaleway_sim::{Churn, ChurnEventKind, ChurnMode, Faults, Scenario, Sim};

/// Resources of every kind per listing in the `dense` scenario.
const N: usize = 13;
/// Items per page (the simulator's page-size cap): 4 pages per listing.
const CAP: u32 = 4;

const SOURCES: [SourceName; 6] = [
    SourceName::Instance,
    SourceName::Block,
    SourceName::Secret,
    SourceName::Kubernetes,
    SourceName::Vpc,
    SourceName::Registry,
];

/// The simulator's collections, the kind of resource each one gives, and the listing (source,
/// locality) that reads it.
const COLLECTIONS: [(&str, ResourceKind, &str, &str); 10] = [
    (
        "servers",
        ResourceKind::InstanceServer,
        "instance",
        "fr-par-1",
    ),
    (
        "instance_volumes",
        ResourceKind::InstanceVolume,
        "instance",
        "fr-par-1",
    ),
    (
        "block_volumes",
        ResourceKind::BlockVolume,
        "block",
        "fr-par-1",
    ),
    (
        "block_snapshots",
        ResourceKind::BlockSnapshot,
        "block",
        "fr-par-1",
    ),
    ("secrets", ResourceKind::Secret, "secret", "fr-par"),
    (
        "clusters",
        ResourceKind::KubernetesCluster,
        "kubernetes",
        "fr-par",
    ),
    (
        "pools",
        ResourceKind::KubernetesPool,
        "kubernetes",
        "fr-par",
    ),
    ("vpcs", ResourceKind::Vpc, "vpc", "fr-par"),
    (
        "private_networks",
        ResourceKind::PrivateNetwork,
        "vpc",
        "fr-par",
    ),
    (
        "namespaces",
        ResourceKind::RegistryNamespace,
        "registry",
        "fr-par",
    ),
];

/// The listing report of (source, locality).
fn report<'a>(s: &'a Streamed, source: &str, locality: &str) -> &'a LocalityReport {
    s.listings
        .iter()
        .find(|l| l.source == source && l.locality.to_string() == locality)
        .unwrap_or_else(|| panic!("no listing {source} {locality}"))
}

async fn dense(seed: u64) -> Sim {
    Sim::builder(Scenario::dense(N))
        .seed(seed)
        .start()
        .await
        .unwrap()
}

fn inventory(sim: &Sim) -> Inventory {
    let cred = sim.credential("inventory").unwrap().clone();
    let project = sim.project_id("dense").unwrap();
    common::inventory(common::client(sim, &cred))
        .project(project.parse().unwrap())
        .sources(&SOURCES)
        .regions([Region::FrPar])
        .build()
        .unwrap()
}

/// What one sync streamed: how many times each (kind, product id) was emitted, and the
/// listing reports.
struct Streamed {
    seen: HashMap<(ResourceKind, String), u32>,
    listings: Vec<LocalityReport>,
}

async fn sync(inv: &Inventory) -> Streamed {
    let mut seen = HashMap::new();
    let mut listings = Vec::new();
    let mut events = inv.stream();
    while let Some(e) = events.next().await {
        match e {
            Event::Resource(r) => {
                let product_id = r.id().rsplit('/').next().unwrap().to_owned();
                *seen.entry((r.kind().clone(), product_id)).or_insert(0) += 1;
            }
            Event::Finished(l) => listings.push(l),
            _ => {}
        }
    }
    Streamed { seen, listings }
}

/// Runs one sync under `churn` and checks the guarantee exactly: every resource alive from
/// the start to the end of the sync is reported exactly once, none is reported twice, and
/// every listing the simulator changed says so (`reads.changed`) and is `ok`; the listings
/// it did not change (the empty zones) say nothing changed. Returns the sync and the
/// number of changes the simulator made.
async fn check_guarantee(seed: u64, churn: Churn) -> (Streamed, usize) {
    let sim = dense(seed).await;
    let before: BTreeMap<&str, BTreeSet<String>> = COLLECTIONS
        .iter()
        .map(|(c, ..)| (*c, sim.state().ids(c).into_iter().collect()))
        .collect();
    sim.set_faults(Faults {
        page_size_cap: Some(CAP),
        churn: Some(churn),
        ..Faults::default()
    });
    let inv = inventory(&sim);
    let streamed = sync(&inv).await;
    let log = sim.churn_log();
    assert!(!log.is_empty(), "the churn fault changed nothing");
    let deleted: BTreeSet<&str> = log
        .iter()
        .filter(|e| e.kind == ChurnEventKind::Deleted)
        .map(|e| e.id.as_str())
        .collect();
    let mut problems = Vec::new();
    for ((kind, id), n) in &streamed.seen {
        if *n > 1 {
            problems.push(format!("{kind:?} {id} reported {n} times"));
        }
    }
    for (collection, kind, _, _) in &COLLECTIONS {
        for id in &before[collection] {
            if deleted.contains(id.as_str()) {
                continue;
            }
            let n = streamed
                .seen
                .get(&(kind.clone(), id.clone()))
                .copied()
                .unwrap_or(0);
            if n != 1 {
                problems.push(format!(
                    "{kind:?} {id} existed during the whole sync but was reported {n} times"
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "seed {seed}: {} problems after {} changes:\n{}",
        problems.len(),
        log.len(),
        problems.join("\n")
    );
    let changed: BTreeSet<(&str, &str)> = log
        .iter()
        .map(|e| {
            let (_, _, source, locality) = COLLECTIONS
                .iter()
                .find(|(c, ..)| *c == e.collection)
                .unwrap();
            (*source, *locality)
        })
        .collect();
    for l in &streamed.listings {
        let key = (l.source.as_str(), l.locality.to_string());
        let was_changed = changed.contains(&(key.0, key.1.as_str()));
        assert_eq!(
            l.reads.changed, was_changed,
            "seed {seed}: {key:?}: {:?}",
            l.reads
        );
        assert!(
            matches!(l.status, LocalityStatus::Ok { .. }),
            "seed {seed}: {key:?}: {:?} {:?}",
            l.status,
            l.reads
        );
    }
    (streamed, log.len())
}

#[tokio::test]
async fn deletions_before_the_page_boundary_lose_nothing() {
    let (s, _) = check_guarantee(1, Churn::new(1.0, ChurnMode::Delete, 2)).await;
    // The first change of each listing deleted a resource of page 1 before page 2 was
    // read: the resource that opened page 2 moved onto page 1 and only a re-read found it.
    for (source, locality) in [
        ("instance", "fr-par-1"),
        ("block", "fr-par-1"),
        ("secret", "fr-par"),
        ("kubernetes", "fr-par"),
        ("vpc", "fr-par"),
        ("registry", "fr-par"),
    ] {
        let r = &report(&s, source, locality).reads;
        assert!(r.total_moved, "{source}: {r:?}");
        assert!(r.passes >= 2 && r.reread_pages > 0, "{source}: {r:?}");
        assert!(r.reread_found > 0, "{source}: {r:?}");
        assert!(r.is_complete(), "{source}: {r:?}");
    }
}

#[tokio::test]
async fn a_deletion_compensated_by_a_creation_loses_nothing() {
    check_guarantee(2, Churn::new(1.0, ChurnMode::Replace, 2)).await;
}

#[tokio::test]
async fn creations_alone_lose_nothing() {
    let (s, _) = check_guarantee(3, Churn::new(1.0, ChurnMode::Create, 3)).await;
    // Oldest first, a creation lands after every listed resource and shifts nothing: no
    // listing is read twice. (Newest first, as Instance's default, or by name, as Secret
    // Manager's, each creation would shift the later pages.)
    for l in &s.listings {
        assert!(
            l.reads.passes <= 1,
            "{} {}: {:?}",
            l.source,
            l.locality,
            l.reads
        );
    }
}

#[tokio::test]
async fn random_changes_lose_nothing_over_several_seeds() {
    for seed in 10..16 {
        check_guarantee(seed, Churn::new(0.5, ChurnMode::Mixed, 3)).await;
    }
}

/// Requests of one quiet sync of the dense scenario with pages of 4: per listing, one page
/// for an empty collection, else ceil(13 / 4) = 4. Instance and Block: servers and volumes
/// (resp. volumes and snapshots) in fr-par-1 (4 + 4), one empty page each in fr-par-2 and
/// fr-par-3 (2 × 2); secrets 4, and one empty page of those scheduled for deletion;
/// Kubernetes: clusters 4, then the pools of 13 clusters (13 × 4); VPC: VPCs 4, private
/// networks 4; registry namespaces 4.
const QUIET_REQUESTS: u64 = (8 + 4) + (8 + 4) + (4 + 1) + (4 + 13 * 4) + (4 + 4) + 4;

/// A project that never stops changing: a listing may then miss a resource, and it must
/// not pass for complete. Every resource alive during the whole sync that is missing is in
/// a listing reported `incomplete`; still none is reported twice.
#[tokio::test]
async fn a_listing_that_keeps_changing_is_reported_incomplete_never_ok() {
    let sim = dense(7).await;
    let before: BTreeMap<&str, BTreeSet<String>> = COLLECTIONS
        .iter()
        .map(|(c, ..)| (*c, sim.state().ids(c).into_iter().collect()))
        .collect();
    sim.set_faults(Faults {
        page_size_cap: Some(CAP),
        churn: Some(Churn::new(1.0, ChurnMode::Delete, u32::MAX)),
        ..Faults::default()
    });
    let streamed = sync(&inventory(&sim)).await;
    let deleted: BTreeSet<String> = sim
        .churn_log()
        .into_iter()
        .filter(|e| e.kind == ChurnEventKind::Deleted)
        .map(|e| e.id)
        .collect();
    assert!(streamed.seen.values().all(|n| *n == 1), "none twice");
    let mut incomplete = 0;
    for (collection, kind, source, locality) in &COLLECTIONS {
        let listing = report(&streamed, source, locality);
        if let LocalityStatus::Incomplete {
            possibly_missing, ..
        } = listing.status
        {
            incomplete += 1;
            assert!(possibly_missing > 0, "{listing:?}");
            assert!(!listing.reads.is_complete() && listing.reads.changed);
            continue;
        }
        for id in before[collection]
            .iter()
            .filter(|id| !deleted.contains(*id))
        {
            assert!(
                streamed.seen.contains_key(&(kind.clone(), id.clone())),
                "{kind:?} {id} missing from a listing reported {:?}",
                listing.status
            );
        }
    }
    assert!(incomplete > 0, "the bound was never reached");
}

#[tokio::test]
async fn a_quiet_project_costs_one_request_per_page() {
    let sim = dense(1).await;
    sim.set_faults(Faults {
        page_size_cap: Some(CAP),
        ..Faults::default()
    });
    let inv = inventory(&sim);
    let before = sim.request_count();
    let streamed = sync(&inv).await;
    assert_eq!(sim.request_count() - before, QUIET_REQUESTS);
    let total: u32 = streamed.seen.values().sum();
    // Every collection of the scenario: 13 of each, 13 × 13 pools.
    assert_eq!(total as usize, 9 * N + N * N);
    assert!(streamed.seen.values().all(|n| *n == 1));
    for l in &streamed.listings {
        assert!(!l.reads.changed, "{l:?}");
        assert!(l.reads.passes <= 1 && l.reads.reread_pages == 0, "{l:?}");
        assert!(l.reads.is_complete(), "{l:?}");
    }
    let pages: u32 = streamed.listings.iter().map(|l| l.reads.pages).sum();
    assert_eq!(u64::from(pages), QUIET_REQUESTS);
}
