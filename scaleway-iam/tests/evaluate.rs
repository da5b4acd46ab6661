//! Table tests of the pure evaluation: resolution facts + profile + target → findings and
//! verdict (no I/O).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_iam::checker::{
    CheckOptions, Checker, Evidence, ExcessAction, Grant, GrantPath, Mode, Profile, ProjectLookup,
    Requirement, RequirementStatus, Resolution, Severity, Target, Verdict,
};
use scaleway_iam::{ApiKey, Bearer, PermissionSetScopeType as Lvl, RuleScope, UserType};

const P: &str = "00000000-0000-4000-8000-00000000000a";
const OTHER: &str = "00000000-0000-4000-8000-00000000000b";
const ORG: &str = "00000000-0000-4000-8000-0000000000ff";

/// An ID as the server sends it (read leniently, as server data is): the short names of
/// hand-written resolutions.
fn server_id<T: serde::de::DeserializeOwned>(s: &str) -> T {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).unwrap()
}

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
    r.bearer = Some(Bearer::Application(server_id("app")));
    r.bearer_name = Some("app".into());
    r.organization_id = Some(ORG.parse().unwrap());
    r.grants = grants;
    r.direct_policies = vec![(server_id("pol"), "policy".into())];
    // The target project was read: it is in the key's Organization.
    r.projects.insert(
        P.parse().unwrap(),
        ProjectLookup::Found {
            name: "p".into(),
            organization_id: ORG.parse().unwrap(),
        },
    );
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

