//! Provisioning and rotation end to end against the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::{access_key, client, client_for, options, prod, sim};
use scaleway_iam::checker::{Checker, FindingKind, Profile, Target, Verdict};
use scaleway_iam::provision::{
    Outcome, ProvisionRequest, ProvisionedKey, RotateError, RotateOptions, provision, rotate,
};
use scaleway_iam::{IamApi, Listable};

/// Applications, policies and API keys of the simulator's Organization.
async fn iam_counts(iam: &IamApi) -> (usize, usize, usize) {
    (
        iam.list_applications().collect().await.unwrap().len(),
        iam.list_policies().collect().await.unwrap().len(),
        iam.list_api_keys().collect().await.unwrap().len(),
    )
}

#[tokio::test]
async fn provision_creates_then_reuses_and_the_key_checks_ready() {
    let sim = sim().await;
    let iam = IamApi::new(&client(&sim, "admin"));
    let req = ProvisionRequest::new(
        "ci-inventory",
        Profile::builtin("inventory-readonly").unwrap(),
        prod(&sim),
    );
    let first = provision(&iam, &req).await.unwrap();
    assert_eq!(first.application_outcome, Outcome::Created);
    assert_eq!(first.policy_outcome, Outcome::Created);
    assert!(
        first.log[0].starts_with("project \"production\""),
        "{:?}",
        first.log
    );
    let ProvisionedKey::New(key) = &first.key else {
        panic!("{:?}", first.key)
    };
    assert_eq!(key.key.default_project_id, prod(&sim));
    assert!(key.key.expires_at.is_some());
    assert!(!format!("{first:?}").contains(key.secret_key.expose_secret()));
    // The new key, checked with its own secret: Ready, confirmed by its reads of every
    // product the job uses (Object Storage included), no excess.
    let key_client = client_for(
        &sim,
        key.key.access_key.as_str(),
        key.secret_key.expose_secret(),
        prod(&sim).as_str(),
    );
    let report = Checker::new()
        .with_options(options(&sim))
        .audit_confirming(
            iam.client(),
            &key_client,
            &Profile::builtin("inventory-readonly").unwrap(),
            &Target::project(prod(&sim)),
        )
        .await
        .unwrap();
    assert!(!report.has("excess_grant"), "{}", report.to_text());
    assert!(!report.has("key_no_expiry"), "{}", report.to_text());
    assert!(report.has("recent_iam_change"));
    assert_eq!(report.verdict, Verdict::Ready, "{}", report.to_text());
    let live = report.findings_with_code("confirmed_live").next().unwrap();
    assert!(
        matches!(&live.kind, FindingKind::ConfirmedLive { products } if products.len() == 8 && products.contains(&"object-storage".to_owned())),
        "{:?}",
        live.kind
    );

    // Re-run: everything reused, no second key.
    let second = provision(&iam, &req).await.unwrap();
    assert_eq!(second.application_outcome, Outcome::Reused);
    assert_eq!(second.policy_outcome, Outcome::Reused);
    assert!(
        matches!(&second.key, ProvisionedKey::Existing { access_key } if *access_key == key.key.access_key)
    );
    assert!(second.log.iter().any(|l| l.contains("reused")));

    // Another profile under the same name: the policy's rules are reset.
    let req2 = ProvisionRequest::new(
        "ci-inventory",
        Profile::builtin("registry-scanner").unwrap(),
        prod(&sim),
    );
    let third = provision(&iam, &req2).await.unwrap();
    assert_eq!(third.policy_outcome, Outcome::Updated);
    let rules = iam.list_rules(&third.policy.id).collect().await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(
        rules[0].permission_set_names,
        vec!["ContainerRegistryReadOnly"]
    );
}

#[tokio::test]
async fn a_key_expiring_within_the_warning_period_is_not_reused() {
    let sim = sim().await;
    let iam = IamApi::new(&client(&sim, "admin"));
    let req = ProvisionRequest::new(
        "ci-scanner",
        Profile::builtin("registry-scanner").unwrap(),
        prod(&sim),
    );
    let ProvisionedKey::New(first) = provision(&iam, &req).await.unwrap().key else {
        panic!("a new key")
    };
    // The key made by the first run now expires in 5 days (the profile warns at 30).
    sim.state()
        .set_api_key_expiry(
            first.key.access_key.as_str(),
            Some(chrono::Utc::now() + chrono::Duration::days(5)),
        )
        .unwrap();
    let again = provision(&iam, &req).await.unwrap();
    let ProvisionedKey::New(second) = &again.key else {
        panic!("{:?}", again.log)
    };
    assert_ne!(second.key.access_key, first.key.access_key);
    assert!(
        again
            .log
            .iter()
            .any(|l| l.contains(first.key.access_key.as_str()) && l.contains("expires within 30")),
        "{:?}",
        again.log
    );
    // The fresh key is reused by the next run.
    let third = provision(&iam, &req).await.unwrap();
    assert!(
        matches!(&third.key, ProvisionedKey::Existing { access_key } if *access_key == second.key.access_key),
        "{:?}",
        third.log
    );
}

