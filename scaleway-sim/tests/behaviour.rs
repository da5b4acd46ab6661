//! Pagination limits, faults (429, seeded 5xx, latency, per-locality outages), localities, input
//! validation and cross-product consistency.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers may panic"
)]

mod common;

use std::time::{Duration, Instant};

use common::{call, client, get};
use reqwest::{Method, StatusCode};
use scaleway_sim::{Faults, LargeParams, LocalityFault, Scenario, Sim};
use serde_json::{Value, json};

fn invalid(arg: &str, reason: &str) -> impl Fn(&Value) -> bool {
    let (arg, reason) = (arg.to_owned(), reason.to_owned());
    move |b: &Value| {
        b["type"] == "invalid_arguments"
            && b["message"] == "invalid argument(s)"
            && b["details"][0]["argument_name"] == arg.as_str()
            && b["details"][0]["reason"] == reason.as_str()
            && b["details"][0]["help_message"].is_string()
    }
}

#[tokio::test]
async fn pagination_limits_are_the_real_ones() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let cases: &[(&str, &str, &str)] = &[
        (
            "/vpc/v2/regions/fr-par/vpcs?page_size=101",
            "page_size",
            "constraint",
        ),
        (
            "/block/v1alpha1/zones/fr-par-1/volumes?page_size=1000",
            "page_size",
            "constraint",
        ),
        ("/iam/v1alpha1/users?page=10001", "page", "constraint"),
        ("/iam/v1alpha1/users?page=0", "page", "constraint"),
        ("/k8s/v1/regions/fr-par/clusters?page=abc", "page", "format"),
        (
            "/k8s/v1/regions/fr-par/clusters?page_size=99999999999999999999999",
            "page_size",
            "format",
        ),
        (
            "/instance/v1/zones/fr-par-1/servers?per_page=101",
            "per_page",
            "constraint",
        ),
        (
            "/instance/v1/zones/fr-par-1/servers?per_page=0",
            "per_page",
            "constraint",
        ),
        (
            "/instance/v1/zones/fr-par-1/servers?project=nope",
            "project",
            "format",
        ),
        ("/iam/v1alpha1/policies/not-a-uuid", "policy_id", "format"),
    ];
    for (path, arg, reason) in cases {
        let r = get(&c, sim.api_url(), admin, path).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert!(invalid(arg, reason)(&r.body), "{path}: {}", r.body);
    }
    // IAM page 10000 is fine (empty).
    let r = get(&c, sim.api_url(), admin, "/iam/v1alpha1/users?page=10000").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["users"], json!([]));
    assert_eq!(r.body["total_count"], 2);
}

