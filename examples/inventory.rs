//! The main job of a backup control plane: discover what a Scaleway project holds, re-sync
//! (diff against a previous run) and show backup coverage.
//!
//! ```text
//! cargo run --example inventory -- [--project-id UUID] [--sources LIST] [--json]
//!     [--diff previous.json] [--exclude tag=...|name=...|id=...]... [--protect ID]...
//! ```
//!
//! `--sources` takes a comma-separated subset of `instance`, `block`, `secret`,
//! `object-storage`, `kubernetes`, `vpc`, `registry` (default: all). Progress goes to stderr
//! (a bar per source); a summary table to stdout, or the full snapshot JSON with `--json`
//! (save it and pass it to `--diff` next time). With no Scaleway credentials configured, it
//! runs against the in-process simulator (demo scenario) with its `inventory` key on the
//! `production` project, and says so on stderr. Exit status: 0 when every listing
//! completed, 3 when some were denied or failed (they are listed), 1 on an error, 2 on a
//! usage error.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example: results on stdout, progress and errors on stderr"
)]

#[allow(unreachable_pub, reason = "shared helpers, used by several examples")]
mod common;

use std::collections::BTreeMap;
use std::process::ExitCode;

use futures::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use scaleway_core::{ProjectId, Region};
use scaleway_inventory::{
    CoveragePolicy, Event, Exclusion, Inventory, LocalityStatus, ObjectStorageSource, Snapshot,
    SourceName, diff,
};

const USAGE: &str = "usage: cargo run --example inventory -- [--project-id UUID] [--sources LIST] [--json] [--diff previous.json] [--exclude tag=...|name=...|id=...]... [--protect ID]...
  --sources LIST   comma-separated: instance, block, secret, object-storage, kubernetes, vpc, registry (default: all)";

struct Args {
    project: Option<ProjectId>,
    sources: Vec<SourceName>,
    json: bool,
    diff: Option<String>,
    exclusions: Vec<Exclusion>,
    protected: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        project: None,
        sources: SourceName::ALL.to_vec(),
        json: false,
        diff: None,
        exclusions: Vec::new(),
        protected: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "--project-id" => {
                let v = value("--project-id")?;
                args.project = Some(v.parse().map_err(|e| format!("--project-id: {e}"))?);
            }
            "--sources" => args.sources = SourceName::parse_list(&value("--sources")?)?,
            "--json" => args.json = true,
            "--diff" => args.diff = Some(value("--diff")?),
            "--exclude" => args.exclusions.push(value("--exclude")?.parse()?),
            "--protect" => args.protected.push(value("--protect")?),
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(args).await {
        Ok(complete) => {
            if complete {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            }
        }
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
    let previous = match &args.diff {
        Some(path) => Some(Snapshot::from_json(
            &std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read the previous snapshot {path}: {e}"))?,
        )?),
        None => None,
    };

    // A progress bar per source on stderr.
    let mut listings_left: BTreeMap<String, usize> = BTreeMap::new();
    for (source, _, _) in inventory.plan() {
        *listings_left.entry(source.name().to_owned()).or_default() += 1;
    }
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let style = ProgressStyle::with_template("{prefix:>15} {bar:30} {pos:>6}/{len:<6} {msg}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    let bars: BTreeMap<String, ProgressBar> = listings_left
        .keys()
        .map(|name| {
            let bar = multi.add(ProgressBar::new(0));
            bar.set_style(style.clone());
            bar.set_prefix(name.clone());
            (name.clone(), bar)
        })
        .collect();

    let mut resources = Vec::new();
    let mut listings = Vec::new();
    let mut stats = Default::default();
    let mut events = inventory.stream();
    while let Some(event) = events.next().await {
        match event {
            Event::Expected { source, count } => {
                if let Some(b) = bars.get(&source) {
                    b.inc_length(count);
                }
            }
            Event::Resource(r) => {
                if let Some(b) = bars.get(&r.source) {
                    b.inc(1);
                }
                resources.push(*r);
            }
            Event::Finished(l) => {
                if let (Some(b), Some(left)) =
                    (bars.get(&l.source), listings_left.get_mut(&l.source))
                {
                    *left -= 1;
                    if !l.status.is_ok() && l.status != LocalityStatus::NotAvailable {
                        b.set_message(format!("{} in {}", l.status.name(), l.locality));
                    }
                    if *left == 0 {
                        b.set_length(b.position());
                        b.finish();
                    }
                }
                listings.push(l);
            }
            Event::Completed(s) => stats = s,
            _ => {}
        }
    }
    let projects = inventory
        .projects()
        .iter()
        .map(|p| p.as_str().to_owned())
        .collect();
    let snapshot = Snapshot::from_parts(projects, resources, listings, stats);
    let coverage = args
        .exclusions
        .iter()
        .cloned()
        .fold(
            CoveragePolicy::new().protect_all(args.protected.iter().cloned()),
            CoveragePolicy::exclude,
        )
        .report(&snapshot);

    if args.json {
        println!("{}", snapshot.to_json()?);
    } else {
        print_summary(&snapshot, &coverage);
    }
    if let Some(previous) = &previous {
        let d = diff(previous, &snapshot);
        let out = format!(
            "\nre-sync against {}: {} added, {} removed, {} changed, {} unverified (their listing did not complete)",
            args.diff.as_deref().unwrap_or(""),
            d.added.len(),
            d.removed.len(),
            d.changed.len(),
            d.unverified.len()
        );
        let mut lines = vec![out];
        lines.extend(d.added.iter().map(|r| format!("  + {}  {}", r.id, r.name)));
        lines.extend(
            d.removed
                .iter()
                .map(|r| format!("  - {}  {}", r.id, r.name)),
        );
        lines.extend(
            d.changed
                .iter()
                .map(|c| format!("  ~ {}  {}  ({})", c.id, c.name, c.fields.join(", "))),
        );
        lines.extend(
            d.unverified
                .iter()
                .map(|r| format!("  ? {}  {}", r.id, r.name)),
        );
        if args.json {
            eprintln!("{}", lines.join("\n"));
        } else {
            println!("{}", lines.join("\n"));
        }
    }
    Ok(snapshot.is_complete())
}

fn print_summary(s: &Snapshot, coverage: &scaleway_inventory::CoverageReport) {
    println!("projects: {}", s.projects.join(", "));
    println!(
        "synced in {:.2} s ({} retries, {:.1} s waited)\n",
        s.stats.elapsed().as_secs_f64(),
        s.stats.retries,
        s.stats.retry_wait().as_secs_f64()
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
            LocalityStatus::NotAvailable => row[1] += 1,
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
            LocalityStatus::Failed { error, .. } => {
                row[3] += 1;
                problems
                    .entry(l.source.as_str())
                    .or_default()
                    .push(format!("{}: {error}", l.locality));
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
            format!("project {}", &row.project_id[..row.project_id.len().min(8)]),
            c.protected,
            c.unprotected,
            c.excluded,
            pct(row.percentage)
        );
    }
}
