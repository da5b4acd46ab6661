//! A sync written as it goes (streamed snapshot JSON, NDJSON, coverage tally) gives what
//! the collected snapshot gives, end to end against the simulator's `demo` scenario.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use futures::StreamExt;
use scaleway_inventory::{
    CoveragePolicy, Event, Exclusion, NdjsonWriter, Resource, Snapshot, SnapshotWriter, SourceName,
};
use scaleway_sim::{Scenario, Sim};

const JSON_SOURCES: [SourceName; 6] = [
    SourceName::Instance,
    SourceName::Block,
    SourceName::Secret,
    SourceName::Kubernetes,
    SourceName::Vpc,
    SourceName::Registry,
];

#[tokio::test]
async fn a_streamed_sync_reads_back_as_the_collected_snapshot_and_tallies_the_same_coverage() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let cred = sim.credential("inventory").unwrap().clone();
    let inventory = common::inventory(common::client(&sim, &cred))
        .sources(&JSON_SOURCES)
        .build()
        .unwrap();
    let policy = CoveragePolicy::new()
        .protect("web-1")
        .exclude("tag=no-backup".parse::<Exclusion>().unwrap());

    let collected = inventory.collect().await;
    assert!(
        collected.resources.len() > 10,
        "{}",
        collected.resources.len()
    );

    let mut doc = SnapshotWriter::new(Vec::new(), inventory.projects()).unwrap();
    let mut lines = NdjsonWriter::new(Vec::new(), inventory.projects());
    let mut tally = policy.tally();
    let mut events = inventory.stream();
    while let Some(event) = events.next().await {
        if let Event::Resource(r) = &event {
            tally.add(r);
        }
        doc.event(&event).unwrap();
        lines.event(&event).unwrap();
    }
    let doc = doc.finish().unwrap();
    let streamed = Snapshot::read_json(doc.as_slice()).unwrap();
    // Relations joined both ways, servers' sizes filled in, sorted: as collected.
    assert_eq!(streamed.resources, collected.resources);
    assert_eq!(streamed.listings, collected.listings);
    assert_eq!(tally.report(), policy.report(&collected));

    let text = String::from_utf8(lines.finish().unwrap()).unwrap();
    let mut resources: Vec<Resource> = Vec::new();
    let mut listings = 0;
    let mut last = String::new();
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        match v["type"].as_str().unwrap() {
            "resource" => {
                assert_eq!(listings, 0, "resources come before listings");
                resources.push(serde_json::from_value(v).unwrap());
            }
            "listing" => listings += 1,
            other => last = other.to_owned(),
        }
    }
    assert_eq!(last, "completed");
    assert_eq!(listings, collected.listings.len());
    let from_lines = Snapshot::from_parts(
        collected.projects.clone(),
        resources,
        collected.listings.clone(),
        collected.stats.clone(),
    );
    assert_eq!(from_lines.resources, collected.resources);
}
