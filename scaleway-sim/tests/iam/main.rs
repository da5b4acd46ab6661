//! IAM enforcement of the `demo` scenario: each key is refused exactly where the real API would
//! refuse it, and allowed elsewhere.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers may panic"
)]

#[path = "../common/mod.rs"]
mod common;
mod validation_order;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Resp, call, client, get};
use reqwest::{Method, StatusCode};
use scaleway_sim::{RuleSpec, Scenario, Sim, SimClock};
use serde_json::{Value, json};

struct Probe {
    name: &'static str,
    path: String,
}

async fn probes(sim: &Sim) -> Vec<Probe> {
    let prod = sim.project_id("production").expect("production");
    let stag = sim.project_id("staging").expect("staging");
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let c = client();
    let secrets = get(
        &c,
        sim.api_url(),
        admin,
        &format!(
            "/secret-manager/v1beta1/regions/fr-par/secrets?project_id={prod}&name=db-password"
        ),
    )
    .await;
    let secret = secrets.body["secrets"][0]["id"]
        .as_str()
        .expect("secret")
        .to_owned();
    vec![
        Probe {
            name: "instance",
            path: format!("/instance/v1/zones/fr-par-1/servers?project={prod}"),
        },
        Probe {
            name: "vpc",
            path: format!("/vpc/v2/regions/fr-par/vpcs?project_id={prod}"),
        },
        Probe {
            name: "pn",
            path: format!("/vpc/v2/regions/fr-par/private-networks?project_id={prod}"),
        },
        Probe {
            name: "k8s",
            path: format!("/k8s/v1/regions/fr-par/clusters?project_id={prod}"),
        },
        Probe {
            name: "registry",
            path: format!("/registry/v1/regions/fr-par/namespaces?project_id={prod}"),
        },
        Probe {
            name: "block",
            path: format!("/block/v1alpha1/zones/fr-par-1/volumes?project_id={prod}"),
        },
        Probe {
            name: "secrets",
            path: format!("/secret-manager/v1beta1/regions/fr-par/secrets?project_id={prod}"),
        },
        Probe {
            name: "access",
            path: format!(
                "/secret-manager/v1beta1/regions/fr-par/secrets/{secret}/versions/latest/access"
            ),
        },
        Probe {
            name: "iam",
            path: "/iam/v1alpha1/api-keys".to_owned(),
        },
        Probe {
            name: "projects",
            path: "/account/v3/projects".to_owned(),
        },
        Probe {
            name: "staging",
            path: format!("/instance/v1/zones/fr-par-1/servers?project={stag}"),
        },
    ]
}

/// The probes each key may pass; every other probe must be a 403.
fn allowed(key: &str) -> &'static [&'static str] {
    const READ_ALL_PROD: &[&str] = &[
        "instance", "vpc", "pn", "k8s", "registry", "block", "secrets",
    ];
    match key {
        "inventory" | "group-granted" | "personal-user" => READ_ALL_PROD,
        "byoc" => &["instance", "vpc", "pn", "k8s"],
        "registry-scanner" => &["registry"],
        "admin" => &[
            "instance", "vpc", "pn", "k8s", "registry", "block", "secrets", "access", "iam",
            "projects", "staging",
        ],
        "wrong-project" => &["staging"],
        "missing-set" => &["instance", "pn", "k8s"],
        "extra-org-set" => &["instance", "vpc", "pn", "k8s", "iam", "projects"],
        "conditional" | "other-org" => &[],
        // The Organization owner bypasses IAM.
        "owner" => &[
            "instance", "vpc", "pn", "k8s", "registry", "block", "secrets", "access", "iam",
            "projects", "staging",
        ],
        "byoc-all-projects" => &["instance", "vpc", "pn", "k8s", "staging"],
        _ => &[],
    }
}

fn denied_resource(probe: &str) -> &'static str {
    match probe {
        "instance" | "staging" => "instance_server",
        "vpc" => "vpc",
        "pn" => "private_network",
        "k8s" => "cluster",
        "registry" => "api_namespace",
        "block" => "volume",
        "secrets" => "secret",
        "access" => "secret",
        "iam" => "api_key",
        _ => "project",
    }
}

