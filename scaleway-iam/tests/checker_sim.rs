//! Every finding and verdict, end to end against the simulator's `demo` scenario.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::time::Duration;

use common::{access_key, client, client_for, prod, sim};
use scaleway_iam::checker::{
    CheckOptions, Checker, FindingKind, Mode, Profile, RequestContext, Severity, Target, Verdict,
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
    // key, application, groups, policies, rules of its one policy.
    assert_eq!(sim.request_count() - before, 5);
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
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["verdict"]["status"], "ready");
    assert_eq!(v["findings"][0]["id"], "F1");
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
    // The inventory application gets ContainerRegistryReadOnly through "All applications"
    // (and AllProductsReadOnly, which also covers it, directly).
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
        fix.rule.as_ref().unwrap(),
        &serde_json::json!({"permission_set_names": ["VPCFullAccess"], "condition": "", "project_ids": [prod]})
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
    assert!(
        matches!(r.verdict, Verdict::Invalid { .. }),
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
    assert!(r.has("organization_owner"), "{}", r.to_text());
    assert_eq!(r.findings_with_code("requirement_met").count(), 5);
    assert!(!r.blocking().any(|_| true), "{}", r.to_text());
}

#[tokio::test]
async fn propagation_delay_gives_pending_then_ready() {
    let sim = scaleway_sim::Sim::builder(scaleway_sim::Scenario::demo())
        .iam_propagation_delay(Duration::from_millis(1500))
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
        let mut opts = CheckOptions::default();
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
    let r = checker(60)
        .audit_confirming(&admin, &key_client, &scanner, &target)
        .await
        .unwrap();
    assert!(
        matches!(r.verdict, Verdict::PendingPropagation { .. }),
        "{}",
        r.to_text()
    );
    tokio::time::sleep(Duration::from_millis(1800)).await;
    // Once enforced, the key's own read confirms it: Ready before the window ends.
    let r = checker(60)
        .audit_confirming(&admin, &key_client, &scanner, &target)
        .await
        .unwrap();
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    assert!(r.has("confirmed_live"));
    // Object Storage cannot be probed through the JSON API: the BYOC profile stays pending
    // until the window has passed, then it is Ready.
    let byoc = profile("byoc-kapsule");
    let r = checker(60)
        .audit_confirming(&admin, &key_client, &byoc, &target)
        .await
        .unwrap();
    assert!(
        matches!(r.verdict, Verdict::PendingPropagation { .. }),
        "{}",
        r.to_text()
    );
    let r = checker(1)
        .audit_confirming(&admin, &key_client, &byoc, &target)
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
async fn probe_mode_for_a_key_without_iam_read() {
    let sim = sim().await;
    let target = Target::project(prod(&sim));
    let r = Checker::new()
        .self_check(
            &client(&sim, "inventory"),
            &profile("inventory-readonly"),
            &target,
        )
        .await
        .unwrap();
    assert_eq!(r.mode, Mode::Probe, "{}", r.to_text());
    assert!(r.has("iam_read_refused"));
    assert!(
        r.findings_with_code("probe_allowed").count() >= 5,
        "{}",
        r.to_text()
    );
    assert!(
        r.findings_with_code("not_proven")
            .any(|f| f.message.contains("object-storage")),
        "{}",
        r.to_text()
    );
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    // The registry scanner key probed for the BYOC profile: refused, with the 403 details.
    let r = Checker::new()
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
    assert_eq!(denied.len(), 4, "{}", r.to_text());
    assert!(
        denied.iter().all(
            |f| matches!(&f.kind, FindingKind::ProbeDenied { denied, .. } if !denied.is_empty())
        )
    );
    // Self-check of a key that can read IAM: the full resolution.
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
    let _ = client_for;
}
