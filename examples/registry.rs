//! Container Registry browser and puller for scanners: namespaces, images and tags of every
//! region, and verified pulls into an OCI image layout (what Trivy and Grype read).
//!
//! ```text
//! cargo run --example registry -- namespaces [--region R] [--json]
//! cargo run --example registry -- images [--namespace N] [--region R] [--json]
//! cargo run --example registry -- tags NAMESPACE/IMAGE [--region R] [--json]
//! cargo run --example registry -- pull REF --out DIR [--platform linux/arm64] [--concurrency N] [--json]
//! ```
//!
//! `REF` is a reference printed by `tags` (`rg.fr-par.scw.cloud/acme-prod/api:v1.2.0`) or
//! `NAMESPACE/IMAGE[:TAG|@DIGEST]`, in the region `--region` names or, without it, the
//! region where the API shows that namespace (the API shows only the namespaces the key can
//! read). `--region` contradicting a full reference's host is a usage error. With no Scaleway
//! credentials configured, it runs against the in-process simulator (demo scenario) with
//! its `registry-scanner` key and says so on stderr. Errors say what to fix (see
//! docs/registry.md). Exit status: 0 on success, 1 on an error, 2 on a usage error.
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line example: results on stdout, progress and errors on stderr"
)]

// Its `println!`/`eprintln!` shadow std's: a closed pipe ends the example quietly.
#[macro_use]
#[allow(unreachable_pub, reason = "shared helpers, used by several examples")]
mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use scaleway_core::{LocalityOutcome, Region};
use scaleway_registry::{
    Diagnosis, ImageReference, Listable, Namespace, Platform, PullEvent, RegistryApi, RegistryHosts,
};

const USAGE: &str = "usage: cargo run --example registry -- COMMAND [OPTIONS]
commands:
  namespaces                       namespaces of every region
  images [--namespace N]           images (of one namespace, or of every region)
  tags NAMESPACE/IMAGE|REF         tags of an image, with their references and digests
  pull REF --out DIR               pull REF into an OCI image layout at DIR
                                   (REF: rg.<region>.scw.cloud/NAMESPACE/IMAGE[:TAG] or
                                   NAMESPACE/IMAGE[:TAG] with --region or found through the API)
options:
  --region R         fr-par, nl-ams or pl-waw (default: every region, or found through the API;
                     must match the host of a full reference)
  --platform P       os/arch[/variant] for pull (default linux/amd64)
  --concurrency N    blobs downloaded at once for pull (default 4)
  --profile NAME     profile of the scw config file
  --json             JSON on stdout";

#[derive(Debug, Default)]
struct Args {
    command: String,
    operand: Option<String>,
    namespace: Option<String>,
    region: Option<Region>,
    out: Option<PathBuf>,
    platform: Option<Platform>,
    concurrency: Option<usize>,
    profile: Option<String>,
    json: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args::default();
    let mut it = std::env::args().skip(1);
    let value = |it: &mut dyn Iterator<Item = String>, flag: &str| {
        it.next().ok_or_else(|| format!("{flag} needs a value"))
    };
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--json" => a.json = true,
            "--namespace" => a.namespace = Some(value(&mut it, &arg)?),
            "--region" => {
                let v = value(&mut it, &arg)?;
                a.region = Some(v.parse().map_err(|e| format!("--region: {e}"))?);
            }
            "--out" => a.out = Some(value(&mut it, &arg)?.into()),
            "--platform" => {
                let v = value(&mut it, &arg)?;
                a.platform = Some(v.parse().map_err(|e| format!("--platform: {e}"))?);
            }
            "--concurrency" => {
                let v = value(&mut it, &arg)?;
                a.concurrency = Some(
                    v.parse()
                        .map_err(|_| format!("--concurrency: `{v}` is not a number"))?,
                );
            }
            "--profile" => a.profile = Some(value(&mut it, &arg)?),
            "-h" | "--help" => a.command = "help".into(),
            s if s.starts_with("--") => return Err(format!("unknown option `{s}`")),
            _ if a.command.is_empty() => a.command = arg,
            _ if a.operand.is_none() => a.operand = Some(arg),
            _ => return Err(format!("unexpected argument `{arg}`")),
        }
    }
    Ok(a)
}

