//! Probe mode (a key that cannot read IAM checks itself with one cheap read per product
//! the job uses) and the confirmation of recent changes by the key's own reads.
//!
//! Reads prove read access at most: the write (and other action) rights of a required set
//! stay `unproven` ([`Checker::write_access`]), unless canary writes run
//! ([`CheckOptions::canary`](super::CheckOptions::canary)): for the products that have a
//! free canary, they add [`Evidence::Canary`] to the requirement (or prove it missing)
//! instead of the `unproven` finding.

use std::collections::BTreeMap;

use scaleway_core::{AccessKey, Client, Error, ProjectId};

use super::canary::CanaryReport;
use super::evaluate::{Draft, EvalSettings, Ledger, ProjectLookup, Resolution, key_not_found};
use super::evidence::Evidence;
use super::finding::FindingKind;
use super::probe::{self, ProbeResult};
use super::profile::{Profile, RequiredScope};
use super::report::{Mode, Report, Severity};
use super::{Checker, SetKind, Target};

/// How to get a definite answer when probing cannot prove a requirement.
pub(super) const UNPROVEN_FIX: &str = "for a definite answer, check the key in auditor mode: a separate key with IAMReadOnly (and ProjectReadOnly) inspects its policies (Checker::audit; --access-key in the check_credentials example); or let this key read IAM (IAMReadOnly at Organization level: the checker then resolves its policies, and reports IAMReadOnly as excess unless the profile's excess.allow lists it); or, knowingly, accept unproven requirements (CheckOptions::accept_unproven)";

/// A requirement probe mode could not prove.
pub(super) fn unproven_draft(what: String, message: String) -> Draft {
    let mut d = Draft::new(Severity::Unproven, FindingKind::NotProven { what }, message);
    d.fix = Some((UNPROVEN_FIX.to_owned(), None, None));
    d
}

/// The API refused the key itself (401): expired, unknown (`key_not_found`, pending when
/// the caller says the key is new), or another reason.
pub(super) fn rejected(s: &EvalSettings<'_>, reason: &str) -> Vec<Draft> {
    match reason {
        "expired" => vec![Draft::new(
            Severity::Blocking,
            FindingKind::KeyExpired { expired_at: None },
            "the API refuses the key: it has expired".into(),
        )],
        "not_found" => key_not_found(
            s,
            "the API refuses the key: it does not exist (deleted, or not yet in force)",
        ),
        other => vec![Draft::new(
            Severity::Blocking,
            FindingKind::KeyRejected {
                reason: other.to_owned(),
            },
            format!("the API refuses the key ({other})"),
        )],
    }
}

/// Adds the findings of a refused key, about every requirement.
pub(super) fn push_rejected(l: &mut Ledger, reqs: &[usize], drafts: Vec<Draft>) {
    if let Some(first) = drafts.first() {
        let id = first.id();
        for r in reqs {
            l.link(*r, &id);
        }
    }
    for d in drafts {
        l.push(d);
    }
}

/// What the probes showed about each target project: `(allowed products, refused products)`.
type Seen = BTreeMap<ProjectId, (Vec<String>, Vec<String>)>;

impl Checker {
    /// Probes with the key itself to confirm recent changes are in force: every product the
    /// job uses (the profile's `products` a required set covers) must be readable in every
    /// target project.
    pub(super) async fn confirm(
        &self,
        key_client: &Client,
        profile: &Profile,
        targets: &[ProjectId],
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

    /// Probe mode: `client`'s key cannot read IAM (`iam_error`); `projects` is what the key
    /// could read of the target projects.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn probe_mode(
        &self,
        client: &Client,
        ak: &AccessKey,
        iam_error: &Error,
        profile: &Profile,
        target: &Target,
        targets: &[ProjectId],
        projects: BTreeMap<ProjectId, ProjectLookup>,
    ) -> Report {
        let s = self.settings(target);
        let mut l = Ledger::default();
        l.push(Draft::new(
            Severity::Info,
            FindingKind::IamReadRefused {
                denied: probe::denied_of(iam_error),
            },
            "the key cannot read IAM (its own API key, groups or policies), so the result comes from probing: one read per product the job uses, with the key itself. A key that cannot read IAM holds neither IAMReadOnly, IAMManager nor OrganizationManager".into(),
        ));
        l.push(Draft::new(
            Severity::Info,
            FindingKind::NotProven {
                what: "expiry, default project, bearer type, least privilege (grants on other projects, on all projects, at Organization level)".into(),
            },
            "without IAM read the checker cannot see the key's expiry, default project, bearer, nor any grant beyond the probed reads: least privilege is not checked".into(),
        ));
        let res = Resolution {
            projects,
            ..Resolution::default()
        };
        let facts = super::evaluate::the_target(&s, targets, &res, &mut l);
        let canaries = if self.options.canary {
            Some(self.canaries_for(client, profile, target, &mut l).await)
        } else {
            None
        };
        let mut seen = Seen::new();
        self.probe_requirements(
            client,
            profile,
            targets,
            &facts,
            canaries.as_ref(),
            &mut seen,
            &mut l,
        )
        .await;
        describe_projects(&mut l, &seen);
        let mut report = self.assemble(l, &res, profile, target, targets, Mode::Probe, false);
        report.key.access_key = ak.to_string();
        report.canaries = canaries;
        report
    }

