#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! A known secret key goes through every path (config loading from env and file, Debug,
//! Display, JSON, config errors, HTTP errors, retries, tracing at TRACE level) and is
//! grepped for in everything those paths print.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use scaleway_core::{Client, Config, Env, RetryPolicy};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "f00dcafe-1234-4abc-8def-0123456789ab";
/// Fragments that must never appear either.
const FRAGMENTS: &[&str] = &["f00dcafe", "0123456789ab"];

fn assert_clean(what: &str, text: &str) {
    for f in FRAGMENTS {
        assert!(!text.contains(f), "{what} leaks the secret: {text}");
    }
}

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_secret_never_appears_anywhere() {
    let logs = Buf::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(503)
                .set_body_string(r#"{"message":"try later","type":"unknown"}"#),
        )
        .mount(&server)
        .await;

    // Secret from a config file, access key and URL from the environment.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(".config/scw/config.yaml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        format!("secret_key: {SECRET}\nprofiles:\n  p:\n    default_zone: fr-par-1\n"),
    )
    .unwrap();
    let env = Env::from_pairs([
        ("HOME", dir.path().to_str().unwrap()),
        ("SCW_ACCESS_KEY", "SCWXXXXXXXXXXXXXXXXX"),
        ("SCW_API_URL", server.uri().as_str()),
        ("SCW_PROFILE", "p"),
    ]);
    assert_clean("Env Debug", &format!("{env:?}"));
    let report = Config::loader().env(env.clone()).report().unwrap();
    assert_clean("report Debug", &format!("{report:?}"));
    assert_clean("report JSON", &serde_json::to_string(&report).unwrap());
    let config = report.into_config().unwrap();
    assert_eq!(config.require_secret_key().unwrap().expose_secret(), SECRET);
    assert_clean("Config Debug", &format!("{config:?} {config:#?}"));
    assert_clean(
        "Config JSON",
        &serde_json::to_string_pretty(&config).unwrap(),
    );

    let client = Client::builder()
        .config(config)
        .retry(
            RetryPolicy::default()
                .with_initial_backoff(Duration::from_millis(1))
                .with_max_attempts(3),
        )
        .build()
        .unwrap();
    assert_clean("Client Debug", &format!("{client:?}"));

    // An API error after retries.
    let err = client
        .get("/x/{id}")
        .path("id", "1")
        .send_empty()
        .await
        .unwrap_err();
    assert_eq!(err.attempts(), 3);
    assert_clean("API error", &format!("{err} {err:?}"));
    // The token was sent, but only as the header.
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs[0].headers.get("x-auth-token").unwrap(), SECRET);
    assert_clean("request URL", reqs[0].url.as_str());

    // Basic auth with the secret (the registry realm's way): not in Debug, nor in errors.
    let secret: scaleway_core::SecretKey = SECRET.parse().unwrap();
    let url = url::Url::parse(&format!("{}/token", server.uri())).unwrap();
    let request = client
        .request_url(scaleway_core::Method::Get, url, "registry:token")
        .basic_auth("nologin", &secret);
    assert_clean(
        "RequestBuilder Debug with basic auth",
        &format!("{request:?}"),
    );
    let err = request.send_empty().await.unwrap_err();
    assert_clean("basic-auth error", &format!("{err} {err:?}"));

    // A transport error.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut env2 = env.clone();
    env2.set("SCW_API_URL", format!("http://127.0.0.1:{port}"));
    let c2 = Client::new(Config::loader().env(env2).load().unwrap()).unwrap();
    let err = c2
        .get("/x")
        .retry(RetryPolicy::never())
        .send_empty()
        .await
        .unwrap_err();
    assert_clean("transport error", &format!("{err} {err:?}"));

    // Config errors about the secret itself, from env and from file.
    let mut bad = env.clone();
    bad.set("SCW_SECRET_KEY", format!("{SECRET}-extra"));
    let err = Config::loader().env(bad).load().unwrap_err();
    assert!(
        err.to_string()
            .contains("SCW_SECRET_KEY=[redacted] (environment)"),
        "{err}"
    );
    assert_clean("config error", &format!("{err} {err:?}"));
    std::fs::write(&path, format!("secret_key: [{SECRET}\n")).unwrap();
    let err = Config::loader().env(env.clone()).load().unwrap_err();
    assert_clean("YAML error", &format!("{err} {err:?}"));
    std::fs::write(
        &path,
        format!("secret_key: {SECRET}\n  bad indent: {SECRET}\n"),
    )
    .unwrap();
    let err = Config::loader().env(env).load().unwrap_err();
    assert_clean("YAML error 2", &format!("{err} {err:?}"));

    drop(_guard);
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("scaleway.request"),
        "tracing captured the calls: {logs}"
    );
    assert!(logs.contains("retrying GET /x/{id}"), "{logs}");
    assert_clean("tracing output", &logs);
}
