//! Probing: one cheap read per product, with the key itself, to learn what IAM would not
//! tell (a key without IAM read) or to confirm that recent changes are in force.

use std::collections::BTreeSet;

use scaleway_core::{Client, Error, Region, RetryPolicy, Zone};

use super::catalogue::Catalogue;
use super::report::DeniedAction;

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

/// The probe for a product, if there is one.
pub(crate) fn probe_for(product: &str) -> Option<&'static ProbeDef> {
    PROBES.iter().find(|p| p.product == product)
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
    def: &ProbeDef,
    project_id: &str,
    zone: &Zone,
    region: &Region,
) -> ProbeResult {
    let mut req = client.get(def.route);
    req = match def.loc {
        Loc::Zone => req.zone(zone),
        Loc::Region => req.region(region),
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
        Some(scaleway_core::ApiErrorKind::DeniedAuthentication { reason, .. }) => reason.clone(),
        _ => "unknown".into(),
    }
}
