//! Table tests of the pure evaluation: resolution facts + profile + target → findings and
//! verdict (no I/O).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_iam::checker::{
    CheckOptions, Checker, Grant, GrantPath, Mode, Profile, Requirement, Resolution, Severity,
    Target, Verdict,
};
use scaleway_iam::{ApiKey, Bearer, PermissionSetScopeType as Lvl, RuleScope, UserType};

const P: &str = "00000000-0000-4000-8000-00000000000a";
const OTHER: &str = "00000000-0000-4000-8000-00000000000b";
const ORG: &str = "00000000-0000-4000-8000-0000000000ff";

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
        .unwrap()
        .to_utc()
}

fn key(expires: Option<&str>, default_project: &str) -> ApiKey {
    serde_json::from_value(serde_json::json!({
        "access_key": "SCWXXXXXXXXXXXXXXXXX", "application_id": "app",
        "default_project_id": default_project, "created_at": "2026-01-01T00:00:00Z",
        "expires_at": expires,
    }))
    .unwrap()
}

fn on(projects: &[&str]) -> RuleScope {
    serde_json::from_value(serde_json::json!({"type": "projects", "project_ids": projects}))
        .unwrap()
}

fn org() -> RuleScope {
    serde_json::from_value(serde_json::json!({"type": "organization", "organization_id": ORG}))
        .unwrap()
}

fn grant(set: &str, lvl: Lvl, scope: RuleScope, condition: &str) -> Grant {
    Grant::new(
        set,
        lvl,
        scope,
        condition,
        GrantPath::direct("pol", "policy", format!("rule-{set}")),
    )
}

fn resolution(grants: Vec<Grant>) -> Resolution {
    let mut r = Resolution::default();
    r.key = Some(key(Some("2027-01-01T00:00:00Z"), P));
    r.bearer = Some(Bearer::Application("app".into()));
    r.bearer_name = Some("app".into());
    r.organization_id = Some(ORG.into());
    r.grants = grants;
    r.direct_policies = vec![("pol".into(), "policy".into())];
    r
}

fn checker() -> Checker {
    let mut o = CheckOptions::default();
    o.now = Some(now());
    Checker::new().with_options(o)
}

fn run(res: &Resolution, profile: &Profile) -> scaleway_iam::checker::Report {
    checker()
        .evaluate(
            res,
            profile,
            &Target::project(P.parse().unwrap()),
            Mode::Auditor,
        )
        .unwrap()
}

fn simple(sets: &[&str]) -> Profile {
    Profile::new(
        "t",
        sets.iter().map(|s| Requirement::on_project(*s)).collect(),
    )
}

