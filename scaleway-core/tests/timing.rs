#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Retries, backoff, budgets, timeouts and concurrency, on time the tests control.
//!
//! The client runs on a [`ManualClock`]: a backoff returns at once and moves the clock by its
//! length, an attempt's timeout fires only when the clock passes it, and the jitter is fixed.
//! The servers answer over real sockets (wiremock in its own thread, or axum in the test's
//! runtime), which take no time on that clock, so every figure below is exact. Nothing here
//! reads the wall clock; where an order of events matters, the server signals it.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::TryStreamExt;
use scaleway_core::testing::ManualClock;
use scaleway_core::{Client, Config, Env, Listable, RetryPolicy};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

const SECRET: &str = "5e1d7c0a-9b8f-4c3d-a2e1-0f9e8d7c6b5a";
const ACCESS: &str = "SCWABCDEFGHIJKLMNOPQ";
const MS: Duration = Duration::from_millis(1);

fn client(api_url: &str, retry: RetryPolicy, clock: &ManualClock) -> Client {
    let env = Env::from_pairs([
        ("SCW_ACCESS_KEY", ACCESS),
        ("SCW_SECRET_KEY", SECRET),
        ("SCW_API_URL", api_url),
    ]);
    Client::builder()
        .config(Config::loader().env(env).load().unwrap())
        .retry(retry)
        .clock(clock.clone())
        .build()
        .unwrap()
}

/// Answers `statuses[i]` to the i-th request, then the last one forever; `retry-after`
/// (seconds) on the first answer when given.
struct Sequence {
    statuses: Vec<u16>,
    first_retry_after: Option<&'static str>,
    seen: Arc<AtomicUsize>,
}

impl Respond for Sequence {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let n = self.seen.fetch_add(1, Ordering::SeqCst);
        let status = self.statuses[n.min(self.statuses.len() - 1)];
        let t = match status {
            200 => ResponseTemplate::new(200).set_body_json(json!({"ok": true})),
            // The real rate limit: empty body, no content type, no Retry-After.
            429 => ResponseTemplate::new(429).insert_header("x-envoy-ratelimited", "true"),
            s => ResponseTemplate::new(s).set_body_string("upstream unavailable"),
        };
        match self.first_retry_after {
            Some(secs) if n == 0 => t.insert_header("retry-after", secs),
            _ => t,
        }
    }
}

async fn sequence(
    statuses: &[u16],
    first_retry_after: Option<&'static str>,
) -> (MockServer, Arc<AtomicUsize>) {
    let server = MockServer::start().await;
    let seen = Arc::new(AtomicUsize::new(0));
    Mock::given(wiremock::matchers::any())
        .respond_with(Sequence {
            statuses: statuses.to_vec(),
            first_retry_after,
            seen: Arc::clone(&seen),
        })
        .mount(&server)
        .await;
    (server, seen)
}

#[tokio::test]
async fn the_budget_stops_retrying_before_the_attempt_limit() {
    let (server, seen) = sequence(&[503], None).await;
    let clock = ManualClock::new(); // jitter 1.0: each backoff is its ceiling
    let policy = RetryPolicy::default()
        .with_initial_backoff(20 * MS)
        .with_max_backoff(40 * MS)
        .with_max_attempts(1000)
        .with_budget(300 * MS);
    let client = client(&server.uri(), policy, &clock);
    let err = client.get("/x").send_empty().await.unwrap_err();
    // 20, then 40 ms each: after the 8th attempt (260 ms in), 40 ms more would reach the
    // 300 ms budget, so it stops there, far from the 1000-attempt limit.
    assert_eq!(clock.sleeps(), [20, 40, 40, 40, 40, 40, 40].map(|n| n * MS));
    assert_eq!(clock.elapsed(), 260 * MS);
    assert_eq!(seen.load(Ordering::SeqCst), 8);
    assert_eq!(err.attempts(), 8);
    assert_eq!(err.status(), Some(503));
    assert!(err.is_retryable());
    assert!(err.to_string().contains("(after 8 attempts)"), "{err}");
}

#[tokio::test]
async fn backoff_doubles_with_full_jitter_up_to_the_cap() {
    let (server, seen) = sequence(&[503, 503, 503, 503, 503, 200], None).await;
    let clock = ManualClock::new().with_jitter(0.5);
    let policy = RetryPolicy::default()
        .with_initial_backoff(100 * MS)
        .with_max_backoff(500 * MS)
        .with_max_attempts(10)
        .with_budget(Duration::from_secs(60));
    let client = client(&server.uri(), policy, &clock);
    let v: Value = client.get("/x").send().await.unwrap();
    assert_eq!(v["ok"], true);
    // Ceilings 100, 200, 400, 500 (capped), 500; half of each.
    assert_eq!(clock.sleeps(), [50, 100, 200, 250, 250].map(|n| n * MS));
    assert_eq!(seen.load(Ordering::SeqCst), 6);
}

