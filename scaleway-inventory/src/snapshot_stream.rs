//! Snapshot documents read as streams: a resource at a time, each parsed from its own bytes
//! (`serde_json::from_slice`, several times faster than `from_reader`'s byte-at-a-time
//! reads), and [`diff_json`], a diff of two documents that never holds either.

use std::io;
use std::sync::mpsc;

use scaleway_core::{Error, ProjectId, Timestamp};
use serde::de::DeserializeOwned;

use crate::report::{LocalityReport, SyncStats};
use crate::resource::Resource;
use crate::snapshot::{
    Diff, SNAPSHOT_FORMAT, STREAMED_SNAPSHOT_FORMAT, Snapshot, change_between, complete_listings,
    listed_ok,
};

/// Bytes asked of the reader at a time.
const CHUNK: usize = 256 * 1024;

/// A JSON document read from `R` into a buffer that holds the value being read (and what
/// was read ahead), not the document.
struct Doc<R> {
    input: R,
    /// Initialized whole; the bytes read are `..end`.
    buf: Vec<u8>,
    end: usize,
    /// Where the unread bytes start.
    pos: usize,
    eof: bool,
}

fn invalid(what: impl std::fmt::Display) -> Error {
    Error::invalid_request(format!("not a snapshot: {what}"))
}

impl<R: io::Read> Doc<R> {
    fn new(input: R) -> Self {
        Doc {
            input,
            buf: Vec::new(),
            end: 0,
            pos: 0,
            eof: false,
        }
    }

    /// Reads more; `false` at the end of the input.
    fn fill(&mut self) -> Result<bool, Error> {
        if self.eof {
            return Ok(false);
        }
        // Only the unread bytes are kept (positions within a value are relative to `pos`).
        if self.pos > 0 && self.pos >= self.end / 2 {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
        }
        if self.buf.len() - self.end < CHUNK / 2 {
            self.buf.resize(self.end + CHUNK, 0);
        }
        let n = loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::invalid_request(format!(
                        "cannot read the snapshot: {e}"
                    )));
                }
            }
        };
        self.end += n;
        self.eof = n == 0;
        Ok(n > 0)
    }

    /// The next byte that is not white space (not consumed); `None` at the end.
    fn peek(&mut self) -> Result<Option<u8>, Error> {
        loop {
            if let Some(i) = self.buf[self.pos..self.end]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
            {
                self.pos += i;
                return Ok(self.buf.get(self.pos).copied());
            }
            self.pos = self.end;
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), Error> {
        match self.peek()? {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => Err(invalid(format_args!(
                "expected `{}`, found `{}`",
                char::from(byte),
                char::from(b)
            ))),
            None => Err(invalid(format_args!(
                "expected `{}`, found the end of the input",
                char::from(byte)
            ))),
        }
    }

    /// The bytes of the next JSON value (consumed): its end is found by brackets and
    /// strings, and serde_json parses and validates it.
    fn value(&mut self) -> Result<(usize, usize), Error> {
        if self.peek()?.is_none() {
            return Err(invalid("the input ends where a value was expected"));
        }
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        // Relative to `self.pos`, the value's start (a read may move the buffer's bytes).
        let mut i = 0;
        loop {
            let Some(&b) = self.buf[..self.end].get(self.pos + i) else {
                if self.fill()? {
                    continue;
                }
                if depth == 0 && !in_string && i > 0 {
                    // A number, `true`, `false` or `null` at the end of the input.
                    break;
                }
                return Err(invalid("the input ends inside a value"));
            };
            i += 1;
            match (in_string, escaped, b) {
                (true, true, _) => escaped = false,
                (true, false, b'\\') => escaped = true,
                (true, false, b'"') => {
                    in_string = false;
                    if depth == 0 {
                        break;
                    }
                }
                (true, false, _) => {}
                (false, _, b'"') => in_string = true,
                (false, _, b'{' | b'[') => depth += 1,
                (false, _, b'}' | b']') if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                (false, _, b'}' | b']' | b',' | b':') if depth == 0 => {
                    // The end of a scalar: not part of it.
                    i -= 1;
                    break;
                }
                (false, _, b) if depth == 0 && b.is_ascii_whitespace() => {
                    i -= 1;
                    break;
                }
                _ => {}
            }
        }
        let start = self.pos;
        self.pos += i;
        Ok((start, self.pos))
    }

    fn parse<T: DeserializeOwned>(&mut self, what: &str) -> Result<T, Error> {
        let (start, end) = self.value()?;
        serde_json::from_slice(&self.buf[start..end])
            .map_err(|e| invalid(format_args!("{what}: {e}")))
    }
}

