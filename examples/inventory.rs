//! The main job of a backup control plane: discover what a Scaleway project holds, re-sync
//! (diff against a previous run) and show backup coverage.
//!
//! ```text
//! cargo run --example inventory -- [--project-id UUID] [--sources LIST] [--json | --ndjson]
//!     [--diff previous.json] [--exclude tag=...|name=...|id=...]... [--protect ID]...
//! ```
//!
//! `--sources` takes a comma-separated subset of `instance`, `block`, `secret`,
//! `object-storage`, `kubernetes`, `vpc`, `registry` (default: all). Progress goes to stderr
//! (a bar per source). On stdout: a summary table (resources, listing statuses, notes,
//! coverage, and the diff with `--diff`), or with `--json` one JSON document holding the
//! snapshot (with every listing's status), the coverage report (with `--exclude` and
//! `--protect` applied) and the diff with `--diff`, or with `--ndjson` one line per
//! resource, then per listing, then a `completed` line (docs/inventory.md). `--json`
//! without `--diff` and `--ndjson` write resources as the sync finds them and keep none in
//! memory. Save the `--json` output and pass it to `--diff` next time (a bare snapshot
//! written by `Snapshot::to_json` or `SnapshotWriter` works too). With no
//! Scaleway credentials configured, it runs against the in-process simulator (demo
//! scenario) with its `inventory` key on the `production` project, and says so on stderr.
//! Exit status: 0 when every listing completed, 3 when some were denied, failed or
//! incomplete (they are listed), 1 on an error, 2 on a usage error (bad argument, `--diff`
//! file missing, unreadable or not a snapshot). `--help` prints this usage on stdout.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example: results on stdout, progress and errors on stderr"
)]

// Its `println!`/`eprintln!` shadow std's: a closed pipe ends the example quietly.
#[macro_use]
#[allow(unreachable_pub, reason = "shared helpers, used by several examples")]
mod common;

use std::collections::BTreeMap;
use std::io::{self, BufReader, BufWriter, Write};
use std::process::ExitCode;

use futures::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use scaleway_core::{ProjectId, Region};
use scaleway_inventory::{
    CoveragePolicy, CoverageReport, Diff, Event, Exclusion, Inventory, LocalityReport,
    LocalityStatus, NdjsonWriter, ObjectStorageSource, Snapshot, SnapshotWriter, SourceName, diff,
};
use serde::Deserialize;

const USAGE: &str = "usage: cargo run --example inventory -- [--project-id UUID] [--sources LIST] [--json | --ndjson] [--diff previous.json] [--exclude tag=...|name=...|id=...]... [--protect ID]...
  --project-id UUID  the project to discover (default: the configured default project)
  --sources LIST     comma-separated: instance, block, secret, object-storage, kubernetes, vpc, registry (default: all)
  --json             one JSON document on stdout: snapshot (with listing statuses), coverage, diff
  --ndjson           one JSON object per line on stdout: each resource, then each listing, then `completed`
  --diff FILE        compare with a previous run (its --json output, or a snapshot)
  --exclude RULE     exclude from backup coverage: tag=PATTERN, name=PATTERN or id=PATTERN (* and ?)
  --protect ID       a resource the backup tool protects (resource ID or bare product ID)
  -h, --help         this help
exit status: 0 complete, 3 some listings denied, failed or incomplete, 1 error, 2 usage error";

/// What the command line asks for.
#[derive(Debug)]
enum Command {
    Help,
    Run(Box<Args>),
}

/// What goes to stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    Summary,
    Json,
    Ndjson,
}

#[derive(Debug)]
struct Args {
    project: Option<ProjectId>,
    sources: Vec<SourceName>,
    output: Output,
    /// The `--diff` file and the snapshot it holds (read before anything runs).
    previous: Option<(String, Snapshot)>,
    exclusions: Vec<Exclusion>,
    protected: Vec<String>,
}

fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut out = Args {
        project: None,
        sources: SourceName::ALL.to_vec(),
        output: Output::Summary,
        previous: None,
        exclusions: Vec::new(),
        protected: Vec::new(),
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--project-id" => {
                let v = value("--project-id")?;
                out.project = Some(v.parse().map_err(|e| format!("--project-id: {e}"))?);
            }
            "--sources" => out.sources = SourceName::parse_list(&value("--sources")?)?,
            "--json" | "--ndjson" => {
                let wanted = if a == "--json" {
                    Output::Json
                } else {
                    Output::Ndjson
                };
                if out.output != Output::Summary && out.output != wanted {
                    return Err("--json and --ndjson: choose one".to_owned());
                }
                out.output = wanted;
            }
            "--diff" => {
                let path = value("--diff")?;
                let previous = load_previous(&path)?;
                out.previous = Some((path, previous));
            }
            "--exclude" => out.exclusions.push(
                value("--exclude")?
                    .parse()
                    .map_err(|e| format!("--exclude: {e}"))?,
            ),
            "--protect" => out.protected.push(value("--protect")?),
            "-h" | "--help" => return Ok(Command::Help),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if out.output == Output::Ndjson
        && (out.previous.is_some() || !out.exclusions.is_empty() || !out.protected.is_empty())
    {
        return Err(
            "--ndjson writes the sync only (resources and listings): --diff, --exclude and --protect need --json or the summary"
                .to_owned(),
        );
    }
    Ok(Command::Run(Box::new(out)))
}

/// This example's `--json` document, of which `--diff` needs the snapshot only.
#[derive(Deserialize)]
struct PreviousRun {
    snapshot: Snapshot,
}

/// The snapshot in a `--diff` file: this example's `--json` document, or a bare snapshot.
/// Read as a stream (the file is never held whole).
fn load_previous(path: &str) -> Result<Snapshot, String> {
    let open = || {
        std::fs::File::open(path)
            .map(|f| BufReader::with_capacity(1 << 16, f))
            .map_err(|e| format!("--diff {path}: cannot read the previous run: {e}"))
    };
    let hint = "give the --json output of a previous run";
    let mut de = serde_json::Deserializer::from_reader(open()?);
    match PreviousRun::deserialize(&mut de) {
        Ok(run) => Ok(run.snapshot),
        // Not a document: a bare snapshot?
        Err(e) if e.to_string().starts_with("missing field `snapshot`") => {
            Snapshot::read_json(open()?).map_err(|e| format!("--diff {path}: {e}; {hint}"))
        }
        Err(e) if e.is_io() => Err(format!("--diff {path}: cannot read the previous run: {e}")),
        Err(e) => Err(format!("--diff {path}: not a snapshot ({e}); {hint}")),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    common::init_tracing();
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Command::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Run(a)) => *a,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(3),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

async fn run(args: Args) -> Result<bool, Box<dyn std::error::Error>> {
    let target = common::connect(None, "inventory", "scaleway-inventory-example").await?;
    let mut builder = Inventory::builder(target.client.clone()).sources(&args.sources);
    if let Some(p) = args.project.clone() {
        builder = builder.project(p);
    }
    if let Some(sim) = &target.sim {
        // The simulator serves S3 on one local endpoint per region (path-style).
        let mut s3 = ObjectStorageSource::builder().from_client(&target.client);
        for region in Region::ALL {
            if let Some(url) = sim.s3_endpoint(region.as_str()) {
                s3 = s3.endpoint(region.clone(), url);
            }
        }
        builder = builder.object_storage(s3.build()?);
    }
    let inventory = builder.build()?;
    let policy = args.exclusions.iter().cloned().fold(
        CoveragePolicy::new().protect_all(args.protected.iter().cloned()),
        CoveragePolicy::exclude,
    );
    let mut progress = Progress::new(&inventory);
    let out = BufWriter::with_capacity(1 << 16, common::stdout());
    match (args.output, &args.previous) {
        (Output::Json, None) => Ok(stream_json(&inventory, &policy, &mut progress, out).await?),
        (Output::Ndjson, _) => Ok(stream_ndjson(&inventory, &mut progress, out).await?),
        (output, previous) => {
            let snapshot = collect(&inventory, &mut progress).await;
            let coverage = policy.report(&snapshot);
            let changes = previous
                .as_ref()
                .map(|(path, previous)| (path.as_str(), diff(previous, &snapshot)));
            if output == Output::Json {
                let mut out = out;
                let changes = changes.as_ref().map(|(_, d)| d);
                write_document(&mut out, &snapshot, &policy, &coverage, changes)?;
                out.flush()?;
            } else {
                print_summary(&snapshot, &coverage);
                if let Some((path, d)) = &changes {
                    print_diff(path, d);
                }
            }
            Ok(snapshot.is_complete())
        }
    }
}

/// Events queued for the writer thread (back-pressure beyond).
const WRITER_QUEUE: usize = 4096;

/// Runs `write` on a thread of its own, fed the sync's events through a bounded queue, so
/// that serializing never holds up the sync; `on_event` sees each event first (progress,
/// coverage). `write`'s result once the sync ended.
async fn write_on_a_thread<T: Send + 'static>(
    inventory: &Inventory,
    mut on_event: impl FnMut(&Event),
    write: impl FnOnce(std::sync::mpsc::Receiver<Event>) -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Event>(WRITER_QUEUE);
    let writer = std::thread::spawn(move || write(rx));
    let mut events = inventory.stream();
    while let Some(event) = events.next().await {
        on_event(&event);
        // The writer stops early only on an error, which join reports.
        if tx.send(event).is_err() {
            break;
        }
    }
    drop(tx);
    writer
        .join()
        .map_err(|_| io::Error::other("the output thread panicked"))?
}

