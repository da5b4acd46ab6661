//! End to end against the simulator: browsing across regions, pulls into an OCI layout
//! (verified, resumed, refused when corrupt), and every troubleshooting case.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::io::Read;

use futures::{StreamExt, TryStreamExt};
use std::path::Path;
use std::sync::{Arc, Mutex};

use scaleway_core::Region;
use scaleway_core::fanout::LocalityOutcome;
use scaleway_registry::{
    Diagnosis, ImageReference, ImageVisibility, KeyProblem, Listable, ProjectSource, PullEvent,
    flatten_regions,
};
use scaleway_sim::oci::RegistryFaults;

fn reference(s: &str) -> ImageReference {
    s.parse().unwrap()
}

#[tokio::test]
async fn browses_namespaces_images_and_tags_across_regions() {
    let sim = common::sim().await;
    let admin = common::api(&sim, "admin");
    let results = admin
        .collect_per_region(None, |r| admin.list_namespaces(r))
        .await;
    let regions: Vec<String> = results.iter().map(|r| r.locality.to_string()).collect();
    assert_eq!(
        regions,
        ["fr-par", "nl-ams", "pl-waw"],
        "one result per registry region"
    );
    let all = flatten_regions(&admin, results).unwrap();
    let mut names: Vec<(String, String)> = all
        .iter()
        .map(|n| (n.region.to_string(), n.name.clone()))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ("fr-par".to_owned(), "acme-prod".to_owned()),
            ("nl-ams".to_owned(), "acme-staging".to_owned()),
            ("pl-waw".to_owned(), "acme-testing".to_owned())
        ]
    );
    let prod = all.iter().find(|n| n.name == "acme-prod").unwrap();
    assert_eq!(prod.pull_host(), "rg.fr-par.scw.cloud");

    // The scanner only sees production's namespace; other regions answer empty lists.
    let scanner = common::api(&sim, "registry-scanner");
    let per_region = scanner
        .collect_per_region(None, |r| scanner.list_namespaces(r))
        .await;
    let seen = flatten_regions(&scanner, per_region).unwrap();
    assert_eq!(
        seen.iter().map(|n| n.name.as_str()).collect::<Vec<_>>(),
        ["acme-prod"]
    );

    // Filters: name, namespace, project.
    let by_name = admin
        .list_namespaces(&Region::NlAms)
        .name("acme-staging")
        .collect()
        .await
        .unwrap();
    assert_eq!(by_name.len(), 1);
    let by_project = admin
        .list_namespaces(&Region::FrPar)
        .project_id(&prod.project_id)
        .collect()
        .await
        .unwrap();
    assert_eq!(
        by_project
            .iter()
            .map(|n| n.name.as_str())
            .collect::<Vec<_>>(),
        ["acme-prod"]
    );
    let images = admin
        .list_images(&Region::FrPar)
        .namespace_id(&prod.id)
        .collect()
        .await
        .unwrap();
    let mut image_names: Vec<&str> = images.iter().map(|i| i.name.as_str()).collect();
    image_names.sort_unstable();
    assert_eq!(image_names, ["api", "worker"]);
    assert!(images.iter().all(|i| i.region == Some(Region::FrPar)));
    let ci = admin
        .list_images(&Region::PlWaw)
        .name("tools/ci")
        .collect()
        .await
        .unwrap();
    assert_eq!(ci.len(), 1, "image names with a slash filter exactly");

    // Tags, and references derived from the objects.
    let api = images.iter().find(|i| i.name == "api").unwrap();
    let tags = admin
        .list_tags(&Region::FrPar, &api.id)
        .collect()
        .await
        .unwrap();
    let mut refs: Vec<String> = tags
        .iter()
        .map(|t| admin.reference(prod, api, t).to_string())
        .collect();
    refs.sort();
    assert_eq!(
        refs,
        [
            "rg.fr-par.scw.cloud/acme-prod/api:latest",
            "rg.fr-par.scw.cloud/acme-prod/api:v1.2.0"
        ]
    );
    assert!(
        tags.iter()
            .all(|t| t.digest.starts_with("sha256:") && t.digest.len() == 71)
    );
    let pinned = admin.pinned_reference(prod, api, &tags[0]);
    assert_eq!(pinned.digest(), Some(tags[0].digest.as_str()));

    // Gets, visibility, and a region where the registry does not exist.
    let got = admin.get_image(&Region::FrPar, &api.id).await.unwrap();
    assert_eq!(got.id, api.id);
    let updated = admin
        .set_image_visibility(&Region::FrPar, &api.id, ImageVisibility::Public)
        .await
        .unwrap();
    assert_eq!(updated.visibility, ImageVisibility::Public);
    let tag = admin.get_tag(&Region::FrPar, &tags[0].id).await.unwrap();
    assert_eq!(tag.name, tags[0].name);
    let it = admin
        .collect_per_region(Some(vec![Region::ItMil]), |r| admin.list_namespaces(r))
        .await;
    assert!(matches!(it[0].outcome, LocalityOutcome::NotAvailable));

    // Resolution through the API.
    let resolved = scanner
        .resolve(&reference("rg.fr-par.scw.cloud/acme-prod/api:v1.2.0"))
        .await
        .unwrap();
    assert_eq!(resolved.image.name, "api");
    assert_eq!(resolved.tag.unwrap().name, "v1.2.0");
}