#[test]
fn scope_and_implication_table() {
    use Lvl::{Organization as O, Projects as Pr};
    // (required sets, grants, expected codes of the requirement findings, verdict)
    type Case = (
        &'static str,
        Vec<&'static str>,
        Vec<Grant>,
        Vec<(&'static str, Severity)>,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "exact grant",
            vec!["VPCReadOnly"],
            vec![grant("VPCReadOnly", Pr, on(&[P]), "")],
            vec![("requirement_met", Severity::Info)],
            "ready",
        ),
        (
            "full covers read",
            vec!["VPCReadOnly"],
            vec![grant("VPCFullAccess", Pr, on(&[P]), "")],
            vec![
                ("requirement_met", Severity::Info),
                ("excess_grant", Severity::Warning),
            ],
            "ready",
        ),
        (
            "read does not cover full",
            vec!["VPCFullAccess"],
            vec![grant("VPCReadOnly", Pr, on(&[P]), "")],
            vec![("missing", Severity::Blocking)],
            "invalid",
        ),
        (
            "organization-wide is wider",
            vec!["InstancesReadOnly"],
            vec![grant("InstancesReadOnly", Pr, org(), "")],
            vec![("wider_than_required", Severity::Warning)],
            "ready",
        ),
        (
            "other project only",
            vec!["InstancesReadOnly"],
            vec![grant("InstancesReadOnly", Pr, on(&[OTHER]), "")],
            vec![("wrong_project", Severity::Blocking)],
            "invalid",
        ),
        (
            "nothing",
            vec!["InstancesReadOnly"],
            vec![],
            vec![("missing", Severity::Blocking)],
            "invalid",
        ),
        (
            "all products read covers a product read",
            vec!["ContainerRegistryReadOnly"],
            vec![grant("AllProductsReadOnly", Pr, on(&[P]), "")],
            vec![
                ("requirement_met", Severity::Info),
                ("excess_grant", Severity::Warning),
            ],
            "ready",
        ),
        (
            "all products read does not read secret values",
            vec!["SecretManagerSecretAccess"],
            vec![grant("AllProductsReadOnly", Pr, on(&[P]), "")],
            vec![
                ("missing", Severity::Blocking),
                ("excess_grant", Severity::Warning),
            ],
            "invalid",
        ),
        (
            "secret manager read-only is metadata only",
            vec!["SecretManagerSecretAccess"],
            vec![grant("SecretManagerReadOnly", Pr, on(&[P]), "")],
            vec![
                ("missing", Severity::Blocking),
                ("excess_grant", Severity::Warning),
            ],
            "invalid",
        ),
        (
            "condition is never assumed",
            vec!["VPCReadOnly"],
            vec![grant(
                "VPCReadOnly",
                Pr,
                on(&[P]),
                "request.time.getHours() < 18",
            )],
            vec![("requirement_conditional", Severity::Blocking)],
            "invalid",
        ),
        (
            "unconditional grant beats a conditional one",
            vec!["VPCReadOnly"],
            vec![
                grant("VPCReadOnly", Pr, on(&[P]), "1 == 1"),
                grant("VPCFullAccess", Pr, on(&[P]), ""),
            ],
            vec![
                ("requirement_met", Severity::Info),
                ("excess_grant", Severity::Warning),
            ],
            "ready",
        ),
        (
            "unknown set covers nothing else",
            vec!["VPCReadOnly"],
            vec![grant("VPCSuperAccess", Pr, on(&[P]), "")],
            vec![
                ("missing", Severity::Blocking),
                ("unknown_permission_set", Severity::Warning),
                ("excess_grant", Severity::Warning),
            ],
            "invalid",
        ),
        (
            "escalation set is blocking excess",
            vec!["VPCReadOnly"],
            vec![
                grant("VPCReadOnly", Pr, on(&[P]), ""),
                grant("IAMManager", O, org(), ""),
            ],
            vec![
                ("requirement_met", Severity::Info),
                ("excess_grant", Severity::Blocking),
            ],
            "invalid",
        ),
        (
            "organization-level set is blocking excess",
            vec!["VPCReadOnly"],
            vec![
                grant("VPCReadOnly", Pr, on(&[P]), ""),
                grant("BillingReadOnly", O, org(), ""),
            ],
            vec![
                ("requirement_met", Severity::Info),
                ("excess_grant", Severity::Blocking),
            ],
            "invalid",
        ),
        (
            "required set also on another project",
            vec!["VPCReadOnly"],
            vec![grant("VPCReadOnly", Pr, on(&[P, OTHER]), "")],
            vec![
                ("requirement_met", Severity::Info),
                ("excess_grant", Severity::Warning),
            ],
            "ready",
        ),
        (
            "all products full access has no organization-level set",
            vec!["IAMReadOnly"],
            vec![grant("AllProductsFullAccess", Pr, org(), "")],
            vec![
                ("missing", Severity::Blocking),
                ("excess_grant", Severity::Warning),
            ],
            "invalid",
        ),
    ];
    for (name, sets, grants, want, verdict) in cases {
        let mut profile = simple(&sets);
        if name.contains("IAMReadOnly") || sets == ["IAMReadOnly"] {
            profile.requirements = vec![Requirement::on_organization("IAMReadOnly")];
        }
        let r = run(&resolution(grants), &profile);
        let got: Vec<(&str, Severity)> = r
            .findings
            .iter()
            .filter(|f| !matches!(f.code(), "key_no_expiry"))
            .map(|f| (f.code(), f.severity))
            .collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        assert_eq!(got_sorted, want_sorted, "{name}:\n{}", r.to_text());
        assert_eq!(r.verdict.status(), verdict, "{name}:\n{}", r.to_text());
        // Every blocking requirement finding comes with a fix.
        for f in r.blocking() {
            if matches!(
                f.code(),
                "missing" | "wrong_project" | "requirement_conditional"
            ) {
                let fix = r
                    .remediation
                    .iter()
                    .find(|x| x.finding == f.id)
                    .expect(name);
                let cmd = fix.scw_command.as_deref().unwrap();
                // `scw iam rule create` would drop the policy's conditions: a policy with a
                // conditional rule gets a new policy instead.
                let want = if r.grants.iter().any(|g| !g.condition.is_empty()) {
                    "scw iam policy create name=t application-id=app rules.0.permission-set-names.0="
                } else {
                    "scw iam rule create pol permission-set-names.0="
                };
                assert!(cmd.starts_with(want), "{name}: {cmd}");
                assert!(fix.rule.is_some(), "{name}");
            }
        }
    }
}