/// `--json` without `--diff`: the document written as the sync goes (resources as they
/// arrive; nothing kept but the coverage counts and the listing reports).
async fn stream_json<W: Write + Send + 'static>(
    inventory: &Inventory,
    policy: &CoveragePolicy,
    progress: &mut Progress,
    out: W,
) -> io::Result<bool> {
    let mut tally = policy.tally();
    let projects = inventory.projects().to_vec();
    let (mut out, listings) = write_on_a_thread(
        inventory,
        |event| {
            progress.on(event);
            if let Event::Resource(r) = event {
                tally.add(r);
            }
        },
        move |events| {
            let mut out = out;
            start_document(&mut out)?;
            let mut snapshot = SnapshotWriter::new(&mut out, &projects)?;
            for event in events {
                snapshot.event(&event)?;
            }
            let listings = snapshot.listings().to_vec();
            snapshot.finish()?;
            Ok((out, listings))
        },
    )
    .await?;
    let complete = is_complete(&listings);
    end_document(&mut out, policy, &tally.report(), None, complete)?;
    out.flush()?;
    Ok(complete)
}

/// `--ndjson`: a line per resource as it arrives, then per listing, then `completed`.
async fn stream_ndjson<W: Write + Send + 'static>(
    inventory: &Inventory,
    progress: &mut Progress,
    out: W,
) -> io::Result<bool> {
    let mut listings = Vec::new();
    let projects = inventory.projects().to_vec();
    write_on_a_thread(
        inventory,
        |event| {
            progress.on(event);
            if let Event::Finished(l) = event {
                listings.push(l.clone());
            }
        },
        move |events| {
            let mut lines = NdjsonWriter::new(out, &projects);
            for event in events {
                lines.event(&event)?;
            }
            lines.finish().map(|_| ())
        },
    )
    .await?;
    Ok(is_complete(&listings))
}

/// Whether every listing completed (or the product does not exist there).
fn is_complete(listings: &[LocalityReport]) -> bool {
    listings
        .iter()
        .all(|l| l.status.is_ok() || l.status.is_not_available())
}

/// Runs the sync to a snapshot (kept: the summary and `--diff` need all of it).
async fn collect(inventory: &Inventory, progress: &mut Progress) -> Snapshot {
    let mut resources = Vec::new();
    let mut listings = Vec::new();
    let mut stats = Default::default();
    let mut events = inventory.stream();
    while let Some(event) = events.next().await {
        progress.on(&event);
        match event {
            Event::Resource(r) => resources.push(*r),
            Event::Finished(l) => listings.push(l),
            Event::Completed(s) => stats = s,
            _ => {}
        }
    }
    Snapshot::from_parts(inventory.projects().to_vec(), resources, listings, stats)
}

/// A progress bar per source on stderr.
struct Progress {
    /// Listings yet to report, per source (the ones run and the ones skipped).
    listings_left: BTreeMap<String, usize>,
    bars: BTreeMap<String, ProgressBar>,
    _multi: MultiProgress,
}

impl Progress {
    fn new(inventory: &Inventory) -> Progress {
        let mut listings_left: BTreeMap<String, usize> = BTreeMap::new();
        for (source, _, _) in inventory.plan().into_iter().chain(inventory.skipped()) {
            *listings_left.entry(source.name().to_owned()).or_default() += 1;
        }
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{prefix:>15} {bar:30} {pos:>6}/{len:<6} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        let bars = listings_left
            .keys()
            .map(|name| {
                let bar = multi.add(ProgressBar::new(0));
                bar.set_style(style.clone());
                bar.set_prefix(name.clone());
                (name.clone(), bar)
            })
            .collect();
        Progress {
            listings_left,
            bars,
            _multi: multi,
        }
    }

