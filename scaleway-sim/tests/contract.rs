//! Contract test: every recorded response of a route the simulator serves is replayed as an
//! equivalent request against the `demo` scenario, and the *shapes* are compared (field names and
//! JSON types, recursively; status code; the 429's headers).
//!
//! The recordings are read at test time from `$SCALEWAY_RECORDED_DIR`, else
//! `<workspace>/../shared/recorded`; the test fails if the folder is missing.
//!
//! Tolerances (each with its reason) are in `allowed_extra` / `allowed_missing` / `NULLABLE` below.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers may panic"
)]

mod common;

use common::{Resp, call, client, recorded_dir};
use reqwest::Method;
use scaleway_sim::{Faults, Scenario, Sim};
use serde_json::{Value, json};

/// Fields the simulator sends that some (older) recordings lack: the API grew them over time, or
/// the SDK's types have them while the recordings predate them.
fn allowed_extra(api: &str, path: &str, field: &str) -> bool {
    // `sbs_volume` entries of `Server.volumes` recorded in 2025-01 lack `state` (2026 ones have it).
    if api == "instance" && field == "state" && path.contains(".volumes.") {
        return true;
    }
    matches!(
        (api, field),
        // API keys recorded in 2023 predate `deletable` / `managed`.
        ("iam", "deletable" | "managed")
        // Groups: `all_users` / `all_applications` are in the SDK's Group type (2026-08 snapshot),
        // not yet in the recordings (2025-11 .. 2026-05).
        | ("iam", "all_users" | "all_applications")
        // Instance: newer fields (recordings from 2025 lack them).
        | ("instance", "dns" | "filesystems" | "end_of_service")
        // VPC: newer fields.
        | ("vpc", "has_s3_integration" | "s3_integration_enabled" | "transitivity_enabled" | "region")
        // K8s pools: newer fields (labels/taints/startup_taints/error_message appear in 2026 recordings).
        | ("k8s", "labels" | "taints" | "startup_taints" | "error_message")
        // K8s autoscaler: `log_level`, `skip_nodes_with_local_storage` are newer (recorded README).
        | ("k8s", "log_level" | "skip_nodes_with_local_storage")
        // Block v1 volumes recorded in 2026-05 lack `kms_key_id` (present in later ones); the
        // v1alpha1 answers are compared as `block-v1alpha1`, where it would be invented.
        | ("block", "kms_key_id")
    )
}

/// Fields some recordings have that the simulator does not send: removed from the API since, or
/// only sent in special cases.
fn allowed_missing(api: &str, field: &str) -> bool {
    matches!(
        (api, field),
        // K8s pools: `new_images_enabled` only in 2025 recordings (gone in 2026 ones).
        ("k8s", "new_images_enabled")
        // Instance: `admin_password_encryption_ssh_key_id` only on Windows images.
        | ("instance", "admin_password_encryption_ssh_key_id")
    )
}

/// Fields the SDKs model as nullable: the simulator may send null where a recording has a value.
const NULLABLE: &[&str] = &[
    "public_ip",
    "location",
    "image",
    "placement_group",
    "private_ip",
    "ipv6",
    "parent_snapshot_id",
    "last_detached_at",
    "expires_at",
    "last_login_at",
    "private_network_id",
    "parent_volume",
    "server",
    "export_uri",
    "secret_key",
    "deletion_requested_at",
    "key_id",
    "ephemeral_policy",
    "data_crc32",
    "placement_group_id",
];

