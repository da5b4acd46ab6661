//! A pull's retries run on core's retry policy: what is retried (core's table: 429 and
//! 502–504, transport failures; not a 500), how often (`Pull::attempts`), and `Retry-After`
//! against the policy's budget. The client's backoff is zero, so nothing here waits or
//! depends on time: the tests count requests.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_registry::{Diagnosis, ImageReference, PullEvent, RegistryApi, RegistryHosts};
use sha2::Digest as _;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

fn digest(bytes: &[u8]) -> String {
    let h = sha2::Sha256::digest(bytes);
    format!(
        "sha256:{}",
        h.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

/// A registry handle with a key whose fr-par registry is `registry` (a loopback override)
/// and whose client retries on the default policy, without backoff.
fn api(registry: &MockServer) -> RegistryApi {
    let config = Config::loader()
        .env(Env::default())
        .access_key("SCWXXXXXXXXXXXXXXXXX".parse().unwrap())
        .secret_key("11111111-2222-3333-4444-555555555555".parse().unwrap())
        .api_url(registry.uri().parse().unwrap())
        .load()
        .unwrap();
    let client = Client::builder()
        .config(config)
        .retry(RetryPolicy::default().with_initial_backoff(Duration::ZERO))
        .build()
        .unwrap();
    let hosts = RegistryHosts::new()
        .with_override(Region::FrPar, registry.address().to_string())
        .unwrap();
    RegistryApi::new(&client).with_hosts(hosts)
}

fn reference(repo: &str) -> ImageReference {
    format!("rg.fr-par.scw.cloud/{repo}:v1").parse().unwrap()
}

const CONFIG: &[u8] = br#"{"architecture":"amd64","os":"linux"}"#;
const LAYER: &[u8] = b"the only layer";

fn manifest() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(CONFIG), "size": CONFIG.len()},
        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest(LAYER), "size": LAYER.len()}],
    }))
    .unwrap()
}

/// The bearer challenge naming the realm `/token` on the same server.
async fn mount_challenge(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v2/"))
        .respond_with(
            ResponseTemplate::new(401).insert_header(
                "www-authenticate",
                format!(
                    "Bearer realm=\"{}/token\",service=\"registry\"",
                    server.uri()
                )
                .as_str(),
            ),
        )
        .mount(server)
        .await;
}

/// `times` answers `status` (before anything else mounted at `route`), `None` for always.
async fn fail(server: &MockServer, route: &str, status: u16, times: Option<u64>) {
    let mock = Mock::given(method("GET"))
        .and(path(route))
        .respond_with(ResponseTemplate::new(status))
        .with_priority(1);
    match times {
        Some(n) => mock.up_to_n_times(n).mount(server).await,
        None => mock.mount(server).await,
    }
}

/// A token for everyone, the manifest of `repo:v1` and its blobs.
async fn mount_image(server: &MockServer, repo: &str) {
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"token": "tok"})))
        .mount(server)
        .await;
    let m = manifest();
    Mock::given(method("GET"))
        .and(path(format!("/v2/{repo}/manifests/v1")))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("content-type", OCI_MANIFEST)
                .insert_header("docker-content-digest", digest(&m).as_str())
                .set_body_bytes(m),
        )
        .mount(server)
        .await;
    for blob in [CONFIG, LAYER] {
        Mock::given(method("GET"))
            .and(path(format!("/v2/{repo}/blobs/{}", digest(blob))))
            .respond_with(ResponseTemplate::new(200).set_body_bytes(blob))
            .mount(server)
            .await;
    }
}

async fn requests_to(server: &MockServer, route: &str) -> usize {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .filter(|r| r.url.path() == route)
        .count()
}