#[tokio::test]
async fn instance_lists_page_with_headers_and_standard_lists_with_total_count() {
    let params = LargeParams {
        servers: 250,
        block_volumes: 250,
        secrets: 30,
        buckets: 3,
        images: 6,
        projects: 2,
    };
    let sim = Sim::builder(Scenario::large(params))
        .seed(7)
        .start()
        .await
        .expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let r = get(
        &c,
        sim.api_url(),
        admin,
        "/instance/v1/zones/fr-par-1/servers",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.get("total_count").is_none());
    let total: usize = r
        .header("x-total-count")
        .expect("x-total-count")
        .parse()
        .expect("count");
    assert_eq!(total, 25);
    assert_eq!(r.body["servers"].as_array().expect("servers").len(), 25);
    assert_eq!(
        r.header("link"),
        Some("</servers?page=1&per_page=50&order=creation_date_desc>; rel=\"last\"")
    );
    let r = get(
        &c,
        sim.api_url(),
        admin,
        "/instance/v1/zones/fr-par-1/servers?per_page=10&page=2",
    )
    .await;
    assert_eq!(r.body["servers"].as_array().expect("servers").len(), 10);
    let link = r.header("link").expect("link");
    assert!(
        link.contains("rel=\"first\"")
            && link.contains("rel=\"previous\"")
            && link.contains("page=3&per_page=10"),
        "{link}"
    );
    // Past the end: empty list, real total in the header.
    let r = get(
        &c,
        sim.api_url(),
        admin,
        "/instance/v1/zones/fr-par-1/servers?page=9",
    )
    .await;
    assert_eq!(r.body["servers"], json!([]));
    assert_eq!(r.header("x-total-count"), Some("25"));
    // Creation date descending by default.
    let r = get(
        &c,
        sim.api_url(),
        admin,
        "/instance/v1/zones/fr-par-1/servers?per_page=100",
    )
    .await;
    let dates: Vec<&str> = r.body["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .filter_map(|s| s["creation_date"].as_str())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert!(dates.iter().all(|d| d.ends_with("+00:00")));
    // Standard pagination: default page size 20, total_count in the body, stable order.
    let r = get(
        &c,
        sim.api_url(),
        admin,
        "/block/v1alpha1/zones/fr-par-1/volumes",
    )
    .await;
    assert_eq!(r.body["volumes"].as_array().expect("volumes").len(), 20);
    let total = r.body["total_count"].as_u64().expect("total");
    let mut seen = std::collections::BTreeSet::new();
    for page in 1..=total.div_ceil(100) {
        let r = get(
            &c,
            sim.api_url(),
            admin,
            &format!("/block/v1alpha1/zones/fr-par-1/volumes?page={page}&page_size=100"),
        )
        .await;
        for v in r.body["volumes"].as_array().expect("volumes") {
            assert!(
                seen.insert(v["id"].as_str().expect("id").to_owned()),
                "duplicate across pages"
            );
        }
    }
    assert_eq!(seen.len() as u64, total);
    // Inventory key of `large` reads everything.
    let inv = &sim.credential("inventory").expect("inventory").secret_key;
    let r = get(
        &c,
        sim.api_url(),
        inv,
        "/instance/v1/zones/it-mil-1/servers",
    )
    .await;
    assert_eq!(r.header("x-total-count"), Some("25"));
}

#[tokio::test]
async fn rate_limit_answers_the_real_429() {
    let sim = Sim::builder(Scenario::demo())
        .rate_limit(3)
        .start()
        .await
        .expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let mut statuses = Vec::new();
    let mut limited = None;
    for _ in 0..5 {
        let r = get(&c, sim.api_url(), admin, "/block/v1/zones/pl-waw-2/volumes").await;
        statuses.push(r.status.as_u16());
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(r);
        }
    }
    assert_eq!(&statuses[..3], &[200, 200, 200]);
    let r = limited.expect("a 429");
    assert!(r.raw.is_empty());
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("x-envoy-ratelimited"), Some("true"));
    assert_eq!(r.header("retry-after"), None);
    assert!(r.header("x-request-id").is_some());
    // Changed at runtime.
    sim.set_faults(Faults::default());
    assert_eq!(
        get(&c, sim.api_url(), admin, "/block/v1/zones/pl-waw-2/volumes")
            .await
            .status,
        StatusCode::OK
    );
}

async fn status_sequence(seed: u64) -> Vec<u16> {
    let sim = Sim::builder(Scenario::demo())
        .seed(seed)
        .error_rate(0.3)
        .start()
        .await
        .expect("sim");
    let c = client();
    let admin = sim.credential("admin").expect("admin").secret_key.clone();
    let mut out = Vec::new();
    for _ in 0..60 {
        let r = get(&c, sim.api_url(), &admin, "/vpc/v2/regions/fr-par/vpcs").await;
        if r.status == StatusCode::SERVICE_UNAVAILABLE {
            assert!(r.raw.is_empty());
        }
        out.push(r.status.as_u16());
    }
    out
}

#[tokio::test]
async fn seeded_5xx_are_deterministic() {
    let a = status_sequence(11).await;
    let b = status_sequence(11).await;
    let c = status_sequence(12).await;
    assert_eq!(a, b);
    assert_ne!(a, c);
    let failures = a.iter().filter(|s| **s == 503).count();
    assert!((5..=35).contains(&failures), "{failures} of 60");
}