#[tokio::test]
async fn retry_after_is_waited_exactly() {
    let (server, seen) = sequence(&[503, 200], Some("3")).await;
    let clock = ManualClock::new();
    let client = client(&server.uri(), RetryPolicy::default(), &clock);
    client.get("/x").send_empty().await.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(3)], "not the backoff");
    assert_eq!(seen.load(Ordering::SeqCst), 2);

    // …but never beyond the budget: a Retry-After past it ends the call at once.
    let (server, seen) = sequence(&[503, 200], Some("30")).await;
    let clock = ManualClock::new();
    let policy = RetryPolicy::default().with_budget(Duration::from_secs(10));
    let client = self::client(&server.uri(), policy, &clock);
    let err = client.get("/x").send_empty().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(clock.sleeps().is_empty());
    assert_eq!(seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn stats_count_the_time_spent_backing_off() {
    let (server, _) = sequence(&[429, 429, 200], None).await;
    let clock = ManualClock::new().with_jitter(0.5);
    let policy = RetryPolicy::default()
        .with_initial_backoff(10 * MS)
        .with_max_attempts(5);
    let client = client(&server.uri(), policy, &clock);
    let before = client.stats();
    client.get("/x").send_empty().await.unwrap();
    let stats = client.clone().stats().since(&before);
    assert_eq!(
        (stats.attempts, stats.retries, stats.rate_limited),
        (3, 2, 2)
    );
    assert_eq!(clock.sleeps(), [5 * MS, 10 * MS]);
    assert_eq!(stats.retry_wait, 15 * MS);
    // One call: held up exactly as long as it slept.
    assert_eq!(stats.retry_wall, 15 * MS);
}

/// Drives `call` until `event` happens (the call must not finish first), and returns what
/// `event` gave.
async fn until<C, E>(mut call: std::pin::Pin<&mut C>, event: E) -> E::Output
where
    C: Future,
    C::Output: std::fmt::Debug,
    E: Future,
{
    let mut event = pin!(event);
    tokio::select! {
        biased;
        out = &mut event => out,
        out = &mut call => panic!("the call ended before the event: {out:?}"),
    }
}

/// The call's result, now that the clock has passed its deadline: it ends without any
/// more time passing or any answer from the server.
async fn ended<C: Future>(mut call: std::pin::Pin<&mut C>) -> C::Output {
    for _ in 0..100 {
        if let std::task::Poll::Ready(out) = futures::poll!(call.as_mut()) {
            return out;
        }
        tokio::task::yield_now().await;
    }
    panic!("the call is still running after its deadline passed")
}

#[tokio::test]
async fn an_attempt_times_out_when_the_clock_passes_its_timeout() {
    // A server that accepts the connection and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", silent.local_addr().unwrap());
    let clock = ManualClock::new();
    let env = Env::from_pairs([
        ("SCW_ACCESS_KEY", ACCESS),
        ("SCW_SECRET_KEY", SECRET),
        ("SCW_API_URL", url.as_str()),
    ]);
    let client = Client::builder()
        .config(Config::loader().env(env).load().unwrap())
        .timeout(100 * MS)
        .retry(RetryPolicy::never())
        .clock(clock.clone())
        .build()
        .unwrap();

    // The client's timeout.
    let mut call = pin!(client.get("/x").send_empty());
    let _conn = until(call.as_mut(), silent.accept()).await.unwrap();
    clock.advance(99 * MS);
    assert!(futures::poll!(call.as_mut()).is_pending(), "not yet");
    clock.advance(MS);
    let err = ended(call.as_mut()).await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(err.to_string().contains("timed out after 100ms"), "{err}");
    assert_eq!(err.attempts(), 1);

    // A call's own timeout replaces it.
    let mut call = pin!(
        client
            .get("/x")
            .timeout(Duration::from_secs(5))
            .send_empty()
    );
    let _conn = until(call.as_mut(), silent.accept()).await.unwrap();
    clock.advance(Duration::from_secs(4));
    assert!(futures::poll!(call.as_mut()).is_pending(), "not after 4 s");
    clock.advance(Duration::from_secs(1));
    let err = ended(call.as_mut()).await.unwrap_err();
    assert!(err.to_string().contains("timed out after 5s"), "{err}");
}

// ------------------------------------------------------------ servers in the test's runtime

/// Serves `router` on a loopback port in the test's runtime; its base URL.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

fn json_response(status: u16, body: &Value) -> axum::response::Response {
    axum::response::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap()
}

#[tokio::test]
async fn a_retry_never_runs_past_the_budget() {
    // 503 at once, then an attempt that never gets an answer: its timeout is what is left
    // of the budget (900 ms), not the client's 30 s.
    #[derive(Default)]
    struct S {
        seen: AtomicUsize,
        second: tokio::sync::Notify,
    }
    let s = Arc::new(S::default());
    let state = Arc::clone(&s);
    let router = axum::Router::new().route(
        "/x",
        axum::routing::get(move || {
            let s = Arc::clone(&state);
            async move {
                if s.seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    return json_response(503, &json!({"message": "upstream unavailable"}));
                }
                s.second.notify_one();
                std::future::pending().await
            }
        }),
    );
    let url = serve(router).await;
    let clock = ManualClock::new();
    let policy = RetryPolicy::default()
        .with_initial_backoff(100 * MS)
        .with_budget(Duration::from_secs(1));
    let client = client(&url, policy, &clock);
    let mut call = pin!(client.get("/x").send_empty());
    until(call.as_mut(), s.second.notified()).await;
    assert_eq!(clock.sleeps(), [100 * MS]);
    clock.advance(899 * MS);
    assert!(futures::poll!(call.as_mut()).is_pending());
    clock.advance(MS);
    let err = ended(call.as_mut()).await.unwrap_err();
    assert!(err.to_string().contains("timed out after 900ms"), "{err}");
    // The budget is spent: no third attempt.
    assert_eq!(err.attempts(), 2);
    assert_eq!(s.seen.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn pages_after_the_first_are_fetched_concurrently_in_order() {
    // Page 1 answers at once with the total; pages 2..=10 are each held until all nine have
    // arrived, which only happens if they are in flight together.
    struct S {
        later: tokio::sync::Barrier,
        requested: std::sync::Mutex<Vec<u32>>,
    }
    let s = Arc::new(S {
        later: tokio::sync::Barrier::new(9),
        requested: std::sync::Mutex::default(),
    });
    let state = Arc::clone(&s);
    let router = axum::Router::new().route(
        "/x",
        axum::routing::get(move |uri: axum::http::Uri| {
            let s = Arc::clone(&state);
            async move {
                let q: std::collections::HashMap<String, String> =
                    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
                        .into_owned()
                        .collect();
                let page: u32 = q["page"].parse().unwrap();
                let size: usize = q["page_size"].parse().unwrap();
                s.requested.lock().unwrap().push(page);
                if page > 1 {
                    s.later.wait().await;
                }
                let start = (page as usize - 1) * size;
                let items: Vec<Value> = (start..(start + size).min(1000))
                    .map(|i| json!({"id": i.to_string()}))
                    .collect();
                json_response(200, &json!({"secrets": items, "total_count": 1000}))
            }
        }),
    );
    let url = serve(router).await;
    let clock = ManualClock::new();
    let client = client(&url, RetryPolicy::never(), &clock);
    let listing = client
        .get("/x")
        .paginate::<Value>("secrets")
        .items()
        .map_ok(|v| v["id"].as_str().unwrap().parse::<usize>().unwrap())
        .try_collect::<Vec<usize>>();
    // A watchdog, not a measurement: without concurrency the barrier never opens.
    let ids = tokio::time::timeout(Duration::from_secs(120), listing)
        .await
        .expect("pages 2..=10 were not all in flight at once")
        .unwrap();
    assert_eq!(ids, (0..1000).collect::<Vec<_>>(), "in order");
    let requested = s.requested.lock().unwrap().clone();
    assert_eq!(requested[0], 1, "page 1 first: it gives the total");
    let mut later = requested[1..].to_vec();
    later.sort_unstable();
    assert_eq!(later, (2..=10).collect::<Vec<u32>>());
    assert!(clock.sleeps().is_empty());
}

#[tokio::test]
async fn a_retrier_backs_off_on_the_clients_clock() {
    // The registry's pull retries through `Client::retrier`: same policy, same clock.
    let clock = ManualClock::new().with_jitter(0.5);
    let policy = RetryPolicy::default()
        .with_initial_backoff(100 * MS)
        .with_max_backoff(300 * MS)
        .with_max_attempts(5)
        .with_budget(Duration::from_secs(60));
    let client = client("http://127.0.0.1:9", policy, &clock);
    let calls = std::sync::atomic::AtomicU32::new(0);
    let out: Result<(), String> = client
        .retrier(scaleway_core::Method::Get, "the manifest")
        .run(|n| {
            calls.fetch_add(1, Ordering::SeqCst);
            async move {
                Err(scaleway_core::AttemptError::retryable(
                    scaleway_core::Outcome::Status {
                        status: 503,
                        retry_after: None,
                    },
                    format!("HTTP 503 (attempt {n})"),
                ))
            }
        })
        .await;
    assert_eq!(out.unwrap_err(), "HTTP 503 (attempt 5)");
    assert_eq!(calls.load(Ordering::SeqCst), 5);
    // Ceilings 100, 200, 300 (capped), 300; half of each, slept on the manual clock.
    assert_eq!(clock.sleeps(), [50, 100, 150, 150].map(|n| n * MS));
    assert_eq!(clock.elapsed(), 450 * MS);
}