#[tokio::main]
async fn main() -> ExitCode {
    common::init_tracing();
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => return usage(&e),
    };
    match args.command.as_str() {
        "help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        "namespaces" | "images" | "tags" | "pull" => {}
        "" => return usage("a command is needed"),
        other => return usage(&format!("unknown command `{other}`")),
    }
    let target = match common::connect(
        args.profile.as_deref(),
        "registry-scanner",
        "scaleway-registry-example",
    )
    .await
    {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(1);
        }
    };
    let mut hosts = RegistryHosts::new();
    if let Some(sim) = &target.sim {
        // The simulator serves each region's registry on its own local port.
        for r in [Region::FrPar, Region::NlAms, Region::PlWaw] {
            if let Some(h) = sim.registry_host(r.as_str()) {
                hosts = match hosts.with_override(r, h) {
                    Ok(h) => h,
                    Err(e) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(1);
                    }
                };
            }
        }
    }
    let registry = RegistryApi::new(&target.client).with_hosts(hosts);
    let result = match args.command.as_str() {
        "namespaces" => namespaces(&registry, &args).await,
        "images" => images(&registry, &args).await,
        "tags" => tags(&registry, &args).await,
        _ => pull(&registry, &args).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => usage(&m),
        Err(Failure::Registry(e)) => {
            if args.json {
                println!("{}", serde_json::json!({ "error": e.to_string() }));
            }
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            ExitCode::from(1)
        }
        Err(Failure::Other(m)) => {
            eprintln!("error: {m}");
            ExitCode::from(1)
        }
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("error: {msg}\n{USAGE}");
    ExitCode::from(2)
}

enum Failure {
    Usage(String),
    Registry(scaleway_registry::Error),
    /// The example's own failure (printing).
    Other(String),
}

impl From<scaleway_registry::Error> for Failure {
    fn from(e: scaleway_registry::Error) -> Self {
        Self::Registry(e)
    }
}

fn print_json(value: Result<serde_json::Value, serde_json::Error>) -> Result<(), Failure> {
    let s = value
        .and_then(|v| serde_json::to_string_pretty(&v))
        .map_err(|e| Failure::Other(format!("cannot print JSON: {e}")))?;
    println!("{s}");
    Ok(())
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 1_000_000_000 => format!("{:.1} GB", b as f64 / 1e9),
        b if b >= 1_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        b if b >= 1_000 => format!("{:.1} kB", b as f64 / 1e3),
        b => format!("{b} B"),
    }
}

/// Every namespace of the requested regions; a failing region is reported, not fatal.
async fn all_namespaces(
    registry: &RegistryApi,
    region: Option<&Region>,
) -> Result<Vec<Namespace>, Failure> {
    let regions = region.map(|r| vec![r.clone()]);
    let results = registry
        .collect_per_region(regions, |r| registry.list_namespaces(r))
        .await;
    let mut out = Vec::new();
    let mut failures = Vec::new();
    for r in results {
        match r.outcome {
            LocalityOutcome::Ok(list) => out.extend(list),
            LocalityOutcome::NotAvailable => {
                eprintln!("{}: Container Registry is not available there", r.locality)
            }
            LocalityOutcome::Failed(e) => failures.push((r.locality, e)),
        }
    }
    if out.is_empty() && !failures.is_empty() {
        // Nothing readable anywhere: the first explanation says what to fix.
        return Err(Failure::Registry(failures.remove(0).1));
    }
    for (locality, e) in failures {
        eprintln!("{locality}: {e}");
    }
    Ok(out)
}

