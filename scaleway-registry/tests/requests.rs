//! Request shapes with wiremock: management-API routes, queries and bodies; the pull's token
//! exchange and headers; and the typed errors built from real error bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_registry::{
    Diagnosis, ImageId, ImageVisibility, KeyProblem, Listable, NamespaceId, NamespaceOrderBy,
    OrderBy, RegistryApi, RegistryHosts, TagId,
};
use sha2::Digest as _;
use wiremock::matchers::{body_json, header, method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "11111111-2222-3333-4444-555555555555";
const ACCESS: &str = "SCWXXXXXXXXXXXXXXXXX";
const PROJECT: &str = "6b1f3c1e-7a0f-4d64-9a3f-1f2d3c4b5a69";
const NS: &str = "42a09a31-9f99-43aa-931b-6257a16afb1d";
const IMG: &str = "5d1e7c00-4e2a-4c8b-9f6e-0a1b2c3d4e5f";
const TAG1: &str = "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d";
const TAG2: &str = "8b7c6d5e-4f3a-4b2c-9d0e-1f2a3b4c5d6e";

fn ns_id() -> NamespaceId {
    NS.parse().unwrap()
}

fn img_id() -> ImageId {
    IMG.parse().unwrap()
}

fn api(server: &MockServer) -> RegistryApi {
    let config = Config::loader()
        .env(Env::default())
        .access_key(ACCESS.parse().unwrap())
        .secret_key(SECRET.parse().unwrap())
        .project_id(PROJECT.parse().unwrap())
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

fn namespace(name: &str, region: &str) -> serde_json::Value {
    serde_json::json!({
        "id": NS, "name": name, "description": "", "organization_id": PROJECT, "project_id": PROJECT,
        "status": "ready", "status_message": "", "endpoint": format!("rg.{region}.scw.cloud/{name}"),
        "is_public": false, "size": 0, "created_at": "2026-07-17T09:50:00.553562Z",
        "updated_at": "2026-07-17T09:50:00.553562Z", "image_count": 0, "region": region
    })
}

/// Listings are read oldest first unless the caller orders them otherwise: one `order_by`.
#[tokio::test]
async fn listings_default_to_oldest_first() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/registry/v1/regions/fr-par/namespaces"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "namespaces": [], "total_count": 0 })),
        )
        .mount(&server)
        .await;
    let api = api(&server);
    api.list_namespaces(&Region::FrPar).collect().await.unwrap();
    api.list_namespaces(&Region::FrPar)
        .order_by(NamespaceOrderBy::NameAsc)
        .collect()
        .await
        .unwrap();
    let orders: Vec<Vec<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .filter(|(k, _)| k == "order_by")
                .map(|(_, v)| v.into_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        orders,
        vec![
            vec!["created_at_asc".to_owned()],
            vec!["name_asc".to_owned()]
        ]
    );
}

#[tokio::test]
async fn listings_send_filters_and_page_parameters() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/registry/v1/regions/fr-par/namespaces"))
        .and(query_param("name", "acme-prod"))
        .and(query_param("project_id", PROJECT))
        .and(query_param("order_by", "name_asc"))
        .and(query_param("page", "1"))
        .and(query_param("page_size", "100"))
        .and(header("x-auth-token", SECRET))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({ "namespaces": [namespace("acme-prod", "fr-par")], "total_count": 1 }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/registry/v1/regions/pl-waw/images"))
        .and(query_param("namespace_id", NS))
        .and(query_param("name", "tools/ci"))
        .and(query_param("order_by", "created_at_desc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({ "images": [{"id": "i", "name": "tools/ci", "namespace_id": NS}], "total_count": 1 }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/registry/v1/regions/nl-ams/images/{IMG}/tags")))
        .and(query_param("name", "latest"))
        .and(query_param("order_by", "name_desc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({ "tags": [{"id": "t", "name": "latest", "image_id": IMG, "digest": "sha256:x"}], "total_count": 1 }),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let api = api(&server);
    let ns = api
        .list_namespaces(&Region::FrPar)
        .name("acme-prod")
        .project_id(&PROJECT.parse().unwrap())
        .order_by(NamespaceOrderBy::NameAsc)
        .collect()
        .await
        .unwrap();
    assert_eq!(ns[0].name, "acme-prod");
    let images = api
        .list_images(&Region::PlWaw)
        .namespace_id(&ns_id())
        .name("tools/ci")
        .order_by(OrderBy::CreatedAtDesc)
        .collect()
        .await
        .unwrap();
    assert_eq!(
        images[0].region,
        Some(Region::PlWaw),
        "the region is recorded on items"
    );
    let tags = api
        .list_tags(&Region::NlAms, &img_id())
        .name("latest")
        .order_by(OrderBy::NameDesc)
        .collect()
        .await
        .unwrap();
    assert_eq!(tags[0].region, Some(Region::NlAms));
}

#[tokio::test]
async fn collect_per_region_lists_every_registry_region_once() {
    let server = MockServer::start().await;
    for region in ["fr-par", "nl-ams", "pl-waw"] {
        Mock::given(method("GET"))
            .and(path(format!("/registry/v1/regions/{region}/namespaces")))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({ "namespaces": [namespace(&format!("ns-{region}"), region)], "total_count": 1 }),
            ))
            .expect(1)
            .mount(&server)
            .await;
    }
    let api = api(&server);
    let results = api
        .collect_per_region(None, |r| api.list_namespaces(r))
        .await;
    assert_eq!(results.len(), 3);
    let all = scaleway_registry::flatten_regions(&api, results).unwrap();
    let names: Vec<String> = all
        .iter()
        .map(|n| format!("{}:{}", n.region, n.name))
        .collect();
    assert_eq!(
        names,
        ["fr-par:ns-fr-par", "nl-ams:ns-nl-ams", "pl-waw:ns-pl-waw"]
    );
    // it-mil is not a registry region (the API's SDK does not list it): no request.
    let it = api
        .collect_per_region(Some(vec![Region::ItMil]), |r| api.list_namespaces(r))
        .await;
    assert!(matches!(
        it[0].outcome,
        scaleway_core::LocalityOutcome::NotAvailable
    ));
}