/// Every blob of the layout matches its digest; returns the config and layer paths.
fn check_layout(dir: &Path) -> (serde_json::Value, serde_json::Value) {
    let layout: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("oci-layout")).unwrap()).unwrap();
    assert_eq!(layout["imageLayoutVersion"], "1.0.0");
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    assert_eq!(index["schemaVersion"], 2);
    let manifests = index["manifests"].as_array().unwrap();
    assert_eq!(manifests.len(), 1);
    let blob = |d: &str| {
        dir.join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    for entry in std::fs::read_dir(dir.join("blobs/sha256")).unwrap() {
        let p = entry.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            common::file_digest(&p),
            format!("sha256:{name}"),
            "blob {name}"
        );
    }
    let mdigest = manifests[0]["digest"].as_str().unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(blob(mdigest)).unwrap()).unwrap();
    assert_eq!(
        manifests[0]["size"].as_u64().unwrap(),
        std::fs::metadata(blob(mdigest)).unwrap().len()
    );
    let config: serde_json::Value = serde_json::from_slice(
        &std::fs::read(blob(manifest["config"]["digest"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    // Layers are real gzip tarballs whose uncompressed digests are the config's diff_ids.
    let diff_ids = config["rootfs"]["diff_ids"].as_array().unwrap();
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(diff_ids.len(), layers.len());
    let mut files = Vec::new();
    for (layer, diff_id) in layers.iter().zip(diff_ids) {
        let gz = std::fs::read(blob(layer["digest"].as_str().unwrap())).unwrap();
        let mut tarball = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut tarball)
            .unwrap();
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), &tarball).unwrap();
        assert_eq!(&common::file_digest(tmp.path()), diff_id.as_str().unwrap());
        let mut archive = tar::Archive::new(&tarball[..]);
        for e in archive.entries().unwrap() {
            let mut e = e.unwrap();
            let path = e.path().unwrap().to_string_lossy().into_owned();
            let mut content = String::new();
            let _ = e.read_to_string(&mut content);
            files.push((path, content));
        }
    }
    let files = serde_json::to_value(files).unwrap();
    (config, files)
}

