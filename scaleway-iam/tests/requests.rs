//! Request shapes (method, path, query, body) of the typed calls, with wiremock.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use futures::TryStreamExt;
use scaleway_core::{Client, Config, Env, RetryPolicy};
use scaleway_iam::{
    AccountApi, ApplicationId, Bearer, GroupId, IamApi, Listable, PolicyId, PolicyPrincipal,
    RuleSpec, UserId,
};
use serde_json::json;
use wiremock::matchers::{body_json, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ORG: &str = "0a1b2c3d-0000-4000-8000-000000000001";
const PROJECT: &str = "0a1b2c3d-0000-4000-8000-000000000002";
const APP: &str = "0a1b2c3d-0000-4000-8000-000000000003";
const POLICY: &str = "0a1b2c3d-0000-4000-8000-000000000004";
const GROUP: &str = "0a1b2c3d-0000-4000-8000-000000000005";
const GROUP2: &str = "0a1b2c3d-0000-4000-8000-000000000006";
const USER: &str = "0a1b2c3d-0000-4000-8000-000000000007";

fn app() -> ApplicationId {
    APP.parse().unwrap()
}

fn policy_id() -> PolicyId {
    POLICY.parse().unwrap()
}

fn group_id() -> GroupId {
    GROUP.parse().unwrap()
}

fn client(server: &MockServer, with_org: bool) -> Client {
    let mut l = Config::loader()
        .env(Env::default())
        .access_key("SCWXXXXXXXXXXXXXXXXX".parse().unwrap())
        .secret_key("11111111-1111-1111-1111-111111111111".parse().unwrap())
        .api_url(server.uri().parse().unwrap());
    if with_org {
        l = l.organization_id(ORG.parse().unwrap());
    }
    Client::builder()
        .config(l.load().unwrap())
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
}

fn key_json(ak: &str) -> serde_json::Value {
    json!({"access_key": ak, "application_id": APP, "description": "", "default_project_id": PROJECT,
           "created_at": "2026-01-01T00:00:00Z", "expires_at": null})
}

#[tokio::test]
async fn list_api_keys_query_and_pagination() {
    let server = MockServer::start().await;
    let page = |n: usize, from: usize| {
        let keys: Vec<_> = (from..from + n)
            .map(|i| key_json(&format!("SCW{:017}", i)))
            .collect();
        json!({"api_keys": keys, "total_count": 150})
    };
    for (p, n, from) in [("1", 100, 0), ("2", 50, 100)] {
        Mock::given(method("GET"))
            .and(path("/iam/v1alpha1/api-keys"))
            .and(query_param("bearer_id", APP))
            .and(query_param("bearer_type", "application"))
            .and(query_param("expired", "false"))
            .and(query_param("order_by", "created_at_asc"))
            .and(query_param("page", p))
            .and(query_param("page_size", "100"))
            .and(query_param_is_missing("organization_id"))
            .respond_with(ResponseTemplate::new(200).set_body_json(page(n, from)))
            .expect(1)
            .mount(&server)
            .await;
    }
    let keys: Vec<_> = IamApi::new(&client(&server, true))
        .list_api_keys()
        .bearer(&Bearer::Application(app()))
        .expired(false)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(keys.len(), 150);
    assert_eq!(keys[149].access_key.as_str(), "SCW00000000000000149");
}

#[tokio::test]
async fn organization_defaults_and_repeated_filters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/iam/v1alpha1/policies"))
        .and(query_param("organization_id", ORG))
        .and(query_param("group_ids", GROUP))
        .and(query_param("order_by", "created_at_asc"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"policies": [], "total_count": 0})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/iam/v1alpha1/rules"))
        .and(query_param("policy_id", POLICY))
        .and(query_param_is_missing("organization_id"))
        // ListRules documents no order.
        .and(query_param_is_missing("order_by"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rules": [
            {"id": "r1", "permission_set_names": ["VPCReadOnly"], "permission_sets_scope_type": "projects", "condition": "", "project_ids": [PROJECT]}
        ], "total_count": 1})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/account/v3/projects"))
        .and(query_param("organization_id", ORG))
        .and(query_param("name", "prod"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"projects": [], "total_count": 0})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, true);
    let iam = IamApi::new(&c);
    // The group_ids query key is repeated per value; wiremock checks one of them.
    let groups: [GroupId; 2] = [group_id(), GROUP2.parse().unwrap()];
    assert!(
        iam.list_policies()
            .group_ids(&groups)
            .collect()
            .await
            .unwrap()
            .is_empty()
    );
    let rules = iam.list_rules(&policy_id()).collect().await.unwrap();
    assert_eq!(rules.len(), 1);
    assert_eq!(rules[0].project_ids, Some(vec![PROJECT.parse().unwrap()]));
    assert!(
        AccountApi::new(&c)
            .list_projects()
            .name("prod")
            .collect()
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn api_key_create_update_delete_bodies() {
    let server = MockServer::start().await;
    let mut created = key_json("SCWAAAAAAAAAAAAAAAAA");
    created["secret_key"] = json!("22222222-2222-2222-2222-222222222222");
    Mock::given(method("POST"))
        .and(path("/iam/v1alpha1/api-keys"))
        .and(body_json(json!({
            "application_id": APP,
            "expires_at": "2027-01-02T03:04:05+00:00",
            "default_project_id": PROJECT,
            "description": "ci"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(created))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/iam/v1alpha1/api-keys/SCWAAAAAAAAAAAAAAAAA"))
        .and(body_json(json!({"description": "renamed"})))
        .respond_with(ResponseTemplate::new(200).set_body_json(key_json("SCWAAAAAAAAAAAAAAAAA")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path("/iam/v1alpha1/api-keys/SCWAAAAAAAAAAAAAAAAA"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let iam = IamApi::new(&client(&server, true));
    let t = chrono::DateTime::parse_from_rfc3339("2027-01-02T03:04:05Z")
        .unwrap()
        .to_utc();
    let k = iam
        .create_api_key(Bearer::Application(app()))
        .expires_at(t)
        .default_project_id(&PROJECT.parse().unwrap())
        .description("ci")
        .send()
        .await
        .unwrap();
    assert_eq!(
        k.secret_key.expose_secret(),
        "22222222-2222-2222-2222-222222222222"
    );
    assert!(!format!("{k:?}").contains("22222222"));
    let ak = k.key.access_key.clone();
    iam.update_api_key(&ak)
        .description("renamed")
        .send()
        .await
        .unwrap();
    iam.delete_api_key(&ak).await.unwrap();
    // Input errors are caught before sending.
    let e = iam
        .create_api_key(Bearer::Application(app()))
        .description("d".repeat(201))
        .send()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("200 characters"), "{e}");
}

#[tokio::test]
async fn policy_rules_groups_projects_bodies() {
    let server = MockServer::start().await;
    let policy = json!({"id": POLICY, "name": "ci", "organization_id": ORG, "application_id": APP});
    Mock::given(method("POST"))
        .and(path("/iam/v1alpha1/policies"))
        .and(body_json(json!({
            "name": "ci", "description": "", "organization_id": ORG, "tags": [],
            "application_id": APP,
            "rules": [{"permission_set_names": ["InstancesReadOnly"], "condition": "", "project_ids": [PROJECT]},
                      {"permission_set_names": ["IAMReadOnly"], "condition": "", "organization_id": ORG}]
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(policy))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/iam/v1alpha1/rules"))
        .and(body_json(json!({"policy_id": POLICY, "rules": [
            {"permission_set_names": ["VPCReadOnly"], "condition": "inIpRange(request.ip, \"203.0.113.0/24\")", "project_ids": [PROJECT]}]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rules": [
            {"id": "r9", "permission_set_names": ["VPCReadOnly"], "permission_sets_scope_type": "projects",
             "condition": "inIpRange(request.ip, \"203.0.113.0/24\")", "project_ids": [PROJECT]}]})))
        .expect(1)
        .mount(&server)
        .await;
    let group = json!({"id": GROUP, "name": "readers", "application_ids": [APP]});
    Mock::given(method("POST"))
        .and(path(format!("/iam/v1alpha1/groups/{GROUP}/add-member")))
        .and(body_json(json!({"application_id": APP})))
        .respond_with(ResponseTemplate::new(200).set_body_json(group.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("/iam/v1alpha1/groups/{GROUP}/members")))
        .and(body_json(json!({"user_ids": [], "application_ids": [APP]})))
        .respond_with(ResponseTemplate::new(200).set_body_json(group))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/account/v3/projects"))
        .and(body_json(
            json!({"name": "p", "organization_id": ORG, "description": "d"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": PROJECT, "name": "p", "organization_id": ORG, "qualification": null}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/account/v3/projects/{PROJECT}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": PROJECT, "name": "p", "status": "active"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/account/v3/projects/{PROJECT}")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let c = client(&server, true);
    let iam = IamApi::new(&c);
    let p = iam
        .create_policy("ci", PolicyPrincipal::Application(app()))
        .rule(RuleSpec::projects(
            ["InstancesReadOnly"],
            [PROJECT.parse().unwrap()],
        ))
        .rule(RuleSpec::organization(
            ["IAMReadOnly"],
            ORG.parse().unwrap(),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(p.principal(), PolicyPrincipal::Application(app()));
    assert_eq!(p.id, policy_id());
    let rules = iam
        .set_rules(
            &p.id,
            &[
                RuleSpec::projects(["VPCReadOnly"], [PROJECT.parse().unwrap()])
                    .with_condition("inIpRange(request.ip, \"203.0.113.0/24\")"),
            ],
        )
        .await
        .unwrap();
    assert_eq!(rules[0].id, "r9");
    let g = iam
        .add_group_member(&group_id(), &Bearer::Application(app()))
        .await
        .unwrap();
    assert!(g.contains(&Bearer::Application(app())));
    // No turbofish for an empty kind.
    iam.set_group_members(&g.id, &[], &[app()]).await.unwrap();
    let account = AccountApi::new(&c);
    let pr = account.create_project("p", "d", None).await.unwrap();
    assert!(pr.qualification.is_none());
    let got = account
        .get_project(&PROJECT.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(got.status, scaleway_iam::ProjectStatus::Active);
    account
        .delete_project(&PROJECT.parse().unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn creating_without_organization_is_a_clear_error() {
    let server = MockServer::start().await;
    let iam = IamApi::new(&client(&server, false));
    let e = iam.create_application("a", "", None).await.unwrap_err();
    assert!(e.to_string().to_lowercase().contains("organization"), "{e}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// The bodies with no other test, and every path of the typed calls, after the bodies
/// became `Serialize` structs and the IDs typed: the same routes, queries and JSON.
#[tokio::test]
async fn typed_calls_keep_the_documented_shapes() {
    let server = MockServer::start().await;
    let app_json = json!({"id": APP, "name": "ci", "organization_id": ORG});
    Mock::given(method("POST"))
        .and(path("/iam/v1alpha1/applications"))
        .and(body_json(json!({
            "name": "ci", "organization_id": ORG, "description": "d", "tags": []
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_json.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/iam/v1alpha1/applications/{APP}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(app_json))
        .expect(1)
        .mount(&server)
        .await;
    let group = json!({"id": GROUP, "name": "readers", "organization_id": ORG, "user_ids": [USER]});
    Mock::given(method("POST"))
        .and(path("/iam/v1alpha1/groups"))
        .and(body_json(json!({
            "organization_id": ORG, "name": "readers", "description": "", "tags": []
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(group.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/iam/v1alpha1/groups/{GROUP}/remove-member")))
        .and(body_json(json!({"user_id": USER})))
        .respond_with(ResponseTemplate::new(200).set_body_json(group.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path(format!("/iam/v1alpha1/groups/{GROUP}/members")))
        .and(body_json(json!({"user_ids": [], "application_ids": []})))
        .respond_with(ResponseTemplate::new(200).set_body_json(group.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/iam/v1alpha1/policies"))
        .and(body_json(json!({
            "name": "nobody", "description": "d", "organization_id": ORG, "tags": [],
            "no_principal": true, "rules": []
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"id": POLICY, "name": "nobody", "organization_id": ORG, "no_principal": true}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/iam/v1alpha1/api-keys"))
        .and(body_json(json!({"user_id": USER, "description": ""})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_key": "SCWBBBBBBBBBBBBBBBBB", "user_id": USER, "default_project_id": PROJECT,
            "secret_key": "33333333-3333-3333-3333-333333333333"
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path("/iam/v1alpha1/api-keys/SCWBBBBBBBBBBBBBBBBB"))
        .and(body_json(json!({
            "default_project_id": PROJECT, "expires_at": "2027-01-02T03:04:05+00:00"
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(key_json("SCWBBBBBBBBBBBBBBBBB")))
        .expect(1)
        .mount(&server)
        .await;
    for (route, body) in [
        (
            format!("/iam/v1alpha1/users/{USER}"),
            json!({"id": USER, "email": "a@b.c"}),
        ),
        (format!("/iam/v1alpha1/groups/{GROUP}"), group),
        (
            format!("/iam/v1alpha1/policies/{POLICY}"),
            json!({"id": POLICY, "name": "nobody", "no_principal": true}),
        ),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .expect(1)
            .mount(&server)
            .await;
    }
    for route in [
        format!("/iam/v1alpha1/applications/{APP}"),
        format!("/iam/v1alpha1/groups/{GROUP}"),
        format!("/iam/v1alpha1/policies/{POLICY}"),
    ] {
        Mock::given(method("DELETE"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
    }
    // Typed filters: the same query parameters.
    Mock::given(method("GET"))
        .and(path("/iam/v1alpha1/applications"))
        .and(query_param("organization_id", ORG))
        .and(query_param("application_ids", APP))
        .and(query_param("order_by", "created_at_asc"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"applications": [], "total_count": 0})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/iam/v1alpha1/users"))
        .and(query_param("user_ids", USER))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"users": [], "total_count": 0})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/account/v3/projects"))
        .and(query_param("project_ids", PROJECT))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"projects": [], "total_count": 0})),
        )
        .expect(1)
        .mount(&server)
        .await;

    let c = client(&server, true);
    let iam = IamApi::new(&c);
    let a = iam.create_application("ci", "d", None).await.unwrap();
    assert_eq!(a.id, app());
    assert_eq!(a.organization_id, ORG.parse().unwrap());
    assert_eq!(iam.get_application(&a.id).await.unwrap().name, "ci");
    let g = iam.create_group("readers", "", None).await.unwrap();
    let user: UserId = USER.parse().unwrap();
    assert_eq!(g.user_ids, vec![user.clone()]);
    iam.remove_group_member(&g.id, &Bearer::User(user.clone()))
        .await
        .unwrap();
    iam.set_group_members(&g.id, &[], &[]).await.unwrap();
    let p = iam
        .create_policy("nobody", PolicyPrincipal::NoPrincipal)
        .description("d")
        .send()
        .await
        .unwrap();
    assert_eq!(p.principal(), PolicyPrincipal::NoPrincipal);
    let k = iam
        .create_api_key(Bearer::User(user.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(k.key.bearer(), Some(Bearer::User(user.clone())));
    let t = chrono::DateTime::parse_from_rfc3339("2027-01-02T03:04:05Z")
        .unwrap()
        .to_utc();
    iam.update_api_key(&k.key.access_key)
        .default_project_id(&k.key.default_project_id)
        .expires_at(t)
        .send()
        .await
        .unwrap();
    assert_eq!(iam.get_user(&user).await.unwrap().email, "a@b.c");
    assert_eq!(iam.get_group(&g.id).await.unwrap().name, "readers");
    assert_eq!(iam.get_policy(&p.id).await.unwrap().name, "nobody");
    iam.delete_application(&a.id).await.unwrap();
    iam.delete_group(&g.id).await.unwrap();
    iam.delete_policy(&p.id).await.unwrap();
    assert!(
        iam.list_applications()
            .application_ids([&a.id])
            .collect()
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        iam.list_users()
            .user_ids([&user])
            .collect()
            .await
            .unwrap()
            .is_empty()
    );
    let project = PROJECT.parse().unwrap();
    assert!(
        AccountApi::new(&c)
            .list_projects()
            .project_ids([&project])
            .collect()
            .await
            .unwrap()
            .is_empty()
    );
}

/// IDs typed by the user are validated before anything is sent.
#[test]
fn typed_ids_refuse_what_is_not_a_uuid() {
    let e = "p1".parse::<PolicyId>().unwrap_err().to_string();
    assert!(e.contains("policy ID `p1`") && e.contains("UUID"), "{e}");
    assert!("g1".parse::<GroupId>().is_err());
    assert!("app".parse::<ApplicationId>().is_err());
    assert_eq!(
        APP.to_uppercase().parse::<ApplicationId>().unwrap(),
        app(),
        "lower-cased"
    );
}
