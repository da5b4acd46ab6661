//! The readable text rendering of a [`Report`].

use std::fmt::{self, Write};

use super::report::{EstablishedBy, Report, RequirementStatus, Severity, Verdict};

impl Report {
    /// A readable multi-line rendering: verdict, key, findings with their paths,
    /// remediation.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        let _ = self.write_text(&mut s);
        s
    }

    fn write_text(&self, s: &mut String) -> fmt::Result {
        let verdict = match &self.verdict {
            Verdict::Ready if self.accepted_unproven.is_empty() => "READY".to_owned(),
            Verdict::Ready => format!(
                "READY, ACCEPTING UNPROVEN REQUIREMENTS ({} unproven finding(s): {})",
                self.accepted_unproven.len(),
                self.accepted_unproven.join(", ")
            ),
            Verdict::Unproven { unproven } => format!(
                "UNPROVEN ({} finding(s) this key alone could not prove; nothing proven wrong)",
                unproven.len()
            ),
            Verdict::Invalid { blocking } => {
                format!("INVALID ({} blocking finding(s))", blocking.len())
            }
            Verdict::PendingPropagation {
                recheck_after,
                recheck_in_seconds,
                ..
            } => format!(
                "PENDING PROPAGATION: check again after {} (in {recheck_in_seconds} s)",
                recheck_after.format("%Y-%m-%d %H:%M:%S UTC")
            ),
        };
        writeln!(s, "{verdict}")?;
        let bearer = match (
            &self.key.bearer_type,
            &self.key.bearer_name,
            &self.key.bearer_id,
        ) {
            (Some(t), Some(n), _) => format!("{t} \"{n}\""),
            (Some(t), None, Some(id)) => format!("{t} {id}"),
            _ => "unknown bearer".to_owned(),
        };
        writeln!(
            s,
            "key {} ({bearer}) checked for profile {} on project(s) {} [{} mode, catalogue {}]",
            if self.key.access_key.is_empty() {
                "?"
            } else {
                &self.key.access_key
            },
            self.profile,
            if self.target.project_ids.is_empty() {
                "-".to_owned()
            } else {
                self.target
                    .project_ids
                    .iter()
                    .map(scaleway_core::ProjectId::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            },
            match self.mode {
                super::Mode::Auditor => "auditor",
                super::Mode::SelfCheck => "self-check",
                super::Mode::Probe => "probe",
            },
            self.catalogue_version
        )?;
        writeln!(s)?;
        if !self.requirements.is_empty() {
            writeln!(s, "Requirements:")?;
            for r in &self.requirements {
                let (mark, status) = match r.status {
                    RequirementStatus::Met => ("✓", "met"),
                    RequirementStatus::NotMet => ("✗", "not met"),
                    _ => ("?", "unproven"),
                };
                let how = match r.established_by {
                    EstablishedBy::Policies => " (the key's policies)",
                    EstablishedBy::Probe => " (reads with the key)",
                    EstablishedBy::Canary => " (writes with the key, undone)",
                    _ => "",
                };
                writeln!(
                    s,
                    "  {mark} {} {}: {status}{how}",
                    r.permission_set,
                    match &r.project_id {
                        Some(p) => format!("on {p}"),
                        None => "at Organization level".to_owned(),
                    }
                )?;
            }
            writeln!(s)?;
        }
        if let Some(c) = &self.canaries {
            self.write_canaries(s, c)?;
        }
        for f in &self.findings {
            let mark = match f.severity {
                Severity::Blocking => "✗",
                Severity::Unproven => "?",
                Severity::Warning => "!",
                _ => "✓",
            };
            writeln!(s, "{mark} [{} {}] {}", f.id, f.code(), f.message)?;
            for p in &f.paths {
                writeln!(s, "      from {p}")?;
            }
        }
        if !self.remediation.is_empty() {
            writeln!(s)?;
            writeln!(s, "To fix:")?;
            for r in &self.remediation {
                writeln!(s, "  [{}] {}", r.finding, r.summary)?;
                if let Some(c) = &r.scw_command {
                    writeln!(s, "      $ {c}")?;
                }
                if let Some(rule) = &r.rule {
                    writeln!(s, "      rule: {rule}")?;
                }
            }
        }
        Ok(())
    }
}

impl Report {
    /// The canary writes: every resource created and what became of it.
    fn write_canaries(&self, s: &mut String, c: &super::canary::CanaryReport) -> fmt::Result {
        use super::canary::{CanaryResult, CleanupStatus};
        if c.outcomes.is_empty() && c.not_available.is_empty() {
            return Ok(());
        }
        writeln!(s, "Canary writes (created with the key, then deleted):")?;
        for o in &c.outcomes {
            let result = match &o.result {
                CanaryResult::Proven => "write proven".to_owned(),
                CanaryResult::Refused { step, .. } => format!("refused at `{step}`"),
                CanaryResult::Inconclusive { step, error } => {
                    format!("no answer at `{step}`: {error}")
                }
            };
            writeln!(s, "  {} in {}: {result}", o.product, o.project_id)?;
            for r in &o.resources {
                let mut fate = match r.status {
                    CleanupStatus::Deleted => "created and deleted".to_owned(),
                    CleanupStatus::NotFound => "not found by name: nothing to delete".to_owned(),
                    CleanupStatus::Leftover => {
                        format!("LEFT BEHIND, delete it: {}", r.delete_command)
                    }
                    CleanupStatus::MaybeLeftover => {
                        format!(
                            "MAY BE LEFT BEHIND, find and delete it: {}",
                            r.delete_command
                        )
                    }
                };
                if let Some(l) = &r.lookup {
                    fate = format!("{fate} ({l})");
                }
                writeln!(
                    s,
                    "      {} {} ({}, {}): {fate}",
                    r.kind.as_str(),
                    r.name,
                    r.id.as_deref().unwrap_or("ID unknown"),
                    r.locality
                )?;
            }
        }
        for n in &c.not_available {
            writeln!(
                s,
                "  {} ({}): no canary: {}",
                n.product, n.permission_set, n.reason
            )?;
        }
        writeln!(s)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}
