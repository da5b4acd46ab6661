//! Probing: one cheap read per product, with the key itself, to learn what IAM would not
//! tell (a key without IAM read) or to confirm that recent changes are in force.
//!
//! JSON API products are probed with a one-item listing filtered by project; Object Storage
//! with an S3 `ListBuckets` (`GET /` on the region's endpoint) signed with
//! `ACCESS_KEY@PROJECT_ID`, so the target project is the one read whatever the key's
//! default project.

use std::collections::BTreeSet;
use std::sync::Arc;

use scaleway_core::s3::SigV4Signer;
use scaleway_core::url::Url;
use scaleway_core::{Client, Error, Method, ProjectId, Region, RetryPolicy, Zone};

use super::CheckOptions;
use super::catalogue::Catalogue;
use super::report::DeniedAction;

/// The product family of Object Storage in the catalogue.
pub(crate) const OBJECT_STORAGE: &str = "object-storage";

/// Where probes go.
#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub(crate) zone: Zone,
    pub(crate) region: Region,
    /// The S3 endpoint (`None` when no URL can be made for the region).
    pub(crate) s3_endpoint: Option<Url>,
    /// The region S3 requests are signed for.
    pub(crate) s3_region: Region,
}

/// The region whose name `url`'s host contains (`s3.nl-ams.scw.cloud` → `nl-ams`).
fn region_named_in(url: &Url) -> Option<Region> {
    let host = url.host_str()?;
    Region::ALL.into_iter().find(|r| host.contains(r.as_str()))
}

impl Site {
    /// The probe zone and region of `options`; the S3 endpoint of `options`, else the
    /// client's configured `s3_endpoint`, else `https://s3.<probe region>.scw.cloud`,
    /// signed for the region its host names, else the probe region.
    pub(crate) fn new(options: &CheckOptions, client: &Client) -> Site {
        let s3_endpoint = options
            .s3_endpoint
            .clone()
            .or_else(|| {
                client
                    .config()
                    .s3_endpoint
                    .as_ref()
                    .map(|e| e.value.clone())
            })
            .or_else(|| {
                Url::parse(&format!(
                    "https://s3.{}.scw.cloud/",
                    options.probe_region.as_str()
                ))
                .ok()
            });
        let s3_region = s3_endpoint
            .as_ref()
            .and_then(region_named_in)
            .unwrap_or_else(|| options.probe_region.clone());
        Site {
            zone: options.probe_zone.clone(),
            region: options.probe_region.clone(),
            s3_endpoint,
            s3_region,
        }
    }
}

/// Where a probe reads.
#[derive(Debug, Clone, Copy)]
enum Loc {
    Zone,
    Region,
}

/// A product the checker can probe through `api.scaleway.com`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProbeDef {
    pub(crate) product: &'static str,
    pub(crate) route: &'static str,
    loc: Loc,
    project_param: &'static str,
    size_param: &'static str,
}

/// The probe table: list endpoints filtered by project, one item per page.
pub(crate) const PROBES: &[ProbeDef] = &[
    ProbeDef {
        product: "instances",
        route: "/instance/v1/zones/{zone}/servers",
        loc: Loc::Zone,
        project_param: "project",
        size_param: "per_page",
    },
    ProbeDef {
        product: "kubernetes",
        route: "/k8s/v1/regions/{region}/clusters",
        loc: Loc::Region,
        project_param: "project_id",
        size_param: "page_size",
    },
    ProbeDef {
        product: "vpc",
        route: "/vpc/v2/regions/{region}/vpcs",
        loc: Loc::Region,
        project_param: "project_id",
        size_param: "page_size",
    },
    ProbeDef {
        product: "private-networks",
        route: "/vpc/v2/regions/{region}/private-networks",
        loc: Loc::Region,
        project_param: "project_id",
        size_param: "page_size",
    },
    ProbeDef {
        product: "container-registry",
        route: "/registry/v1/regions/{region}/namespaces",
        loc: Loc::Region,
        project_param: "project_id",
        size_param: "page_size",
    },
    ProbeDef {
        product: "block-storage",
        route: "/block/v1alpha1/zones/{zone}/volumes",
        loc: Loc::Zone,
        project_param: "project_id",
        size_param: "page_size",
    },
    ProbeDef {
        product: "secret-manager",
        route: "/secret-manager/v1beta1/regions/{region}/secrets",
        loc: Loc::Region,
        project_param: "project_id",
        size_param: "page_size",
    },
];