/// The members of a snapshot document other than its resources.
#[derive(Default)]
struct Members {
    format: Option<u32>,
    taken_at: Option<Timestamp>,
    projects: Option<Vec<ProjectId>>,
    listings: Option<Vec<LocalityReport>>,
    stats: Option<SyncStats>,
}

/// The members every snapshot document has besides its resources, all present.
struct Complete {
    taken_at: Timestamp,
    projects: Vec<ProjectId>,
    listings: Vec<LocalityReport>,
    stats: SyncStats,
}

/// A snapshot document read member by member, its resources one at a time.
pub(crate) struct SnapshotStream<R> {
    doc: Doc<R>,
    members: Members,
    /// `true` once inside the resources array, past its last element.
    resources_done: bool,
    first_resource: bool,
}

impl<R: io::Read> SnapshotStream<R> {
    /// Reads the document up to its first resource (the members before it).
    pub(crate) fn new(input: R) -> Result<Self, Error> {
        let mut s = SnapshotStream {
            doc: Doc::new(input),
            members: Members::default(),
            resources_done: false,
            first_resource: true,
        };
        s.doc.expect(b'{')?;
        if !s.members_until_resources(true)? {
            return Err(invalid("missing field `resources`"));
        }
        if let Some(format) = s.members.format {
            check_format(format)?;
        }
        Ok(s)
    }

    /// The document's format, when it came before its resources (as we write it).
    pub(crate) fn format(&self) -> Option<u32> {
        self.members.format
    }

    /// Reads members until `resources` (its `[` consumed: `true`) or the end of the object.
    fn members_until_resources(&mut self, first: bool) -> Result<bool, Error> {
        let mut first = first;
        loop {
            if self.doc.peek()? == Some(b'}') {
                self.doc.pos += 1;
                return Ok(false);
            }
            if !first {
                self.doc.expect(b',')?;
            }
            first = false;
            let key: String = self.doc.parse("a member name")?;
            self.doc.expect(b':')?;
            let m = &mut self.members;
            match key.as_str() {
                "resources" => {
                    self.doc.expect(b'[')?;
                    return Ok(true);
                }
                "format" => m.format = Some(self.doc.parse("format")?),
                "taken_at" => m.taken_at = Some(self.doc.parse("taken_at")?),
                "projects" => m.projects = Some(self.doc.parse("projects")?),
                "listings" => m.listings = Some(self.doc.parse("listings")?),
                "stats" => m.stats = Some(self.doc.parse("stats")?),
                _ => {
                    self.doc.value()?;
                }
            }
        }
    }

    /// The next resource, in the document's order.
    pub(crate) fn next_resource(&mut self) -> Result<Option<Resource>, Error> {
        match self.next_raw()? {
            Some((start, end)) => serde_json::from_slice(&self.doc.buf[start..end])
                .map(Some)
                .map_err(|e| invalid(format_args!("resources: {e}"))),
            None => Ok(None),
        }
    }

    /// Where the next resource's JSON is in the buffer (valid until the next read).
    fn next_raw(&mut self) -> Result<Option<(usize, usize)>, Error> {
        if self.resources_done {
            return Ok(None);
        }
        if self.doc.peek()? == Some(b']') {
            self.doc.pos += 1;
            self.resources_done = true;
            return Ok(None);
        }
        if !self.first_resource {
            self.doc.expect(b',')?;
        }
        self.first_resource = false;
        self.doc.value().map(Some)
    }

