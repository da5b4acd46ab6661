#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! The HTTP path against wiremock: request shape, each retry rule, both pagination styles,
//! and locality fan-out. Timeouts, backoff, budgets and concurrency: tests/timing.rs.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use scaleway_core::{
    ApiErrorKind, Client, Completeness, Config, DEFAULT_MAX_PASSES, Env, ErrorKind, Listable,
    Locality, LocalityOutcome, ProductLocalities, Region, RetryPolicy, Zone, fanout,
};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SECRET: &str = "5e1d7c0a-9b8f-4c3d-a2e1-0f9e8d7c6b5a";
const ACCESS: &str = "SCWABCDEFGHIJKLMNOPQ";

fn client_for(server: &MockServer, retry: RetryPolicy) -> Client {
    let env = Env::from_pairs([
        ("SCW_ACCESS_KEY", ACCESS),
        ("SCW_SECRET_KEY", SECRET),
        ("SCW_API_URL", server.uri().as_str()),
    ]);
    let config = Config::loader().env(env).load().unwrap();
    Client::builder()
        .config(config)
        .retry(retry)
        .user_agent_suffix("backup-tool/2.1")
        .build()
        .unwrap()
}

fn fast_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
        .with_max_attempts(5)
        .with_budget(Duration::from_secs(10))
}

#[tokio::test]
async fn sends_auth_user_agent_and_json() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/iam/v1alpha1/applications"))
        .and(header("x-auth-token", SECRET))
        .and(header("content-type", "application/json"))
        .and(header("accept", "application/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "app-1"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server, RetryPolicy::never());
    let v: Value = client
        .post("/iam/v1alpha1/applications")
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(v["id"], "app-1");
    let reqs = server.received_requests().await.unwrap();
    let ua = reqs[0].headers.get("user-agent").unwrap().to_str().unwrap();
    assert!(
        ua.starts_with(&format!(
            "scaleway-sdk-rust/{} (scaleway-core; ",
            env!("CARGO_PKG_VERSION")
        )),
        "{ua}"
    );
    assert!(ua.ends_with(" backup-tool/2.1"), "{ua}");
    assert_eq!(reqs[0].body_json::<Value>().unwrap(), json!({"name": "x"}));
}

#[tokio::test]
async fn path_params_and_repeated_or_joined_queries() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/instance/v1/zones/nl-ams-2/servers/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"server": {}})))
        .mount(&server)
        .await;
    let client = client_for(&server, RetryPolicy::never());
    let _: Value = client
        .get("/instance/v1/zones/{zone}/servers/{server_id}")
        .zone(&Zone::NlAms2)
        .path("server_id", "abc")
        .query_each("tags", ["a", "b"])
        .query_csv("servers", ["x", "y"])
        .query_opt("name", None::<&str>)
        .send()
        .await
        .unwrap();
    let reqs = server.received_requests().await.unwrap();
    assert_eq!(reqs[0].url.query(), Some("tags=a&tags=b&servers=x%2Cy"));

    let err = client
        .get("/instance/v1/zones/{zone}/servers/{server_id}")
        .zone(&Zone::NlAms2)
        .path("server_id", "")
        .send_empty()
        .await
        .unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::InvalidRequest(_)), "{err}");
    assert!(err.to_string().contains("`server_id` is empty"), "{err}");
    assert_eq!(err.attempts(), 0);
}

#[tokio::test]
async fn error_keeps_status_request_id_and_excerpt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .insert_header("x-request-id", "req-42")
                .set_body_json(json!({"type":"not_found","message":"resource is not found","resource":"instance_server","resource_id":"abc"})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, fast_retry());
    let err = client
        .get("/instance/v1/zones/{zone}/servers/{id}")
        .zone(&Zone::FrPar1)
        .path("id", "abc")
        .send_empty()
        .await
        .unwrap_err();
    assert!(err.is_not_found());
    assert!(!err.is_retryable());
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.request_id(), Some("req-42"));
    assert_eq!(err.attempts(), 1);
    assert!(err.body_excerpt().unwrap().contains("instance_server"));
    assert_eq!(
        err.to_string(),
        "GET /instance/v1/zones/{zone}/servers/{id} [fr-par-1]: HTTP 404: instance_server abc not found [request id req-42]"
    );
}

