//! The policy checker: can this key do the job, and nothing more?
//!
//! * [`Profile`]: what the job needs (built-in or from a file);
//! * [`Catalogue`]: which permission set covers which, from Scaleway's documentation;
//! * [`Checker::audit`] (a separate key with IAM read inspects the target key) and
//!   [`Checker::self_check`] (the key inspects itself, falling back to probing when it
//!   cannot read IAM);
//! * the [`Report`]: findings with the policy / rule / group path that caused them, a
//!   [`Verdict`], remediation as `scw` commands and policy rules, stable JSON and text.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use scaleway_iam::checker::{Checker, Profile, Target};
//!
//! let auditor = scaleway_core::Client::from_env()?; // a key with IAMReadOnly
//! let profile = Profile::builtin("byoc-kapsule")?;
//! let target = Target::project("11111111-1111-1111-1111-111111111111".parse()?);
//! let customer_key = "SCWXXXXXXXXXXXXXXXXX".parse()?;
//! let report = Checker::new().audit(&auditor, &customer_key, &profile, &target).await?;
//! println!("{}", report.to_text());
//! if !report.verdict.is_ready() {
//!     println!("{}", report.to_json()?);
//! }
//! # Ok(()) }
//! ```

pub mod batch;
pub mod canary;
pub mod catalogue;
pub mod condition;
mod evaluate;
mod evidence;
mod finding;
mod probe;
mod probe_mode;
pub mod profile;
mod project;
mod render;
mod report;
mod resolve;
mod verdict;

use std::time::Duration;

use scaleway_core::{AccessKey, Client, Error, OrganizationId, ProjectId, Region, Timestamp, Zone};

pub use catalogue::{Basis, Catalogue, CatalogueError, Coverage, DocSource, SetInfo, SetKind};
pub use condition::{ConditionOutcome, RequestContext};
pub use evaluate::{ProjectLookup, Resolution};
pub use profile::{
    BUILTIN_PROFILES, DefaultProjectRule, ExcessAction, ExcessRules, Profile, ProfileError,
    ProfileFormat, RequiredScope, Requirement,
};
pub use report::{
    DeniedAction, EstablishedBy, Evidence, Finding, FindingKind, Grant, GrantPath, KeySummary,
    Mode, ProjectSummary, REPORT_SCHEMA_VERSION, Remediation, Report, RequirementCheck,
    RequirementStatus, Severity, TargetSummary, Verdict,
};

use evaluate::{EvalSettings, Ledger};

use crate::IamApi;

/// What the key is checked for: the project(s) the job runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Target {
    /// Target projects (at least one for project-level requirements).
    pub project_ids: Vec<ProjectId>,
    /// The Organization the projects must belong to, when the caller knows it: compared
    /// with the key's Organization and with each project's (an `organization_mismatch`
    /// finding, blocking, when they differ).
    pub organization_id: Option<OrganizationId>,
}

impl Target {
    /// One project.
    pub fn project(project_id: ProjectId) -> Self {
        Target {
            project_ids: vec![project_id],
            organization_id: None,
        }
    }

    /// Several projects.
    pub fn projects(project_ids: Vec<ProjectId>) -> Self {
        Target {
            project_ids,
            organization_id: None,
        }
    }

    /// The same target, in Organization `organization_id`.
    #[must_use]
    pub fn in_organization(mut self, organization_id: OrganizationId) -> Self {
        self.organization_id = Some(organization_id);
        self
    }
}

