//! The `dense` scenario: `n` resources of every listed kind in one project, for tests of
//! listings (see [`super::Scenario::dense`]).

use super::{Bearer, Gen};

pub(super) fn dense(g: &mut Gen, n: usize) {
    let default = g.project("default", "");
    let project = g.project("dense", "n resources of every listed kind");
    let (inventory, admin) = g.owner_and_standard_apps();
    g.key(
        "inventory",
        Bearer::Application(inventory),
        "application \"inventory\"",
        &project,
        None,
        "AllProductsReadOnly on every project (organization scope)",
        true,
    );
    g.admin_key(admin, &default);
    let (zone, region) = ("fr-par-1", "fr-par");
    for i in 0..n {
        g.server(
            zone,
            &project,
            &format!("srv-{i:04}"),
            "DEV1-S",
            &[],
            0,
            1,
            None,
        );
    }
    let volumes: Vec<String> =
        g.st.block_volumes
            .in_locality(zone)
            .take(n)
            .map(|v| v.id.clone())
            .collect();
    for (i, v) in volumes.iter().enumerate() {
        g.snapshot(v, &format!("snap-{i:04}"), None);
    }
    for i in 0..n {
        g.secret(
            region,
            &project,
            &format!("secret-{i:04}"),
            "/",
            &[b"generated"],
        );
    }
    let mut first_vpc = String::new();
    for i in 0..n {
        let vpc = g.vpc(region, &project, &format!("vpc-{i:04}"), i == 0);
        if i == 0 {
            first_vpc = vpc;
        }
    }
    let mut first_pn = String::new();
    for i in 0..n {
        let pn = g.private_network(
            region,
            &project,
            &first_vpc,
            &format!("pn-{i:04}"),
            "172.16.0.0/22",
        );
        if i == 0 {
            first_pn = pn;
        }
    }
    for i in 0..n {
        let c = g.cluster(region, &project, &format!("kapsule-{i:04}"), &first_pn);
        for j in 0..n {
            g.pool(&c, zone, &format!("pool-{i:04}-{j:04}"), 0);
        }
    }
    for i in 0..n {
        g.namespace(region, &project, &format!("ns-{i:04}"));
    }
}