#[tokio::test]
async fn provision_refuses_bad_names() {
    let sim = sim().await;
    let iam = IamApi::new(&client(&sim, "admin"));
    let req = ProvisionRequest::new(
        "x".repeat(65),
        Profile::builtin("inventory-readonly").unwrap(),
        prod(&sim),
    );
    let e = provision(&iam, &req).await.unwrap_err();
    assert!(e.to_string().contains("1 to 64 characters"), "{e}");
}

#[tokio::test]
async fn provision_creates_nothing_for_a_project_that_does_not_exist() {
    let sim = sim().await;
    let iam = IamApi::new(&client(&sim, "admin"));
    let before = iam_counts(&iam).await;
    let missing = "6f1c2b0e-4a5d-4e8f-9b7a-3c2d1e0f9a8b";
    let req = ProvisionRequest::new(
        "ci-ghost",
        Profile::builtin("inventory-readonly").unwrap(),
        missing.parse().unwrap(),
    );
    let e = provision(&iam, &req).await.unwrap_err();
    let m = e.to_string();
    assert!(
        m.contains(&format!("project {missing} does not exist"))
            && m.contains("nothing was created"),
        "{m}"
    );
    assert_eq!(iam_counts(&iam).await, before);
    // A project of another Organization than the one asked for.
    let mut req = ProvisionRequest::new(
        "ci-elsewhere",
        Profile::builtin("inventory-readonly").unwrap(),
        prod(&sim),
    );
    req.organization_id = Some("0f0e0d0c-0b0a-4908-8706-050403020100".parse().unwrap());
    let m = provision(&iam, &req).await.unwrap_err().to_string();
    assert!(
        m.contains(&format!(
            "belongs to Organization {}",
            sim.organization_id()
        )),
        "{m}"
    );
    assert_eq!(iam_counts(&iam).await, before);
    // A permission set the API does not offer: refused before the application exists.
    let typo = Profile::new(
        "typo",
        vec![scaleway_iam::checker::Requirement::on_project(
            "InstancesReadOnlyy",
        )],
    );
    let req = ProvisionRequest::new("ci-typo", typo, prod(&sim));
    let m = provision(&iam, &req).await.unwrap_err().to_string();
    assert!(
        m.contains("no permission set named InstancesReadOnlyy")
            && m.contains("nothing was created"),
        "{m}"
    );
    assert_eq!(iam_counts(&iam).await, before);
}

#[tokio::test]
async fn rotate_deletes_the_old_key_only_when_the_new_one_is_ready() {
    let sim = sim().await;
    let iam = IamApi::new(&client(&sim, "admin"));
    let old = access_key(&sim, "registry-scanner");
    let mut opts = RotateOptions::new(
        Profile::builtin("registry-scanner").unwrap(),
        Target::project(prod(&sim)),
    );
    opts.poll_interval = Duration::from_millis(100);
    let rotated = rotate(&iam, &old, &opts).await.unwrap();
    assert_eq!(rotated.report.verdict, Verdict::Ready);
    assert!(rotated.report.has("confirmed_live"));
    let e = iam.get_api_key(&old).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    let new = iam
        .get_api_key(&rotated.new_key.key.access_key)
        .await
        .unwrap();
    assert_eq!(
        new.application_id,
        Some(
            sim.state()
                .application_id("registry-scanner")
                .unwrap()
                .parse()
                .unwrap()
        )
    );

    // A key that is not Ready for the profile (wrong project): an error carrying the new
    // key and the report; the old key is kept.
    let old = access_key(&sim, "wrong-project");
    let mut opts = RotateOptions::new(
        Profile::builtin("byoc-kapsule").unwrap(),
        Target::project(prod(&sim)),
    );
    opts.poll_interval = Duration::from_millis(100);
    let e = rotate(&iam, &old, &opts).await.unwrap_err();
    let RotateError::NotReady {
        old_key,
        new_key,
        report,
        checks,
    } = &e
    else {
        panic!("{e:?}")
    };
    assert_eq!(*old_key, old);
    assert!(matches!(report.verdict, Verdict::Invalid { .. }));
    assert_eq!(*checks, 1, "Invalid stops at once");
    assert!(e.to_string().contains("not ready (invalid)"), "{e}");
    assert!(e.to_string().contains("both keys are live"), "{e}");
    assert!(e.api_error().is_none());
    assert_eq!(e.new_key().unwrap().key.access_key, new_key.key.access_key);
    assert!(
        !format!("{e:?}").contains(new_key.secret_key.expose_secret()),
        "Debug never prints the secret"
    );
    assert!(iam.get_api_key(&old).await.is_ok());
    assert!(iam.get_api_key(&new_key.key.access_key).await.is_ok());
}