#[tokio::test]
async fn pulls_a_verified_oci_layout_for_the_chosen_platform() {
    let sim = common::sim().await;
    let scanner = common::api(&sim, "registry-scanner");
    let r = reference("rg.fr-par.scw.cloud/acme-prod/api:v1.2.0");
    let dir = tempfile::tempdir().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let report = scanner
        .pull(&r, dir.path())
        .on_progress(move |e| seen.lock().unwrap().push(e.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(report.platform, "linux/amd64");
    assert_eq!(report.layers.len(), 2);
    assert_eq!(report.blobs_reused(), 0);
    assert_eq!(report.bytes_downloaded, report.total_bytes());
    let (config, files) = check_layout(dir.path());
    assert_eq!(config["architecture"], "amd64");
    let files = files.to_string();
    assert!(files.contains("etc/os-release"), "{files}");
    assert!(files.contains("acme-prod/api:v1.2.0"), "{files}");
    assert!(!dir.path().join(".partial").exists());
    // The tag's digest (management API) is the index the registry served.
    let resolved = scanner.resolve(&r).await.unwrap();
    assert_eq!(
        report.index_digest.as_deref(),
        Some(resolved.tag.unwrap().digest.as_str())
    );
    let events = events.lock().unwrap().clone();
    assert!(
        matches!(events[0], PullEvent::Resolved { blobs: 3, .. }),
        "{events:?}"
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, PullEvent::BlobDone { reused: false, .. }))
            .count(),
        3
    );

    // Pulling again reuses every verified blob.
    let before = sim.registry_stats();
    let again = scanner.pull(&r, dir.path()).send().await.unwrap();
    assert_eq!(again.blobs_reused(), 3);
    assert_eq!(again.bytes_downloaded, 0);
    assert_eq!(sim.registry_stats().blob_requests, before.blob_requests);

    // Another platform, by digest.
    let arm = tempfile::tempdir().unwrap();
    let pinned = r.with_digest(report.index_digest.as_deref().unwrap());
    let report = scanner
        .pull(&pinned, arm.path())
        .platform("linux/arm64".parse().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(report.platform, "linux/arm64/v8");
    let (config, _) = check_layout(arm.path());
    assert_eq!(config["architecture"], "arm64");

    // A platform the image does not have.
    let e = scanner
        .pull(&r, tempfile::tempdir().unwrap().path())
        .platform("linux/s390x".parse().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::PlatformNotFound { .. }),
        "{e:?}"
    );
    let msg = e.to_string();
    assert!(
        msg.contains("linux/amd64") && msg.contains("linux/arm64/v8"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_corrupt_blob_is_refused_and_discarded() {
    let sim = common::sim().await;
    let scanner = common::api(&sim, "registry-scanner");
    let r = reference("rg.fr-par.scw.cloud/acme-prod/worker:latest");
    // Find a layer digest with a first pull, then corrupt it and pull into a fresh directory.
    let first = tempfile::tempdir().unwrap();
    let report = scanner.pull(&r, first.path()).send().await.unwrap();
    let layer = report.layers[1].digest.clone();
    sim.set_registry_faults(RegistryFaults::default().corrupt_blob(&layer));
    let dir = tempfile::tempdir().unwrap();
    let e = scanner.pull(&r, dir.path()).send().await.unwrap_err();
    match e.diagnosis() {
        Diagnosis::DigestMismatch { expected, actual } => {
            assert_eq!(expected, &layer);
            assert_ne!(actual, &layer);
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("failed verification"), "{e}");
    let hex = layer.trim_start_matches("sha256:");
    assert!(
        !dir.path().join("blobs/sha256").join(hex).exists(),
        "never enters the layout"
    );
    assert!(
        !dir.path()
            .join(".partial")
            .join(format!("sha256-{hex}"))
            .exists(),
        "discarded"
    );
    assert!(
        !dir.path().join("index.json").exists(),
        "an incomplete layout has no index.json"
    );
}

#[tokio::test]
async fn broken_transfers_resume_within_a_pull_and_across_pulls() {
    let sim = common::sim().await;
    let admin = common::api(&sim, "admin");
    let digest = sim
        .add_registry_image("fr-par", "acme-prod", "big", "v1", &[3_000_000, 1_000_000])
        .unwrap();
    let r = reference("rg.fr-par.scw.cloud/acme-prod/big:v1");
    let dir = tempfile::tempdir().unwrap();
    let first = admin.pull(&r, dir.path()).send().await.unwrap();
    assert_eq!(first.manifest_digest, digest);
    let big = first.layers[0].clone();
    assert!(big.size > 3_000_000);

    // Within a pull: the connection breaks after 1 MB; the next attempt asks for the rest.
    let dir = tempfile::tempdir().unwrap();
    sim.set_registry_faults(RegistryFaults::default().cut_blob_after(&big.digest, 1_000_000));
    let before = sim.registry_stats();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let report = admin
        .pull(&r, dir.path())
        .on_progress(move |e| seen.lock().unwrap().push(e.clone()))
        .send()
        .await
        .unwrap();
    let after = sim.registry_stats();
    assert_eq!(after.range_requests - before.range_requests, 1);
    assert_eq!(
        after.blob_bytes - before.blob_bytes,
        report.total_bytes(),
        "nothing fetched twice"
    );
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| matches!(e, PullEvent::BlobRetry { .. }))
    );
    check_layout(dir.path());

    // Across pulls: one attempt only, so the pull fails and leaves the partial blob.
    let dir = tempfile::tempdir().unwrap();
    sim.set_registry_faults(RegistryFaults::default().cut_blob_after(&big.digest, 2_000_000));
    let e = admin
        .pull(&r, dir.path())
        .attempts(1)
        .concurrency(1)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::Transport { .. }),
        "{e:?}"
    );
    let partial = dir.path().join(".partial").join(format!(
        "sha256-{}",
        big.digest.trim_start_matches("sha256:")
    ));
    assert_eq!(std::fs::metadata(&partial).unwrap().len(), 2_000_000);
    let before = sim.registry_stats();
    let report = admin.pull(&r, dir.path()).send().await.unwrap();
    let after = sim.registry_stats();
    let resumed = report
        .layers
        .iter()
        .find(|l| l.digest == big.digest)
        .unwrap();
    assert_eq!(resumed.resumed_bytes, 2_000_000);
    assert_eq!(after.range_requests - before.range_requests, 1);
    let reused: u64 = std::iter::once(&report.config)
        .chain(&report.layers)
        .filter(|b| b.reused)
        .map(|b| b.size)
        .sum();
    assert!(
        report.config.reused,
        "the config completed in the first run"
    );
    assert_eq!(
        after.blob_bytes - before.blob_bytes,
        report.total_bytes() - 2_000_000 - reused,
        "only the missing bytes are fetched"
    );
    assert_eq!(
        report.bytes_downloaded,
        after.blob_bytes - before.blob_bytes
    );
    check_layout(dir.path());
}

