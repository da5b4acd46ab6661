//! Snapshots (stable, sorted JSON) and diffs between them ("re-sync").

use std::collections::{BTreeMap, BTreeSet};
use std::io;

use scaleway_core::{Error, ProjectId, Timestamp};
use serde::{Deserialize, Serialize};

use crate::report::{LocalityReport, SyncStats};
use crate::resource::{Relation, RelationKind, Resource, ResourceKind};

/// Version of the sorted snapshot JSON format, which [`Snapshot::to_json`] and
/// [`Snapshot::write_json`] write: resources sorted by ID, each once, with their relations
/// joined both ways.
pub const SNAPSHOT_FORMAT: u32 = 1;

/// Version of the streamed snapshot JSON format, which
/// [`SnapshotWriter`](crate::SnapshotWriter) writes as a sync goes: the same members, but
/// resources in the order the sync found them, with the relations their source saw (the
/// reverse edges, and a server's size from its Block volumes, are added by the reader), and
/// `taken_at` last. [`Snapshot::read_json`] and [`Snapshot::from_json`] read both formats
/// and give the same sorted, joined [`Snapshot`].
pub const STREAMED_SNAPSHOT_FORMAT: u32 = 2;

/// Everything one sync found, and how each listing went.
///
/// Resources are sorted by ID, relations and tags within each resource are sorted, and
/// listings are sorted by source, project and locality, so that the JSON of two syncs of
/// an unchanged project differs only in `taken_at` and `stats`.
///
/// It deserializes from either JSON format ([`SNAPSHOT_FORMAT`],
/// [`STREAMED_SNAPSHOT_FORMAT`]) into the sorted, joined form (so `format` is always
/// [`SNAPSHOT_FORMAT`] in memory), and refuses any other format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawSnapshot")]
#[non_exhaustive]
pub struct Snapshot {
    /// Format version ([`SNAPSHOT_FORMAT`]).
    pub format: u32,
    /// When the sync ended.
    pub taken_at: Timestamp,
    /// The projects discovered (serialized as plain IDs).
    pub projects: Vec<ProjectId>,
    /// Every resource, sorted by ID.
    pub resources: Vec<Resource>,
    /// The status of every listing.
    pub listings: Vec<LocalityReport>,
    /// Timing and retries.
    pub stats: SyncStats,
}

impl Snapshot {
    /// Assembles a snapshot: deduplicates resources by ID, joins relations both ways
    /// (a Block volume's `references` ↔ a server's `volumes` map, a pool ↔ its cluster,
    /// …), fills in a server's size when all its volumes' sizes are known, and sorts.
    ///
    /// Of resources with the same ID, the last one is kept.
    pub fn from_parts(
        projects: Vec<ProjectId>,
        resources: Vec<Resource>,
        listings: Vec<LocalityReport>,
        stats: SyncStats,
    ) -> Snapshot {
        Snapshot::assemble(projects, resources, listings, stats, chrono::Utc::now())
    }

    /// A snapshot as read from either format: sorted, deduplicated and joined.
    pub(crate) fn assemble_read(
        projects: Vec<ProjectId>,
        resources: Vec<Resource>,
        listings: Vec<LocalityReport>,
        stats: SyncStats,
        taken_at: Timestamp,
    ) -> Snapshot {
        Snapshot::assemble(projects, resources, listings, stats, taken_at)
    }

    fn assemble(
        projects: Vec<ProjectId>,
        mut resources: Vec<Resource>,
        mut listings: Vec<LocalityReport>,
        stats: SyncStats,
        taken_at: Timestamp,
    ) -> Snapshot {
        // Sorted in place (stable: of equal IDs the last one found is last, and kept).
        resources.sort_by(|a, b| a.id().cmp(b.id()));
        let mut kept: Vec<Resource> = Vec::with_capacity(resources.len());
        for r in resources {
            match kept.last_mut() {
                Some(last) if last.id() == r.id() => *last = r,
                _ => kept.push(r),
            }
        }
        join(&mut kept);
        listings.sort_by(|a, b| {
            (&a.source, &a.project_id, &a.locality).cmp(&(&b.source, &b.project_id, &b.locality))
        });
        Snapshot {
            format: SNAPSHOT_FORMAT,
            taken_at,
            projects,
            resources: kept,
            listings,
            stats,
        }
    }