#[tokio::test]
async fn a_failing_region_answers_503() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    sim.set_faults(Faults {
        locality_faults: vec![LocalityFault::unavailable("nl-ams")],
        ..Faults::default()
    });
    for path in [
        "/instance/v1/zones/nl-ams-1/servers",
        "/vpc/v2/regions/nl-ams/vpcs",
        "/block/v1alpha1/zones/nl-ams-3/volumes",
    ] {
        assert_eq!(
            get(&c, sim.api_url(), admin, path).await.status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{path}"
        );
    }
    assert_eq!(
        get(
            &c,
            sim.api_url(),
            admin,
            "/instance/v1/zones/fr-par-1/servers"
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(
        get(&c, sim.api_url(), admin, "/iam/v1alpha1/users")
            .await
            .status,
        StatusCode::OK
    );
    sim.set_faults(Faults::default());
    assert_eq!(
        get(
            &c,
            sim.api_url(),
            admin,
            "/instance/v1/zones/nl-ams-1/servers"
        )
        .await
        .status,
        StatusCode::OK
    );
    assert_eq!(sim.faults(), Faults::default());
}

#[tokio::test]
async fn latency_is_injected() {
    let sim = Sim::builder(Scenario::empty())
        .latency(Duration::from_millis(80))
        .connection_latency(Duration::from_millis(1500))
        .start()
        .await
        .expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    // A new connection pays both.
    let t = Instant::now();
    get(&c, sim.api_url(), admin, "/account/v3/projects").await;
    assert!(
        t.elapsed() >= Duration::from_millis(1580),
        "{:?}",
        t.elapsed()
    );
    // A reused connection pays the request latency only: the bound leaves 1.4 s of slack for
    // a loaded machine rather than measuring its speed.
    let t = Instant::now();
    get(&c, sim.api_url(), admin, "/account/v3/projects").await;
    let second = t.elapsed();
    assert!(
        second >= Duration::from_millis(80) && second < Duration::from_millis(1500),
        "{second:?}"
    );
}

#[tokio::test]
async fn localities_and_inputs() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let r = get(&c, sim.api_url(), admin, "/instance/v1/zones/all/servers").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"message": "Unknown zone in path"}));
    // Block does not exist in it-mil-1; Secret Manager not in it-mil.
    assert_eq!(
        get(
            &c,
            sim.api_url(),
            admin,
            "/block/v1alpha1/zones/it-mil-1/volumes"
        )
        .await
        .status,
        StatusCode::BAD_REQUEST
    );
    let r = get(
        &c,
        sim.api_url(),
        admin,
        "/secret-manager/v1beta1/regions/it-mil/secrets?project_id=x",
    )
    .await;
    assert_eq!(r.body, json!({"message": "Unknown region in path"}));
    // Instance exists in it-mil-1.
    assert_eq!(
        get(
            &c,
            sim.api_url(),
            admin,
            "/instance/v1/zones/it-mil-1/servers"
        )
        .await
        .status,
        StatusCode::OK
    );
    // Bad JSON bodies are 400s.
    let url = format!("{}account/v3/projects", sim.api_url());
    let r = c
        .post(&url)
        .header("X-Auth-Token", admin)
        .body("{not json")
        .send()
        .await
        .expect("req");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::POST,
        "/iam/v1alpha1/api-keys",
        Some(&json!({"application_id": 42})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Secret Manager lists need a project or organization.
    let r = get(
        &c,
        sim.api_url(),
        admin,
        "/secret-manager/v1beta1/regions/fr-par/secrets",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // 404 bodies.
    let id = "0b8a3c8e-4b6e-4a55-9b5e-c2b1b6f3f0aa";
    let r = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/instance/v1/zones/fr-par-1/servers/{id}"),
    )
    .await;
    assert_eq!(
        r.body,
        json!({"type": "not_found", "message": "resource is not found", "resource": "instance_server", "resource_id": id})
    );
    assert_eq!(
        String::from_utf8_lossy(&r.raw),
        format!(
            "{{\"type\":\"not_found\",\"message\":\"resource is not found\",\"resource\":\"instance_server\",\"resource_id\":\"{id}\"}}"
        )
    );
    let r = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/registry/v1/regions/fr-par/namespaces/{id}"),
    )
    .await;
    assert_eq!(r.body, json!({"message": "Namespace was not found"}));
    assert_eq!(sim.request_count(), 9);
    assert!(
        sim.route_counts()
            .iter()
            .any(|(r, n)| r == "GET /instance/v1/zones/{zone}/servers" && *n >= 2)
    );
}