    fn on(&mut self, event: &Event) {
        match event {
            Event::Expected { source, count } => {
                if let Some(b) = self.bars.get(source.as_str()) {
                    b.inc_length(*count);
                }
            }
            Event::Resource(r) => {
                if let Some(b) = self.bars.get(r.source()) {
                    b.inc(1);
                }
            }
            Event::Finished(l) => {
                if let (Some(b), Some(left)) = (
                    self.bars.get(l.source.as_str()),
                    self.listings_left.get_mut(l.source.as_str()),
                ) {
                    *left = left.saturating_sub(1);
                    if !l.status.is_ok() && !l.status.is_not_available() {
                        b.set_message(format!("{} in {}", l.status.name(), l.locality));
                    }
                    if *left == 0 {
                        b.set_length(b.position());
                        b.finish();
                    }
                }
            }
            _ => {}
        }
    }
}

/// The `--json` document, up to its snapshot: `{"snapshot": `. The snapshot follows, then
/// [`end_document`].
fn start_document(out: &mut impl Write) -> io::Result<()> {
    out.write_all(b"{\n\"snapshot\": ")
}

/// The rest of the `--json` document after its snapshot: the coverage policy and report,
/// the diff when one was asked for, and whether every listing completed.
fn end_document(
    out: &mut impl Write,
    policy: &CoveragePolicy,
    coverage: &CoverageReport,
    changes: Option<&Diff>,
    complete: bool,
) -> io::Result<()> {
    out.write_all(b",\n\"coverage_policy\": ")?;
    serde_json::to_writer_pretty(&mut *out, policy)?;
    out.write_all(b",\n\"coverage\": ")?;
    serde_json::to_writer_pretty(&mut *out, coverage)?;
    if let Some(d) = changes {
        out.write_all(b",\n\"diff\": ")?;
        serde_json::to_writer_pretty(&mut *out, d)?;
    }
    writeln!(out, ",\n\"complete\": {complete}\n}}")
}

/// The whole `--json` document for a collected snapshot (the sorted form).
fn write_document(
    out: &mut impl Write,
    snapshot: &Snapshot,
    policy: &CoveragePolicy,
    coverage: &CoverageReport,
    changes: Option<&Diff>,
) -> io::Result<()> {
    start_document(out)?;
    snapshot.write_json(&mut *out)?;
    end_document(out, policy, coverage, changes, snapshot.is_complete())
}

/// The first 8 characters of an ID (never cuts a character: IDs are server data).
fn short_id(id: &str) -> String {
    id.chars().take(8).collect()
}

