//! Canary writes: proving a key's write access with the key itself, by creating a free
//! resource in the target project and deleting it at once.
//!
//! Probes only read, so a key that cannot read IAM (the usual least-privilege customer key)
//! cannot show its `…FullAccess` sets by probing. With canaries (opt-in:
//! [`Checker::run_canaries`], or the check's canary switch), the checker creates, for each
//! product where one exists, a resource that costs nothing, then deletes it:
//!
//! | product | resource | where | proves |
//! |---|---|---|---|
//! | `vpc` | a VPC | the probe region | `VPCFullAccess` (and `Full` sets judged on VPCs) |
//! | `private-networks` | a Private Network (in the canary VPC when there is one, else in the project's default VPC) | the probe region | `PrivateNetworksFullAccess` |
//! | `instances` | an Instance security group (`project_default: false`, no rule, no server) | the probe zone | `InstancesFullAccess` |
//! | `object-storage` | an empty bucket, signed `ACCESS_KEY@PROJECT_ID` | the Object Storage region | `ObjectStorageFullAccess`, `ObjectStorageBucketsWrite`, `ObjectStorageBucketsDelete` |
//!
//! Every resource of a run is named `scw-canary-<uuid>` (the same UUID for the run) and the
//! JSON API ones are tagged `scw-canary`, so a leftover is recognisable. Each resource is
//! recorded *before* its create is sent (kind, name, project, locality) and deleted newest
//! first; one whose ID the check never learnt — the create gave no answer, or the check was
//! dropped while the create was on its way — is found by its unique name through the API's
//! listing filters, then deleted. When a later step fails or the check's future is dropped,
//! what is still recorded is cleaned up by a task spawned on the runtime. The
//! [`CanaryReport`] lists every resource created (or looked for) and its fate; one that could
//! not be deleted comes with its ID, the `scw` command and the API call that delete it.
//!
//! **Never created**: anything billable. No Kubernetes resource: neither
//! `shared/scaleway-api/k8s.md` nor the official SDKs state that any Kapsule resource is free
//! (a cluster of the mutualised `kapsule` type without pool is the only candidate; its price
//! is documented nowhere we can check, and it needs a Private Network and minutes to create
//! and delete), so `KubernetesFullAccess` stays unproven. No Block volume, Instance server,
//! IP, registry namespace or secret either.
//!
//! What a canary does not exercise: the bucket canary creates and deletes a bucket, not
//! objects, so for `ObjectStorageFullAccess` the object writes are taken from the same set
//! (a key holding only the granular `ObjectStorageBucketsWrite` and
//! `ObjectStorageBucketsDelete`, without `ObjectStorageObjectsWrite`, passes it); the granular
//! object sets (`ObjectStorageObjects{Write,Delete}`) have no canary.

mod calls;
mod ledger;
mod verdict;

use scaleway_core::{Client, Error, Locality, ProjectId};
use serde::{Deserialize, Serialize};

use super::catalogue::{Catalogue, SetKind};
use super::probe::{self, Site};
use super::profile::{Profile, RequiredScope};
use super::report::DeniedAction;
use super::{Checker, Target};
use calls::{Created, Deleted};
pub(crate) use ledger::Cleanups;
use ledger::{Ledger, Slot};

/// The kind of a canary resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CanaryKind {
    /// A VPC (VPC v2).
    Vpc,
    /// A Private Network (VPC v2).
    PrivateNetwork,
    /// An Instance security group.
    SecurityGroup,
    /// An empty Object Storage bucket.
    Bucket,
}

