//! Canary writes end to end against the simulator: what is created, proven, refused, left
//! behind, and cleaned up when the check is dropped mid-way.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::{client, client_for, options, prod, sim};
use scaleway_iam::checker::canary::{CanaryKind, CanaryReport, CanaryResult, CleanupStatus};
use scaleway_iam::checker::{
    Checker, EstablishedBy, Evidence, Finding, FindingKind, Mode, Profile, Report,
    RequirementStatus, Severity, Target, Verdict,
};
use scaleway_sim::{Faults, PolicyPrincipal, RuleSpec, Sim};

fn byoc() -> Profile {
    Profile::builtin("byoc-kapsule").unwrap()
}

fn checker(sim: &Sim) -> Checker {
    Checker::new().with_options(options(sim))
}

fn result_of<'a>(r: &'a CanaryReport, product: &str) -> &'a CanaryResult {
    &r.outcomes
        .iter()
        .find(|o| o.product == product)
        .unwrap_or_else(|| panic!("no {product} canary in {r:#?}"))
        .result
}

/// A key of a new application with these sets on production.
fn key_with(sim: &Sim, name: &str, sets: &[&str]) -> scaleway_core::Client {
    let st = sim.state();
    let prod = sim.project_id("production").unwrap();
    let app = st.add_application(name);
    st.add_policy(
        name,
        PolicyPrincipal::Application(app.clone()),
        vec![RuleSpec::projects(sets, &[&prod])],
    )
    .unwrap();
    let k = st.create_api_key(&app, false, &prod).unwrap();
    client_for(sim, &k.access_key, &k.secret_key, &prod)
}

#[tokio::test]
async fn the_byoc_key_proves_every_free_canary_and_leaves_nothing() {
    let sim = sim().await;
    let checker = checker(&sim);
    let plan = checker.canary_plan(&byoc());
    assert_eq!(
        plan.products,
        ["vpc", "private-networks", "instances", "object-storage"]
    );
    assert_eq!(plan.not_available.len(), 1);
    assert_eq!(plan.not_available[0].product, "kubernetes");
    assert_eq!(plan.not_available[0].permission_set, "KubernetesFullAccess");
    assert!(plan.not_available[0].reason.contains("free"));

    let target = Target::project(prod(&sim));
    let r = checker
        .run_canaries(&client(&sim, "byoc"), &byoc(), &target)
        .await
        .unwrap();
    for p in ["vpc", "private-networks", "instances", "object-storage"] {
        assert_eq!(result_of(&r, p), &CanaryResult::Proven, "{p}: {r:#?}");
    }
    let kinds: Vec<CanaryKind> = r.resources().map(|x| x.kind).collect();
    assert_eq!(
        kinds,
        [
            CanaryKind::Vpc,
            CanaryKind::PrivateNetwork,
            CanaryKind::SecurityGroup,
            CanaryKind::Bucket
        ]
    );
    // One recognisable name per run; every resource deleted, in the target project.
    let name = &r.outcomes[0].resources[0].name;
    assert!(name.starts_with("scw-canary-") && name.len() == "scw-canary-".len() + 36);
    for res in r.resources() {
        assert_eq!(&res.name, name);
        assert_eq!(res.status, CleanupStatus::Deleted, "{res:#?}");
        assert_eq!(res.project_id, prod(&sim).to_string());
        assert!(res.id.is_some());
    }
    assert_eq!(r.leftovers().count(), 0);
    assert!(sim.state().named("scw-canary").is_empty());
    // The report's JSON carries what was created and deleted.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["outcomes"][0]["result"]["status"], "proven");
    assert_eq!(json["outcomes"][3]["resources"][0]["kind"], "bucket");
    assert_eq!(json["outcomes"][3]["resources"][0]["status"], "deleted");
}

#[tokio::test]
async fn a_read_only_key_is_refused_with_what_was_refused() {
    let sim = sim().await;
    let target = Target::project(prod(&sim));
    let r = checker(&sim)
        .run_canaries(&client(&sim, "inventory"), &byoc(), &target)
        .await
        .unwrap();
    let denied = |p: &str| match result_of(&r, p) {
        CanaryResult::Refused { step, denied } => (step.clone(), denied.clone()),
        other => panic!("{p}: {other:?}"),
    };
    let (step, d) = denied("vpc");
    assert!(step.starts_with("create VPC scw-canary-"), "{step}");
    assert_eq!(
        (d[0].action.as_str(), d[0].resource.as_str()),
        ("write", "vpc")
    );
    assert_eq!(denied("private-networks").1[0].resource, "private_network");
    assert_eq!(denied("instances").1[0].resource, "instance_security_group");
    let (step, d) = denied("object-storage");
    assert!(step.starts_with("create bucket"), "{step}");
    assert_eq!(d[0].action, "CreateBucket");
    assert_eq!(r.resources().count(), 0, "nothing was created");
    assert!(sim.state().named("scw-canary").is_empty());
}

