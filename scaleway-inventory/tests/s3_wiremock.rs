//! Object Storage request shapes and SigV4 headers, against wiremock with recorded bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use scaleway_core::testing::recorded;
use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_inventory::model::object_storage::Versioning;
use scaleway_inventory::{
    Inventory, LocalityStatus, ObjectStorageSource, ProductObject, SourceName,
};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const AK: &str = "SCWXXXXXXXXXXXXXXXXX";
const SK: &str = "11111111-1111-1111-1111-111111111111";
const PROJECT: &str = "aa50d9e5-939f-4051-95a0-d9dcb0985414";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn recorded_body(name: &str) -> String {
    let r = recorded("s3")
        .into_iter()
        .find(|r| r.name() == name)
        .unwrap_or_else(|| panic!("{name}"));
    String::from_utf8(r.body_bytes()).unwrap()
}

fn client() -> Client {
    let config = Config::loader()
        .env(Env::default())
        .access_key(AK.parse().unwrap())
        .secret_key(SK.parse().unwrap())
        .project_id(PROJECT.parse().unwrap())
        .load()
        .unwrap();
    Client::builder()
        .config(config)
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
}

fn xml(status: u16, body: String, content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .insert_header("content-type", content_type)
        .set_body_string(body)
}

/// Checks the SigV4 headers of one request.
fn assert_signed(req: &Request) {
    let h = |n: &str| {
        req.headers
            .get(n)
            .unwrap_or_else(|| panic!("{} {}: header {n}", req.method, req.url))
            .to_str()
            .unwrap()
            .to_owned()
    };
    let auth = h("authorization");
    let date = h("x-amz-date");
    assert_eq!(date.len(), 16, "{date}");
    let day = &date[..8];
    assert!(
        auth.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential={AK}@{PROJECT}/{day}/fr-par/s3/aws4_request, "
        )),
        "access key id with @project, region fr-par, service s3: {auth}"
    );
    let signed = auth
        .split("SignedHeaders=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap();
    for needed in ["host", "x-amz-content-sha256", "x-amz-date"] {
        assert!(signed.split(';').any(|s| s == needed), "{signed}");
    }
    let sig = auth.split("Signature=").nth(1).unwrap();
    assert_eq!(sig.len(), 64, "{sig}");
    assert!(sig.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(h("x-amz-content-sha256"), EMPTY_SHA256);
    assert!(
        req.headers.get("x-auth-token").is_none(),
        "the secret key is never sent"
    );
    assert!(!auth.contains(SK), "the secret key is never sent");
}

#[tokio::test]
async fn list_buckets_then_location_versioning_and_tagging_per_bucket() {
    let server = MockServer::start().await;
    // Recorded: three buckets of project aa50d9e5-… in fr-par.
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(xml(
            200,
            recorded_body("list-buckets-200-03.json"),
            "text/xml; charset=utf-8",
        ))
        .expect(1)
        .mount(&server)
        .await;
    let location = |region: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{region}</LocationConstraint>"#
        )
    };
    for (bucket, region) in [
        ("gjount-bucket-test-project-id-002", "fr-par"),
        ("gjount-bucket-test-project-id-004", "fr-par"),
        // A bucket GetBucketLocation places elsewhere is left to its own region.
        ("gjount-bucket-test-project-id-007", "nl-ams"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/{bucket}")))
            .and(query_param("location", ""))
            .respond_with(xml(200, location(region), "text/xml; charset=utf-8"))
            .expect(1)
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .and(path("/gjount-bucket-test-project-id-002"))
        .and(query_param("versioning", ""))
        .respond_with(xml(
            200,
            recorded_body("get-bucket-versioning-200-01.json"),
            "text/xml; charset=utf-8",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gjount-bucket-test-project-id-004"))
        .and(query_param("versioning", ""))
        .respond_with(xml(
            200,
            "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>".into(),
            "text/xml; charset=utf-8",
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/gjount-bucket-test-project-id-002"))
        .and(query_param("tagging", ""))
        .respond_with(xml(
            200,
            recorded_body("get-bucket-tagging-200-01.json"),
            "text/xml; charset=utf-8",
        ))
        .expect(1)
        .mount(&server)
        .await;
    // Recorded: a bucket without tags answers 404 NoSuchTagSet.
    Mock::given(method("GET"))
        .and(path("/gjount-bucket-test-project-id-004"))
        .and(query_param("tagging", ""))
        .respond_with(xml(
            404,
            recorded_body("get-bucket-tagging-404-01.json"),
            "application/xml",
        ))
        .expect(1)
        .mount(&server)
        .await;

    let client = client();
    let endpoint: url::Url = server.uri().parse().unwrap();
    let s3 = ObjectStorageSource::builder()
        .from_client(&client)
        .endpoint(Region::FrPar, endpoint)
        .build()
        .unwrap();
    let snap = Inventory::builder(client)
        .sources(&[SourceName::ObjectStorage])
        .object_storage(s3)
        .regions([Region::FrPar])
        .build()
        .unwrap()
        .collect()
        .await;
    assert_eq!(snap.listings.len(), 1);
    assert_eq!(snap.listings[0].status, LocalityStatus::Ok { count: 2 });
    let buckets: Vec<_> = snap
        .resources
        .iter()
        .map(|r| match &r.object {
            ProductObject::Bucket(b) => (**b).clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(buckets.len(), 2);
    assert_eq!(buckets[0].name, "gjount-bucket-test-project-id-002");
    assert_eq!(buckets[0].versioning, Versioning::Disabled);
    assert_eq!(buckets[0].tags.get("foo").map(String::as_str), Some("bar"));
    assert_eq!(
        buckets[0].creation_date.unwrap().to_rfc3339(),
        "2026-05-25T11:44:22+00:00"
    );
    assert_eq!(
        buckets[0].owner_id,
        "aa50d9e5-939f-4051-95a0-d9dcb0985414:aa50d9e5-939f-4051-95a0-d9dcb0985414"
    );
    assert_eq!(buckets[1].versioning, Versioning::Enabled);
    assert!(buckets[1].tags.is_empty());

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1 + 3 + 2 * 2);
    for r in &requests {
        assert_eq!(r.method.as_str(), "GET");
        assert_signed(r);
    }
}

#[tokio::test]
async fn access_denied_is_reported_as_denied() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(xml(
            403,
            "<Error><Code>AccessDenied</Code><Message>Permission denied.</Message><RequestId>tx1</RequestId></Error>".into(),
            "application/xml",
        ))
        .mount(&server)
        .await;
    let client = client();
    let s3 = ObjectStorageSource::builder()
        .from_client(&client)
        .endpoint(Region::FrPar, server.uri().parse().unwrap())
        .build()
        .unwrap();
    let snap = Inventory::builder(client)
        .sources(&[SourceName::ObjectStorage])
        .object_storage(s3)
        .regions([Region::FrPar])
        .build()
        .unwrap()
        .collect()
        .await;
    let LocalityStatus::Denied { message, .. } = &snap.listings[0].status else {
        panic!("{:?}", snap.listings)
    };
    assert_eq!(message, "AccessDenied: Permission denied.");
}

#[test]
fn endpoints_follow_the_official_tools() {
    let config = Config::loader()
        .env(Env::from_pairs([
            ("SCW_ACCESS_KEY", AK),
            ("SCW_SECRET_KEY", SK),
            ("SCW_DEFAULT_REGION", "nl-ams"),
            ("SCW_S3_ENDPOINT", "https://s3.nl-ams.scw.cloud"),
        ]))
        .load()
        .unwrap();
    let client = Client::builder().config(config).build().unwrap();
    let s3 = ObjectStorageSource::from_client(&client).unwrap();
    assert_eq!(
        s3.endpoint(&Region::NlAms).unwrap().as_str(),
        "https://s3.nl-ams.scw.cloud/"
    );
    // Other regions: the same endpoint with their own name.
    assert_eq!(
        s3.endpoint(&Region::PlWaw).unwrap().as_str(),
        "https://s3.pl-waw.scw.cloud/"
    );
    // Without SCW_S3_ENDPOINT: the template.
    let config = Config::loader()
        .env(Env::from_pairs([
            ("SCW_ACCESS_KEY", AK),
            ("SCW_SECRET_KEY", SK),
        ]))
        .load()
        .unwrap();
    let client = Client::builder().config(config).build().unwrap();
    let s3 = ObjectStorageSource::from_client(&client).unwrap();
    assert_eq!(
        s3.endpoint(&Region::ItMil).unwrap().as_str(),
        "https://s3.it-mil.scw.cloud/"
    );
    assert_eq!(
        s3.access_key_id(&PROJECT.parse().unwrap()),
        format!("{AK}@{PROJECT}")
    );
    // The secret key never shows in Debug.
    assert!(!format!("{s3:?}").contains(SK));
}

#[test]
fn object_storage_needs_credentials() {
    let config = Config::loader().env(Env::default()).load().unwrap();
    let client = Client::builder()
        .config(config)
        .anonymous()
        .build()
        .unwrap();
    let e = ObjectStorageSource::from_client(&client).unwrap_err();
    assert!(e.to_string().contains("SCW_ACCESS_KEY"), "{e}");
}