#[tokio::test]
async fn every_demo_key_is_refused_exactly_where_it_should_be() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let probes = probes(&sim).await;
    let mut failures = Vec::new();
    for key in [
        "inventory",
        "byoc",
        "registry-scanner",
        "admin",
        "group-granted",
        "wrong-project",
        "missing-set",
        "extra-org-set",
        "personal-user",
        "conditional",
        "owner",
        "byoc-all-projects",
        "other-org",
    ] {
        let secret = &sim.credential(key).expect(key).secret_key;
        for p in &probes {
            let r = get(&c, sim.api_url(), secret, &p.path).await;
            let ok = allowed(key).contains(&p.name);
            if ok && r.status != StatusCode::OK {
                failures.push(format!(
                    "{key} {}: expected 200, got {} {}",
                    p.name, r.status, r.body
                ));
            }
            if !ok {
                let expected = json!({"details": [{"action": "read", "resource": denied_resource(p.name)}],
                    "message": "insufficient permissions", "type": "permissions_denied"});
                if r.status != StatusCode::FORBIDDEN || r.body != expected {
                    failures.push(format!(
                        "{key} {}: expected 403 {expected}, got {} {}",
                        p.name, r.status, r.body
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn auth_denied(reason: &str) -> Value {
    json!({"message": "authentication is denied", "method": "api_key", "reason": reason, "type": "denied_authentication"})
}

#[tokio::test]
async fn bad_keys_get_the_real_401_bodies() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let path = "/instance/v1/zones/fr-par-1/servers";
    let check = |r: Resp, reason: &str| {
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{reason}: {}", r.body);
        assert_eq!(r.body, auth_denied(reason));
        assert_eq!(r.header("content-type"), Some("application/json"));
    };
    check(
        get(
            &c,
            sim.api_url(),
            &sim.credential("deleted").expect("deleted").secret_key,
            path,
        )
        .await,
        "not_found",
    );
    check(
        get(
            &c,
            sim.api_url(),
            &sim.credential("expired").expect("expired").secret_key,
            path,
        )
        .await,
        "expired",
    );
    check(
        get(
            &c,
            sim.api_url(),
            "6f5b1f5e-0000-4000-8000-000000000000",
            path,
        )
        .await,
        "not_found",
    );
    check(
        get(&c, sim.api_url(), "not-a-uuid", path).await,
        "invalid_argument",
    );
    check(
        call(&c, sim.api_url(), None, Method::GET, path, None).await,
        "invalid_argument",
    );
}

#[tokio::test]
async fn unfiltered_lists_only_show_readable_projects() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let prod = sim.project_id("production").expect("production");
    let inv = &sim.credential("inventory").expect("inventory").secret_key;
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let mine = get(
        &c,
        sim.api_url(),
        inv,
        "/instance/v1/zones/fr-par-1/servers",
    )
    .await;
    let all = get(
        &c,
        sim.api_url(),
        admin,
        "/instance/v1/zones/fr-par-1/servers",
    )
    .await;
    let mine = mine.body["servers"].as_array().expect("servers").clone();
    let all = all.body["servers"].as_array().expect("servers").clone();
    assert!(!mine.is_empty() && mine.len() < all.len());
    assert!(mine.iter().all(|s| s["project"] == prod.as_str()));
    // No right at all on the product: 403 even without a filter.
    let scanner = &sim
        .credential("registry-scanner")
        .expect("scanner")
        .secret_key;
    let r = get(
        &c,
        sim.api_url(),
        scanner,
        "/instance/v1/zones/fr-par-1/servers",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn conditional_key_works_from_the_allowed_range_only() {
    let sim = Sim::builder(Scenario::demo())
        .trust_forwarded_for(true)
        .start()
        .await
        .expect("sim");
    let c = client();
    let prod = sim.project_id("production").expect("production");
    let key = &sim
        .credential("conditional")
        .expect("conditional")
        .secret_key;
    let url = format!(
        "{}instance/v1/zones/fr-par-1/servers?project={prod}",
        sim.api_url()
    );
    let send = |ip: &'static str| {
        c.get(&url)
            .header("X-Auth-Token", key)
            .header("X-Forwarded-For", ip)
            .send()
    };
    assert_eq!(
        send("203.0.113.9").await.expect("req").status(),
        StatusCode::OK
    );
    assert_eq!(
        send("198.51.100.1").await.expect("req").status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn secret_key_is_shown_once_and_new_keys_work() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let app = sim.state().application_id("inventory").expect("app");
    let prod = sim.project_id("production").expect("production");
    let body = json!({"application_id": app, "default_project_id": prod, "description": "ci",
        "expires_at": "2099-01-01T00:00:00Z"});
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::POST,
        "/iam/v1alpha1/api-keys",
        Some(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let access = r.body["access_key"].as_str().expect("access").to_owned();
    let secret = r.body["secret_key"].as_str().expect("secret").to_owned();
    assert_eq!(r.body["default_project_id"], prod.as_str());
    assert_eq!(r.body["expires_at"], "2099-01-01T00:00:00.000000Z");
    let again = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/iam/v1alpha1/api-keys/{access}"),
    )
    .await;
    assert!(again.body["secret_key"].is_null());
    assert!(
        again.body.get("user_id").is_none(),
        "the unused bearer field is absent"
    );
    // The new key reads production like the application's other key.
    let r = get(
        &c,
        sim.api_url(),
        &secret,
        &format!("/instance/v1/zones/fr-par-1/servers?project={prod}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // Filters.
    let list = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/iam/v1alpha1/api-keys?bearer_id={app}&bearer_type=application"),
    )
    .await;
    assert_eq!(list.body["total_count"], 2);
    let list = get(
        &c,
        sim.api_url(),
        admin,
        "/iam/v1alpha1/api-keys?expired=true",
    )
    .await;
    assert_eq!(list.body["total_count"], 1, "{}", list.body);
    let list = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/iam/v1alpha1/api-keys?access_keys={access}"),
    )
    .await;
    assert_eq!(list.body["total_count"], 1);
    // Update, then delete: the key stops working.
    let patch = json!({"description": "renamed"});
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::PATCH,
        &format!("/iam/v1alpha1/api-keys/{access}"),
        Some(&patch),
    )
    .await;
    assert_eq!(r.body["description"], "renamed");
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::DELETE,
        &format!("/iam/v1alpha1/api-keys/{access}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert!(r.raw.is_empty());
    let r = get(
        &c,
        sim.api_url(),
        &secret,
        "/instance/v1/zones/fr-par-1/servers",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn groups_grant_rights_and_builtin_groups_are_flagged() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let groups = get(&c, sim.api_url(), admin, "/iam/v1alpha1/groups").await;
    let groups = groups.body["groups"].as_array().expect("groups").clone();
    assert!(groups.iter().any(|g| g["all_users"] == true));
    assert!(groups.iter().any(|g| g["all_applications"] == true));
    // Removing the application from the group removes its rights.
    let prod = sim.project_id("production").expect("production");
    let key = &sim.credential("group-granted").expect("gg").secret_key;
    let path = format!("/instance/v1/zones/fr-par-1/servers?project={prod}");
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::OK
    );
    let gid = sim.state().group_id("production-readers").expect("group");
    let app = sim.state().application_id("group-granted").expect("app");
    sim.state()
        .remove_group_application(&gid, &app)
        .expect("remove");
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn iam_changes_wait_for_the_propagation_delay() {
    // On a clock only the test moves: "not yet" and "now" are exact, however loaded the
    // machine.
    let clock = SimClock::new();
    let sim = Sim::builder(Scenario::demo())
        .iam_propagation_delay(Duration::from_secs(3))
        .clock(clock.clone())
        .start()
        .await
        .expect("sim");
    let c = client();
    let prod = sim.project_id("production").expect("production");
    let key = &sim
        .credential("registry-scanner")
        .expect("scanner")
        .secret_key;
    let path = format!("/instance/v1/zones/fr-par-1/servers?project={prod}");
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::FORBIDDEN
    );
    let policy = sim.state().policy_id("registry-scanner").expect("policy");
    sim.state()
        .set_rules(
            &policy,
            vec![RuleSpec::projects(
                &["ContainerRegistryReadOnly", "InstancesReadOnly"],
                &[&prod],
            )],
        )
        .expect("rules");
    // Visible at once through the API…
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let rules = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/iam/v1alpha1/rules?policy_id={policy}"),
    )
    .await;
    assert_eq!(
        rules.body["rules"][0]["permission_set_names"][1],
        "InstancesReadOnly"
    );
    // …but not enforced yet, until the delay has passed to the millisecond.
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::FORBIDDEN
    );
    clock.advance(Duration::from_millis(2999));
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::FORBIDDEN
    );
    clock.advance(Duration::from_millis(1));
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::OK
    );

    // A key created through the API only works after the delay too.
    let app = sim.state().application_id("inventory").expect("app");
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::POST,
        "/iam/v1alpha1/api-keys",
        Some(&json!({"application_id": app, "description": "new"})),
    )
    .await;
    let secret = r.body["secret_key"].as_str().expect("secret").to_owned();
    assert_eq!(
        get(&c, sim.api_url(), &secret, &path).await.status,
        StatusCode::UNAUTHORIZED
    );
    clock.advance(Duration::from_millis(2999));
    assert_eq!(
        get(&c, sim.api_url(), &secret, &path).await.status,
        StatusCode::UNAUTHORIZED
    );
    clock.advance(Duration::from_millis(1));
    assert_eq!(
        get(&c, sim.api_url(), &secret, &path).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn rules_and_policies_round_trip_through_the_api() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let org = sim.organization_id().to_owned();
    let prod = sim.project_id("production").expect("production");
    let app = sim.state().application_id("registry-scanner").expect("app");
    let body = json!({"name": "p", "description": "", "organization_id": org, "tags": [], "application_id": app,
        "rules": [{"permission_set_names": ["BlockStorageReadOnly"], "condition": "", "project_ids": [prod]}]});
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::POST,
        "/iam/v1alpha1/policies",
        Some(&body),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["nb_rules"], 1);
    let pid = r.body["id"].as_str().expect("id").to_owned();
    let key = &sim
        .credential("registry-scanner")
        .expect("scanner")
        .secret_key;
    let path = format!("/block/v1alpha1/zones/fr-par-1/volumes?project_id={prod}");
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::OK
    );
    // An organization-level set on a project scope is rejected.
    let bad = json!({"policy_id": pid, "rules": [{"permission_set_names": ["IAMManager"], "condition": "", "project_ids": [prod]}]});
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::PUT,
        "/iam/v1alpha1/rules",
        Some(&bad),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Any documented set may be used, granular ones included; a name that is not a set is a
    // 400 naming the argument.
    for (sets, status) in [
        (
            json!(["ObjectStorageBucketsRead", "ObjectStorageObjectsWrite"]),
            StatusCode::OK,
        ),
        (json!(["ObjectStorageEverything"]), StatusCode::BAD_REQUEST),
    ] {
        let rules = json!({"policy_id": pid, "rules": [{"permission_set_names": sets, "condition": "", "project_ids": [prod]}]});
        let r = call(
            &c,
            sim.api_url(),
            Some(admin),
            Method::PUT,
            "/iam/v1alpha1/rules",
            Some(&rules),
        )
        .await;
        assert_eq!(r.status, status, "{sets}: {}", r.body);
        if status == StatusCode::BAD_REQUEST {
            // core.md's invalid_arguments shape: message, details of argument_name, reason
            // (one of unknown/required/format/constraint) and help_message; nothing else.
            assert_eq!(r.body["type"], "invalid_arguments", "{}", r.body);
            assert_eq!(r.body["message"], "invalid argument(s)", "{}", r.body);
            let detail = &r.body["details"][0];
            assert_eq!(
                detail["argument_name"], "permission_set_names",
                "{}",
                r.body
            );
            assert_eq!(detail["reason"], "constraint", "{}", r.body);
            assert!(detail["help_message"].is_string(), "{}", r.body);
            let mut keys: Vec<&str> = detail
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            keys.sort_unstable();
            assert_eq!(keys, ["argument_name", "help_message", "reason"]);
        }
    }
    // PUT /rules replaces all rules.
    let set = json!({"policy_id": pid, "rules": [{"permission_set_names": ["IAMReadOnly"], "condition": "", "organization_id": org}]});
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::PUT,
        "/iam/v1alpha1/rules",
        Some(&set),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(
        r.body["rules"][0]["permission_sets_scope_type"],
        "organization"
    );
    assert!(r.body.get("total_count").is_none());
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&c, sim.api_url(), key, "/iam/v1alpha1/users")
            .await
            .status,
        StatusCode::OK
    );
    // Permission sets catalogue: every documented set, over two pages.
    let mut names: Vec<String> = Vec::new();
    for page in [1, 2] {
        let sets = get(
            &c,
            sim.api_url(),
            admin,
            &format!("/iam/v1alpha1/permission-sets?page_size=100&page={page}"),
        )
        .await;
        assert_eq!(sets.body["total_count"], 156);
        names.extend(
            sets.body["permission_sets"]
                .as_array()
                .expect("sets")
                .iter()
                .filter_map(|s| s["name"].as_str().map(str::to_owned)),
        );
    }
    assert_eq!(names.len(), 156);
    for n in [
        "AllProductsReadOnly",
        "IAMManager",
        "SecretManagerSecretAccess",
        "VPCFullAccess",
        "ObjectStorageBucketsRead",
        "ObjectStorageObjectsWrite",
        "QaaSReadOnly",
    ] {
        assert!(names.iter().any(|x| x == n), "{n}");
    }
}

