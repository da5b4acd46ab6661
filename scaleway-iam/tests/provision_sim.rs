//! Provisioning and rotation end to end against the simulator.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::{access_key, client, client_for, prod, sim};
use scaleway_iam::IamApi;
use scaleway_iam::checker::{CheckOptions, Checker, Profile, Target, Verdict};
use scaleway_iam::provision::{
    Outcome, ProvisionRequest, ProvisionedKey, RotateError, RotateOptions, provision, rotate,
};

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
    let ProvisionedKey::New(key) = &first.key else {
        panic!("{:?}", first.key)
    };
    assert_eq!(key.key.default_project_id, prod(&sim).as_str());
    assert!(key.key.expires_at.is_some());
    assert!(!format!("{first:?}").contains(key.secret_key.expose_secret()));
    // The new key, checked with its own secret: Ready (confirmed by its reads), no excess.
    let key_client = client_for(
        &sim,
        key.key.access_key.as_str(),
        key.secret_key.expose_secret(),
        prod(&sim).as_str(),
    );
    let report = Checker::new()
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
    // Object Storage (in AllProductsReadOnly) cannot be confirmed by a probe: pending.
    assert!(
        matches!(report.verdict, Verdict::PendingPropagation { .. }),
        "{}",
        report.to_text()
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
    assert!(rotated.old_key_deleted, "{}", rotated.report.to_text());
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
        Some(sim.state().application_id("registry-scanner").unwrap())
    );

    // A key that is not Ready for the profile (wrong project): the old key is kept.
    let old = access_key(&sim, "wrong-project");
    let mut opts = RotateOptions::new(
        Profile::builtin("byoc-kapsule").unwrap(),
        Target::project(prod(&sim)),
    );
    opts.poll_interval = Duration::from_millis(100);
    let rotated = rotate(&iam, &old, &opts).await.unwrap();
    assert!(!rotated.old_key_deleted);
    assert!(matches!(rotated.report.verdict, Verdict::Invalid { .. }));
    assert!(iam.get_api_key(&old).await.is_ok());
}

#[tokio::test]
async fn rotate_waits_for_a_delayed_key_within_the_window() {
    let sim = scaleway_sim::Sim::builder(scaleway_sim::Scenario::demo())
        .iam_propagation_delay(Duration::from_millis(800))
        .start()
        .await
        .unwrap();
    let iam = IamApi::new(&client(&sim, "admin"));
    let old = access_key(&sim, "registry-scanner");
    let mut checker_opts = CheckOptions::default();
    checker_opts.propagation_window = Some(Duration::from_secs(5));
    let mut opts = RotateOptions::new(
        Profile::builtin("registry-scanner").unwrap(),
        Target::project(prod(&sim)),
    );
    opts.poll_interval = Duration::from_millis(200);
    opts.checker = Checker::new().with_options(checker_opts);
    let rotated = rotate(&iam, &old, &opts).await.unwrap();
    assert!(rotated.old_key_deleted, "{}", rotated.report.to_text());
    assert!(rotated.checks > 1, "the new key was not in force at once");

    // With a timeout shorter than the delay, the old key is kept.
    let old = access_key(&sim, "inventory");
    let mut opts = RotateOptions::new(
        Profile::builtin("registry-scanner").unwrap(),
        Target::project(prod(&sim)),
    );
    opts.poll_interval = Duration::from_millis(100);
    opts.timeout = Some(Duration::from_millis(300));
    let mut checker_opts = CheckOptions::default();
    checker_opts.propagation_window = Some(Duration::from_secs(5));
    opts.checker = Checker::new().with_options(checker_opts);
    let rotated = rotate(&iam, &old, &opts).await.unwrap();
    assert!(!rotated.old_key_deleted);
    assert!(matches!(
        rotated.report.verdict,
        Verdict::PendingPropagation { .. }
    ));
    assert!(iam.get_api_key(&old).await.is_ok());
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
    assert!(e.api_error().is_not_found());
    assert_eq!(iam.list_api_keys().collect().await.unwrap().len(), before);
}
