//! Writing a sync as it goes: the streamed snapshot JSON and NDJSON.

use std::io::{self, Write};

use scaleway_core::ProjectId;
use serde::Serialize;

use crate::report::{LocalityReport, SyncStats};
use crate::resource::Resource;
use crate::snapshot::STREAMED_SNAPSHOT_FORMAT;
use crate::source::Event;

/// Writes a snapshot document ([`STREAMED_SNAPSHOT_FORMAT`]) as a sync goes: each resource
/// as it arrives, then the listings (sorted, as in a [`Snapshot`](crate::Snapshot)), the
/// stats and `taken_at`. Only the listing reports are kept until the end: a sync of any
/// size is written in the memory of a few resources.
///
/// Resources are in the order found (one per line), with the relations their source saw;
/// [`Snapshot::read_json`](crate::Snapshot::read_json) reads the document back sorted by ID
/// and joined both ways, exactly as [`Inventory::collect`](crate::Inventory::collect) would
/// have returned it. A tool reading the JSON itself gets a stable order by sorting on `id`.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use futures::StreamExt;
/// use scaleway_inventory::{Inventory, SnapshotWriter};
///
/// let inventory = Inventory::builder(scaleway_core::Client::from_env()?).build()?;
/// let file = std::io::BufWriter::new(std::fs::File::create("inventory.json")?);
/// let mut out = SnapshotWriter::new(file, inventory.projects())?;
/// let mut events = inventory.stream();
/// while let Some(event) = events.next().await {
///     out.event(&event)?;
/// }
/// out.finish()?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct SnapshotWriter<W: Write> {
    out: W,
    resources: u64,
    listings: Vec<LocalityReport>,
    stats: SyncStats,
}

impl<W: Write> SnapshotWriter<W> {
    /// Starts the document on `out`: its format and the projects discovered.
    ///
    /// # Errors
    ///
    /// The writer's.
    pub fn new(mut out: W, projects: &[ProjectId]) -> io::Result<Self> {
        write!(
            out,
            "{{\n  \"format\": {STREAMED_SNAPSHOT_FORMAT},\n  \"projects\": "
        )?;
        serde_json::to_writer(&mut out, projects)?;
        out.write_all(b",\n  \"resources\": [")?;
        Ok(SnapshotWriter {
            out,
            resources: 0,
            listings: Vec::new(),
            stats: SyncStats::default(),
        })
    }

    /// Writes one resource.
    ///
    /// # Errors
    ///
    /// The writer's, or [`io::ErrorKind::InvalidData`] if a custom object cannot be
    /// serialized.
    pub fn resource(&mut self, resource: &Resource) -> io::Result<()> {
        let sep: &[u8] = if self.resources == 0 {
            b"\n    "
        } else {
            b",\n    "
        };
        self.out.write_all(sep)?;
        serde_json::to_writer(&mut self.out, resource)?;
        self.resources += 1;
        Ok(())
    }

    /// Keeps a listing's report for the end of the document.
    pub fn listing(&mut self, report: &LocalityReport) {
        self.listings.push(report.clone());
    }

