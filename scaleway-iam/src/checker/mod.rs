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
mod probe;
pub mod profile;
mod render;
mod report;
mod resolve;

use std::collections::BTreeMap;
use std::time::Duration;

use scaleway_core::{AccessKey, Client, Error, OrganizationId, ProjectId, Region, Timestamp, Zone};

pub use catalogue::{Basis, Catalogue, CatalogueError, Coverage, SetInfo, SetKind};
pub use condition::{ConditionOutcome, RequestContext};
pub use evaluate::Resolution;
pub use profile::{
    BUILTIN_PROFILES, DefaultProjectRule, ExcessAction, ExcessRules, Profile, ProfileError,
    ProfileFormat, RequiredScope, Requirement,
};
pub use report::{
    DeniedAction, Finding, FindingKind, Grant, GrantPath, KeySummary, Mode, REPORT_SCHEMA_VERSION,
    Remediation, Report, Severity, TargetSummary, Verdict,
};

use evaluate::{Draft, EvalSettings};
use probe::ProbeResult;

use crate::IamApi;

/// What the key is checked for: the project(s) the job runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Target {
    /// Target projects (at least one for project-level requirements).
    pub project_ids: Vec<ProjectId>,
    /// The Organization, when known (otherwise taken from the bearer).
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
    /// Probe mode: accept requirements the probes could not prove — products without a
    /// probe, probes without an answer, Organization-level sets, and **write access**,
    /// which a probe never exercises — as warnings instead of blocking findings.
    ///
    /// Default `false`: a key is `Ready` only for what it has shown it can do, so a
    /// `FullAccess` requirement is `Invalid` in probe mode. Set it only when the platform
    /// accepts to learn about missing write rights from a failed job.
    pub accept_unproven: bool,
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

    fn check_target(&self, target: &Target, profile: &Profile) -> Result<Vec<String>, Error> {
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
        Ok(target.project_ids.iter().map(ToString::to_string).collect())
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
        let now = self.now();
        let settings = EvalSettings {
            catalogue: &self.catalogue,
            now,
            window: self.window(),
            context: &self.options.request_context,
        };
        let drafts = evaluate::evaluate_resolution(&settings, profile, &targets, resolution);
        Ok(self.assemble(drafts, resolution, profile, target, &targets, mode, false))
    }

    #[allow(clippy::too_many_arguments)]
    fn assemble(
        &self,
        drafts: Vec<Draft>,
        res: &Resolution,
        profile: &Profile,
        target: &Target,
        targets: &[String],
        mode: Mode,
        confirmed_live: bool,
    ) -> Report {
        let now = self.now();
        let outcome = evaluate::finish(drafts);
        let settles = evaluate::settles_at(&outcome.findings);
        let verdict = evaluate::verdict(&outcome.findings, settles, confirmed_live, now);
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
                organization_id: target
                    .organization_id
                    .as_ref()
                    .map(ToString::to_string)
                    .or_else(|| res.organization_id.clone())
                    .filter(|o| !o.trim().is_empty()),
                project_ids: targets.to_vec(),
            },
            findings: outcome.findings,
            remediation: outcome.remediation,
            grants: res.grants.clone(),
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
        let res = resolve::resolve(&iam, &self.catalogue, access_key).await?;
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
        targets: &[String],
        mode: Mode,
    ) -> Result<Report, Error> {
        let now = self.now();
        let settings = EvalSettings {
            catalogue: &self.catalogue,
            now,
            window: self.window(),
            context: &self.options.request_context,
        };
        let mut drafts = evaluate::evaluate_resolution(&settings, profile, targets, &res);
        let recent = drafts.iter().find_map(|d| match &d.kind {
            FindingKind::RecentIamChange { what, .. } => Some(what.clone()),
            _ => None,
        });
        let blocking = drafts.iter().any(|d| d.severity == Severity::Blocking);
        let mut confirmed = false;
        if let (Some(what), Some(kc), false) = (recent, key_client, blocking) {
            let only_key = what.iter().all(|w| w.starts_with("API key"));
            let (ok, mut extra) = self.confirm(kc, profile, targets, only_key).await;
            confirmed = ok;
            drafts.append(&mut extra);
        }
        Ok(self.assemble(drafts, &res, profile, target, targets, mode, confirmed))
    }

    /// Probes with the key itself to confirm recent changes are in force: every product the
    /// job uses (the profile's `products` a required set covers) must be readable in every
    /// target project.
    async fn confirm(
        &self,
        key_client: &Client,
        profile: &Profile,
        targets: &[String],
        only_key_changed: bool,
    ) -> (bool, Vec<Draft>) {
        let not_yet = |what: String, message: String| {
            (
                false,
                vec![Draft::new(
                    Severity::Info,
                    FindingKind::NotProven { what },
                    message,
                )],
            )
        };
        match probe::liveness(key_client).await {
            ProbeResult::Allowed => {}
            _ => {
                return not_yet(
                    "the key is in force".into(),
                    "the key does not authenticate yet: the recent changes are not in force".into(),
                );
            }
        }
        let site = probe::Site::new(&self.options, key_client);
        let mut products = Vec::new();
        if !only_key_changed {
            for req in &profile.requirements {
                let set = &req.permission_set;
                let (judged, _) = probe::judged_products(&self.catalogue, set, &profile.products);
                if judged.is_empty() {
                    return not_yet(
                        format!("{set} is in force"),
                        format!(
                            "{set} covers no product a probe can read, so the recent changes cannot be confirmed before the propagation window ends"
                        ),
                    );
                }
                for p in judged {
                    let Some(probe) = probe::probe_for(&p) else {
                        return not_yet(
                            format!("{p} is in force"),
                            format!(
                                "{p} cannot be probed, so the recent changes cannot be confirmed before the propagation window ends"
                            ),
                        );
                    };
                    for t in targets {
                        let r = probe::run(key_client, probe, t, &site).await;
                        if !matches!(r, ProbeResult::Allowed) {
                            return not_yet(
                                format!("{p} in project {t} is in force"),
                                format!(
                                    "reading {p} in project {t} with the key does not work yet: the recent changes are not in force"
                                ),
                            );
                        }
                    }
                    products.push(p);
                }
            }
        }
        products.sort();
        products.dedup();
        let msg = if products.is_empty() {
            "the key authenticates: it is in force".to_owned()
        } else {
            format!(
                "the key authenticates and reads {} in the target project(s): the recent changes are in force",
                products.join(", ")
            )
        };
        (
            true,
            vec![Draft::new(
                Severity::Info,
                FindingKind::ConfirmedLive { products },
                msg,
            )],
        )
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
        match resolve::resolve(&iam, &self.catalogue, &ak).await {
            Ok(res) => {
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
            Err(e) if e.is_permission_denied() => {
                self.probe_mode(client, &ak, &e, profile, target, &targets)
                    .await
            }
            Err(e) if e.is_authentication_denied() => {
                let res = Resolution {
                    key: None,
                    ..Resolution::default()
                };
                let reason = probe::auth_reason(&e);
                let drafts = vec![rejected_draft(&reason)];
                let mut r = self.assemble(
                    drafts,
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

    async fn probe_mode(
        &self,
        client: &Client,
        ak: &AccessKey,
        iam_error: &Error,
        profile: &Profile,
        target: &Target,
        targets: &[String],
    ) -> Result<Report, Error> {
        let cat = &self.catalogue;
        let site = probe::Site::new(&self.options, client);
        let unproven = if self.options.accept_unproven {
            Severity::Warning
        } else {
            Severity::Blocking
        };
        let mut drafts = vec![Draft::new(
            Severity::Info,
            FindingKind::IamReadRefused {
                denied: probe::denied_of(iam_error),
            },
            "the key cannot read IAM (its own API key, groups or policies), so the result comes from probing: one read per product the job uses, with the key itself. A key that cannot read IAM holds neither IAMReadOnly, IAMManager nor OrganizationManager".into(),
        )];
        drafts.push(Draft::new(
            Severity::Info,
            FindingKind::NotProven {
                what: "expiry, default project, bearer type, grants on other projects and other Organization-level sets".into(),
            },
            "without IAM read the checker cannot see the key's expiry, default project, bearer, nor grants beyond the probed reads".into(),
        ));
        let mut cache: BTreeMap<(String, String), ProbeResult> = BTreeMap::new();
        'requirements: for req in &profile.requirements {
            let set = &req.permission_set;
            if req.scope == RequiredScope::Organization {
                drafts.push(unproven_draft(
                    unproven,
                    format!("{set} at Organization level"),
                    format!(
                        "{set} at Organization level cannot be proven by probing (probes read project resources)"
                    ),
                ));
                continue;
            }
            if !cat.knows(set) {
                drafts.push(Draft::new(
                    Severity::Warning,
                    FindingKind::UnknownPermissionSet {
                        permission_set: set.clone(),
                    },
                    format!("the profile requires {set}, which the catalogue does not know"),
                ));
            }
            let (judged, set_products) = probe::judged_products(cat, set, &profile.products);
            if judged.is_empty() {
                drafts.push(unproven_draft(
                    unproven,
                    set.clone(),
                    if cat.knows(set) {
                        format!(
                            "{set} covers none of the products the profile's job uses ({}), so no probe can prove it",
                            profile.products.join(", ")
                        )
                    } else {
                        format!("{set}: the catalogue does not know it, so there is no product to probe")
                    },
                ));
                continue;
            }
            let mut proven: Vec<String> = Vec::new();
            let mut unprobed: Vec<String> = Vec::new();
            for product in &judged {
                let Some(probe) = probe::probe_for(product) else {
                    unprobed.push(product.clone());
                    continue;
                };
                let route = probe.route(&site);
                let mut all_allowed = true;
                for t in targets {
                    let key = (product.clone(), t.clone());
                    let r = match cache.get(&key) {
                        Some(r) => r.clone(),
                        None => {
                            let r = probe::run(client, probe, t, &site).await;
                            cache.insert(key, r.clone());
                            r
                        }
                    };
                    match r {
                        ProbeResult::Allowed => drafts.push(Draft::new(
                            Severity::Info,
                            FindingKind::ProbeAllowed {
                                product: product.clone(),
                                project_id: t.clone(),
                                route: route.clone(),
                            },
                            format!("{set}: reading {product} in project {t} works"),
                        )),
                        ProbeResult::Denied(denied) => {
                            all_allowed = false;
                            let rule = crate::model::RuleSpec::projects([set.clone()], [t.clone()]);
                            let mut d = Draft::new(
                                Severity::Blocking,
                                FindingKind::ProbeDenied {
                                    product: product.clone(),
                                    project_id: t.clone(),
                                    route: route.clone(),
                                    denied: denied.clone(),
                                },
                                format!(
                                    "{set}: reading {product} in project {t} is refused ({})",
                                    denied
                                        .iter()
                                        .map(|d| format!("{} on {}", d.action, d.resource))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            );
                            d.fix = Some((
                                format!(
                                    "add a rule granting {set} on project {t} to the key's application"
                                ),
                                Some(format!(
                                    "scw iam rule create <policy-id> permission-set-names.0={set} project-ids.0={t}"
                                )),
                                Some(rule),
                            ));
                            drafts.push(d);
                        }
                        ProbeResult::Rejected(reason) => {
                            // The key itself is refused: one finding, and no more probes.
                            drafts.push(rejected_draft(&reason));
                            break 'requirements;
                        }
                        ProbeResult::Inconclusive(err) => {
                            all_allowed = false;
                            let mut d = Draft::new(
                                unproven,
                                FindingKind::ProbeInconclusive {
                                    product: product.clone(),
                                    project_id: t.clone(),
                                    error: err.clone(),
                                },
                                format!(
                                    "{set}: probing {product} in project {t} gave no answer about permissions ({err}): not proven"
                                ),
                            );
                            if unproven == Severity::Blocking {
                                d.fix = Some((
                                    format!("check again later; {UNPROVEN_FIX}"),
                                    None,
                                    None,
                                ));
                            }
                            drafts.push(d);
                        }
                    }
                }
                if all_allowed {
                    proven.push(product.clone());
                }
            }
            if !unprobed.is_empty() {
                drafts.push(unproven_draft(
                    unproven,
                    format!("{set}: {}", unprobed.join(", ")),
                    format!(
                        "{set}: {} cannot be probed: not proven",
                        unprobed.join(", ")
                    ),
                ));
            }
            if judged.len() < set_products {
                drafts.push(Draft::new(
                    Severity::Info,
                    FindingKind::SetNotProven {
                        permission_set: set.clone(),
                        set_products,
                        judged_on: judged.clone(),
                        proven: proven.clone(),
                    },
                    format!(
                        "{set} itself is not proven (it covers {set_products} products): it was judged on the {} the profile's job uses ({}); proven by probing: {}",
                        judged.len(),
                        judged.join(", "),
                        if proven.is_empty() {
                            "none".to_owned()
                        } else {
                            proven.join(", ")
                        }
                    ),
                ));
            }
            if matches!(
                cat.set(set).map(|s| s.kind),
                Some(SetKind::Full | SetKind::Action)
            ) {
                drafts.push(unproven_draft(
                    unproven,
                    format!("{set}: write access"),
                    format!(
                        "{set}: probes only read, so they prove read access at most; its write (and other action) rights cannot be proven without changing your resources"
                    ),
                ));
            }
        }
        let res = Resolution::default();
        let mut report = self.assemble(drafts, &res, profile, target, targets, Mode::Probe, false);
        report.key.access_key = ak.to_string();
        Ok(report)
    }
}

/// How to get a definite answer when probing cannot prove a requirement.
const UNPROVEN_FIX: &str = "for a definite answer, check the key in auditor mode: a separate key with IAMReadOnly inspects its policies (Checker::audit; --access-key in the check_credentials example); or let this key read IAM (IAMReadOnly at Organization level: the checker then resolves its policies, and reports IAMReadOnly as excess unless the profile's excess.allow lists it); or, knowingly, accept unproven requirements (CheckOptions::accept_unproven)";

/// A requirement probe mode could not prove: `severity` is blocking unless the caller
/// accepts unproven requirements.
fn unproven_draft(severity: Severity, what: String, message: String) -> Draft {
    let mut d = Draft::new(severity, FindingKind::NotProven { what }, message);
    if severity == Severity::Blocking {
        d.fix = Some((UNPROVEN_FIX.to_owned(), None, None));
    }
    d
}

fn rejected_draft(reason: &str) -> Draft {
    match reason {
        "expired" => Draft::new(
            Severity::Blocking,
            FindingKind::KeyExpired { expired_at: None },
            "the API refuses the key: it has expired".into(),
        ),
        "not_found" => Draft::new(
            Severity::Blocking,
            FindingKind::KeyNotFound,
            "the API refuses the key: it does not exist (deleted, or not yet in force)".into(),
        ),
        other => Draft::new(
            Severity::Blocking,
            FindingKind::KeyRejected {
                reason: other.to_owned(),
            },
            format!("the API refuses the key ({other})"),
        ),
    }
}