    /// The snapshot as stable, pretty-printed JSON ([`SNAPSHOT_FORMAT`]).
    ///
    /// # Errors
    ///
    /// [`scaleway_core::ErrorKind::InvalidRequest`] if a custom object cannot be serialized.
    pub fn to_json(&self) -> Result<String, Error> {
        serde_json::to_string_pretty(self)
            .map_err(|e| Error::invalid_request(format!("cannot serialize the snapshot: {e}")))
    }

    /// Writes the same JSON as [`Snapshot::to_json`] to `out`, as it goes (nothing but the
    /// snapshot is held in memory). Wrap a file or a socket in a [`std::io::BufWriter`].
    ///
    /// # Errors
    ///
    /// The writer's error, or [`io::ErrorKind::InvalidData`] if a custom object cannot be
    /// serialized.
    pub fn write_json<W: io::Write>(&self, out: W) -> io::Result<()> {
        serde_json::to_writer_pretty(out, self).map_err(io::Error::from)
    }

    /// Reads a snapshot written by [`Snapshot::to_json`] or
    /// [`SnapshotWriter`](crate::SnapshotWriter) (either format).
    ///
    /// # Errors
    ///
    /// [`scaleway_core::ErrorKind::InvalidRequest`] naming what is wrong with the JSON.
    pub fn from_json(json: &str) -> Result<Snapshot, Error> {
        let de = &mut serde_json::Deserializer::from_str(json);
        Snapshot::deserialize(de).map_err(not_a_snapshot)
    }

    /// Reads a snapshot from `input` as a stream, resource by resource (the text is never
    /// held whole: the reader is read in chunks of 256 KiB, each resource parsed from its
    /// own bytes), in either format ([`Snapshot::from_json`]). A file needs no
    /// [`std::io::BufReader`].
    ///
    /// # Errors
    ///
    /// [`scaleway_core::ErrorKind::InvalidRequest`] naming what is wrong with the JSON, or
    /// the reader's error.
    pub fn read_json<R: io::Read>(input: R) -> Result<Snapshot, Error> {
        crate::snapshot_stream::SnapshotStream::new(input)?.into_snapshot()
    }

    /// The resource with this ID.
    pub fn get(&self, id: &str) -> Option<&Resource> {
        self.resources
            .binary_search_by(|r| r.id().cmp(id))
            .ok()
            .map(|i| &self.resources[i])
    }

    /// Whether every listing completed (or the product does not exist there).
    pub fn is_complete(&self) -> bool {
        self.listings
            .iter()
            .all(|l| l.status.is_ok() || l.status.is_not_available())
    }

    /// Number of resources of each kind.
    pub fn count_by_kind(&self) -> BTreeMap<ResourceKind, usize> {
        let mut out = BTreeMap::new();
        for r in &self.resources {
            *out.entry(r.kind().clone()).or_insert(0) += 1;
        }
        out
    }
}

fn not_a_snapshot(e: serde_json::Error) -> Error {
    if e.is_io() {
        Error::invalid_request(format!("cannot read the snapshot: {e}"))
    } else {
        Error::invalid_request(format!("not a snapshot: {e}"))
    }
}

/// A snapshot as either JSON format has it, before it is sorted and joined.
#[derive(Deserialize)]
struct RawSnapshot {
    format: u32,
    taken_at: Timestamp,
    projects: Vec<ProjectId>,
    resources: Vec<Resource>,
    listings: Vec<LocalityReport>,
    stats: SyncStats,
}

impl TryFrom<RawSnapshot> for Snapshot {
    type Error = String;

