//! Pulls against wiremock registries: what is sent where (the secret key only to a trusted
//! realm), blobs listed twice, absurd sizes, token renewal, and the diagnosis of refusals
//! and of cross-region searches where a region fails.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_registry::{
    Diagnosis, ImageReference, Listable, ProjectSource, RegistryApi, RegistryHosts,
};
use sha2::Digest as _;
use wiremock::matchers::{header, method, path, path_regex};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "11111111-2222-3333-4444-555555555555";
const ACCESS: &str = "SCWXXXXXXXXXXXXXXXXX";
const PROJECT: &str = "6b1f3c1e-7a0f-4d64-9a3f-1f2d3c4b5a69";
const OTHER_PROJECT: &str = "0c1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

fn digest(bytes: &[u8]) -> String {
    let h = sha2::Sha256::digest(bytes);
    format!(
        "sha256:{}",
        h.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// A registry handle with a key, whose management API is `api_server` and whose fr-par and
/// nl-ams registries are `registry` (a loopback override, reached over plain http).
fn api(api_server: &MockServer, registry: &MockServer) -> RegistryApi {
    let config = Config::loader()
        .env(Env::default())
        .access_key(ACCESS.parse().unwrap())
        .secret_key(SECRET.parse().unwrap())
        .project_id(PROJECT.parse().unwrap())
        .api_url(api_server.uri().parse().unwrap())
        .load()
        .unwrap();
    let client = Client::builder()
        .config(config)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let host = registry.address().to_string();
    let hosts = RegistryHosts::new()
        .with_override(Region::FrPar, host.clone())
        .unwrap()
        .with_override(Region::NlAms, host)
        .unwrap();
    RegistryApi::new(&client).with_hosts(hosts)
}

fn reference(s: &str) -> ImageReference {
    s.parse().unwrap()
}

/// An image manifest over `config` and `layers` (layers may repeat).
struct Image {
    manifest: Vec<u8>,
    blobs: Vec<Vec<u8>>,
}

impl Image {
    fn new(config: &[u8], layers: &[&[u8]]) -> Self {
        Self::with_sizes(
            config,
            &layers
                .iter()
                .map(|l| (digest(l), l.len() as i64))
                .collect::<Vec<_>>(),
            layers.iter().map(|l| l.to_vec()).collect(),
        )
    }

    /// A manifest declaring these layer digests and sizes.
    fn with_sizes(config: &[u8], layers: &[(String, i64)], blobs: Vec<Vec<u8>>) -> Self {
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config), "size": config.len()},
            "layers": layers.iter().map(|(d, size)| serde_json::json!({
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": size
            })).collect::<Vec<_>>(),
        }))
        .unwrap();
        let mut all = vec![config.to_vec()];
        all.extend(blobs);
        Self {
            manifest,
            blobs: all,
        }
    }

    fn digest(&self) -> String {
        digest(&self.manifest)
    }

    /// Serves the manifest at `repo:tag` and each distinct blob (at most `blob_times` times
    /// each, `None` for unlimited), to requests carrying `Bearer <token>`.
    async fn mount(&self, server: &MockServer, repo: &str, tag: &str, token: &str) {
        Mock::given(method("GET"))
            .and(path(format!("/v2/{repo}/manifests/{tag}")))
            .and(header("authorization", format!("Bearer {token}").as_str()))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", OCI_MANIFEST)
                    .insert_header("docker-content-digest", self.digest().as_str())
                    .set_body_bytes(self.manifest.clone()),
            )
            .mount(server)
            .await;
        let mut seen = std::collections::HashSet::new();
        for blob in &self.blobs {
            if !seen.insert(digest(blob)) {
                continue;
            }
            Mock::given(method("GET"))
                .and(path(format!("/v2/{repo}/blobs/{}", digest(blob))))
                .and(header("authorization", format!("Bearer {token}").as_str()))
                .respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("docker-content-digest", digest(blob).as_str())
                        .set_body_bytes(blob.clone()),
                )
                .mount(server)
                .await;
        }
    }
}

/// `GET /v2/` answers the bearer challenge naming `realm`.
async fn mount_challenge(registry: &MockServer, realm: &str) {
    Mock::given(method("GET"))
        .and(path("/v2/"))
        .respond_with(ResponseTemplate::new(401).insert_header(
            "www-authenticate",
            format!("Bearer realm=\"{realm}\",service=\"registry\"").as_str(),
        ))
        .mount(registry)
        .await;
}

/// A realm that hands out `token` to every request.
async fn mount_realm(realm: &MockServer, token: &str) {
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"token": token})))
        .mount(realm)
        .await;
}

