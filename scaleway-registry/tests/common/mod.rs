//! Helpers shared by the integration tests: the simulator and a registry handle per credential.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use scaleway_core::{Client, Config, Env, Region, RetryPolicy};
use scaleway_registry::{RegistryApi, RegistryHosts};
use scaleway_sim::{Scenario, Sim};

/// The demo scenario.
pub async fn sim() -> Sim {
    Sim::start(Scenario::demo()).await.expect("sim")
}

/// Registry hosts pointing every registry region at the simulator.
pub fn sim_hosts(sim: &Sim) -> RegistryHosts {
    let mut hosts = RegistryHosts::new();
    for r in [Region::FrPar, Region::NlAms, Region::PlWaw] {
        let host = sim.registry_host(r.as_str()).expect("registry region");
        hosts = hosts.with_override(r, host).expect("host");
    }
    hosts
}

/// A registry handle with the credential `name` of the demo scenario.
pub fn api(sim: &Sim, name: &str) -> RegistryApi {
    let cred = sim.credential(name).expect("credential");
    let config = Config::loader()
        .env(Env::default())
        .access_key(cred.access_key.parse().unwrap())
        .secret_key(cred.secret_key.parse().unwrap())
        .organization_id(cred.organization_id.parse().unwrap())
        .project_id(cred.project_id.parse().unwrap())
        .api_url(sim.api_url().clone())
        .load()
        .unwrap();
    let client = Client::builder()
        .config(config)
        // Retries without backoff: the tests count attempts, they never wait.
        .retry(
            RetryPolicy::default()
                .with_max_attempts(2)
                .with_initial_backoff(std::time::Duration::ZERO),
        )
        .build()
        .unwrap();
    RegistryApi::new(&client).with_hosts(sim_hosts(sim))
}

/// A registry handle without credentials.
pub fn anonymous(sim: &Sim) -> RegistryApi {
    let config = Config::loader()
        .env(Env::default())
        .api_url(sim.api_url().clone())
        .load()
        .unwrap();
    let client = Client::builder()
        .config(config)
        .anonymous()
        .build()
        .unwrap();
    RegistryApi::new(&client).with_hosts(sim_hosts(sim))
}

/// sha256 of a file, as `sha256:<hex>`.
pub fn file_digest(path: &std::path::Path) -> String {
    use sha2::Digest as _;
    let bytes = std::fs::read(path).unwrap();
    let h = sha2::Sha256::digest(&bytes);
    format!(
        "sha256:{}",
        h.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}