#[tokio::test]
async fn troubleshooting_key_and_permission_errors() {
    let sim = common::sim().await;
    let r = reference("rg.fr-par.scw.cloud/acme-prod/api:latest");
    let dir = tempfile::tempdir().unwrap();

    // A revoked (deleted) key.
    let e = common::api(&sim, "deleted")
        .pull(&r, dir.path())
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::KeyRejected {
            problem,
            access_key,
            ..
        } => {
            assert_eq!(*problem, KeyProblem::UnknownOrRevoked);
            assert_eq!(
                access_key.as_deref(),
                Some(sim.credential("deleted").unwrap().access_key.as_str())
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("revoked"), "{e}");
    let e = common::api(&sim, "deleted")
        .list_namespaces(&Region::FrPar)
        .collect()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e.diagnosis(),
            Diagnosis::KeyRejected {
                problem: KeyProblem::UnknownOrRevoked,
                ..
            }
        ),
        "{e:?}"
    );
    // An expired key.
    let e = common::api(&sim, "expired")
        .pull(&r, dir.path())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e.diagnosis(),
            Diagnosis::KeyRejected {
                problem: KeyProblem::Expired,
                ..
            }
        ),
        "{e:?}"
    );

    // No Container Registry permission at all: the set to add, from the 403 details.
    let e = common::api(&sim, "byoc")
        .pull(&r, dir.path())
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::PermissionDenied {
            permission_set,
            denied,
            ..
        } => {
            assert_eq!(*permission_set, "ContainerRegistryReadOnly");
            assert!(
                denied
                    .iter()
                    .any(|d| d.resource == "registry_image" && d.action == "read"),
                "{denied:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .contains("add the permission set `ContainerRegistryReadOnly`"),
        "{e}"
    );
    let e = common::api(&sim, "byoc")
        .list_namespaces(&Region::FrPar)
        .collect()
        .await
        .unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::PermissionDenied { .. }),
        "{e:?}"
    );

    // A key scoped to another project: the scanner (production) pulling staging's image.
    let staging = reference("rg.nl-ams.scw.cloud/acme-staging/api:staging");
    let e = common::api(&sim, "registry-scanner")
        .pull(&staging, dir.path())
        .send()
        .await
        .unwrap_err();
    let production = sim.project_id("production").unwrap();
    match e.diagnosis() {
        Diagnosis::OtherProject {
            namespace,
            key_project: Some(p),
            readable_projects,
            ..
        } => {
            assert_eq!(namespace, "acme-staging");
            // The scanner may not read its own key in IAM: only the configured project
            // is known, and it is not presented as the key's.
            assert_eq!(p.id, production);
            assert_eq!(p.source, ProjectSource::Configured);
            assert_eq!(readable_projects, std::slice::from_ref(&production));
        }
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("the configured default project is {production}")),
        "{msg}"
    );
    assert!(!msg.contains("key's default project"), "{msg}");

    // Anonymous access: refused on a private namespace, allowed once it is public.
    let anonymous = common::anonymous(&sim);
    let testing = reference("rg.pl-waw.scw.cloud/acme-testing/tools/ci:v1");
    let e = anonymous
        .pull(&testing, dir.path())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::KeyRejected { .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("not public"), "{e}");
    let admin = common::api(&sim, "admin");
    let ns = admin.find_namespace("acme-testing", None).await.unwrap();
    admin
        .update_namespace(&ns.region, &ns.id)
        .is_public(true)
        .send()
        .await
        .unwrap();
    let public = tempfile::tempdir().unwrap();
    let report = anonymous
        .pull(&testing, public.path())
        .send()
        .await
        .unwrap();
    assert_eq!(report.layers.len(), 2);
}