    fn try_from(raw: RawSnapshot) -> Result<Snapshot, String> {
        if raw.format != SNAPSHOT_FORMAT && raw.format != STREAMED_SNAPSHOT_FORMAT {
            return Err(format!(
                "unsupported snapshot format {} (this version reads formats {SNAPSHOT_FORMAT} and {STREAMED_SNAPSHOT_FORMAT})",
                raw.format
            ));
        }
        Ok(Snapshot::assemble(
            raw.projects,
            raw.resources,
            raw.listings,
            raw.stats,
            raw.taken_at,
        ))
    }
}

/// The position of `id` in `sorted` (resources sorted by ID).
fn position(sorted: &[Resource], id: &str) -> Option<usize> {
    sorted.binary_search_by(|r| r.id().cmp(id)).ok()
}

/// Adds the reverse of every relation whose target is there, and fills in servers' sizes;
/// `sorted` is sorted by ID.
///
/// Reverse relations are added in place, one resource at a time (no list of all of them
/// is built: at 100 000 resources it was the peak of a collect). A reverse relation added
/// to a resource not yet visited has, as its own reverse, the relation that made it, which
/// is already there: the result is the same as joining from the original relations only.
fn join(sorted: &mut [Resource]) {
    for i in 0..sorted.len() {
        let mut k = 0;
        while let Some(rel) = sorted[i].relations().get(k) {
            k += 1;
            let Some(kind) = rel.kind.reverse() else {
                continue;
            };
            let Some(target) = position(sorted, &rel.target) else {
                continue;
            };
            // Inserted before `k` (a relation to itself), it shifts the others: one is
            // visited twice, none is skipped.
            let reverse = Relation::new(kind, sorted[i].id());
            sorted[target].add_relation(reverse);
        }
    }
    // A server's size: its volumes', when all are known.
    let size_of = |sorted: &[Resource], id: &str| {
        position(sorted, id)
            .and_then(|i| sorted.get(i))
            .filter(|r| {
                matches!(
                    r.kind(),
                    ResourceKind::BlockVolume | ResourceKind::InstanceVolume
                )
            })
            .and_then(Resource::size_bytes)
    };
    let mut server_sizes: Vec<(usize, u64)> = Vec::new();
    for (i, r) in sorted.iter().enumerate() {
        if *r.kind() != ResourceKind::InstanceServer || r.size_bytes().is_some() {
            continue;
        }
        let crate::resource::ProductObject::InstanceServer(server) = &r.object() else {
            continue;
        };
        let mut total = 0u64;
        let mut known = true;
        for (_, v) in server.volumes_in_order() {
            let size = v.size.or_else(|| {
                r.relations()
                    .iter()
                    .filter(|rel| rel.kind == RelationKind::HasAttached)
                    .find(|rel| {
                        rel.target
                            .strip_suffix(&*v.id.to_str())
                            .is_some_and(|rest| rest.ends_with('/'))
                    })
                    .and_then(|rel| size_of(sorted, &rel.target))
            });
            match size {
                Some(n) => total = total.saturating_add(n),
                None => known = false,
            }
        }
        if known {
            server_sizes.push((i, total));
        }
    }
    for (i, total) in server_sizes {
        sorted[i].set_size(Some(total));
    }
}

/// A resource whose fields changed between two snapshots.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Change {
    /// Resource ID.
    pub id: String,
    /// Kind.
    pub kind: ResourceKind,
    /// Name (current).
    pub name: String,
    /// The fields that changed: `name`, `state`, `tags`, `relations`, …, and
    /// `object.<field>` for the product object's fields. A field a [`Note`](crate::Note)
    /// marks unknown in either snapshot is not compared (nor are the notes themselves).
    pub fields: Vec<String>,
}

/// What changed between two snapshots.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Diff {
    /// In the current snapshot only.
    pub added: Vec<Resource>,
    /// In the previous snapshot only, and their listing is `ok` in the current one.
    pub removed: Vec<Resource>,
    /// In both, with different fields.
    pub changed: Vec<Change>,
    /// In the previous snapshot only, but their listing is not `ok` in the current one
    /// (denied, failed, not run, or not available with this configuration — e.g. a region
    /// a custom Object Storage endpoint does not serve): maybe gone, maybe not. Never
    /// reported as removed.
    pub unverified: Vec<Resource>,
}