#[tokio::test]
async fn block_references_match_server_volumes() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let mut attached = 0;
    for zone in ["fr-par-1", "fr-par-2", "nl-ams-1", "pl-waw-1", "pl-waw-2"] {
        let servers = get(
            &c,
            sim.api_url(),
            admin,
            &format!("/instance/v1/zones/{zone}/servers"),
        )
        .await;
        for s in servers.body["servers"].as_array().expect("servers") {
            let sid = s["id"].as_str().expect("id");
            for v in s["volumes"].as_object().expect("map").values() {
                if v["volume_type"] != "sbs_volume" {
                    continue;
                }
                let keys: Vec<&String> = v.as_object().expect("entry").keys().collect();
                assert_eq!(
                    keys.len(),
                    5,
                    "sbs entries carry only boot/id/state/volume_type/zone: {keys:?}"
                );
                let vol = get(
                    &c,
                    sim.api_url(),
                    admin,
                    &format!(
                        "/block/v1alpha1/zones/{zone}/volumes/{}",
                        v["id"].as_str().expect("id")
                    ),
                )
                .await;
                assert_eq!(vol.status, StatusCode::OK);
                assert_eq!(
                    vol.body["references"][0]["product_resource_type"],
                    "instance_server"
                );
                assert_eq!(vol.body["references"][0]["product_resource_id"], sid);
                assert_eq!(vol.body["status"], "in_use");
                attached += 1;
            }
            let by_server = get(
                &c,
                sim.api_url(),
                admin,
                &format!("/block/v1alpha1/zones/{zone}/volumes?product_resource_id={sid}"),
            )
            .await;
            let n = s["volumes"]
                .as_object()
                .expect("map")
                .values()
                .filter(|v| v["volume_type"] == "sbs_volume")
                .count();
            assert_eq!(by_server.body["total_count"], n);
        }
    }
    assert!(attached >= 8);
    // Deleting a server detaches its volumes.
    let servers = get(
        &c,
        sim.api_url(),
        admin,
        "/instance/v1/zones/nl-ams-1/servers",
    )
    .await;
    let s = &servers.body["servers"][0];
    let vid = s["volumes"]["0"]["id"].as_str().expect("id").to_owned();
    sim.state()
        .delete_server(s["id"].as_str().expect("id"))
        .expect("delete");
    let vol = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/block/v1alpha1/zones/nl-ams-1/volumes/{vid}"),
    )
    .await;
    assert_eq!(vol.body["references"], json!([]));
    assert_eq!(vol.body["status"], "available");
}

