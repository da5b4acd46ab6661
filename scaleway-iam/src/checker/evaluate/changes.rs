//! Step 5, recent changes: IAM objects changed within the propagation window, so the
//! result may still change.

use super::{Draft, EvalSettings, Ledger, Resolution};
use crate::checker::finding::FindingKind;
use crate::checker::report::Severity;

/// Step 5.
pub(crate) fn recent_changes(s: &EvalSettings<'_>, res: &Resolution, l: &mut Ledger) {
    let Some((t, _)) = res.changes.iter().max_by_key(|(t, _)| *t) else {
        return;
    };
    if *t + s.window <= s.now {
        return;
    }
    let what: Vec<String> = res
        .changes
        .iter()
        .filter(|(c, _)| *c + s.window > s.now)
        .map(|(_, w)| w.clone())
        .collect();
    l.push(Draft::new(
        Severity::Info,
        FindingKind::RecentIamChange {
            changed_at: *t,
            what: what.clone(),
            settles_at: *t + s.window,
        },
        format!(
            "IAM changed {} s ago ({}): changes can take up to {} s to apply, so this result may still change",
            (s.now - *t).num_seconds().max(0),
            what.join("; "),
            s.window.num_seconds()
        ),
    ));
}