/// Checker settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CheckOptions {
    /// The clock (default: now). Tests and replays set it.
    pub now: Option<Timestamp>,
    /// How long after an IAM change the result may still change (default: the catalogue's
    /// documented propagation time, 300 s).
    pub propagation_window: Option<Duration>,
    /// What the key's requests will look like, to evaluate conditions.
    pub request_context: RequestContext,
    /// Zone of zoned probes (default `fr-par-1`).
    pub probe_zone: Zone,
    /// Region of regional probes, Object Storage's included (default `fr-par`).
    pub probe_region: Region,
    /// The S3 endpoint of the Object Storage probe. Default: the client's `s3_endpoint`
    /// (`SCW_S3_ENDPOINT`), else `https://s3.<probe_region>.scw.cloud`. Requests are signed
    /// for the region the endpoint's host names, else `probe_region`. Tests point it at a
    /// simulator.
    pub s3_endpoint: Option<scaleway_core::url::Url>,
    /// Count an `Unproven` verdict as `Ready`: the caller's explicit choice to accept
    /// requirements the checker could not prove with the key alone — in probe mode,
    /// **write access** (a probe only reads), products without a probe, probes without an
    /// answer, Organization-level sets; grants under a condition it cannot evaluate; an
    /// Organization-wide grant on a project that could not be read. The findings keep their
    /// `unproven` severity and [`Report::accepted_unproven`] lists them: the report still
    /// says what was not proven.
    ///
    /// Default `false`: a key is `Ready` only for what was proven, so a `FullAccess`
    /// requirement checked by probing is `Unproven`. Set it only when the platform accepts
    /// to learn about missing write rights from a failed job.
    pub accept_unproven: bool,
    /// When the key was created, if the caller knows (it created the key itself, or the
    /// customer just did): a key the API does not know yet (`key_not_found`) is then
    /// `PendingPropagation` until the propagation window after this time has passed,
    /// instead of `Invalid`. `None` (default): a key the API does not know is `Invalid`.
    pub key_created_at: Option<Timestamp>,
    /// Canary writes (default `false`): in probe mode (a key that cannot read IAM checks
    /// itself), prove the write rights of the required `…FullAccess` sets with the key
    /// itself, by creating a free resource in the target project and deleting it at once
    /// (a VPC, a Private Network, a security group, an empty bucket: see
    /// [`canary`]). A requirement so proven is `met` with `canary` evidence; a refused write
    /// is blocking; a product without a free canary (Kubernetes) stays `unproven`. Every
    /// resource created is in [`Report::canaries`]; one left behind is a `canary_leftover`
    /// warning with its delete command. Opt-in: it writes to the customer's project.
    pub canary: bool,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            now: None,
            propagation_window: None,
            request_context: RequestContext::default(),
            probe_zone: Zone::FrPar1,
            probe_region: Region::FrPar,
            s3_endpoint: None,
            accept_unproven: false,
            key_created_at: None,
            canary: false,
        }
    }
}

/// Runs checks. Cheap to build; holds a catalogue reference and options.
#[derive(Debug, Clone)]
pub struct Checker {
    catalogue: std::sync::Arc<Catalogue>,
    options: CheckOptions,
    /// Canary deletions still running after a check was dropped (shared by clones).
    cleanups: canary::Cleanups,
}

impl Default for Checker {
    fn default() -> Self {
        Checker::new()
    }
}

impl Checker {
    /// A checker with the built-in catalogue and default options.
    pub fn new() -> Self {
        Checker {
            catalogue: catalogue::builtin_shared(),
            options: CheckOptions::default(),
            cleanups: canary::Cleanups::default(),
        }
    }

    /// Uses another catalogue.
    #[must_use]
    pub fn with_catalogue(mut self, catalogue: Catalogue) -> Self {
        self.catalogue = std::sync::Arc::new(catalogue);
        self
    }

    /// Uses these options.
    #[must_use]
    pub fn with_options(mut self, options: CheckOptions) -> Self {
        self.options = options;
        self
    }

    /// The catalogue.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The options.
    pub fn options(&self) -> &CheckOptions {
        &self.options
    }

    fn now(&self) -> Timestamp {
        self.options.now.unwrap_or_else(chrono::Utc::now)
    }

