//! The canaries' API calls: create and delete one free resource, and what each answer means.
//!
//! Routes and bodies, checked against `shared/scaleway-api/` and the recordings:
//!
//! * VPC: `POST /vpc/v2/regions/{region}/vpcs` (`name`, `project_id`, `tags`,
//!   `enable_routing`, `enable_transitivity`: the Go SDK's `CreateVPCRequest`; recorded
//!   `vpc/vpcs-create-200-01.json`, 200 and the bare VPC), `DELETE …/vpcs/{vpc_id}` (204).
//! * Private Network: `POST /vpc/v2/regions/{region}/private-networks` (`name`,
//!   `project_id`, `tags`, `subnets` (null: assigned), `vpc_id` (absent: the project's default
//!   VPC), `default_route_propagation_enabled`; recorded `private-networks-create-200-01.json`),
//!   `DELETE …/private-networks/{private_network_id}` (204).
//! * Instance security group: `POST /instance/v1/zones/{zone}/security_groups` (the Go SDK's
//!   `CreateSecurityGroupRequest`; `project_default: false` so the project's default group
//!   never changes; answered `201 {"security_group": …}` in the Go SDK's recorded
//!   `test-api-update-security-group` cassette), `DELETE …/security_groups/{id}` (204).
//! * Bucket: S3 `PUT /<bucket>` with a `CreateBucketConfiguration` naming the region, and
//!   `DELETE /<bucket>`, path-style on the region's endpoint, signed `ACCESS_KEY@PROJECT_ID`
//!   (answers `200` and `204` in scaleway-cli's recorded `test-bucket-cors-create-simple`).
//!
//! Finding a resource whose ID was never learnt (its create gave no answer, or the check was
//! dropped while it was being created), by its unique name, through the API's own filters:
//!
//! * VPCs: `GET /vpc/v2/regions/{region}/vpcs?name=…&project_id=…` and private networks:
//!   `GET …/private-networks?name=…&project_id=…` (`vpc.md`; recorded with these filters in
//!   `vpc/vpcs-list-200-06.json` and `vpc/private-networks-list-200-05.json`). `name` is a
//!   substring match (`vpc.md`), so the names are compared exactly here.
//! * Security groups: `GET /instance/v1/zones/{zone}/security_groups?name=…&project=…`
//!   (`instance.md`, the Go SDK's `ListSecurityGroupsRequest`; `{"security_groups": […]}`,
//!   the total in `X-Total-Count`; no recording in `shared/`).
//! * Buckets: the name is the ID: deleting it by name answers whether it was there.

use std::sync::Arc;

use scaleway_core::s3::SigV4Signer;
use scaleway_core::url::Url;
use scaleway_core::{
    Client, Error, ErrorKind, ListItem, Listable, Locality, Method, ProjectId, Region, Timestamp,
    Zone,
};
use serde::Deserialize;

use super::CanaryKind;

use super::super::probe::{Site, denied_of, xml_text};
use super::super::report::DeniedAction;

/// Tags of every JSON API canary resource (buckets carry none: tagging is another write).
pub(super) const TAGS: [&str; 1] = ["scw-canary"];

/// What a create did.
#[derive(Debug)]
pub(super) enum Created {
    /// Created: its ID.
    Yes(String),
    /// Refused for lack of permission (403).
    Refused(Vec<DeniedAction>),
    /// Failed; `maybe` when the resource may exist anyway (no answer, a 5xx, an answer
    /// that could not be read).
    Failed { error: String, maybe: bool },
}

/// What a delete did.
#[derive(Debug)]
pub(super) enum Deleted {
    /// Deleted now.
    Yes,
    /// Not there (404, `NoSuchBucket`): gone already, or never created.
    Absent,
    /// Refused for lack of permission.
    Refused(Vec<DeniedAction>),
    /// Failed for another reason.
    Failed(String),
}

#[derive(Deserialize)]
struct WithId {
    id: String,
}

#[derive(Deserialize)]
struct SecurityGroupResponse {
    security_group: WithId,
}

fn create_error(e: &Error) -> Created {
    if e.is_permission_denied() {
        return Created::Refused(denied_of(e));
    }
    let maybe = match e.kind() {
        ErrorKind::Api(a) => a.status >= 500,
        ErrorKind::Transport { connect, .. } => !connect,
        ErrorKind::Timeout { .. } | ErrorKind::Decode(_) => true,
        _ => false,
    };
    Created::Failed {
        error: e.to_string(),
        maybe,
    }
}

fn delete_error(e: &Error) -> Deleted {
    if e.is_not_found() || e.status() == Some(404) {
        Deleted::Absent
    } else if e.is_permission_denied() {
        Deleted::Refused(denied_of(e))
    } else {
        Deleted::Failed(e.to_string())
    }
}

