//! The checker's requests (wiremock): what it sends, and how it reads answers the
//! simulator does not produce.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_core::{Client, Config, Env, RetryPolicy};
use scaleway_iam::checker::{
    CheckOptions, Checker, FindingKind, Profile, Severity, Target, Verdict,
};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const ORG: &str = "0a1b2c3d-0000-4000-8000-000000000001";
const PROJECT: &str = "0a1b2c3d-0000-4000-8000-000000000002";
const APP: &str = "0a1b2c3d-0000-4000-8000-000000000003";
const AK: &str = "SCWXXXXXXXXXXXXXXXXX";

fn client(server: &MockServer, with_org: bool) -> Client {
    let mut l = Config::loader()
        .env(Env::default())
        .access_key(AK.parse().unwrap())
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

/// An application whose `organization_id` comes back empty.
async fn mount_key_without_organization(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!("/iam/v1alpha1/api-keys/{AK}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_key": AK, "application_id": APP, "description": "",
            "default_project_id": PROJECT, "created_at": "2026-01-01T00:00:00Z",
            "expires_at": "2099-01-01T00:00:00Z"
        })))
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/iam/v1alpha1/applications/{APP}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"id": APP, "name": "app", "organization_id": ""})),
        )
        .mount(server)
        .await;
    for (route, items) in [
        ("/iam/v1alpha1/groups", "groups"),
        ("/iam/v1alpha1/policies", "policies"),
    ] {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({items: [], "total_count": 0})),
            )
            .mount(server)
            .await;
    }
}

/// The `organization_id` values of the requests to `route`.
async fn org_filters(server: &MockServer, route: &str) -> Vec<Vec<String>> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == route)
        .map(|r| {
            r.url
                .query_pairs()
                .filter(|(k, _)| k == "organization_id")
                .map(|(_, v)| v.into_owned())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn an_unknown_organization_is_never_sent_as_an_empty_filter() {
    let profile = Profile::builtin("registry-scanner").unwrap();
    let target = Target::project(PROJECT.parse().unwrap());
    // No Organization anywhere: the listings go without the filter.
    let server = MockServer::start().await;
    mount_key_without_organization(&server).await;
    let r = Checker::new()
        .audit(
            &client(&server, false),
            &AK.parse().unwrap(),
            &profile,
            &target,
        )
        .await
        .unwrap();
    assert!(r.has("missing"), "{}", r.to_text());
    assert_eq!(r.target.organization_id, None);
    for route in ["/iam/v1alpha1/groups", "/iam/v1alpha1/policies"] {
        assert_eq!(
            org_filters(&server, route).await,
            vec![Vec::<String>::new()],
            "{route}"
        );
    }
    // The client knows its Organization: the listings use it.
    let server = MockServer::start().await;
    mount_key_without_organization(&server).await;
    Checker::new()
        .audit(
            &client(&server, true),
            &AK.parse().unwrap(),
            &profile,
            &target,
        )
        .await
        .unwrap();
    for route in ["/iam/v1alpha1/groups", "/iam/v1alpha1/policies"] {
        assert_eq!(
            org_filters(&server, route).await,
            vec![vec![ORG.to_owned()]],
            "{route}"
        );
    }
}

#[tokio::test]
async fn a_key_refused_while_probing_is_reported_once_and_probing_stops() {
    let server = MockServer::start().await;
    // The key cannot read IAM (403: probe mode)...
    Mock::given(method("GET"))
        .and(path(format!("/iam/v1alpha1/api-keys/{AK}")))
        .respond_with(ResponseTemplate::new(403).set_body_json(json!({
            "details": [{"action": "read", "resource": "api_key"}],
            "message": "insufficient permissions", "type": "permissions_denied"
        })))
        .expect(1)
        .mount(&server)
        .await;
    // ...then the API refuses it (here with the recorded shape of a malformed key).
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "message": "authentication is denied", "method": "api_key",
            "reason": "invalid_argument", "type": "denied_authentication"
        })))
        .mount(&server)
        .await;
    let mut opts = CheckOptions::default();
    opts.s3_endpoint = Some(server.uri().parse().unwrap());
    let r = Checker::new()
        .with_options(opts)
        .self_check(
            &client(&server, true),
            &Profile::builtin("byoc-kapsule").unwrap(),
            &Target::project(PROJECT.parse().unwrap()),
        )
        .await
        .unwrap();
    let rejected: Vec<_> = r.findings_with_code("key_rejected").collect();
    assert_eq!(rejected.len(), 1, "{}", r.to_text());
    assert_eq!(rejected[0].severity, Severity::Blocking);
    assert!(
        matches!(&rejected[0].kind, FindingKind::KeyRejected { reason } if reason == "invalid_argument"),
        "{:?}",
        rejected[0].kind
    );
    assert!(
        rejected[0]
            .message
            .contains("refuses the key (invalid_argument)"),
        "{}",
        rejected[0].message
    );
    assert!(matches!(r.verdict, Verdict::Invalid { .. }));
    // The IAM read, the target project's read (made at the same time) and one probe:
    // nothing more once the key is refused.
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert_eq!(paths.len(), 3, "{paths:?}");
    assert!(
        paths.contains(&format!("/account/v3/projects/{PROJECT}")),
        "{paths:?}"
    );
}
