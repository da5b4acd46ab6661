//! Every recorded Registry response parses: directly into the models, and through the crate's
//! own calls replayed by a local server (listings go through the paginator).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_core::testing::{Recorded, recorded};
use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_registry::{Diagnosis, Image, Listable, Namespace, RegistryApi, Tag};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn items<T: serde::de::DeserializeOwned>(r: &Recorded, key: &str) -> Vec<T> {
    let list = r
        .response_body
        .get(key)
        .unwrap_or_else(|| panic!("{}: no `{key}`", r.name()));
    serde_json::from_value(list.clone()).unwrap_or_else(|e| panic!("{}: {e}", r.name()))
}

fn one<T: serde::de::DeserializeOwned>(r: &Recorded) -> T {
    serde_json::from_value(r.response_body.clone()).unwrap_or_else(|e| panic!("{}: {e}", r.name()))
}

#[test]
fn every_recorded_registry_body_parses() {
    let all = recorded("registry");
    assert!(all.len() >= 17, "{} files", all.len());
    let mut checked = 0;
    for r in &all {
        let name = r.name();
        if r.status >= 400 {
            let e = scaleway_core::decode_api_error(r.status, |_| None, &r.body_bytes());
            assert!(!e.message.is_empty(), "{name}");
            checked += 1;
            continue;
        }
        match r.operation.as_str() {
            "namespaces-list" => {
                for ns in items::<Namespace>(r, "namespaces") {
                    assert!(!ns.id.is_empty(), "{name}");
                    assert!(ns.region.is_known(), "{name}: {:?}", ns.region);
                    assert_eq!(
                        ns.endpoint,
                        format!("{}/{}", ns.pull_host(), ns.name),
                        "{name}"
                    );
                    assert_eq!(
                        ns.reference("img", "t").to_string(),
                        format!("{}/img:t", ns.endpoint),
                        "{name}: references are derived from the endpoint"
                    );
                }
            }
            "namespaces-get" | "namespaces-create" => {
                let ns: Namespace = one(r);
                assert!(ns.created_at.is_some(), "{name}");
                assert!(ns.endpoint.starts_with("rg."), "{name}");
            }
            "images-list" => {
                for img in items::<Image>(r, "images") {
                    assert!(!img.id.is_empty(), "{name}");
                    assert!(
                        !matches!(
                            img.visibility,
                            scaleway_registry::ImageVisibility::Unknown(_)
                        ),
                        "{name}: {:?}",
                        img.visibility
                    );
                }
            }
            "images-get" => {
                let img: Image = one(r);
                assert!(!img.tags.is_empty(), "{name}");
            }
            "tags-list" => {
                for t in items::<Tag>(r, "tags") {
                    assert!(t.digest.starts_with("sha256:"), "{name}");
                }
            }
            "tags-get" => {
                let t: Tag = one(r);
                assert!(t.digest.starts_with("sha256:"), "{name}");
            }
            other => panic!("{name}: no model for operation {other}"),
        }
        checked += 1;
    }
    assert_eq!(checked, all.len());
}

fn api(server: &MockServer) -> RegistryApi {
    let config = Config::loader()
        .env(Env::default())
        .access_key("SCWXXXXXXXXXXXXXXXXX".parse().unwrap())
        .secret_key("11111111-1111-1111-1111-111111111111".parse().unwrap())
        .api_url(server.uri().parse().unwrap())
        .load()
        .unwrap();
    let client = Client::builder()
        .config(config)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    RegistryApi::new(&client)
}

/// An ID of a recorded path: the recordings' IDs are UUIDs, as the typed IDs require.
fn id<T: std::str::FromStr<Err = scaleway_core::InvalidValue>>(s: &str) -> T {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// Serves each recorded file on its own path and reads it back through the crate's calls.
#[tokio::test]
async fn recorded_bodies_replay_through_the_crates_calls() {
    for r in recorded("registry") {
        let name = r.name();
        let server = MockServer::start().await;
        Mock::given(method(r.method.as_str()))
            .and(path(r.path.as_str()))
            .respond_with(
                ResponseTemplate::new(r.status)
                    .insert_header("content-type", "application/json")
                    .set_body_bytes(r.body_bytes()),
            )
            .mount(&server)
            .await;
        let api = api(&server);
        let segments: Vec<&str> = r.path.split('/').collect();
        let region: Region = segments[4].parse().unwrap();
        let last = *segments.last().unwrap();
        match (r.operation.as_str(), r.status) {
            ("namespaces-list", _) => {
                let got = api.list_namespaces(&region).collect().await.unwrap();
                assert_eq!(
                    got.len(),
                    items::<Namespace>(&r, "namespaces").len(),
                    "{name}"
                );
            }
            ("namespaces-get", 200) => {
                let ns = api.get_namespace(&region, &id(last)).await.unwrap();
                assert_eq!(ns.id.as_str(), last, "{name}");
            }
            ("namespaces-get", 404) => {
                let e = api.get_namespace(&region, &id(last)).await.unwrap_err();
                assert!(e.is_not_found(), "{name}: {e:?}");
                assert!(matches!(e.diagnosis(), Diagnosis::Api), "{name}");
            }
            ("images-list", _) => {
                let got = api.list_images(&region).collect().await.unwrap();
                assert_eq!(got.len(), items::<Image>(&r, "images").len(), "{name}");
                assert!(
                    got.iter().all(|i| i.region.as_ref() == Some(&region)),
                    "{name}"
                );
            }
            ("images-get", _) => {
                let img = api.get_image(&region, &id(last)).await.unwrap();
                assert_eq!(img.id.as_str(), last, "{name}");
            }
            ("tags-list", _) => {
                let image_id = id(segments[6]);
                let got = api.list_tags(&region, &image_id).collect().await.unwrap();
                assert_eq!(got.len(), items::<Tag>(&r, "tags").len(), "{name}");
            }
            ("tags-get", _) => {
                let t = api.get_tag(&region, &id(last)).await.unwrap();
                assert_eq!(t.id.as_str(), last, "{name}");
            }
            ("namespaces-create", _) => {} // this crate does not create namespaces
            (op, status) => panic!("{name}: unexpected {op} {status}"),
        }
    }
}