#[tokio::test]
async fn troubleshooting_names_regions_and_case() {
    let sim = common::sim().await;
    let scanner = common::api(&sim, "registry-scanner");
    let dir = tempfile::tempdir().unwrap();

    // Region mismatch: the namespace is in fr-par.
    let e = scanner
        .pull(
            &reference("rg.nl-ams.scw.cloud/acme-prod/api:latest"),
            dir.path(),
        )
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::WrongRegion {
            requested,
            found_in,
            suggestion,
            ..
        } => {
            assert_eq!(*requested, Region::NlAms);
            assert_eq!(found_in, &[Region::FrPar]);
            assert_eq!(
                suggestion.as_deref(),
                Some("rg.fr-par.scw.cloud/acme-prod/api:latest")
            );
        }
        other => panic!("{other:?}"),
    }
    let e = scanner
        .find_namespace("acme-prod", Some(&Region::PlWaw))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("but in fr-par"), "{e}");

    // Case: names are case-sensitive.
    let e = scanner
        .pull(
            &reference("rg.fr-par.scw.cloud/Acme-Prod/api:latest"),
            dir.path(),
        )
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::NamespaceCase {
            requested,
            actual,
            suggestion,
            ..
        } => {
            assert_eq!(requested, "Acme-Prod");
            assert_eq!(actual, "acme-prod");
            assert_eq!(
                suggestion.as_deref(),
                Some("rg.fr-par.scw.cloud/acme-prod/api:latest")
            );
        }
        other => panic!("{other:?}"),
    }
    let e = scanner.find_namespace("ACME-PROD", None).await.unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::NamespaceCase { .. }),
        "{e:?}"
    );

    // A missing image and a missing tag: the closest names.
    let e = scanner
        .pull(
            &reference("rg.fr-par.scw.cloud/acme-prod/apii:latest"),
            dir.path(),
        )
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::ImageNotFound { closest, .. } => assert_eq!(closest[0], "api"),
        other => panic!("{other:?}"),
    }
    let e = scanner
        .pull(
            &reference("rg.fr-par.scw.cloud/acme-prod/api:lates"),
            dir.path(),
        )
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::TagNotFound { closest, tag, .. } => {
            assert_eq!(tag, "lates");
            assert_eq!(closest[0], "latest");
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().contains("closest existing tags: `latest`"),
        "{e}"
    );

    // A name nobody has.
    let e = scanner.find_namespace("nope", None).await.unwrap_err();
    match e.diagnosis() {
        Diagnosis::NamespaceNotFound {
            regions,
            key_project: Some(p),
            ..
        } => {
            assert_eq!(regions.len(), 3);
            assert_eq!(p.source, ProjectSource::Configured);
            assert_eq!(Some(&p.id), sim.project_id("production").as_ref());
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().contains("the configured default project is"),
        "{e}"
    );

    // A host that is not a Scaleway registry.
    let e = scanner
        .pull(&reference("docker.io/library/alpine:3"), dir.path())
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::UnknownRegistryHost { .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_region_down_hides_neither_the_other_regions_nor_the_diagnosis() {
    let sim = common::sim().await;
    let scanner = common::api(&sim, "registry-scanner");
    sim.set_faults(scaleway_sim::Faults {
        locality_faults: vec![scaleway_sim::LocalityFault::unavailable("nl-ams")],
        ..Default::default()
    });

    // The namespace is still found in the region that answers.
    let e = scanner
        .find_namespace("acme-prod", Some(&Region::PlWaw))
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::WrongRegion { found_in, .. } => assert_eq!(found_in, &[Region::FrPar]),
        other => panic!("{other:?}"),
    }

    // A refused pull cannot be blamed on another project while a region is unreadable:
    // the namespace could be there. The failing region is named.
    let e = scanner
        .pull(
            &reference("rg.nl-ams.scw.cloud/acme-staging/api:staging"),
            tempfile::tempdir().unwrap().path(),
        )
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::RegionsUnavailable {
            searched, failures, ..
        } => {
            assert_eq!(searched, &[Region::FrPar, Region::PlWaw]);
            assert_eq!(failures.len(), 1);
            assert_eq!(failures[0].region, Region::NlAms);
            assert_eq!(
                failures[0].error.api_error().and_then(|e| e.status()),
                Some(503)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string().contains("only fr-par, pl-waw answered"),
        "{e}"
    );
    assert!(
        e.to_string().ends_with("retry when it answers again"),
        "{e}"
    );
}

/// Every listing of the crate is one `Listable`: the same four consumers, no arguments,
/// the same items (with their region) whichever is used.
async fn four_ways<L>(listing: L) -> Vec<L::Item>
where
    L: Listable<Error = scaleway_registry::Error> + Clone,
    L::Item: PartialEq + std::fmt::Debug,
{
    let collected = listing.clone().collect().await.unwrap();
    let items: Vec<_> = listing.clone().items().try_collect().await.unwrap();
    let pages: Vec<_> = listing.clone().pages().try_collect().await.unwrap();
    let mut read = listing.listing();
    let mut reported = Vec::new();
    while let Some(page) = read.next().await {
        reported.extend(page.unwrap().items);
    }
    assert!(read.report().unwrap().is_complete());
    assert_eq!(items, collected);
    assert_eq!(
        pages.into_iter().flat_map(|p| p.items).collect::<Vec<_>>(),
        collected
    );
    assert_eq!(reported, collected);
    collected
}

#[tokio::test]
async fn every_listing_is_read_the_same_four_ways() {
    let sim = common::sim().await;
    let admin = common::api(&sim, "admin");
    let namespaces = four_ways(admin.list_namespaces(&Region::FrPar)).await;
    let prod = namespaces.iter().find(|n| n.name == "acme-prod").unwrap();
    let images = four_ways(admin.list_images(&Region::FrPar).namespace_id(&prod.id)).await;
    assert!(images.iter().all(|i| i.region == Some(Region::FrPar)));
    let tags = four_ways(admin.list_tags(&Region::FrPar, &images[0].id)).await;
    assert!(!tags.is_empty());
    assert!(tags.iter().all(|t| t.region == Some(Region::FrPar)));
}