#[tokio::test]
async fn secrets_values_need_secret_access() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let prod = sim.project_id("production").expect("production");
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let list = get(
        &c,
        sim.api_url(),
        admin,
        &format!(
            "/secret-manager/v1beta1/regions/fr-par/secrets?project_id={prod}&name=db-password"
        ),
    )
    .await;
    let id = list.body["secrets"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(list.body["secrets"][0]["version_count"], 2);
    let r = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/secret-manager/v1beta1/regions/fr-par/secrets/{id}/versions/latest/access"),
    )
    .await;
    assert_eq!(r.body["revision"], 2);
    assert_eq!(r.body["data"], "dHIwdWI0ZG9yJjM=");
    let r = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/secret-manager/v1beta1/regions/fr-par/secrets/{id}/versions/1"),
    )
    .await;
    assert_eq!(r.body["latest"], false);
    assert!(r.body.get("data").is_none());
    // Giving the inventory app SecretManagerSecretAccess allows reading values.
    let inv = &sim.credential("inventory").expect("inventory").secret_key;
    let path = format!("/secret-manager/v1beta1/regions/fr-par/secrets/{id}/versions/1/access");
    assert_eq!(
        get(&c, sim.api_url(), inv, &path).await.status,
        StatusCode::FORBIDDEN
    );
    let policy = sim.state().policy_id("inventory").expect("policy");
    sim.state()
        .set_rules(
            &policy,
            vec![scaleway_sim::RuleSpec::projects(
                &["AllProductsReadOnly", "SecretManagerSecretAccess"],
                &[&prod],
            )],
        )
        .expect("rules");
    let r = get(&c, sim.api_url(), inv, &path).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["data"], "Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZQ==");
}