    /// Reads the members after the resources, checks the document ends there and that
    /// every member of a snapshot was there.
    fn finish(mut self) -> Result<Complete, Error> {
        while self.next_resource()?.is_some() {}
        if self.members_until_resources(false)? {
            return Err(invalid("duplicate field `resources`"));
        }
        if self.doc.peek()?.is_some() {
            return Err(invalid("trailing characters after the document"));
        }
        let m = self.members;
        let missing = |f: &str| invalid(format_args!("missing field `{f}`"));
        check_format(m.format.ok_or_else(|| missing("format"))?)?;
        Ok(Complete {
            projects: m.projects.ok_or_else(|| missing("projects"))?,
            listings: m.listings.ok_or_else(|| missing("listings"))?,
            stats: m.stats.ok_or_else(|| missing("stats"))?,
            taken_at: m.taken_at.ok_or_else(|| missing("taken_at"))?,
        })
    }

    /// Reads the rest of the document: the snapshot, sorted and joined.
    pub(crate) fn into_snapshot(mut self) -> Result<Snapshot, Error> {
        let mut resources = Vec::new();
        while let Some(r) = self.next_resource()? {
            resources.push(r);
        }
        let m = self.finish()?;
        Ok(Snapshot::assemble_read(
            m.projects, resources, m.listings, m.stats, m.taken_at,
        ))
    }
}

fn check_format(format: u32) -> Result<(), Error> {
    if format == SNAPSHOT_FORMAT || format == STREAMED_SNAPSHOT_FORMAT {
        Ok(())
    } else {
        Err(invalid(format_args!(
            "unsupported snapshot format {format} (this version reads formats {SNAPSHOT_FORMAT} and {STREAMED_SNAPSHOT_FORMAT})"
        )))
    }
}

/// Resources per batch sent by each reading thread of [`diff_json`], and batches ahead.
const BATCH: usize = 256;
const BATCHES_AHEAD: usize = 8;

/// A resource of a sorted document as written: its ID and its JSON, parsed only when it
/// differs from the other document's (two writes of the same resource are the same bytes).
struct Raw {
    id: String,
    json: Box<[u8]>,
}

impl Raw {
    fn parse(&self) -> Result<Resource, Error> {
        serde_json::from_slice(&self.json).map_err(|e| invalid(format_args!("resources: {e}")))
    }
}

/// The ID of a resource's JSON: read directly when `id` is its first member without
/// escapes (as written), parsed otherwise.
fn raw_id(json: &[u8]) -> Result<String, Error> {
    fn direct(json: &[u8]) -> Option<&str> {
        let rest = json.strip_prefix(b"{")?.trim_ascii_start();
        let rest = rest.strip_prefix(b"\"id\"")?.trim_ascii_start();
        let rest = rest.strip_prefix(b":")?.trim_ascii_start();
        let rest = rest.strip_prefix(b"\"")?;
        let end = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
        (rest.get(end) == Some(&b'"'))
            .then(|| std::str::from_utf8(rest.get(..end)?).ok())
            .flatten()
    }
    if let Some(id) = direct(json) {
        return Ok(id.to_owned());
    }
    #[derive(serde::Deserialize)]
    struct Id {
        id: String,
    }
    serde_json::from_slice::<Id>(json)
        .map(|r| r.id)
        .map_err(|e| invalid(format_args!("resources: {e}")))
}

type Batch = Result<Vec<Raw>, Error>;

/// Reads `input`'s resources on this thread into `tx` in batches, checking their order,
/// then its other members.
fn read_sorted<R: io::Read>(
    input: R,
    which: &'static str,
    tx: &mpsc::SyncSender<Batch>,
) -> Result<Option<Complete>, Error> {
    let result = read_batches(input, which, tx);
    if let Err(e) = &result {
        // The comparison reads the batches: it ends with this error.
        let _ = tx.send(Err(e.clone()));
    }
    result
}

