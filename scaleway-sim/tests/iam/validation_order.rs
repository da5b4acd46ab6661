//! The order of IAM checks: authorization before validation, on Organization and project
//! routes, and for the kinds of key a caller may manage.

use super::*;

#[tokio::test]
async fn authorization_comes_before_validation_on_organization_routes() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let c = client();
    let inventory = &sim.credential("inventory").unwrap().secret_key;
    let admin = &sim.credential("admin").unwrap().secret_key;
    let bad_rules = json!({ "policy_id": "not-a-uuid", "rules": "nope" });
    let cases: [(Method, &str, Option<&Value>); 4] = [
        (Method::PUT, "/iam/v1alpha1/rules", Some(&bad_rules)),
        (Method::GET, "/iam/v1alpha1/api-keys?page_size=1000", None),
        (Method::GET, "/iam/v1alpha1/applications/not-a-uuid", None),
        (
            Method::POST,
            "/account/v3/projects",
            Some(&json!({ "name": 42 })),
        ),
    ];
    for (method, path, body) in cases {
        // The key without IAM or Account rights learns nothing about its request.
        let r = call(
            &c,
            sim.api_url(),
            Some(inventory),
            method.clone(),
            path,
            body,
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {:?}",
            r.body
        );
        assert_eq!(r.body["type"], "permissions_denied", "{method} {path}");
        // One that may act gets the validation error.
        let r = call(&c, sim.api_url(), Some(admin), method.clone(), path, body).await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{method} {path}: {:?}",
            r.body
        );
        assert_eq!(r.body["type"], "invalid_arguments", "{method} {path}");
    }
}

/// (method, path, body, refused key, refused resource, key that gets the validation error)
type Case<'a> = (Method, String, Option<&'a Value>, &'a str, &'a str, &'a str);

#[tokio::test]
async fn authorization_comes_before_validation_on_project_routes() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let c = client();
    let state = sim.state();
    let scanner = &sim.credential("registry-scanner").unwrap().secret_key;
    let inventory = &sim.credential("inventory").unwrap().secret_key;
    let admin = &sim.credential("admin").unwrap().secret_key;
    // A registry manager of staging only.
    let staging = sim.project_id("staging").unwrap();
    let app = state.add_application("staging-registry");
    state
        .add_policy(
            "staging-registry",
            scaleway_sim::PolicyPrincipal::Application(app.clone()),
            vec![RuleSpec::projects(
                &["ContainerRegistryFullAccess"],
                &[&staging],
            )],
        )
        .unwrap();
    let staging_manager = state
        .create_api_key(&app, false, &staging)
        .unwrap()
        .secret_key;
    let prod = sim.project_id("production").unwrap();
    let namespaces = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/registry/v1/regions/fr-par/namespaces?project_id={prod}"),
    )
    .await;
    let ns = namespaces.body["namespaces"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bad_patch = json!({ "is_public": "yes" });
    let ns_path = format!("/registry/v1/regions/fr-par/namespaces/{ns}");
    let cases: [Case<'_>; 5] = [
        (
            Method::GET,
            "/instance/v1/zones/fr-par-1/servers?per_page=1000".to_owned(),
            None,
            scanner,
            "instance_server",
            inventory,
        ),
        (
            Method::GET,
            "/vpc/v2/regions/fr-par/vpcs/not-a-uuid".to_owned(),
            None,
            scanner,
            "vpc",
            inventory,
        ),
        (
            // Secret Manager lists need project_id or organization_id.
            Method::GET,
            "/secret-manager/v1beta1/regions/fr-par/secrets".to_owned(),
            None,
            scanner,
            "secret",
            inventory,
        ),
        (
            // Read-only on the registry: no write anywhere.
            Method::PATCH,
            ns_path.clone(),
            Some(&bad_patch),
            scanner,
            "api_namespace",
            admin,
        ),
        (
            // Write on another Project: refused on the namespace's Project before the body.
            Method::PATCH,
            ns_path.clone(),
            Some(&bad_patch),
            &staging_manager,
            "api_namespace",
            admin,
        ),
    ];
    for (method, path, body, refused, resource, allowed) in cases {
        let r = call(
            &c,
            sim.api_url(),
            Some(refused),
            method.clone(),
            &path,
            body,
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            r.body
        );
        assert_eq!(r.body["type"], "permissions_denied", "{method} {path}");
        assert_eq!(
            r.body["details"][0]["resource"], resource,
            "{method} {path}"
        );
        let r = call(
            &c,
            sim.api_url(),
            Some(allowed),
            method.clone(),
            &path,
            body,
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{method} {path}: {}",
            r.body
        );
        assert_eq!(r.body["type"], "invalid_arguments", "{method} {path}");
    }
}