#[tokio::test]
async fn rotate_waits_for_a_delayed_key_within_the_window() {
    // The simulator's clock moves only by its injected latency (10 ms per request, not
    // waited): the new key is enforced once 300 requests' worth of time has passed since it
    // was created, so the first check (a few requests) always finds it pending and a later
    // one Ready, however fast or loaded the machine.
    let clock = scaleway_sim::SimClock::new();
    let sim = scaleway_sim::Sim::builder(scaleway_sim::Scenario::demo())
        .iam_propagation_delay(Duration::from_secs(3))
        .latency(Duration::from_millis(10))
        .clock(clock)
        .start()
        .await
        .unwrap();
    let iam = IamApi::new(&client(&sim, "admin"));
    let old = access_key(&sim, "registry-scanner");
    let mut checker_opts = options(&sim);
    checker_opts.propagation_window = Some(Duration::from_secs(60));
    let mut opts = RotateOptions::new(
        Profile::builtin("registry-scanner").unwrap(),
        Target::project(prod(&sim)),
    );
    opts.poll_interval = Duration::from_millis(1);
    opts.checker = Checker::new().with_options(checker_opts.clone());
    let rotated = rotate(&iam, &old, &opts).await.unwrap();
    assert_eq!(rotated.report.verdict, Verdict::Ready);
    assert!(rotated.checks > 1, "the new key was not in force at once");
    assert!(iam.get_api_key(&old).await.unwrap_err().is_not_found());

    // The clock stopped (no latency) and a delay of 10 minutes on it: still pending when
    // the rotation's timeout passes, so an error with the new key, and the old key is kept.
    sim.set_faults(scaleway_sim::Faults::default());
    sim.state()
        .set_iam_propagation_delay(Duration::from_secs(600));
    let old = access_key(&sim, "inventory");
    let mut opts = RotateOptions::new(
        Profile::builtin("registry-scanner").unwrap(),
        Target::project(prod(&sim)),
    );
    opts.poll_interval = Duration::from_millis(100);
    opts.timeout = Some(Duration::from_millis(300));
    opts.checker = Checker::new().with_options(checker_opts);
    let e = rotate(&iam, &old, &opts).await.unwrap_err();
    let RotateError::NotReady {
        new_key, report, ..
    } = &e
    else {
        panic!("{e:?}")
    };
    assert!(
        matches!(report.verdict, Verdict::PendingPropagation { .. }),
        "{}",
        report.to_text()
    );
    assert!(e.to_string().contains("pending_propagation"), "{e}");
    assert!(iam.get_api_key(&old).await.is_ok());
    assert!(iam.get_api_key(&new_key.key.access_key).await.is_ok());
}

#[tokio::test]
async fn rotating_an_unknown_key_changes_nothing() {
    let sim = sim().await;
    let iam = IamApi::new(&client(&sim, "admin"));
    let before = iam.list_api_keys().collect().await.unwrap().len();
    let opts = RotateOptions::new(
        Profile::builtin("registry-scanner").unwrap(),
        Target::project(prod(&sim)),
    );
    let e = rotate(&iam, &"SCW00000000000000000".parse().unwrap(), &opts)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, RotateError::Start(inner) if inner.is_not_found()),
        "{e:?}"
    );
    assert!(e.api_error().unwrap().is_not_found());
    assert!(e.new_key().is_none());
    assert_eq!(iam.list_api_keys().collect().await.unwrap().len(), before);
}