fn read_batches<R: io::Read>(
    input: R,
    which: &'static str,
    tx: &mpsc::SyncSender<Batch>,
) -> Result<Option<Complete>, Error> {
    let mut stream = SnapshotStream::new(input)?;
    if stream.format() != Some(SNAPSHOT_FORMAT) {
        return Err(Error::invalid_request(format!(
            "the {which} snapshot is not in format {SNAPSHOT_FORMAT} (resources sorted by ID) with `format` first: \
             diff_json compares sorted documents as streams; read a streamed (format {STREAMED_SNAPSHOT_FORMAT}) document \
             with Snapshot::read_json and compare with diff, or write it again with Snapshot::write_json"
        )));
    }
    let mut batch = Vec::with_capacity(BATCH);
    let mut last_id: Option<String> = None;
    while let Some((start, end)) = stream.next_raw()? {
        let json: Box<[u8]> = Box::from(&stream.doc.buf[start..end]);
        let id = raw_id(&json)?;
        if let Some(prev) = &last_id
            && *prev >= id
        {
            return Err(Error::invalid_request(format!(
                "the {which} snapshot's resources are not sorted by ID ({prev} before {id}): not a format {SNAPSHOT_FORMAT} document"
            )));
        }
        last_id = Some(id.clone());
        batch.push(Raw { id, json });
        if batch.len() == BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
            if tx.send(Ok(full)).is_err() {
                // The comparison stopped (an error on the other side).
                return Ok(None);
            }
        }
    }
    if !batch.is_empty() {
        let _ = tx.send(Ok(batch));
    }
    stream.finish().map(Some)
}

/// Compares two snapshot documents as streams: the same [`Diff`] as [`diff`](crate::diff)
/// of the two snapshots, without holding either in memory (only the resources of the
/// diff are kept). Each document is read on a thread of its own.
///
/// Both must be sorted documents, as [`Snapshot::write_json`] and [`Snapshot::to_json`]
/// write them ([`SNAPSHOT_FORMAT`]: resources sorted by ID, relations joined both ways).
/// A streamed document ([`STREAMED_SNAPSHOT_FORMAT`], resources in the order a sync found
/// them) is refused with an error saying so: read it with [`Snapshot::read_json`] and use
/// [`diff`](crate::diff).
///
/// ```no_run
/// # fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::{fs::File, io::BufReader};
///
/// let d = scaleway_inventory::diff_json(File::open("monday.json")?, File::open("tuesday.json")?)?;
/// println!("{} added, {} removed, {} changed", d.added.len(), d.removed.len(), d.changed.len());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// [`scaleway_core::ErrorKind::InvalidRequest`] naming the document and what is wrong
/// with it (not JSON, not a snapshot, not sorted, a format this version does not read),
/// or a reader's error.
pub fn diff_json<A, B>(previous: A, current: B) -> Result<Diff, Error>
where
    A: io::Read + Send,
    B: io::Read + Send,
{
    let (ptx, prx) = mpsc::sync_channel(BATCHES_AHEAD);
    let (ctx, crx) = mpsc::sync_channel(BATCHES_AHEAD);
    std::thread::scope(|scope| {
        let prev_reader = scope.spawn(move || read_sorted(previous, "previous", &ptx));
        let cur_reader = scope.spawn(move || read_sorted(current, "current", &ctx));
        let merged = merge(Resources::new(&prx), Resources::new(&crx));
        // Unblock the readers if the comparison stopped early.
        drop((prx, crx));
        let joined = |h: std::thread::ScopedJoinHandle<'_, Result<Option<Complete>, Error>>| {
            h.join()
                .unwrap_or_else(|_| Err(Error::invalid_request("a snapshot reader panicked")))
        };
        let (prev_members, cur_members) = (joined(prev_reader), joined(cur_reader));
        let (mut diff, candidates) = merged?;
        prev_members?;
        let cur_members = cur_members?;
        // Both readers read to the end unless the comparison stopped, and then it failed.
        let listings = cur_members
            .ok_or_else(|| Error::invalid_request("the comparison stopped early"))?
            .listings;
        let complete = complete_listings(&listings);
        for r in candidates {
            if listed_ok(&complete, &r) {
                diff.removed.push(r);
            } else {
                diff.unverified.push(r);
            }
        }
        Ok(diff)
    })
}

/// The resources of a reading thread's batches, one at a time.
struct Resources<'a> {
    rx: &'a mpsc::Receiver<Batch>,
    batch: std::vec::IntoIter<Raw>,
}