/// Answers `statuses[i]` to the i-th request, then the last one forever.
struct Sequence {
    statuses: Vec<u16>,
    seen: Arc<Mutex<usize>>,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut n = self.seen.lock().unwrap();
        let status = self.statuses[(*n).min(self.statuses.len() - 1)];
        *n += 1;
        match status {
            200 => ResponseTemplate::new(200).set_body_json(json!({"ok": true})),
            // The real rate limit: empty body, no content type, no Retry-After.
            429 => ResponseTemplate::new(429).insert_header("x-envoy-ratelimited", "true"),
            s => ResponseTemplate::new(s).set_body_string("upstream unavailable"),
        }
    }
}

async fn sequence(server: &MockServer, statuses: &[u16]) -> Arc<Mutex<usize>> {
    let seen = Arc::new(Mutex::new(0));
    Mock::given(wiremock::matchers::any())
        .respond_with(Sequence {
            statuses: statuses.to_vec(),
            seen: Arc::clone(&seen),
        })
        .mount(server)
        .await;
    seen
}

#[tokio::test]
async fn retry_429_then_200() {
    let server = MockServer::start().await;
    let seen = sequence(&server, &[429, 200]).await;
    let client = client_for(&server, fast_retry());
    let before = client.stats();
    let v: Value = client.get("/x").send().await.unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(*seen.lock().unwrap(), 2);
    let stats = client.clone().stats().since(&before);
    assert_eq!(
        (stats.attempts, stats.retries, stats.rate_limited),
        (2, 1, 1)
    );
}

#[tokio::test]
async fn post_retried_on_429_but_not_on_503() {
    let server = MockServer::start().await;
    let seen = sequence(&server, &[429, 429, 200]).await;
    let client = client_for(&server, fast_retry());
    client
        .post("/x")
        .json(&json!({}))
        .send_empty()
        .await
        .unwrap();
    assert_eq!(*seen.lock().unwrap(), 3);

    let server = MockServer::start().await;
    let seen = sequence(&server, &[503, 200]).await;
    let client = client_for(&server, fast_retry());
    let err = client
        .post("/x")
        .json(&json!({}))
        .send_empty()
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.attempts(), 1);
    assert_eq!(
        *seen.lock().unwrap(),
        1,
        "a POST that may have been processed is not repeated"
    );
}

#[tokio::test]
async fn connection_failures_are_retried_and_reported() {
    // A port nobody listens on.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let env = Env::from_pairs([
        ("SCW_ACCESS_KEY", ACCESS),
        ("SCW_SECRET_KEY", SECRET),
        ("SCW_API_URL", format!("http://127.0.0.1:{port}").as_str()),
    ]);
    let client = Client::builder()
        .config(Config::loader().env(env).load().unwrap())
        .retry(fast_retry().with_max_attempts(3))
        .build()
        .unwrap();
    let err = client.post("/x").send_empty().await.unwrap_err();
    assert!(err.is_transport(), "{err}");
    assert!(
        matches!(err.kind(), ErrorKind::Transport { connect: true, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.attempts(),
        3,
        "connect errors are retried even for POST"
    );
    assert!(!err.to_string().contains(SECRET));
}

#[tokio::test]
async fn retry_can_be_switched_off() {
    let server = MockServer::start().await;
    let seen = sequence(&server, &[429, 200]).await;
    let client = client_for(&server, fast_retry());
    let err = client
        .get("/x")
        .retry(RetryPolicy::never())
        .send_empty()
        .await
        .unwrap_err();
    assert!(err.is_rate_limited());
    assert!(matches!(
        err.api_error().unwrap().kind,
        ApiErrorKind::RateLimited {
            envoy: true,
            retry_after_secs: None,
            ..
        }
    ));
    assert_eq!(*seen.lock().unwrap(), 1);
}

// ---------------------------------------------------------------- pagination

/// Serves `total` items `{ "id": i }` under `key`, paginated either way.
#[derive(Clone)]
struct Pages {
    key: &'static str,
    total: usize,
    /// What the server claims as the total (may lie).
    claimed_total: Option<u64>,
    instance: bool,
    /// The largest page the server serves, whatever is asked.
    cap: Option<usize>,
    log: Arc<Mutex<Vec<u32>>>,
}

impl Pages {
    fn new(key: &'static str, total: usize, instance: bool) -> Self {
        Pages {
            key,
            total,
            claimed_total: None,
            instance,
            cap: None,
            log: Arc::default(),
        }
    }
}

impl Respond for Pages {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q: std::collections::HashMap<String, String> =
            req.url.query_pairs().into_owned().collect();
        let page: u32 = q["page"].parse().unwrap();
        let size_key = if self.instance {
            "per_page"
        } else {
            "page_size"
        };
        let size: usize = match q.get(size_key) {
            Some(s) => s.parse().unwrap(),
            None => return ResponseTemplate::new(400).set_body_string("missing page size"),
        };
        if size > 100 {
            return ResponseTemplate::new(400).set_body_json(json!({"type":"invalid_arguments","message":"invalid argument(s)","details":[{"argument_name":size_key,"reason":"constraint","help_message":"must be <= 100"}]}));
        }
        self.log.lock().unwrap().push(page);
        let size = self.cap.map_or(size, |c| size.min(c));
        let start = (page as usize - 1) * size;
        let items: Vec<Value> = (start..(start + size).min(self.total))
            .map(|i| json!({"id": i}))
            .collect();
        let claimed = self.claimed_total.unwrap_or(self.total as u64);
        if self.instance {
            ResponseTemplate::new(200)
                .insert_header("x-total-count", claimed.to_string().as_str())
                .set_body_json(json!({ self.key: items }))
        } else {
            ResponseTemplate::new(200)
                .set_body_json(json!({ self.key: items, "total_count": claimed }))
        }
    }
}

