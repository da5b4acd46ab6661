//! The simulator's state and the public handle tests use to read and change it.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use crate::model::{
    ApiKey, Application, Bearer, BlockSnapshot, BlockVolume, Bucket, Cluster, Group,
    InstanceVolume, Namespace, PermissionSet, Policy, Pool, Principal, PrivateNetwork, Project,
    RegistryImage, RegistryTag, Rule, RuleScope, Secret, SecurityGroup, Server, User, Vpc,
};
use crate::table::Table;
use crate::util::{Rng, Ts, now};

/// The IAM part of the state. Two copies exist: what the API shows, and what enforcement uses
/// (which lags behind by the IAM propagation delay).
#[derive(Debug, Clone, Default)]
pub(crate) struct Iam {
    pub(crate) users: Table<User>,
    pub(crate) applications: Table<Application>,
    pub(crate) groups: Table<Group>,
    pub(crate) policies: Table<Policy>,
    pub(crate) api_keys: Table<ApiKey>,
    /// secret key → access key
    pub(crate) by_secret: HashMap<String, String>,
}

impl Iam {
    pub(crate) fn insert_key(&mut self, key: ApiKey) {
        self.by_secret
            .insert(key.secret.clone(), key.access_key.clone());
        self.api_keys.insert(key);
    }

    pub(crate) fn remove_key(&mut self, access_key: &str) -> bool {
        match self.api_keys.remove(access_key) {
            Some(k) => {
                self.by_secret.remove(&k.secret);
                true
            }
            None => false,
        }
    }

    pub(crate) fn key_by_secret(&self, secret: &str) -> Option<&Arc<ApiKey>> {
        self.api_keys.get(self.by_secret.get(secret)?)
    }
}

type IamOp = Arc<dyn Fn(&mut Iam) + Send + Sync>;

/// Everything the simulator knows.
pub(crate) struct State {
    pub(crate) organization_id: String,
    pub(crate) iam: Iam,
    pub(crate) iam_effective: Iam,
    pending: VecDeque<(Instant, IamOp)>,
    pub(crate) iam_delay: Duration,
    pub(crate) permission_sets: Vec<PermissionSet>,
    pub(crate) projects: Table<Project>,
    pub(crate) servers: Table<Server>,
    pub(crate) instance_volumes: Table<InstanceVolume>,
    pub(crate) block_volumes: Table<BlockVolume>,
    pub(crate) block_snapshots: Table<BlockSnapshot>,
    pub(crate) secrets: Table<Secret>,
    pub(crate) buckets: Vec<Bucket>,
    pub(crate) namespaces: Table<Namespace>,
    pub(crate) images: Table<RegistryImage>,
    pub(crate) tags: Table<RegistryTag>,
    pub(crate) clusters: Table<Cluster>,
    pub(crate) pools: Table<Pool>,
    pub(crate) vpcs: Table<Vpc>,
    pub(crate) private_networks: Table<PrivateNetwork>,
    /// Instance security groups created through the API (the scenarios create none).
    pub(crate) security_groups: Table<SecurityGroup>,
    pub(crate) rng: Rng,
}

impl std::fmt::Debug for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("State")
            .field("organization_id", &self.organization_id)
            .field("projects", &self.projects.len())
            .field("servers", &self.servers.len())
            .finish_non_exhaustive()
    }
}

impl State {
    pub(crate) fn new(organization_id: String, seed: u64) -> Self {
        Self {
            permission_sets: crate::iam::catalogue(seed),
            organization_id,
            iam: Iam::default(),
            iam_effective: Iam::default(),
            pending: VecDeque::new(),
            iam_delay: Duration::ZERO,
            projects: Table::default(),
            servers: Table::default(),
            instance_volumes: Table::default(),
            block_volumes: Table::default(),
            block_snapshots: Table::default(),
            secrets: Table::default(),
            buckets: Vec::new(),
            namespaces: Table::default(),
            images: Table::default(),
            tags: Table::default(),
            clusters: Table::default(),
            pools: Table::default(),
            vpcs: Table::default(),
            private_networks: Table::default(),
            security_groups: Table::default(),
            rng: Rng::new(seed ^ 0xA11CE),
        }
    }

