//! The report's JSON Schema (`docs/report.schema.json`) against reports of every verdict
//! and mode, produced by the checker (pure evaluation and the simulator), and the shapes a
//! newer writer may add (canary evidence, a finding code this version does not know).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{access_key, client, options, prod, server_id, sim};
use scaleway_iam::checker::{
    CheckOptions, Checker, Grant, GrantPath, Mode, Profile, ProjectLookup, Report, Requirement,
    Resolution, Target,
};
use scaleway_iam::{ApiKey, Bearer, PermissionSetScopeType, RuleScope};
use serde_json::{Value, json};

const P: &str = "00000000-0000-4000-8000-00000000000a";
const ORG: &str = "00000000-0000-4000-8000-0000000000ff";

fn validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/report.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// The errors of `v` against the schema (empty: valid).
fn errors(v: &Value) -> Vec<String> {
    validator()
        .iter_errors(v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn assert_valid(r: &Report) {
    let v: Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    let e = errors(&v);
    assert!(
        e.is_empty(),
        "{}: {e:#?}\n{}",
        r.verdict.status(),
        r.to_json().unwrap()
    );
    // And it reads back into the same report.
    let back: Report = serde_json::from_value(v).unwrap();
    assert_eq!(&back, r);
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
        .unwrap()
        .to_utc()
}

fn resolution(grants: Vec<Grant>) -> Resolution {
    let mut r = Resolution::default();
    r.key = Some(
        serde_json::from_value::<ApiKey>(json!({
            "access_key": "SCWXXXXXXXXXXXXXXXXX", "application_id": "app",
            "default_project_id": P, "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2027-01-01T00:00:00Z",
        }))
        .unwrap(),
    );
    r.bearer = Some(Bearer::Application(server_id("app")));
    r.organization_id = Some(ORG.parse().unwrap());
    r.direct_policies = vec![(server_id("pol"), "policy".into())];
    r.projects.insert(
        P.parse().unwrap(),
        ProjectLookup::Found {
            name: "p".into(),
            organization_id: ORG.parse().unwrap(),
        },
    );
    r.grants = grants;
    r
}

fn grant(set: &str, condition: &str) -> Grant {
    let scope: RuleScope =
        serde_json::from_value(json!({"type": "projects", "project_ids": [P]})).unwrap();
    Grant::new(
        set,
        PermissionSetScopeType::Projects,
        scope,
        condition,
        GrantPath::direct("pol", "policy", "rule"),
    )
}

fn evaluate(res: &Resolution, accept_unproven: bool) -> Report {
    let mut o = CheckOptions::default();
    o.now = Some(now());
    o.accept_unproven = accept_unproven;
    Checker::new()
        .with_options(o)
        .evaluate(
            res,
            &Profile::new("t", vec![Requirement::on_project("VPCReadOnly")]),
            &Target::project(P.parse().unwrap()),
            Mode::Auditor,
        )
        .unwrap()
}

#[test]
fn reports_of_every_verdict_match_the_schema() {
    let ready = evaluate(&resolution(vec![grant("VPCReadOnly", "")]), false);
    assert_eq!(ready.verdict.status(), "ready");
    let invalid = evaluate(&resolution(Vec::new()), false);
    assert_eq!(invalid.verdict.status(), "invalid");
    let mut res = resolution(Vec::new());
    res.changes = vec![(
        now() - chrono::Duration::seconds(30),
        "policy \"p\" changed".into(),
    )];
    let pending = evaluate(&res, false);
    assert_eq!(pending.verdict.status(), "pending_propagation");
    let conditional = resolution(vec![grant("VPCReadOnly", "request.time.getHours() < 18")]);
    let unproven = evaluate(&conditional, false);
    assert_eq!(unproven.verdict.status(), "unproven");
    let accepted = evaluate(&conditional, true);
    assert_eq!(accepted.verdict.status(), "ready");
    assert!(!accepted.accepted_unproven.is_empty());
    let mut res = resolution(Vec::new());
    res.key = None;
    let not_found = evaluate(&res, false);
    for r in [&ready, &invalid, &pending, &unproven, &accepted, &not_found] {
        assert_valid(r);
    }
}

#[tokio::test]
async fn reports_of_every_mode_from_the_simulator_match_the_schema() {
    let sim = sim().await;
    let target = Target::project(prod(&sim));
    let checker = Checker::new().with_options(options(&sim));
    let profile = |n: &str| Profile::builtin(n).unwrap();
    let mut reports = Vec::new();
    for (key, prof) in [
        ("byoc", "byoc-kapsule"),
        ("owner", "byoc-kapsule"),
        ("other-org", "inventory-readonly"),
        ("byoc-all-projects", "byoc-kapsule"),
        ("group-granted", "inventory-readonly"),
        ("conditional", "byoc-kapsule"),
        ("deleted", "inventory-readonly"),
        ("extra-org-set", "byoc-kapsule"),
    ] {
        reports.push(
            checker
                .audit(
                    &client(&sim, "admin"),
                    &access_key(&sim, key),
                    &profile(prof),
                    &target,
                )
                .await
                .unwrap(),
        );
    }
    for (key, prof) in [
        ("byoc", "byoc-kapsule"),
        ("inventory", "inventory-readonly"),
        ("registry-scanner", "byoc-kapsule"),
        ("expired", "inventory-readonly"),
        ("admin", "inventory-readonly"),
    ] {
        reports.push(
            checker
                .self_check(&client(&sim, key), &profile(prof), &target)
                .await
                .unwrap(),
        );
    }
    let statuses: Vec<&str> = reports.iter().map(|r| r.verdict.status()).collect();
    for s in ["ready", "invalid", "unproven"] {
        assert!(statuses.contains(&s), "{statuses:?}");
    }
    for r in &reports {
        assert_valid(r);
    }
}

#[test]
fn canary_evidence_and_unknown_codes_match_the_schema_and_parse() {
    let r = evaluate(&resolution(vec![grant("VPCReadOnly", "")]), false);
    let mut v: Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    // What the canary writes will add: evidence of a write undone, and a finding of a code
    // this version does not know.
    v["requirements"][0]["evidence"]
        .as_array_mut()
        .unwrap()
        .push(
            json!({"method": "canary", "product": "vpc", "resource_type": "vpc",
                     "resource_id": "11111111-2222-4333-8444-555555555555", "deleted": true}),
        );
    v["requirements"][0]["established_by"] = json!("canary");
    v["findings"].as_array_mut().unwrap().push(json!({
        "id": "F0c0ffee0", "severity": "info", "code": "canary_deleted",
        "message": "the canary VPC was deleted", "paths": [], "resource_id": "x"
    }));
    let e = errors(&v);
    assert!(e.is_empty(), "{e:#?}");
    let back: Report = serde_json::from_value(v).unwrap();
    assert!(matches!(
        back.requirements[0].evidence.last(),
        Some(scaleway_iam::checker::Evidence::Canary { deleted: true, .. })
    ));
    assert_eq!(back.findings.last().unwrap().code(), "canary_deleted");
}

#[test]
fn the_schema_refuses_what_is_not_a_report() {
    let r = evaluate(&resolution(Vec::new()), false);
    let good: Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    let broken = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        assert!(!errors(&v).is_empty(), "accepted: {v}");
    };
    broken(&|v| v["verdict"] = json!({"status": "invalid"}));
    broken(&|v| v["verdict"] = json!({"status": "maybe"}));
    broken(&|v| v["findings"][0]["severity"] = json!("fatal"));
    broken(&|v| v["findings"][0]["id"] = json!("F1"));
    broken(&|v| {
        v["findings"][0]["code"] = json!("missing");
        v["findings"][0]
            .as_object_mut()
            .unwrap()
            .remove("permission_set");
    });
    broken(&|v| v["requirements"][0]["status"] = json!("maybe"));
    broken(&|v| v["checked_at"] = json!("yesterday"));
    broken(&|v| v["schema_version"] = json!(1));
}

#[tokio::test]
async fn reports_with_canary_writes_match_the_schema() {
    let sim = sim().await;
    let mut o = options(&sim);
    o.canary = true;
    let checker = Checker::new().with_options(o);
    let profile = Profile::builtin("byoc-kapsule").unwrap();
    let target = Target::project(prod(&sim));
    // Proven (and Kubernetes without a canary), refused.
    for key in ["byoc", "inventory"] {
        let r = checker
            .self_check(&client(&sim, key), &profile, &target)
            .await
            .unwrap();
        assert!(r.canaries.is_some());
        assert_valid(&r);
    }
    // A leftover: the key may create buckets, not delete them.
    let st = sim.state();
    let p = sim.project_id("production").unwrap();
    let app = st.add_application("no-bucket-delete");
    st.add_policy(
        "no-bucket-delete",
        scaleway_sim::PolicyPrincipal::Application(app.clone()),
        vec![scaleway_sim::RuleSpec::projects(
            &["ObjectStorageBucketsRead", "ObjectStorageBucketsWrite"],
            &[&p],
        )],
    )
    .unwrap();
    let k = st.create_api_key(&app, false, &p).unwrap();
    let r = checker
        .self_check(
            &common::client_for(&sim, &k.access_key, &k.secret_key, &p),
            &profile,
            &target,
        )
        .await
        .unwrap();
    assert!(r.has("canary_leftover"));
    assert_valid(&r);
    // The schema checks the canary codes' fields (not vacuous).
    let mut v: Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    let i = r
        .findings
        .iter()
        .position(|f| f.code() == "canary_leftover")
        .unwrap();
    v["findings"][i]
        .as_object_mut()
        .unwrap()
        .remove("delete_command");
    assert!(!errors(&v).is_empty());
    let mut v: Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    v["canaries"]["outcomes"][0]["resources"] = json!([{"kind": "bucket"}]);
    assert!(!errors(&v).is_empty());
}
