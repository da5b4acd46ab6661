//! Throughput of the pure evaluation on a large Organization's grants.
//!
//! ```text
//! cargo bench -p scaleway-iam --bench evaluate
//! ```
//!
//! Prints the time per evaluation of 1,000 grants (200 policies × 5 sets, a fifth of them
//! on the target project, some Organization-wide, some under conditions) against the
//! `byoc-kapsule` profile, and the time to load the built-in catalogue.
#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    missing_docs,
    reason = "a benchmark binary"
)]

use std::time::Instant;

use scaleway_iam::checker::{
    Catalogue, CheckOptions, Checker, Grant, GrantPath, Mode, Profile, Resolution, Target,
};
use scaleway_iam::{ApiKey, PermissionSetScopeType, RuleScope};

const P: &str = "00000000-0000-4000-8000-00000000000a";

fn main() {
    let t = Instant::now();
    let text = include_str!("../data/catalogue.json");
    let n = 20;
    for _ in 0..n {
        std::hint::black_box(Catalogue::from_json(text).unwrap());
    }
    println!(
        "catalogue load: {:.2} ms",
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
    );

    let sets = [
        "KubernetesFullAccess",
        "VPCReadOnly",
        "InstancesFullAccess",
        "AllProductsReadOnly",
        "SecretManagerReadOnly",
        "ObjectStorageFullAccess",
        "PrivateNetworksFullAccess",
        "ContainerRegistryReadOnly",
    ];
    let mut res = Resolution::default();
    res.key = Some(
        serde_json::from_value::<ApiKey>(serde_json::json!({
            "access_key": "SCWXXXXXXXXXXXXXXXXX", "application_id": "app",
            "default_project_id": P, "expires_at": "2030-01-01T00:00:00Z"
        }))
        .unwrap(),
    );
    res.bearer = res.key.as_ref().and_then(ApiKey::bearer);
    for p in 0..200 {
        for r in 0..5 {
            let project = if p % 5 == 0 {
                P.to_owned()
            } else {
                format!("00000000-0000-4000-8000-{p:012}")
            };
            let scope: RuleScope = if p % 17 == 0 {
                serde_json::from_value(
                    serde_json::json!({"type": "organization", "organization_id": "o"}),
                )
                .unwrap()
            } else {
                serde_json::from_value(
                    serde_json::json!({"type": "projects", "project_ids": [project]}),
                )
                .unwrap()
            };
            let condition = if p % 13 == 0 {
                "request.time.getHours() < 18"
            } else {
                ""
            };
            res.grants.push(Grant::new(
                sets[(p + r) % sets.len()],
                PermissionSetScopeType::Projects,
                scope,
                condition,
                GrantPath::direct(format!("p{p}"), format!("policy {p}"), format!("r{r}")),
            ));
        }
    }
    let profile = Profile::builtin("byoc-kapsule").unwrap();
    let target = Target::project(P.parse().unwrap());
    let checker = Checker::new().with_options(CheckOptions::default());
    let n = 200;
    let t = Instant::now();
    let mut findings = 0;
    for _ in 0..n {
        let r = checker
            .evaluate(&res, &profile, &target, Mode::Auditor)
            .unwrap();
        findings = r.findings.len();
        std::hint::black_box(r);
    }
    println!(
        "evaluate 1000 grants: {:.3} ms per check ({findings} findings)",
        t.elapsed().as_secs_f64() * 1000.0 / f64::from(n)
    );
}