impl CanaryKind {
    /// `vpc`, `private_network`, `security_group`, `bucket`.
    pub fn as_str(self) -> &'static str {
        match self {
            CanaryKind::Vpc => "vpc",
            CanaryKind::PrivateNetwork => "private_network",
            CanaryKind::SecurityGroup => "security_group",
            CanaryKind::Bucket => "bucket",
        }
    }

    /// The catalogue product whose write access it proves.
    pub fn product(self) -> &'static str {
        match self {
            CanaryKind::Vpc => "vpc",
            CanaryKind::PrivateNetwork => "private-networks",
            CanaryKind::SecurityGroup => "instances",
            CanaryKind::Bucket => probe::OBJECT_STORAGE,
        }
    }

    /// The canary of a catalogue product, if there is one.
    pub fn for_product(product: &str) -> Option<CanaryKind> {
        [
            CanaryKind::Vpc,
            CanaryKind::PrivateNetwork,
            CanaryKind::SecurityGroup,
            CanaryKind::Bucket,
        ]
        .into_iter()
        .find(|k| k.product() == product)
    }

    fn label(self) -> &'static str {
        match self {
            CanaryKind::Vpc => "VPC",
            CanaryKind::PrivateNetwork => "Private Network",
            CanaryKind::SecurityGroup => "security group",
            CanaryKind::Bucket => "bucket",
        }
    }
}

/// What became of a canary resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CleanupStatus {
    /// Created, then deleted.
    Deleted,
    /// Created and still there: delete it with `delete_command`.
    Leftover,
    /// Its ID was never learnt (the create gave no answer, or the check was dropped while the
    /// create was on its way) and finding it by name failed: it may exist; find it by name
    /// (`delete_command`) and delete it.
    MaybeLeftover,
    /// Its ID was never learnt, and it was not found by name (looked for again after a
    /// moment, in case the create was still being processed): nothing to delete. `lookup`
    /// says where it was looked for; `delete_command` finds it should it appear later.
    NotFound,
}

/// A resource a canary created (or may have created).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CanaryResource {
    /// What it is.
    pub kind: CanaryKind,
    /// Its name (`scw-canary-<uuid>`).
    pub name: String,
    /// Its ID (a bucket's is its name); `None` when the create gave no answer.
    pub id: Option<String>,
    /// Its project.
    pub project_id: ProjectId,
    /// Its region or zone.
    pub locality: String,
    /// Deleted, or left behind.
    pub status: CleanupStatus,
    /// Why it was not deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When its ID was never learnt from its create (no answer, or the check was dropped while
    /// the create was on its way): what finding it by its unique name found (`found by name
    /// (VPC <id>)`, or where it was looked for in vain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lookup: Option<String>,
    /// The `scw` command that deletes it (or finds it, when its ID is unknown).
    pub delete_command: String,
    /// The API call that deletes it.
    pub delete_call: String,
}

impl CanaryResource {
    /// Whether it is (or may be) still there.
    pub fn is_leftover(&self) -> bool {
        matches!(
            self.status,
            CleanupStatus::Leftover | CleanupStatus::MaybeLeftover
        )
    }
}

/// The result of one product's canary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CanaryResult {
    /// The key created the resource and deleted it: write access is proven.
    Proven,
    /// A step was refused for lack of permission (403): write access is proven missing.
    Refused {
        /// The step (`create VPC`, `delete bucket scw-canary-…`).
        step: String,
        /// The refusal's `{resource, action}` details.
        denied: Vec<DeniedAction>,
    },
    /// A step gave no answer about permissions (network, 5xx, …): nothing proven.
    Inconclusive {
        /// The step.
        step: String,
        /// What happened.
        error: String,
    },
}

/// One product's canary in one project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CanaryOutcome {
    /// Catalogue product (`vpc`, `private-networks`, `instances`, `object-storage`).
    pub product: String,
    /// The project written to.
    pub project_id: ProjectId,
    /// What it showed.
    pub result: CanaryResult,
    /// What it created, and what became of it.
    pub resources: Vec<CanaryResource>,
}

/// A product the profile needs write access to, for which no canary exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NoCanary {
    /// The required set.
    pub permission_set: String,
    /// The product.
    pub product: String,
    /// Why there is no canary.
    pub reason: String,
}