#[derive(serde::Deserialize, Debug, PartialEq)]
#[serde(from = "RawItem")]
struct Item {
    id: usize,
    key: String,
}

#[derive(serde::Deserialize)]
struct RawItem {
    id: usize,
}

impl From<RawItem> for Item {
    fn from(r: RawItem) -> Self {
        Item {
            id: r.id,
            key: r.id.to_string(),
        }
    }
}

impl scaleway_core::ListItem for Item {
    fn list_id(&self) -> std::borrow::Cow<'_, str> {
        self.key.as_str().into()
    }
    fn list_created_at(&self) -> Option<scaleway_core::Timestamp> {
        None
    }
}

async fn list(pages: Pages) -> (Vec<usize>, Vec<u32>) {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(pages.clone())
        .mount(&server)
        .await;
    let client = client_for(&server, RetryPolicy::never());
    let mut p = client.get("/x").paginate::<Item>(pages.key);
    if pages.instance {
        p = p.per_page_style();
    }
    let items: Vec<Item> = p.items().try_collect().await.unwrap();
    let mut requested: Vec<u32> = pages.log.lock().unwrap().clone();
    requested.sort_unstable();
    (items.into_iter().map(|i| i.id).collect(), requested)
}

#[tokio::test]
async fn page_size_style_counts() {
    for (n, pages) in [(0, 1), (1, 1), (100, 1), (101, 2), (1000, 10)] {
        let (items, requested) = list(Pages::new("volumes", n, false)).await;
        assert_eq!(
            items,
            (0..n).collect::<Vec<_>>(),
            "{n} items in order, no duplicates"
        );
        assert_eq!(
            requested,
            (1..=pages).collect::<Vec<u32>>(),
            "{n} items: fewest requests"
        );
    }
}

#[tokio::test]
async fn per_page_style_counts() {
    for (n, pages) in [(0, 1), (1, 1), (100, 1), (101, 2), (1000, 10)] {
        let (items, requested) = list(Pages::new("servers", n, true)).await;
        assert_eq!(items, (0..n).collect::<Vec<_>>(), "{n} items");
        assert_eq!(requested, (1..=pages).collect::<Vec<u32>>(), "{n} items");
    }
}

