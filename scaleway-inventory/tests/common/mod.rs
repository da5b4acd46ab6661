//! Shared by the end-to-end tests: clients for simulator credentials.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use scaleway_core::{Client, Config, Env, RetryPolicy};
use scaleway_inventory::{Inventory, InventoryBuilder};
use scaleway_sim::{Sim, SimCredential};

/// An inventory on `client` whose listings retry quickly (the default policy is patient:
/// tests of failures would wait for minutes).
pub(crate) fn inventory(client: Client) -> InventoryBuilder {
    Inventory::builder(client).retry(quick_retry())
}

/// A client for `cred` on `sim` (nothing from the process environment), with quick retries.
pub(crate) fn client(sim: &Sim, cred: &SimCredential) -> Client {
    client_with(
        sim,
        &cred.access_key,
        &cred.secret_key,
        &cred.project_id,
        64,
    )
}

/// A client for raw key material.
pub(crate) fn client_with(
    sim: &Sim,
    access_key: &str,
    secret_key: &str,
    project_id: &str,
    max_in_flight: usize,
) -> Client {
    let config = Config::loader()
        .env(Env::default())
        .access_key(access_key.parse().unwrap())
        .secret_key(secret_key.parse().unwrap())
        .organization_id(sim.organization_id().parse().unwrap())
        .project_id(project_id.parse().unwrap())
        .api_url(sim.api_url().clone())
        .load()
        .unwrap();
    Client::builder()
        .config(config)
        .retry(quick_retry())
        .max_concurrent_requests(max_in_flight)
        .build()
        .unwrap()
}

/// Retries with short backoffs, so that tests of failures stay fast.
pub(crate) fn quick_retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(5))
        .with_max_backoff(Duration::from_millis(20))
        .with_budget(Duration::from_secs(5))
}