#[tokio::test]
async fn a_delete_that_fails_is_a_reported_leftover_with_its_delete_command() {
    let sim = sim().await;
    // BYOC, but Object Storage through granular sets without ObjectStorageBucketsDelete.
    let key = key_with(
        &sim,
        "no-bucket-delete",
        &[
            "KubernetesFullAccess",
            "PrivateNetworksFullAccess",
            "VPCFullAccess",
            "InstancesFullAccess",
            "ObjectStorageBucketsRead",
            "ObjectStorageBucketsWrite",
        ],
    );
    let target = Target::project(prod(&sim));
    let r = checker(&sim)
        .run_canaries(&key, &byoc(), &target)
        .await
        .unwrap();
    assert_eq!(result_of(&r, "vpc"), &CanaryResult::Proven);
    let CanaryResult::Refused { step, denied } = result_of(&r, "object-storage") else {
        panic!("{r:#?}")
    };
    assert!(step.starts_with("delete bucket scw-canary-"), "{step}");
    assert_eq!(denied[0].action, "DeleteBucket");
    let left: Vec<_> = r.leftovers().collect();
    assert_eq!(left.len(), 1, "{r:#?}");
    let b = left[0];
    assert_eq!(b.kind, CanaryKind::Bucket);
    assert_eq!(b.status, CleanupStatus::Leftover);
    assert_eq!(b.id.as_deref(), Some(b.name.as_str()));
    assert_eq!(
        b.delete_command,
        format!(
            "scw object bucket delete {} project-id={} region=fr-par",
            b.name,
            prod(&sim)
        )
    );
    assert!(
        b.delete_call.starts_with("DELETE http://127.0.0.1:"),
        "{}",
        b.delete_call
    );
    assert!(b.error.as_deref().unwrap().contains("refused"), "{b:?}");
    // The simulator holds exactly that bucket, and nothing else of the run.
    let named = sim.state().named("scw-canary");
    assert_eq!(named.len(), 1, "{named:?}");
    assert_eq!(named[0].id, b.name);
}