    /// Writes a resource, keeps a listing's report or the stats, as the event says.
    ///
    /// # Errors
    ///
    /// See [`SnapshotWriter::resource`].
    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        match event {
            Event::Resource(r) => self.resource(r)?,
            Event::Finished(report) => self.listing(report),
            Event::Completed(stats) => self.stats = stats.clone(),
            Event::Expected { .. } => {}
        }
        Ok(())
    }

    /// The listing reports kept so far.
    pub fn listings(&self) -> &[LocalityReport] {
        &self.listings
    }

    /// Resources written so far.
    pub fn resource_count(&self) -> u64 {
        self.resources
    }

    /// Ends the document: the listings, the stats ([`Event::Completed`]'s, through
    /// [`SnapshotWriter::event`]) and the time; flushes and returns the writer.
    ///
    /// # Errors
    ///
    /// The writer's.
    pub fn finish(mut self) -> io::Result<W> {
        let end: &[u8] = if self.resources == 0 { b"]" } else { b"\n  ]" };
        self.out.write_all(end)?;
        sort_listings(&mut self.listings);
        self.out.write_all(b",\n  \"listings\": [")?;
        for (i, l) in self.listings.iter().enumerate() {
            self.out
                .write_all(if i == 0 { b"\n    " } else { b",\n    " })?;
            serde_json::to_writer(&mut self.out, l)?;
        }
        let end: &[u8] = if self.listings.is_empty() {
            b"]"
        } else {
            b"\n  ]"
        };
        self.out.write_all(end)?;
        self.out.write_all(b",\n  \"stats\": ")?;
        serde_json::to_writer(&mut self.out, &self.stats)?;
        self.out.write_all(b",\n  \"taken_at\": ")?;
        serde_json::to_writer(&mut self.out, &chrono::Utc::now())?;
        self.out.write_all(b"\n}")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

pub(crate) fn sort_listings(listings: &mut [LocalityReport]) {
    listings.sort_by(|a, b| {
        (&a.source, &a.project_id, &a.locality).cmp(&(&b.source, &b.project_id, &b.locality))
    });
}

/// Writes a sync as NDJSON, one JSON object per line, each with a `type`:
///
/// * `{"type":"resource", …}`: a resource (its members as in a snapshot), as it arrives;
/// * `{"type":"listing", …}`: a listing's report (as in a snapshot's `listings`), after
///   every resource, sorted;
/// * `{"type":"completed", "format":2, "projects":[…], "complete":…, "stats":{…},
///   "taken_at":…}`: the last line; without it, the output was cut short. `complete` is
///   [`Snapshot::is_complete`](crate::Snapshot::is_complete).
///
/// Resources come as the sync finds them, with the relations their source saw (as in
/// [`SnapshotWriter`]'s document).
#[derive(Debug)]
pub struct NdjsonWriter<W: Write> {
    out: W,
    projects: Vec<ProjectId>,
    line: Vec<u8>,
    listings: Vec<LocalityReport>,
    stats: SyncStats,
}

impl<W: Write> NdjsonWriter<W> {
    /// A writer on `out`, for a sync of `projects`.
    pub fn new(out: W, projects: &[ProjectId]) -> Self {
        NdjsonWriter {
            out,
            projects: projects.to_vec(),
            line: Vec::new(),
            listings: Vec::new(),
            stats: SyncStats::default(),
        }
    }

    /// Writes `value` (an object) as a line with `type` first.
    fn typed_line<T: Serialize>(&mut self, kind: &str, value: &T) -> io::Result<()> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, value)?;
        let members = match self.line.as_slice() {
            [b'{', b'}'] => &[][..],
            [b'{', rest @ ..] => rest,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("a {kind} line must be a JSON object"),
                ));
            }
        };
        write!(self.out, "{{\"type\":\"{kind}\"")?;
        if members.is_empty() {
            self.out.write_all(b"}\n")
        } else {
            self.out.write_all(b",")?;
            self.out.write_all(members)?;
            self.out.write_all(b"\n")
        }
    }

    /// Writes a resource line.
    ///
    /// # Errors
    ///
    /// The writer's, or [`io::ErrorKind::InvalidData`] if a custom object cannot be
    /// serialized.
    pub fn resource(&mut self, resource: &Resource) -> io::Result<()> {
        self.typed_line("resource", resource)
    }

    /// Writes a resource line, or keeps a listing's report or the stats, as the event says.
    ///
    /// # Errors
    ///
    /// See [`NdjsonWriter::resource`].
    pub fn event(&mut self, event: &Event) -> io::Result<()> {
        match event {
            Event::Resource(r) => self.resource(r)?,
            Event::Finished(report) => self.listings.push(report.clone()),
            Event::Completed(stats) => self.stats = stats.clone(),
            Event::Expected { .. } => {}
        }
        Ok(())
    }

    /// Writes the listing lines and the `completed` line; flushes and returns the writer.
    ///
    /// # Errors
    ///
    /// The writer's.
    pub fn finish(mut self) -> io::Result<W> {
        let mut listings = std::mem::take(&mut self.listings);
        sort_listings(&mut listings);
        for l in &listings {
            self.typed_line("listing", l)?;
        }
        let complete = listings
            .iter()
            .all(|l| l.status.is_ok() || l.status.is_not_available());
        let completed = serde_json::json!({
            "format": STREAMED_SNAPSHOT_FORMAT,
            "projects": self.projects,
            "complete": complete,
            "stats": self.stats,
            "taken_at": chrono::Utc::now(),
        });
        self.typed_line("completed", &completed)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use scaleway_core::{Locality, Region};

    use super::*;
    use crate::report::LocalityStatus;

    const P: &str = "11111111-2222-4333-8444-555555555555";

    fn projects() -> Vec<ProjectId> {
        vec![P.parse().unwrap()]
    }
    use crate::resource::{ProductObject, Relation, RelationKind, ResourceKind};
    use crate::snapshot::Snapshot;

    fn appliance(id: &str, relation: Option<&str>) -> Resource {
        let mut r = Resource::new(
            ResourceKind::Custom("appliance".into()),
            "appliances",
            Locality::Region(Region::FrPar),
            id,
            ProductObject::Custom(serde_json::json!({ "serial": id })),
        )
        .with_name(format!("appliance {id}"))
        .with_project(scaleway_core::ProjectId::from_server(P));
        if let Some(target) = relation {
            r = r.with_relation(Relation::new(RelationKind::PartOf, target));
        }
        r
    }

    fn listing(source: &str) -> LocalityReport {
        LocalityReport {
            source: source.into(),
            project_id: scaleway_core::ProjectId::from_server(P),
            locality: Locality::Region(Region::FrPar),
            status: LocalityStatus::Ok { count: 1 },
            reads: Default::default(),
        }
    }

    fn events() -> Vec<Event> {
        let rack = Resource::make_id(
            &ResourceKind::Custom("appliance".into()),
            &Locality::Region(Region::FrPar),
            "A-0",
        );
        vec![
            Event::Resource(Box::new(appliance("B-2", Some(&rack)))),
            Event::Finished(listing("zeta")),
            Event::Resource(Box::new(appliance("A-0", None))),
            Event::Resource(Box::new(appliance("A-1", Some(&rack)))),
            Event::Finished(listing("alpha")),
            Event::Completed(SyncStats {
                requests: 3,
                ..SyncStats::default()
            }),
        ]
    }

    fn collected() -> Snapshot {
        let (mut resources, mut listings, mut stats) = (Vec::new(), Vec::new(), None);
        for e in events() {
            match e {
                Event::Resource(r) => resources.push(*r),
                Event::Finished(l) => listings.push(l),
                Event::Completed(s) => stats = Some(s),
                Event::Expected { .. } => {}
            }
        }
        Snapshot::from_parts(
            vec![scaleway_core::ProjectId::from_server(P)],
            resources,
            listings,
            stats.unwrap(),
        )
    }

    #[test]
    fn a_streamed_snapshot_reads_back_as_the_collected_one() {
        let mut w = SnapshotWriter::new(Vec::new(), &projects()).unwrap();
        for e in &events() {
            w.event(e).unwrap();
        }
        let bytes = w.finish().unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(doc["format"], 2);
        // As found, with the relations their source saw.
        let ids: Vec<&str> = doc["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        assert!(
            ids[0].ends_with("B-2") && ids[1].ends_with("A-0"),
            "{ids:?}"
        );
        assert!(
            doc["resources"][1]
                .get("relations")
                .unwrap()
                .as_array()
                .unwrap()
                .is_empty()
        );
        assert_eq!(doc["listings"][0]["source"], "alpha");
        assert_eq!(doc["stats"]["requests"], 3);

        let back = Snapshot::read_json(bytes.as_slice()).unwrap();
        let expected = collected();
        assert_eq!(back.resources, expected.resources, "sorted and joined");
        assert_eq!(back.listings, expected.listings);
        assert_eq!(back.stats, expected.stats);
        assert_eq!(back.format, crate::SNAPSHOT_FORMAT);
        let rack = back
            .resources
            .iter()
            .find(|r| r.id().ends_with("A-0"))
            .unwrap();
        assert_eq!(rack.relations().len(), 2, "{:?}", rack.relations());
        // The sorted form reads back the same, from a string or a reader.
        let sorted = expected.to_json().unwrap();
        let mut written = Vec::new();
        expected.write_json(&mut written).unwrap();
        assert_eq!(written, sorted.as_bytes());
        assert_eq!(
            Snapshot::read_json(sorted.as_bytes()).unwrap(),
            Snapshot::from_json(&sorted).unwrap()
        );
        assert_eq!(
            Snapshot::from_json(&sorted).unwrap().to_json().unwrap(),
            sorted
        );
    }

    #[test]
    fn an_empty_sync_is_a_valid_document() {
        let bytes = SnapshotWriter::new(Vec::new(), &[])
            .unwrap()
            .finish()
            .unwrap();
        let back = Snapshot::read_json(bytes.as_slice()).unwrap();
        assert!(back.resources.is_empty() && back.listings.is_empty());
    }

    #[test]
    fn other_formats_and_cut_documents_are_refused() {
        let mut w = SnapshotWriter::new(Vec::new(), &projects()).unwrap();
        for e in &events() {
            w.event(e).unwrap();
        }
        let bytes = w.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        let e = Snapshot::from_json(&text.replace("\"format\": 2", "\"format\": 3")).unwrap_err();
        assert!(
            e.to_string().contains("unsupported snapshot format 3"),
            "{e}"
        );
        let e = Snapshot::read_json(&text.as_bytes()[..text.len() / 2]).unwrap_err();
        assert!(e.to_string().contains("not a snapshot"), "{e}");
        let e = Snapshot::read_json(format!("{text} trailing").as_bytes()).unwrap_err();
        assert!(e.to_string().contains("not a snapshot"), "{e}");
    }

    #[test]
    fn ndjson_has_a_typed_line_per_resource_then_the_listings_then_completed() {
        let mut w = NdjsonWriter::new(Vec::new(), &projects());
        for e in &events() {
            w.event(e).unwrap();
        }
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        let lines: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "resource",
                "resource",
                "resource",
                "listing",
                "listing",
                "completed"
            ]
        );
        assert!(lines[0]["id"].as_str().unwrap().ends_with("B-2"));
        assert_eq!(lines[0]["name"], "appliance B-2");
        let r: Resource = serde_json::from_value(lines[1].clone()).unwrap();
        assert_eq!(r, appliance("A-0", None));
        assert_eq!(
            (&lines[3]["source"], &lines[3]["status"]),
            (&"alpha".into(), &"ok".into())
        );
        let last = &lines[5];
        assert_eq!(
            (&last["complete"], &last["format"]),
            (&true.into(), &2.into())
        );
        assert_eq!(last["stats"]["requests"], 3);
        assert_eq!(last["projects"][0], P);
    }
}
