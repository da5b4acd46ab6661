//! The `customers` scenario: many customers' projects, each behind its own key, as a backup
//! control plane holds them.

use super::{Gen, p};
use crate::locality::{BLOCK_ZONES, OBJECT_STORAGE_REGIONS, SECRET_REGIONS};
use crate::model::{Bearer, BucketVersioning};

/// Parameters of the `customers` scenario ([`crate::Scenario::customers`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomersParams {
    /// Customers: one project, application, policy and API key each.
    pub customers: usize,
    /// Resources in each customer's project (about; see [`crate::Scenario::customers`]).
    pub resources_per_customer: usize,
}

impl Default for CustomersParams {
    /// 20 customers of 200 resources each.
    fn default() -> Self {
        Self {
            customers: 20,
            resources_per_customer: 200,
        }
    }
}

impl CustomersParams {
    /// `customers` customers of `resources_per_customer` resources each.
    pub fn new(customers: usize, resources_per_customer: usize) -> Self {
        Self {
            customers,
            resources_per_customer,
        }
    }

    /// The name of customer `i`'s project, application and credential: `customer-0007`.
    pub fn name(i: usize) -> String {
        format!("customer-{i:04}")
    }
}

/// How `r` resources split: (servers, standalone Block volumes, secrets, buckets). Each server
/// has a Block boot volume, so servers count twice.
fn split(r: usize) -> (usize, usize, usize, usize) {
    let servers = r / 4;
    let volumes = r / 4;
    let secrets = r / 5;
    let buckets = r.saturating_sub(2 * servers + volumes + secrets);
    (servers, volumes, secrets, buckets)
}

pub(super) fn customers(g: &mut Gen, params: &CustomersParams) {
    let default = g.project("default", "");
    g.user("owner@example.com", true);
    let admin = g.admin_app();
    g.admin_key(admin, &default);
    let org8 = g.org[..8].to_owned();
    let (servers, volumes, secrets, buckets) = split(params.resources_per_customer);
    for i in 0..params.customers {
        let name = CustomersParams::name(i);
        let project = g.project(&name, "a customer's project");
        let app = g.app_with_policy(
            &name,
            "The customer's read-only key for the backup platform",
            &[p(&["AllProductsReadOnly"], &[&project])],
        );
        g.key(
            &name,
            Bearer::Application(app),
            &format!("application \"{name}\""),
            &project,
            None,
            "AllProductsReadOnly on this customer's project only",
            true,
        );
        // Spread over the zones and regions, starting at a different one for each customer.
        for j in 0..servers {
            let zone = BLOCK_ZONES[(i + j) % BLOCK_ZONES.len()];
            g.server(
                zone,
                &project,
                &format!("srv-{j:04}"),
                "DEV1-S",
                &[],
                0,
                0,
                None,
            );
        }
        for j in 0..volumes {
            let zone = BLOCK_ZONES[(i + j + 3) % BLOCK_ZONES.len()];
            g.block_volume(
                zone,
                &project,
                &format!("vol-{j:04}"),
                10 + j as u64 % 90,
                None,
            );
        }
        for j in 0..secrets {
            let region = SECRET_REGIONS[(i + j) % SECRET_REGIONS.len()];
            g.secret(
                region,
                &project,
                &format!("secret-{j:04}"),
                "/",
                &[b"generated"],
            );
        }
        for j in 0..buckets {
            let region = OBJECT_STORAGE_REGIONS[(i + j) % OBJECT_STORAGE_REGIONS.len()];
            g.bucket(
                region,
                &project,
                &format!("c{i:04}-bucket-{j:03}-{org8}"),
                BucketVersioning::Unversioned,
                &[],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_add_up() {
        for r in [0, 1, 7, 20, 200, 201] {
            let (s, v, x, b) = split(r);
            assert_eq!(2 * s + v + x + b, r, "{r}");
        }
        assert_eq!(split(200), (50, 50, 40, 10));
    }
}