    fn window(&self) -> chrono::Duration {
        let d = self.options.propagation_window.unwrap_or_else(|| {
            Duration::from_secs(
                self.catalogue
                    .fact("propagation")
                    .and_then(|f| f.seconds)
                    .unwrap_or(300),
            )
        });
        chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::seconds(300))
    }

    fn settings(&self, target: &Target) -> EvalSettings<'_> {
        EvalSettings {
            catalogue: &self.catalogue,
            now: self.now(),
            window: self.window(),
            context: &self.options.request_context,
            target_organization: target.organization_id.clone(),
            key_created_at: self.options.key_created_at,
        }
    }

    /// Settings without a target Organization (for findings about the key only).
    fn settings_now(&self) -> EvalSettings<'_> {
        self.settings(&Target::projects(Vec::new()))
    }

    fn check_target(&self, target: &Target, profile: &Profile) -> Result<Vec<ProjectId>, Error> {
        if let Err(m) = profile.validate_with(&self.catalogue) {
            return Err(Error::invalid_request(format!(
                "profile {}: {m}",
                profile.name
            )));
        }
        let needs_project = profile
            .requirements
            .iter()
            .any(|r| r.scope == RequiredScope::Project);
        if needs_project && target.project_ids.is_empty() {
            return Err(Error::invalid_request(format!(
                "profile {} needs a target project: give its ID (e.g. --project-id)",
                profile.name
            )));
        }
        Ok(target.project_ids.clone())
    }

    /// Evaluates an already resolved key (no I/O): what [`Checker::audit`] does after
    /// reading IAM. Useful to test profiles, or to check data read some other way.
    ///
    /// # Errors
    ///
    /// An invalid profile, or a profile needing a project with no target project.
    pub fn evaluate(
        &self,
        resolution: &Resolution,
        profile: &Profile,
        target: &Target,
        mode: Mode,
    ) -> Result<Report, Error> {
        let targets = self.check_target(target, profile)?;
        let ledger =
            evaluate::evaluate_resolution(&self.settings(target), profile, &targets, resolution);
        Ok(self.assemble(ledger, resolution, profile, target, &targets, mode, false))
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        &self,
        ledger: Ledger,
        res: &Resolution,
        profile: &Profile,
        target: &Target,
        targets: &[ProjectId],
        mode: Mode,
        confirmed_live: bool,
    ) -> Report {
        let now = self.now();
        let outcome = evaluate::finish(ledger);
        let (verdict, accepted_unproven) = verdict::verdict(
            &outcome.findings,
            confirmed_live,
            self.options.accept_unproven,
            now,
        );
        let projects: Vec<ProjectSummary> = targets
            .iter()
            .map(|t| {
                let (status, name, org) = match res.projects.get(t) {
                    Some(ProjectLookup::Found {
                        name,
                        organization_id,
                    }) => ("found", Some(name.clone()), Some(organization_id.clone())),
                    Some(ProjectLookup::NotFound) => ("not_found", None, None),
                    _ => ("unverified", None, None),
                };
                ProjectSummary {
                    project_id: t.clone(),
                    status: status.to_owned(),
                    name,
                    organization_id: org,
                }
            })
            .collect();
        let organization_id = target
            .organization_id
            .clone()
            .or_else(|| projects.iter().find_map(|p| p.organization_id.clone()))
            .or_else(|| res.organization_id.clone())
            .filter(|o| !o.is_empty());
        Report {
            schema_version: REPORT_SCHEMA_VERSION,
            profile: profile.name.clone(),
            catalogue_version: self.catalogue.version().to_owned(),
            checked_at: now,
            mode,
            verdict,
            key: KeySummary {
                access_key: res
                    .key
                    .as_ref()
                    .map(|k| k.access_key.to_string())
                    .unwrap_or_default(),
                bearer_type: res.bearer.as_ref().map(|b| b.kind().to_owned()),
                bearer_id: res.bearer.as_ref().map(|b| b.id().to_owned()),
                bearer_name: res.bearer_name.clone(),
                default_project_id: res.key.as_ref().map(|k| k.default_project_id.clone()),
                created_at: res.key.as_ref().and_then(|k| k.created_at),
                expires_at: res.key.as_ref().and_then(|k| k.expires_at),
            },
            target: TargetSummary {
                organization_id,
                project_ids: targets.to_vec(),
                projects,
            },
            requirements: outcome.requirements,
            findings: outcome.findings,
            accepted_unproven,
            remediation: outcome.remediation,
            grants: res.grants.clone(),
            canaries: None,
        }
    }

    /// Auditor mode: `auditor` (a key with IAM read, e.g. `IAMReadOnly`) inspects
    /// `access_key`.
    ///
    /// Without the target key's secret the checker cannot see whether recent IAM changes
    /// are in force yet: such a result is `PendingPropagation` until the propagation
    /// window has passed. [`Checker::audit_confirming`] removes that wait.
    ///
    /// # Errors
    ///
    /// The auditor cannot read IAM (403), is refused (401), or the API cannot be reached;
    /// an invalid profile or target.
    pub async fn audit(
        &self,
        auditor: &Client,
        access_key: &AccessKey,
        profile: &Profile,
        target: &Target,
    ) -> Result<Report, Error> {
        self.audit_inner(auditor, access_key, None, profile, target)
            .await
    }

    /// Auditor mode, with a client holding the target key's own secret: when IAM changed
    /// recently and nothing blocks, the key is probed to confirm the changes are in force
    /// (used by key rotation).
    ///
    /// # Errors
    ///
    /// See [`Checker::audit`]; `key_client` must have an access key.
    pub async fn audit_confirming(
        &self,
        auditor: &Client,
        key_client: &Client,
        profile: &Profile,
        target: &Target,
    ) -> Result<Report, Error> {
        let ak = key_client.access_key()?.clone();
        self.audit_inner(auditor, &ak, Some(key_client), profile, target)
            .await
    }

    async fn audit_inner(
        &self,
        auditor: &Client,
        access_key: &AccessKey,
        key_client: Option<&Client>,
        profile: &Profile,
        target: &Target,
    ) -> Result<Report, Error> {
        let targets = self.check_target(target, profile)?;
        let iam = IamApi::new(auditor);
        let (res, projects) = futures::join!(
            resolve::resolve(&iam, &self.catalogue, access_key),
            project::lookup(auditor, &targets)
        );
        let mut res = res?;
        res.projects = projects;
        let mut report = self
            .finish_resolved(res, key_client, profile, target, &targets, Mode::Auditor)
            .await?;
        if report.key.access_key.is_empty() {
            report.key.access_key = access_key.to_string();
        }
        Ok(report)
    }

    async fn finish_resolved(
        &self,
        res: Resolution,
        key_client: Option<&Client>,
        profile: &Profile,
        target: &Target,
        targets: &[ProjectId],
        mode: Mode,
    ) -> Result<Report, Error> {
        let mut ledger =
            evaluate::evaluate_resolution(&self.settings(target), profile, targets, &res);
        let recent = ledger.drafts.iter().find_map(|d| match &d.kind {
            FindingKind::RecentIamChange { what, .. } => Some(what.clone()),
            _ => None,
        });
        let blocking = ledger
            .drafts
            .iter()
            .any(|d| d.severity == Severity::Blocking);
        let mut confirmed = false;
        if let (Some(what), Some(kc), false) = (recent, key_client, blocking) {
            let only_key = what.iter().all(|w| w.starts_with("API key"));
            let (ok, extra) = self.confirm(kc, profile, targets, only_key).await;
            confirmed = ok;
            ledger.drafts.extend(extra);
        }
        Ok(self.assemble(ledger, &res, profile, target, targets, mode, confirmed))
    }

    /// Self-check mode: the key (`client`) inspects itself. When it cannot read IAM (403),
    /// the checker probes one cheap read per required product and says what it could not
    /// prove.
    ///
    /// # Errors
    ///
    /// An invalid profile or target, the client has no access key, or the API cannot be
    /// reached. A refused key (401) is a report, not an error.
    pub async fn self_check(
        &self,
        client: &Client,
        profile: &Profile,
        target: &Target,
    ) -> Result<Report, Error> {
        let targets = self.check_target(target, profile)?;
        let ak = client.access_key()?.clone();
        let iam = IamApi::new(client);
        let (res, projects) = futures::join!(
            resolve::resolve(&iam, &self.catalogue, &ak),
            project::lookup(client, &targets)
        );
        match res {
            Ok(mut res) => {
                res.projects = projects;
                self.finish_resolved(
                    res,
                    Some(client),
                    profile,
                    target,
                    &targets,
                    Mode::SelfCheck,
                )
                .await
            }
            Err(e) if e.is_permission_denied() => Ok(self
                .probe_mode(client, &ak, &e, profile, target, &targets, projects)
                .await),
            Err(e) if e.is_authentication_denied() => {
                let res = Resolution::default();
                let mut ledger = Ledger::default();
                let reqs = ledger.every_req(profile, &targets);
                probe_mode::push_rejected(
                    &mut ledger,
                    &reqs,
                    probe_mode::rejected(&self.settings(target), &probe::auth_reason(&e)),
                );
                let mut r = self.assemble(
                    ledger,
                    &res,
                    profile,
                    target,
                    &targets,
                    Mode::SelfCheck,
                    false,
                );
                r.key.access_key = ak.to_string();
                Ok(r)
            }
            Err(e) => Err(e),
        }
    }
}