#[test]
fn key_findings_table() {
    let profile = simple(&["VPCReadOnly"]);
    let g = || vec![grant("VPCReadOnly", Lvl::Projects, on(&[P]), "")];
    let cases: Vec<(Option<&str>, &str, &str, Severity, &str)> = vec![
        (
            Some("2026-05-01T00:00:00Z"),
            P,
            "key_expired",
            Severity::Blocking,
            "invalid",
        ),
        (
            Some("2026-06-10T00:00:00Z"),
            P,
            "key_expires_soon",
            Severity::Warning,
            "ready",
        ),
        (None, P, "key_no_expiry", Severity::Warning, "ready"),
        (
            Some("2027-06-10T00:00:00Z"),
            OTHER,
            "default_project_mismatch",
            Severity::Warning,
            "ready",
        ),
    ];
    for (exp, dp, code, sev, verdict) in cases {
        let mut res = resolution(g());
        res.key = Some(key(exp, dp));
        let r = run(&res, &profile);
        let f = r
            .findings_with_code(code)
            .next()
            .unwrap_or_else(|| panic!("{code}: {}", r.to_text()));
        assert_eq!(f.severity, sev, "{code}");
        assert_eq!(r.verdict.status(), verdict, "{code}: {}", r.to_text());
    }
    // Default project mismatch breaks Object Storage: blocking when the profile needs it.
    let mut res = resolution(vec![grant(
        "ObjectStorageReadOnly",
        Lvl::Projects,
        on(&[P]),
        "",
    )]);
    res.key = Some(key(Some("2027-06-10T00:00:00Z"), OTHER));
    let r = run(&res, &simple(&["ObjectStorageBucketsRead"]));
    assert_eq!(
        r.findings_with_code("default_project_mismatch")
            .next()
            .unwrap()
            .severity,
        Severity::Blocking
    );
    // A missing key.
    let mut res = resolution(g());
    res.key = None;
    let r = run(&res, &profile);
    assert!(r.has("key_not_found"));
    assert!(matches!(r.verdict, Verdict::Invalid { .. }));
    // Personal key of the owner: passes, flagged.
    let mut res = resolution(Vec::new());
    res.bearer = Some(Bearer::User("u".into()));
    res.user_type = Some(UserType::Owner);
    let r = run(&res, &profile);
    assert!(r.has("organization_owner") && r.has("personal_user_key"));
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
}

#[test]
fn recent_changes_and_the_verdict() {
    let profile = simple(&["VPCReadOnly"]);
    let recent = now() - chrono::Duration::seconds(30);
    // Blocking finding after a policy change: wait and see.
    let mut res = resolution(Vec::new());
    res.changes = vec![(recent, "policy \"p\" changed".into())];
    let r = run(&res, &profile);
    let Verdict::PendingPropagation {
        recheck_in_seconds,
        blocking,
        ..
    } = &r.verdict
    else {
        panic!("{}", r.to_text())
    };
    assert_eq!(*recheck_in_seconds, 270);
    assert_eq!(blocking.len(), 1);
    // Blocking finding when only the key is new: waiting does not help.
    res.changes = vec![(recent, "API key SCWX created".into())];
    assert!(matches!(
        run(&res, &profile).verdict,
        Verdict::Invalid { .. }
    ));
    // Everything fine but just changed: pending (not confirmed by the key itself).
    let mut res = resolution(vec![grant("VPCReadOnly", Lvl::Projects, on(&[P]), "")]);
    res.changes = vec![(recent, "policy \"p\" changed".into())];
    assert!(matches!(
        run(&res, &profile).verdict,
        Verdict::PendingPropagation { .. }
    ));
    // An old change does not matter.
    res.changes = vec![(
        now() - chrono::Duration::hours(1),
        "policy \"p\" changed".into(),
    )];
    assert_eq!(run(&res, &profile).verdict, Verdict::Ready);
    // An expired key never becomes ready by waiting.
    let mut res = resolution(vec![grant("VPCReadOnly", Lvl::Projects, on(&[P]), "")]);
    res.key = Some(key(Some("2026-05-01T00:00:00Z"), P));
    res.changes = vec![(recent, "policy \"p\" changed".into())];
    assert!(matches!(
        run(&res, &profile).verdict,
        Verdict::Invalid { .. }
    ));
}

