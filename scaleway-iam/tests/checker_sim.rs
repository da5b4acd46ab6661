//! Every finding and verdict, end to end against the simulator's `demo` scenario.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::{access_key, client, options, prod, sim};
use scaleway_iam::checker::{
    CheckOptions, Checker, EstablishedBy, Evidence, ExcessAction, FindingKind, Mode, Profile,
    RequestContext, RequirementStatus, Severity, Target, Verdict,
};
use scaleway_sim::{PolicyPrincipal, RuleSpec};

fn profile(name: &str) -> Profile {
    Profile::builtin(name).unwrap()
}

async fn audit(sim: &scaleway_sim::Sim, key: &str, prof: &str) -> scaleway_iam::checker::Report {
    Checker::new()
        .audit(
            &client(sim, "admin"),
            &access_key(sim, key),
            &profile(prof),
            &Target::project(prod(sim)),
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn byoc_key_is_ready_with_every_requirement_met() {
    let sim = sim().await;
    let before = sim.request_count();
    let r = audit(&sim, "byoc", "byoc-kapsule").await;
    // key, application, groups, policies, rules of its one policy; and the target project
    // (read at the same time as the key).
    assert_eq!(sim.request_count() - before, 6);
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    assert_eq!(r.mode, Mode::Auditor);
    assert_eq!(
        r.findings_with_code("requirement_met").count(),
        5,
        "{}",
        r.to_text()
    );
    assert!(r.has("key_no_expiry"), "{}", r.to_text());
    assert!(!r.has("excess_grant"), "{}", r.to_text());
    let met = r.findings_with_code("requirement_met").next().unwrap();
    assert_eq!(met.paths[0].policy_name, "byoc");
    assert_eq!(r.key.bearer_name.as_deref(), Some("byoc"));
    // The JSON is the documented shape.
    let v: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert_eq!(v["schema_version"], 2);
    assert_eq!(v["verdict"]["status"], "ready");
    assert!(v["findings"][0]["id"].as_str().unwrap().starts_with('F'));
    // Every requirement established by the key's policies; the project read and in the
    // key's Organization.
    assert_eq!(r.requirements.len(), 5);
    for req in &r.requirements {
        assert_eq!(req.status, RequirementStatus::Met, "{req:?}");
        assert_eq!(req.established_by, EstablishedBy::Policies, "{req:?}");
    }
    assert_eq!(r.target.projects[0].status, "found");
    assert_eq!(
        r.target.projects[0]
            .organization_id
            .as_ref()
            .map(|o| o.as_str()),
        Some(sim.organization_id())
    );
    assert!(v["findings"][0]["code"].is_string());
    assert!(r.to_text().starts_with("READY"));
}

#[tokio::test]
async fn grant_only_through_a_group_is_found_with_its_path() {
    let sim = sim().await;
    let r = audit(&sim, "group-granted", "inventory-readonly").await;
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    let met = r.findings_with_code("requirement_met").next().unwrap();
    assert_eq!(
        met.paths[0].group_name.as_deref(),
        Some("production-readers")
    );
    assert_eq!(met.paths[0].policy_name, "production-readers");
    assert!(r.to_text().contains("via group \"production-readers\""));
}

#[tokio::test]
async fn grant_through_the_all_applications_group() {
    let sim = sim().await;
    let all_apps = sim.state().group_id("All applications").unwrap();
    sim.state()
        .add_policy(
            "everyone-registry",
            PolicyPrincipal::Group(all_apps),
            vec![RuleSpec::projects(
                &["ContainerRegistryReadOnly"],
                &[&sim.project_id("production").unwrap()],
            )],
        )
        .unwrap();
    // The byoc application has no registry set of its own: it gets
    // ContainerRegistryReadOnly only through "All applications".
    let r = audit(&sim, "byoc", "registry-scanner").await;
    let met: Vec<_> = r.findings_with_code("requirement_met").collect();
    assert_eq!(met.len(), 1, "{}", r.to_text());
    assert_eq!(
        met[0].paths[0].group_membership.as_deref(),
        Some("all_applications"),
        "{}",
        r.to_text()
    );
    // Just created: the result may still change.
    assert!(
        matches!(r.verdict, Verdict::PendingPropagation { .. }),
        "{}",
        r.to_text()
    );
    assert!(r.has("recent_iam_change"));
}

#[tokio::test]
async fn grant_through_the_all_users_group() {
    let sim = sim().await;
    let all_users = sim.state().group_id("All users").unwrap();
    let prod_id = sim.project_id("production").unwrap();
    sim.state()
        .add_policy(
            "everyone-pushes-images",
            PolicyPrincipal::Group(all_users),
            vec![RuleSpec::projects(
                &["ContainerRegistryFullAccess"],
                &[&prod_id],
            )],
        )
        .unwrap();
    // The member's own policy grants AllProductsReadOnly, which does not cover the full
    // access: that comes only through "All users".
    let pusher = Profile::new(
        "registry-pusher",
        vec![scaleway_iam::checker::Requirement::on_project(
            "ContainerRegistryFullAccess",
        )],
    );
    let target = Target::project(prod(&sim));
    let r = Checker::new()
        .audit(
            &client(&sim, "admin"),
            &access_key(&sim, "personal-user"),
            &pusher,
            &target,
        )
        .await
        .unwrap();
    let met: Vec<_> = r.findings_with_code("requirement_met").collect();
    assert_eq!(met.len(), 1, "{}", r.to_text());
    let path = &met[0].paths[0];
    assert_eq!(path.policy_name, "everyone-pushes-images");
    assert_eq!(path.group_name.as_deref(), Some("All users"));
    assert_eq!(
        path.group_membership.as_deref(),
        Some("all_users"),
        "{}",
        r.to_text()
    );
    assert!(r.to_text().contains("via group \"All users\" (all_users)"));
    assert!(r.has("recent_iam_change"), "{}", r.to_text());
    // An application is not a user: the same policy gives it nothing.
    let r = Checker::new()
        .audit(
            &client(&sim, "admin"),
            &access_key(&sim, "registry-scanner"),
            &pusher,
            &target,
        )
        .await
        .unwrap();
    assert!(r.has("missing"), "{}", r.to_text());
    assert!(
        r.grants
            .iter()
            .all(|g| g.path.group_membership.as_deref() != Some("all_users")),
        "{}",
        r.to_text()
    );
}

#[tokio::test]
async fn wrong_project_and_default_project() {
    let sim = sim().await;
    let r = audit(&sim, "wrong-project", "byoc-kapsule").await;
    let Verdict::Invalid { blocking } = &r.verdict else {
        panic!("{}", r.to_text())
    };
    assert_eq!(
        r.findings_with_code("wrong_project").count(),
        5,
        "{}",
        r.to_text()
    );
    let staging = sim.project_id("staging").unwrap();
    match &r.findings_with_code("wrong_project").next().unwrap().kind {
        FindingKind::WrongProject { granted_on, .. } => {
            assert_eq!(granted_on, &vec![staging.clone()])
        }
        k => panic!("{k:?}"),
    }
    let dp = r
        .findings_with_code("default_project_mismatch")
        .next()
        .unwrap();
    assert_eq!(
        dp.severity,
        Severity::Blocking,
        "Object Storage is required"
    );
    assert!(blocking.contains(&dp.id));
    let fix = r.remediation.iter().find(|x| x.finding == dp.id).unwrap();
    assert!(
        fix.scw_command
            .as_ref()
            .unwrap()
            .contains("default-project-id=")
    );
}

#[tokio::test]
async fn missing_set_with_remediation() {
    let sim = sim().await;
    let r = audit(&sim, "missing-set", "byoc-kapsule").await;
    assert!(
        matches!(r.verdict, Verdict::Invalid { .. }),
        "{}",
        r.to_text()
    );
    let missing: Vec<_> = r.findings_with_code("missing").collect();
    assert_eq!(missing.len(), 1, "{}", r.to_text());
    assert!(
        matches!(&missing[0].kind, FindingKind::Missing { permission_set, .. } if permission_set == "VPCFullAccess")
    );
    let fix = r
        .remediation
        .iter()
        .find(|x| x.finding == missing[0].id)
        .unwrap();
    let policy = sim.state().policy_id("missing-set").unwrap();
    let prod = sim.project_id("production").unwrap();
    assert_eq!(
        fix.scw_command.as_deref(),
        Some(format!("scw iam rule create {policy} permission-set-names.0=VPCFullAccess project-ids.0={prod}").as_str())
    );
    assert_eq!(
        serde_json::to_value(fix.rule.as_ref().unwrap()).unwrap(),
        serde_json::json!({"permission_set_names": ["VPCFullAccess"], "condition": "", "project_ids": [prod]})
    );
}

#[tokio::test]
async fn escalation_grade_excess_is_blocking() {
    let sim = sim().await;
    let r = audit(&sim, "extra-org-set", "byoc-kapsule").await;
    assert!(
        matches!(r.verdict, Verdict::Invalid { .. }),
        "{}",
        r.to_text()
    );
    let e = r.findings_with_code("excess_grant").next().unwrap();
    assert_eq!(e.severity, Severity::Blocking);
    assert!(
        matches!(&e.kind, FindingKind::ExcessGrant { permission_set, escalation: true, .. } if permission_set == "IAMManager")
    );
    // IAMManager has a rule of its own: deleting that rule is the fix.
    let fix = r.remediation.iter().find(|x| x.finding == e.id).unwrap();
    let policy = sim.state().policy_id("extra-org-set").unwrap();
    let cmd = fix.scw_command.as_deref().unwrap();
    assert_eq!(
        cmd,
        format!(
            "scw iam rule delete {policy} rule-id={}",
            e.paths[0].rule_id
        )
    );
    assert_eq!(r.findings_with_code("requirement_met").count(), 5);
}

#[tokio::test]
async fn organization_scoped_rules_are_wider_than_required() {
    let sim = sim().await;
    let r = audit(&sim, "admin", "inventory-readonly").await;
    let wider = r
        .findings_with_code("wider_than_required")
        .next()
        .unwrap_or_else(|| panic!("{}", r.to_text()));
    assert!(
        matches!(&wider.kind, FindingKind::WiderThanRequired { granted_by, .. } if granted_by == "AllProductsFullAccess")
    );
    let excess: Vec<_> = r
        .findings_with_code("excess_grant")
        .filter_map(|f| match &f.kind {
            FindingKind::ExcessGrant {
                permission_set,
                reason,
                ..
            } => Some((permission_set.as_str(), reason.as_str(), f.severity)),
            _ => None,
        })
        .collect();
    assert!(
        excess.contains(&("IAMManager", "escalation", Severity::Blocking)),
        "{excess:?}"
    );
    assert!(
        excess.contains(&(
            "ProjectManager",
            "organization_level_set",
            Severity::Blocking
        )),
        "{excess:?}"
    );
    assert!(
        excess.contains(&(
            "AllProductsFullAccess",
            "other_project_set",
            Severity::Warning
        )),
        "{excess:?}"
    );
    assert!(matches!(r.verdict, Verdict::Invalid { .. }));
}

#[tokio::test]
async fn conditions_are_never_assumed() {
    let sim = sim().await;
    let r = audit(&sim, "conditional", "byoc-kapsule").await;
    // Nothing shows the grants are wrong, nothing proves the condition holds: unproven.
    assert!(
        matches!(&r.verdict, Verdict::Unproven { unproven } if unproven.len() == 5),
        "{}",
        r.to_text()
    );
    assert_eq!(r.findings_with_code("requirement_conditional").count(), 5);
    // The policy has a conditional rule, which `scw iam rule create` would strip: the fix
    // is a new policy.
    let f = r
        .findings_with_code("requirement_conditional")
        .next()
        .unwrap();
    let fix = r.remediation.iter().find(|x| x.finding == f.id).unwrap();
    assert!(
        fix.scw_command
            .as_deref()
            .unwrap()
            .starts_with("scw iam policy create name=byoc-kapsule application-id="),
        "{fix:?}"
    );
    // With the platform's egress IP in the range, the condition is evaluated: Ready.
    let mut opts = CheckOptions::default();
    opts.request_context = RequestContext::from_ip("203.0.113.40".parse().unwrap());
    let checker = Checker::new().with_options(opts);
    let r = checker
        .audit(
            &client(&sim, "admin"),
            &access_key(&sim, "conditional"),
            &profile("byoc-kapsule"),
            &Target::project(prod(&sim)),
        )
        .await
        .unwrap();
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    // From another IP: missing, with the reason.
    let mut opts = CheckOptions::default();
    opts.request_context = RequestContext::from_ip("198.51.100.9".parse().unwrap());
    let r = Checker::new()
        .with_options(opts)
        .audit(
            &client(&sim, "admin"),
            &access_key(&sim, "conditional"),
            &profile("byoc-kapsule"),
            &Target::project(prod(&sim)),
        )
        .await
        .unwrap();
    let m = r
        .findings_with_code("missing")
        .next()
        .unwrap_or_else(|| panic!("{}", r.to_text()));
    assert!(m.message.contains("does not hold"), "{}", m.message);
}

#[tokio::test]
async fn expired_deleted_and_expiring_keys() {
    let sim = sim().await;
    let r = audit(&sim, "expired", "inventory-readonly").await;
    assert!(
        matches!(r.verdict, Verdict::Invalid { .. }),
        "{}",
        r.to_text()
    );
    assert!(r.has("key_expired"));
    let r = audit(&sim, "deleted", "inventory-readonly").await;
    assert!(matches!(r.verdict, Verdict::Invalid { .. }));
    assert!(r.has("key_not_found"));
    assert_eq!(
        r.key.access_key,
        sim.credential("deleted").unwrap().access_key
    );
    // Self-check with the expired key: the API refuses it.
    let r = Checker::new()
        .self_check(
            &client(&sim, "expired"),
            &profile("inventory-readonly"),
            &Target::project(prod(&sim)),
        )
        .await
        .unwrap();
    assert!(r.has("key_expired"), "{}", r.to_text());
    // Expiring within the warning period.
    sim.state()
        .set_api_key_expiry(
            &sim.credential("byoc").unwrap().access_key,
            Some(chrono::Utc::now() + chrono::Duration::days(5)),
        )
        .unwrap();
    let r = audit(&sim, "byoc", "byoc-kapsule").await;
    let f = r
        .findings_with_code("key_expires_soon")
        .next()
        .unwrap_or_else(|| panic!("{}", r.to_text()));
    assert!(
        matches!(
            f.kind,
            FindingKind::KeyExpiresSoon {
                days_left: 4 | 5,
                ..
            }
        ),
        "{:?}",
        f.kind
    );
    assert!(!r.has("key_no_expiry"));
}

#[tokio::test]
async fn personal_user_key_and_organization_owner() {
    let sim = sim().await;
    let r = audit(&sim, "personal-user", "inventory-readonly").await;
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    let f = r.findings_with_code("personal_user_key").next().unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("member@example.com"));
    // A key of the Organization owner: passes (owner bypasses IAM), flagged.
    let owner = sim.state().user_id("owner@example.com").unwrap();
    let key = sim
        .state()
        .create_api_key(&owner, true, &sim.project_id("production").unwrap())
        .unwrap();
    let r = Checker::new()
        .audit(
            &client(&sim, "admin"),
            &key.access_key.parse().unwrap(),
            &profile("byoc-kapsule"),
            &Target::project(prod(&sim)),
        )
        .await
        .unwrap();
    // Every requirement passes (IAM does not apply to the owner), but the key holds
    // everything at Organization level and is a person's: both blocking for byoc-kapsule.
    assert_eq!(r.findings_with_code("requirement_met").count(), 5);
    assert!(
        r.requirements
            .iter()
            .all(|q| q.evidence == vec![Evidence::Owner]),
        "{}",
        r.to_text()
    );
    let Verdict::Invalid { blocking } = &r.verdict else {
        panic!("{}", r.to_text())
    };
    let owner = r.findings_with_code("organization_owner").next().unwrap();
    let person = r.findings_with_code("personal_user_key").next().unwrap();
    assert_eq!(blocking.len(), 2, "{}", r.to_text());
    assert!(blocking.contains(&owner.id) && blocking.contains(&person.id));
}

#[tokio::test]
async fn propagation_delay_gives_pending_then_ready() {
    // The simulator runs on a clock only the test moves: the change is not enforced until
    // the test says the delay has passed, however long the checks take.
    const DELAY: Duration = Duration::from_secs(4);
    let clock = scaleway_sim::SimClock::new();
    let sim = scaleway_sim::Sim::builder(scaleway_sim::Scenario::demo())
        .iam_propagation_delay(DELAY)
        .clock(clock.clone())
        .start()
        .await
        .unwrap();
    let policy = sim.state().policy_id("missing-set").unwrap();
    let prod_id = sim.project_id("production").unwrap();
    let byoc_sets = [
        "KubernetesFullAccess",
        "PrivateNetworksFullAccess",
        "VPCFullAccess",
        "InstancesFullAccess",
        "ObjectStorageFullAccess",
        "ContainerRegistryReadOnly",
    ];
    sim.state()
        .set_rules(&policy, vec![RuleSpec::projects(&byoc_sets, &[&prod_id])])
        .unwrap();
    let admin = client(&sim, "admin");
    let key_client = client(&sim, "missing-set");
    let target = Target::project(prod(&sim));
    let checker = |window: u64| {
        let mut opts = options(&sim);
        opts.propagation_window = Some(Duration::from_secs(window));
        Checker::new().with_options(opts)
    };
    // Visible at once, not yet enforced: pending, even when confirming with the key.
    let scanner = profile("registry-scanner");
    let r = checker(60)
        .audit(&admin, &access_key(&sim, "missing-set"), &scanner, &target)
        .await
        .unwrap();
    let Verdict::PendingPropagation {
        recheck_in_seconds, ..
    } = r.verdict
    else {
        panic!("{}", r.to_text())
    };
    assert!(
        recheck_in_seconds <= 60 && recheck_in_seconds > 50,
        "{recheck_in_seconds}"
    );
    assert!(r.has("recent_iam_change"));
    // The BYOC profile, with the extra registry set only a warning.
    let mut byoc = profile("byoc-kapsule");
    byoc.excess.other_project_sets = ExcessAction::Warn;
    for p in [&scanner, &byoc] {
        let r = checker(60)
            .audit_confirming(&admin, &key_client, p, &target)
            .await
            .unwrap();
        assert!(
            matches!(r.verdict, Verdict::PendingPropagation { .. }),
            "{}",
            r.to_text()
        );
        assert!(!r.has("confirmed_live"), "{}", r.to_text());
    }
    // Once enforced, the key's own reads confirm it: Ready before the window ends.
    clock.advance(DELAY);
    let r = checker(60)
        .audit_confirming(&admin, &key_client, &scanner, &target)
        .await
        .unwrap();
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    assert!(r.has("confirmed_live"));
    // Object Storage too, through an S3 ListBuckets: the BYOC profile is confirmed as well.
    let r = checker(60)
        .audit_confirming(&admin, &key_client, &byoc, &target)
        .await
        .unwrap();
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    let live = r.findings_with_code("confirmed_live").next().unwrap();
    assert!(
        matches!(&live.kind, FindingKind::ConfirmedLive { products } if products.contains(&"object-storage".to_owned()) && products.len() == 5),
        "{:?}",
        live.kind
    );
    // After the window (checked a minute after the change): no recent change, Ready
    // unconfirmed.
    let mut opts = options(&sim);
    opts.propagation_window = Some(Duration::from_secs(1));
    opts.now = Some(chrono::Utc::now() + chrono::Duration::seconds(60));
    let r = Checker::new()
        .with_options(opts)
        .audit(&admin, &access_key(&sim, "missing-set"), &byoc, &target)
        .await
        .unwrap();
    assert!(!r.has("recent_iam_change"), "{}", r.to_text());
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    let extra = r
        .findings_with_code("excess_grant")
        .next()
        .expect("the registry set is excess");
    assert_eq!(extra.severity, Severity::Warning);
}

#[tokio::test]
async fn probe_mode_proves_the_jobs_products_object_storage_included() {
    let sim = sim().await;
    let target = Target::project(prod(&sim));
    // The inventory key's default project becomes staging, where it has no rights: the
    // S3 probe still reads production, because it signs ACCESS_KEY@PROJECT_ID.
    let admin = scaleway_iam::IamApi::new(&client(&sim, "admin"));
    admin
        .update_api_key(&access_key(&sim, "inventory"))
        .default_project_id(&sim.project_id("staging").unwrap().parse().unwrap())
        .send()
        .await
        .unwrap();
    let s3_before = sim.s3_request_count();
    let r = Checker::new()
        .with_options(options(&sim))
        .self_check(
            &client(&sim, "inventory"),
            &profile("inventory-readonly"),
            &target,
        )
        .await
        .unwrap();
    assert_eq!(r.mode, Mode::Probe, "{}", r.to_text());
    assert!(r.has("iam_read_refused"));
    assert_eq!(sim.s3_request_count() - s3_before, 1, "one ListBuckets");
    let job = profile("inventory-readonly").products;
    let mut allowed: Vec<String> = r
        .findings_with_code("probe_allowed")
        .filter_map(|f| match &f.kind {
            FindingKind::ProbeAllowed { product, .. } => Some(product.clone()),
            _ => None,
        })
        .collect();
    allowed.sort();
    let mut want = job.clone();
    want.sort();
    assert_eq!(allowed, want, "{}", r.to_text());
    let s3 = r
        .findings_with_code("probe_allowed")
        .find(|f| matches!(&f.kind, FindingKind::ProbeAllowed { product, .. } if product == "object-storage"))
        .unwrap();
    assert!(
        matches!(&s3.kind, FindingKind::ProbeAllowed { route, .. } if route.contains("ListBuckets")),
        "{:?}",
        s3.kind
    );
    // AllProductsReadOnly itself is not proven: the report says which products were.
    let set = r.findings_with_code("set_not_proven").next().unwrap();
    match &set.kind {
        FindingKind::SetNotProven {
            permission_set,
            set_products,
            judged_on,
            proven,
        } => {
            assert_eq!(permission_set, "AllProductsReadOnly");
            assert!(*set_products > judged_on.len());
            assert_eq!(judged_on.len(), 8);
            assert_eq!(proven, judged_on);
        }
        k => panic!("{k:?}"),
    }
    assert!(set.message.contains("object-storage"), "{}", set.message);
    assert!(!r.blocking().any(|_| true), "{}", r.to_text());
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());

    // Self-check of a key that can read IAM: the full resolution, no probing.
    let r = Checker::new()
        .self_check(
            &client(&sim, "admin"),
            &profile("inventory-readonly"),
            &target,
        )
        .await
        .unwrap();
    assert_eq!(r.mode, Mode::SelfCheck);
}

