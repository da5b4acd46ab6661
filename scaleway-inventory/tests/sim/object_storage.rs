//! The Object Storage source end to end: buckets with their location, versioning and tags;
//! the target project; refusals, signature errors and unreachable or silent endpoints.

use super::*;

pub(crate) fn s3_source(
    sim: &Sim,
    client: &scaleway_core::Client,
) -> scaleway_inventory::ObjectStorageSource {
    let mut b = scaleway_inventory::ObjectStorageSource::builder().from_client(client);
    for region in scaleway_core::Region::ALL {
        b = b.endpoint(region.clone(), sim.s3_endpoint(region.as_str()).unwrap());
    }
    b.build().unwrap()
}

fn buckets(s: &Snapshot) -> Vec<scaleway_inventory::model::object_storage::Bucket> {
    s.resources
        .iter()
        .filter_map(|r| match &r.object() {
            scaleway_inventory::ProductObject::Bucket(b) => Some((**b).clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn object_storage_lists_buckets_with_location_versioning_and_tags() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let client = common::client(&sim, &cred);
    let snap = common::inventory(client.clone())
        .sources(&[SourceName::ObjectStorage])
        .object_storage(s3_source(&sim, &client))
        .build()
        .unwrap()
        .collect()
        .await;
    assert_eq!(snap.listings.len(), 4);
    for l in &snap.listings {
        assert!(
            l.status.is_ok(),
            "{} {}: {:?}",
            l.source,
            l.locality,
            l.status
        );
    }
    let b = buckets(&snap);
    let names: Vec<&str> = b.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(names, ["acme-prod-assets", "acme-prod-backups"]);
    let backups = &b[1];
    assert_eq!(backups.region.as_ref().map(|r| r.as_str()), Some("nl-ams"));
    assert!(backups.versioning.as_ref().unwrap().is_enabled());
    assert_eq!(
        backups
            .tags
            .as_ref()
            .unwrap()
            .get("kind")
            .map(String::as_str),
        Some("backup")
    );
    assert!(snap.resources.iter().all(|r| r.notes().is_empty()));
    let r = snap.get("bucket/nl-ams/acme-prod-backups").unwrap();
    assert_eq!(
        r.roles(),
        vec![
            BackupRole::Source,
            BackupRole::Store,
            BackupRole::Destination
        ]
    );
    assert!(r.tags().contains(&"env=production".to_owned()));
    assert_eq!(r.project_id(), sim.project_id("production").unwrap());
    assert!(sim.s3_request_count() >= 4 + 2 * 3);
}

#[tokio::test]
async fn object_storage_lists_the_target_project_not_the_keys_preferred_one() {
    let sim = demo().await;
    let prod = sim.project_id("production").unwrap();
    let staging = sim.project_id("staging").unwrap();
    // A key of the `inventory` application (rights on production only) whose preferred
    // project is staging: only `ACCESS_KEY@PROJECT_ID` lists production's buckets.
    let app = sim.state().application_id("inventory").unwrap();
    let key = sim.state().create_api_key(&app, false, &staging).unwrap();
    let client = common::client_with(&sim, &key.access_key, &key.secret_key, &staging, 64);
    let snap = common::inventory(client.clone())
        .project(prod.parse().unwrap())
        .sources(&[SourceName::ObjectStorage])
        .object_storage(s3_source(&sim, &client))
        .build()
        .unwrap()
        .collect()
        .await;
    assert!(snap.is_complete(), "{:?}", snap.listings);
    let names: Vec<String> = buckets(&snap).into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["acme-prod-assets", "acme-prod-backups"]);
}

#[tokio::test]
async fn object_storage_without_rights_is_denied() {
    let sim = demo().await;
    // `registry-scanner` holds ContainerRegistryReadOnly only.
    let cred = sim.credential("registry-scanner").unwrap().clone();
    let client = common::client(&sim, &cred);
    let snap = common::inventory(client.clone())
        .sources(&[SourceName::ObjectStorage, SourceName::Registry])
        .object_storage(s3_source(&sim, &client))
        .build()
        .unwrap()
        .collect()
        .await;
    for l in &snap.listings {
        match l.source.as_str() {
            "object-storage" => assert!(
                matches!(&l.status, LocalityStatus::Denied { message, .. } if message.contains("AccessDenied")),
                "{}: {:?}",
                l.locality,
                l.status
            ),
            _ => assert!(l.status.is_ok() || l.status.is_not_available(), "{l:?}"),
        }
    }
}

#[tokio::test]
async fn a_wrong_secret_key_fails_the_signature_check() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let client = common::client(&sim, &cred);
    let wrong = common::client_with(
        &sim,
        &cred.access_key,
        "11111111-1111-1111-1111-111111111111",
        &cred.project_id,
        64,
    );
    let snap = common::inventory(client)
        .sources(&[SourceName::ObjectStorage])
        .object_storage(s3_source(&sim, &wrong))
        .build()
        .unwrap()
        .collect()
        .await;
    for l in &snap.listings {
        let LocalityStatus::Failed { error, .. } = &l.status else {
            panic!("{:?}", l)
        };
        assert!(error.contains("SignatureDoesNotMatch"), "{error}");
    }
}

#[tokio::test]
async fn an_unreachable_s3_endpoint_fails_fast_and_the_rest_completes() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let client = common::client(&sim, &cred);
    // Nothing listens on port 9 of 127.0.0.1 (discard): connections are refused.
    let dead: url::Url = "http://127.0.0.1:9".parse().unwrap();
    let s3 = scaleway_inventory::ObjectStorageSource::builder()
        .from_client(&client)
        .endpoint(scaleway_core::Region::FrPar, dead.clone())
        .endpoint(scaleway_core::Region::NlAms, dead.clone())
        .endpoint(scaleway_core::Region::PlWaw, dead.clone())
        .endpoint(scaleway_core::Region::ItMil, dead)
        .build()
        .unwrap();
    let snap = common::inventory(client)
        .sources(&[SourceName::ObjectStorage, SourceName::Instance])
        .object_storage(s3)
        .build()
        .unwrap()
        .collect()
        .await;
    for l in &snap.listings {
        if l.source == "object-storage" {
            let LocalityStatus::Failed { error, kind, .. } = &l.status else {
                panic!("{:?}", l)
            };
            assert!(error.contains("transport"), "{error}");
            assert_eq!(*kind, FailureKind::Transport, "{error}");
        } else {
            assert!(l.status.is_ok(), "{:?}", l);
        }
    }
    assert_eq!(names(&snap, ResourceKind::InstanceServer).len(), 5);
}