#[test]
fn group_paths_are_kept_and_rendered() {
    let path = GrantPath::direct("pol", "readers", "r1").via_group("g1", "prod-readers");
    let g = Grant::new("VPCReadOnly", Lvl::Projects, on(&[P]), "", path);
    let r = run(&resolution(vec![g]), &simple(&["VPCReadOnly"]));
    let met = r.findings_with_code("requirement_met").next().unwrap();
    assert_eq!(met.paths[0].group_name.as_deref(), Some("prod-readers"));
    assert!(
        r.to_text().contains("via group \"prod-readers\""),
        "{}",
        r.to_text()
    );
    let json: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert_eq!(json["findings"][0]["paths"][0]["group_id"], "g1");
    assert_eq!(json["grants"][0]["scope"]["type"], "projects");
    // The JSON reads back into the same report.
    let back: scaleway_iam::checker::Report = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    assert_eq!(back, r);
}

#[test]
fn an_organization_rule_is_never_suggested_without_the_organization_id() {
    let profile = Profile::new("t", vec![Requirement::on_organization("IAMReadOnly")]);
    // Organization known: the rule names it.
    let r = run(&resolution(Vec::new()), &profile);
    let missing = r.findings_with_code("missing").next().unwrap();
    let fix = r
        .remediation
        .iter()
        .find(|x| x.finding == missing.id)
        .unwrap();
    assert_eq!(fix.rule.as_ref().unwrap()["organization_id"], ORG);
    assert!(
        fix.scw_command
            .as_deref()
            .unwrap()
            .contains(&format!("organization-id={ORG}"))
    );
    // Organization unknown (e.g. a resolution read some other way): no rule, no command,
    // and the summary says why — never `"organization_id": ""`.
    for org in [None, Some(String::new())] {
        let mut res = resolution(Vec::new());
        res.organization_id = org;
        let r = run(&res, &profile);
        let missing = r.findings_with_code("missing").next().unwrap();
        let fix = r
            .remediation
            .iter()
            .find(|x| x.finding == missing.id)
            .unwrap();
        assert!(fix.rule.is_none(), "{fix:?}");
        assert!(fix.scw_command.is_none(), "{fix:?}");
        assert!(fix.summary.contains("could not read its ID"), "{fix:?}");
        let json = r.to_json().unwrap();
        assert!(!json.contains(r#""organization_id": """#), "{json}");
        assert!(!json.contains("organization-id="), "{json}");
    }
    // Same for a conditional Organization-level grant.
    let mut res = resolution(vec![grant(
        "IAMReadOnly",
        Lvl::Organization,
        org(),
        "request.time.getHours() < 18",
    )]);
    res.organization_id = None;
    let r = run(&res, &profile);
    let f = r
        .findings_with_code("requirement_conditional")
        .next()
        .unwrap_or_else(|| panic!("{}", r.to_text()));
    let fix = r.remediation.iter().find(|x| x.finding == f.id).unwrap();
    assert!(fix.rule.is_none() && fix.scw_command.is_none(), "{fix:?}");
}

#[test]
fn only_findings_propagation_can_change_are_deferred() {
    let recent = now() - chrono::Duration::seconds(30);
    let changed = |mut res: Resolution| {
        res.changes = vec![(recent, "policy \"p\" changed".into())];
        res
    };
    let status = |res: &Resolution, profile: &Profile| run(res, profile).verdict.status();
    let vpc = simple(&["VPCReadOnly"]);
    // Deferred: missing, wrong project, conditional.
    let deferred: Vec<(&str, Vec<Grant>)> = vec![
        ("missing", Vec::new()),
        (
            "wrong project",
            vec![grant("VPCReadOnly", Lvl::Projects, on(&[OTHER]), "")],
        ),
        (
            "conditional",
            vec![grant("VPCReadOnly", Lvl::Projects, on(&[P]), "1 == 1")],
        ),
    ];
    for (name, grants) in deferred {
        assert_eq!(
            status(&changed(resolution(grants)), &vpc),
            "pending_propagation",
            "{name}"
        );
    }
    // Not deferred, even next to a missing grant: waiting does not remove a forbidden
    // grant, move the default project or renew a key.
    let with_missing = |mut g: Vec<Grant>| {
        g.push(grant("InstancesReadOnly", Lvl::Projects, on(&[P]), ""));
        g
    };
    let two = simple(&["VPCReadOnly", "InstancesReadOnly"]);
    let escalation = changed(resolution(with_missing(vec![grant(
        "IAMManager",
        Lvl::Organization,
        org(),
        "",
    )])));
    assert_eq!(status(&escalation, &two), "invalid");
    let r = run(&escalation, &two);
    assert!(r.has("missing") && r.has("excess_grant"), "{}", r.to_text());
    let mut default_project = changed(resolution(with_missing(Vec::new())));
    default_project.key = Some(key(Some("2027-01-01T00:00:00Z"), OTHER));
    let mut strict = two.clone();
    strict.default_project = Some(scaleway_iam::checker::DefaultProjectRule::Require);
    assert_eq!(status(&default_project, &strict), "invalid");
    // The same mismatch as a warning does not block: pending again.
    assert_eq!(status(&default_project, &two), "pending_propagation");
    let mut expired = changed(resolution(with_missing(Vec::new())));
    expired.key = Some(key(Some("2026-05-01T00:00:00Z"), P));
    assert_eq!(status(&expired, &two), "invalid");
    let mut wider = simple(&["VPCReadOnly"]);
    wider.excess.wider_scope = scaleway_iam::checker::ExcessAction::Forbid;
    let wide = changed(resolution(vec![grant(
        "VPCReadOnly",
        Lvl::Projects,
        org(),
        "",
    )]));
    assert_eq!(status(&wide, &wider), "invalid");
}

#[test]
fn the_default_project_rule_comes_from_the_profile() {
    // A key whose default project is another one, with everything granted on the target.
    let with = |sets: &[&str]| {
        let mut res = resolution(
            sets.iter()
                .map(|s| grant(s, Lvl::Projects, on(&[P]), ""))
                .collect(),
        );
        res.key = Some(key(Some("2027-06-10T00:00:00Z"), OTHER));
        res
    };
    let mismatch = |r: &scaleway_iam::checker::Report| {
        r.findings_with_code("default_project_mismatch")
            .next()
            .unwrap_or_else(|| panic!("{}", r.to_text()))
            .clone()
    };
    // inventory-readonly signs S3 with ACCESS_KEY@PROJECT_ID: a warning, Ready.
    let inventory = Profile::builtin("inventory-readonly").unwrap();
    let r = run(&with(&["AllProductsReadOnly"]), &inventory);
    let f = mismatch(&r);
    assert_eq!(f.severity, Severity::Warning);
    assert!(
        matches!(
            f.kind,
            scaleway_iam::checker::FindingKind::DefaultProjectMismatch {
                object_storage: true,
                required: false,
                ..
            }
        ),
        "{:?}",
        f.kind
    );
    assert!(f.message.contains("ACCESS_KEY@PROJECT_ID"), "{}", f.message);
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    // byoc-kapsule and object-storage-backup require it: blocking, with the fix.
    for (name, sets) in [
        (
            "byoc-kapsule",
            &[
                "KubernetesFullAccess",
                "PrivateNetworksFullAccess",
                "VPCFullAccess",
                "InstancesFullAccess",
                "ObjectStorageFullAccess",
            ][..],
        ),
        (
            "object-storage-backup",
            &[
                "ObjectStorageBucketsRead",
                "ObjectStorageObjectsRead",
                "ObjectStorageObjectsWrite",
            ][..],
        ),
    ] {
        let r = run(&with(sets), &Profile::builtin(name).unwrap());
        let f = mismatch(&r);
        assert_eq!(f.severity, Severity::Blocking, "{name}");
        let Verdict::Invalid { blocking } = &r.verdict else {
            panic!("{name}: {}", r.to_text())
        };
        assert_eq!(blocking, &vec![f.id.clone()], "{name}");
        let fix = r.remediation.iter().find(|x| x.finding == f.id).unwrap();
        assert_eq!(
            fix.scw_command.as_deref(),
            Some(
                format!("scw iam api-key update SCWXXXXXXXXXXXXXXXXX default-project-id={P}")
                    .as_str()
            )
        );
    }
    // A custom profile may say otherwise.
    let mut relaxed = Profile::builtin("object-storage-backup").unwrap();
    relaxed.default_project = Some(scaleway_iam::checker::DefaultProjectRule::Warn);
    let r = run(
        &with(&[
            "ObjectStorageBucketsRead",
            "ObjectStorageObjectsRead",
            "ObjectStorageObjectsWrite",
        ]),
        &relaxed,
    );
    assert_eq!(mismatch(&r).severity, Severity::Warning);
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
}