    /// Applies an IAM change: visible at once, enforced after the propagation delay.
    pub(crate) fn iam_change(&mut self, op: impl Fn(&mut Iam) + Send + Sync + 'static) {
        op(&mut self.iam);
        if self.iam_delay.is_zero() && self.pending.is_empty() {
            op(&mut self.iam_effective);
        } else {
            self.pending
                .push_back((Instant::now() + self.iam_delay, Arc::new(op)));
        }
    }

    /// Makes both copies identical (used once a scenario is built).
    pub(crate) fn sync_iam(&mut self) {
        self.iam_effective = self.iam.clone();
        self.pending.clear();
    }

    /// `true` if some delayed IAM change is due.
    pub(crate) fn iam_due(&self) -> bool {
        self.pending
            .front()
            .is_some_and(|(t, _)| *t <= Instant::now())
    }

    /// Applies the delayed IAM changes that are due.
    pub(crate) fn apply_due(&mut self) {
        let now = Instant::now();
        while self.pending.front().is_some_and(|(t, _)| *t <= now) {
            if let Some((_, op)) = self.pending.pop_front() {
                op(&mut self.iam_effective);
            }
        }
    }

    pub(crate) fn new_id(&mut self) -> String {
        self.rng.uuid()
    }

    /// Number of API keys of an application (for `nb_api_keys`).
    pub(crate) fn nb_api_keys(&self, application_id: &str) -> u32 {
        let n = self
            .iam
            .api_keys
            .iter()
            .filter(|k| matches!(&k.bearer, Bearer::Application(a) if a == application_id))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// Number of resources of every kind (for the README's memory figure and tests).
    pub(crate) fn resource_count(&self) -> usize {
        self.projects.len()
            + self.servers.len()
            + self.instance_volumes.len()
            + self.block_volumes.len()
            + self.block_snapshots.len()
            + self.secrets.len()
            + self.secrets.iter().map(|s| s.versions.len()).sum::<usize>()
            + self.buckets.len()
            + self.namespaces.len()
            + self.images.len()
            + self.tags.len()
            + self.clusters.len()
            + self.pools.len()
            + self.vpcs.len()
            + self.private_networks.len()
            + self.security_groups.len()
            + self.iam.users.len()
            + self.iam.applications.len()
            + self.iam.groups.len()
            + self.iam.policies.len()
            + self.iam.api_keys.len()
    }
}

/// The scope of a rule given to [`SimState::set_rules`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleScopeSpec {
    /// Some projects (`project_ids`).
    Projects(Vec<String>),
    /// The whole organization (`organization_id`).
    Organization,
}

/// A rule to install with [`SimState::set_rules`] or [`SimState::add_policy`].
#[derive(Debug, Clone)]
pub struct RuleSpec {
    /// Permission-set names, e.g. `["InstancesReadOnly"]`.
    pub permission_set_names: Vec<String>,
    /// Where the rule applies.
    pub scope: RuleScopeSpec,
    /// CEL condition; empty for none.
    pub condition: String,
}

impl RuleSpec {
    /// A rule on some projects, without condition.
    pub fn projects(sets: &[&str], projects: &[&str]) -> Self {
        Self {
            permission_set_names: sets.iter().map(|s| (*s).to_owned()).collect(),
            scope: RuleScopeSpec::Projects(projects.iter().map(|s| (*s).to_owned()).collect()),
            condition: String::new(),
        }
    }

    /// A rule on the whole organization, without condition.
    pub fn organization(sets: &[&str]) -> Self {
        Self {
            permission_set_names: sets.iter().map(|s| (*s).to_owned()).collect(),
            scope: RuleScopeSpec::Organization,
            condition: String::new(),
        }
    }

    /// The same rule with a condition.
    #[must_use]
    pub fn with_condition(mut self, condition: &str) -> Self {
        condition.clone_into(&mut self.condition);
        self
    }
}