#[tokio::test]
async fn a_busy_token_realm_is_retried_and_its_retry_after_weighed_against_the_budget() {
    let server = MockServer::start().await;
    mount_challenge(&server).await;
    fail(&server, "/token", 503, Some(2)).await;
    mount_image(&server, "acme-prod/api").await;
    let api = api(&server);
    let dir = tempfile::tempdir().unwrap();
    let report = api
        .pull(&reference("acme-prod/api"), dir.path())
        .send()
        .await
        .unwrap();
    assert_eq!(report.layers.len(), 1);
    assert_eq!(
        requests_to(&server, "/token").await,
        3,
        "two 503s, then a token"
    );

    // Rate limited for an hour: past the policy's 60 s budget, so no second request.
    let server = MockServer::start().await;
    mount_challenge(&server).await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "3600"))
        .mount(&server)
        .await;
    let e = self::api(&server)
        .pull(
            &reference("acme-prod/api"),
            tempfile::tempdir().unwrap().path(),
        )
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::Registry { status: 429, .. }),
        "{e:?}"
    );
    assert!(e.is_rate_limited() && e.is_retryable(), "{e:?}");
    assert_eq!(requests_to(&server, "/token").await, 1);
}

#[tokio::test]
async fn manifests_are_retried_as_core_classifies_the_answer() {
    let server = MockServer::start().await;
    mount_challenge(&server).await;
    for repo in ["acme-prod/busy", "acme-prod/broken", "acme-prod/down"] {
        mount_image(&server, repo).await;
    }
    let busy = "/v2/acme-prod/busy/manifests/v1";
    let broken = "/v2/acme-prod/broken/manifests/v1";
    let down = "/v2/acme-prod/down/manifests/v1";
    fail(&server, busy, 503, Some(2)).await;
    fail(&server, broken, 500, None).await;
    fail(&server, down, 502, None).await;
    let api = api(&server);
    let pull = |repo: &str, attempts: u32| {
        let api = api.clone();
        let r = reference(repo);
        async move {
            let dir = tempfile::tempdir().unwrap();
            api.pull(&r, dir.path()).attempts(attempts).send().await
        }
    };

    // 503 is retried: the third request answers.
    pull("acme-prod/busy", 5).await.unwrap();
    assert_eq!(requests_to(&server, busy).await, 3);

    // 500 is not (core's table): one request, and the registry's status in the error.
    let e = pull("acme-prod/broken", 5).await.unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::Registry { status: 500, .. }),
        "{e:?}"
    );
    assert!(!e.is_retryable());
    assert_eq!(requests_to(&server, broken).await, 1);

    // 502 is, as many times as the pull's attempts.
    let e = pull("acme-prod/down", 3).await.unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::Registry { status: 502, .. }),
        "{e:?}"
    );
    assert!(e.is_retryable(), "{e:?}");
    assert_eq!(requests_to(&server, down).await, 3);
}

#[tokio::test]
async fn a_busy_blob_is_retried_and_announced() {
    let server = MockServer::start().await;
    mount_challenge(&server).await;
    mount_image(&server, "acme-prod/api").await;
    let layer = format!("/v2/acme-prod/api/blobs/{}", digest(LAYER));
    fail(&server, &layer, 503, Some(1)).await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let dir = tempfile::tempdir().unwrap();
    let report = api(&server)
        .pull(&reference("acme-prod/api"), dir.path())
        .on_progress(move |e| seen.lock().unwrap().push(e.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(report.layers[0].digest, digest(LAYER));
    assert_eq!(requests_to(&server, &layer).await, 2);
    let retries: Vec<(String, u32)> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            PullEvent::BlobRetry {
                digest, attempt, ..
            } => Some((digest.clone(), *attempt)),
            _ => None,
        })
        .collect();
    assert_eq!(retries, [(digest(LAYER), 1)], "one retry, after attempt 1");

    // Always busy: as many requests as attempts, then the registry's status.
    let server = MockServer::start().await;
    mount_challenge(&server).await;
    mount_image(&server, "acme-prod/api").await;
    fail(&server, &layer, 503, None).await;
    let e = self::api(&server)
        .pull(
            &reference("acme-prod/api"),
            tempfile::tempdir().unwrap().path(),
        )
        .attempts(2)
        .concurrency(1)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(e.diagnosis(), Diagnosis::Registry { status: 503, .. }),
        "{e:?}"
    );
    assert_eq!(requests_to(&server, &layer).await, 2);
}
