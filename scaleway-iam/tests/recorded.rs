//! Every model parses every recorded IAM and Account response; the create responses are
//! also replayed through the typed calls (wiremock) so the secret is returned as a
//! `SecretKey`.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_core::testing::{Recorded, recorded};
use scaleway_core::{ApiErrorKind, Client, Config, Env, RetryPolicy, decode_api_error};
use scaleway_iam::{
    ApiKey, Application, Group, IamApi, Policy, PolicyPrincipal, Project, Rule, RuleScope, User,
};
use serde::de::DeserializeOwned;

fn one<T: DeserializeOwned>(r: &Recorded) -> T {
    serde_json::from_value(r.response_body.clone()).unwrap_or_else(|e| panic!("{}: {e}", r.name()))
}

fn list<T: DeserializeOwned>(r: &Recorded, key: &str) -> Vec<T> {
    let items = r
        .response_body
        .get(key)
        .unwrap_or_else(|| panic!("{}: no `{key}`", r.name()))
        .clone();
    serde_json::from_value(items).unwrap_or_else(|e| panic!("{}: {e}", r.name()))
}

#[test]
fn every_iam_and_account_response_parses() {
    let mut parsed = 0;
    for r in recorded("iam").into_iter().chain(recorded("account")) {
        let name = r.name();
        if r.status >= 400 {
            let body = r.body_bytes();
            let e = decode_api_error(r.status, |_| None, &body);
            let ok = match r.status {
                401 => matches!(e.kind, ApiErrorKind::DeniedAuthentication { .. }),
                403 => matches!(e.kind, ApiErrorKind::PermissionsDenied { .. }),
                404 => matches!(e.kind, ApiErrorKind::NotFound { .. }),
                _ => true,
            };
            assert!(ok, "{name}: {:?}", e.kind);
            parsed += 1;
            continue;
        }
        match r.operation.as_str() {
            "api-keys-list" => {
                let keys: Vec<ApiKey> = list(&r, "api_keys");
                for k in &keys {
                    assert!(k.bearer().is_some(), "{name}: {k:?}");
                }
            }
            "api-keys-get" | "api-keys-create" => {
                let k: ApiKey = one(&r);
                assert!(k.bearer().is_some(), "{name}");
                assert!(k.access_key.as_str().starts_with("SCW"), "{name}");
            }
            "applications-list" => drop(list::<Application>(&r, "applications")),
            "applications-get" | "applications-create" => drop(one::<Application>(&r)),
            "users-list" => drop(list::<User>(&r, "users")),
            "users-get" => drop(one::<User>(&r)),
            "groups-list" => drop(list::<Group>(&r, "groups")),
            "groups-get" | "groups-create" => drop(one::<Group>(&r)),
            "policies-list" => {
                for p in list::<Policy>(&r, "policies") {
                    let _ = p.principal();
                }
            }
            "policies-get" | "policies-create" => {
                let p: Policy = one(&r);
                assert!(!p.id.is_empty(), "{name}");
                let _ = p.principal();
            }
            "rules-list" | "rules-set" => {
                for rule in list::<Rule>(&r, "rules") {
                    assert_ne!(rule.scope(), RuleScope::Unknown, "{name}");
                    assert!(!rule.permission_set_names.is_empty(), "{name}");
                }
            }
            "projects-list" => drop(list::<Project>(&r, "projects")),
            "projects-get" | "projects-create" => drop(one::<Project>(&r)),
            other => panic!("{name}: operation {other} has no model in this test"),
        }
        parsed += 1;
    }
    assert!(parsed >= 69, "only {parsed} files parsed");
}

#[test]
fn recorded_one_ofs_are_read_as_sent() {
    let rules = recorded("iam");
    let all_projects = rules
        .iter()
        .find(|r| r.name() == "rules-list-200-04.json")
        .unwrap();
    let rule: Vec<Rule> = list(all_projects, "rules");
    assert!(matches!(rule[0].scope(), RuleScope::Organization { .. }));
    assert_eq!(rule[0].permission_sets_scope_type.as_str(), "projects");
    let with_app = rules
        .iter()
        .find(|r| r.name() == "policies-get-200-01.json")
        .unwrap();
    let p: Policy = one(with_app);
    assert!(matches!(p.principal(), PolicyPrincipal::Application(_)));
}

#[tokio::test]
async fn create_responses_replay_through_the_typed_calls() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    for r in recorded("iam")
        .into_iter()
        .filter(|r| r.operation == "api-keys-create")
    {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/iam/v1alpha1/api-keys"))
            .respond_with(
                ResponseTemplate::new(200).set_body_raw(r.body_bytes(), "application/json"),
            )
            .mount(&server)
            .await;
        let cfg = Config::loader()
            .env(Env::default())
            .access_key("SCWXXXXXXXXXXXXXXXXX".parse().unwrap())
            .secret_key("11111111-1111-1111-1111-111111111111".parse().unwrap())
            .api_url(server.uri().parse().unwrap())
            .load()
            .unwrap();
        let client = Client::builder()
            .config(cfg)
            .retry(RetryPolicy::never())
            .build()
            .unwrap();
        let k: ApiKey = one(&r);
        let created = IamApi::new(&client)
            .create_api_key(k.bearer().unwrap())
            .send()
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", r.name()));
        assert_eq!(created.key.access_key, k.access_key, "{}", r.name());
        assert!(
            !format!("{created:?}").contains("11111111-1111"),
            "{}",
            r.name()
        );
    }
}