async fn namespaces(registry: &RegistryApi, args: &Args) -> Result<(), Failure> {
    let list = all_namespaces(registry, args.region.as_ref()).await?;
    if args.json {
        return print_json(serde_json::to_value(&list));
    }
    println!(
        "{:<8} {:<28} {:>6} {:>10} {:<7} ENDPOINT",
        "REGION", "NAME", "IMAGES", "SIZE", "PUBLIC"
    );
    for n in &list {
        println!(
            "{:<8} {:<28} {:>6} {:>10} {:<7} {}",
            n.region.as_str(),
            n.name,
            n.image_count,
            size(n.size),
            n.is_public,
            n.endpoint
        );
    }
    Ok(())
}

async fn images(registry: &RegistryApi, args: &Args) -> Result<(), Failure> {
    let (namespaces, images) = match &args.namespace {
        Some(name) => {
            let ns = registry.find_namespace(name, args.region.as_ref()).await?;
            let images = registry
                .list_images(&ns.region)
                .namespace_id(&ns.id)
                .collect()
                .await?;
            (vec![ns], images)
        }
        None => {
            let namespaces = all_namespaces(registry, args.region.as_ref()).await?;
            let mut images = Vec::new();
            let regions: Vec<Region> = {
                let mut r: Vec<Region> = namespaces.iter().map(|n| n.region.clone()).collect();
                r.sort();
                r.dedup();
                r
            };
            let per_region = registry
                .collect_per_region(Some(regions), |r| registry.list_images(r))
                .await;
            for r in per_region {
                match r.outcome {
                    LocalityOutcome::Ok(list) => images.extend(list),
                    LocalityOutcome::NotAvailable => {}
                    LocalityOutcome::Failed(e) => eprintln!("{}: {e}", r.locality),
                }
            }
            (namespaces, images)
        }
    };
    let by_id: HashMap<&str, &Namespace> = namespaces.iter().map(|n| (n.id.as_str(), n)).collect();
    if args.json {
        return print_json(serde_json::to_value(&images));
    }
    println!(
        "{:<8} {:<20} {:<20} {:>10} {:<10} TAGS",
        "REGION", "NAMESPACE", "IMAGE", "SIZE", "VISIBILITY"
    );
    for i in &images {
        let ns = by_id.get(i.namespace_id.as_str());
        println!(
            "{:<8} {:<20} {:<20} {:>10} {:<10} {}",
            i.region.as_ref().map_or("?", Region::as_str),
            ns.map_or("?", |n| n.name.as_str()),
            i.name,
            size(i.size),
            i.visibility,
            i.tags.join(",")
        );
    }
    Ok(())
}

/// Whether `operand` starts with a registry host (a full reference).
fn is_full_reference(operand: &str) -> bool {
    let first = operand.split('/').next().unwrap_or("");
    first.contains('.') || first.contains(':') || first == "localhost"
}

/// The region of a full reference's host; `--region` must agree with it.
fn region_of_reference(
    hosts: &RegistryHosts,
    reference: &ImageReference,
    flag: Option<&Region>,
) -> Result<Region, Failure> {
    let region = hosts.region_of(reference)?;
    match flag {
        Some(f) if *f != region => Err(Failure::Usage(format!(
            "--region {f} contradicts `{reference}`, whose host is in {region}: drop --region, or use the host {}",
            RegistryHosts::canonical_host(f)
        ))),
        _ => Ok(region),
    }
}

/// `NAMESPACE/IMAGE` or a full reference (its tag is ignored) → namespace, image name, and
/// the region when the operand names it (its host) or `--region` does.
fn split_image(
    hosts: &RegistryHosts,
    operand: &str,
    flag: Option<&Region>,
) -> Result<(String, String, Option<Region>), Failure> {
    if is_full_reference(operand) {
        let r: ImageReference = operand.parse()?;
        let region = region_of_reference(hosts, &r, flag)?;
        return Ok((r.namespace().to_owned(), r.image().to_owned(), Some(region)));
    }
    let (ns, image) = operand
        .split_once('/')
        .ok_or_else(|| Failure::Usage(format!("`{operand}`: expected NAMESPACE/IMAGE")))?;
    let image = image.split(['@', ':']).next().unwrap_or(image);
    Ok((ns.to_owned(), image.to_owned(), flag.cloned()))
}

