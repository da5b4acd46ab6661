//! Canary writes end to end against the simulator: what is created, proven, refused, left
//! behind, and cleaned up when the check is dropped mid-way.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{client, client_for, options, prod, sim};
use scaleway_iam::checker::canary::{CanaryKind, CanaryReport, CanaryResult, CleanupStatus};
use scaleway_iam::checker::{
    Checker, EstablishedBy, Evidence, Finding, FindingKind, Mode, Profile, Report,
    RequirementStatus, Severity, Target, Verdict,
};
use scaleway_sim::{HoldPoint, PolicyPrincipal, RuleSpec, Sim};

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
        assert_eq!(res.project_id, prod(&sim));
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

/// Runs the canaries of the byoc key on a task, to be dropped mid-way.
fn spawn_byoc(
    sim: &Sim,
    checker: &Checker,
) -> tokio::task::JoinHandle<Result<CanaryReport, scaleway_core::Error>> {
    let (running, key) = (checker.clone(), client(sim, "byoc"));
    let target = Target::project(prod(sim));
    tokio::spawn(async move { running.run_canaries(&key, &byoc(), &target).await })
}

/// Drops the check (aborts its task), then waits for the cleanup its ledger spawned.
async fn drop_and_wait(
    checker: &Checker,
    task: tokio::task::JoinHandle<Result<CanaryReport, scaleway_core::Error>>,
) {
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
}

#[tokio::test]
async fn dropping_the_check_while_a_create_is_answered_still_deletes_what_it_created() {
    let sim = sim().await;
    // The VPC is created, and its create's answer held: the check cannot know its ID.
    let hold = sim
        .hold(
            "POST /vpc/v2/regions/{region}/vpcs",
            HoldPoint::BeforeAnswer,
        )
        .unwrap();
    let checker = checker(&sim);
    let task = spawn_byoc(&sim, &checker);
    hold.held().await;
    let created = sim.state().named("scw-canary");
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0].kind, "vpc");
    drop_and_wait(&checker, task).await;
    let left = sim.state().named("scw-canary");
    assert!(left.is_empty(), "left behind: {left:?}");
    // Nothing more to wait for.
    checker.wait_for_canary_cleanups().await;
}

#[tokio::test]
async fn dropping_the_check_between_steps_deletes_what_it_created() {
    let sim = sim().await;
    // The VPC and the Private Network in it are created (their IDs known); the check is caught
    // sending the Private Network's delete, before it is handled.
    let hold = sim
        .hold(
            "DELETE /vpc/v2/regions/{region}/private-networks/{private_network_id}",
            HoldPoint::BeforeHandling,
        )
        .unwrap();
    let checker = checker(&sim);
    let task = spawn_byoc(&sim, &checker);
    hold.held().await;
    let kinds: Vec<&str> = sim
        .state()
        .named("scw-canary")
        .iter()
        .map(|r| r.kind)
        .collect();
    assert_eq!(kinds, ["vpc", "private_network"]);
    drop_and_wait(&checker, task).await;
    let left = sim.state().named("scw-canary");
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// The security group's create is handled, and answered 504 instead of its answer.
#[tokio::test]
async fn a_create_with_no_answer_is_found_by_name_and_deleted() {
    let sim = sim().await;
    let hold = sim
        .hold(
            "POST /instance/v1/zones/{zone}/security_groups",
            HoldPoint::BeforeAnswer,
        )
        .unwrap();
    let checker = checker(&sim);
    let task = spawn_byoc(&sim, &checker);
    hold.held().await;
    let created = sim.state().named("scw-canary");
    let sg = created
        .iter()
        .find(|r| r.kind == "security_group")
        .unwrap()
        .clone();
    hold.answer_instead(504);
    let r = task.await.unwrap().unwrap();
    let CanaryResult::Inconclusive { step, error } = result_of(&r, "instances") else {
        panic!("{r:#?}")
    };
    assert!(
        step.starts_with("create security group scw-canary-"),
        "{step}"
    );
    assert!(error.contains("504"), "{error}");
    let res = &r.outcome("instances", &prod(&sim)).unwrap().resources;
    assert_eq!(res.len(), 1, "{r:#?}");
    assert_eq!(res[0].kind, CanaryKind::SecurityGroup);
    assert_eq!(res[0].status, CleanupStatus::Deleted, "{:#?}", res[0]);
    assert_eq!(
        res[0].id.as_deref(),
        Some(sg.id.as_str()),
        "its ID, learnt by name"
    );
    let lookup = res[0].lookup.as_deref().unwrap();
    assert!(
        lookup.contains("the create gave no answer") && lookup.contains("found by name"),
        "{lookup}"
    );
    assert!(res[0].delete_command.contains(&sg.id), "{:#?}", res[0]);
    assert_eq!(r.leftovers().count(), 0, "{r:#?}");
    // The other canaries ran as usual.
    assert_eq!(result_of(&r, "vpc"), &CanaryResult::Proven);
    assert_eq!(result_of(&r, "object-storage"), &CanaryResult::Proven);
    assert!(sim.state().named("scw-canary").is_empty());
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["outcomes"][2]["resources"][0]["status"], "deleted");
    assert!(json["outcomes"][2]["resources"][0]["lookup"].is_string());
}

/// The VPC's create is answered 504 before it is handled: nothing was created, and the
/// cleanup says it looked for it by name and found nothing (after looking again).
#[tokio::test]
async fn a_create_with_no_answer_that_created_nothing_is_reported_not_found() {
    let sim = sim().await;
    let hold = sim
        .hold(
            "POST /vpc/v2/regions/{region}/vpcs",
            HoldPoint::BeforeHandling,
        )
        .unwrap();
    hold.answer_instead(504);
    let r = checker(&sim)
        .run_canaries(&client(&sim, "byoc"), &byoc(), &Target::project(prod(&sim)))
        .await
        .unwrap();
    assert!(hold.is_held());
    assert!(matches!(
        result_of(&r, "vpc"),
        CanaryResult::Inconclusive { .. }
    ));
    let vpc = &r.outcomes[0].resources[0];
    assert_eq!(vpc.kind, CanaryKind::Vpc);
    assert_eq!(vpc.status, CleanupStatus::NotFound, "{vpc:#?}");
    assert!(!vpc.is_leftover());
    assert_eq!(vpc.id, None);
    let lookup = vpc.lookup.as_deref().unwrap();
    assert!(
        lookup.contains("no VPC named scw-canary-") && lookup.contains("3 times"),
        "{lookup}"
    );
    // What finds it should it appear later.
    assert!(
        vpc.delete_command
            .starts_with("scw vpc vpc list name=scw-canary-"),
        "{}",
        vpc.delete_command
    );
    assert_eq!(r.leftovers().count(), 0);
    // The Private Network went to the project's default VPC, and was deleted.
    assert_eq!(result_of(&r, "private-networks"), &CanaryResult::Proven);
    assert!(sim.state().named("scw-canary").is_empty());
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