#[tokio::test]
async fn dropping_the_check_mid_way_still_cleans_up() {
    let sim = sim().await;
    // Every request takes a while, so the check can be caught between its steps.
    sim.set_faults(Faults {
        latency: Duration::from_millis(40),
        ..Faults::default()
    });
    let checker = checker(&sim);
    let key = client(&sim, "byoc");
    let target = Target::project(prod(&sim));
    let running = checker.clone();
    let task = tokio::spawn(async move { running.run_canaries(&key, &byoc(), &target).await });
    // Wait until the first canary resource exists (the VPC, before anything is deleted).
    let mut seen = Vec::new();
    for _ in 0..2000 {
        seen = sim.state().named("scw-canary");
        if !seen.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    assert!(!seen.is_empty(), "no canary resource appeared");
    task.abort();
    let joined = task.await;
    assert!(
        joined
            .as_ref()
            .is_err_and(tokio::task::JoinError::is_cancelled),
        "the check finished before it could be dropped: {joined:?}"
    );
    // The ledger's drop spawned the deletions; the checker (a clone shares them) waits.
    checker.wait_for_canary_cleanups().await;
    let left = sim.state().named("scw-canary");
    assert!(left.is_empty(), "left behind: {left:?}");
    // Nothing more to wait for.
    checker.wait_for_canary_cleanups().await;
}

fn canary_checker(sim: &Sim) -> Checker {
    let mut o = options(sim);
    o.canary = true;
    Checker::new().with_options(o)
}

#[tokio::test]
async fn with_canaries_the_byoc_key_checking_itself_is_unproven_only_for_kubernetes() {
    let sim = sim().await;
    let target = Target::project(prod(&sim));
    let checker = canary_checker(&sim);
    let r = checker
        .self_check(&client(&sim, "byoc"), &byoc(), &target)
        .await
        .unwrap();
    assert_eq!(r.mode, Mode::Probe);
    // Every requirement with a free canary is met, by a write undone.
    for set in [
        "VPCFullAccess",
        "PrivateNetworksFullAccess",
        "InstancesFullAccess",
        "ObjectStorageFullAccess",
    ] {
        let req = r
            .requirements
            .iter()
            .find(|q| q.permission_set == set)
            .unwrap();
        assert_eq!(req.status, RequirementStatus::Met, "{set}: {}", r.to_text());
        assert_eq!(req.established_by, EstablishedBy::Canary, "{set}");
        assert!(
            req.evidence
                .iter()
                .any(|e| matches!(e, Evidence::Canary { deleted: true, .. }))
        );
    }
    // The one left unproven: Kubernetes, which has no free canary.
    let k8s = r
        .requirements
        .iter()
        .find(|q| q.permission_set == "KubernetesFullAccess")
        .unwrap();
    assert_eq!(k8s.status, RequirementStatus::Unproven);
    assert!(k8s.reason.as_deref().unwrap().contains("free"), "{k8s:?}");
    let Verdict::Unproven { unproven } = &r.verdict else {
        panic!("{}", r.to_text())
    };
    let about_k8s = |id: &String| k8s.findings.contains(id);
    assert!(unproven.iter().all(about_k8s), "{}", r.to_text());
    assert_eq!(r.findings_with_code("canary_proven").count(), 4);
    assert!(!r.has("canary_leftover"));
    let c = r.canaries.as_ref().unwrap();
    assert_eq!(c.resources().count(), 4);
    assert_eq!(c.leftovers().count(), 0);
    assert!(sim.state().named("scw-canary").is_empty());
    let text = r.to_text();
    assert!(
        text.contains("Canary writes") && text.contains("created and deleted"),
        "{text}"
    );
    // The JSON carries the canaries and reads back.
    let back: Report = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert_eq!(back.canaries, r.canaries);
}

#[tokio::test]
async fn with_canaries_a_read_only_key_is_invalid_with_what_was_refused() {
    let sim = sim().await;
    let target = Target::project(prod(&sim));
    let r = canary_checker(&sim)
        .self_check(&client(&sim, "inventory"), &byoc(), &target)
        .await
        .unwrap();
    let Verdict::Invalid { blocking } = &r.verdict else {
        panic!("{}", r.to_text())
    };
    let refused: Vec<&Finding> = r.findings_with_code("canary_refused").collect();
    assert_eq!(refused.len(), 4, "{}", r.to_text());
    for f in &refused {
        assert!(blocking.contains(&f.id));
        let FindingKind::CanaryRefused { step, denied, .. } = &f.kind else {
            panic!()
        };
        assert!(step.starts_with("create "), "{step}");
        assert!(!denied.is_empty());
    }
    let vpc = r
        .requirements
        .iter()
        .find(|q| q.permission_set == "VPCFullAccess")
        .unwrap();
    assert_eq!(vpc.status, RequirementStatus::NotMet);
    assert!(r.remediation.iter().any(|m| {
        m.scw_command
            .as_deref()
            .is_some_and(|c| c.contains("permission-set-names.0=VPCFullAccess"))
    }));
    assert!(sim.state().named("scw-canary").is_empty());
}

#[tokio::test]
async fn with_canaries_a_leftover_is_a_warning_with_its_delete_command() {
    let sim = sim().await;
    let key = key_with(
        &sim,
        "no-bucket-delete",
        &[
            "KubernetesFullAccess",
            "PrivateNetworksFullAccess",
            "VPCFullAccess",
            "InstancesFullAccess",
            "ObjectStorageBucketsRead",
            "ObjectStorageBucketsWrite",
        ],
    );
    let target = Target::project(prod(&sim));
    let r = canary_checker(&sim)
        .self_check(&key, &byoc(), &target)
        .await
        .unwrap();
    assert!(
        matches!(r.verdict, Verdict::Invalid { .. }),
        "{}",
        r.to_text()
    );
    let left: Vec<&Finding> = r.findings_with_code("canary_leftover").collect();
    assert_eq!(left.len(), 1, "{}", r.to_text());
    assert_eq!(left[0].severity, Severity::Warning);
    let FindingKind::CanaryLeftover {
        resource_type,
        resource_id,
        delete_command,
        ..
    } = &left[0].kind
    else {
        panic!()
    };
    assert_eq!(resource_type, "bucket");
    let name = resource_id.clone().unwrap();
    assert!(delete_command.starts_with(&format!("scw object bucket delete {name} ")));
    let fix = r
        .remediation
        .iter()
        .find(|m| m.finding == left[0].id)
        .unwrap();
    assert_eq!(fix.scw_command.as_deref(), Some(delete_command.as_str()));
    // The refused delete is what makes it Invalid.
    assert!(r.findings_with_code("canary_refused").any(|f| matches!(
        &f.kind,
        FindingKind::CanaryRefused { step, .. } if step.starts_with("delete bucket")
    )));
    assert!(r.to_text().contains("LEFT BEHIND"));
    assert_eq!(sim.state().named("scw-canary").len(), 1);
}
