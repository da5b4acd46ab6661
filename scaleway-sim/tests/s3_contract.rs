//! Contract test of the S3 endpoint: every recorded S3 response (`shared/recorded/s3/`) of an
//! operation the simulator serves is matched by the simulator's answer to the same kind of
//! request (SigV4-signed here with aws-sigv4, independently of the s3s verifier): same
//! status, same content type, same XML element paths (none missing, none invented), the
//! `<?xml …?>` prolog on successes only. Plus what the recordings cannot show: the three
//! versioning states, and a wrongly signed request refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::SystemTime;

use aws_sigv4::http_request::{SignableBody, SigningSettings, sign};
use aws_sigv4::sign::v4;
use common::recorded_dir;
use quick_xml::events::Event;
use scaleway_sim::{Bucket, BucketVersioning, Scenario, Sim};

/// The element paths of an XML document (`/Root/Child/…`).
fn paths(xml: &str) -> BTreeSet<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut out = BTreeSet::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                stack.push(String::from_utf8_lossy(e.local_name().as_ref()).into_owned());
                out.insert(format!("/{}", stack.join("/")));
            }
            Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                out.insert(format!("/{}/{name}", stack.join("/")).replace("//", "/"));
            }
            Event::End(_) => {
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// A signed `GET` of `path_and_query` on `region`'s S3 endpoint, as `access_key` (which may
/// carry `@PROJECT_ID`) with `secret`.
async fn s3_get(
    sim: &Sim,
    region: &str,
    path_and_query: &str,
    access_key: &str,
    secret: &str,
) -> (u16, String, String) {
    let (status, content_type, _, body) =
        s3_call(sim, "GET", region, path_and_query, access_key, secret).await;
    (status, content_type, body)
}

/// A signed request; also returns the `x-amz-bucket-region` header.
async fn s3_call(
    sim: &Sim,
    method: &str,
    region: &str,
    path_and_query: &str,
    access_key: &str,
    secret: &str,
) -> (u16, String, Option<String>, String) {
    let url = format!(
        "{}{}",
        sim.s3_endpoint(region)
            .unwrap()
            .as_str()
            .trim_end_matches('/'),
        path_and_query
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
        SignableBody::Bytes(&[]),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = reqwest::Client::new().request(method, &url);
    for (name, value) in instructions.headers() {
        req = req.header(name, value);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let header = |name: &str| {
        r.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let content_type = header("content-type").unwrap_or_default();
    let bucket_region = header("x-amz-bucket-region");
    (status, content_type, bucket_region, r.text().await.unwrap())
}

#[tokio::test]
async fn the_simulator_answers_in_the_recorded_shapes() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let admin = sim.credential("admin").unwrap();
    let (ak, sk) = (admin.access_key.as_str(), admin.secret_key.as_str());
    let prod = sim.project_id("production").unwrap();
    let testing = sim.project_id("testing").unwrap();
    let dir = recorded_dir().join("s3");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let scanner = sim.credential("registry-scanner").unwrap();
    let mut compared = 0;
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let rec: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let status = rec["status"].as_u64().unwrap() as u16;
        let body = rec["response_body"].as_str().unwrap_or("");
        let buckets_listed = body.contains("<Bucket>");
        let op = rec["operation"].as_str().unwrap();
        if op == "head-bucket" {
            // HeadBucket: a bucket the key reads (200), one it may not read (403: the
            // registry scanner has no Object Storage rights), one that does not exist (404).
            let (region, bucket, (key, secret)) = match status {
                200 => ("fr-par", "acme-prod-assets", (ak, sk)),
                403 => (
                    "nl-ams",
                    "acme-prod-backups",
                    (scanner.access_key.as_str(), scanner.secret_key.as_str()),
                ),
                _ => ("fr-par", "acme-no-such-bucket", (ak, sk)),
            };
            let (got_status, content_type, bucket_region, got) =
                s3_call(&sim, "HEAD", region, &format!("/{bucket}"), key, secret).await;
            assert_eq!(got_status, status, "{name}");
            let headers = &rec["response_headers"];
            assert_eq!(
                content_type,
                headers["content-type"].as_str().unwrap(),
                "{name}"
            );
            assert!(
                got.is_empty() && body.is_empty(),
                "{name}: no body: {got:?}"
            );
            assert_eq!(
                bucket_region.as_deref(),
                headers["x-amz-bucket-region"].as_str().map(|_| region),
                "{name}: x-amz-bucket-region"
            );
            compared += 1;
            continue;
        }
        // The same kind of request, against demo data that gives the same status.
        let (region, path, key) = match (op, status) {
            // A project with buckets in fr-par (production), or without (testing: pl-waw only).
            ("list-buckets", 200) if buckets_listed => {
                ("fr-par", "/".to_owned(), format!("{ak}@{prod}"))
            }
            ("list-buckets", 200) => ("fr-par", "/".to_owned(), format!("{ak}@{testing}")),
            ("get-bucket-versioning", 200) => (
                "fr-par",
                "/acme-staging-assets?versioning".to_owned(),
                ak.to_owned(),
            ),
            ("get-bucket-tagging", 200) => (
                "fr-par",
                "/acme-prod-assets?tagging".to_owned(),
                ak.to_owned(),
            ),
            ("get-bucket-tagging", 404) => (
                "pl-waw",
                "/acme-testing-tmp?tagging".to_owned(),
                ak.to_owned(),
            ),
            _ => continue, // an operation the simulator does not serve
        };
        let (got_status, content_type, got) = s3_get(&sim, region, &path, &key, sk).await;
        assert_eq!(got_status, status, "{name}: {got}");
        assert_eq!(
            content_type,
            rec["response_headers"]["content-type"].as_str().unwrap(),
            "{name}"
        );
        assert_eq!(
            got.starts_with("<?xml"),
            body.starts_with("<?xml"),
            "{name}: prolog\n{got}"
        );
        let (want, have) = (paths(body), paths(&got));
        let missing: Vec<_> = want.difference(&have).collect();
        let invented: Vec<_> = have.difference(&want).collect();
        assert!(
            missing.is_empty() && invented.is_empty(),
            "{name}: missing {missing:?}, invented {invented:?}\nrecorded: {body}\nsimulator: {got}"
        );
        compared += 1;
    }
    // list-buckets 5, versioning 1, tagging 2, head-bucket 3.
    assert_eq!(compared, 11, "recorded S3 files compared");
}

#[tokio::test]
async fn versioning_has_three_states() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let admin = sim.credential("admin").unwrap();
    let prod = sim.project_id("production").unwrap();
    for (i, (versioning, status)) in [
        (BucketVersioning::Unversioned, "<Status></Status>"),
        (BucketVersioning::Enabled, "<Status>Enabled</Status>"),
        (BucketVersioning::Suspended, "<Status>Suspended</Status>"),
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("versioning-{i}");
        sim.state().add_bucket(Bucket {
            name: name.clone(),
            region: "nl-ams".into(),
            project_id: prod.clone(),
            versioning,
            tags: Vec::new(),
            created_at: 1_780_000_000_000_000,
        });
        let (code, _, body) = s3_get(
            &sim,
            "nl-ams",
            &format!("/{name}?versioning"),
            &admin.access_key,
            &admin.secret_key,
        )
        .await;
        assert_eq!(code, 200, "{body}");
        assert!(
            body.contains(&format!(
                "<VersioningConfiguration>{status}</VersioningConfiguration>"
            )),
            "{versioning:?}: {body}"
        );
    }
}

#[tokio::test]
async fn a_wrongly_signed_request_is_refused() {
    let sim = Sim::start(Scenario::demo()).await.unwrap();
    let admin = sim.credential("admin").unwrap();
    let other = sim.credential("inventory").unwrap();
    // Signed with another key's secret.
    let (code, content_type, body) =
        s3_get(&sim, "fr-par", "/", &admin.access_key, &other.secret_key).await;
    assert_eq!(code, 403, "{body}");
    assert_eq!(content_type, "application/xml");
    assert!(
        body.contains("<Code>SignatureDoesNotMatch</Code>"),
        "{body}"
    );
    // An access key that does not exist.
    let (code, _, body) = s3_get(
        &sim,
        "fr-par",
        "/",
        "SCWXXXXXXXXXXXXXXXXX",
        &admin.secret_key,
    )
    .await;
    assert_eq!(code, 403, "{body}");
    assert!(body.contains("<Code>InvalidAccessKeyId</Code>"), "{body}");
    // The right signature lists.
    let (code, _, _) = s3_get(&sim, "fr-par", "/", &admin.access_key, &admin.secret_key).await;
    assert_eq!(code, 200);
}
