//! The `demo` scenario: one Organization, three projects, resources in three regions and
//! one credential per job and per common IAM mistake.

use super::{BASE_TIME, BYOC_SETS, Gen, local_only_server, p};
use crate::model::{Bearer, BucketVersioning, Principal};
use crate::state::RuleSpec;

pub(super) fn demo(g: &mut Gen) {
    let default = g.project("default", "");
    let production = g.project("production", "Production workloads");
    let staging = g.project("staging", "Pre-production");
    let testing = g.project("testing", "CI and experiments");
    let (prod, stag, test) = (production.as_str(), staging.as_str(), testing.as_str());

    let owner = g.user("owner@example.com", true);
    let member = g.user("member@example.com", false);

    // Built-in groups (flags from the SDK's Group type).
    g.group(
        "All users",
        "Every user of the Organization",
        Vec::new(),
        Vec::new(),
        true,
        false,
    );
    g.group(
        "All applications",
        "Every application of the Organization",
        Vec::new(),
        Vec::new(),
        false,
        true,
    );

    let inventory = g.app_with_policy(
        "inventory",
        "Read-only inventory of production",
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    let byoc = g.app_with_policy(
        "byoc",
        "Bring-your-own-cloud provisioner",
        &[p(BYOC_SETS, &[prod])],
    );
    let scanner = g.app_with_policy(
        "registry-scanner",
        "Scans production images",
        &[p(&["ContainerRegistryReadOnly"], &[prod])],
    );
    let admin = g.app_with_policy(
        "admin",
        "Auditor and provisioner",
        &[
            RuleSpec::organization(&["IAMManager", "ProjectManager"]),
            RuleSpec::organization(&["AllProductsFullAccess"]),
        ],
    );
    let group_app = g.application("group-granted", "Gets its rights from a group only");
    let readers = g.group(
        "production-readers",
        "Read-only access to production",
        Vec::new(),
        vec![group_app.clone()],
        false,
        false,
    );
    g.policy(
        "production-readers",
        Principal::Group(readers),
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    let deleted = g.app_with_policy(
        "deleted",
        "Its key was deleted",
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    let expired = g.app_with_policy(
        "expired",
        "Its key has expired",
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    let wrong = g.app_with_policy(
        "wrong-project",
        "BYOC sets on the wrong project",
        &[p(BYOC_SETS, &[stag])],
    );
    let missing: Vec<&str> = BYOC_SETS
        .iter()
        .copied()
        .filter(|s| *s != "VPCFullAccess")
        .collect();
    let missing_app = g.app_with_policy(
        "missing-set",
        "BYOC without VPCFullAccess",
        &[p(&missing, &[prod])],
    );
    let extra = g.app_with_policy(
        "extra-org-set",
        "BYOC plus an organization-level set",
        &[
            p(BYOC_SETS, &[prod]),
            RuleSpec::organization(&["IAMManager"]),
        ],
    );
    let conditional = g.app_with_policy(
        "conditional",
        "BYOC sets under an IP condition",
        &[p(BYOC_SETS, &[prod]).with_condition("inIpRange(request.ip, \"203.0.113.0/24\")")],
    );
    g.policy(
        "member-production-read",
        Principal::User(member.clone()),
        &[p(&["AllProductsReadOnly"], &[prod])],
    );
    g.policy(
        "draft-no-principal",
        Principal::Nobody(true),
        &[p(&["InstancesReadOnly"], &[test])],
    );

    let app = |id: &String| Bearer::Application(id.clone());
    g.key("inventory", app(&inventory), "application \"inventory\"", prod, None,
        "AllProductsReadOnly on production: reads every product in production, 403 elsewhere and on IAM", true);
    g.key("byoc", app(&byoc), "application \"byoc\"", prod, None,
        "KubernetesFullAccess, PrivateNetworksFullAccess, VPCFullAccess, InstancesFullAccess, ObjectStorageFullAccess on production", true);
    g.key(
        "registry-scanner",
        app(&scanner),
        "application \"registry-scanner\"",
        prod,
        None,
        "ContainerRegistryReadOnly on production: registry reads only",
        true,
    );
    g.key(
        "admin",
        app(&admin),
        "application \"admin\"",
        &default,
        None,
        "IAMManager + ProjectManager (organization) and AllProductsFullAccess on all projects",
        true,
    );
    g.key(
        "group-granted",
        app(&group_app),
        "application \"group-granted\" (member of group \"production-readers\")",
        prod,
        None,
        "AllProductsReadOnly on production, granted only through a group",
        true,
    );
    g.key(
        "deleted",
        app(&deleted),
        "application \"deleted\"",
        prod,
        None,
        "a deleted key: every request gets 401 not_found",
        false,
    );
    g.key(
        "expired",
        app(&expired),
        "application \"expired\"",
        prod,
        Some(BASE_TIME - 86_400_000_000 * 60),
        "an expired key: every request gets 401 expired",
        true,
    );
    g.key(
        "wrong-project",
        app(&wrong),
        "application \"wrong-project\"",
        stag,
        None,
        "BYOC sets on staging instead of production (default project staging): 403 on production",
        true,
    );
    g.key(
        "missing-set",
        app(&missing_app),
        "application \"missing-set\"",
        prod,
        None,
        "BYOC minus VPCFullAccess: 403 on VPCs only",
        true,
    );
    g.key("extra-org-set", app(&extra), "application \"extra-org-set\"", prod, None,
        "BYOC plus IAMManager at organization level: works, but can also manage IAM (over-privileged)", true);
    g.key("personal-user", Bearer::User(member.clone()), "user member@example.com (not an application)", prod, None,
        "a key owned by a person: AllProductsReadOnly on production through the member's own policy", true);
    g.key(
        "conditional",
        app(&conditional),
        "application \"conditional\"",
        prod,
        None,
        "BYOC sets under inIpRange(request.ip, \"203.0.113.0/24\"): 403 from any other address",
        true,
    );
    let _ = test;

    // Network and Kubernetes.
    g.vpc("fr-par", prod, "default", true);
    let prod_vpc = g.vpc("fr-par", prod, "production-vpc", false);
    let prod_pn = g.private_network("fr-par", prod, &prod_vpc, "production-pn", "172.16.0.0/22");
    g.vpc("nl-ams", stag, "default", true);
    let stag_vpc = g.vpc("nl-ams", stag, "staging-vpc", false);
    g.private_network("nl-ams", stag, &stag_vpc, "staging-pn", "172.16.8.0/22");
    g.vpc("pl-waw", test, "default", true);
    let cluster = g.cluster("fr-par", prod, "production-kapsule", &prod_pn);
    g.pool(&cluster, "fr-par-1", "default", 2);

    // Instances with Block volumes, local volumes.
    let web1 = g.server(
        "fr-par-1",
        prod,
        "web-1",
        "PRO2-S",
        &["web"],
        0,
        0,
        Some(&prod_pn),
    );
    let web2 = g.server(
        "fr-par-1",
        prod,
        "web-2",
        "PRO2-S",
        &["web"],
        1,
        0,
        Some(&prod_pn),
    );
    g.server(
        "fr-par-2",
        prod,
        "db-1",
        "PRO2-M",
        &["db"],
        1,
        1,
        Some(&prod_pn),
    );
    g.server(
        "nl-ams-1",
        prod,
        "worker-1",
        "DEV1-M",
        &["worker"],
        0,
        0,
        None,
    );
    g.server(
        "pl-waw-1",
        prod,
        "batch-1",
        "POP2-2C-8G",
        &["batch"],
        0,
        1,
        None,
    );
    g.server(
        "fr-par-1",
        stag,
        "staging-web-1",
        "DEV1-S",
        &["web"],
        0,
        0,
        None,
    );
    g.server(
        "nl-ams-1",
        stag,
        "staging-api",
        "DEV1-M",
        &["api"],
        1,
        0,
        None,
    );
    g.server(
        "pl-waw-2",
        test,
        "test-runner",
        "DEV1-S",
        &["ci"],
        0,
        0,
        None,
    );
    local_only_server(g, "fr-par-1", test, "legacy-1", "DEV1-S");
    let backup = g.block_volume("fr-par-1", prod, "backup-data", 100, None);
    g.block_volume("nl-ams-2", prod, "archive", 250, None);
    g.block_volume("pl-waw-1", stag, "scratch-data", 30, None);
    if let Some(boot) =
        g.st.servers
            .get(&web1)
            .map(|s| s.volumes[0].id().to_owned())
    {
        let image = g.id();
        g.snapshot(&boot, "web-1-boot-2026-03-01", Some(&image));
    }
    g.snapshot(&backup, "backup-data-weekly", None);

    // What a security inventory reads: a placement group, an IPv6 address, a volume encrypted
    // with a customer key (Key Manager key ID; no recorded volume has one), a public snapshot.
    g.place_in_group(&web2, "web-spread");
    g.add_ipv6(&web1);
    let kms_key = g.id();
    if let Some(v) = g.st.block_volumes.get_mut(&backup) {
        v.kms_key_id = Some(kms_key);
    }
    let public: Vec<String> =
        g.st.block_snapshots
            .iter()
            .filter(|s| s.name.starts_with("web-1-boot-"))
            .map(|s| s.id.clone())
            .collect();
    for id in public {
        if let Some(s) = g.st.block_snapshots.get_mut(&id) {
            s.public = true;
        }
    }

    // Secrets.
    g.secret(
        "fr-par",
        prod,
        "db-password",
        "/",
        &[b"correct horse battery staple", b"tr0ub4dor&3"],
    );
    g.secret(
        "fr-par",
        prod,
        "api-token",
        "/services",
        &[b"tok_live_5f2c"],
    );
    // Scheduled for deletion, still restorable: hidden by the API's default listing.
    let old = g.secret(
        "fr-par",
        prod,
        "old-api-token",
        "/services",
        &[b"tok_live_0a11"],
    );
    g.schedule_deletion(&old);
    g.secret(
        "nl-ams",
        stag,
        "staging-db-password",
        "/",
        &[b"staging-password"],
    );
    g.secret("pl-waw", test, "test-secret", "/", &[b"not-so-secret"]);

    // Buckets (state only).
    g.bucket(
        "fr-par",
        prod,
        "acme-prod-assets",
        BucketVersioning::Enabled,
        &[("env", "production")],
    );
    g.bucket(
        "nl-ams",
        prod,
        "acme-prod-backups",
        BucketVersioning::Enabled,
        &[("env", "production"), ("kind", "backup")],
    );
    g.bucket(
        "fr-par",
        stag,
        "acme-staging-assets",
        BucketVersioning::Unversioned,
        &[("env", "staging")],
    );
    g.bucket(
        "pl-waw",
        test,
        "acme-testing-tmp",
        BucketVersioning::Suspended,
        &[],
    );

    // Registry.
    let ns = g.namespace("fr-par", prod, "acme-prod");
    g.registry_image(&ns, "api", &["latest", "v1.2.0"]);
    g.registry_image(&ns, "worker", &["latest"]);
    let ns2 = g.namespace("nl-ams", stag, "acme-staging");
    g.registry_image(&ns2, "api", &["staging"]);
    let ns3 = g.namespace("pl-waw", test, "acme-testing");
    g.registry_image(&ns3, "tools/ci", &["v1"]);

    // Last, so that every id above stays what it was.
    demo_boundary_keys(g, &owner, prod);
}

/// Keys that get through a naive check but break least privilege or the Organization boundary:
/// the Organization owner's own key, the BYOC sets on every project, and a key of a second
/// Organization (whose rights apply in its own Organization only: here it is refused
/// everything).
fn demo_boundary_keys(g: &mut Gen, owner: &str, prod: &str) {
    let all_projects = g.app_with_policy(
        "byoc-all-projects",
        "BYOC sets on every project of the Organization",
        &[RuleSpec::organization(BYOC_SETS)],
    );
    g.key(
        "owner",
        Bearer::User(owner.to_owned()),
        "user owner@example.com (the Organization owner)",
        prod,
        None,
        "the Organization owner's key: IAM does not apply to it, every request is allowed",
        true,
    );
    g.key(
        "byoc-all-projects",
        Bearer::Application(all_projects),
        "application \"byoc-all-projects\"",
        prod,
        None,
        "BYOC sets on all current and future projects (an Organization-scoped rule): works on production, and everywhere else",
        true,
    );
    // A second Organization: an application with AllProductsReadOnly on all of its own
    // projects. Its key's default project is that Organization's default project (same id).
    let other_org = g.id();
    let app = g.application("other-org", "An application of another Organization");
    let policy = g.policy(
        "other-org",
        Principal::Application(app.clone()),
        &[RuleSpec::organization(&["AllProductsReadOnly"])],
    );
    if let Some(a) = g.st.iam.applications.get_mut(&app) {
        a.organization_id.clone_from(&other_org);
    }
    if let Some(p) = g.st.iam.policies.get_mut(&policy) {
        p.organization_id.clone_from(&other_org);
        for r in &mut p.rules {
            r.scope = crate::model::RuleScope::Organization(other_org.clone());
        }
    }
    g.key(
        "other-org",
        Bearer::Application(app),
        "application \"other-org\" of another Organization",
        &other_org,
        None,
        "a key of another Organization (AllProductsReadOnly on all of that Organization's projects): refused everything in this one",
        true,
    );
    if let Some(c) = g.creds.last_mut() {
        c.organization_id = other_org;
    }
}