fn namespace(name: &str, region: &str, project: &str) -> serde_json::Value {
    serde_json::json!({
        "id": format!("id-{name}-{region}"), "name": name, "description": "", "organization_id": project,
        "project_id": project, "status": "ready", "status_message": "",
        "endpoint": format!("rg.{region}.scw.cloud/{name}"), "is_public": false, "size": 0,
        "created_at": "2026-07-17T09:50:00.553562Z", "updated_at": "2026-07-17T09:50:00.553562Z",
        "image_count": 0, "region": region
    })
}

/// The namespace listing of each region: `Ok(names)` or an HTTP error status.
async fn mount_namespaces(server: &MockServer, regions: &[(&str, Result<Vec<&str>, u16>)]) {
    for (region, outcome) in regions {
        let route = format!("/registry/v1/regions/{region}/namespaces");
        let response = match outcome {
            Ok(names) => {
                let list: Vec<_> = names
                    .iter()
                    .map(|n| namespace(n, region, PROJECT))
                    .collect();
                ResponseTemplate::new(200).set_body_json(
                    serde_json::json!({"namespaces": list, "total_count": list.len()}),
                )
            }
            Err(403) => ResponseTemplate::new(403).set_body_json(serde_json::json!({
                "details": [{"action": "read", "resource": "namespace"}],
                "message": "insufficient permissions", "type": "permissions_denied"
            })),
            Err(status) => ResponseTemplate::new(*status)
                .set_body_json(serde_json::json!({"message": "service unavailable"})),
        };
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(response)
            .mount(server)
            .await;
    }
}

#[tokio::test]
async fn a_blob_listed_twice_is_downloaded_once() {
    let registry = MockServer::start().await;
    let realm = MockServer::start().await;
    mount_challenge(&registry, &format!("{}/token", realm.uri())).await;
    mount_realm(&realm, "tok").await;
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    let empty = b"an empty layer, listed twice".to_vec();
    let app = b"the application layer".to_vec();
    let image = Image::new(&config, &[&empty, &app, &empty]);
    // The repeated blob answers slowly, so that two downloads of it would overlap; it
    // must be asked for once.
    Mock::given(method("GET"))
        .and(path(format!("/v2/acme-prod/api/blobs/{}", digest(&empty))))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("docker-content-digest", digest(&empty).as_str())
                .set_body_bytes(empty.clone())
                .set_delay(std::time::Duration::from_millis(300)),
        )
        .expect(1)
        .named("the repeated blob")
        .mount(&registry)
        .await;
    image.mount(&registry, "acme-prod/api", "v1", "tok").await;
    let api = api(&registry, &registry);
    let dir = tempfile::tempdir().unwrap();
    let report = api
        .pull(
            &reference("rg.fr-par.scw.cloud/acme-prod/api:v1"),
            dir.path(),
        )
        .concurrency(4)
        .send()
        .await
        .unwrap();
    let layers: Vec<&str> = report.layers.iter().map(|l| l.digest.as_str()).collect();
    assert_eq!(
        layers,
        [digest(&empty), digest(&app), digest(&empty)],
        "the report follows the manifest"
    );
    let distinct = (config.len() + empty.len() + app.len()) as u64;
    assert_eq!(
        report.total_bytes(),
        distinct,
        "a repeated blob counts once"
    );
    assert_eq!(report.bytes_downloaded, distinct);
    let blob = dir
        .path()
        .join("blobs/sha256")
        .join(&digest(&empty)["sha256:".len()..]);
    assert_eq!(std::fs::read(blob).unwrap(), empty);
    assert!(dir.path().join("index.json").exists());
    assert!(!dir.path().join(".partial").exists());
    registry.verify().await;
}

#[tokio::test]
async fn absurd_blob_sizes_are_refused_before_any_download() {
    let registry = MockServer::start().await;
    let realm = MockServer::start().await;
    mount_challenge(&registry, &format!("{}/token", realm.uri())).await;
    mount_realm(&realm, "tok").await;
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    // Three declared sizes of i64::MAX: their sum overflows u64.
    let huge = i64::MAX;
    let image = Image::with_sizes(
        &config,
        &[
            (digest(b"a"), huge),
            (digest(b"b"), huge),
            (digest(b"c"), huge),
        ],
        Vec::new(),
    );
    image.mount(&registry, "acme-prod/api", "v1", "tok").await;
    Mock::given(method("GET"))
        .and(path_regex("^/v2/.*/blobs/"))
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(&registry)
        .await;
    let api = api(&registry, &registry);
    let dir = tempfile::tempdir().unwrap();
    let e = api
        .pull(
            &reference("rg.fr-par.scw.cloud/acme-prod/api:v1"),
            dir.path(),
        )
        .send()
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e.diagnosis(), Diagnosis::Registry { .. }), "{e:?}");
    assert!(
        msg.contains("invalid manifest")
            && msg.contains("1 TiB")
            && msg.contains(&huge.to_string()),
        "{msg}"
    );
    registry.verify().await;
}