/// Creates a VPC named `name` in `project`.
pub(super) async fn create_vpc(
    client: &Client,
    region: &Region,
    project: &ProjectId,
    name: &str,
) -> Created {
    let body = serde_json::json!({
        "name": name,
        "project_id": project,
        "tags": TAGS,
        "enable_routing": false,
        "enable_transitivity": false,
    });
    let r = client
        .post("/vpc/v2/regions/{region}/vpcs")
        .region(region)
        .json(&body)
        .send::<WithId>()
        .await;
    match r {
        Ok(v) => Created::Yes(v.id),
        Err(e) => create_error(&e),
    }
}

/// Creates a Private Network named `name` in `project`, in `vpc_id` (else the project's
/// default VPC of the region).
pub(super) async fn create_private_network(
    client: &Client,
    region: &Region,
    project: &ProjectId,
    name: &str,
    vpc_id: Option<&str>,
) -> Created {
    let mut body = serde_json::json!({
        "name": name,
        "project_id": project,
        "tags": TAGS,
        "subnets": null,
        "default_route_propagation_enabled": false,
    });
    if let (Some(v), Some(m)) = (vpc_id, body.as_object_mut()) {
        m.insert("vpc_id".into(), v.into());
    }
    let r = client
        .post("/vpc/v2/regions/{region}/private-networks")
        .region(region)
        .json(&body)
        .send::<WithId>()
        .await;
    match r {
        Ok(v) => Created::Yes(v.id),
        Err(e) => create_error(&e),
    }
}

/// Creates an Instance security group named `name` in `project`, never the project's default.
pub(super) async fn create_security_group(
    client: &Client,
    zone: &Zone,
    project: &ProjectId,
    name: &str,
) -> Created {
    let body = serde_json::json!({
        "name": name,
        "description": "scaleway-rs policy checker canary: proves write access, deleted at once; safe to delete",
        "project": project,
        "tags": TAGS,
        "project_default": false,
        "stateful": true,
        "inbound_default_policy": "accept",
        "outbound_default_policy": "accept",
    });
    let r = client
        .post("/instance/v1/zones/{zone}/security_groups")
        .zone(zone)
        .json(&body)
        .send::<SecurityGroupResponse>()
        .await;
    match r {
        Ok(v) => Created::Yes(v.security_group.id),
        Err(e) => create_error(&e),
    }
}

/// The bucket's path-style URL on `endpoint`.
pub(super) fn bucket_url(endpoint: &Url, bucket: &str) -> Option<Url> {
    let mut base = endpoint.clone();
    if !base.path().ends_with('/') {
        let p = format!("{}/", base.path());
        base.set_path(&p);
    }
    base.join(bucket).ok()
}

fn s3_signer(client: &Client, site: &Site, project: &ProjectId) -> Result<SigV4Signer, String> {
    SigV4Signer::for_client(client, &site.s3_region, Some(project))
        .map_err(|e| format!("cannot sign for Object Storage: {e}"))
}

/// What an S3 error says: `(status, code, message)`.
fn s3_code(e: &Error) -> Option<(u16, String, String)> {
    let body = e.body_excerpt()?;
    Some((
        e.status()?,
        xml_text(body, "Code")?.to_owned(),
        xml_text(body, "Message").unwrap_or("").to_owned(),
    ))
}

fn s3_denied(e: &Error, action: &str) -> Option<Vec<DeniedAction>> {
    match s3_code(e) {
        Some((403, code, _)) if code == "AccessDenied" => Some(vec![DeniedAction {
            resource: e
                .body_excerpt()
                .and_then(|b| xml_text(b, "Resource"))
                .filter(|r| !r.is_empty())
                .unwrap_or("/")
                .to_owned(),
            action: action.to_owned(),
        }]),
        _ => None,
    }
}

fn s3_describe(e: &Error) -> String {
    match s3_code(e) {
        Some((status, code, message)) if message.is_empty() => {
            format!("Object Storage answered {status} {code}")
        }
        Some((status, code, message)) => {
            format!("Object Storage answered {status} {code}: {message}")
        }
        None => e.to_string(),
    }
}