/// Who a policy applies to ([`SimState::add_policy`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyPrincipal {
    /// An IAM user id.
    User(String),
    /// An IAM group id.
    Group(String),
    /// An IAM application id.
    Application(String),
    /// Nobody (a policy kept for later).
    None,
}

/// A freshly created API key ([`SimState::create_api_key`]).
#[derive(Debug, Clone)]
pub struct NewApiKey {
    /// `SCW…` access key.
    pub access_key: String,
    /// Secret key (UUID), the `X-Auth-Token` value.
    pub secret_key: String,
}

/// A resource found by [`SimState::named`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NamedResource {
    /// `vpc`, `private_network`, `security_group` or `bucket`.
    pub kind: &'static str,
    /// Its ID (a bucket's name).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its region or zone.
    pub locality: String,
    /// Its project.
    pub project_id: String,
}

/// Errors of the [`SimState`] mutation helpers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StateError {
    /// No such resource (kind, id).
    NotFound(&'static str, String),
    /// A permission set name is not in the catalogue.
    UnknownPermissionSet(String),
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound(kind, id) => write!(f, "no {kind} with id {id}"),
            Self::UnknownPermissionSet(s) => write!(f, "unknown permission set {s}"),
        }
    }
}

impl std::error::Error for StateError {}

/// A handle on the simulator's state, for tests: read it and change it while the simulator runs.
///
/// IAM changes made here (policies, rules, groups, API keys) are visible through the API at once but
/// only enforced after the IAM propagation delay, like the real API.
#[derive(Clone)]
pub struct SimState {
    pub(crate) inner: Arc<RwLock<State>>,
}

impl std::fmt::Debug for SimState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimState").finish_non_exhaustive()
    }
}

pub(crate) fn rules_from_specs(
    st: &mut State,
    specs: &[RuleSpec],
) -> Result<Vec<Rule>, StateError> {
    let org = st.organization_id.clone();
    specs
        .iter()
        .map(|s| {
            let mut organization = false;
            for name in &s.permission_set_names {
                match crate::iam::set_is_organization(name) {
                    Some(o) => organization |= o,
                    None => return Err(StateError::UnknownPermissionSet(name.clone())),
                }
            }
            Ok(Rule {
                id: st.new_id(),
                permission_set_names: s.permission_set_names.clone(),
                permission_sets_scope_type: if organization {
                    "organization"
                } else {
                    "projects"
                },
                condition: s.condition.clone(),
                scope: match &s.scope {
                    RuleScopeSpec::Projects(p) => RuleScope::Projects(p.clone()),
                    RuleScopeSpec::Organization => RuleScope::Organization(org.clone()),
                },
            })
        })
        .collect()
}

impl SimState {
    pub(crate) fn read(&self) -> RwLockReadGuard<'_, State> {
        self.inner
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn write(&self) -> RwLockWriteGuard<'_, State> {
        self.inner
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The organization id.
    pub fn organization_id(&self) -> String {
        self.read().organization_id.clone()
    }

    /// The id of the project named `name`.
    pub fn project_id(&self, name: &str) -> Option<String> {
        self.read()
            .projects
            .iter_ordered()
            .into_iter()
            .find(|p| p.name == name)
            .map(|p| p.id.clone())
    }