    /// Every requirement, probed on every target.
    #[allow(clippy::too_many_arguments)]
    async fn probe_requirements(
        &self,
        client: &Client,
        profile: &Profile,
        targets: &[ProjectId],
        facts: &super::evaluate::TargetFacts,
        canaries: Option<&CanaryReport>,
        seen: &mut Seen,
        l: &mut Ledger,
    ) {
        let cat = &self.catalogue;
        let s = self.settings_now();
        let site = probe::Site::new(&self.options, client);
        let mut cache: BTreeMap<(String, ProjectId), ProbeResult> = BTreeMap::new();
        for req in &profile.requirements {
            let set = &req.permission_set;
            if req.scope == RequiredScope::Organization {
                let r = l.req(set, None);
                for id in facts.blocking_for(None) {
                    l.link(r, &id);
                }
                l.push_for(
                    r,
                    unproven_draft(
                        format!("{set} at Organization level"),
                        format!(
                            "{set} at Organization level cannot be proven by probing (probes read project resources)"
                        ),
                    ),
                );
                continue;
            }
            let reqs: Vec<usize> = targets.iter().map(|t| l.req(set, Some(t))).collect();
            for (r, t) in reqs.iter().zip(targets) {
                for id in facts.blocking_for(Some(t)) {
                    l.link(*r, &id);
                }
            }
            if !cat.knows(set) {
                l.push(Draft::new(
                    Severity::Warning,
                    FindingKind::UnknownPermissionSet {
                        permission_set: set.clone(),
                    },
                    format!("the profile requires {set}, which the catalogue does not know"),
                ));
            }
            let (judged, set_products) = probe::judged_products(cat, set, &profile.products);
            if judged.is_empty() {
                let d = unproven_draft(
                    set.clone(),
                    if cat.knows(set) {
                        format!(
                            "{set} covers none of the products the profile's job uses ({}), so no probe can prove it",
                            profile.products.join(", ")
                        )
                    } else {
                        format!(
                            "{set}: the catalogue does not know it, so there is no product to probe"
                        )
                    },
                );
                link_all(l, &reqs, d);
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
                let found = self
                    .probe_product(
                        client,
                        (probe, &route),
                        &site,
                        &mut cache,
                        (set, product),
                        (&reqs, targets),
                        seen,
                        l,
                    )
                    .await;
                match found {
                    Ok(true) => proven.push(product.clone()),
                    Ok(false) => {}
                    Err(reason) => {
                        // The key itself is refused: one finding, and no more probes.
                        let all = l.every_req(profile, targets);
                        push_rejected(l, &all, rejected(&s, &reason));
                        return;
                    }
                }
            }
            if !unprobed.is_empty() {
                let d = unproven_draft(
                    format!("{set}: {}", unprobed.join(", ")),
                    format!(
                        "{set}: {} cannot be probed: not proven",
                        unprobed.join(", ")
                    ),
                );
                link_all(l, &reqs, d);
            }
            if judged.len() < set_products {
                let d = Draft::new(
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
                );
                link_all(l, &reqs, d);
            }
            match canaries {
                Some(c) => self.canary_write_access(set, &judged, (&reqs, targets), c, l),
                None => self.write_access(set, &reqs, l),
            }
        }
    }