#[tokio::test]
async fn probe_mode_refusals_carry_the_403_details() {
    let sim = sim().await;
    let target = Target::project(prod(&sim));
    // The registry scanner key probed for the BYOC profile: every product refused, S3
    // included, with the 403 details.
    let r = Checker::new()
        .with_options(options(&sim))
        .self_check(
            &client(&sim, "registry-scanner"),
            &profile("byoc-kapsule"),
            &target,
        )
        .await
        .unwrap();
    assert!(
        matches!(r.verdict, Verdict::Invalid { .. }),
        "{}",
        r.to_text()
    );
    let denied: Vec<_> = r.findings_with_code("probe_denied").collect();
    assert_eq!(denied.len(), 5, "{}", r.to_text());
    assert!(
        denied.iter().all(
            |f| matches!(&f.kind, FindingKind::ProbeDenied { denied, .. } if !denied.is_empty())
        )
    );
    let s3 = denied
        .iter()
        .find(|f| matches!(&f.kind, FindingKind::ProbeDenied { product, .. } if product == "object-storage"))
        .unwrap();
    assert!(
        matches!(&s3.kind, FindingKind::ProbeDenied { denied, .. } if denied[0].action == "ListBuckets"),
        "{:?}",
        s3.kind
    );
    assert!(r.remediation.iter().any(|x| x.finding == s3.id));
}