#[tokio::test]
async fn a_total_that_lies_high_stops_on_the_short_page_and_says_so() {
    let mut p = Pages::new("vpcs", 150, false);
    p.claimed_total = Some(100_000);
    let log = Arc::clone(&p.log);
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(p)
        .mount(&server)
        .await;
    let client = client_for(&server, RetryPolicy::never());
    let mut listing = client.get("/x").paginate::<Item>("vpcs").listing();
    let mut ids = Vec::new();
    while let Some(page) = listing.next().await {
        ids.extend(page.unwrap().items.into_iter().map(|i| i.id));
    }
    // Every item once: later passes yield nothing new.
    assert_eq!(ids, (0..150).collect::<Vec<_>>());
    // 150 items where 100 000 were announced cannot be proven complete: read again up to
    // the bound, then said.
    let report = listing.report().unwrap();
    assert_eq!(report.completeness, Completeness::MayBeIncomplete);
    assert_eq!(report.passes, DEFAULT_MAX_PASSES);
    assert_eq!(report.possibly_missing, 100_000 - 150);
    let requested = log.lock().unwrap().len();
    // Each pass is bounded by the concurrency window (16) plus the pages started while the
    // short page was being yielded — never the 1000 pages the total promised.
    assert!(
        requested <= DEFAULT_MAX_PASSES as usize * (1 + 16 + 2),
        "{requested}"
    );
    // The plain stream ends with an error saying so, after the items.
    let err = client
        .get("/x")
        .paginate::<Item>("vpcs")
        .max_passes(1)
        .collect()
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::IncompleteListing { passes: 1, missing } if *missing == 100_000 - 150),
        "{err:?}"
    );
    assert!(err.to_string().contains("kept changing"), "{err}");
}

#[tokio::test]
async fn a_total_below_the_first_page_is_not_believed() {
    let mut p = Pages::new("vpcs", 1000, false);
    p.claimed_total = Some(0);
    let (items, requested) = list(p).await;
    // The first page holds more than the total claims: pages are read one by one until
    // the empty page, so nothing is lost and nothing loops.
    assert_eq!(items, (0..1000).collect::<Vec<_>>());
    assert_eq!(requested, (1..=11).collect::<Vec<u32>>());
}

#[tokio::test]
async fn a_server_capping_the_page_size_loses_nothing() {
    let mut p = Pages::new("secrets", 120, false);
    p.cap = Some(50);
    let (items, requested) = list(p).await;
    assert_eq!(items, (0..120).collect::<Vec<_>>());
    assert_eq!(requested, vec![1, 2, 3]);
}

#[tokio::test]
async fn instance_link_header_without_total() {
    // No X-Total-Count: the Link rel="last" gives the page count.
    struct LinkOnly;
    impl Respond for LinkOnly {
        fn respond(&self, req: &Request) -> ResponseTemplate {
            let page: usize = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .unwrap()
                .1
                .parse()
                .unwrap();
            let items: Vec<Value> = ((page - 1) * 100..(page * 100).min(250))
                .map(|i| json!({"id": i}))
                .collect();
            ResponseTemplate::new(200)
                .insert_header("link", r#"</servers?page=2&per_page=100&>; rel="next",</servers?page=3&per_page=100&>; rel="last""#)
                .set_body_json(json!({"servers": items}))
        }
    }
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(LinkOnly)
        .mount(&server)
        .await;
    let client = client_for(&server, RetryPolicy::never());
    let items = client
        .get("/x")
        .paginate::<Item>("servers")
        .per_page_style()
        .collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 250);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn pagination_decode_error_names_the_path() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"servers": [{"id": 1}, {"id": "two"}]})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, RetryPolicy::never());
    let err = client
        .get("/x")
        .paginate::<Item>("servers")
        .collect()
        .await
        .unwrap_err();
    let ErrorKind::Decode(d) = err.kind() else {
        panic!("{err:?}")
    };
    assert_eq!(d.path, "servers[1].id");
    let err = client
        .get("/x")
        .paginate::<Item>("volumes")
        .collect()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("missing field `volumes`"), "{err}");
}

// ---------------------------------------------------------------- fan-out