#[tokio::test]
async fn updates_and_deletes_send_the_documented_bodies() {
    let server = MockServer::start().await;
    Mock::given(method("PATCH"))
        .and(path(format!("/registry/v1/regions/fr-par/namespaces/{NS}")))
        .and(body_json(serde_json::json!({ "is_public": true })))
        .respond_with(ResponseTemplate::new(200).set_body_json(namespace("acme", "fr-par")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("/registry/v1/regions/fr-par/images/{IMG}")))
        .and(body_json(serde_json::json!({ "visibility": "private" })))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"id": IMG, "name": "api", "visibility": "private"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/registry/v1/regions/fr-par/tags/{TAG1}")))
        .and(query_param("force", "true"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"id": TAG1, "name": "old", "status": "deleting"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/registry/v1/regions/fr-par/tags/{TAG2}")))
        .and(query_param_is_missing("force"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"id": TAG2, "name": "old", "status": "deleting"}),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/registry/v1/regions/fr-par/images/{IMG}")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": IMG, "name": "api", "status": "deleting"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(path(format!("/registry/v1/regions/fr-par/namespaces/{NS}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(namespace("acme", "fr-par")))
        .expect(1)
        .mount(&server)
        .await;
    let api = api(&server);
    api.update_namespace(&Region::FrPar, &ns_id())
        .is_public(true)
        .send()
        .await
        .unwrap();
    let img = api
        .set_image_visibility(&Region::FrPar, &img_id(), ImageVisibility::Private)
        .await
        .unwrap();
    assert_eq!(img.visibility, ImageVisibility::Private);
    let t1: TagId = TAG1.parse().unwrap();
    let t = api.delete_tag(&Region::FrPar, &t1, true).await.unwrap();
    assert_eq!(t.status, scaleway_registry::TagStatus::Deleting);
    let t2: TagId = TAG2.parse().unwrap();
    api.delete_tag(&Region::FrPar, &t2, false).await.unwrap();
    api.delete_image(&Region::FrPar, &img_id()).await.unwrap();
    api.delete_namespace(&Region::FrPar, &ns_id())
        .await
        .unwrap();
}

#[tokio::test]
async fn error_bodies_become_actionable_errors() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/registry/v1/regions/fr-par/namespaces"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "message": "authentication is denied", "method": "api_key", "reason": "expired", "type": "denied_authentication"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/registry/v1/regions/nl-ams/namespaces"))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "details": [{"action": "read", "resource": "namespace"}], "message": "insufficient permissions", "type": "permissions_denied"
        })))
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(format!("/registry/v1/regions/nl-ams/images/{IMG}")))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "details": [{"action": "write", "resource": "image"}], "message": "insufficient permissions", "type": "permissions_denied"
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/registry/v1/regions/fr-par/namespaces/{NS}")))
        .respond_with(ResponseTemplate::new(404).set_body_json(serde_json::json!({
            "message": "Namespace was not found"
        })))
        .mount(&server)
        .await;
    let api = api(&server);
    let e = api
        .list_namespaces(&Region::FrPar)
        .collect()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::KeyRejected {
            problem,
            access_key,
        } => {
            assert_eq!(*problem, KeyProblem::Expired);
            assert_eq!(access_key.as_deref(), Some(ACCESS));
            assert_eq!(
                e.api_error().and_then(scaleway_core::Error::status),
                Some(401)
            );
        }
        other => panic!("{other:?}"),
    }
    // The API's refusal is kept as the source of what explains it, not repeated in the
    // message.
    let source = std::error::Error::source(&e).expect("the API error");
    assert!(source.to_string().contains("HTTP 401"), "{source}");
    assert!(!e.to_string().contains("HTTP 401"), "{e}");
    assert!(e.is_authentication_denied() && !e.is_retryable());
    let e = api
        .list_namespaces(&Region::NlAms)
        .collect()
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("`ContainerRegistryReadOnly`") && msg.contains(PROJECT),
        "{msg}"
    );
    let e = api
        .set_image_visibility(&Region::NlAms, &img_id(), ImageVisibility::Public)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("`ContainerRegistryFullAccess`"),
        "{e}"
    );
    assert!(e.is_permission_denied(), "{e:?}");
    let e = api
        .get_namespace(&Region::FrPar, &ns_id())
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    // Any other API error: its message is the API error's own, not repeated as a source.
    assert!(matches!(e.diagnosis(), Diagnosis::Api), "{e:?}");
    assert_eq!(e.to_string(), e.api_error().unwrap().to_string());
    assert!(std::error::Error::source(&e).is_none());
    assert!(!e.to_string().contains(SECRET));
}