/// Maps keyed by data, not field names: compare values under the same key only.
const DYNAMIC_MAPS: &[&str] = &[
    "volumes",
    "labels",
    "kubelet_args",
    "extra_volumes",
    "conditions",
];

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn compare(api: &str, path: &str, rec: &Value, sim: &Value, errs: &mut Vec<String>) {
    let last = path
        .rsplit('.')
        .next()
        .unwrap_or(path)
        .trim_end_matches("[]");
    if rec.is_null() {
        return;
    }
    if sim.is_null() {
        if !NULLABLE.contains(&last) {
            errs.push(format!(
                "{path}: simulator sent null, recording has {}",
                kind(rec)
            ));
        }
        return;
    }
    if kind(rec) != kind(sim) {
        errs.push(format!(
            "{path}: recording has {}, simulator sent {}",
            kind(rec),
            kind(sim)
        ));
        return;
    }
    match (rec, sim) {
        (Value::Object(r), Value::Object(s)) => {
            if DYNAMIC_MAPS.contains(&last) {
                for (k, rv) in r {
                    if let Some(sv) = s.get(k) {
                        compare(api, &format!("{path}.{k}"), rv, sv, errs);
                    }
                }
                return;
            }
            for (k, rv) in r {
                match s.get(k) {
                    Some(sv) => compare(api, &format!("{path}.{k}"), rv, sv, errs),
                    None if allowed_missing(api, k) => {}
                    None => errs.push(format!("{path}.{k}: missing in the simulator's response")),
                }
            }
            for k in s.keys() {
                if !r.contains_key(k) && !allowed_extra(api, path, k) {
                    errs.push(format!(
                        "{path}.{k}: invented by the simulator (not in the recording)"
                    ));
                }
            }
        }
        (Value::Array(r), Value::Array(s)) => {
            // Each recorded element must match the shape of some simulated element (the best one
            // is reported when none matches).
            for rv in r {
                let mut best: Option<Vec<String>> = None;
                for sv in s.iter().take(50) {
                    let mut e = Vec::new();
                    compare(api, &format!("{path}[]"), rv, sv, &mut e);
                    if best.as_ref().is_none_or(|b| e.len() < b.len()) {
                        best = Some(e);
                    }
                    if best.as_ref().is_some_and(Vec::is_empty) {
                        break;
                    }
                }
                errs.extend(best.unwrap_or_default());
            }
        }
        _ => {}
    }
}

struct Env {
    sim: Sim,
    c: reqwest::Client,
    admin: String,
    org: String,
    prod: String,
}

impl Env {
    async fn req(&self, token: &str, method: Method, path: &str, body: Option<&Value>) -> Resp {
        call(&self.c, self.sim.api_url(), Some(token), method, path, body).await
    }

    async fn get(&self, path: &str) -> Resp {
        self.req(&self.admin, Method::GET, path, None).await
    }

    fn secret_of(&self, name: &str) -> String {
        self.sim
            .credential(name)
            .expect("credential")
            .secret_key
            .clone()
    }

    fn access_of(&self, name: &str) -> String {
        self.sim
            .credential(name)
            .expect("credential")
            .access_key
            .clone()
    }

    /// The first item of a list at `path` under `key` matching `pred`.
    async fn pick(&self, path: &str, key: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let r = self.get(path).await;
        r.body[key]
            .as_array()
            .and_then(|a| a.iter().find(|x| pred(x)).cloned())
            .unwrap_or_else(|| panic!("nothing suitable at {path}"))
    }
}

const UNKNOWN: &str = "2f0cb7b5-8f0b-4b55-9a35-8a8e0d1c4c8e";

fn has(v: &Value, k: &str) -> bool {
    v.get(k).is_some_and(|x| !x.is_null())
}