    /// Probes `product` for `set` on every target: whether every read was allowed, or the
    /// reason the API refused the key itself.
    #[allow(clippy::too_many_arguments)]
    async fn probe_product(
        &self,
        client: &Client,
        (probe, route): (probe::Probe, &String),
        site: &probe::Site,
        cache: &mut BTreeMap<(String, ProjectId), ProbeResult>,
        (set, product): (&String, &String),
        (reqs, targets): (&[usize], &[ProjectId]),
        seen: &mut Seen,
        l: &mut Ledger,
    ) -> Result<bool, String> {
        let mut all_allowed = true;
        for (r, t) in reqs.iter().zip(targets) {
            let key = (product.clone(), t.clone());
            let result = match cache.get(&key) {
                Some(x) => x.clone(),
                None => {
                    let x = probe::run(client, probe, t, site).await;
                    cache.insert(key, x.clone());
                    x
                }
            };
            let entry = seen.entry(t.clone()).or_default();
            match result {
                ProbeResult::Allowed => {
                    entry.0.push(product.clone());
                    l.evidence(
                        *r,
                        Evidence::Probe {
                            product: product.clone(),
                            route: route.clone(),
                        },
                    );
                    l.push_for(
                        *r,
                        Draft::new(
                            Severity::Info,
                            FindingKind::ProbeAllowed {
                                permission_set: set.clone(),
                                product: product.clone(),
                                project_id: t.clone(),
                                route: route.clone(),
                            },
                            format!("{set}: reading {product} in project {t} works"),
                        ),
                    );
                }
                ProbeResult::Denied(denied) => {
                    all_allowed = false;
                    entry.1.push(product.clone());
                    let rule = crate::model::RuleSpec::on_target_project([set.clone()], t);
                    let mut d = Draft::new(
                        Severity::Blocking,
                        FindingKind::ProbeDenied {
                            permission_set: set.clone(),
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
                    l.push_for(*r, d);
                }
                ProbeResult::Rejected(reason) => return Err(reason),
                ProbeResult::Inconclusive(err) => {
                    all_allowed = false;
                    let mut d = Draft::new(
                        Severity::Unproven,
                        FindingKind::ProbeInconclusive {
                            permission_set: set.clone(),
                            product: product.clone(),
                            project_id: t.clone(),
                            error: err.clone(),
                        },
                        format!(
                            "{set}: probing {product} in project {t} gave no answer about permissions ({err}): not proven"
                        ),
                    );
                    d.fix = Some((format!("check again later; {UNPROVEN_FIX}"), None, None));
                    l.push_for(*r, d);
                }
            }
        }
        Ok(all_allowed)
    }

    /// The write (and other action) rights of `set`: probes only read, so they stay
    /// unproven. This is the step canary writes will take over for products with a free
    /// canary (adding [`Evidence::Canary`] to `reqs` instead).
    fn write_access(&self, set: &str, reqs: &[usize], l: &mut Ledger) {
        if matches!(
            self.catalogue.set(set).map(|s| s.kind),
            Some(SetKind::Full | SetKind::Action)
        ) {
            let d = unproven_draft(
                format!("{set}: write access"),
                format!(
                    "{set}: probes only read, so they prove read access at most; its write (and other action) rights cannot be proven without writing (canary writes: CheckOptions::canary, --canary in check_credentials)"
                ),
            );
            link_all(l, reqs, d);
        }
    }
}

/// Adds one finding about several requirements.
fn link_all(l: &mut Ledger, reqs: &[usize], d: Draft) {
    let id = d.id();
    for r in reqs {
        l.link(*r, &id);
    }
    l.push(d);
}

/// Completes each `project_unverified` finding with what the probes showed about the
/// project, and what stays unknown.
fn describe_projects(l: &mut Ledger, seen: &Seen) {
    for d in &mut l.drafts {
        let FindingKind::ProjectUnverified { project_id, reason } = &mut d.kind else {
            continue;
        };
        let Some((allowed, refused)) = seen.get(project_id) else {
            continue;
        };
        let mut shown = Vec::new();
        if !allowed.is_empty() {
            shown.push(format!(
                "the key's listings filtered on it were allowed for {}",
                allowed.join(", ")
            ));
        }
        if !refused.is_empty() {
            shown.push(format!("refused (403) for {}", refused.join(", ")));
        }
        if shown.is_empty() {
            continue;
        }
        reason.push_str(&format!(
            "; {}: the key may act on this project ID (for a key whose rules name projects, its rules name this one), but whether the project exists and which Organization holds it stay unknown without a key that can read projects",
            shown.join(", ")
        ));
        d.message = format!("project {project_id} could not be read ({reason})");
    }
}
