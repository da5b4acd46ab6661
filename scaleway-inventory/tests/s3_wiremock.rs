//! Object Storage request shapes and SigV4 signatures (recomputed with aws-sigv4 from what
//! the server received), per-bucket failures and endpoints, against wiremock with recorded
//! bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use scaleway_core::testing::recorded;
use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_inventory::model::object_storage::{Bucket, Versioning};
use scaleway_inventory::{
    Inventory, LocalityStatus, ObjectStorageSource, ProductObject, Resource, Snapshot, SourceName,
    diff,
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

/// The SigV4 signature of `req` as the server received it (method, URL, the headers named
/// in `SignedHeaders`, body), recomputed with aws-sigv4 for `secret`, the request's own
/// `x-amz-date` and S3's rules (single percent-encoding, no path normalization, payload
/// hash in `x-amz-content-sha256`).
fn recompute_signature(req: &Request, access_key_id: &str, secret: &str, region: &str) -> String {
    let header = |n: &str| req.headers.get(n).unwrap().to_str().unwrap().to_owned();
    let auth = header("authorization");
    let signed: Vec<String> = auth
        .split("SignedHeaders=")
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .split(';')
        .map(str::to_owned)
        .collect();
    let date = header("x-amz-date");
    let time: SystemTime = chrono::NaiveDateTime::parse_from_str(&date, "%Y%m%dT%H%M%SZ")
        .unwrap()
        .and_utc()
        .into();
    // aws-sigv4 derives `host` from the URL and adds `x-amz-date` and
    // `x-amz-content-sha256` itself; any other signed header is passed as received.
    let own = ["host", "x-amz-date", "x-amz-content-sha256"];
    let extra: Vec<(String, String)> = signed
        .iter()
        .filter(|h| !own.contains(&h.as_str()))
        .map(|h| (h.clone(), header(h)))
        .collect();
    let identity =
        aws_credential_types::Credentials::new(access_key_id, secret, None, None, "test").into();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("s3")
        .time(time)
        .settings(settings)
        .build()
        .unwrap()
        .into();
    // The URL as sent: wiremock's `url` does not keep the `Host` the client sent.
    let mut url = req.url.clone();
    let host = header("host");
    let (name, port) = host.split_once(':').unwrap_or((host.as_str(), ""));
    url.set_host(Some(name)).unwrap();
    url.set_port(port.parse().ok()).unwrap();
    let signable = SignableRequest::new(
        req.method.as_str(),
        url.as_str(),
        extra.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        SignableBody::Bytes(&req.body),
    )
    .unwrap();
    let (_, signature) = sign(signable, &params).unwrap().into_parts();
    signature
}

/// Checks the SigV4 headers of one request, and its signature.
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
    // The signature is SigV4 over what the server received, with the secret key.
    let access_key_id = format!("{AK}@{PROJECT}");
    assert_eq!(
        sig,
        recompute_signature(req, &access_key_id, SK, "fr-par"),
        "{} {}: signature",
        req.method,
        req.url
    );
    // (A signature over anything else does not match: the comparison can fail.)
    assert_ne!(
        sig,
        recompute_signature(
            req,
            &access_key_id,
            "22222222-2222-2222-2222-222222222222",
            "fr-par"
        )
    );
    assert_ne!(sig, recompute_signature(req, &access_key_id, SK, "nl-ams"));
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
        .map(|r| match &r.object() {
            ProductObject::Bucket(b) => (**b).clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(buckets.len(), 2);
    assert_eq!(buckets[0].name, "gjount-bucket-test-project-id-002");
    assert_eq!(buckets[0].versioning, Some(Versioning::Disabled));
    assert_eq!(
        buckets[0]
            .tags
            .as_ref()
            .unwrap()
            .get("foo")
            .map(String::as_str),
        Some("bar")
    );
    assert_eq!(
        buckets[0].creation_date.unwrap().to_rfc3339(),
        "2026-05-25T11:44:22+00:00"
    );
    assert_eq!(
        buckets[0].owner_id,
        "aa50d9e5-939f-4051-95a0-d9dcb0985414:aa50d9e5-939f-4051-95a0-d9dcb0985414"
    );
    assert_eq!(buckets[1].versioning, Some(Versioning::Enabled));
    assert_eq!(buckets[1].tags.as_ref().map(|t| t.len()), Some(0));
    assert!(snap.resources.iter().all(|r| r.notes().is_empty()));

    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1 + 3 + 2 * 2);
    for r in &requests {
        assert_eq!(r.method.as_str(), "GET");
        assert_signed(r);
    }
}

fn bucket_of(snap: &Snapshot, name: &str) -> Bucket {
    let r = snap
        .resources
        .iter()
        .find(|r| r.name() == name)
        .unwrap_or_else(|| panic!("{name} in {:?}", snap.resources));
    match &r.object() {
        ProductObject::Bucket(b) => (**b).clone(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_refused_or_failing_bucket_call_leaves_that_attribute_unknown_and_the_region_ok() {
    let server = MockServer::start().await;
    // Recorded: buckets 002, 004 and 007 of project aa50d9e5-… in fr-par.
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(xml(
            200,
            recorded_body("list-buckets-200-03.json"),
            "text/xml; charset=utf-8",
        ))
        .mount(&server)
        .await;
    let b002 = "/gjount-bucket-test-project-id-002";
    let b004 = "/gjount-bucket-test-project-id-004";
    let b007 = "/gjount-bucket-test-project-id-007";
    let location = r#"<?xml version="1.0" encoding="UTF-8"?>
<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">fr-par</LocationConstraint>"#;
    let access_denied = |bucket: &str| {
        format!(
            "<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>txg1</RequestId><HostId>txg1</HostId><Resource>{bucket}</Resource></Error>"
        )
    };
    let mocks = [
        // 002: GetBucketTagging refused (e.g. a bucket policy denying it).
        (b002, "location", xml(200, location.into(), "text/xml; charset=utf-8")),
        (
            b002,
            "versioning",
            xml(
                200,
                recorded_body("get-bucket-versioning-200-01.json"),
                "text/xml; charset=utf-8",
            ),
        ),
        (b002, "tagging", xml(403, access_denied(b002), "application/xml")),
        // 004: GetBucketLocation answers 503, GetBucketVersioning 500; no tags.
        (b004, "location", ResponseTemplate::new(503)),
        (
            b004,
            "versioning",
            xml(
                500,
                "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>".into(),
                "application/xml",
            ),
        ),
        (
            b004,
            "tagging",
            xml(
                404,
                recorded_body("get-bucket-tagging-404-01.json"),
                "application/xml",
            ),
        ),
        // 007: everything readable.
        (b007, "location", xml(200, location.into(), "text/xml; charset=utf-8")),
        (
            b007,
            "versioning",
            xml(
                200,
                "<VersioningConfiguration><Status>Suspended</Status></VersioningConfiguration>"
                    .into(),
                "text/xml; charset=utf-8",
            ),
        ),
        (
            b007,
            "tagging",
            xml(
                200,
                recorded_body("get-bucket-tagging-200-01.json"),
                "text/xml; charset=utf-8",
            ),
        ),
    ];
    for (bucket, sub, answer) in mocks {
        Mock::given(method("GET"))
            .and(path(bucket))
            .and(query_param(sub, ""))
            .respond_with(answer)
            .mount(&server)
            .await;
    }
    let client = client();
    let s3 = ObjectStorageSource::builder()
        .from_client(&client)
        .endpoint(Region::FrPar, server.uri().parse().unwrap())
        .retry(RetryPolicy::never())
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
    // Only ListBuckets decides the region's status: every bucket is reported.
    assert_eq!(
        snap.listings[0].status,
        LocalityStatus::Ok { count: 3 },
        "{:?}",
        snap.listings
    );

    let r002 = snap
        .get("bucket/fr-par/gjount-bucket-test-project-id-002")
        .unwrap();
    let b = bucket_of(&snap, "gjount-bucket-test-project-id-002");
    assert_eq!(b.tags, None, "tags unknown, not empty");
    assert_eq!(b.versioning, Some(Versioning::Disabled));
    assert_eq!(b.region, Some(Region::FrPar));
    assert_eq!(r002.notes().len(), 1, "{:?}", r002.notes());
    assert!(r002.is_unknown("tags") && r002.is_unknown("object.tags"));
    assert!(
        r002.notes()[0].message.contains("s3:GetBucketTagging")
            && r002.notes()[0].message.contains("AccessDenied"),
        "{:?}",
        r002.notes()
    );

    let r004 = snap
        .get("bucket/fr-par/gjount-bucket-test-project-id-004")
        .unwrap();
    let b = bucket_of(&snap, "gjount-bucket-test-project-id-004");
    assert_eq!((b.region.clone(), b.versioning.clone()), (None, None));
    assert_eq!(
        b.tags.map(|t| t.len()),
        Some(0),
        "NoSuchTagSet: known, no tags"
    );
    assert!(r004.is_unknown("object.region") && r004.is_unknown("object.versioning"));
    assert!(!r004.is_unknown("tags"));
    let messages: Vec<&str> = r004.notes().iter().map(|n| n.message.as_str()).collect();
    assert!(messages.iter().any(|m| m.contains("503")), "{messages:?}");
    assert!(
        messages.iter().any(|m| m.contains("InternalError")),
        "{messages:?}"
    );

    let b = bucket_of(&snap, "gjount-bucket-test-project-id-007");
    assert_eq!(b.versioning, Some(Versioning::Suspended));
    assert!(
        snap.get("bucket/fr-par/gjount-bucket-test-project-id-007")
            .unwrap()
            .notes()
            .is_empty()
    );

    // The notes are kept in the snapshot JSON.
    let json = snap.to_json().unwrap();
    assert!(
        json.contains("\"notes\"") && json.contains("AccessDenied"),
        "{json}"
    );
    assert_eq!(Snapshot::from_json(&json).unwrap(), snap);

    // An attribute that could not be read is never reported as changed: against a
    // previous sync that read 002's tags, nothing changed.
    let mut previous = snap.clone();
    for r in &mut previous.resources {
        if r.name() == "gjount-bucket-test-project-id-002" {
            let ProductObject::Bucket(b) = r.object() else {
                panic!("{r:?}")
            };
            let mut b = b.clone();
            b.tags = Some([("foo".to_owned(), "bar".to_owned())].into());
            let name = b.name.clone();
            // The same bucket, its tags read, without the note.
            let mut read = Resource::new(
                r.kind().clone(),
                r.source(),
                r.locality().clone(),
                &name,
                ProductObject::Bucket(b),
            )
            .with_name(r.name())
            .with_project(serde_json::from_value(r.project_id().into()).unwrap())
            .with_tags(["foo=bar".to_owned()])
            .with_state(r.state())
            .with_created_at(r.created_at())
            .with_size(r.size_bytes())
            .with_roles(r.roles());
            for rel in r.relations() {
                read.add_relation(rel.clone());
            }
            assert_eq!(read.id(), r.id());
            *r = read;
        }
    }
    let d = diff(&previous, &snap);
    assert!(d.is_empty(), "{d:?}");
}

#[tokio::test]
async fn a_custom_endpoint_without_a_region_name_serves_its_region_only() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/"))
        .respond_with(xml(
            200,
            recorded_body("list-buckets-200-01.json"),
            "text/xml; charset=utf-8",
        ))
        .expect(1)
        .mount(&server)
        .await;
    // `http://127.0.0.1:<port>` names no region: it serves the default region, nl-ams.
    let endpoint = server.uri();
    let config = Config::loader()
        .env(Env::from_pairs([
            ("SCW_ACCESS_KEY", AK),
            ("SCW_SECRET_KEY", SK),
            ("SCW_DEFAULT_PROJECT_ID", PROJECT),
            ("SCW_DEFAULT_REGION", "nl-ams"),
            ("SCW_S3_ENDPOINT", endpoint.as_str()),
        ]))
        .load()
        .unwrap();
    let client = Client::builder()
        .config(config)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let s3 = ObjectStorageSource::builder()
        .from_client(&client)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let snap = Inventory::builder(client)
        .sources(&[SourceName::ObjectStorage])
        .object_storage(s3)
        .build()
        .unwrap()
        .collect()
        .await;
    assert_eq!(snap.listings.len(), 4);
    for l in &snap.listings {
        if l.locality.to_string() == "nl-ams" {
            assert_eq!(l.status, LocalityStatus::Ok { count: 0 });
            continue;
        }
        let LocalityStatus::NotAvailable {
            reason: Some(reason),
        } = &l.status
        else {
            panic!(
                "{} must not be listed elsewhere: {:?}",
                l.locality, l.status
            )
        };
        assert!(
            reason.contains(endpoint.as_str())
                && reason.contains("SCW_S3_ENDPOINT")
                && reason.contains(&format!("to list {}", l.locality))
                && reason.contains(".endpoint(region, url)"),
            "{reason}"
        );
    }
    assert!(snap.is_complete());
    // One request, to the custom endpoint, signed for nl-ams; nothing went elsewhere.
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let auth = requests[0]
        .headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap();
    assert!(auth.contains("/nl-ams/s3/aws4_request"), "{auth}");
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
    // The endpoint serves the region its host names, whatever the default region.
    let config = Config::loader()
        .env(Env::from_pairs([
            ("SCW_ACCESS_KEY", AK),
            ("SCW_SECRET_KEY", SK),
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
    assert_eq!(
        s3.endpoint(&Region::FrPar).unwrap().as_str(),
        "https://s3.fr-par.scw.cloud/"
    );
    // A custom endpoint naming no region serves the default region (fr-par) only: the
    // others have none, and say how to give one.
    let config = Config::loader()
        .env(Env::from_pairs([
            ("SCW_ACCESS_KEY", AK),
            ("SCW_SECRET_KEY", SK),
            ("SCW_S3_ENDPOINT", "https://objects.example.com"),
        ]))
        .load()
        .unwrap();
    let client = Client::builder().config(config).build().unwrap();
    let s3 = ObjectStorageSource::from_client(&client).unwrap();
    assert_eq!(
        s3.endpoint(&Region::FrPar).unwrap().as_str(),
        "https://objects.example.com/"
    );
    for region in [Region::NlAms, Region::PlWaw, Region::ItMil] {
        let e = s3.endpoint(&region).unwrap_err().to_string();
        assert!(
            e.contains("https://objects.example.com") && e.contains(".endpoint(region, url)"),
            "{e}"
        );
    }
    // ... unless given per region.
    let s3 = ObjectStorageSource::builder()
        .from_client(&client)
        .endpoint(
            Region::NlAms,
            "https://objects-ams.example.com".parse().unwrap(),
        )
        .build()
        .unwrap();
    assert_eq!(
        s3.endpoint(&Region::NlAms).unwrap().as_str(),
        "https://objects-ams.example.com/"
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