/// A profile requiring `sets` on the project, all-projects grants a warning (as the
/// built-in read-only profiles say; a custom profile's default is stricter).
fn simple(sets: &[&str]) -> Profile {
    let mut p = Profile::new(
        "t",
        sets.iter().map(|s| Requirement::on_project(*s)).collect(),
    );
    p.excess.wider_scope = scaleway_iam::checker::ExcessAction::Warn;
    p
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
            // Nothing shows it is wrong, nothing proves it holds: unproven.
            vec![("requirement_conditional", Severity::Unproven)],
            "unproven",
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
        // Every blocking or unproven requirement finding comes with a fix.
        for f in r
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Unproven)
        {
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
    // Personal key of the owner: every requirement passes (IAM does not apply to the
    // owner), but the key holds everything at Organization level, which a profile forbids
    // unless it says otherwise (owner_keys, else organization_sets).
    let mut res = resolution(Vec::new());
    res.bearer = Some(Bearer::User(server_id("u")));
    res.user_type = Some(UserType::Owner);
    let r = run(&res, &profile);
    assert!(r.has("organization_owner") && r.has("personal_user_key"));
    let owner = r.findings_with_code("organization_owner").next().unwrap();
    assert_eq!(
        r.verdict,
        Verdict::Invalid {
            blocking: vec![owner.id.clone()]
        },
        "{}",
        r.to_text()
    );
    assert!(r.remediation.iter().any(|x| x.finding == owner.id));
    let met = &r.requirements[0];
    assert_eq!(met.status, RequirementStatus::Met);
    assert_eq!(met.evidence, vec![Evidence::Owner]);
    let mut lenient = profile.clone();
    lenient.excess.owner_keys = Some(ExcessAction::Warn);
    let r = run(&res, &lenient);
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    // A personal key, for a profile that forbids them.
    let mut strict = profile.clone();
    strict.excess.personal_user_keys = ExcessAction::Forbid;
    res.user_type = Some(UserType::Member);
    let r = run(&res, &strict);
    assert_eq!(r.verdict.status(), "invalid", "{}", r.to_text());
    assert_eq!(
        r.findings_with_code("personal_user_key")
            .next()
            .unwrap()
            .severity,
        Severity::Blocking
    );
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
    assert_eq!(
        fix.rule.as_ref().unwrap().organization_id,
        Some(ORG.parse().unwrap())
    );
    // The report's JSON of the rule is what it was when the rule was a JSON value: keys in
    // alphabetical order.
    let json = r.to_json().unwrap();
    let rule = &json[json.find("\"rule\": {").unwrap()..];
    let at = |k: &str| rule.find(&format!("\"{k}\"")).unwrap();
    assert!(
        at("condition") < at("organization_id")
            && at("organization_id") < at("permission_set_names"),
        "{json}"
    );
    assert!(
        fix.scw_command
            .as_deref()
            .unwrap()
            .contains(&format!("organization-id={ORG}"))
    );
    // Organization unknown (e.g. a resolution read some other way): no rule, no command,
    // and the summary says why — never `"organization_id": ""`.
    for org in [None, Some(Default::default())] {
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

const OTHER_ORG: &str = "00000000-0000-4000-8000-0000000000ee";

fn checker_with(f: impl FnOnce(&mut CheckOptions)) -> Checker {
    let mut o = CheckOptions::default();
    o.now = Some(now());
    f(&mut o);
    Checker::new().with_options(o)
}

#[test]
fn account_root_user_scope_is_organization_level() {
    let profile = simple(&["VPCReadOnly"]);
    for (set, lvl, scope) in [
        // A project-level set in an account_root_user rule.
        (
            "InstancesFullAccess",
            Lvl::Projects,
            RuleScope::AccountRootUser {
                account_root_user_id: "root".into(),
            },
        ),
        // A set of the account_root_user level the catalogue does not know.
        ("AccountRootThing", Lvl::AccountRootUser, org()),
    ] {
        let r = run(
            &resolution(vec![
                grant("VPCReadOnly", Lvl::Projects, on(&[P]), ""),
                grant(set, lvl, scope, ""),
            ]),
            &profile,
        );
        let excess = r
            .findings_with_code("excess_grant")
            .find(|f| matches!(&f.kind, scaleway_iam::checker::FindingKind::ExcessGrant { permission_set, .. } if permission_set == set))
            .unwrap_or_else(|| panic!("{set}: {}", r.to_text()));
        assert!(
            matches!(&excess.kind, scaleway_iam::checker::FindingKind::ExcessGrant { reason, .. } if reason == "organization_level_set"),
            "{set}: {:?}",
            excess.kind
        );
        assert_eq!(excess.severity, Severity::Blocking, "{set}");
        assert_eq!(r.verdict.status(), "invalid", "{set}: {}", r.to_text());
    }
}

#[test]
fn key_not_found_is_pending_when_the_caller_says_the_key_is_new() {
    let profile = simple(&["VPCReadOnly"]);
    let mut res = resolution(Vec::new());
    res.key = None;
    let check = |created: Option<chrono::DateTime<chrono::Utc>>| {
        checker_with(|o| o.key_created_at = created)
            .evaluate(
                &res,
                &profile,
                &Target::project(P.parse().unwrap()),
                Mode::Auditor,
            )
            .unwrap()
    };
    // The caller created the key 30 s ago: it may not be visible yet.
    let r = check(Some(now() - chrono::Duration::seconds(30)));
    let Verdict::PendingPropagation {
        recheck_in_seconds,
        blocking,
        ..
    } = &r.verdict
    else {
        panic!("{}", r.to_text())
    };
    assert_eq!(*recheck_in_seconds, 270);
    let nf = r.findings_with_code("key_not_found").next().unwrap();
    assert_eq!(blocking, &vec![nf.id.clone()]);
    // Nothing said, or a key older than the window: Invalid.
    assert_eq!(check(None).verdict.status(), "invalid");
    assert_eq!(
        check(Some(now() - chrono::Duration::hours(1)))
            .verdict
            .status(),
        "invalid"
    );
    // Every requirement is not met, because of the missing key.
    let r = check(None);
    assert_eq!(r.requirements.len(), 1);
    assert_eq!(r.requirements[0].status, RequirementStatus::NotMet);
}

#[test]
fn organization_wide_grants_cover_the_projects_of_their_own_organization_only() {
    let profile = simple(&["VPCReadOnly"]);
    let wide = || resolution(vec![grant("VPCReadOnly", Lvl::Projects, org(), "")]);
    let target = || Target::project(P.parse().unwrap());
    // The project is in the grant's Organization: met, wider than required.
    let r = run(&wide(), &profile);
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    assert!(r.has("wider_than_required"));
    assert!(matches!(
        r.requirements[0].evidence[0],
        Evidence::Policies {
            organization_wide: true,
            ..
        }
    ));
    assert_eq!(r.target.projects[0].status, "found");
    // The project is in another Organization: the grant does not reach it.
    let mut res = wide();
    res.projects.insert(
        P.parse().unwrap(),
        ProjectLookup::Found {
            name: "elsewhere".into(),
            organization_id: OTHER_ORG.parse().unwrap(),
        },
    );
    let r = run(&res, &profile);
    assert_eq!(r.verdict.status(), "invalid", "{}", r.to_text());
    let m = r.findings_with_code("missing").next().unwrap();
    assert!(m.message.contains("Organization"), "{}", m.message);
    let mm = r
        .findings_with_code("organization_mismatch")
        .next()
        .unwrap();
    assert_eq!(mm.severity, Severity::Blocking);
    assert!(r.requirements[0].findings.contains(&mm.id));
    // The project could not be read: unproven (Organization-wide grants need its
    // Organization), Ready only when the caller accepts it, and the report still says so.
    let mut res = wide();
    res.projects.insert(
        P.parse().unwrap(),
        ProjectLookup::Unverified {
            reason: "403".into(),
        },
    );
    let r = run(&res, &profile);
    let u = r.findings_with_code("project_unverified").next().unwrap();
    assert_eq!(u.severity, Severity::Unproven);
    assert_eq!(
        r.verdict,
        Verdict::Unproven {
            unproven: vec![u.id.clone()]
        },
        "{}",
        r.to_text()
    );
    assert_eq!(r.requirements[0].status, RequirementStatus::Unproven);
    let r = checker_with(|o| o.accept_unproven = true)
        .evaluate(&res, &profile, &target(), Mode::Auditor)
        .unwrap();
    assert_eq!(r.verdict, Verdict::Ready);
    assert_eq!(r.accepted_unproven, vec![u.id.clone()]);
    assert!(
        r.to_text().starts_with("READY, ACCEPTING UNPROVEN"),
        "{}",
        r.to_text()
    );
    // A rule naming the project needs no Organization: met, the unread project is info.
    let mut res = resolution(vec![grant("VPCReadOnly", Lvl::Projects, on(&[P]), "")]);
    res.projects.clear();
    let r = run(&res, &profile);
    assert_eq!(r.verdict, Verdict::Ready, "{}", r.to_text());
    assert_eq!(
        r.findings_with_code("project_unverified")
            .next()
            .unwrap()
            .severity,
        Severity::Info
    );
    // The project does not exist: blocking, whatever the grants.
    let mut res = resolution(vec![grant("VPCReadOnly", Lvl::Projects, on(&[P]), "")]);
    res.projects
        .insert(P.parse().unwrap(), ProjectLookup::NotFound);
    let r = run(&res, &profile);
    assert_eq!(r.verdict.status(), "invalid", "{}", r.to_text());
    assert!(r.has("project_not_found"));
    assert_eq!(r.target.projects[0].status, "not_found");
    // The caller's Organization is compared too.
    let r = checker()
        .evaluate(
            &resolution(vec![grant("VPCReadOnly", Lvl::Projects, on(&[P]), "")]),
            &profile,
            &target().in_organization(OTHER_ORG.parse().unwrap()),
            Mode::Auditor,
        )
        .unwrap();
    assert_eq!(r.verdict.status(), "invalid", "{}", r.to_text());
    let mm = r
        .findings_with_code("organization_mismatch")
        .next()
        .unwrap();
    assert!(
        matches!(&mm.kind, scaleway_iam::checker::FindingKind::OrganizationMismatch { target_organization_id: Some(t), key_organization_id: Some(k), .. } if t.as_str() == OTHER_ORG && k.as_str() == ORG),
        "{:?}",
        mm.kind
    );
}

#[test]
fn finding_ids_come_from_the_finding_not_its_position() {
    let profile = simple(&["VPCReadOnly", "InstancesReadOnly"]);
    let one = run(
        &resolution(vec![grant("VPCReadOnly", Lvl::Projects, on(&[P]), "")]),
        &profile,
    );
    // More findings before it (a blocking excess, listed first): same ID.
    let two = run(
        &resolution(vec![
            grant("IAMManager", Lvl::Organization, org(), ""),
            grant("VPCReadOnly", Lvl::Projects, on(&[P]), ""),
        ]),
        &profile,
    );
    let id = |r: &scaleway_iam::checker::Report, code: &str| {
        r.findings_with_code(code).next().unwrap().id.clone()
    };
    assert_eq!(id(&one, "missing"), id(&two, "missing"));
    assert_eq!(id(&one, "requirement_met"), id(&two, "requirement_met"));
    assert_ne!(id(&two, "missing"), id(&two, "requirement_met"));
    let f = id(&one, "missing");
    assert!(
        f.len() == 9 && f.starts_with('F') && f[1..].chars().all(|c| c.is_ascii_hexdigit()),
        "{f}"
    );
    let mut all: Vec<&str> = two.findings.iter().map(|f| f.id.as_str()).collect();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), two.findings.len(), "IDs are unique");
}