#[tokio::test]
async fn probe_mode_never_makes_write_access_ready_by_default() {
    let sim = sim().await;
    let target = Target::project(prod(&sim));
    let byoc = profile("byoc-kapsule");
    // Every read works, but a read proves no write: Invalid, with how to get an answer.
    let r = Checker::new()
        .with_options(options(&sim))
        .self_check(&client(&sim, "byoc"), &byoc, &target)
        .await
        .unwrap();
    assert_eq!(r.mode, Mode::Probe);
    assert_eq!(
        r.findings_with_code("probe_allowed").count(),
        5,
        "{}",
        r.to_text()
    );
    // Nothing refused: Unproven (never Invalid), one per FullAccess set.
    let Verdict::Unproven { unproven } = &r.verdict else {
        panic!("{}", r.to_text())
    };
    assert_eq!(unproven.len(), 5, "one per FullAccess set: {}", r.to_text());
    assert!(!r.blocking().any(|_| true), "{}", r.to_text());
    for req in &r.requirements {
        assert_eq!(req.status, RequirementStatus::Unproven, "{req:?}");
        assert_eq!(req.established_by, EstablishedBy::None, "{req:?}");
        assert!(
            matches!(req.evidence.as_slice(), [Evidence::Probe { .. }]),
            "the read is evidence: {req:?}"
        );
        assert!(
            req.reason.as_deref().unwrap().contains("probes only read"),
            "{req:?}"
        );
    }
    for f in r.unproven() {
        assert!(
            matches!(&f.kind, FindingKind::NotProven { what } if what.ends_with("write access")),
            "{:?}",
            f.kind
        );
        let fix = r.remediation.iter().find(|x| x.finding == f.id).unwrap();
        assert!(
            fix.summary.contains("IAMReadOnly") && fix.summary.contains("auditor"),
            "{}",
            fix.summary
        );
    }
    // The caller accepts unproven requirements: Ready, and the report still says which
    // were not proven.
    let mut opts = options(&sim);
    opts.accept_unproven = true;
    let r = Checker::new()
        .with_options(opts)
        .self_check(&client(&sim, "byoc"), &byoc, &target)
        .await
        .unwrap();
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    let accepted: Vec<String> = r.unproven().map(|f| f.id.clone()).collect();
    assert_eq!(accepted.len(), 5, "{}", r.to_text());
    assert_eq!(r.accepted_unproven, accepted);
    // An auditor gives the definite answer.
    let r = Checker::new()
        .audit(
            &client(&sim, "admin"),
            &access_key(&sim, "byoc"),
            &byoc,
            &target,
        )
        .await
        .unwrap();
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
}