impl Diff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.unverified.is_empty()
    }
}

/// Compares two snapshots: added, removed and changed resources (with the fields that
/// changed). Resources whose listing did not complete this time are `unverified`, not
/// `removed`; fields a resource's notes mark unknown (in either snapshot) are not
/// compared, so an attribute that could not be read is never reported as changed.
pub fn diff(previous: &Snapshot, current: &Snapshot) -> Diff {
    let complete = complete_listings(&current.listings);
    let mut out = Diff::default();
    let (prev, cur) = (by_id(&previous.resources), by_id(&current.resources));
    // Both sorted by ID: one pass over each.
    let (mut i, mut j) = (0, 0);
    while i < prev.len() || j < cur.len() {
        let order = match (prev.get(i), cur.get(j)) {
            (Some(p), Some(c)) => p.id().cmp(c.id()),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, _) => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Equal => {
                out.changed.extend(change_between(prev[i], cur[j]));
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                let p = prev[i];
                if listed_ok(&complete, p) {
                    out.removed.push(p.clone());
                } else {
                    out.unverified.push(p.clone());
                }
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                out.added.push(cur[j].clone());
                j += 1;
            }
        }
    }
    out
}

/// The (source, project, locality) of every listing that completed.
pub(crate) fn complete_listings(listings: &[LocalityReport]) -> BTreeSet<(&str, &str, String)> {
    listings
        .iter()
        .filter(|l| l.status.is_ok())
        .map(|l| {
            (
                l.source.as_str(),
                l.project_id.as_str(),
                l.locality.to_string(),
            )
        })
        .collect()
}

/// Whether `r`'s listing completed (so that its absence proves a removal).
pub(crate) fn listed_ok(complete: &BTreeSet<(&str, &str, String)>, r: &Resource) -> bool {
    complete.contains(&(r.source(), r.project_id(), r.locality().to_string()))
}

/// The change between two versions of a resource (same ID), if a compared field differs.
pub(crate) fn change_between(p: &Resource, c: &Resource) -> Option<Change> {
    if p == c {
        return None;
    }
    let fields = changed_fields(p, c);
    (!fields.is_empty()).then(|| Change {
        id: c.id().to_owned(),
        kind: c.kind().clone(),
        name: c.name().to_owned(),
        fields,
    })
}

/// `resources` in ID order (a snapshot's are; sorted here if someone changed them).
fn by_id(resources: &[Resource]) -> Vec<&Resource> {
    let mut refs: Vec<&Resource> = resources.iter().collect();
    if !refs.is_sorted_by(|a, b| a.id() <= b.id()) {
        refs.sort_by(|a, b| a.id().cmp(b.id()));
    }
    refs
}