/// The products a required set touches: every product of a set it covers.
pub(crate) fn products_of(cat: &Catalogue, set: &str) -> BTreeSet<String> {
    cat.sets()
        .filter(|s| cat.coverage(set, &s.name).is_some())
        .map(|s| s.product.clone())
        .filter(|p| p != "all-products")
        .collect()
}

/// A probe: a JSON API listing, or Object Storage's `ListBuckets`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Probe {
    /// A one-item listing on `api.scaleway.com`.
    Api(&'static ProbeDef),
    /// S3 `ListBuckets`, signed `ACCESS_KEY@PROJECT_ID`.
    ObjectStorage,
}

impl Probe {
    /// What the probe reads, for reports.
    pub(crate) fn route(&self, site: &Site) -> String {
        match self {
            Probe::Api(def) => def.route.to_owned(),
            Probe::ObjectStorage => match &site.s3_endpoint {
                Some(u) => format!("S3 ListBuckets (GET {u})"),
                None => "S3 ListBuckets".to_owned(),
            },
        }
    }
}

/// The probe for a product, if there is one.
pub(crate) fn probe_for(product: &str) -> Option<Probe> {
    if product == OBJECT_STORAGE {
        return Some(Probe::ObjectStorage);
    }
    PROBES.iter().find(|p| p.product == product).map(Probe::Api)
}

/// The products probe mode judges `set` on: those of the set's products the profile's job
/// uses (`products`), or all of them when the profile lists none.
pub(crate) fn judged_products(
    cat: &Catalogue,
    set: &str,
    products: &[String],
) -> (Vec<String>, usize) {
    let all = products_of(cat, set);
    let n = all.len();
    let judged = all
        .into_iter()
        .filter(|p| products.is_empty() || products.contains(p))
        .collect();
    (judged, n)
}

/// A probe's result.
#[derive(Debug, Clone)]
pub(crate) enum ProbeResult {
    Allowed,
    Denied(Vec<DeniedAction>),
    Rejected(String),
    Inconclusive(String),
}

/// Runs one probe.
pub(crate) async fn run(
    client: &Client,
    probe: Probe,
    project_id: &ProjectId,
    site: &Site,
) -> ProbeResult {
    match probe {
        Probe::Api(def) => run_api(client, def, project_id, site).await,
        Probe::ObjectStorage => run_s3(client, project_id, site).await,
    }
}

async fn run_api(
    client: &Client,
    def: &ProbeDef,
    project_id: &ProjectId,
    site: &Site,
) -> ProbeResult {
    let mut req = client.get(def.route);
    req = match def.loc {
        Loc::Zone => req.zone(&site.zone),
        Loc::Region => req.region(&site.region),
    };
    let r = req
        .query(def.project_param, project_id)
        .query(def.size_param, 1)
        .query("page", 1)
        .retry(RetryPolicy::never())
        .send_raw()
        .await;
    classify(r.map(|_| ()))
}

/// `ListBuckets` of `project_id` in the site's S3 region, signed `ACCESS_KEY@PROJECT_ID`
/// with the client's key.
async fn run_s3(client: &Client, project: &ProjectId, site: &Site) -> ProbeResult {
    let Some(endpoint) = &site.s3_endpoint else {
        return ProbeResult::Inconclusive(format!(
            "no Object Storage endpoint for region {}",
            site.s3_region
        ));
    };
    let signer = match SigV4Signer::for_client(client, &site.s3_region, Some(project)) {
        Ok(s) => s,
        Err(e) => {
            return ProbeResult::Inconclusive(format!("cannot sign for Object Storage: {e}"));
        }
    };
    let r = client
        .request_url(Method::Get, endpoint.clone(), "s3:ListBuckets")
        .signer(Arc::new(signer))
        .retry(RetryPolicy::never())
        .send_raw()
        .await;
    classify_s3(r.map(|_| ()))
}

