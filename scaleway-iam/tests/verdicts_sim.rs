//! Issue 11's first list, end to end against the simulator's `demo` scenario: no false
//! Ready, no false Invalid. Verdicts are compared by status string so that each test
//! states the answer a platform acts on.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{access_key, client, options, prod, sim};
use scaleway_iam::checker::{Checker, Profile, Report, Target};
use scaleway_iam::provision::{ProvisionRequest, ProvisionedKey, RotateOptions, provision, rotate};
use scaleway_iam::{IamApi, Listable};
use scaleway_sim::{PolicyPrincipal, RuleSpec};

fn profile(name: &str) -> Profile {
    Profile::builtin(name).unwrap()
}

async fn audit_on(sim: &scaleway_sim::Sim, key: &str, prof: &Profile, target: &Target) -> Report {
    Checker::new()
        .with_options(options(sim))
        .audit(&client(sim, "admin"), &access_key(sim, key), prof, target)
        .await
        .unwrap()
}

async fn audit(sim: &scaleway_sim::Sim, key: &str, prof: &str) -> Report {
    audit_on(sim, key, &profile(prof), &Target::project(prod(sim))).await
}

#[tokio::test]
async fn a_least_privilege_byoc_key_checking_itself_is_unproven_not_invalid() {
    let sim = sim().await;
    let r = Checker::new()
        .with_options(options(&sim))
        .self_check(
            &client(&sim, "byoc"),
            &profile("byoc-kapsule"),
            &Target::project(prod(&sim)),
        )
        .await
        .unwrap();
    assert_eq!(r.verdict.status(), "unproven", "{}", r.to_text());
    assert!(!r.blocking().any(|_| true), "{}", r.to_text());
}

#[tokio::test]
async fn organization_wide_grants_cover_only_their_own_organization() {
    let sim = sim().await;
    // A key of another Organization, AllProductsReadOnly on all of that Organization's
    // projects: nothing in this Organization's production.
    let r = audit(&sim, "other-org", "inventory-readonly").await;
    assert_eq!(r.verdict.status(), "invalid", "{}", r.to_text());
    assert!(r.has("organization_mismatch"), "{}", r.to_text());
}

#[tokio::test]
async fn an_organization_wide_key_is_not_ready_for_a_project_that_does_not_exist() {
    let sim = sim().await;
    let app = sim.state().add_application("everything-reader");
    sim.state()
        .add_policy(
            "everything-reader",
            PolicyPrincipal::Application(app.clone()),
            vec![RuleSpec::organization(&["AllProductsReadOnly"])],
        )
        .unwrap();
    let key = sim
        .state()
        .create_api_key(&app, false, &sim.project_id("production").unwrap())
        .unwrap();
    // All-projects grants allowed: only the project itself can make this key unfit.
    let mut relaxed = profile("inventory-readonly");
    relaxed.excess.wider_scope = scaleway_iam::checker::ExcessAction::Allow;
    let mut opts = options(&sim);
    opts.propagation_window = Some(std::time::Duration::ZERO);
    let mistyped: scaleway_core::ProjectId =
        "6f1c2b0e-4a5d-4e8f-9b7a-3c2d1e0f9a8b".parse().unwrap();
    let r = Checker::new()
        .with_options(opts)
        .audit(
            &client(&sim, "admin"),
            &key.access_key.parse().unwrap(),
            &relaxed,
            &Target::project(mistyped),
        )
        .await
        .unwrap();
    assert_eq!(r.verdict.status(), "invalid", "{}", r.to_text());
    assert!(r.has("project_not_found"), "{}", r.to_text());
}

#[tokio::test]
async fn an_owner_key_is_invalid_for_a_profile_with_nothing_at_organization_level() {
    let sim = sim().await;
    let r = audit(&sim, "owner", "byoc-kapsule").await;
    assert_eq!(r.verdict.status(), "invalid", "{}", r.to_text());
    let owner = r.findings_with_code("organization_owner").next().unwrap();
    assert_eq!(
        owner.severity,
        scaleway_iam::checker::Severity::Blocking,
        "{}",
        r.to_text()
    );
}

