#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]
//! Every recorded error body decodes into the right typed error, and every recorded
//! paginated response goes through the paginator (served by wiremock with its recorded
//! headers), for every API in `../shared/recorded/`.

use scaleway_core::testing::{Recorded, recorded_all};
use scaleway_core::{
    ApiErrorKind, Client, Completeness, Config, Env, ListItem, Listable, RetryPolicy,
    decode_api_error,
};
use serde_json::Value;
use wiremock::matchers::{method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn json_api(r: &Recorded) -> bool {
    r.api != "s3"
}

#[test]
fn every_recorded_error_body_decodes() {
    let errors: Vec<Recorded> = recorded_all()
        .into_iter()
        .filter(|r| json_api(r) && r.status >= 400)
        .collect();
    assert!(errors.len() >= 25, "only {} error recordings", errors.len());
    for r in &errors {
        let e = decode_api_error(
            r.status,
            |h| r.response_headers.get(h).cloned(),
            &r.body_bytes(),
        );
        let name = r.name();
        assert_eq!(e.status, r.status, "{name}");
        assert_eq!(
            e.request_id.as_deref(),
            r.response_headers.get("x-request-id").map(String::as_str),
            "{name}"
        );
        match r.status {
            404 => assert!(
                matches!(e.kind, ApiErrorKind::NotFound { .. }),
                "{name}: {e:?}"
            ),
            403 => {
                let ApiErrorKind::PermissionsDenied { details } = &e.kind else {
                    panic!("{name}: {e:?}")
                };
                assert!(
                    !details.is_empty() && !details[0].resource.is_empty(),
                    "{name}"
                );
            }
            401 => assert!(
                matches!(&e.kind, ApiErrorKind::DeniedAuthentication { method, reason } if *method == scaleway_core::AuthMethod::ApiKey && *reason == scaleway_core::AuthDeniedReason::NotFound),
                "{name}: {e:?}"
            ),
            400 => {
                let ApiErrorKind::InvalidArguments { details } = &e.kind else {
                    panic!("{name}: {e:?}")
                };
                assert!(!details.is_empty(), "{name}");
                assert!(
                    details.iter().all(|d| !d.argument_name.is_empty()),
                    "{name}"
                );
            }
            412 => assert!(
                matches!(&e.kind, ApiErrorKind::PreconditionFailed { precondition, .. } if precondition == "protected_resource"),
                "{name}: {e:?}"
            ),
            429 => assert!(
                matches!(
                    e.kind,
                    ApiErrorKind::RateLimited {
                        envoy: true,
                        retry_after_secs: None,
                        ..
                    }
                ),
                "{name}: {e:?}"
            ),
            s => panic!("{name}: unexpected recorded status {s}"),
        }
        // A readable message, never empty.
        assert!(!e.to_string().is_empty() && !e.message.is_empty(), "{name}");
        // The typed not_found keeps resource and id when the body has them.
        if let (
            ApiErrorKind::NotFound {
                resource,
                resource_id,
            },
            Some(body_res),
        ) = (&e.kind, r.response_body.get("resource"))
        {
            assert_eq!(resource.as_deref(), body_res.as_str(), "{name}");
            assert_eq!(
                resource_id.as_deref(),
                r.response_body.get("resource_id").and_then(Value::as_str),
                "{name}"
            );
        }
    }
}

/// `servers-list` → `servers`, `v1-volumes-list` → `volumes`, `api-keys-list` → `api_keys`.
fn items_key(operation: &str) -> String {
    let op = operation.strip_suffix("-list").unwrap();
    let op = op
        .strip_prefix("v1alpha1-")
        .or_else(|| op.strip_prefix("v1-"))
        .unwrap_or(op);
    op.replace('-', "_")
}

fn template(r: &Recorded) -> ResponseTemplate {
    let mut tmpl = ResponseTemplate::new(r.status).set_body_raw(r.body_bytes(), "application/json");
    for (k, v) in &r.response_headers {
        if k != "content-length" && k != "content-type" {
            tmpl = tmpl.insert_header(k.as_str(), v.as_str());
        }
    }
    tmpl
}

/// Every recorded listing, with its later pages when they were recorded (`-pageN`), is
/// served page by page and read through the whole paginated stream: every recorded item
/// comes out, once, in order.
#[tokio::test]
async fn every_recorded_listing_goes_through_the_paginator() {
    let all = recorded_all();
    let lists: Vec<&Recorded> = all
        .iter()
        .filter(|r| {
            json_api(r)
                && r.status == 200
                && r.operation.ends_with("-list")
                && !r.name().contains("-page")
        })
        .collect();
    assert!(lists.len() >= 60, "only {} list recordings", lists.len());
    let mut multi_page = 0;
    for r in lists {
        let name = r.name();
        let stem = name.trim_end_matches(".json");
        let key = items_key(&r.operation);
        let mut later: Vec<&Recorded> = all
            .iter()
            .filter(|o| o.api == r.api && o.name().starts_with(&format!("{stem}-page")))
            .collect();
        later.sort_by_key(|o| o.name());
        if !later.is_empty() {
            multi_page += 1;
        }
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(query_param("page", "1"))
            .respond_with(template(r))
            .mount(&server)
            .await;
        for (i, p) in later.iter().enumerate() {
            Mock::given(method("GET"))
                .and(query_param("page", (i + 2).to_string().as_str()))
                .respond_with(template(p))
                .mount(&server)
                .await;
        }
        // Pages nobody recorded: an empty list.
        Mock::given(method("GET"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({ key.as_str(): [] })),
            )
            .mount(&server)
            .await;
        let config = Config::loader()
            .env(Env::from_pairs([
                ("SCW_ACCESS_KEY", "SCWXXXXXXXXXXXXXXXXX"),
                ("SCW_SECRET_KEY", "11111111-1111-1111-1111-111111111111"),
                ("SCW_API_URL", server.uri().as_str()),
            ]))
            .load()
            .unwrap();
        let client = Client::builder()
            .config(config)
            .retry(RetryPolicy::never())
            .build()
            .unwrap();
        let key_static: &'static str = Box::leak(key.clone().into_boxed_str());
        let mut p = client.get("/recorded").paginate::<Value>(key_static);
        if r.api == "instance" {
            p = p.per_page_style();
        }
        let (items, report) = p
            .listing()
            .collect_with_report()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let recorded_items: Vec<&Value> = std::iter::once(r)
            .chain(later.iter().copied())
            .flat_map(|rec| rec.response_body[&key].as_array().into_iter().flatten())
            .collect();
        assert_eq!(
            items.len(),
            recorded_items.len(),
            "{name}: every recorded item, once"
        );
        assert!(
            items.iter().zip(&recorded_items).all(|(a, b)| a == *b),
            "{name}: in order"
        );
        // Where the recording holds every page the total announces, the listing proves
        // itself complete in one pass; where later pages were not recorded (served empty
        // here), it says it may be incomplete instead of passing for whole.
        let announced = r.response_body["total_count"].as_u64().or_else(|| {
            r.response_headers
                .get("x-total-count")
                .and_then(|v| v.parse().ok())
        });
        // The generic JSON items are identified by `id` (or `access_key`); others (secret
        // versions: `revision`) cannot be counted, and the listing says so.
        let identified = recorded_items.iter().all(|v| !v.list_id().is_empty());
        match announced {
            _ if !identified => assert_eq!(
                report.completeness,
                Completeness::Unchecked,
                "{name}: {report:?}"
            ),
            Some(n) if n == recorded_items.len() as u64 => {
                assert!(report.is_complete(), "{name}: {report:?}");
                assert_eq!(report.passes, 1, "{name}: {report:?}");
            }
            Some(_) => assert_eq!(
                report.completeness,
                Completeness::MayBeIncomplete,
                "{name}: {report:?}"
            ),
            None => {}
        }
        if r.api == "instance" {
            assert!(
                r.response_headers.contains_key("x-total-count"),
                "{name}: Instance lists carry X-Total-Count"
            );
        }
    }
    assert!(multi_page >= 2, "recorded page sets replayed: {multi_page}");
}
