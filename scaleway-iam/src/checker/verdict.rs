//! The verdict, from the findings' severities: `Invalid` for what is proven wrong,
//! `PendingPropagation` while waiting can still change it, `Unproven` for what the key alone
//! could not prove, `Ready` otherwise.

use scaleway_core::Timestamp;

use super::finding::FindingKind;
use super::report::{Finding, Severity, Verdict};

/// What changed recently, from the `recent_iam_change` findings.
struct Changes {
    /// The key itself (created or edited): a key not visible yet may appear.
    key: bool,
    /// Policies, rules or groups: grants may still appear or go.
    grants: bool,
}

fn changes(findings: &[Finding]) -> Changes {
    let mut c = Changes {
        key: false,
        grants: false,
    };
    for f in findings {
        if let FindingKind::RecentIamChange { what, .. } = &f.kind {
            for w in what {
                if w.starts_with("API key") {
                    c.key = true;
                } else {
                    c.grants = true;
                }
            }
        }
    }
    c
}

/// Whether a blocking finding may go away while recent changes propagate: a missing or
/// wrongly scoped grant when grants changed, a key not visible yet when the key is new.
/// Anything else (an expired or refused key, a forbidden excess, a project that does not
/// exist, another Organization, a refused probe…) stays.
fn deferrable(kind: &FindingKind, c: &Changes) -> bool {
    match kind {
        FindingKind::Missing { .. }
        | FindingKind::WrongProject { .. }
        | FindingKind::RequirementConditional { .. } => c.grants,
        FindingKind::KeyNotFound => c.key,
        _ => false,
    }
}

/// When recent changes settle, if some change is within the window.
pub(crate) fn settles_at(findings: &[Finding]) -> Option<Timestamp> {
    findings
        .iter()
        .filter_map(|f| match &f.kind {
            FindingKind::RecentIamChange { settles_at, .. } => Some(*settles_at),
            _ => None,
        })
        .max()
}

/// The verdict, and the `unproven` findings accepted as `Ready` (when the caller accepts
/// them).
pub(crate) fn verdict(
    findings: &[Finding],
    confirmed_live: bool,
    accept_unproven: bool,
    now: Timestamp,
) -> (Verdict, Vec<String>) {
    let ids = |sev: Severity| -> Vec<String> {
        findings
            .iter()
            .filter(|f| f.severity == sev)
            .map(|f| f.id.clone())
            .collect()
    };
    let blocking = ids(Severity::Blocking);
    let unproven = ids(Severity::Unproven);
    let c = changes(findings);
    let waiting_helps = findings
        .iter()
        .filter(|f| f.severity == Severity::Blocking)
        .all(|f| deferrable(&f.kind, &c));
    match settles_at(findings) {
        Some(t) if t > now && waiting_helps && !(blocking.is_empty() && confirmed_live) => {
            return (
                Verdict::PendingPropagation {
                    recheck_after: t,
                    recheck_in_seconds: u64::try_from((t - now).num_seconds().max(1)).unwrap_or(1),
                    blocking,
                },
                Vec::new(),
            );
        }
        _ => {}
    }
    if !blocking.is_empty() {
        (Verdict::Invalid { blocking }, Vec::new())
    } else if unproven.is_empty() {
        (Verdict::Ready, Vec::new())
    } else if accept_unproven {
        (Verdict::Ready, unproven)
    } else {
        (Verdict::Unproven { unproven }, Vec::new())
    }
}