fn print_summary(s: &Snapshot, coverage: &CoverageReport) {
    let projects: Vec<&str> = s.projects.iter().map(ProjectId::as_str).collect();
    println!("projects: {}", projects.join(", "));
    let st = &s.stats;
    println!(
        "synced in {:.2} s: {} requests, {} retries ({} answered 429), {:.1} s waiting for retries\n",
        st.elapsed().as_secs_f64(),
        st.requests,
        st.retries,
        st.rate_limited,
        st.retry_wall().as_secs_f64(),
    );
    println!("{:<20} {:>8}", "KIND", "COUNT");
    for (kind, n) in s.count_by_kind() {
        println!("{:<20} {:>8}", kind.as_str(), n);
    }
    println!(
        "\n{:<15} {:>5} {:>7} {:>6} {:>7}  PROBLEMS",
        "SOURCE", "OK", "N/A", "DENIED", "FAILED"
    );
    let mut rows: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    let mut problems: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for l in &s.listings {
        let row = rows.entry(l.source.as_str()).or_default();
        match &l.status {
            LocalityStatus::Ok { .. } => row[0] += 1,
            LocalityStatus::NotAvailable { reason } => {
                row[1] += 1;
                if let Some(reason) = reason {
                    problems
                        .entry(l.source.as_str())
                        .or_default()
                        .push(format!("{}: not available ({reason})", l.locality));
                }
            }
            LocalityStatus::Denied { missing, message } => {
                row[2] += 1;
                let what = if missing.is_empty() {
                    message.clone()
                } else {
                    missing
                        .iter()
                        .map(|m| format!("{} {}", m.action, m.resource))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                problems
                    .entry(l.source.as_str())
                    .or_default()
                    .push(format!("{}: denied ({what})", l.locality));
            }
            LocalityStatus::Failed { error, kind, .. } => {
                row[3] += 1;
                problems.entry(l.source.as_str()).or_default().push(format!(
                    "{}: {} ({error})",
                    l.locality,
                    kind.as_str()
                ));
            }
            LocalityStatus::Incomplete {
                possibly_missing, ..
            } => {
                row[3] += 1;
                problems.entry(l.source.as_str()).or_default().push(format!(
                    "{}: incomplete (kept changing while read; up to {possibly_missing} may be missing)",
                    l.locality
                ));
            }
            _ => {}
        }
    }
    for (source, r) in &rows {
        let p = problems
            .get(source)
            .map(|v| v.join("; "))
            .unwrap_or_default();
        println!(
            "{source:<15} {:>5} {:>7} {:>6} {:>7}  {p}",
            r[0], r[1], r[2], r[3]
        );
    }
    print_changed(s);
    let noted: Vec<_> = s
        .resources
        .iter()
        .filter(|r| !r.notes().is_empty())
        .collect();
    if !noted.is_empty() {
        println!("\nNOTES (listed, but not everything about them could be read)");
        for r in noted {
            for n in r.notes() {
                println!(
                    "  {}  unknown: {}  ({})",
                    r.id(),
                    n.unknown.join(", "),
                    n.message
                );
            }
        }
    }
    println!(
        "\n{:<20} {:>9} {:>11} {:>8} {:>8}",
        "COVERAGE (KIND)", "PROTECTED", "UNPROTECTED", "EXCLUDED", "PERCENT"
    );
    let pct = |p: Option<f64>| p.map_or_else(|| "-".to_owned(), |p| format!("{p:.0} %"));
    for row in &coverage.by_kind {
        let c = row.counts;
        println!(
            "{:<20} {:>9} {:>11} {:>8} {:>8}",
            row.kind.as_str(),
            c.protected,
            c.unprotected,
            c.excluded,
            pct(row.percentage)
        );
    }
    for row in &coverage.by_project {
        let c = row.counts;
        println!(
            "{:<20} {:>9} {:>11} {:>8} {:>8}",
            format!("project {}", short_id(row.project_id.as_str())),
            c.protected,
            c.unprotected,
            c.excluded,
            pct(row.percentage)
        );
    }
}

/// The listings whose collection changed while they were read, and what was re-read.
fn print_changed(s: &Snapshot) {
    let changed: Vec<_> = s.listings.iter().filter(|l| l.reads.changed).collect();
    if changed.is_empty() {
        return;
    }
    println!("\nCHANGED WHILE READ (every resource that existed throughout is listed once)");
    for l in changed {
        let r = &l.reads;
        let mut what = Vec::new();
        if r.total_moved {
            what.push("total moved".to_owned());
        }
        for (n, label) in [
            (r.duplicates, "seen on two pages"),
            (r.created, "created"),
            (r.reread_found, "found by a re-read"),
            (r.vanished, "deleted"),
        ] {
            if n > 0 {
                what.push(format!("{n} {label}"));
            }
        }
        println!(
            "  {} {}: {}; read {} time{}, {} of {} pages re-read ({})",
            l.source,
            l.locality,
            what.join(", "),
            r.passes,
            if r.passes == 1 { "" } else { "s" },
            r.reread_pages,
            r.pages,
            r.completeness.as_str()
        );
    }
}

fn print_diff(path: &str, d: &Diff) {
    println!(
        "\nre-sync against {path}: {} added, {} removed, {} changed, {} unverified (their listing did not complete)",
        d.added.len(),
        d.removed.len(),
        d.changed.len(),
        d.unverified.len()
    );
    for r in &d.added {
        println!("  + {}  {}", r.id(), r.name());
    }
    for r in &d.removed {
        println!("  - {}  {}", r.id(), r.name());
    }
    for c in &d.changed {
        println!("  ~ {}  {}  ({})", c.id, c.name, c.fields.join(", "));
    }
    for r in &d.unverified {
        println!("  ? {}  {}", r.id(), r.name());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    //! `cargo test --example inventory`
    use super::*;
    use scaleway_core::Locality;
    use scaleway_inventory::{BackupRole, ProductObject, Resource, ResourceKind};

    fn args(list: &[&str]) -> Result<Command, String> {
        parse_args(list.iter().map(|s| (*s).to_owned()))
    }

    fn snapshot(ids: &[&str]) -> Snapshot {
        let resources = ids
            .iter()
            .map(|id| {
                Resource::new(
                    ResourceKind::Custom("appliance".into()),
                    "appliances",
                    Locality::Region(Region::FrPar),
                    id,
                    ProductObject::Custom(serde_json::json!({ "serial": id })),
                )
                .with_name(format!("appliance {id}"))
                .with_project(scaleway_core::ProjectId::from_server("ééééééééé-project"))
                .with_roles(&[BackupRole::Source])
            })
            .collect();
        Snapshot::from_parts(vec![], resources, vec![], Default::default())
    }

    fn temp_file(name: &str, content: &str) -> String {
        let path =
            std::env::temp_dir().join(format!("inventory-example-{}-{name}", std::process::id()));
        std::fs::write(&path, content).unwrap();
        path.to_string_lossy().into_owned()
    }

    #[test]
    fn help_is_not_an_error() {
        assert!(matches!(args(&["--help"]), Ok(Command::Help)));
        assert!(matches!(args(&["--json", "-h"]), Ok(Command::Help)));
        assert!(USAGE.contains("--diff FILE"));
    }

    #[test]
    fn a_missing_or_bad_diff_file_is_a_usage_error() {
        let e = args(&["--diff", "/nonexistent/prev.json"]).unwrap_err();
        assert!(
            e.contains("/nonexistent/prev.json") && e.contains("cannot read"),
            "{e}"
        );
        let bad = temp_file("bad.json", "{\"not\": \"a snapshot\"}");
        let e = args(&["--diff", &bad]).unwrap_err();
        assert!(e.contains(&bad) && e.contains("--json output"), "{e}");
        let e = args(&["--diff"]).unwrap_err();
        assert!(e.contains("needs a value"), "{e}");
        let e = args(&["--exclude", "color=red"]).unwrap_err();
        assert!(e.starts_with("--exclude"), "{e}");
        let e = args(&["--json", "--ndjson"]).unwrap_err();
        assert!(e.contains("choose one"), "{e}");
        let e = args(&["--ndjson", "--exclude", "tag=x"]).unwrap_err();
        assert!(e.contains("--ndjson writes the sync only"), "{e}");
        assert!(
            matches!(args(&["--ndjson", "--ndjson"]), Ok(Command::Run(a)) if a.output == Output::Ndjson)
        );
    }

    #[test]
    fn ids_are_shortened_by_characters() {
        assert_eq!(short_id("ééééééééé-project"), "éééééééé");
        assert_eq!(short_id("abc"), "abc");
    }

    #[test]
    fn the_json_document_has_the_snapshot_coverage_and_diff_and_feeds_diff() {
        let previous = snapshot(&["A-1"]);
        let current = snapshot(&["A-1", "A-2", "A-3"]);
        let policy = CoveragePolicy::new()
            .protect("A-1")
            .exclude("id=A-3".parse().unwrap());
        let coverage = policy.report(&current);
        let d = diff(&previous, &current);
        let document = |changes: Option<&Diff>| {
            let mut out = Vec::new();
            write_document(&mut out, &current, &policy, &coverage, changes).unwrap();
            serde_json::from_slice::<serde_json::Value>(&out).unwrap()
        };
        let doc = document(Some(&d));
        assert_eq!(doc["complete"], true);
        assert_eq!(doc["snapshot"]["resources"].as_array().unwrap().len(), 3);
        assert!(doc["snapshot"]["listings"].is_array());
        let total = &doc["coverage"]["total"];
        assert_eq!(
            (
                total["protected"].as_u64(),
                total["unprotected"].as_u64(),
                total["excluded"].as_u64()
            ),
            (Some(1), Some(1), Some(1))
        );
        assert_eq!(doc["coverage_policy"]["exclusions"][0]["pattern"], "A-3");
        assert_eq!(doc["diff"]["added"].as_array().unwrap().len(), 2);
        let without = document(None);
        assert!(without.get("diff").is_none());
        // The document is what --diff reads next time (so is a bare snapshot).
        let file = temp_file("doc.json", &serde_json::to_string_pretty(&doc).unwrap());
        let Command::Run(a) = args(&["--diff", &file]).unwrap() else {
            panic!()
        };
        assert_eq!(a.previous.unwrap().1, current);
        let bare = temp_file("bare.json", &previous.to_json().unwrap());
        assert_eq!(load_previous(&bare).unwrap(), previous);
    }
}
