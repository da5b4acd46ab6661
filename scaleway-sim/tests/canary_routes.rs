#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! The write routes the policy checker's canaries use: VPC and private network create /
//! delete (VPC v2), Instance security group create / delete, S3 CreateBucket / DeleteBucket.
//! Shapes against the recordings, IAM (write sets allow, read-only sets get the route's 403),
//! projects and regions validated, nothing left behind.

mod common;

use std::collections::BTreeSet;
use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SigningSettings, sign};
use aws_sigv4::sign::v4;
use reqwest::{Method, StatusCode};
use scaleway_sim::{PolicyPrincipal, RuleSpec, Scenario, Sim};
use serde_json::{Value, json};

use common::{Resp, call, client, recorded_dir};

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

fn recorded_body(file: &str) -> Value {
    let text = std::fs::read_to_string(recorded_dir().join(file)).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["response_body"].clone()
}

struct Key {
    access: String,
    secret: String,
}

fn key(sim: &Sim, name: &str) -> Key {
    let c = sim.credential(name).unwrap();
    Key {
        access: c.access_key.clone(),
        secret: c.secret_key.clone(),
    }
}

async fn send(sim: &Sim, k: &Key, method: Method, path: &str, body: Option<Value>) -> Resp {
    call(
        &client(),
        sim.api_url(),
        Some(&k.secret),
        method,
        path,
        body.as_ref(),
    )
    .await
}