async fn tags(registry: &RegistryApi, args: &Args) -> Result<(), Failure> {
    let operand = args
        .operand
        .as_deref()
        .ok_or_else(|| Failure::Usage("tags needs NAMESPACE/IMAGE".into()))?;
    let (ns_name, image_name, region) =
        split_image(registry.hosts(), operand, args.region.as_ref())?;
    let ns = registry.find_namespace(&ns_name, region.as_ref()).await?;
    let image = registry.find_image(&ns, &image_name).await?;
    let tags = registry.list_tags(&ns.region, &image.id).collect().await?;
    if args.json {
        let rows: Vec<serde_json::Value> = tags
            .iter()
            .map(|t| {
                serde_json::json!({
                    "tag": t,
                    "reference": registry.reference(&ns, &image, t).to_string(),
                    "pinned_reference": registry.pinned_reference(&ns, &image, t).to_string(),
                })
            })
            .collect();
        return print_json(serde_json::to_value(&rows));
    }
    for t in &tags {
        println!("{}  {}", registry.reference(&ns, &image, t), t.digest);
    }
    Ok(())
}

/// A reference from `REF`: parsed when it names a host (`--region` must agree), placed in
/// `--region` when given, else in the region where the API shows the namespace.
async fn reference(
    registry: &RegistryApi,
    operand: &str,
    region: Option<&Region>,
) -> Result<ImageReference, Failure> {
    if is_full_reference(operand) {
        let r: ImageReference = operand.parse()?;
        region_of_reference(registry.hosts(), &r, region)?;
        return Ok(r);
    }
    let (ns_name, _) = operand.split_once('/').ok_or_else(|| {
        Failure::Usage(format!(
            "`{operand}`: expected a reference or NAMESPACE/IMAGE[:TAG]"
        ))
    })?;
    if let Some(r) = region {
        // The registry of that region is asked directly, and its answer diagnosed.
        return Ok(ImageReference::parse_in(operand, r)?);
    }
    match registry.find_namespace(ns_name, None).await {
        Ok(ns) => Ok(ImageReference::parse_in(operand, &ns.region)?),
        Err(e) if matches!(e.diagnosis(), Diagnosis::NamespaceNotFound { .. }) => {
            eprintln!(
                "hint: without --region, the region of `{ns_name}` is looked up through the API, which shows only the namespaces this key can read; give --region (or the full reference rg.<region>.scw.cloud/{operand}) to ask that region's registry"
            );
            Err(Failure::Registry(e))
        }
        Err(e) => Err(Failure::Registry(e)),
    }
}

async fn pull(registry: &RegistryApi, args: &Args) -> Result<(), Failure> {
    let operand = args
        .operand
        .as_deref()
        .ok_or_else(|| Failure::Usage("pull needs a reference".into()))?;
    let out = args
        .out
        .clone()
        .ok_or_else(|| Failure::Usage("pull needs --out DIR".into()))?;
    let reference = reference(registry, operand, args.region.as_ref()).await?;
    let mut pull = registry.pull(&reference, &out);
    if let Some(p) = &args.platform {
        pull = pull.platform(p.clone());
    }
    if let Some(n) = args.concurrency {
        pull = pull.concurrency(n);
    }
    let progress = Progress::default();
    let report = pull.on_progress(move |e| progress.show(e)).send().await?;
    eprintln!(
        "pulled {} ({}) into {}: {} in {:.2?}, {} downloaded, {} blob(s) reused",
        report.reference,
        report.platform,
        report.out_dir.display(),
        size(report.total_bytes()),
        report.elapsed,
        size(report.bytes_downloaded),
        report.blobs_reused()
    );
    if args.json {
        return print_json(serde_json::to_value(&report));
    }
    println!("{}", report.manifest_digest);
    Ok(())
}

/// Progress on stderr: what is fetched, a line per blob, and a throttled byte count.
#[derive(Default)]
struct Progress {
    state: Mutex<ProgressState>,
}

#[derive(Default)]
struct ProgressState {
    total: u64,
    done: u64,
    received: HashMap<String, u64>,
    last: Option<Instant>,
}