fn digest(bytes: &[u8]) -> String {
    let h = sha2::Sha256::digest(bytes);
    format!(
        "sha256:{}",
        h.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

#[tokio::test]
async fn pull_follows_the_bearer_challenge_and_sends_the_right_headers() {
    let registry = MockServer::start().await;
    let realm = MockServer::start().await;
    let config =
        br#"{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}"#
            .to_vec();
    let layer = b"not really a tarball, but bytes with a digest".to_vec();
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(&config), "size": config.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(&layer), "size": layer.len()}]
    }))
    .unwrap();
    // The challenge names a realm on another host: the client must follow the header.
    Mock::given(method("GET"))
        .and(path("/v2/"))
        .respond_with(ResponseTemplate::new(401).insert_header(
            "www-authenticate",
            format!("Bearer realm=\"{}/registry-internal/v1/regions/fr-par/tokens\",service=\"registry\"", realm.uri()),
        ))
        .mount(&registry)
        .await;
    let basic = {
        use std::io::Write;
        let mut enc = Vec::new();
        write!(enc, "nologin:{SECRET}").unwrap();
        format!("Basic {}", base64_encode(&enc))
    };
    Mock::given(method("GET"))
        .and(path("/registry-internal/v1/regions/fr-par/tokens"))
        .and(query_param("scope", "repository:acme-prod/api:pull"))
        .and(query_param("service", "registry"))
        .and(header("authorization", basic.as_str()))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"token": "tok-123"})),
        )
        .expect(1)
        .mount(&realm)
        .await;
    let m = manifest.clone();
    let md = digest(&manifest);
    Mock::given(method("GET"))
        .and(path("/v2/acme-prod/api/manifests/v1"))
        .and(header("authorization", "Bearer tok-123"))
        .respond_with(move |req: &Request| {
            let accept = req
                .headers
                .get("accept")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let all = [
                "application/vnd.oci.image.index.v1+json",
                "application/vnd.oci.image.manifest.v1+json",
                "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.docker.distribution.manifest.v2+json",
            ];
            if all.iter().all(|t| accept.contains(t)) {
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/vnd.oci.image.manifest.v1+json")
                    .insert_header("docker-content-digest", md.as_str())
                    .set_body_bytes(m.clone())
            } else {
                ResponseTemplate::new(406)
            }
        })
        .expect(1)
        .mount(&registry)
        .await;
    for blob in [&config, &layer] {
        Mock::given(method("GET"))
            .and(path(format!("/v2/acme-prod/api/blobs/{}", digest(blob))))
            .and(header("authorization", "Bearer tok-123"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("docker-content-digest", digest(blob).as_str())
                    .set_body_bytes(blob.clone()),
            )
            .expect(1)
            .mount(&registry)
            .await;
    }
    let host = registry.address().to_string();
    let hosts = RegistryHosts::new()
        .with_override(Region::FrPar, host)
        .unwrap();
    let api = api(&registry).with_hosts(hosts);
    let dir = tempfile::tempdir().unwrap();
    let reference = "rg.fr-par.scw.cloud/acme-prod/api:v1".parse().unwrap();
    let report = api.pull(&reference, dir.path()).send().await.unwrap();
    assert_eq!(report.manifest_digest, digest(&manifest));
    assert_eq!(report.index_digest, None);
    assert_eq!(
        report.reference, "rg.fr-par.scw.cloud/acme-prod/api:v1",
        "the reference stays canonical"
    );
    let on_disk =
        std::fs::read(dir.path().join("blobs/sha256").join(&digest(&layer)[7..])).unwrap();
    assert_eq!(on_disk, layer);
    // The handle holds the secret key (in its client's configuration): never in its Debug
    // output. (The pull's own holder of the key, `PullAuth`, is tested in the crate.)
    let debug = format!("{api:?}");
    assert!(
        debug.contains(ACCESS),
        "the handle's Debug shows its configuration: {debug}"
    );
    assert!(!debug.contains(SECRET), "{debug}");
}

fn base64_encode(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}