fn changed_fields(a: &Resource, b: &Resource) -> Vec<String> {
    let (Ok(va), Ok(vb)) = (serde_json::to_value(a), serde_json::to_value(b)) else {
        return vec![String::from("object")];
    };
    let (Some(ma), Some(mb)) = (va.as_object(), vb.as_object()) else {
        return Vec::new();
    };
    let unknown = |field: &str| a.is_unknown(field) || b.is_unknown(field);
    let mut fields = Vec::new();
    let keys: BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
    for k in keys {
        let (x, y) = (ma.get(k), mb.get(k));
        if x == y || k == "notes" || unknown(k) {
            continue;
        }
        if k == "object" {
            // `{"instance_server": {...}}`: name the product fields that differ.
            let inner = |v: Option<&serde_json::Value>| {
                v.and_then(|v| v.as_object())
                    .and_then(|m| m.values().next())
                    .and_then(|v| v.as_object())
                    .cloned()
            };
            match (inner(x), inner(y)) {
                (Some(ox), Some(oy)) => {
                    let okeys: BTreeSet<&String> = ox.keys().chain(oy.keys()).collect();
                    for ok in okeys {
                        let field = format!("object.{ok}");
                        if ox.get(ok) != oy.get(ok) && !unknown(&field) {
                            fields.push(field);
                        }
                    }
                }
                _ => fields.push(String::from("object")),
            }
        } else {
            fields.push(k.clone());
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use scaleway_core::{Locality, Region};

    use super::*;
    use crate::report::LocalityStatus;
    use crate::resource::ProductObject;

    fn listing(locality: Locality, status: LocalityStatus) -> LocalityReport {
        LocalityReport::new(
            "appliances",
            scaleway_core::ProjectId::from_server("p"),
            locality,
            status,
        )
    }

    #[test]
    fn only_an_ok_listing_proves_a_removal() {
        let nl = Locality::Region(Region::NlAms);
        let r = Resource::new(
            ResourceKind::Custom("appliance".into()),
            "appliances",
            nl.clone(),
            "A-1",
            ProductObject::Custom(serde_json::json!({})),
        )
        .with_project(scaleway_core::ProjectId::from_server("p"));
        let previous = Snapshot::from_parts(
            vec![scaleway_core::ProjectId::from_server("p")],
            vec![r],
            vec![listing(nl.clone(), LocalityStatus::Ok { count: 1 })],
            SyncStats::default(),
        );
        let current = |status| {
            Snapshot::from_parts(
                vec![scaleway_core::ProjectId::from_server("p")],
                Vec::new(),
                vec![listing(nl.clone(), status)],
                SyncStats::default(),
            )
        };
        let d = diff(&previous, &current(LocalityStatus::Ok { count: 0 }));
        assert_eq!((d.removed.len(), d.unverified.len()), (1, 0));
        // Not listed this time (e.g. a custom endpoint serving another region): unverified.
        let d = diff(
            &previous,
            &current(LocalityStatus::NotAvailable {
                reason: Some("the custom endpoint serves fr-par only".into()),
            }),
        );
        assert_eq!((d.removed.len(), d.unverified.len()), (0, 1));
        // Listed while the collection kept changing: it may have been missed, unverified.
        let d = diff(
            &previous,
            &current(LocalityStatus::Incomplete {
                count: 0,
                possibly_missing: 1,
            }),
        );
        assert_eq!((d.removed.len(), d.unverified.len()), (0, 1));
    }

    /// Project IDs are typed (`ProjectId`) in the snapshot's projects and listings, but the
    /// JSON is the plain strings, and a resource's project string reads back as written
    /// (not lower-cased): a snapshot reads back and writes the same bytes.
    #[test]
    fn typed_project_ids_keep_the_json_byte_for_byte() {
        let nl = Locality::Region(Region::NlAms);
        let r = Resource::new(
            ResourceKind::Custom("appliance".into()),
            "appliances",
            nl.clone(),
            "A-1",
            ProductObject::Custom(serde_json::json!({})),
        )
        .with_server_project("P-As-Sent");
        let snapshot = Snapshot::from_parts(
            vec![scaleway_core::ProjectId::from_server("p")],
            vec![r],
            vec![listing(nl, LocalityStatus::Ok { count: 1 })],
            SyncStats::default(),
        );
        let json = snapshot.to_json().unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["projects"], serde_json::json!(["p"]));
        assert_eq!(v["listings"][0]["project_id"], "p");
        assert_eq!(v["resources"][0]["project_id"], "P-As-Sent");
        let read = Snapshot::from_json(&json).unwrap();
        assert_eq!(read.resources[0].project_id(), "P-As-Sent");
        assert_eq!(read.listings[0].project_id.as_str(), "p");
        assert_eq!(read.to_json().unwrap(), json);
        // An old document's upper-case project ID is read as server data is: lower-cased.
        let upper = json.replace("\"projects\": [\n    \"p\"", "\"projects\": [\n    \"P\"");
        assert_ne!(upper, json, "the projects member is written as expected");
        assert_eq!(
            Snapshot::from_json(&upper).unwrap().projects[0].as_str(),
            "p"
        );
    }
}