/// Creates the empty bucket `name` in `project`, in the site's Object Storage region.
pub(super) async fn create_bucket(
    client: &Client,
    site: &Site,
    project: &ProjectId,
    name: &str,
) -> Created {
    let Some(url) = site.s3_endpoint.as_ref().and_then(|e| bucket_url(e, name)) else {
        return Created::Failed {
            error: format!("no Object Storage endpoint for region {}", site.s3_region),
            maybe: false,
        };
    };
    let signer = match s3_signer(client, site, project) {
        Ok(s) => s,
        Err(error) => {
            return Created::Failed {
                error,
                maybe: false,
            };
        }
    };
    let body = format!(
        "<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>{}</LocationConstraint></CreateBucketConfiguration>",
        site.s3_region
    );
    let r = client
        .request_url(Method::Put, url, "s3:CreateBucket")
        .header("content-type", "application/xml")
        .body(body.into_bytes())
        .signer(Arc::new(signer))
        .send_raw()
        .await;
    match r {
        Ok(_) => Created::Yes(name.to_owned()),
        Err(e) => match s3_denied(&e, "CreateBucket") {
            Some(denied) => Created::Refused(denied),
            None => match create_error(&e) {
                Created::Failed { maybe, .. } => Created::Failed {
                    error: s3_describe(&e),
                    maybe,
                },
                other => other,
            },
        },
    }
}

/// Deletes the bucket `name` of `project`.
pub(super) async fn delete_bucket(
    client: &Client,
    site: &Site,
    project: &ProjectId,
    name: &str,
) -> Deleted {
    let Some(url) = site.s3_endpoint.as_ref().and_then(|e| bucket_url(e, name)) else {
        return Deleted::Failed(format!(
            "no Object Storage endpoint for region {}",
            site.s3_region
        ));
    };
    let signer = match s3_signer(client, site, project) {
        Ok(s) => s,
        Err(e) => return Deleted::Failed(e),
    };
    let r = client
        .request_url(Method::Delete, url, "s3:DeleteBucket")
        .signer(Arc::new(signer))
        .send_raw()
        .await;
    match r {
        Ok(_) => Deleted::Yes,
        Err(e) => match (s3_denied(&e, "DeleteBucket"), s3_code(&e)) {
            (Some(denied), _) => Deleted::Refused(denied),
            (None, Some((404, code, _))) if code == "NoSuchBucket" => Deleted::Absent,
            _ => Deleted::Failed(s3_describe(&e)),
        },
    }
}

/// Deletes a JSON API resource: `route` with its locality and `{param}` = `id`.
pub(super) async fn delete_api(
    client: &Client,
    route: &'static str,
    locality: &scaleway_core::Locality,
    param: &'static str,
    id: &str,
) -> Deleted {
    let r = client
        .delete(route)
        .locality(locality)
        .path(param, id)
        .send_empty()
        .await;
    match r {
        Ok(()) => Deleted::Yes,
        Err(e) => delete_error(&e),
    }
}

/// What listing a resource by its name found.
#[derive(Debug)]
pub(super) enum Found {
    /// The IDs of the resources of exactly that name (none, or one: names are unique per run).
    Ids(Vec<String>),
    /// The listing was refused for lack of permission.
    Refused(Vec<DeniedAction>),
    /// The listing failed for another reason.
    Failed(String),
}

/// A listed resource: its ID, name and creation time.
#[derive(Deserialize)]
struct Named {
    id: String,
    name: String,
    #[serde(default, alias = "creation_date")]
    created_at: Option<Timestamp>,
}

impl ListItem for Named {
    fn list_id(&self) -> std::borrow::Cow<'_, str> {
        self.id.as_str().into()
    }

    fn list_created_at(&self) -> Option<Timestamp> {
        self.created_at
    }
}

/// Lists the JSON API resources of `kind` named exactly `name` in `project` (buckets have no
/// listing here: their name is their ID).
pub(super) async fn find_by_name(
    client: &Client,
    kind: CanaryKind,
    locality: &Locality,
    project: &ProjectId,
    name: &str,
) -> Found {
    let listing = match kind {
        CanaryKind::Vpc | CanaryKind::PrivateNetwork => {
            let (route, key) = if kind == CanaryKind::Vpc {
                ("/vpc/v2/regions/{region}/vpcs", "vpcs")
            } else {
                (
                    "/vpc/v2/regions/{region}/private-networks",
                    "private_networks",
                )
            };
            client
                .get(route)
                .locality(locality)
                .query("name", name)
                .query("project_id", project)
                .query("order_by", "created_at_asc")
                .paginate::<Named>(key)
        }
        CanaryKind::SecurityGroup => client
            .get("/instance/v1/zones/{zone}/security_groups")
            .locality(locality)
            .query("name", name)
            .query("project", project)
            .paginate::<Named>("security_groups")
            .per_page_style(),
        CanaryKind::Bucket => return Found::Ids(vec![name.to_owned()]),
    };
    match listing.collect().await {
        Ok(items) => Found::Ids(
            items
                .into_iter()
                .filter(|i| i.name == name)
                .map(|i| i.id)
                .collect(),
        ),
        Err(e) if e.is_permission_denied() => Found::Refused(denied_of(&e)),
        Err(e) => Found::Failed(e.to_string()),
    }
}