/// Every canary of a check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CanaryReport {
    /// One per product and target project, in the order they ran.
    pub outcomes: Vec<CanaryOutcome>,
    /// Write requirements no canary can prove.
    pub not_available: Vec<NoCanary>,
}

/// What the canaries say about one required set on one product and project: the input of
/// the evidence a requirement gets ("proven by a write with the key itself, undone").
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CanaryEvidence<'a> {
    /// Proven by this outcome.
    Proven(&'a CanaryOutcome),
    /// Proven missing: the outcome's write (or its undo) was refused.
    Refused(&'a CanaryOutcome),
    /// Tried, no answer.
    Inconclusive(&'a CanaryOutcome),
    /// No canary proves this set on this product (the reason).
    NotAvailable(String),
    /// The canary did not run for this product and project.
    NotRun,
}

impl CanaryReport {
    /// Every resource created (or maybe created) and not deleted.
    pub fn leftovers(&self) -> impl Iterator<Item = &CanaryResource> {
        self.outcomes
            .iter()
            .flat_map(|o| &o.resources)
            .filter(|r| r.is_leftover())
    }

    /// Every resource created, whatever became of it.
    pub fn resources(&self) -> impl Iterator<Item = &CanaryResource> {
        self.outcomes.iter().flat_map(|o| &o.resources)
    }

    /// The canary of `product` in `project_id`, if it ran.
    pub fn outcome(&self, product: &str, project_id: &ProjectId) -> Option<&CanaryOutcome> {
        self.outcomes
            .iter()
            .find(|o| o.product == product && o.project_id == *project_id)
    }

    /// What the canaries say about `set` judged on `product` in `project_id`.
    pub fn evidence(
        &self,
        catalogue: &Catalogue,
        set: &str,
        product: &str,
        project_id: &ProjectId,
    ) -> CanaryEvidence<'_> {
        if let Err(reason) = proves(catalogue, set, product) {
            return CanaryEvidence::NotAvailable(reason);
        }
        match self.outcome(product, project_id) {
            Some(o) => match o.result {
                CanaryResult::Proven => CanaryEvidence::Proven(o),
                CanaryResult::Refused { .. } => CanaryEvidence::Refused(o),
                CanaryResult::Inconclusive { .. } => CanaryEvidence::Inconclusive(o),
            },
            None => CanaryEvidence::NotRun,
        }
    }
}

/// Whether a successful canary of `product` proves the write rights of `set` on it, or why
/// not.
pub(crate) fn proves(cat: &Catalogue, set: &str, product: &str) -> Result<(), String> {
    let Some(kind) = CanaryKind::for_product(product) else {
        return Err(no_canary_reason(product));
    };
    match cat.set(set).map(|s| s.kind) {
        Some(SetKind::Full) => Ok(()),
        Some(SetKind::Action)
            if kind == CanaryKind::Bucket
                && matches!(
                    set,
                    "ObjectStorageBucketsWrite" | "ObjectStorageBucketsDelete"
                ) =>
        {
            Ok(())
        }
        Some(SetKind::Action) => Err(format!(
            "the {} canary does not exercise what {set} grants",
            kind.label()
        )),
        Some(SetKind::Read | SetKind::Manager) | None => Err(format!(
            "{set} is not a write set a canary proves (read sets are proven by probes)"
        )),
    }
}

fn no_canary_reason(product: &str) -> String {
    if product == "kubernetes" {
        "no Kubernetes resource is known to be free: the only candidate, a Kapsule cluster of the mutualised `kapsule` type without pool, is documented as free nowhere in the API reference or the official SDKs (and needs a Private Network and minutes to create and delete), so no cluster is ever created".to_owned()
    } else {
        format!("no free {product} resource is used as a canary")
    }
}

/// The canaries a profile calls for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CanaryPlan {
    /// Products to run a canary for, in run order.
    pub products: Vec<String>,
    /// Write requirements without a canary.
    pub not_available: Vec<NoCanary>,
}