/// Whether a request carries the secret key as Basic auth.
fn carries_the_key(req: &Request) -> bool {
    req.headers
        .get_all("authorization")
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.starts_with("Basic ")))
}

#[tokio::test]
async fn the_secret_key_is_not_sent_to_an_untrusted_realm() {
    let registry = MockServer::start().await;
    let realm = MockServer::start().await;
    // A realm that is neither a Scaleway host over https nor a loopback address (0.0.0.0
    // reaches this machine on Linux): the key must not go there.
    let untrusted = format!("http://0.0.0.0:{}/token", realm.address().port());
    mount_challenge(&registry, &untrusted).await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(|req: &Request| {
            if req.headers.contains_key("authorization") {
                ResponseTemplate::new(418)
            } else {
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"token": "anon"}))
            }
        })
        .mount(&realm)
        .await;
    // A public image pulls anonymously.
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    let image = Image::new(&config, &[b"public layer"]);
    image
        .mount(&registry, "acme-prod/public", "v1", "anon")
        .await;
    // A private one is refused to the anonymous token.
    Mock::given(method("GET"))
        .and(path("/v2/acme-prod/private/manifests/v1"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]
        })))
        .mount(&registry)
        .await;
    let api = api(&registry, &registry);
    let dir = tempfile::tempdir().unwrap();
    let report = api
        .pull(
            &reference("rg.fr-par.scw.cloud/acme-prod/public:v1"),
            dir.path(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(report.layers.len(), 1);
    let e = api
        .pull(
            &reference("rg.fr-par.scw.cloud/acme-prod/private:v1"),
            tempfile::tempdir().unwrap().path(),
        )
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::CredentialsWithheld {
            realm: named,
            reason,
            cause,
            ..
        } => {
            assert_eq!(named, &untrusted);
            assert!(reason.contains("not a Scaleway host"), "{reason}");
            assert!(cause.contains("401"), "{cause}");
        }
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(msg.contains("the secret key was not sent there"), "{msg}");
    assert!(!msg.contains(SECRET));
    for req in realm
        .received_requests()
        .await
        .unwrap()
        .iter()
        .chain(registry.received_requests().await.unwrap().iter())
    {
        assert!(!carries_the_key(req), "{} {}", req.method, req.url);
    }
    assert_eq!(
        realm.received_requests().await.unwrap().len(),
        3,
        "a token per pull (one renewal)"
    );
}

#[tokio::test]
async fn a_refused_token_is_renewed_once() {
    let registry = MockServer::start().await;
    let realm = MockServer::start().await;
    mount_challenge(&registry, &format!("{}/token", realm.uri())).await;
    // The first token is refused (say it expired), the second works.
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"token": "tok-1"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&realm)
        .await;
    mount_realm(&realm, "tok-2").await;
    Mock::given(method("GET"))
        .and(path_regex("^/v2/.+"))
        .and(header("authorization", "Bearer tok-1"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&registry)
        .await;
    let config = br#"{"architecture":"amd64","os":"linux"}"#.to_vec();
    let image = Image::new(&config, &[b"layer"]);
    image.mount(&registry, "acme-prod/api", "v1", "tok-2").await;
    let api = api(&registry, &registry);
    let dir = tempfile::tempdir().unwrap();
    let report = api
        .pull(
            &reference("rg.fr-par.scw.cloud/acme-prod/api:v1"),
            dir.path(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(report.manifest_digest, image.digest());
    let tokens = realm.received_requests().await.unwrap();
    assert_eq!(tokens.len(), 2);
    assert!(
        tokens.iter().all(carries_the_key),
        "a loopback realm of a local override gets the key"
    );
}

#[tokio::test]
async fn a_401_to_a_keyed_token_is_diagnosed_like_a_refusal() {
    let server = MockServer::start().await;
    let realm = MockServer::start().await;
    mount_challenge(&server, &format!("{}/token", realm.uri())).await;
    mount_realm(&realm, "tok").await;
    // The registry refuses every token (as a registry does for a token of another
    // region): the management API says where the namespace is.
    Mock::given(method("GET"))
        .and(path_regex("^/v2/.+"))
        .respond_with(ResponseTemplate::new(401))
        .mount(&server)
        .await;
    mount_namespaces(
        &server,
        &[
            ("fr-par", Ok(vec!["acme-prod"])),
            ("nl-ams", Ok(vec![])),
            ("pl-waw", Ok(vec![])),
        ],
    )
    .await;
    let api = api(&server, &server);
    let e = api
        .pull(
            &reference("rg.nl-ams.scw.cloud/acme-prod/api:v1"),
            tempfile::tempdir().unwrap().path(),
        )
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::WrongRegion {
            requested,
            found_in,
            suggestion,
            ..
        } => {
            assert_eq!(*requested, Region::NlAms);
            assert_eq!(found_in, &[Region::FrPar]);
            assert_eq!(
                suggestion.as_deref(),
                Some("rg.fr-par.scw.cloud/acme-prod/api:v1")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!e.to_string().contains("cargo run"), "{e}");
    assert_eq!(
        realm.received_requests().await.unwrap().len(),
        2,
        "renewed once before the diagnosis"
    );

    // Visible in the region asked: the key lacks the permission on its project.
    let e = api
        .pull(
            &reference("rg.fr-par.scw.cloud/acme-prod/api:v1"),
            tempfile::tempdir().unwrap().path(),
        )
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::PermissionDenied {
            permission_set,
            project,
            ..
        } => {
            assert_eq!(*permission_set, "ContainerRegistryReadOnly");
            assert_eq!(project.as_deref(), Some(PROJECT));
        }
        other => panic!("{other:?}"),
    }
    assert!(!e.to_string().contains("cargo run"), "{e}");
}

#[tokio::test]
async fn a_denied_pull_finds_the_region_and_the_case_through_the_api() {
    let server = MockServer::start().await;
    let realm = MockServer::start().await;
    mount_challenge(&server, &format!("{}/token", realm.uri())).await;
    mount_realm(&realm, "tok").await;
    // The registry answers DENIED whatever the name (it does not say whether a name
    // exists); only the management API can tell.
    Mock::given(method("GET"))
        .and(path_regex("^/v2/.+"))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "errors": [{"code": "DENIED", "message": "requested access to the resource is denied"}]
        })))
        .mount(&server)
        .await;
    mount_namespaces(
        &server,
        &[
            ("fr-par", Ok(vec!["acme-prod", "Acme-Legacy"])),
            ("nl-ams", Ok(vec![])),
            ("pl-waw", Ok(vec![])),
        ],
    )
    .await;
    let api = api(&server, &server);
    let pull = |r: &str| {
        let api = api.clone();
        let r = reference(r);
        async move {
            api.pull(&r, tempfile::tempdir().unwrap().path())
                .send()
                .await
                .unwrap_err()
        }
    };
    let e = pull("rg.nl-ams.scw.cloud/acme-prod/api:v1").await;
    match e.diagnosis() {
        Diagnosis::WrongRegion {
            found_in,
            suggestion,
            ..
        } => {
            assert_eq!(found_in, &[Region::FrPar]);
            assert_eq!(
                suggestion.as_deref(),
                Some("rg.fr-par.scw.cloud/acme-prod/api:v1")
            );
        }
        other => panic!("{other:?}"),
    }
    let e = pull("rg.fr-par.scw.cloud/acme-legacy/api:v1").await;
    match e.diagnosis() {
        Diagnosis::NamespaceCase {
            requested, actual, ..
        } => {
            assert_eq!(requested, "acme-legacy");
            assert_eq!(actual, "Acme-Legacy");
        }
        other => panic!("{other:?}"),
    }
    // Not visible anywhere: another project.
    let e = pull("rg.fr-par.scw.cloud/acme-other/api:v1").await;
    assert!(
        matches!(e.diagnosis(), Diagnosis::OtherProject { .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_failing_region_hides_neither_the_others_nor_a_refusal() {
    // find_namespace: nl-ams is unavailable, pl-waw refuses, fr-par answers.
    let server = MockServer::start().await;
    mount_namespaces(
        &server,
        &[
            ("fr-par", Ok(vec![])),
            ("nl-ams", Err(503)),
            ("pl-waw", Err(403)),
        ],
    )
    .await;
    let api = api(&server, &server);
    let e = api
        .find_namespace("acme-prod", Some(&Region::FrPar))
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::RegionsUnavailable {
            searched, failures, ..
        } => {
            assert_eq!(searched, &[Region::FrPar]);
            let order: Vec<&Region> = failures.iter().map(|f| &f.region).collect();
            assert_eq!(
                order,
                [&Region::PlWaw, &Region::NlAms],
                "most actionable first"
            );
            assert!(
                matches!(
                    failures[0].error.diagnosis(),
                    Diagnosis::PermissionDenied { .. }
                ),
                "{:?}",
                failures[0].error
            );
            assert_eq!(
                failures[1].error.api_error().and_then(|e| e.status()),
                Some(503)
            );
        }
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.starts_with("the API key lacks Container Registry permissions"),
        "{msg}"
    );
    assert!(msg.contains("also nl-ams"), "{msg}");
    assert!(msg.contains("only fr-par answered"), "{msg}");

    // flatten_regions: the same, for a listing.
    let results = api
        .collect_per_region(None, |r| api.list_namespaces(r))
        .await;
    let e = scaleway_registry::flatten_regions(&api, results).unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::RegionsUnavailable { failures, .. } if failures.len() == 2),
        "{e:?}"
    );

    // A namespace in a region that answers is found although another region fails.
    let server = MockServer::start().await;
    mount_namespaces(
        &server,
        &[
            ("fr-par", Ok(vec![])),
            ("nl-ams", Err(503)),
            ("pl-waw", Ok(vec!["acme-prod"])),
        ],
    )
    .await;
    let api = self::api(&server, &server);
    let e = api
        .find_namespace("acme-prod", Some(&Region::FrPar))
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::WrongRegion { found_in, .. } => assert_eq!(found_in, &[Region::PlWaw]),
        other => panic!("{other:?}"),
    }

    // diagnose after a refused pull: a 503 does not hide a 403.
    let server = MockServer::start().await;
    let realm = MockServer::start().await;
    mount_challenge(&server, &format!("{}/token", realm.uri())).await;
    mount_realm(&realm, "tok").await;
    Mock::given(method("GET"))
        .and(path_regex("^/v2/.+"))
        .respond_with(ResponseTemplate::new(403).set_body_json(serde_json::json!({
            "errors": [{"code": "DENIED", "message": "denied"}]
        })))
        .mount(&server)
        .await;
    mount_namespaces(
        &server,
        &[
            ("fr-par", Err(503)),
            ("nl-ams", Err(403)),
            ("pl-waw", Err(403)),
        ],
    )
    .await;
    let api = self::api(&server, &server);
    let e = api
        .pull(
            &reference("rg.fr-par.scw.cloud/acme-prod/api:v1"),
            tempfile::tempdir().unwrap().path(),
        )
        .send()
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::RegionsUnavailable { failures, .. } => {
            assert!(
                matches!(
                    failures[0].error.diagnosis(),
                    Diagnosis::PermissionDenied { .. }
                ),
                "{e:?}"
            );
            assert_eq!(failures.last().unwrap().region, Region::FrPar);
        }
        other => panic!("{other:?}"),
    }
    let msg = e.to_string();
    assert!(
        msg.contains("(nl-ams, pl-waw)"),
        "the same refusal is listed once: {msg}"
    );
}

