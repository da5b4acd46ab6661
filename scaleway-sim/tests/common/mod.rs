//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::expect_used,
    reason = "each test binary uses a subset; test helpers may panic"
)]

use reqwest::{Method, StatusCode};
use serde_json::Value;

/// The recorded responses: `$SCALEWAY_RECORDED_DIR`, else `<workspace>/../shared/recorded`.
pub fn recorded_dir() -> std::path::PathBuf {
    #[allow(
        clippy::disallowed_methods,
        reason = "test configuration, not library code"
    )]
    if let Ok(d) = std::env::var("SCALEWAY_RECORDED_DIR") {
        return std::path::PathBuf::from(d);
    }
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/recorded")
}

/// A plain HTTP client (no retries, no pooling surprises).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder().build().expect("client")
}

/// One response, decoded.
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Sends a request with `X-Auth-Token: token` (if any) and decodes the body as JSON (Null if empty).
pub async fn call(
    c: &reqwest::Client,
    base: &url::Url,
    token: Option<&str>,
    method: Method,
    path_and_query: &str,
    body: Option<&Value>,
) -> Resp {
    let url = format!("{}{}", base.as_str().trim_end_matches('/'), path_and_query);
    let mut req = c.request(method, url);
    if let Some(t) = token {
        req = req.header("X-Auth-Token", t);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(serde_json::to_vec(b).expect("body"));
    }
    let resp = req.send().await.expect("request");
    let status = resp.status();
    let headers = resp.headers().clone();
    let raw = resp.bytes().await.expect("body").to_vec();
    let body = if raw.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&raw).unwrap_or(Value::Null)
    };
    Resp {
        status,
        headers,
        body,
        raw,
    }
}

pub async fn get(c: &reqwest::Client, base: &url::Url, token: &str, path: &str) -> Resp {
    call(c, base, Some(token), Method::GET, path, None).await
}
