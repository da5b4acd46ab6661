//! Deterministic, seeded scenarios: `demo`, `large`, `empty`, `dense`, `customers`.

mod customers;
mod demo;
mod dense;
mod empty;
mod large;
mod products;

use crate::model::{
    Application, Bearer, Group, Policy, Principal, Project, Qualification, ServerVolume, User,
};
use crate::state::{RuleSpec, State, new_api_key, rules_from_specs};
use crate::util::{Rng, Ts};

pub use customers::CustomersParams;

/// A credential of a scenario: an API key and what it is meant to show.
#[derive(Clone, PartialEq, Eq)]
pub struct SimCredential {
    /// Short name (`inventory`, `byoc`, …).
    pub name: String,
    /// Access key (`SCW` + 17 uppercase letters or digits).
    pub access_key: String,
    /// Secret key (UUID): the `X-Auth-Token`.
    pub secret_key: String,
    /// Organization of the bearer.
    pub organization_id: String,
    /// The key's `default_project_id`.
    pub project_id: String,
    /// Who bears the key (e.g. `application "inventory"`).
    pub bearer: String,
    /// What the credential is meant to show.
    pub purpose: String,
}

impl std::fmt::Debug for SimCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCredential")
            .field("name", &self.name)
            .field("access_key", &self.access_key)
            .field("secret_key", &"[redacted]")
            .field("organization_id", &self.organization_id)
            .field("project_id", &self.project_id)
            .field("bearer", &self.bearer)
            .field("purpose", &self.purpose)
            .finish()
    }
}

/// Parameters of the `large` scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LargeParams {
    /// Instance servers (spread over all 10 zones).
    pub servers: usize,
    /// Block volumes (the first ones are the servers' boot volumes; the rest are standalone).
    pub block_volumes: usize,
    /// Secrets (one version each), over the Secret Manager regions.
    pub secrets: usize,
    /// Buckets (state only), over the Object Storage regions.
    pub buckets: usize,
    /// Registry images (one `latest` tag each), over the Registry regions.
    pub images: usize,
    /// Projects besides the default one.
    pub projects: usize,
}

impl Default for LargeParams {
    fn default() -> Self {
        Self {
            servers: 1_000,
            block_volumes: 1_000,
            secrets: 500,
            buckets: 200,
            images: 500,
            projects: 5,
        }
    }
}

impl LargeParams {
    /// About `total` resources (each counted once): 30 % servers, 30 % Block volumes, 10 % secrets
    /// plus their versions (10 %), 5 % buckets, 7.5 % registry images plus their tags (7.5 %), and
    /// 20 projects. Servers in `it-mil-1` (no Block Storage) get a local volume instead.
    pub fn with_total(total: usize) -> Self {
        Self {
            servers: total * 3 / 10,
            block_volumes: total * 3 / 10,
            secrets: total / 10,
            buckets: total / 20,
            images: total * 75 / 1000,
            projects: 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    Demo,
    Large(LargeParams),
    Empty,
    Customers(CustomersParams),
    Dense(usize),
}

/// A scenario to start the simulator with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    kind: Kind,
}

impl Scenario {
    /// One organization with `production`, `staging`, `testing`, resources in fr-par, nl-ams and
    /// pl-waw, and one credential per job and per common IAM mistake (see the README).
    pub fn demo() -> Self {
        Self { kind: Kind::Demo }
    }

    /// A seeded generator of many resources.
    pub fn large(params: LargeParams) -> Self {
        Self {
            kind: Kind::Large(params),
        }
    }

    /// An organization, its default project, one more project and an `admin` key.
    pub fn empty() -> Self {
        Self { kind: Kind::Empty }
    }

    /// Many customers' projects, each behind its own key, as a backup control plane holds
    /// them: for customer `i`, a project, an application and an API key all named
    /// `customer-{i:04}` ([`CustomersParams::name`]; the credential's `project_id` is that
    /// project), whose policy grants `AllProductsReadOnly` on that project only; plus an
    /// `admin` key (organization-wide). Each project holds about
    /// [`CustomersParams::resources_per_customer`] resources: a quarter Instance servers, each
    /// with its Block boot volume (so half the resources), a quarter standalone Block volumes,
    /// a fifth secrets and the rest buckets (200 → 50 servers, 50 boot volumes, 50 volumes,
    /// 40 secrets, 10 buckets), spread over the Block zones and the Secret Manager and Object
    /// Storage regions.
    pub fn customers(params: CustomersParams) -> Self {
        Self {
            kind: Kind::Customers(params),
        }
    }