#[tokio::test]
async fn group_membership_through_the_api() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let gid = sim.state().group_id("production-readers").expect("group");
    let app = sim.state().application_id("registry-scanner").expect("app");
    let prod = sim.project_id("production").expect("production");
    let key = &sim
        .credential("registry-scanner")
        .expect("scanner")
        .secret_key;
    let path = format!("/block/v1alpha1/zones/fr-par-1/volumes?project_id={prod}");
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::FORBIDDEN
    );
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::POST,
        &format!("/iam/v1alpha1/groups/{gid}/add-member"),
        Some(&json!({"application_id": app})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["application_ids"].as_array().expect("ids").len(), 2);
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::OK
    );
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::PUT,
        &format!("/iam/v1alpha1/groups/{gid}/members"),
        Some(&json!({"user_ids": [], "application_ids": []})),
    )
    .await;
    assert_eq!(r.body["application_ids"], json!([]));
    assert_eq!(
        get(&c, sim.api_url(), key, &path).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn moving_a_policy_to_another_principal_moves_the_rights() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let pid = sim.state().policy_id("registry-scanner").expect("policy");
    let byoc_app = sim.state().application_id("byoc").expect("app");
    let prod = sim.project_id("production").expect("production");
    let path = format!("/registry/v1/regions/fr-par/namespaces?project_id={prod}");
    let scanner = &sim
        .credential("registry-scanner")
        .expect("scanner")
        .secret_key;
    let byoc = &sim.credential("byoc").expect("byoc").secret_key;
    assert_eq!(
        get(&c, sim.api_url(), byoc, &path).await.status,
        StatusCode::FORBIDDEN
    );
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::PATCH,
        &format!("/iam/v1alpha1/policies/{pid}"),
        Some(&json!({"application_id": byoc_app, "description": "moved"})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["application_id"], byoc_app.as_str());
    assert_eq!(r.body["description"], "moved");
    assert_eq!(
        get(&c, sim.api_url(), byoc, &path).await.status,
        StatusCode::OK
    );
    assert_eq!(
        get(&c, sim.api_url(), scanner, &path).await.status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn organization_owners_bypass_iam() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let owner = sim.state().user_id("owner@example.com").expect("owner");
    let key = sim
        .state()
        .create_api_key(&owner, true, sim.organization_id())
        .expect("key");
    let stag = sim.project_id("staging").expect("staging");
    for path in [
        "/iam/v1alpha1/api-keys".to_owned(),
        "/account/v3/projects".to_owned(),
        format!("/secret-manager/v1beta1/regions/nl-ams/secrets?project_id={stag}"),
        format!("/instance/v1/zones/nl-ams-1/servers?project={stag}"),
    ] {
        let r = get(&c, sim.api_url(), &key.secret_key, &path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}: {}", r.body);
    }
    // The member user has no such bypass.
    let member = &sim.credential("personal-user").expect("member").secret_key;
    assert_eq!(
        get(&c, sim.api_url(), member, "/iam/v1alpha1/api-keys")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}