#[tokio::test]
async fn an_all_projects_byoc_key_is_invalid_for_byoc_kapsule() {
    let sim = sim().await;
    let r = audit(&sim, "byoc-all-projects", "byoc-kapsule").await;
    assert_eq!(r.verdict.status(), "invalid", "{}", r.to_text());
    assert!(
        r.blocking().any(|f| f.code() == "wider_than_required"),
        "{}",
        r.to_text()
    );
}

#[tokio::test]
async fn an_upper_case_project_id_is_the_same_project() {
    let sim = sim().await;
    let upper: scaleway_core::ProjectId = sim
        .project_id("production")
        .unwrap()
        .to_ascii_uppercase()
        .parse()
        .unwrap();
    let r = audit_on(
        &sim,
        "byoc",
        &profile("byoc-kapsule"),
        &Target::project(upper),
    )
    .await;
    assert_eq!(r.verdict.status(), "ready", "{}", r.to_text());
    assert!(!r.has("wrong_project") && !r.has("default_project_mismatch"));
}

#[tokio::test]
async fn rotate_then_provision_creates_nothing() {
    let sim = sim().await;
    let iam = IamApi::new(&client(&sim, "admin"));
    let req = ProvisionRequest::new("ci-scanner", profile("registry-scanner"), prod(&sim));
    let ProvisionedKey::New(first) = provision(&iam, &req).await.unwrap().key else {
        panic!("a new key")
    };
    let mut opts = RotateOptions::new(profile("registry-scanner"), Target::project(prod(&sim)));
    opts.poll_interval = std::time::Duration::from_millis(100);
    opts.checker = Checker::new().with_options(options(&sim));
    let rotated = rotate(&iam, &first.key.access_key, &opts).await.unwrap();
    let keys = iam.list_api_keys().collect().await.unwrap().len();
    let again = provision(&iam, &req).await.unwrap();
    assert!(
        matches!(&again.key, ProvisionedKey::Existing { access_key } if *access_key == rotated.new_key.key.access_key),
        "{:?}",
        again.log
    );
    assert_eq!(iam.list_api_keys().collect().await.unwrap().len(), keys);
}

#[tokio::test]
async fn provision_refuses_a_set_at_the_wrong_level_before_creating_anything() {
    let sim = sim().await;
    let iam = IamApi::new(&client(&sim, "admin"));
    let counts = || async {
        (
            iam.list_applications().collect().await.unwrap().len(),
            iam.list_policies().collect().await.unwrap().len(),
            iam.list_api_keys().collect().await.unwrap().len(),
        )
    };
    let before = counts().await;
    // IAMReadOnly is an Organization-level set: it cannot be granted on a project.
    let wrong = Profile::new(
        "wrong-level",
        vec![
            scaleway_iam::checker::Requirement::on_project("InstancesReadOnly"),
            scaleway_iam::checker::Requirement::on_project("IAMReadOnly"),
        ],
    );
    let e = provision(
        &iam,
        &ProvisionRequest::new("ci-wrong-level", wrong, prod(&sim)),
    )
    .await
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("IAMReadOnly")
            && e.contains("Organization")
            && e.contains("nothing was created"),
        "{e}"
    );
    assert_eq!(counts().await, before);
    // And the other way round: a project-level set required at Organization level would be
    // granted on every project, which provisioning never does.
    let wide = Profile::new(
        "wide",
        vec![scaleway_iam::checker::Requirement::on_organization(
            "InstancesReadOnly",
        )],
    );
    let e = provision(&iam, &ProvisionRequest::new("ci-wide", wide, prod(&sim)))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("InstancesReadOnly is a project-level set") && e.contains("nothing was created"),
        "{e}"
    );
    assert_eq!(counts().await, before);
}
