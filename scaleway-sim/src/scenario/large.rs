//! The `large` scenario: a seeded generator of many resources ([`super::LargeParams`]).

use std::collections::BTreeMap;

use super::{Gen, LargeParams, local_only_server};
use crate::locality::{
    BLOCK_ZONES, INSTANCE_ZONES, K8S_REGIONS, OBJECT_STORAGE_REGIONS, REGISTRY_REGIONS,
    SECRET_REGIONS, VPC_REGIONS, zone_region,
};
use crate::model::{Bearer, BucketVersioning};

pub(super) fn large(g: &mut Gen, params: &LargeParams) {
    let default = g.project("default", "");
    let mut projects = vec![default.clone()];
    for i in 0..params.projects {
        projects.push(g.project(&format!("project-{i:03}"), ""));
    }
    let (inventory, admin) = g.owner_and_standard_apps();
    let first = projects.get(1).cloned().unwrap_or_else(|| default.clone());
    g.key(
        "inventory",
        Bearer::Application(inventory),
        "application \"inventory\"",
        &first,
        None,
        "AllProductsReadOnly on every project (organization scope)",
        true,
    );
    g.admin_key(admin, &default);

    let types = ["DEV1-S", "DEV1-M", "PRO2-XXS", "PRO2-S", "POP2-2C-8G"];
    let attached = params.servers.min(params.block_volumes);
    for i in 0..params.servers {
        let zone = INSTANCE_ZONES[i % INSTANCE_ZONES.len()];
        let project = projects[i % projects.len()].clone();
        let ct = types[i % types.len()];
        // Block Storage does not exist in it-mil-1: servers there get a local volume instead.
        if i < attached && BLOCK_ZONES.contains(&zone) {
            g.server(zone, &project, &format!("srv-{i:06}"), ct, &[], 0, 0, None);
        } else {
            local_only_server(g, zone, &project, &format!("srv-{i:06}"), ct);
        }
    }
    let attached_count = g.st.block_volumes.len();
    for i in attached_count..params.block_volumes {
        let zone = BLOCK_ZONES[i % BLOCK_ZONES.len()];
        let project = projects[i % projects.len()].clone();
        g.block_volume(
            zone,
            &project,
            &format!("vol-{i:06}"),
            10 + (i as u64 % 90),
            None,
        );
    }
    for i in 0..params.secrets {
        let region = SECRET_REGIONS[i % SECRET_REGIONS.len()];
        let project = projects[i % projects.len()].clone();
        g.secret(
            region,
            &project,
            &format!("secret-{i:06}"),
            "/",
            &[b"generated"],
        );
    }
    for i in 0..params.buckets {
        let region = OBJECT_STORAGE_REGIONS[i % OBJECT_STORAGE_REGIONS.len()];
        let project = projects[i % projects.len()].clone();
        g.bucket(
            region,
            &project,
            &format!("bucket-{i:06}-{}", &g.org[..8]),
            if i % 3 == 0 {
                BucketVersioning::Enabled
            } else {
                BucketVersioning::Unversioned
            },
            &[],
        );
    }
    let mut namespaces: BTreeMap<(usize, usize), String> = BTreeMap::new();
    for i in 0..params.images {
        let r = i % REGISTRY_REGIONS.len();
        let pi = (i / REGISTRY_REGIONS.len()) % projects.len();
        let ns = match namespaces.get(&(r, pi)) {
            Some(ns) => ns.clone(),
            None => {
                let name = format!("ns-{}-{pi:03}", &g.org[..8]);
                let project = projects[pi].clone();
                let ns = g.namespace(REGISTRY_REGIONS[r], &project, &name);
                namespaces.insert((r, pi), ns.clone());
                ns
            }
        };
        g.registry_image(&ns, &format!("image-{i:06}"), &["latest"]);
    }
    // One VPC and private network per region and project (small).
    for (pi, project) in projects.iter().enumerate().take(3) {
        for region in VPC_REGIONS {
            let vpc = g.vpc(region, project, "default", true);
            let pn = g.private_network(region, project, &vpc, &format!("pn-{pi}"), "172.16.0.0/22");
            if pi == 0 && K8S_REGIONS.contains(region) && *region == "fr-par" {
                let c = g.cluster(region, project, "large-kapsule", &pn);
                let zone = format!("{region}-1");
                let _ = zone_region(&zone);
                g.pool(&c, &zone, "default", 0);
            }
        }
    }
}