/// Run order: a Private Network goes into the canary VPC, created first and deleted last.
const ORDER: [&str; 4] = [
    "vpc",
    "private-networks",
    "instances",
    probe::OBJECT_STORAGE,
];

impl Checker {
    /// The canaries `profile` calls for: for each project-level write requirement (a
    /// `Full` or action set), the products it is judged on (the profile's `products`) that
    /// have a canary proving it; the others, with the reason.
    pub fn canary_plan(&self, profile: &Profile) -> CanaryPlan {
        let cat = self.catalogue();
        let mut plan = CanaryPlan::default();
        for req in &profile.requirements {
            let set = &req.permission_set;
            let write = matches!(
                cat.set(set).map(|s| s.kind),
                Some(SetKind::Full | SetKind::Action)
            );
            if req.scope != RequiredScope::Project || !write {
                continue;
            }
            let (judged, _) = probe::judged_products(cat, set, &profile.products);
            for product in judged {
                match proves(cat, set, &product) {
                    Ok(()) => {
                        if !plan.products.contains(&product) {
                            plan.products.push(product);
                        }
                    }
                    Err(reason) => plan.not_available.push(NoCanary {
                        permission_set: set.clone(),
                        product,
                        reason,
                    }),
                }
            }
        }
        plan.products
            .sort_by_key(|p| ORDER.iter().position(|o| o == p));
        plan
    }

    /// Runs the canaries `profile` calls for in every target project, with `client` (the key
    /// under test): creates each free resource, then deletes it. Resources are deleted even
    /// when a later step fails or this future is dropped (see the [module docs](self)).
    ///
    /// # Errors
    ///
    /// The client has no access key or secret key. Refusals and failures of the canaries
    /// themselves are outcomes in the report, not errors.
    pub async fn run_canaries(
        &self,
        client: &Client,
        profile: &Profile,
        target: &Target,
    ) -> Result<CanaryReport, Error> {
        client.access_key()?;
        client.config().require_secret_key()?;
        let plan = self.canary_plan(profile);
        let site = Site::new(self.options(), client);
        let mut outcomes = Vec::new();
        if !plan.products.is_empty() {
            for project in &target.project_ids {
                outcomes.extend(
                    run_project(client, &site, &self.cleanups, project, &plan.products).await,
                );
            }
        }
        Ok(CanaryReport {
            outcomes,
            not_available: plan.not_available,
        })
    }

    /// Waits until the canary resources of checks that were dropped mid-way (a deadline, a
    /// cancelled task) are deleted. Their deletion runs on a spawned task: a program about to
    /// exit (its runtime about to stop) calls this first. Returns at once when there is none.
    pub async fn wait_for_canary_cleanups(&self) {
        self.cleanups.wait().await;
    }
}

