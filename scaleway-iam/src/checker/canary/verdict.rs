//! Canary writes in a check: run them, then turn each product's outcome into the evidence,
//! or the finding, of the requirements it proves.

use scaleway_core::{Client, ProjectId};

use super::{CanaryEvidence, CanaryReport, CanaryResult, CleanupStatus};
use crate::checker::evaluate::{Draft, Ledger};
use crate::checker::evidence::Evidence;
use crate::checker::finding::FindingKind;
use crate::checker::probe_mode::{UNPROVEN_FIX, unproven_draft};
use crate::checker::report::Severity;
use crate::checker::{Checker, Profile, Target};

impl Checker {
    /// Runs the canaries of `profile` with the key, and reports every resource left behind.
    pub(crate) async fn canaries_for(
        &self,
        client: &Client,
        profile: &Profile,
        target: &Target,
        l: &mut Ledger,
    ) -> CanaryReport {
        let report = match self.run_canaries(client, profile, target).await {
            Ok(r) => r,
            Err(e) => {
                l.push(Draft::new(
                    Severity::Info,
                    FindingKind::NotProven {
                        what: "canary writes".into(),
                    },
                    format!("canary writes could not run: {e}"),
                ));
                return CanaryReport::default();
            }
        };
        for r in report.leftovers() {
            let reason = r.error.clone().unwrap_or_else(|| "not deleted".to_owned());
            let mut d = Draft::new(
                Severity::Warning,
                FindingKind::CanaryLeftover {
                    resource_type: r.kind.as_str().to_owned(),
                    name: r.name.clone(),
                    resource_id: r.id.clone(),
                    project_id: r.project_id.clone(),
                    locality: r.locality.clone(),
                    status: match r.status {
                        CleanupStatus::MaybeLeftover => "maybe_leftover",
                        _ => "leftover",
                    }
                    .to_owned(),
                    reason: reason.clone(),
                    delete_command: r.delete_command.clone(),
                    delete_call: r.delete_call.clone(),
                },
                format!(
                    "the canary {} {} ({}) in project {} is still there: {reason}; delete it with `{}`",
                    r.kind.as_str(),
                    r.name,
                    r.id.as_deref().unwrap_or("ID unknown"),
                    r.project_id,
                    r.delete_command
                ),
            );
            d.fix = Some((
                format!(
                    "delete the canary {} {} left behind ({})",
                    r.kind.as_str(),
                    r.name,
                    r.delete_call
                ),
                Some(r.delete_command.clone()),
                None,
            ));
            l.push(d);
        }
        report
    }

    /// The write rights of `set` on each product it is judged on, from the canaries: `met`
    /// with canary evidence, blocking when a write was refused, `unproven` otherwise (no
    /// canary for the product, no answer).
    pub(crate) fn canary_write_access(
        &self,
        set: &str,
        judged: &[String],
        (reqs, targets): (&[usize], &[ProjectId]),
        canaries: &CanaryReport,
        l: &mut Ledger,
    ) {
        let cat = self.catalogue();
        if !matches!(
            cat.set(set).map(|s| s.kind),
            Some(crate::checker::SetKind::Full | crate::checker::SetKind::Action)
        ) {
            return;
        }
        for (r, t) in reqs.iter().zip(targets) {
            for product in judged {
                let on = |what: &str| format!("{set}: {what} {product} in project {t}");
                match canaries.evidence(cat, set, product, t) {
                    CanaryEvidence::Proven(o) => {
                        for res in &o.resources {
                            l.evidence(
                                *r,
                                Evidence::Canary {
                                    product: product.clone(),
                                    resource_type: res.kind.as_str().to_owned(),
                                    resource_id: res.id.clone(),
                                    deleted: !res.is_leftover(),
                                },
                            );
                        }
                        let res = o.resources.first();
                        l.push_for(
                            *r,
                            Draft::new(
                                Severity::Info,
                                FindingKind::CanaryProven {
                                    permission_set: set.to_owned(),
                                    product: product.clone(),
                                    project_id: t.clone(),
                                    resource_type: res
                                        .map_or_else(String::new, |x| x.kind.as_str().to_owned()),
                                    resource_id: res.and_then(|x| x.id.clone()),
                                },
                                format!(
                                    "{}: the key created {} and deleted it",
                                    on("writing"),
                                    res.map_or_else(
                                        || "a resource".to_owned(),
                                        |x| format!("{} {}", x.kind.as_str(), x.name)
                                    )
                                ),
                            ),
                        );
                    }
                    CanaryEvidence::Refused(o) => {
                        let CanaryResult::Refused { step, denied } = &o.result else {
                            continue;
                        };
                        let mut d = Draft::new(
                            Severity::Blocking,
                            FindingKind::CanaryRefused {
                                permission_set: set.to_owned(),
                                product: product.clone(),
                                project_id: t.clone(),
                                step: step.clone(),
                                denied: denied.clone(),
                            },
                            format!(
                                "{} is refused: {step} ({})",
                                on("writing"),
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
                            Some(crate::model::RuleSpec::on_target_project(
                                [set.to_owned()],
                                t,
                            )),
                        ));
                        l.push_for(*r, d);
                    }
                    CanaryEvidence::Inconclusive(o) => {
                        let (step, error) = match &o.result {
                            CanaryResult::Inconclusive { step, error } => (step.clone(), error.clone()),
                            _ => (String::new(), String::new()),
                        };
                        let mut d = Draft::new(
                            Severity::Unproven,
                            FindingKind::CanaryInconclusive {
                                permission_set: set.to_owned(),
                                product: product.clone(),
                                project_id: t.clone(),
                                step: step.clone(),
                                error: error.clone(),
                            },
                            format!(
                                "{} gave no answer about permissions ({step}: {error}): not proven",
                                on("writing")
                            ),
                        );
                        d.fix = Some((format!("check again later; {UNPROVEN_FIX}"), None, None));
                        l.push_for(*r, d);
                    }
                    CanaryEvidence::NotAvailable(reason) => l.push_for(
                        *r,
                        unproven_draft(
                            format!("{set}: write access on {product}"),
                            format!(
                                "{set}: write access on {product} cannot be proven with the key alone: {reason}"
                            ),
                        ),
                    ),
                    CanaryEvidence::NotRun => l.push_for(
                        *r,
                        unproven_draft(
                            format!("{set}: write access on {product}"),
                            format!(
                                "{set}: write access on {product} in project {t} is not proven: its canary did not run"
                            ),
                        ),
                    ),
                }
            }
        }
    }
}