#[tokio::test]
async fn a_bucket_whose_tagging_is_refused_is_reported_with_a_note_and_the_region_completes() {
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let client = common::client(&sim, &cred);
    let inv = common::inventory(client.clone())
        .sources(&[SourceName::ObjectStorage])
        .object_storage(s3_source(&sim, &client))
        .build()
        .unwrap();
    let before = inv.collect().await;
    // A bucket policy denies GetBucketTagging on one bucket.
    sim.deny_bucket_actions("acme-prod-backups", &["s3:GetBucketTagging"]);
    let snap = inv.collect().await;
    for l in &snap.listings {
        assert!(l.status.is_ok(), "{l:?}");
    }
    assert!(snap.is_complete());
    let names: Vec<String> = buckets(&snap).into_iter().map(|b| b.name).collect();
    assert_eq!(names, ["acme-prod-assets", "acme-prod-backups"]);
    let r = snap.get("bucket/nl-ams/acme-prod-backups").unwrap();
    let b = buckets(&snap).pop().unwrap();
    assert_eq!(b.tags, None, "unknown, not empty");
    assert!(
        b.versioning.unwrap().is_enabled(),
        "the other calls still answered"
    );
    assert!(r.is_unknown("tags") && r.is_unknown("object.tags"), "{r:?}");
    assert!(
        r.notes()[0].message.contains("AccessDenied"),
        "{:?}",
        r.notes()
    );
    assert!(
        snap.get("bucket/fr-par/acme-prod-assets")
            .unwrap()
            .notes()
            .is_empty()
    );
    // Kept in the JSON; the unreadable tags are not a change.
    let back = Snapshot::from_json(&snap.to_json().unwrap()).unwrap();
    assert_eq!(back.get(r.id()).unwrap().notes(), r.notes());
    let d = diff(&before, &snap);
    assert!(d.is_empty(), "{d:?}");
}

#[tokio::test]
async fn an_s3_endpoint_that_never_answers_fails_that_source_with_a_timeout_and_the_rest_completes()
{
    let sim = demo().await;
    let cred = sim.credential("inventory").unwrap().clone();
    let client = common::client(&sim, &cred);
    // Accepts connections (the kernel completes the handshake) but never reads or answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url: url::Url = format!("http://{}", silent.local_addr().unwrap())
        .parse()
        .unwrap();
    let mut s3 = scaleway_inventory::ObjectStorageSource::builder()
        .from_client(&client)
        .timeout(Duration::from_millis(300))
        .retry(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(Duration::from_millis(5))
                .with_budget(Duration::from_secs(5)),
        );
    for region in Region::ALL {
        s3 = s3.endpoint(region, url.clone());
    }
    let snap = common::inventory(client)
        .sources(&[SourceName::ObjectStorage, SourceName::Instance])
        .object_storage(s3.build().unwrap())
        .build()
        .unwrap()
        .collect()
        .await;
    let mut timed_out = 0;
    for l in &snap.listings {
        if l.source == "object-storage" {
            let LocalityStatus::Failed { error, kind, .. } = &l.status else {
                panic!("{l:?}")
            };
            assert_eq!(*kind, FailureKind::Timeout, "{error}");
            timed_out += 1;
        } else {
            assert!(l.status.is_ok(), "{l:?}");
        }
    }
    assert_eq!(timed_out, 4);
    assert_eq!(names(&snap, ResourceKind::InstanceServer).len(), 5);
    drop(silent);
}