    /// `n` resources of every kind the inventory lists, in one project (`dense`, the `inventory`
    /// key's default project), zone `fr-par-1` and region `fr-par`: Instance servers (each with
    /// a Block boot volume and a local volume), Block snapshots, secrets, Kubernetes clusters
    /// (each with `n` pools), VPCs, private networks and registry namespaces. With a page-size
    /// cap ([`crate::Faults::page_size_cap`]) every listing spans several pages, which is what
    /// tests of listings need. Credentials: `inventory` (`AllProductsReadOnly` on the whole
    /// organization) and `admin`.
    pub fn dense(n: usize) -> Self {
        Self {
            kind: Kind::Dense(n),
        }
    }

    /// Parses `demo`, `large`, `empty`, `customers` (with [`CustomersParams::default`]).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "demo" => Some(Self::demo()),
            "large" => Some(Self::large(LargeParams::default())),
            "empty" => Some(Self::empty()),
            "customers" => Some(Self::customers(CustomersParams::default())),
            _ => None,
        }
    }

    /// The scenario's name.
    pub fn name(&self) -> &'static str {
        match self.kind {
            Kind::Demo => "demo",
            Kind::Large(_) => "large",
            Kind::Empty => "empty",
            Kind::Customers(_) => "customers",
            Kind::Dense(_) => "dense",
        }
    }

    pub(crate) fn build(&self, seed: u64) -> (State, Vec<SimCredential>) {
        let mut g = Gen::new(seed);
        match &self.kind {
            Kind::Demo => demo::demo(&mut g),
            Kind::Large(p) => large::large(&mut g, p),
            Kind::Empty => empty::empty(&mut g),
            Kind::Customers(p) => customers::customers(&mut g, p),
            Kind::Dense(n) => dense::dense(&mut g, *n),
        }
        g.st.sync_iam();
        (g.st, g.creds)
    }
}

/// 2026-03-02T09:00:00Z in microseconds.
const BASE_TIME: Ts = 1_772_442_000_000_000;

struct Gen {
    st: State,
    rng: Rng,
    t: Ts,
    org: String,
    creds: Vec<SimCredential>,
}

const BYOC_SETS: &[&str] = &[
    "KubernetesFullAccess",
    "PrivateNetworksFullAccess",
    "VPCFullAccess",
    "InstancesFullAccess",
    "ObjectStorageFullAccess",
];

impl Gen {
    fn new(seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let org = rng.uuid();
        let st = State::new(org.clone(), seed);
        Self {
            st,
            rng,
            t: BASE_TIME,
            org,
            creds: Vec::new(),
        }
    }

    fn tick(&mut self) -> Ts {
        self.t += 60_000_000 + self.rng.jitter_micros();
        self.t
    }

    fn id(&mut self) -> String {
        self.rng.uuid()
    }

    fn project(&mut self, name: &str, description: &str) -> String {
        // The default project's id equals the organization id.
        let id = if name == "default" {
            self.org.clone()
        } else {
            self.id()
        };
        let t = self.tick();
        self.st.projects.insert(Project {
            id: id.clone(),
            name: name.to_owned(),
            organization_id: self.org.clone(),
            created_at: t,
            updated_at: t,
            description: description.to_owned(),
            qualification: Qualification {
                architecture_type: "unknown_architecture_type",
            },
        });
        id
    }

    fn user(&mut self, email: &str, owner: bool) -> String {
        let id = self.id();
        let t = self.tick();
        let username = email.split('@').next().unwrap_or(email).to_owned();
        self.st.iam.users.insert(User {
            id: id.clone(),
            email: email.to_owned(),
            username,
            first_name: String::new(),
            last_name: String::new(),
            phone_number: String::new(),
            locale: "en_US".to_owned(),
            created_at: t,
            updated_at: t,
            organization_id: self.org.clone(),
            deletable: !owner,
            last_login_at: Some(t + 3_600_000_000),
            kind: if owner { "owner" } else { "member" },
            two_factor_enabled: owner,
            status: "activated",
            mfa: owner,
            account_root_user_id: if owner { id.clone() } else { String::new() },
            tags: Vec::new(),
            locked: false,
        });
        id
    }

    fn application(&mut self, name: &str, description: &str) -> String {
        let id = self.id();
        let t = self.tick();
        self.st.iam.applications.insert(Application {
            id: id.clone(),
            name: name.to_owned(),
            description: description.to_owned(),
            created_at: t,
            updated_at: t,
            organization_id: self.org.clone(),
            editable: true,
            deletable: true,
            managed: false,
            nb_api_keys: 0,
            tags: Vec::new(),
        });
        id
    }