/// `scw-canary-<uuid v4>`.
fn run_name() -> String {
    let mut b = fastrand::u128(..).to_be_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "scw-canary-{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A resource about to be recorded, with its delete command and call.
fn resource(
    client: &Client,
    site: &Site,
    kind: CanaryKind,
    name: &str,
    id: Option<String>,
    project: &ProjectId,
) -> (CanaryResource, Locality) {
    let api = client.api_url().as_str().trim_end_matches('/').to_owned();
    let (r, z) = (site.region.as_str(), site.zone.as_str());
    let id_or = |what: &str| id.clone().unwrap_or_else(|| format!("<{what}>"));
    let (locality, delete_command, delete_call) = match kind {
        CanaryKind::Vpc => (
            Locality::Region(site.region.clone()),
            match &id {
                Some(i) => format!("scw vpc vpc delete {i} region={r}"),
                None => format!(
                    "scw vpc vpc list name={name} project-id={project} region={r}, then scw vpc vpc delete <id> region={r}"
                ),
            },
            format!("DELETE {api}/vpc/v2/regions/{r}/vpcs/{}", id_or("vpc_id")),
        ),
        CanaryKind::PrivateNetwork => (
            Locality::Region(site.region.clone()),
            match &id {
                Some(i) => format!("scw vpc private-network delete {i} region={r}"),
                None => format!(
                    "scw vpc private-network list name={name} project-id={project} region={r}, then scw vpc private-network delete <id> region={r}"
                ),
            },
            format!(
                "DELETE {api}/vpc/v2/regions/{r}/private-networks/{}",
                id_or("private_network_id")
            ),
        ),
        CanaryKind::SecurityGroup => (
            Locality::Zone(site.zone.clone()),
            match &id {
                Some(i) => format!("scw instance security-group delete {i} zone={z}"),
                None => format!(
                    "scw instance security-group list name={name} project-id={project} zone={z}, then scw instance security-group delete <id> zone={z}"
                ),
            },
            format!(
                "DELETE {api}/instance/v1/zones/{z}/security_groups/{}",
                id_or("security_group_id")
            ),
        ),
        CanaryKind::Bucket => {
            let s3 = site.s3_region.as_str();
            let url = site
                .s3_endpoint
                .as_ref()
                .and_then(|e| calls::bucket_url(e, name))
                .map_or_else(
                    || format!("https://s3.{s3}.scw.cloud/{name}"),
                    |u| u.to_string(),
                );
            (
                Locality::Region(site.s3_region.clone()),
                format!("scw object bucket delete {name} project-id={project} region={s3}"),
                format!("DELETE {url} (S3, signed with ACCESS_KEY@{project})"),
            )
        }
    };
    (
        CanaryResource {
            kind,
            name: name.to_owned(),
            project_id: project.clone(),
            locality: locality.to_string(),
            status: if id.is_some() {
                CleanupStatus::Leftover
            } else {
                CleanupStatus::MaybeLeftover
            },
            error: None,
            lookup: None,
            id,
            delete_command,
            delete_call,
        },
        locality,
    )
}

/// One product's canary, as it goes: the create, then the delete.
struct Step {
    product: &'static str,
    kind: CanaryKind,
    slot: Option<Slot>,
    result: Option<CanaryResult>,
}

impl Step {
    fn new(kind: CanaryKind) -> Step {
        Step {
            product: kind.product(),
            kind,
            slot: None,
            result: None,
        }
    }

    /// Records the resource in the ledger before its create is sent: from then on it is
    /// cleaned up whatever happens, found by its name until the create says its ID.
    fn before_create(&mut self, ledger: &mut Ledger, name: &str, project: &ProjectId) {
        self.slot = Some(ledger.pending(self.kind, name, project));
    }

    /// Records what the create did.
    fn created(&mut self, ledger: &mut Ledger, outcome: Created, name: &str) {
        let Some(slot) = self.slot else { return };
        let what = format!("create {} {name}", self.kind.label());
        match outcome {
            Created::Yes(id) => ledger.created(slot, id),
            Created::Refused(denied) => {
                ledger.not_created(slot);
                self.result = Some(CanaryResult::Refused { step: what, denied });
            }
            Created::Failed { error, maybe } => {
                if maybe {
                    // It may exist: found by name and deleted by `undo`.
                    ledger.no_answer(slot, &error);
                } else {
                    ledger.not_created(slot);
                }
                self.result = Some(CanaryResult::Inconclusive { step: what, error });
            }
        }
    }
}

/// Deletes what a step created, and concludes it.
async fn undo(ledger: &mut Ledger, step: &mut Step) {
    let Some(slot) = step.slot else { return };
    if step.result.is_some() {
        // A create that gave no answer: find the resource by name and delete it; the step
        // stays inconclusive. Nothing to do when nothing was created.
        ledger.settle(slot).await;
        return;
    }
    let label = format!(
        "delete {} {}",
        step.kind.label(),
        ledger
            .get(slot)
            .and_then(|r| r.id.clone())
            .unwrap_or_default()
    );
    step.result = Some(match ledger.delete(slot).await {
        Some(Deleted::Yes | Deleted::Absent) => CanaryResult::Proven,
        Some(Deleted::Refused(denied)) => CanaryResult::Refused {
            step: label,
            denied,
        },
        Some(Deleted::Failed(error)) => CanaryResult::Inconclusive { step: label, error },
        None => CanaryResult::Inconclusive {
            step: label,
            error: "lost track of the resource".to_owned(),
        },
    });
}

/// Every planned canary in one project.
async fn run_project(
    client: &Client,
    site: &Site,
    cleanups: &Cleanups,
    project: &ProjectId,
    products: &[String],
) -> Vec<CanaryOutcome> {
    let name = run_name();
    let mut ledger = Ledger::new(client, site, cleanups);
    let wants = |p: &str| products.iter().any(|x| x == p);
    let mut steps: Vec<Step> = Vec::new();
    let mut vpc = Step::new(CanaryKind::Vpc);
    if wants(vpc.product) {
        vpc.before_create(&mut ledger, &name, project);
        let c = calls::create_vpc(client, &site.region, project, &name).await;
        vpc.created(&mut ledger, c, &name);
    }
    if wants("private-networks") {
        let mut pn = Step::new(CanaryKind::PrivateNetwork);
        let vpc_id = vpc
            .slot
            .filter(|_| vpc.result.is_none())
            .and_then(|s| ledger.get(s))
            .and_then(|r| r.id.clone());
        pn.before_create(&mut ledger, &name, project);
        let c =
            calls::create_private_network(client, &site.region, project, &name, vpc_id.as_deref())
                .await;
        pn.created(&mut ledger, c, &name);
        undo(&mut ledger, &mut pn).await;
        let pn_left = pn
            .slot
            .and_then(|s| ledger.get(s))
            .is_some_and(CanaryResource::is_leftover);
        if pn_left
            && vpc_id.is_some()
            && let Some(s) = vpc.slot
        {
            ledger.abandon(
                s,
                CleanupStatus::Leftover,
                "it holds the canary Private Network, which could not be deleted: delete that first"
                    .to_owned(),
            );
            vpc.result = Some(CanaryResult::Inconclusive {
                step: format!("delete {} {name}", vpc.kind.label()),
                error: "not attempted: the canary Private Network in it could not be deleted"
                    .to_owned(),
            });
        }
        steps.push(pn);
    }
    if wants(vpc.product) {
        undo(&mut ledger, &mut vpc).await;
        steps.insert(0, vpc);
    }
    if wants("instances") {
        let mut sg = Step::new(CanaryKind::SecurityGroup);
        sg.before_create(&mut ledger, &name, project);
        let c = calls::create_security_group(client, &site.zone, project, &name).await;
        sg.created(&mut ledger, c, &name);
        undo(&mut ledger, &mut sg).await;
        steps.push(sg);
    }
    if wants(probe::OBJECT_STORAGE) {
        let mut b = Step::new(CanaryKind::Bucket);
        b.before_create(&mut ledger, &name, project);
        let c = calls::create_bucket(client, site, project, &name).await;
        b.created(&mut ledger, c, &name);
        undo(&mut ledger, &mut b).await;
        steps.push(b);
    }
    // Anything still recorded (nothing, unless a step above was skipped) goes now.
    ledger.clean_up().await;
    steps
        .into_iter()
        .map(|s| CanaryOutcome {
            product: s.product.to_owned(),
            project_id: project.clone(),
            resources: s
                .slot
                .and_then(|slot| ledger.get(slot).cloned())
                .into_iter()
                .collect(),
            result: s.result.unwrap_or(CanaryResult::Inconclusive {
                step: format!("create {}", s.kind.label()),
                error: "the step did not run".to_owned(),
            }),
        })
        .collect()
}
