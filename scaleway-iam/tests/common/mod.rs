#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use scaleway_core::{Client, Config, Env, RetryPolicy};
use scaleway_iam::checker::CheckOptions;
use scaleway_sim::{Scenario, Sim};

pub async fn sim() -> Sim {
    Sim::start(Scenario::demo()).await.unwrap()
}

pub fn client_for(sim: &Sim, access_key: &str, secret_key: &str, project: &str) -> Client {
    let cfg = Config::loader()
        .env(Env::default())
        .access_key(access_key.parse().unwrap())
        .secret_key(secret_key.parse().unwrap())
        .organization_id(sim.organization_id().parse().unwrap())
        .project_id(project.parse().unwrap())
        .api_url(sim.api_url().clone())
        .load()
        .unwrap();
    Client::builder()
        .config(cfg)
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
}

/// A client with the demo credential `name`.
pub fn client(sim: &Sim, name: &str) -> Client {
    let c = sim
        .credential(name)
        .unwrap_or_else(|| panic!("no credential {name}"));
    client_for(sim, &c.access_key, &c.secret_key, &c.project_id)
}

pub fn access_key(sim: &Sim, name: &str) -> scaleway_core::AccessKey {
    sim.credential(name).unwrap().access_key.parse().unwrap()
}

pub fn prod(sim: &Sim) -> scaleway_core::ProjectId {
    sim.project_id("production").unwrap().parse().unwrap()
}

/// Checker options whose Object Storage probe goes to the simulator's fr-par S3 endpoint.
pub fn options(sim: &Sim) -> CheckOptions {
    let mut o = CheckOptions::default();
    o.s3_endpoint = sim.s3_endpoint("fr-par");
    o
}

/// An ID as the server sends it (read leniently, as server data is): the short names of
/// hand-written resolutions.
pub fn server_id<T: serde::de::DeserializeOwned>(s: &str) -> T {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).unwrap()
}