#[tokio::test]
async fn probe_mode_without_an_answer_is_not_ready() {
    let sim = sim().await;
    let target = Target::project(prod(&sim));
    let inventory = profile("inventory-readonly");
    // An S3 endpoint that refuses connections: no answer about Object Storage.
    let mut opts = CheckOptions::default();
    opts.s3_endpoint = Some("http://127.0.0.1:1/".parse().unwrap());
    let r = Checker::new()
        .with_options(opts.clone())
        .self_check(&client(&sim, "inventory"), &inventory, &target)
        .await
        .unwrap();
    let f = r
        .findings_with_code("probe_inconclusive")
        .next()
        .unwrap_or_else(|| panic!("{}", r.to_text()));
    assert!(
        matches!(&f.kind, FindingKind::ProbeInconclusive { product, .. } if product == "object-storage"),
        "{:?}",
        f.kind
    );
    assert_eq!(f.severity, Severity::Unproven);
    assert_eq!(
        r.verdict,
        Verdict::Unproven {
            unproven: vec![f.id.clone()]
        },
        "{}",
        r.to_text()
    );
    let fix = r.remediation.iter().find(|x| x.finding == f.id).unwrap();
    assert!(
        fix.summary.starts_with("check again later"),
        "{}",
        fix.summary
    );
    assert!(fix.summary.contains("IAMReadOnly"), "{}", fix.summary);
    match &r.findings_with_code("set_not_proven").next().unwrap().kind {
        FindingKind::SetNotProven { proven, .. } => {
            assert!(!proven.contains(&"object-storage".to_owned()));
            assert_eq!(proven.len(), 7);
        }
        k => panic!("{k:?}"),
    }
    opts.accept_unproven = true;
    let r = Checker::new()
        .with_options(opts)
        .self_check(&client(&sim, "inventory"), &inventory, &target)
        .await
        .unwrap();
    let f = r.findings_with_code("probe_inconclusive").next().unwrap();
    assert_eq!(f.severity, Severity::Unproven);
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    assert_eq!(r.accepted_unproven, vec![f.id.clone()]);

    // A product no probe can read (a custom profile listing no products: every product of
    // AllProductsReadOnly counts): not proven, blocking.
    let wide = Profile::new(
        "wide",
        vec![scaleway_iam::checker::Requirement::on_project(
            "AllProductsReadOnly",
        )],
    );
    let r = Checker::new()
        .with_options(options(&sim))
        .self_check(&client(&sim, "inventory"), &wide, &target)
        .await
        .unwrap();
    let f = r
        .unproven()
        .find(|f| f.code() == "not_proven")
        .unwrap_or_else(|| panic!("{}", r.to_text()));
    assert!(f.message.contains("cannot be probed"), "{}", f.message);
    assert!(matches!(r.verdict, Verdict::Unproven { .. }));
    assert!(
        !r.has("set_not_proven"),
        "judged on every product of the set"
    );
}

#[tokio::test]
async fn bad_input_is_a_clear_error() {
    let sim = sim().await;
    let e = Checker::new()
        .audit(
            &client(&sim, "admin"),
            &access_key(&sim, "byoc"),
            &profile("byoc-kapsule"),
            &Target::projects(Vec::new()),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("needs a target project"), "{e}");
    // An auditor without IAM read gets the API's 403, not a report.
    let e = Checker::new()
        .audit(
            &client(&sim, "inventory"),
            &access_key(&sim, "byoc"),
            &profile("byoc-kapsule"),
            &Target::project(prod(&sim)),
        )
        .await
        .unwrap_err();
    assert!(e.is_permission_denied(), "{e}");
}