    /// The id of the application named `name`.
    pub fn application_id(&self, name: &str) -> Option<String> {
        self.read()
            .iam
            .applications
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.id.clone())
    }

    /// The id of the user whose e-mail is `email`.
    pub fn user_id(&self, email: &str) -> Option<String> {
        self.read()
            .iam
            .users
            .iter()
            .find(|u| u.email == email)
            .map(|u| u.id.clone())
    }

    /// The id of the policy named `name`.
    pub fn policy_id(&self, name: &str) -> Option<String> {
        self.read()
            .iam
            .policies
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.id.clone())
    }

    /// The id of the group named `name`.
    pub fn group_id(&self, name: &str) -> Option<String> {
        self.read()
            .iam
            .groups
            .iter()
            .find(|g| g.name == name)
            .map(|g| g.id.clone())
    }

    /// The IAM propagation delay in force.
    pub fn iam_propagation_delay(&self) -> Duration {
        self.read().iam_delay
    }

    /// Changes the IAM propagation delay (applies to changes made from now on).
    pub fn set_iam_propagation_delay(&self, delay: Duration) {
        self.write().iam_delay = delay;
    }

    /// Replaces every rule of a policy (like `PUT /iam/v1alpha1/rules`).
    ///
    /// # Errors
    /// Unknown policy or permission set.
    pub fn set_rules(&self, policy_id: &str, rules: Vec<RuleSpec>) -> Result<(), StateError> {
        let mut st = self.write();
        if st.iam.policies.get(policy_id).is_none() {
            return Err(StateError::NotFound("policy", policy_id.to_owned()));
        }
        let rules = rules_from_specs(&mut st, &rules)?;
        let id = policy_id.to_owned();
        let t = now();
        st.iam_change(move |iam| {
            if let Some(p) = iam.policies.get_mut(&id) {
                p.rules.clone_from(&rules);
                p.updated_at = t;
                p.recount();
            }
        });
        Ok(())
    }

    /// Creates a policy and returns its id.
    ///
    /// # Errors
    /// Unknown permission set.
    pub fn add_policy(
        &self,
        name: &str,
        principal: PolicyPrincipal,
        rules: Vec<RuleSpec>,
    ) -> Result<String, StateError> {
        let mut st = self.write();
        let rules = rules_from_specs(&mut st, &rules)?;
        let id = st.new_id();
        let t = now();
        let mut policy = Policy {
            id: id.clone(),
            name: name.to_owned(),
            description: String::new(),
            organization_id: st.organization_id.clone(),
            created_at: t,
            updated_at: t,
            editable: true,
            deletable: true,
            managed: false,
            nb_rules: 0,
            nb_scopes: 0,
            nb_permission_sets: 0,
            tags: Vec::new(),
            principal: match principal {
                PolicyPrincipal::User(u) => Principal::User(u),
                PolicyPrincipal::Group(g) => Principal::Group(g),
                PolicyPrincipal::Application(a) => Principal::Application(a),
                PolicyPrincipal::None => Principal::Nobody(true),
            },
            rules,
        };
        policy.recount();
        st.iam_change(move |iam| iam.policies.insert(policy.clone()));
        Ok(id)
    }

    /// Deletes a policy.
    ///
    /// # Errors
    /// Unknown policy.
    pub fn delete_policy(&self, policy_id: &str) -> Result<(), StateError> {
        let mut st = self.write();
        if st.iam.policies.get(policy_id).is_none() {
            return Err(StateError::NotFound("policy", policy_id.to_owned()));
        }
        let id = policy_id.to_owned();
        st.iam_change(move |iam| {
            iam.policies.remove(&id);
        });
        Ok(())
    }

    /// Creates a group with these members and returns its id.
    pub fn add_group(&self, name: &str, user_ids: &[&str], application_ids: &[&str]) -> String {
        let mut st = self.write();
        let id = st.new_id();
        let t = now();
        let group = Group {
            id: id.clone(),
            created_at: t,
            updated_at: t,
            organization_id: st.organization_id.clone(),
            name: name.to_owned(),
            description: String::new(),
            user_ids: user_ids.iter().map(|s| (*s).to_owned()).collect(),
            application_ids: application_ids.iter().map(|s| (*s).to_owned()).collect(),
            tags: Vec::new(),
            editable: true,
            deletable: true,
            managed: false,
            all_users: false,
            all_applications: false,
        };
        st.iam_change(move |iam| iam.groups.insert(group.clone()));
        id
    }

    /// Adds an application to a group.
    ///
    /// # Errors
    /// Unknown group.
    pub fn add_group_application(
        &self,
        group_id: &str,
        application_id: &str,
    ) -> Result<(), StateError> {
        let mut st = self.write();
        if st.iam.groups.get(group_id).is_none() {
            return Err(StateError::NotFound("group", group_id.to_owned()));
        }
        let (g, a) = (group_id.to_owned(), application_id.to_owned());
        st.iam_change(move |iam| {
            if let Some(grp) = iam.groups.get_mut(&g)
                && !grp.application_ids.contains(&a)
            {
                grp.application_ids.push(a.clone());
            }
        });
        Ok(())
    }

    /// Removes an application from a group.
    ///
    /// # Errors
    /// Unknown group.
    pub fn remove_group_application(
        &self,
        group_id: &str,
        application_id: &str,
    ) -> Result<(), StateError> {
        let mut st = self.write();
        if st.iam.groups.get(group_id).is_none() {
            return Err(StateError::NotFound("group", group_id.to_owned()));
        }
        let (g, a) = (group_id.to_owned(), application_id.to_owned());
        st.iam_change(move |iam| {
            if let Some(grp) = iam.groups.get_mut(&g) {
                grp.application_ids.retain(|x| *x != a);
            }
        });
        Ok(())
    }

    /// Creates an application and returns its id.
    pub fn add_application(&self, name: &str) -> String {
        let mut st = self.write();
        let id = st.new_id();
        let t = now();
        let app = Application {
            id: id.clone(),
            name: name.to_owned(),
            description: String::new(),
            created_at: t,
            updated_at: t,
            organization_id: st.organization_id.clone(),
            editable: true,
            deletable: true,
            managed: false,
            nb_api_keys: 0,
            tags: Vec::new(),
        };
        st.iam_change(move |iam| iam.applications.insert(app.clone()));
        id
    }

    /// Creates an API key for an application (or user, if `bearer_is_user`).
    ///
    /// # Errors
    /// Unknown bearer.
    pub fn create_api_key(
        &self,
        bearer_id: &str,
        bearer_is_user: bool,
        default_project_id: &str,
    ) -> Result<NewApiKey, StateError> {
        let mut st = self.write();
        let bearer = if bearer_is_user {
            if st.iam.users.get(bearer_id).is_none() {
                return Err(StateError::NotFound("user", bearer_id.to_owned()));
            }
            Bearer::User(bearer_id.to_owned())
        } else {
            if st.iam.applications.get(bearer_id).is_none() {
                return Err(StateError::NotFound("application", bearer_id.to_owned()));
            }
            Bearer::Application(bearer_id.to_owned())
        };
        let key = new_api_key(&mut st, bearer, default_project_id.to_owned(), None, "");
        let out = NewApiKey {
            access_key: key.access_key.clone(),
            secret_key: key.secret.clone(),
        };
        st.iam_change(move |iam| iam.insert_key(key.clone()));
        Ok(out)
    }

    /// Deletes an API key.
    ///
    /// # Errors
    /// Unknown key.
    pub fn delete_api_key(&self, access_key: &str) -> Result<(), StateError> {
        let mut st = self.write();
        if st.iam.api_keys.get(access_key).is_none() {
            return Err(StateError::NotFound("api_key", access_key.to_owned()));
        }
        let k = access_key.to_owned();
        st.iam_change(move |iam| {
            iam.remove_key(&k);
        });
        Ok(())
    }

    /// Sets (or clears) the expiry of an API key.
    ///
    /// # Errors
    /// Unknown key.
    pub fn set_api_key_expiry(
        &self,
        access_key: &str,
        expires_at: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<(), StateError> {
        let mut st = self.write();
        if st.iam.api_keys.get(access_key).is_none() {
            return Err(StateError::NotFound("api_key", access_key.to_owned()));
        }
        let k = access_key.to_owned();
        let exp = expires_at.map(|d| d.timestamp_micros());
        st.iam_change(move |iam| {
            if let Some(key) = iam.api_keys.get_mut(&k) {
                key.expires_at = exp;
            }
        });
        Ok(())
    }

    /// Number of simulated resources of every kind (IAM objects included).
    pub fn resource_count(&self) -> usize {
        self.read().resource_count()
    }

    /// The VPCs, private networks, Instance security groups and buckets whose name starts
    /// with `prefix` (to check what a test created is gone), oldest first per kind.
    pub fn named(&self, prefix: &str) -> Vec<NamedResource> {
        let st = self.read();
        let mut out = Vec::new();
        let mut push = |kind, id: &str, name: &str, locality: &str, project: &str| {
            if name.starts_with(prefix) {
                out.push(NamedResource {
                    kind,
                    id: id.to_owned(),
                    name: name.to_owned(),
                    locality: locality.to_owned(),
                    project_id: project.to_owned(),
                });
            }
        };
        for v in st.vpcs.iter_ordered() {
            push("vpc", &v.id, &v.name, &v.region, &v.project_id);
        }
        for p in st.private_networks.iter_ordered() {
            push("private_network", &p.id, &p.name, &p.region, &p.project_id);
        }
        for g in st.security_groups.iter_ordered() {
            push("security_group", &g.id, &g.name, &g.zone, &g.project);
        }
        for b in &st.buckets {
            push("bucket", &b.name, &b.name, &b.region, &b.project_id);
        }
        out
    }

    /// The buckets (data for the future S3 endpoint).
    pub fn buckets(&self) -> Vec<Bucket> {
        self.read().buckets.clone()
    }

    /// The ids of one collection the churn fault can change, named as in
    /// [`crate::ChurnEvent::collection`] (`servers`, `instance_volumes`, `block_volumes`,
    /// `block_snapshots`, `secrets`, `clusters`, `pools`, `vpcs`, `private_networks`,
    /// `namespaces`), over every locality and project, oldest first within a locality; empty
    /// for any other name.
    pub fn ids(&self, collection: &str) -> Vec<String> {
        fn keys<T: crate::table::Keyed + Clone>(t: &Table<T>) -> Vec<String> {
            t.iter().map(|x| x.key().to_owned()).collect()
        }
        let st = self.read();
        match collection {
            "servers" => keys(&st.servers),
            "instance_volumes" => keys(&st.instance_volumes),
            "block_volumes" => keys(&st.block_volumes),
            "block_snapshots" => keys(&st.block_snapshots),
            "secrets" => keys(&st.secrets),
            "clusters" => keys(&st.clusters),
            "pools" => keys(&st.pools),
            "vpcs" => keys(&st.vpcs),
            "private_networks" => keys(&st.private_networks),
            "namespaces" => keys(&st.namespaces),
            _ => Vec::new(),
        }
    }

    /// Number of Instance servers in a zone.
    pub fn server_count(&self, zone: &str) -> usize {
        self.read().servers.in_locality(zone).count()
    }

    /// Deletes an Instance server and detaches its Block volumes (their `references` are removed and
    /// their status becomes `available`), keeping the two APIs consistent.
    ///
    /// # Errors
    /// Unknown server.
    pub fn delete_server(&self, server_id: &str) -> Result<(), StateError> {
        let mut st = self.write();
        let Some(server) = st.servers.remove(server_id) else {
            return Err(StateError::NotFound(
                "instance_server",
                server_id.to_owned(),
            ));
        };
        let t = now();
        for v in &server.volumes {
            let id = v.id().to_owned();
            if let Some(bv) = st.block_volumes.get_mut(&id) {
                bv.references.retain(|r| r.product_resource_id != server_id);
                bv.status = "available";
                bv.last_detached_at = Some(t);
                bv.updated_at = t;
            }
            st.instance_volumes.remove(&id);
        }
        Ok(())
    }
}

/// Builds an API key (not inserted).
pub(crate) fn new_api_key(
    st: &mut State,
    bearer: Bearer,
    default_project_id: String,
    expires_at: Option<Ts>,
    description: &str,
) -> ApiKey {
    let t = now();
    ApiKey {
        access_key: st.rng.access_key(),
        secret_key: None,
        description: description.to_owned(),
        created_at: t,
        updated_at: t,
        expires_at,
        default_project_id,
        editable: true,
        deletable: true,
        managed: false,
        creation_ip: "127.0.0.1".to_owned(),
        bearer,
        secret: st.rng.uuid(),
    }
}