#[tokio::test]
async fn fan_out_reports_each_locality() {
    let server = MockServer::start().await;
    // Block exists in nl-ams-1 and pl-waw-1 (failing), not in it-mil-1 (never queried).
    Mock::given(method("GET"))
        .and(path("/block/v1alpha1/zones/fr-par-1/volumes"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"volumes": [{"id": 1}], "total_count": 1})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/block/v1alpha1/zones/nl-ams-1/volumes"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(json!({"message": "unknown service"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/block/v1alpha1/zones/nl-ams-2/volumes"))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"message": "Unknown zone in path"})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/block/v1alpha1/zones/pl-waw-1/volumes"))
        .and(query_param("page", "1"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"message": "internal error"})),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, fast_retry());
    let only = vec![
        Locality::Zone(Zone::FrPar1),
        Locality::Zone(Zone::NlAms1),
        Locality::Zone(Zone::NlAms2),
        Locality::Zone(Zone::PlWaw1),
        Locality::Zone(Zone::ItMil1),
        Locality::Region(Region::FrPar),
    ];
    let results = fanout::fan_out(ProductLocalities::BLOCK, Some(only.clone()), 4, |loc| {
        let client = client.clone();
        async move {
            client
                .get("/block/v1alpha1/zones/{zone}/volumes")
                .locality(&loc)
                .paginate::<Item>("volumes")
                .collect()
                .await
        }
    })
    .await;
    let got: Vec<&Locality> = results.iter().map(|r| &r.locality).collect();
    assert_eq!(
        got,
        only.iter().collect::<Vec<_>>(),
        "results keep the requested order"
    );
    assert!(matches!(&results[0].outcome, LocalityOutcome::Ok(v) if v.len() == 1));
    assert!(matches!(results[1].outcome, LocalityOutcome::NotAvailable));
    assert!(matches!(results[2].outcome, LocalityOutcome::NotAvailable));
    match &results[3].outcome {
        LocalityOutcome::Failed(e) => {
            assert_eq!(e.status(), Some(500));
            assert!(e.to_string().contains("[pl-waw-1]"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(results[4].outcome, LocalityOutcome::NotAvailable));
    assert!(matches!(results[5].outcome, LocalityOutcome::NotAvailable));
    let paths: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| r.url.path().to_owned())
        .collect();
    assert!(!paths.iter().any(|p| p.contains("it-mil")), "{paths:?}");
    assert_eq!(paths.len(), 4, "{paths:?}");
}

// ---------------------------------------------------------------- transport details

#[tokio::test]
async fn redirects_are_not_followed_so_the_token_never_leaves() {
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("location", format!("{}/steal", elsewhere.uri()).as_str()),
        )
        .mount(&server)
        .await;
    let client = client_for(&server, fast_retry());
    let err = client.get("/x").send_empty().await.unwrap_err();
    assert_eq!(err.status(), Some(302));
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn api_url_with_a_path_prefix_and_absolute_urls() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/prefix/account/v3/projects"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": 1})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/bucket"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<xml/>"))
        .mount(&server)
        .await;
    let env = Env::from_pairs([
        ("SCW_ACCESS_KEY", ACCESS),
        ("SCW_SECRET_KEY", SECRET),
        ("SCW_API_URL", format!("{}/prefix", server.uri()).as_str()),
    ]);
    let client = Client::new(Config::loader().env(env).load().unwrap()).unwrap();
    let v: Value = client.get("/account/v3/projects").send().await.unwrap();
    assert_eq!(v["ok"], 1);
    // An absolute URL (S3, registry) carries no X-Auth-Token.
    let url = url::Url::parse(&format!("{}/bucket", server.uri())).unwrap();
    let r = client
        .request_url(scaleway_core::Method::Get, url, "s3:GetBucket")
        .send_raw()
        .await
        .unwrap();
    assert_eq!(r.body(), b"<xml/>");
    let reqs = server.received_requests().await.unwrap();
    assert!(reqs[0].headers.get("x-auth-token").is_some());
    assert!(reqs[1].headers.get("x-auth-token").is_none());
    // A route must be absolute; a bad header fails before sending.
    let e = client.get("account/v3").send_empty().await.unwrap_err();
    assert!(e.to_string().contains("must start with `/`"), "{e}");
    let e = client
        .get("/x")
        .header("bad header", "v")
        .send_empty()
        .await
        .unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::InvalidRequest(_)), "{e}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn decode_errors_redact_secrets_and_count_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_key": "SCWXXXXXXXXXXXXXXXXX",
            "secret_key": "0ddba11a-7e57-4ac0-9cde-0123456789ab",
            "expires_at": 12
        })))
        .mount(&server)
        .await;
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Key {
        expires_at: Option<String>,
    }
    let client = client_for(&server, RetryPolicy::never());
    let err = client.post("/iam").send::<Key>().await.unwrap_err();
    let ErrorKind::Decode(d) = err.kind() else {
        panic!("{err:?}")
    };
    assert_eq!(d.path, "expires_at");
    assert_eq!(err.attempts(), 1);
    for text in [format!("{err} {err:?}"), d.body_excerpt.clone()] {
        assert!(!text.contains("0ddba11a"), "{text}");
    }
    assert!(
        d.body_excerpt.contains("SCWXXXXXXXXXXXXXXXXX"),
        "{}",
        d.body_excerpt
    );
    // A raw response's Debug shows the body's length, not the body.
    let r = client.post("/iam").send_raw().await.unwrap();
    assert!(!format!("{r:?}").contains("0ddba11a"));
}