#[tokio::test]
async fn the_configured_project_is_not_called_the_keys() {
    let server = MockServer::start().await;
    mount_namespaces(
        &server,
        &[
            ("fr-par", Err(403)),
            ("nl-ams", Ok(vec![])),
            ("pl-waw", Ok(vec![])),
        ],
    )
    .await;
    let api = api(&server, &server);
    let e = api
        .list_namespaces(&Region::FrPar)
        .collect()
        .await
        .unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains(&format!("the configured default project is {PROJECT}")),
        "{msg}"
    );
    assert!(!msg.contains("key's default project"), "{msg}");

    // When the key may read itself in IAM, its own default project is named.
    let server2 = MockServer::start().await;
    mount_namespaces(
        &server2,
        &[
            ("fr-par", Ok(vec![])),
            ("nl-ams", Ok(vec![])),
            ("pl-waw", Ok(vec![])),
        ],
    )
    .await;
    Mock::given(method("GET"))
        .and(path(format!("/iam/v1alpha1/api-keys/{ACCESS}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "access_key": ACCESS, "default_project_id": OTHER_PROJECT
        })))
        .mount(&server2)
        .await;
    let api = self::api(&server2, &server2);
    let e = api
        .find_namespace("nope", Some(&Region::NlAms))
        .await
        .unwrap_err();
    match e.diagnosis() {
        Diagnosis::NamespaceNotFound {
            key_project: Some(p),
            ..
        } => {
            assert_eq!(p.id, OTHER_PROJECT);
            assert_eq!(p.source, ProjectSource::KeyDefault);
        }
        other => panic!("{other:?}"),
    }
    assert!(
        e.to_string()
            .contains(&format!("the key's default project is {OTHER_PROJECT}")),
        "{e}"
    );
}