impl<'a> Resources<'a> {
    fn new(rx: &'a mpsc::Receiver<Batch>) -> Self {
        Resources {
            rx,
            batch: Vec::new().into_iter(),
        }
    }

    fn next(&mut self) -> Result<Option<Raw>, Error> {
        loop {
            if let Some(r) = self.batch.next() {
                return Ok(Some(r));
            }
            match self.rx.recv() {
                Ok(batch) => self.batch = batch?.into_iter(),
                // The reader is done (its own result tells whether it failed).
                Err(_) => return Ok(None),
            }
        }
    }
}

/// The merge of two ID-sorted streams: added and changed resources, and the resources of
/// the previous snapshot only (removed or unverified: the current listings, at the end of
/// its document, tell).
fn merge(mut prev: Resources<'_>, mut cur: Resources<'_>) -> Result<(Diff, Vec<Resource>), Error> {
    let mut out = Diff::default();
    let mut gone = Vec::new();
    let (mut p, mut c) = (prev.next()?, cur.next()?);
    loop {
        match (p.take(), c.take()) {
            (None, None) => break,
            (Some(a), None) => {
                gone.push(a.parse()?);
                p = prev.next()?;
            }
            (None, Some(b)) => {
                out.added.push(b.parse()?);
                c = cur.next()?;
            }
            (Some(a), Some(b)) => match a.id.cmp(&b.id) {
                std::cmp::Ordering::Equal => {
                    if a.json != b.json {
                        out.changed.extend(change_between(&a.parse()?, &b.parse()?));
                    }
                    (p, c) = (prev.next()?, cur.next()?);
                }
                std::cmp::Ordering::Less => {
                    gone.push(a.parse()?);
                    (p, c) = (prev.next()?, Some(b));
                }
                std::cmp::Ordering::Greater => {
                    out.added.push(b.parse()?);
                    (p, c) = (Some(a), cur.next()?);
                }
            },
        }
    }
    Ok((out, gone))
}

#[cfg(test)]
mod tests {
    use scaleway_core::{Locality, Region};

    use super::*;
    use crate::report::LocalityStatus;
    use crate::resource::{ProductObject, Relation, RelationKind, ResourceKind};
    use crate::snapshot::diff;

    fn appliance(id: &str, state: &str, region: Region) -> Resource {
        Resource::new(
            ResourceKind::Custom("appliance".into()),
            "appliances",
            Locality::Region(region),
            id,
            ProductObject::Custom(
                serde_json::json!({ "serial": id, "note": "a \"quoted\" ] } [ {" }),
            ),
        )
        .with_project(scaleway_core::ProjectId::from_server("p"))
        .with_state(state)
        .with_tags([String::from("t=\\")])
    }

    fn snapshot(resources: Vec<Resource>, par: LocalityStatus) -> Snapshot {
        let listings = vec![
            LocalityReport::new(
                "appliances",
                scaleway_core::ProjectId::from_server("p"),
                Locality::Region(Region::FrPar),
                par,
            ),
            LocalityReport::new(
                "appliances",
                scaleway_core::ProjectId::from_server("p"),
                Locality::Region(Region::NlAms),
                LocalityStatus::Ok { count: 1 },
            ),
        ];
        Snapshot::from_parts(
            vec![scaleway_core::ProjectId::from_server("p")],
            resources,
            listings,
            SyncStats::default(),
        )
    }

    fn pair() -> (Snapshot, Snapshot) {
        let rack = appliance("R", "on", Region::NlAms);
        let previous = snapshot(
            vec![
                appliance("A", "on", Region::FrPar),
                appliance("B", "on", Region::FrPar),
                appliance("C", "on", Region::NlAms),
                appliance("D", "on", Region::NlAms),
                rack.clone()
                    .with_relation(Relation::new(RelationKind::PartOf, "x/nl-ams/A")),
            ],
            LocalityStatus::Ok { count: 2 },
        );
        let current = snapshot(
            vec![
                appliance("B", "off", Region::FrPar),
                appliance("D", "on", Region::NlAms),
                appliance("E", "on", Region::NlAms),
                rack,
            ],
            LocalityStatus::NotAvailable {
                reason: Some("not served".into()),
            },
        );
        (previous, current)
    }