/// A signed S3 request (aws-sigv4, independently of the simulator's verifier).
async fn s3(
    sim: &Sim,
    region: &str,
    method: &str,
    path: &str,
    access_key: &str,
    secret: &str,
    body: &[u8],
) -> (u16, reqwest::header::HeaderMap, String) {
    let url = format!(
        "{}{}",
        sim.s3_endpoint(region)
            .unwrap()
            .as_str()
            .trim_end_matches('/'),
        path
    );
    let identity =
        aws_credential_types::Credentials::new(access_key, secret, None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = aws_sigv4::http_request::PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let signable = aws_sigv4::http_request::SignableRequest::new(
        method,
        &url,
        std::iter::empty(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = reqwest::Client::new()
        .request(method.parse().unwrap(), &url)
        .body(body.to_vec());
    for (name, value) in instructions.headers() {
        req = req.header(name, value);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

const LOCATION_BODY: &[u8] = b"<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>fr-par</LocationConstraint></CreateBucketConfiguration>";

fn denied(r: &Resp, resource: &str) {
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{:?}", r.body);
    assert_eq!(r.body["type"], "permissions_denied");
    assert_eq!(
        r.body["details"],
        json!([{"action": "write", "resource": resource}])
    );
}

#[tokio::test]
async fn a_byoc_key_creates_and_deletes_each_free_resource_in_the_recorded_shapes() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let prod = sim.project_id("production").unwrap();
    let byoc = key(&sim, "byoc");

    // VPC.
    let r = send(
        &sim,
        &byoc,
        Method::POST,
        "/vpc/v2/regions/fr-par/vpcs",
        Some(
            json!({"name": "scw-canary-vpc", "project_id": prod, "tags": ["scw-canary"],
                    "enable_routing": false, "enable_transitivity": false}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(
        keys(&r.body),
        keys(&recorded_body("vpc/vpcs-create-200-01.json"))
    );
    assert_eq!(r.body["project_id"], prod.as_str());
    assert_eq!(r.body["routing_enabled"], true, "as recorded");
    let vpc = r.body["id"].as_str().unwrap().to_owned();

    // Private network in it.
    let r = send(
        &sim,
        &byoc,
        Method::POST,
        "/vpc/v2/regions/fr-par/private-networks",
        Some(
            json!({"name": "scw-canary-pn", "project_id": prod, "tags": ["scw-canary"],
                    "subnets": null, "vpc_id": vpc, "default_route_propagation_enabled": false}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let recorded = recorded_body("vpc/private-networks-create-200-01.json");
    assert_eq!(keys(&r.body), keys(&recorded));
    assert_eq!(keys(&r.body["subnets"][0]), keys(&recorded["subnets"][0]));
    assert_eq!(r.body["vpc_id"], vpc.as_str());
    let pn = r.body["id"].as_str().unwrap().to_owned();
    // Listed like any other.
    let r = send(
        &sim,
        &byoc,
        Method::GET,
        &format!("/vpc/v2/regions/fr-par/private-networks?vpc_id={vpc}"),
        None,
    )
    .await;
    assert_eq!(r.body["total_count"], 1);

    // A private network without vpc_id goes to the project's default VPC.
    let r = send(
        &sim,
        &byoc,
        Method::POST,
        "/vpc/v2/regions/fr-par/private-networks",
        Some(json!({"name": "scw-canary-pn-default", "project_id": prod})),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    let default_vpc = r.body["vpc_id"].as_str().unwrap().to_owned();
    let r2 = send(
        &sim,
        &byoc,
        Method::GET,
        &format!("/vpc/v2/regions/fr-par/vpcs/{default_vpc}"),
        None,
    )
    .await;
    assert_eq!(r2.body["is_default"], true);
    let pn_default = r.body["id"].as_str().unwrap().to_owned();

    // Security group.
    let r = send(
        &sim,
        &byoc,
        Method::POST,
        "/instance/v1/zones/fr-par-1/security_groups",
        Some(
            json!({"name": "scw-canary-sg", "description": "canary", "project": prod,
                    "tags": ["scw-canary"], "project_default": false, "stateful": true,
                    "inbound_default_policy": "accept", "outbound_default_policy": "accept"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
    let sg = &r.body["security_group"];
    // The keys of the Go SDK's recorded create (test-api-update-security-group cassette).
    let recorded_sg: BTreeSet<String> = [
        "id",
        "creation_date",
        "modification_date",
        "name",
        "description",
        "organization",
        "project",
        "servers",
        "stateful",
        "inbound_default_policy",
        "outbound_default_policy",
        "organization_default",
        "project_default",
        "enable_default_security",
        "state",
        "tags",
        "zone",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(keys(sg), recorded_sg);
    assert!(sg["creation_date"].as_str().unwrap().ends_with("+00:00"));
    let sg_id = sg["id"].as_str().unwrap().to_owned();
    assert!(r.header("location").unwrap().ends_with(&format!(
        "/instance/v1/zones/fr-par-1/security_groups/{sg_id}"
    )));

    // Bucket, signed ACCESS_KEY@PROJECT.
    let ak = format!("{}@{prod}", byoc.access);
    let (status, headers, body) = s3(
        &sim,
        "fr-par",
        "PUT",
        "/scw-canary-bucket",
        &ak,
        &byoc.secret,
        LOCATION_BODY,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, "");
    assert_eq!(headers["location"], "/scw-canary-bucket");
    assert!(
        sim.state()
            .buckets()
            .iter()
            .any(|b| b.name == "scw-canary-bucket" && b.project_id == prod && b.region == "fr-par")
    );
    // Taken name.
    let (status, _, body) = s3(
        &sim,
        "fr-par",
        "PUT",
        "/scw-canary-bucket",
        &ak,
        &byoc.secret,
        b"",
    )
    .await;
    assert_eq!(status, 409);
    assert!(
        body.contains("<Code>BucketAlreadyOwnedByYou</Code>"),
        "{body}"
    );
    assert_eq!(sim.state().named("scw-canary").len(), 5);

    // Deletes: 204, empty bodies.
    for path in [
        format!("/vpc/v2/regions/fr-par/private-networks/{pn}"),
        format!("/vpc/v2/regions/fr-par/private-networks/{pn_default}"),
        format!("/vpc/v2/regions/fr-par/vpcs/{vpc}"),
        format!("/instance/v1/zones/fr-par-1/security_groups/{sg_id}"),
    ] {
        let r = send(&sim, &byoc, Method::DELETE, &path, None).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{path}: {:?}", r.body);
        assert!(r.raw.is_empty());
        assert_eq!(r.header("content-type"), Some("application/json"));
    }
    let (status, _, body) = s3(
        &sim,
        "fr-par",
        "DELETE",
        "/scw-canary-bucket",
        &ak,
        &byoc.secret,
        b"",
    )
    .await;
    assert_eq!(status, 204, "{body}");
    assert!(
        sim.state().named("scw-canary").is_empty(),
        "{:?}",
        sim.state().named("scw-canary")
    );
    // Deleting again: the route's 404.
    let r = send(
        &sim,
        &byoc,
        Method::DELETE,
        &format!("/vpc/v2/regions/fr-par/vpcs/{vpc}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["resource"], "vpc");
    let r = send(
        &sim,
        &byoc,
        Method::DELETE,
        &format!("/instance/v1/zones/fr-par-1/security_groups/{sg_id}"),
        None,
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["resource"], "instance_security_group");
    let (status, _, body) = s3(
        &sim,
        "fr-par",
        "DELETE",
        "/scw-canary-bucket",
        &ak,
        &byoc.secret,
        b"",
    )
    .await;
    assert_eq!(status, 404);
    assert!(body.contains("<Code>NoSuchBucket</Code>"), "{body}");
}

#[tokio::test]
async fn a_read_only_key_is_refused_every_create() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let prod = sim.project_id("production").unwrap();
    let ro = key(&sim, "inventory");
    let r = send(
        &sim,
        &ro,
        Method::POST,
        "/vpc/v2/regions/fr-par/vpcs",
        Some(json!({"name": "scw-canary-x", "project_id": prod})),
    )
    .await;
    denied(&r, "vpc");
    let r = send(
        &sim,
        &ro,
        Method::POST,
        "/vpc/v2/regions/fr-par/private-networks",
        Some(json!({"name": "scw-canary-x", "project_id": prod})),
    )
    .await;
    denied(&r, "private_network");
    let r = send(
        &sim,
        &ro,
        Method::POST,
        "/instance/v1/zones/fr-par-1/security_groups",
        Some(json!({"name": "scw-canary-x", "project": prod})),
    )
    .await;
    denied(&r, "instance_security_group");
    // Authorization before validation: the read-only key learns nothing about its body.
    let r = send(
        &sim,
        &ro,
        Method::POST,
        "/vpc/v2/regions/fr-par/vpcs",
        Some(json!({"project_id": "not-a-uuid"})),
    )
    .await;
    denied(&r, "vpc");
    let ak = format!("{}@{prod}", ro.access);
    let (status, _, body) = s3(&sim, "fr-par", "PUT", "/scw-canary-x", &ak, &ro.secret, b"").await;
    assert_eq!(status, 403);
    assert!(body.contains("<Code>AccessDenied</Code>"), "{body}");
    assert!(sim.state().named("scw-canary").is_empty());
}

#[tokio::test]
async fn projects_and_regions_are_validated() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let staging = sim.project_id("staging").unwrap();
    let byoc = key(&sim, "byoc");
    let create = |body: Value| {
        let (sim, byoc) = (&sim, &byoc);
        async move {
            send(
                sim,
                byoc,
                Method::POST,
                "/vpc/v2/regions/fr-par/vpcs",
                Some(body),
            )
            .await
        }
    };
    // A project the key has no rule on, and one that does not exist: the route's 403.
    denied(
        &create(json!({"name": "scw-canary-x", "project_id": staging})).await,
        "vpc",
    );
    denied(
        &create(
            json!({"name": "scw-canary-x", "project_id": "0b0b0b0b-0000-4000-8000-000000000000"}),
        )
        .await,
        "vpc",
    );
    // Malformed and missing projects: 400 naming the field.
    let r = create(json!({"name": "scw-canary-x", "project_id": "nope"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["details"][0]["argument_name"], "project_id");
    let r = create(json!({"name": "scw-canary-x"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["details"][0]["reason"], "required");
    // Unknown region or zone.
    let r = send(
        &sim,
        &byoc,
        Method::POST,
        "/vpc/v2/regions/fr-mrs/vpcs",
        Some(json!({"project_id": staging})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body, json!({"message": "Unknown region in path"}));
    let r = send(
        &sim,
        &byoc,
        Method::POST,
        "/instance/v1/zones/fr-par-9/security_groups",
        Some(json!({"project": staging})),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // A bad bucket name.
    let prod = sim.project_id("production").unwrap();
    let ak = format!("{}@{prod}", byoc.access);
    let (status, _, body) = s3(&sim, "fr-par", "PUT", "/Not_Valid", &ak, &byoc.secret, b"").await;
    assert_eq!(status, 400);
    assert!(body.contains("<Code>InvalidBucketName</Code>"), "{body}");
    assert!(sim.state().named("scw-canary").is_empty());
}

#[tokio::test]
async fn bucket_write_without_bucket_delete_leaves_the_bucket() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let prod = sim.project_id("production").unwrap();
    let st = sim.state();
    let app = st.add_application("buckets-write-only");
    st.add_policy(
        "buckets-write-only",
        PolicyPrincipal::Application(app.clone()),
        vec![RuleSpec::projects(
            &["ObjectStorageBucketsRead", "ObjectStorageBucketsWrite"],
            &[&prod],
        )],
    )
    .unwrap();
    let k = st.create_api_key(&app, false, &prod).unwrap();
    let (status, _, body) = s3(
        &sim,
        "fr-par",
        "PUT",
        "/scw-canary-kept",
        &k.access_key,
        &k.secret_key,
        b"",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _, body) = s3(
        &sim,
        "fr-par",
        "DELETE",
        "/scw-canary-kept",
        &k.access_key,
        &k.secret_key,
        b"",
    )
    .await;
    assert_eq!(status, 403);
    assert!(
        body.contains("<Code>AccessDenied</Code>")
            && body.contains("<Resource>/scw-canary-kept</Resource>"),
        "{body}"
    );
    assert_eq!(sim.state().named("scw-canary-kept").len(), 1);
}