    #[allow(clippy::fn_params_excessive_bools, reason = "group flags")]
    fn group(
        &mut self,
        name: &str,
        description: &str,
        users: Vec<String>,
        apps: Vec<String>,
        all_users: bool,
        all_apps: bool,
    ) -> String {
        let id = self.id();
        let t = self.tick();
        let builtin = all_users || all_apps;
        self.st.iam.groups.insert(Group {
            id: id.clone(),
            created_at: t,
            updated_at: t,
            organization_id: self.org.clone(),
            name: name.to_owned(),
            description: description.to_owned(),
            user_ids: users,
            application_ids: apps,
            tags: Vec::new(),
            editable: !builtin,
            deletable: !builtin,
            managed: builtin,
            all_users,
            all_applications: all_apps,
        });
        id
    }

    fn policy(&mut self, name: &str, principal: Principal, rules: &[RuleSpec]) -> String {
        let id = self.id();
        let t = self.tick();
        let rules = rules_from_specs(&mut self.st, rules).unwrap_or_default();
        let mut p = Policy {
            id: id.clone(),
            name: name.to_owned(),
            description: String::new(),
            organization_id: self.org.clone(),
            created_at: t,
            updated_at: t,
            editable: true,
            deletable: true,
            managed: false,
            nb_rules: 0,
            nb_scopes: 0,
            nb_permission_sets: 0,
            tags: Vec::new(),
            principal,
            rules,
        };
        p.recount();
        self.st.iam.policies.insert(p);
        id
    }

    #[allow(clippy::too_many_arguments, reason = "a table row")]
    fn key(
        &mut self,
        name: &str,
        bearer: Bearer,
        bearer_desc: &str,
        project: &str,
        expires_at: Option<Ts>,
        purpose: &str,
        keep: bool,
    ) {
        let mut k = new_api_key(&mut self.st, bearer, project.to_owned(), expires_at, name);
        let t = self.tick();
        k.created_at = t;
        k.updated_at = t;
        k.creation_ip = "198.51.100.24".to_owned();
        self.creds.push(SimCredential {
            name: name.to_owned(),
            access_key: k.access_key.clone(),
            secret_key: k.secret.clone(),
            organization_id: self.org.clone(),
            project_id: project.to_owned(),
            bearer: bearer_desc.to_owned(),
            purpose: purpose.to_owned(),
        });
        if keep {
            self.st.iam.insert_key(k);
        }
    }

    /// The Organization's owner (`owner@example.com`), then the applications `inventory`
    /// (AllProductsReadOnly) and `admin` (IAMManager, ProjectManager, AllProductsFullAccess),
    /// all at Organization level, in that order (the generated IDs depend on it); their IDs.
    fn owner_and_standard_apps(&mut self) -> (String, String) {
        self.user("owner@example.com", true);
        let inventory = self.app_with_policy(
            "inventory",
            "Read-only inventory",
            &[RuleSpec::organization(&["AllProductsReadOnly"])],
        );
        let admin = self.admin_app();
        (inventory, admin)
    }

    /// The application `admin`: IAMManager and ProjectManager at Organization level,
    /// AllProductsFullAccess on all projects; its ID.
    fn admin_app(&mut self) -> String {
        self.app_with_policy(
            "admin",
            "Full access",
            &[
                RuleSpec::organization(&["IAMManager", "ProjectManager"]),
                RuleSpec::organization(&["AllProductsFullAccess"]),
            ],
        )
    }

    /// The `admin` application's key, kept, with `default` as its default project.
    fn admin_key(&mut self, admin: String, default: &str) {
        self.key(
            "admin",
            Bearer::Application(admin),
            "application \"admin\"",
            default,
            None,
            "IAMManager + ProjectManager (organization) and AllProductsFullAccess on all projects",
            true,
        );
    }

    fn app_with_policy(&mut self, name: &str, description: &str, rules: &[RuleSpec]) -> String {
        let app = self.application(name, description);
        self.policy(name, Principal::Application(app.clone()), rules);
        app
    }
}

fn p(sets: &[&str], projects: &[&str]) -> RuleSpec {
    RuleSpec::projects(sets, projects)
}

/// A server whose only volume is a local `l_ssd` one (no Block volume).
fn local_only_server(g: &mut Gen, zone: &str, project: &str, name: &str, ct: &str) {
    let id = g.server(zone, project, name, ct, &[], 0, 1, None);
    if let Some(s) = g.st.servers.get_mut(&id) {
        let sbs: Vec<String> = s
            .volumes
            .iter()
            .filter(|v| matches!(v, ServerVolume::Sbs(_)))
            .map(|v| v.id().to_owned())
            .collect();
        s.volumes.retain(|v| !matches!(v, ServerVolume::Sbs(_)));
        for v in sbs {
            g.st.block_volumes.remove(&v);
        }
    }
}