#[tokio::test]
async fn a_key_of_a_kind_the_caller_may_not_manage_is_refused_before_validation() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let c = client();
    let state = sim.state();
    let token = app_with_org_sets(&sim, "apps-only", &["IAMApplicationManager"]);
    let user_id = state.user_id("member@example.com").unwrap();
    let app_id = state.application_id("inventory").unwrap();
    let user_key = sim.credential("personal-user").unwrap().access_key.clone();
    let app_key = sim.credential("inventory").unwrap().access_key.clone();
    let bad_expiry = "not a date";
    let cases = [
        (
            Method::POST,
            "/iam/v1alpha1/api-keys".to_owned(),
            json!({ "user_id": user_id, "expires_at": bad_expiry }),
            json!({ "application_id": app_id, "expires_at": bad_expiry }),
        ),
        (
            Method::PATCH,
            format!("/iam/v1alpha1/api-keys/{user_key}"),
            json!({ "expires_at": bad_expiry }),
            json!({ "expires_at": bad_expiry }),
        ),
    ];
    for (method, path, on_user, on_app) in cases {
        // A user's key: refused, whatever the body.
        let r = call(
            &c,
            sim.api_url(),
            Some(&token),
            method.clone(),
            &path,
            Some(&on_user),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::FORBIDDEN,
            "{method} {path}: {}",
            r.body
        );
        assert_eq!(r.body["details"][0]["resource"], "api_key");
        // An application's key: allowed, so the body is validated.
        let path = path.replace(&user_key, &app_key);
        let r = call(
            &c,
            sim.api_url(),
            Some(&token),
            method.clone(),
            &path,
            Some(&on_app),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::BAD_REQUEST,
            "{method} {path}: {}",
            r.body
        );
        assert_eq!(r.body["details"][0]["argument_name"], "expires_at");
    }
}

/// A new application holding `sets` at Organization level, and its key's secret.
fn app_with_org_sets(sim: &Sim, name: &str, sets: &[&str]) -> String {
    let state = sim.state();
    let app = state.add_application(name);
    state
        .add_policy(
            name,
            scaleway_sim::PolicyPrincipal::Application(app.clone()),
            vec![RuleSpec::organization(sets)],
        )
        .unwrap();
    let prod = sim.project_id("production").unwrap();
    state.create_api_key(&app, false, &prod).unwrap().secret_key
}

#[tokio::test]
async fn application_and_user_sets_cover_their_own_keys_only() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let c = client();
    let state = sim.state();
    // A key of each kind: (access key, bearer field, bearer id).
    let app = (
        sim.credential("inventory").unwrap().access_key.clone(),
        "application_id",
        state.application_id("inventory").unwrap(),
    );
    let user = (
        sim.credential("personal-user").unwrap().access_key.clone(),
        "user_id",
        state.user_id("member@example.com").unwrap(),
    );
    let (read, create, update) = ("read", "create", "update");
    // set, kinds listed (None: the listing is refused), then (operation, on whose key, allowed).
    // (operation, on an application's key, allowed)
    type Ops<'a> = &'a [(&'a str, bool, bool)];
    let table: [(&str, Option<&[&str]>, Ops<'_>); 6] = [
        (
            "IAMApplicationManager",
            Some(&["application"]),
            &[
                (read, true, true),
                (read, false, false),
                (create, true, true),
                (create, false, false),
                (update, true, true),
                (update, false, false),
            ],
        ),
        (
            "IAMUserManager",
            Some(&["user"]),
            &[
                (read, false, true),
                (read, true, false),
                (create, false, false),
                (update, false, false),
                (create, true, false),
            ],
        ),
        (
            "IAMApplicationReadOnly",
            Some(&["application"]),
            &[
                (read, true, true),
                (read, false, false),
                (update, true, false),
                (create, true, false),
            ],
        ),
        (
            "IAMReadOnly",
            Some(&["application", "user"]),
            &[
                (read, true, true),
                (read, false, true),
                (update, true, false),
                (create, false, false),
            ],
        ),
        (
            "IAMManager",
            Some(&["application", "user"]),
            &[
                (update, false, true),
                (create, false, true),
                (create, true, true),
            ],
        ),
        ("IAMGroupManager", None, &[(read, true, false)]),
    ];
    for (set, listed, ops) in table {
        let token = app_with_org_sets(&sim, &format!("keys-{}", set.to_lowercase()), &[set]);
        let r = get(
            &c,
            sim.api_url(),
            &token,
            "/iam/v1alpha1/api-keys?page_size=100",
        )
        .await;
        match listed {
            None => assert_eq!(r.status, StatusCode::FORBIDDEN, "{set}: {}", r.body),
            Some(kinds) => {
                assert_eq!(r.status, StatusCode::OK, "{set}: {}", r.body);
                let got: BTreeSet<&str> = r.body["api_keys"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| {
                        if k["application_id"].is_string() {
                            "application"
                        } else {
                            "user"
                        }
                    })
                    .collect();
                assert_eq!(got, kinds.iter().copied().collect(), "{set}");
            }
        }
        for &(op, on_app, allowed) in ops {
            let (access_key, field, bearer_id) = if on_app { &app } else { &user };
            let (method, path, body) = match op {
                "read" => (
                    Method::GET,
                    format!("/iam/v1alpha1/api-keys/{access_key}"),
                    None,
                ),
                "update" => (
                    Method::PATCH,
                    format!("/iam/v1alpha1/api-keys/{access_key}"),
                    Some(json!({ "description": "touched" })),
                ),
                _ => (
                    Method::POST,
                    "/iam/v1alpha1/api-keys".to_owned(),
                    Some(json!({ *field: bearer_id, "description": "new" })),
                ),
            };
            let r = call(
                &c,
                sim.api_url(),
                Some(&token),
                method,
                &path,
                body.as_ref(),
            )
            .await;
            let want = if allowed {
                StatusCode::OK
            } else {
                StatusCode::FORBIDDEN
            };
            let whose = if on_app {
                "an application's"
            } else {
                "a user's"
            };
            assert_eq!(r.status, want, "{set}: {op} {whose} key: {}", r.body);
        }
    }
}