impl Progress {
    fn show(&self, e: &PullEvent) {
        let Ok(mut s) = self.state.lock() else {
            return;
        };
        match e {
            PullEvent::Resolved {
                reference,
                manifest_digest,
                platform,
                blobs,
                total_bytes,
            } => {
                s.total = *total_bytes;
                eprintln!(
                    "{reference} ({platform}) → {manifest_digest}: {blobs} blobs, {}",
                    size(*total_bytes)
                );
            }
            PullEvent::BlobStarted {
                digest,
                resumed_from,
                ..
            } if *resumed_from > 0 => {
                eprintln!("  {} resuming at {}", short(digest), size(*resumed_from));
            }
            PullEvent::BlobProgress {
                digest, received, ..
            } => {
                s.received.insert(digest.clone(), *received);
                let now = Instant::now();
                if s.last.is_none_or(|t| now - t > Duration::from_millis(500)) {
                    s.last = Some(now);
                    let in_flight: u64 = s.received.values().sum();
                    eprintln!("  … {} / {}", size(s.done + in_flight), size(s.total));
                }
            }
            PullEvent::BlobRetry {
                digest,
                attempt,
                error,
            } => {
                eprintln!(
                    "  {} attempt {attempt} broke ({error}); resuming",
                    short(digest)
                );
            }
            PullEvent::BlobDone {
                digest,
                size: n,
                reused,
            } => {
                s.received.remove(digest);
                s.done += n;
                let how = if *reused {
                    "already there, verified"
                } else {
                    "verified"
                };
                eprintln!("  {} {} {how}", short(digest), size(*n));
            }
            _ => {}
        }
    }
}

fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn hosts() -> RegistryHosts {
        RegistryHosts::new()
            .with_override(Region::NlAms, "127.0.0.1:5000")
            .unwrap()
    }

    #[test]
    fn region_must_agree_with_a_full_reference() {
        let h = hosts();
        let r: ImageReference = "rg.fr-par.scw.cloud/acme-prod/api:v1".parse().unwrap();
        assert_eq!(region_of_reference(&h, &r, None).ok(), Some(Region::FrPar));
        assert_eq!(
            region_of_reference(&h, &r, Some(&Region::FrPar)).ok(),
            Some(Region::FrPar)
        );
        match region_of_reference(&h, &r, Some(&Region::NlAms)) {
            Err(Failure::Usage(m)) => {
                assert!(m.contains("--region nl-ams contradicts"), "{m}");
                assert!(m.contains("rg.nl-ams.scw.cloud"), "{m}");
            }
            _ => panic!("a contradicting --region is a usage error"),
        }
        // An override's host belongs to its region.
        let r: ImageReference = "127.0.0.1:5000/acme-staging/api:v1".parse().unwrap();
        assert_eq!(
            region_of_reference(&h, &r, Some(&Region::NlAms)).ok(),
            Some(Region::NlAms)
        );
    }

    #[test]
    fn tags_take_the_region_of_a_full_reference() {
        let h = hosts();
        let (ns, image, region) =
            split_image(&h, "rg.pl-waw.scw.cloud/acme-testing/tools/ci:v1", None)
                .ok()
                .unwrap();
        assert_eq!(
            (ns.as_str(), image.as_str(), region),
            ("acme-testing", "tools/ci", Some(Region::PlWaw))
        );
        assert!(matches!(
            split_image(
                &h,
                "rg.pl-waw.scw.cloud/acme-testing/tools/ci",
                Some(&Region::FrPar)
            ),
            Err(Failure::Usage(_))
        ));
        let (ns, image, region) = split_image(&h, "acme-prod/api:v1", Some(&Region::FrPar))
            .ok()
            .unwrap();
        assert_eq!(
            (ns.as_str(), image.as_str(), region),
            ("acme-prod", "api", Some(Region::FrPar))
        );
        assert!(matches!(
            split_image(&h, "acme-prod", None),
            Err(Failure::Usage(_))
        ));
    }
}