    #[test]
    fn the_streamed_diff_is_the_in_memory_diff() {
        let (previous, current) = pair();
        let expected = diff(&previous, &current);
        assert_eq!(
            (
                expected.added.len(),
                expected.removed.len(),
                expected.changed.len(),
                expected.unverified.len()
            ),
            (1, 1, 2, 1),
            "{expected:?}"
        );
        // Pretty (as written) and compact JSON: the same.
        for (a, b) in [
            (previous.to_json().unwrap(), current.to_json().unwrap()),
            (
                serde_json::to_string(&previous).unwrap(),
                serde_json::to_string(&current).unwrap(),
            ),
        ] {
            let d = diff_json(a.as_bytes(), b.as_bytes()).unwrap();
            assert_eq!(d, expected);
        }
        let d = diff_json(
            previous.to_json().unwrap().as_bytes(),
            previous.to_json().unwrap().as_bytes(),
        )
        .unwrap();
        assert!(d.is_empty());
    }

    /// A reader that gives a few bytes at a time: values cut anywhere.
    struct Trickle<'a>(&'a [u8], usize);

    impl io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_document_read_in_pieces_reads_back_as_written() {
        let (previous, _) = pair();
        let text = previous.to_json().unwrap();
        for step in [1, 7, 300] {
            let back = Snapshot::read_json(Trickle(text.as_bytes(), step)).unwrap();
            assert_eq!(back, previous, "{step}");
        }
        // Members in another order, a member this version does not know.
        let mut v = serde_json::to_value(&previous).unwrap();
        v.as_object_mut()
            .unwrap()
            .insert("zz_new".into(), serde_json::json!([1, {"a": "}"}]));
        let reordered = serde_json::json!({
            "stats": v["stats"], "resources": v["resources"], "zz_new": v["zz_new"],
            "listings": v["listings"], "projects": v["projects"], "taken_at": v["taken_at"],
            "format": 1,
        });
        let back = Snapshot::read_json(reordered.to_string().as_bytes()).unwrap();
        assert_eq!(back, previous);
    }

    #[test]
    fn broken_unsorted_and_streamed_documents_are_refused_with_what_to_do() {
        let (previous, current) = pair();
        let (a, b) = (previous.to_json().unwrap(), current.to_json().unwrap());
        for cut in [0, 1, a.len() / 3, a.len() - 1] {
            let e = diff_json(&a.as_bytes()[..cut], b.as_bytes()).unwrap_err();
            assert!(e.to_string().contains("not a snapshot"), "{cut}: {e}");
            // Said once: a reader's error reaches the caller as it was.
            assert_eq!(
                e.to_string().matches("invalid request").count(),
                1,
                "{cut}: {e}"
            );
        }
        // A document without one of its members is refused, as read_json refuses it: a
        // current snapshot without `listings` would otherwise make every removal
        // unverified.
        for member in ["listings", "projects", "stats", "taken_at"] {
            let mut v = serde_json::to_value(&current).unwrap();
            v.as_object_mut().unwrap().remove(member);
            let without = serde_json::to_string_pretty(&v).unwrap();
            let e = diff_json(a.as_bytes(), without.as_bytes()).unwrap_err();
            assert!(
                e.to_string().contains(&format!("missing field `{member}`")),
                "{member}: {e}"
            );
        }
        let e = diff_json(
            a.replace("\"format\": 1", "\"format\": 3").as_bytes(),
            b.as_bytes(),
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("unsupported snapshot format 3"),
            "{e}"
        );
        let e = diff_json(
            a.as_bytes(),
            b.replace("\"format\": 1", "\"format\": 2").as_bytes(),
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("current snapshot is not in format 1")
                && e.to_string().contains("Snapshot::read_json"),
            "{e}"
        );
        let mut v = serde_json::to_value(&previous).unwrap();
        v["resources"].as_array_mut().unwrap().swap(0, 1);
        let e = diff_json(v.to_string().as_bytes(), b.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("not sorted by ID"), "{e}");
        let e = Snapshot::read_json(format!("{a} x").as_bytes()).unwrap_err();
        assert!(e.to_string().contains("trailing"), "{e}");
    }
}
