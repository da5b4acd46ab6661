//! The registry (OCI distribution) endpoint, spoken to with plain HTTP: the challenge and the
//! token realm, authorization before existence, tokens bound to a region, manifests and the
//! `Accept` header, blob ranges, faults.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::net::{Ipv4Addr, SocketAddr};

use base64::Engine as _;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, RANGE, WWW_AUTHENTICATE};
use scaleway_sim::{Faults, Scenario, Sim};
use sha2::{Digest as _, Sha256};

const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

fn sha256(data: &[u8]) -> String {
    let hex: String = Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

fn v2(sim: &Sim, region: &str, rest: &str) -> String {
    format!("http://{}/v2/{rest}", sim.registry_host(region).unwrap())
}

/// The realm named by the challenge of `GET /v2/` on `region`'s registry.
async fn realm(sim: &Sim, region: &str) -> String {
    let r = http().get(v2(sim, region, "")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let challenge = r.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    let start = challenge.find("realm=\"").unwrap() + 7;
    let end = challenge[start..].find('"').unwrap() + start;
    challenge[start..end].to_owned()
}

/// A pull token for `repository` from `region`'s realm, with `credential`'s secret key (or
/// anonymous).
async fn token(sim: &Sim, region: &str, repository: &str, credential: Option<&str>) -> String {
    let url = format!(
        "{}?service=registry&scope=repository:{repository}:pull",
        realm(sim, region).await
    );
    let mut req = http().get(url);
    if let Some(name) = credential {
        let secret = &sim.credential(name).unwrap().secret_key;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("nologin:{secret}"));
        req = req.header(AUTHORIZATION, format!("Basic {basic}"));
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: serde_json::Value = r.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

async fn get(url: &str, token: Option<&str>, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut req = http().get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

async fn error_code(r: reqwest::Response) -> (StatusCode, String) {
    let status = r.status();
    let body: serde_json::Value = r.json().await.unwrap_or_default();
    let code = body["errors"][0]["code"].as_str().unwrap_or("").to_owned();
    (status, code)
}

#[tokio::test]
async fn anonymous_callers_get_the_challenge_whether_or_not_the_repository_exists() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    for repo in [
        "acme-prod/api",
        "acme-prod/missing",
        "no-such-namespace/api",
    ] {
        let r = get(
            &v2(&sim, "fr-par", &format!("{repo}/manifests/latest")),
            None,
            &[],
        )
        .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{repo}");
        let challenge = r.headers()[WWW_AUTHENTICATE].to_str().unwrap();
        assert!(
            challenge.contains(&format!("scope=\"repository:{repo}:pull\"")),
            "{challenge}"
        );
    }
    // An anonymous token changes nothing for a private namespace.
    let t = token(&sim, "fr-par", "acme-prod/missing", None).await;
    let r = get(
        &v2(&sim, "fr-par", "acme-prod/missing/manifests/latest"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_key_without_read_access_is_refused_before_existence_is_revealed() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    // The scanner reads production (acme-prod, fr-par) only; acme-staging is in nl-ams.
    for repo in [
        "acme-staging/api",
        "acme-staging/missing",
        "no-such-namespace/api",
    ] {
        let t = token(&sim, "nl-ams", repo, Some("registry-scanner")).await;
        let r = get(
            &v2(&sim, "nl-ams", &format!("{repo}/manifests/staging")),
            Some(&t),
            &[],
        )
        .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{repo}");
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["details"][0]["resource"], "api_namespace", "{repo}");
    }
    // Where it may read, a missing image is NAME_UNKNOWN and a missing tag MANIFEST_UNKNOWN.
    let t = token(
        &sim,
        "fr-par",
        "acme-prod/missing",
        Some("registry-scanner"),
    )
    .await;
    let r = get(
        &v2(&sim, "fr-par", "acme-prod/missing/manifests/latest"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::NOT_FOUND, "NAME_UNKNOWN".into())
    );
    let t = token(&sim, "fr-par", "acme-prod/api", Some("registry-scanner")).await;
    let r = get(
        &v2(&sim, "fr-par", "acme-prod/api/manifests/nope"),
        Some(&t),
        &[("accept", INDEX)],
    )
    .await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::NOT_FOUND, "MANIFEST_UNKNOWN".into())
    );
    // A missing namespace is NAME_UNKNOWN only for a key that reads every project.
    let t = token(&sim, "fr-par", "no-such-namespace/api", Some("admin")).await;
    let r = get(
        &v2(&sim, "fr-par", "no-such-namespace/api/manifests/latest"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(
        error_code(r).await,
        (StatusCode::NOT_FOUND, "NAME_UNKNOWN".into())
    );
}

#[tokio::test]
async fn a_token_is_valid_only_on_the_registry_of_the_region_that_issued_it() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let t = token(&sim, "fr-par", "acme-prod/api", Some("admin")).await;
    assert_eq!(
        get(&v2(&sim, "fr-par", ""), Some(&t), &[]).await.status(),
        StatusCode::OK
    );
    for region in ["nl-ams", "pl-waw"] {
        assert_eq!(
            get(&v2(&sim, region, ""), Some(&t), &[]).await.status(),
            StatusCode::UNAUTHORIZED,
            "{region}"
        );
        let r = get(&v2(&sim, region, "acme-prod/api/tags/list"), Some(&t), &[]).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{region}");
    }
    // Nor for another repository, nor when it is not a token at all.
    let r = get(
        &v2(&sim, "fr-par", "acme-prod/worker/tags/list"),
        Some(&t),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = get(
        &v2(&sim, "fr-par", "acme-prod/api/tags/list"),
        Some("forged"),
        &[],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The realm refuses a secret key it does not know.
    let basic = base64::engine::general_purpose::STANDARD
        .encode("nologin:00000000-0000-4000-8000-000000000000");
    let r = http()
        .get(format!(
            "{}?service=registry&scope=repository:acme-prod/api:pull",
            realm(&sim, "fr-par").await
        ))
        .header(AUTHORIZATION, format!("Basic {basic}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["type"], "denied_authentication");
}

#[tokio::test]
async fn manifests_follow_accept_and_blobs_honour_ranges() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let t = token(&sim, "fr-par", "acme-prod/api", Some("registry-scanner")).await;
    let url = v2(&sim, "fr-par", "acme-prod/api/manifests/latest");

    // The tag names an index: served to a client that accepts indexes, with its digest.
    let r = get(
        &url,
        Some(&t),
        &[("accept", &format!("{MANIFEST}, {INDEX}"))],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], INDEX);
    let digest = r.headers()["docker-content-digest"]
        .to_str()
        .unwrap()
        .to_owned();
    let index = r.bytes().await.unwrap();
    assert_eq!(digest, sha256(&index));
    // Not to one that does not.
    for accept in [None, Some(MANIFEST)] {
        let headers: Vec<(&str, &str)> = accept.map(|a| ("accept", a)).into_iter().collect();
        let r = get(&url, Some(&t), &headers).await;
        assert_eq!(
            error_code(r).await,
            (StatusCode::NOT_FOUND, "MANIFEST_UNKNOWN".into()),
            "{accept:?}"
        );
    }

    // A platform manifest by digest, whatever the Accept; then its config blob.
    let index: serde_json::Value = serde_json::from_slice(&index).unwrap();
    let m_digest = index["manifests"][0]["digest"].as_str().unwrap();
    let r = get(
        &v2(
            &sim,
            "fr-par",
            &format!("acme-prod/api/manifests/{m_digest}"),
        ),
        Some(&t),
        &[(ACCEPT.as_str(), MANIFEST)],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let manifest: serde_json::Value = r.json().await.unwrap();
    let layer = manifest["layers"][0]["digest"].as_str().unwrap().to_owned();
    let blob_url = v2(&sim, "fr-par", &format!("acme-prod/api/blobs/{layer}"));
    let whole = get(&blob_url, Some(&t), &[]).await.bytes().await.unwrap();
    let len = whole.len();
    assert!(len > 20);
    assert_eq!(layer, sha256(&whole));

    let ranged = |range: String| {
        let (t, blob_url) = (t.clone(), blob_url.clone());
        async move { get(&blob_url, Some(&t), &[(RANGE.as_str(), range.as_str())]).await }
    };
    // The last 10 bytes.
    let r = ranged("bytes=-10".into()).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes {}-{}/{len}", len - 10, len - 1).as_str()
    );
    assert_eq!(r.bytes().await.unwrap(), whole.slice(len - 10..));
    // From an offset.
    let r = ranged("bytes=5-".into()).await;
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(r.bytes().await.unwrap(), whole.slice(5..));
    // Past the end.
    let r = ranged(format!("bytes={len}-")).await;
    assert_eq!(r.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        r.headers()["content-range"],
        format!("bytes */{len}").as_str()
    );
    // Several ranges, or a malformed one: ignored, the whole blob.
    for range in ["bytes=0-1,5-6", "bytes=9-2", "lines=1-2"] {
        let r = ranged(range.into()).await;
        assert_eq!(r.status(), StatusCode::OK, "{range}");
        assert_eq!(r.bytes().await.unwrap(), whole, "{range}");
    }
}

#[tokio::test]
async fn the_json_apis_faults_apply_to_the_registry() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let before = sim.request_count();
    let r = get(&v2(&sim, "fr-par", ""), None, &[]).await;
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(sim.request_count(), before + 1);
    sim.set_faults(Faults {
        rate_limit: Some(0),
        ..Faults::default()
    });
    let r = get(&v2(&sim, "fr-par", ""), None, &[]).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.headers()["x-envoy-ratelimited"], "true");
    assert!(r.bytes().await.unwrap().is_empty());
    sim.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert_eq!(
        get(&v2(&sim, "fr-par", ""), None, &[]).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
}

#[tokio::test]
async fn bound_to_every_interface_the_realm_names_the_host_the_client_used() {
    let sim = Sim::builder(Scenario::demo())
        .addr(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 0))
        .start()
        .await
        .unwrap();
    let host = sim.registry_host("fr-par").unwrap();
    let port = host.rsplit_once(':').unwrap().1;
    let r = http()
        .get(format!("http://127.0.0.1:{port}/v2/"))
        .send()
        .await
        .unwrap();
    let challenge = r.headers()[WWW_AUTHENTICATE].to_str().unwrap().to_owned();
    assert!(
        challenge.contains("realm=\"http://127.0.0.1:"),
        "{challenge}"
    );
    assert!(!challenge.contains("0.0.0.0"), "{challenge}");
    // And the realm answers there.
    let start = challenge.find("realm=\"").unwrap() + 7;
    let end = challenge[start..].find('"').unwrap() + start;
    let r = http().get(&challenge[start..end]).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}