#[tokio::test]
async fn registry_update_and_delete_return_objects() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let images = get(
        &c,
        sim.api_url(),
        admin,
        "/registry/v1/regions/pl-waw/images?name=tools%2Fci",
    )
    .await;
    assert_eq!(images.body["total_count"], 1);
    let iid = images.body["images"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::PATCH,
        &format!("/registry/v1/regions/pl-waw/images/{iid}"),
        Some(&json!({"visibility": "public"})),
    )
    .await;
    assert_eq!(r.body["visibility"], "public");
    let tags = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/registry/v1/regions/pl-waw/images/{iid}/tags"),
    )
    .await;
    let tid = tags.body["tags"][0]["id"].as_str().expect("id").to_owned();
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::DELETE,
        &format!("/registry/v1/regions/pl-waw/tags/{tid}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["id"], tid.as_str());
    let r = call(
        &c,
        sim.api_url(),
        Some(admin),
        Method::DELETE,
        &format!("/registry/v1/regions/pl-waw/images/{iid}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["status"], "deleting");
    let r = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/registry/v1/regions/pl-waw/images/{iid}"),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    // The scanner key may read but not write.
    let scanner = &sim
        .credential("registry-scanner")
        .expect("scanner")
        .secret_key;
    let ns = get(
        &c,
        sim.api_url(),
        scanner,
        "/registry/v1/regions/fr-par/namespaces",
    )
    .await;
    let nid = ns.body["namespaces"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let r = call(
        &c,
        sim.api_url(),
        Some(scanner),
        Method::DELETE,
        &format!("/registry/v1/regions/fr-par/namespaces/{nid}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["details"][0]["action"], "write");
}

/// Every boolean query parameter is read as Go's `strconv.ParseBool` reads it (the real
/// gateway): the Python SDK sends `False`/`True`, the Go and JS SDKs `false`/`true`.
#[tokio::test]
async fn query_booleans_parse_like_the_gateway() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let org = sim.organization_id().to_owned();
    let prod = sim.project_id("production").expect("production");
    let routes: Vec<(String, &str)> = vec![
        (
            format!("/iam/v1alpha1/api-keys?organization_id={org}"),
            "expired",
        ),
        (
            format!("/iam/v1alpha1/api-keys?organization_id={org}"),
            "editable",
        ),
        (
            format!("/iam/v1alpha1/applications?organization_id={org}"),
            "editable",
        ),
        (format!("/iam/v1alpha1/users?organization_id={org}"), "mfa"),
        (
            format!("/iam/v1alpha1/policies?organization_id={org}"),
            "editable",
        ),
        (
            format!("/iam/v1alpha1/policies?organization_id={org}"),
            "no_principal",
        ),
        (
            "/instance/v1/zones/fr-par-1/servers?page=1".to_owned(),
            "without_ip",
        ),
        (
            "/vpc/v2/regions/fr-par/vpcs?page=1".to_owned(),
            "is_default",
        ),
        (
            "/vpc/v2/regions/fr-par/vpcs?page=1".to_owned(),
            "routing_enabled",
        ),
        (
            "/vpc/v2/regions/fr-par/vpcs?page=1".to_owned(),
            "s3_integration_enabled",
        ),
        (
            "/vpc/v2/regions/fr-par/private-networks?page=1".to_owned(),
            "dhcp_enabled",
        ),
        (
            "/vpc/v2/regions/fr-par/private-networks?page=1".to_owned(),
            "s3_integration_enabled",
        ),
        (
            format!("/secret-manager/v1beta1/regions/fr-par/secrets?project_id={prod}"),
            "scheduled_for_deletion",
        ),
        (
            "/block/v1/zones/fr-par-1/volumes?page=1".to_owned(),
            "include_deleted",
        ),
        (
            "/block/v1/zones/fr-par-1/snapshots?page=1".to_owned(),
            "include_deleted",
        ),
    ];
    for (base, param) in &routes {
        for (t, f) in [
            ("1", "0"),
            ("t", "f"),
            ("T", "F"),
            ("TRUE", "FALSE"),
            ("true", "false"),
            ("True", "False"),
        ] {
            for v in [t, f] {
                let r = get(&c, sim.api_url(), admin, &format!("{base}&{param}={v}")).await;
                assert_eq!(r.status, StatusCode::OK, "{base}&{param}={v}: {}", r.body);
            }
            // The spellings of one value select the same items.
            let a = get(&c, sim.api_url(), admin, &format!("{base}&{param}={t}")).await;
            let b = get(&c, sim.api_url(), admin, &format!("{base}&{param}=true")).await;
            assert_eq!(a.body, b.body, "{base}&{param}={t}");
        }
        for bad in ["yes", "tRUE", "2"] {
            let r = get(&c, sim.api_url(), admin, &format!("{base}&{param}={bad}")).await;
            assert_eq!(r.status, StatusCode::BAD_REQUEST, "{base}&{param}={bad}");
            assert!(
                invalid(param, "format")(&r.body),
                "{param}={bad}: {}",
                r.body
            );
        }
    }
}

/// Secret Manager lists either the secrets not scheduled for deletion (the default, and
/// `scheduled_for_deletion=false`) or only those scheduled for deletion (`true`), as the SDK
/// documents; a scheduled secret keeps its `ready` status and has `deletion_requested_at`.
#[tokio::test]
async fn secrets_scheduled_for_deletion_are_listed_only_when_asked() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = &sim.credential("admin").expect("admin").secret_key;
    let prod = sim.project_id("production").expect("production");
    let base = format!("/secret-manager/v1beta1/regions/fr-par/secrets?project_id={prod}");
    let names = |r: &common::Resp| -> Vec<String> {
        r.body["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .map(|s| s["name"].as_str().expect("name").to_owned())
            .collect()
    };
    let default = get(&c, sim.api_url(), admin, &base).await;
    let not_scheduled = get(
        &c,
        sim.api_url(),
        admin,
        &format!("{base}&scheduled_for_deletion=False"),
    )
    .await;
    assert_eq!(names(&default), ["api-token", "db-password"]);
    assert_eq!(default.body, not_scheduled.body);
    let scheduled = get(
        &c,
        sim.api_url(),
        admin,
        &format!("{base}&scheduled_for_deletion=true"),
    )
    .await;
    assert_eq!(names(&scheduled), ["old-api-token"]);
    assert_eq!(scheduled.body["total_count"], 1);
    let s = &scheduled.body["secrets"][0];
    assert_eq!(s["status"], "ready");
    assert!(s["deletion_requested_at"].is_string(), "{s}");
    assert!(
        default.body["secrets"]
            .as_array()
            .expect("secrets")
            .iter()
            .all(|s| s["deletion_requested_at"].is_null())
    );
    // Still there (restorable): readable by id.
    let id = s["id"].as_str().expect("id");
    let one = get(
        &c,
        sim.api_url(),
        admin,
        &format!("/secret-manager/v1beta1/regions/fr-par/secrets/{id}"),
    )
    .await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(
        one.body["deletion_requested_at"],
        s["deletion_requested_at"]
    );
}