/// The text of the first `<tag>…</tag>` of an S3 XML error body.
pub(crate) fn xml_text<'a>(body: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{tag}>"))? + start;
    Some(body[start..end].trim())
}

/// An S3 answer: 2xx allowed, `403 AccessDenied` refused; anything else (another S3 error
/// code such as `InvalidAccessKeyId`, a 5xx, no answer) says nothing about the grants.
pub(crate) fn classify_s3(r: Result<(), Error>) -> ProbeResult {
    match r {
        Ok(()) => ProbeResult::Allowed,
        Err(e) => s3_error(e.status(), e.body_excerpt().unwrap_or(""))
            .unwrap_or_else(|| ProbeResult::Inconclusive(e.to_string())),
    }
}

/// What an S3 error says, when its body is an S3 error document.
fn s3_error(status: Option<u16>, body: &str) -> Option<ProbeResult> {
    Some(match (status?, xml_text(body, "Code")?) {
        (403, "AccessDenied") => ProbeResult::Denied(vec![DeniedAction {
            resource: xml_text(body, "Resource")
                .filter(|r| !r.is_empty())
                .unwrap_or("/")
                .to_owned(),
            action: "ListBuckets".to_owned(),
        }]),
        (status, code) => ProbeResult::Inconclusive(format!(
            "Object Storage answered {status} {code}{}",
            xml_text(body, "Message")
                .filter(|m| !m.is_empty())
                .map(|m| format!(": {m}"))
                .unwrap_or_default()
        )),
    })
}

/// Whether the key authenticates at all (`GET /iam/v1alpha1/api-keys/{self}`: 200 or 403
/// means the key is known; 401 means it is not, or not yet).
pub(crate) async fn liveness(client: &Client) -> ProbeResult {
    let Ok(ak) = client.access_key() else {
        return ProbeResult::Inconclusive("the client has no access key".into());
    };
    let r = client
        .get("/iam/v1alpha1/api-keys/{access_key}")
        .path("access_key", ak)
        .retry(RetryPolicy::never())
        .send_raw()
        .await;
    match classify(r.map(|_| ())) {
        ProbeResult::Denied(_) => ProbeResult::Allowed,
        other => other,
    }
}

pub(crate) fn classify(r: Result<(), Error>) -> ProbeResult {
    match r {
        Ok(()) => ProbeResult::Allowed,
        Err(e) if e.is_permission_denied() => ProbeResult::Denied(denied_of(&e)),
        Err(e) if e.is_authentication_denied() => ProbeResult::Rejected(auth_reason(&e)),
        Err(e) => ProbeResult::Inconclusive(e.to_string()),
    }
}

pub(crate) fn denied_of(e: &Error) -> Vec<DeniedAction> {
    e.permission_denied_details()
        .iter()
        .map(|d| DeniedAction {
            resource: d.resource.clone(),
            action: d.action.clone(),
        })
        .collect()
}

pub(crate) fn auth_reason(e: &Error) -> String {
    match e.api_error().map(|a| &a.kind) {
        Some(scaleway_core::ApiErrorKind::DeniedAuthentication { reason, .. }) => {
            reason.as_str().to_owned()
        }
        _ => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_errors_are_read_from_the_xml_body() {
        let err = |status: u16, body: &str| {
            s3_error(Some(status), body).unwrap_or(ProbeResult::Inconclusive("none".into()))
        };
        let denied = "<Error><Code>AccessDenied</Code><Message>Permission denied.</Message><RequestId>tx1</RequestId><HostId>tx1</HostId><Resource>/</Resource></Error>";
        match err(403, denied) {
            ProbeResult::Denied(d) => {
                assert_eq!(d[0].resource, "/");
                assert_eq!(d[0].action, "ListBuckets");
            }
            other => panic!("{other:?}"),
        }
        let unknown = "<Error><Code>InvalidAccessKeyId</Code><Message>The access key Id you provided does not exist in our records.</Message><Resource>/</Resource></Error>";
        match err(403, unknown) {
            ProbeResult::Inconclusive(m) => {
                assert!(
                    m.contains("403 InvalidAccessKeyId: The access key Id"),
                    "{m}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(s3_error(Some(503), "").is_none());
        assert!(matches!(classify_s3(Ok(())), ProbeResult::Allowed));
    }
}