#[test]
fn instance_offsets_parse_as_utc() {
    let t: scaleway_core::Timestamp =
        serde_json::from_str("\"2025-11-04T10:18:39.714572+00:00\"").unwrap();
    assert_eq!(t.to_rfc3339(), "2025-11-04T10:18:39.714572+00:00");
    let t: scaleway_core::Timestamp =
        serde_json::from_str("\"2023-04-21T11:49:57.648653377+02:00\"").unwrap();
    assert_eq!(t.timestamp(), 1_682_070_597);
    let t: scaleway_core::Timestamp = serde_json::from_str("\"2035-07-06T09:00:00Z\"").unwrap();
    assert_eq!(t.timestamp_subsec_nanos(), 0);
}

#[test]
fn public_types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Client>();
    assert_send_sync::<scaleway_core::Error>();
    assert_send_sync::<scaleway_core::RequestBuilder>();
    assert_send_sync::<scaleway_core::Config>();
    fn assert_send<T: Send>(_: &T) {}
    let server_less = Client::builder()
        .config(Config::loader().env(Env::default()).load().unwrap())
        .anonymous()
        .build()
        .unwrap();
    let fut = server_less.get("/x").send::<Value>();
    assert_send(&fut);
}

#[tokio::test]
async fn basic_auth_replaces_the_token_and_any_status_hands_back_every_answer() {
    let server = MockServer::start().await;
    // A challenge with two WWW-Authenticate headers, then a realm answering 503.
    Mock::given(method("GET"))
        .and(path("/v2/"))
        .respond_with(
            ResponseTemplate::new(401)
                .append_header("www-authenticate", "Basic realm=\"x\"")
                .append_header("www-authenticate", "Bearer realm=\"https://r/t\""),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/token"))
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let client = client_for(&server, fast_retry());
    let url = |p: &str| url::Url::parse(&format!("{}{p}", server.uri())).unwrap();

    let r = client
        .request_url(scaleway_core::Method::Get, url("/v2/"), "registry:/v2/")
        .any_status()
        .send_raw()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let challenges: Vec<&str> = r
        .headers()
        .iter()
        .filter(|(k, _)| k == "www-authenticate")
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(challenges.len(), 2, "{challenges:?}");

    // Not retried: the caller decides what a 503 means here.
    let secret: scaleway_core::SecretKey = SECRET.parse().unwrap();
    let r = client
        .request_url(scaleway_core::Method::Get, url("/token"), "registry:token")
        .basic_auth("nologin", &secret)
        .any_status()
        .send_raw()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.attempts(), 1);

    let requests = server.received_requests().await.unwrap();
    let token = &requests[1];
    let expected = format!(
        "Basic {}",
        base64_encode(format!("nologin:{SECRET}").as_bytes())
    );
    assert_eq!(
        token
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        expected
    );
    for r in &requests {
        assert!(r.headers.get("x-auth-token").is_none(), "{}", r.url);
    }
    assert!(requests[0].headers.get("authorization").is_none());
}

/// Standard base64 (the test's own, to check the header independently of reqwest).
fn base64_encode(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