#[test]
fn unknown_finding_codes_are_kept() {
    let r = run(
        &resolution(vec![grant("VPCReadOnly", Lvl::Projects, on(&[P]), "")]),
        &simple(&["VPCReadOnly"]),
    );
    let mut v: serde_json::Value = serde_json::from_str(&r.to_json().unwrap()).unwrap();
    // A newer writer adds a finding of a code this version does not know.
    let newer = serde_json::json!({
        "id": "F00c0ffee", "severity": "info", "code": "canary_leftover",
        "resource_id": "vpc-1", "how_to_delete": "scw vpc vpc delete vpc-1",
        "message": "a leftover", "paths": []
    });
    v["findings"].as_array_mut().unwrap().push(newer.clone());
    let back: scaleway_iam::checker::Report = serde_json::from_value(v).unwrap();
    let f = back.findings.last().unwrap();
    assert_eq!(f.code(), "canary_leftover");
    match &f.kind {
        scaleway_iam::checker::FindingKind::Unknown { code, fields } => {
            assert_eq!(code, "canary_leftover");
            assert_eq!(fields["resource_id"], "vpc-1");
        }
        k => panic!("{k:?}"),
    }
    // Written back as it was read.
    let again = serde_json::to_value(f).unwrap();
    assert_eq!(again, newer);
}