/// Sends the simulator's equivalent of a recorded interaction; `None` if the route is not served.
#[allow(clippy::too_many_lines, reason = "one arm per recorded operation")]
async fn replay(e: &Env, rec: &Value) -> Option<Resp> {
    let op = rec["operation"].as_str().unwrap_or_default();
    let api = rec["api"].as_str().unwrap_or_default();
    let status = rec["status"].as_u64().unwrap_or(0);
    let body = &rec["response_body"];
    let org = &e.org;
    let prod = &e.prod;
    let r = match (api, op, status) {
        ("account", "projects-list", _) => {
            e.get(&format!("/account/v3/projects?organization_id={org}"))
                .await
        }
        ("account", "projects-get", 200) => e.get(&format!("/account/v3/projects/{prod}")).await,
        ("account", "projects-get", 404) => e.get(&format!("/account/v3/projects/{UNKNOWN}")).await,
        ("account", "projects-create", _) => {
            let b = json!({"name": "contract-project", "organization_id": org, "description": ""});
            e.req(&e.admin, Method::POST, "/account/v3/projects", Some(&b))
                .await
        }
        ("iam", "api-keys-list", _) => {
            e.get(&format!("/iam/v1alpha1/api-keys?organization_id={org}"))
                .await
        }
        ("iam", "api-keys-get", 200) => {
            let name = if has(body, "user_id") {
                "personal-user"
            } else {
                "inventory"
            };
            e.get(&format!("/iam/v1alpha1/api-keys/{}", e.access_of(name)))
                .await
        }
        ("iam", "api-keys-get", 401) => {
            e.req(
                UNKNOWN,
                Method::GET,
                "/iam/v1alpha1/api-keys/SCWXXXXXXXXXXXXXXXXX",
                None,
            )
            .await
        }
        ("iam", "api-keys-get", 403) => {
            let k = e.access_of("inventory");
            e.req(
                &e.secret_of("inventory"),
                Method::GET,
                &format!("/iam/v1alpha1/api-keys/{k}"),
                None,
            )
            .await
        }
        ("iam", "api-keys-get", 404) => e.get("/iam/v1alpha1/api-keys/SCWVVH9TE299J4XZE91E").await,
        ("iam", "api-keys-create", _) => {
            let b = if has(body, "user_id") {
                let u = e.sim.state().user_id("member@example.com").expect("member");
                json!({"user_id": u, "description": "contract", "expires_at": "2035-07-06T09:00:00Z"})
            } else {
                let a = e.sim.state().application_id("inventory").expect("app");
                json!({"application_id": a, "default_project_id": prod, "description": ""})
            };
            e.req(&e.admin, Method::POST, "/iam/v1alpha1/api-keys", Some(&b))
                .await
        }
        ("iam", "applications-list", _) => {
            e.get(&format!("/iam/v1alpha1/applications?organization_id={org}"))
                .await
        }
        ("iam", "applications-get", 200) => {
            let a = e.sim.state().application_id("inventory").expect("app");
            e.get(&format!("/iam/v1alpha1/applications/{a}")).await
        }
        ("iam", "applications-get", 404) => {
            e.get(&format!("/iam/v1alpha1/applications/{UNKNOWN}"))
                .await
        }
        ("iam", "applications-create", _) => {
            let b = json!({"name": "contract-app", "organization_id": org, "description": "d", "tags": ["a"]});
            e.req(
                &e.admin,
                Method::POST,
                "/iam/v1alpha1/applications",
                Some(&b),
            )
            .await
        }
        ("iam", "users-list", _) => {
            e.get(&format!("/iam/v1alpha1/users?organization_id={org}"))
                .await
        }
        ("iam", "users-get", 200) => {
            let u = e.sim.state().user_id("member@example.com").expect("member");
            e.get(&format!("/iam/v1alpha1/users/{u}")).await
        }
        ("iam", "users-get", 404) => e.get(&format!("/iam/v1alpha1/users/{UNKNOWN}")).await,
        ("iam", "groups-list", _) => {
            e.get(&format!("/iam/v1alpha1/groups?organization_id={org}"))
                .await
        }
        ("iam", "groups-get", 200) => {
            let g = e.sim.state().group_id("production-readers").expect("group");
            e.get(&format!("/iam/v1alpha1/groups/{g}")).await
        }
        ("iam", "groups-get", 404) => e.get(&format!("/iam/v1alpha1/groups/{UNKNOWN}")).await,
        ("iam", "groups-create", _) => {
            let b = json!({"organization_id": org, "name": "contract-group", "description": "", "tags": ["t"]});
            e.req(&e.admin, Method::POST, "/iam/v1alpha1/groups", Some(&b))
                .await
        }
        ("iam", "policies-list", _) => {
            let page = rec["query"]["page"].as_str().unwrap_or("1");
            let size = if page == "1" { 100 } else { 10 };
            e.get(&format!(
                "/iam/v1alpha1/policies?organization_id={org}&page={page}&page_size={size}"
            ))
            .await
        }
        ("iam", "policies-get", 200) => {
            let name = if has(body, "group_id") {
                "production-readers"
            } else if has(body, "no_principal") {
                "draft-no-principal"
            } else if has(body, "user_id") {
                "member-production-read"
            } else {
                "inventory"
            };
            let p = e.sim.state().policy_id(name).expect("policy");
            e.get(&format!("/iam/v1alpha1/policies/{p}")).await
        }
        ("iam", "policies-get", 404) => e.get(&format!("/iam/v1alpha1/policies/{UNKNOWN}")).await,
        ("iam", "policies-create", _) => {
            let a = e.sim.state().application_id("byoc").expect("app");
            let mut b = json!({"name": "contract-policy", "description": "", "organization_id": org,
                "rules": [{"permission_set_names": ["IAMReadOnly"], "condition": "", "organization_id": org}],
                "tags": null});
            if has(body, "no_principal") {
                b["no_principal"] = json!(true);
            } else {
                b["application_id"] = json!(a);
            }
            e.req(&e.admin, Method::POST, "/iam/v1alpha1/policies", Some(&b))
                .await
        }
        ("iam", "rules-list", _) => {
            let name = if has(&body["rules"][0], "organization_id") {
                "admin"
            } else {
                "inventory"
            };
            let p = e.sim.state().policy_id(name).expect("policy");
            e.get(&format!("/iam/v1alpha1/rules?policy_id={p}")).await
        }
        ("iam", "rules-set", _) => {
            let p = e
                .sim
                .state()
                .policy_id("draft-no-principal")
                .expect("policy");
            let rule = if has(&body["rules"][0], "organization_id") {
                json!({"permission_set_names": ["IAMReadOnly"], "condition": "", "organization_id": org})
            } else {
                json!({"permission_set_names": ["InstancesReadOnly"], "condition": "", "project_ids": [prod]})
            };
            let b = json!({"policy_id": p, "rules": [rule]});
            e.req(&e.admin, Method::PUT, "/iam/v1alpha1/rules", Some(&b))
                .await
        }
        ("instance", "servers-list", _) => {
            let page = rec["query"]["page"].as_str().unwrap_or("1");
            e.get(&format!("/instance/v1/zones/fr-par-1/servers?page={page}"))
                .await
        }
        ("instance", "servers-get", 200) => {
            let local = body["server"]["volumes"]["0"].get("name").is_some();
            let placed = has(&body["server"], "placement_group");
            let s = e
                .pick("/instance/v1/zones/fr-par-1/servers", "servers", |s| {
                    s["volumes"]["0"].get("name").is_some() == local
                        && has(s, "placement_group") == placed
                })
                .await;
            e.get(&format!(
                "/instance/v1/zones/fr-par-1/servers/{}",
                s["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("instance", "servers-get", 404) => {
            e.get(&format!("/instance/v1/zones/fr-par-1/servers/{UNKNOWN}"))
                .await
        }
        ("instance", "volumes-list", _) => e.get("/instance/v1/zones/fr-par-1/volumes").await,
        ("instance", "volumes-get", 200) => {
            let v = e
                .pick("/instance/v1/zones/fr-par-1/volumes", "volumes", |_| true)
                .await;
            e.get(&format!(
                "/instance/v1/zones/fr-par-1/volumes/{}",
                v["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("instance", "volumes-get", 404) => {
            e.get(&format!("/instance/v1/zones/fr-par-1/volumes/{UNKNOWN}"))
                .await
        }
        ("block", op, _) => {
            let version = if op.starts_with("v1alpha1") {
                "v1alpha1"
            } else {
                "v1"
            };
            let kind = if op.contains("snapshots") {
                "snapshots"
            } else {
                "volumes"
            };
            let base = format!("/block/{version}/zones/fr-par-1/{kind}");
            // The listing parameters the official clients send (v1: `include_deleted=false`,
            // `order_by=created_at_asc`), as recorded; ids and names are the demo's own.
            let params: Vec<String> = ["include_deleted", "order_by"]
                .iter()
                .filter_map(|k| rec["query"][*k].as_str().map(|v| format!("{k}={v}")))
                .collect();
            let list = if params.is_empty() {
                base.clone()
            } else {
                format!("{base}?{}", params.join("&"))
            };
            match (op.ends_with("-list"), status) {
                (true, 429) => {
                    e.sim.set_faults(Faults {
                        rate_limit: Some(0),
                        ..Faults::default()
                    });
                    let r = e.get(&list).await;
                    e.sim.set_faults(Faults::default());
                    r
                }
                (true, _) => e.get(&list).await,
                (false, 404) => e.get(&format!("{base}/{UNKNOWN}")).await,
                (false, 403) => {
                    let s = e.pick(&base, kind, |_| true).await;
                    let id = s["id"].as_str().unwrap_or("");
                    e.req(
                        &e.secret_of("registry-scanner"),
                        Method::GET,
                        &format!("{base}/{id}"),
                        None,
                    )
                    .await
                }
                (false, _) => {
                    let refs = body["references"].as_array().is_some_and(|a| !a.is_empty());
                    let s = e
                        .pick(&base, kind, |x| {
                            x["references"].as_array().is_some_and(|a| !a.is_empty()) == refs
                        })
                        .await;
                    e.get(&format!("{base}/{}", s["id"].as_str().unwrap_or("")))
                        .await
                }
            }
        }
        ("secret", "secrets-list", _) => {
            e.get(&format!(
                "/secret-manager/v1beta1/regions/fr-par/secrets?project_id={prod}"
            ))
            .await
        }
        ("secret", "secrets-get", 200) => {
            let s = secret_id(e).await;
            e.get(&format!(
                "/secret-manager/v1beta1/regions/fr-par/secrets/{s}"
            ))
            .await
        }
        ("secret", "secrets-get", 404) => {
            e.get(&format!(
                "/secret-manager/v1beta1/regions/fr-par/secrets/{UNKNOWN}"
            ))
            .await
        }
        ("secret", "versions-list", _) => {
            let s = secret_id(e).await;
            e.get(&format!(
                "/secret-manager/v1beta1/regions/fr-par/secrets/{s}/versions"
            ))
            .await
        }
        ("secret", "versions-get", _) => {
            let s = secret_id(e).await;
            e.get(&format!(
                "/secret-manager/v1beta1/regions/fr-par/secrets/{s}/versions/1"
            ))
            .await
        }
        ("secret", "versions-access", _) => {
            let s = secret_id(e).await;
            e.get(&format!(
                "/secret-manager/v1beta1/regions/fr-par/secrets/{s}/versions/latest/access"
            ))
            .await
        }
        ("registry", "namespaces-list", _) => e.get("/registry/v1/regions/fr-par/namespaces").await,
        ("registry", "namespaces-get", 200) => {
            let n = e
                .pick(
                    "/registry/v1/regions/fr-par/namespaces",
                    "namespaces",
                    |_| true,
                )
                .await;
            e.get(&format!(
                "/registry/v1/regions/fr-par/namespaces/{}",
                n["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("registry", "namespaces-get", 404) => {
            e.get(&format!("/registry/v1/regions/fr-par/namespaces/{UNKNOWN}"))
                .await
        }
        ("registry", "images-list", _) => e.get("/registry/v1/regions/fr-par/images").await,
        ("registry", "images-get", _) => {
            let i = e
                .pick("/registry/v1/regions/fr-par/images", "images", |_| true)
                .await;
            e.get(&format!(
                "/registry/v1/regions/fr-par/images/{}",
                i["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("registry", "tags-list", _) => {
            let i = e
                .pick("/registry/v1/regions/fr-par/images", "images", |_| true)
                .await;
            e.get(&format!(
                "/registry/v1/regions/fr-par/images/{}/tags",
                i["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("registry", "tags-get", _) => {
            let i = e
                .pick("/registry/v1/regions/fr-par/images", "images", |_| true)
                .await;
            let iid = i["id"].as_str().unwrap_or("");
            let t = e
                .pick(
                    &format!("/registry/v1/regions/fr-par/images/{iid}/tags"),
                    "tags",
                    |_| true,
                )
                .await;
            e.get(&format!(
                "/registry/v1/regions/fr-par/tags/{}",
                t["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("k8s", "clusters-list", _) => e.get("/k8s/v1/regions/fr-par/clusters").await,
        ("k8s", "clusters-get", 200) => {
            let c = e
                .pick("/k8s/v1/regions/fr-par/clusters", "clusters", |_| true)
                .await;
            e.get(&format!(
                "/k8s/v1/regions/fr-par/clusters/{}",
                c["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("k8s", "clusters-get", 404) => {
            e.get(&format!("/k8s/v1/regions/fr-par/clusters/{UNKNOWN}"))
                .await
        }
        ("k8s", "pools-list", _) => {
            let c = e
                .pick("/k8s/v1/regions/fr-par/clusters", "clusters", |_| true)
                .await;
            e.get(&format!(
                "/k8s/v1/regions/fr-par/clusters/{}/pools",
                c["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("k8s", "pools-get", 200) => {
            let c = e
                .pick("/k8s/v1/regions/fr-par/clusters", "clusters", |_| true)
                .await;
            let cid = c["id"].as_str().unwrap_or("");
            let p = e
                .pick(
                    &format!("/k8s/v1/regions/fr-par/clusters/{cid}/pools"),
                    "pools",
                    |_| true,
                )
                .await;
            e.get(&format!(
                "/k8s/v1/regions/fr-par/pools/{}",
                p["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("k8s", "pools-get", 404) => {
            e.get(&format!("/k8s/v1/regions/fr-par/pools/{UNKNOWN}"))
                .await
        }
        ("vpc", "vpcs-list", _) => {
            let page = rec["query"]["page"].as_str().unwrap_or("1");
            e.get(&format!("/vpc/v2/regions/fr-par/vpcs?page={page}"))
                .await
        }
        ("vpc", "vpcs-get", 200) => {
            let v = e
                .pick("/vpc/v2/regions/fr-par/vpcs", "vpcs", |_| true)
                .await;
            e.get(&format!(
                "/vpc/v2/regions/fr-par/vpcs/{}",
                v["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("vpc", "vpcs-get", 404) => {
            e.get(&format!("/vpc/v2/regions/fr-par/vpcs/{UNKNOWN}"))
                .await
        }
        ("vpc", "private-networks-list", _) => {
            e.get("/vpc/v2/regions/fr-par/private-networks").await
        }
        ("vpc", "private-networks-get", 200) => {
            let p = e
                .pick(
                    "/vpc/v2/regions/fr-par/private-networks",
                    "private_networks",
                    |_| true,
                )
                .await;
            e.get(&format!(
                "/vpc/v2/regions/fr-par/private-networks/{}",
                p["id"].as_str().unwrap_or("")
            ))
            .await
        }
        ("vpc", "private-networks-get", 404) => {
            e.get(&format!(
                "/vpc/v2/regions/fr-par/private-networks/{UNKNOWN}"
            ))
            .await
        }
        _ => return None,
    };
    Some(r)
}

async fn secret_id(e: &Env) -> String {
    let prod = &e.prod;
    let s = e
        .pick(
            &format!("/secret-manager/v1beta1/regions/fr-par/secrets?project_id={prod}"),
            "secrets",
            |_| true,
        )
        .await;
    s["id"].as_str().unwrap_or("").to_owned()
}

#[tokio::test]
async fn every_recorded_response_has_the_simulators_shape() {
    let dir = recorded_dir();
    assert!(
        dir.join("index.json").is_file(),
        "recorded responses not found at {} (set SCALEWAY_RECORDED_DIR)",
        dir.display()
    );
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let e = Env {
        admin: sim.credential("admin").expect("admin").secret_key.clone(),
        org: sim.organization_id().to_owned(),
        prod: sim.project_id("production").expect("production"),
        c: client(),
        sim,
    };
    let index: Vec<Value> =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).expect("index"))
            .expect("json");
    let mut failures = Vec::new();
    let (mut checked, mut skipped) = (0, Vec::new());
    for entry in &index {
        let file = entry["file"].as_str().unwrap_or_default();
        let rec: Value =
            serde_json::from_slice(&std::fs::read(dir.join(file)).expect("file")).expect("json");
        if rec["host"] != "api.scaleway.com" {
            skipped.push(file.to_owned());
            continue;
        }
        let Some(resp) = replay(&e, &rec).await else {
            skipped.push(file.to_owned());
            continue;
        };
        checked += 1;
        let api = rec["api"].as_str().unwrap_or_default();
        let status = rec["status"].as_u64().unwrap_or(0);
        let mut errs = Vec::new();
        if u64::from(resp.status.as_u16()) != status {
            errs.push(format!(
                "status: recorded {status}, simulator {} ({})",
                resp.status,
                String::from_utf8_lossy(&resp.raw)
            ));
        } else if status == 429 {
            if !resp.raw.is_empty() {
                errs.push("429 must have an empty body".to_owned());
            }
            if resp.header("content-type").is_some() {
                errs.push("429 must have no content-type".to_owned());
            }
            if resp.header("x-envoy-ratelimited") != Some("true") {
                errs.push("429 must carry x-envoy-ratelimited: true".to_owned());
            }
        } else {
            let rec_ct = rec["response_headers"]["content-type"].as_str();
            if rec_ct.is_some() && resp.header("content-type") != rec_ct {
                errs.push(format!(
                    "content-type: recorded {rec_ct:?}, simulator {:?}",
                    resp.header("content-type")
                ));
            }
            for h in ["x-total-count", "link"] {
                if rec["response_headers"].get(h).is_some() && resp.header(h).is_none() {
                    errs.push(format!("header {h} missing"));
                }
            }
            if rec["body_format"] == "json" {
                let op = rec["operation"].as_str().unwrap_or_default();
                let api = if api == "block" && op.starts_with("v1alpha1-") {
                    "block-v1alpha1"
                } else {
                    api
                };
                compare(api, "$", &rec["response_body"], &resp.body, &mut errs);
            }
        }
        if resp.header("x-request-id").is_none() {
            errs.push("x-request-id missing".to_owned());
        }
        if !errs.is_empty() {
            failures.push(format!("{file}:\n    {}", errs.join("\n    ")));
        }
    }
    println!(
        "checked {checked} recorded files; skipped (routes not served): {}",
        skipped.len()
    );
    for s in &skipped {
        println!("  skipped {s}");
    }
    assert!(checked > 150, "only {checked} recordings were checked");
    assert!(
        failures.is_empty(),
        "{} recorded files differ in shape:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Block v1 is v1alpha1 plus `kms_key_id` on volumes and `public` on snapshots (block.md), for
/// the same resources: every volume and snapshot of a zone, compared object by object. v1's
/// listing parameters (`include_deleted`, as recorded) are accepted; v1alpha1 answers carry
/// neither v1 field.
#[tokio::test]
async fn block_v1_is_v1alpha1_plus_kms_key_id_and_public() {
    let sim = Sim::start(Scenario::demo()).await.expect("sim");
    let c = client();
    let admin = sim.credential("admin").expect("admin").secret_key.clone();
    let get = |path: String| {
        let (c, admin, url) = (c.clone(), admin.clone(), sim.api_url().clone());
        async move { call(&c, &url, Some(&admin), Method::GET, &path, None).await }
    };
    let (mut keys, mut public) = (0, 0);
    for zone in ["fr-par-1", "nl-ams-2"] {
        for (kind, extra) in [("volumes", "kms_key_id"), ("snapshots", "public")] {
            let alpha = get(format!("/block/v1alpha1/zones/{zone}/{kind}")).await;
            let v1 = get(format!(
                "/block/v1/zones/{zone}/{kind}?include_deleted=false&order_by=created_at_asc"
            ))
            .await;
            assert_eq!((alpha.status.as_u16(), v1.status.as_u16()), (200, 200));
            assert_eq!(
                alpha.body["total_count"], v1.body["total_count"],
                "{zone} {kind}"
            );
            let (a, b) = (
                alpha.body[kind].as_array().expect("items"),
                v1.body[kind].as_array().expect("items"),
            );
            assert_eq!(a.len(), b.len());
            for (a, b) in a.iter().zip(b) {
                assert!(a.get(extra).is_none(), "v1alpha1 has no {extra}: {a}");
                let mut b = b.clone();
                let value = b.as_object_mut().expect("object").remove(extra);
                match value {
                    Some(Value::String(_)) => keys += 1,
                    Some(Value::Bool(true)) => public += 1,
                    Some(Value::Null | Value::Bool(false)) => {}
                    other => panic!("{zone} {kind}: {extra} = {other:?}"),
                }
                assert_eq!(a, &b, "{zone} {kind}: the rest is the same");
                // The single-object routes answer the same.
                let id = a["id"].as_str().expect("id");
                let one = get(format!("/block/v1/zones/{zone}/{kind}/{id}")).await;
                assert!(one.body.get(extra).is_some(), "{zone} {kind} get");
            }
        }
    }
    // The demo has one volume with a customer key and one public snapshot (fr-par-1).
    assert_eq!((keys, public), (1, 1));
    // `include_deleted` is a boolean as the gateway parses them.
    for (value, status) in [("False", 200), ("1", 200), ("true", 200), ("yes", 400)] {
        let r = get(format!(
            "/block/v1/zones/fr-par-1/volumes?include_deleted={value}"
        ))
        .await;
        assert_eq!(
            r.status.as_u16(),
            status,
            "include_deleted={value}: {}",
            r.body
        );
    }
    // v1alpha1 has no `volume_ids` filter (v1 only): it lists every volume.
    let all = get("/block/v1alpha1/zones/fr-par-1/volumes".to_owned()).await;
    let first = all.body["volumes"][0]["id"]
        .as_str()
        .expect("a volume")
        .to_owned();
    let alpha = get(format!(
        "/block/v1alpha1/zones/fr-par-1/volumes?volume_ids={first}"
    ))
    .await;
    let v1 = get(format!(
        "/block/v1/zones/fr-par-1/volumes?volume_ids={first}"
    ))
    .await;
    assert_eq!(alpha.body["total_count"], all.body["total_count"]);
    assert_eq!(v1.body["total_count"], 1);
}
