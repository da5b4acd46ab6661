//! Backup coverage: which backup-able resources are protected, unprotected or excluded,
//! per kind and per project.
//!
//! Only resources with the [`BackupRole::Source`](crate::BackupRole::Source) role count
//! (buckets, Block volumes, secrets, servers with Block volumes). The embedding tool says
//! which are backed up; exclusions ("exclude from backup coverage") match by ID, tag or
//! name pattern (`*` and `?` wildcards) and win over protection.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use scaleway_core::ProjectId;
use serde::{Deserialize, Serialize};

use crate::resource::{Resource, ResourceKind};
use crate::snapshot::Snapshot;

/// A rule excluding resources from backup coverage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "by", content = "pattern", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Exclusion {
    /// The resource ID or the product ID (pattern).
    Id(String),
    /// A tag (pattern; `key=value` for Object Storage tags).
    Tag(String),
    /// The name (pattern).
    Name(String),
}

impl Exclusion {
    /// Whether the rule matches `r`.
    pub fn matches(&self, r: &Resource) -> bool {
        match self {
            Exclusion::Id(p) => {
                let product_id = r.id().rsplit('/').next().unwrap_or("");
                glob(p, r.id()) || glob(p, product_id)
            }
            Exclusion::Tag(p) => r.tags().iter().any(|t| glob(p, t)),
            Exclusion::Name(p) => glob(p, r.name()),
        }
    }
}

impl FromStr for Exclusion {
    type Err = String;

    /// `id=…`, `tag=…` or `name=…`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (by, pattern) = s
            .split_once('=')
            .ok_or_else(|| format!("exclusion `{s}`: expected id=…, tag=… or name=…"))?;
        if pattern.is_empty() {
            return Err(format!("exclusion `{s}`: the pattern is empty"));
        }
        match by {
            "id" => Ok(Exclusion::Id(pattern.to_owned())),
            "tag" => Ok(Exclusion::Tag(pattern.to_owned())),
            "name" => Ok(Exclusion::Name(pattern.to_owned())),
            other => Err(format!(
                "exclusion `{s}`: unknown field `{other}`; expected id, tag or name"
            )),
        }
    }
}

impl fmt::Display for Exclusion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exclusion::Id(p) => write!(f, "id={p}"),
            Exclusion::Tag(p) => write!(f, "tag={p}"),
            Exclusion::Name(p) => write!(f, "name={p}"),
        }
    }
}

/// `*` matches any run of characters, `?` one character; everything else literally.
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The coverage of one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CoverageStatus {
    /// Backed up.
    Protected,
    /// Backup-able, not backed up.
    Unprotected,
    /// Excluded from coverage by a rule.
    Excluded,
}

/// Counts of a coverage row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CoverageCounts {
    /// Protected resources.
    pub protected: u64,
    /// Unprotected resources.
    pub unprotected: u64,
    /// Excluded resources.
    pub excluded: u64,
}

impl CoverageCounts {
    /// `protected / (protected + unprotected)` in percent; `None` when nothing counts.
    pub fn percentage(&self) -> Option<f64> {
        let n = self.protected + self.unprotected;
        #[allow(clippy::cast_precision_loss)]
        (n > 0).then(|| self.protected as f64 * 100.0 / n as f64)
    }

    fn add(&mut self, s: CoverageStatus) {
        match s {
            CoverageStatus::Protected => self.protected += 1,
            CoverageStatus::Unprotected => self.unprotected += 1,
            CoverageStatus::Excluded => self.excluded += 1,
        }
    }

    fn remove(&mut self, s: CoverageStatus) {
        let n = match s {
            CoverageStatus::Protected => &mut self.protected,
            CoverageStatus::Unprotected => &mut self.unprotected,
            CoverageStatus::Excluded => &mut self.excluded,
        };
        *n = n.saturating_sub(1);
    }

    fn merge(&mut self, other: &CoverageCounts) {
        self.protected += other.protected;
        self.unprotected += other.unprotected;
        self.excluded += other.excluded;
    }
}

/// One row of the report: a project and a kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CoverageRow {
    /// Project ID (serialized as the plain ID).
    pub project_id: ProjectId,
    /// Kind.
    pub kind: ResourceKind,
    /// Counts.
    pub counts: CoverageCounts,
    /// Percentage protected (of protected + unprotected).
    pub percentage: Option<f64>,
}

/// The coverage report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CoverageReport {
    /// Per project and kind, sorted.
    pub rows: Vec<CoverageRow>,
    /// Per kind, all projects.
    pub by_kind: Vec<CoverageRow>,
    /// Per project, all kinds (`kind` is `all`).
    pub by_project: Vec<CoverageRow>,
    /// Everything.
    pub total: CoverageCounts,
    /// The status of every backup-able resource, by ID.
    pub resources: BTreeMap<String, CoverageStatus>,
}

/// What is backed up and what is excluded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CoveragePolicy {
    /// IDs of protected resources ([`Resource::id`], or the bare product ID).
    pub protected: BTreeSet<String>,
    /// Exclusion rules.
    pub exclusions: Vec<Exclusion>,
}

impl CoveragePolicy {
    /// An empty policy: nothing protected, nothing excluded.
    pub fn new() -> Self {
        CoveragePolicy::default()
    }

    /// Marks a resource as backed up (its [`Resource::id`] or its product ID).
    pub fn protect(mut self, id: impl Into<String>) -> Self {
        self.protected.insert(id.into());
        self
    }

    /// Marks resources as backed up.
    pub fn protect_all<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ids: I) -> Self {
        self.protected.extend(ids.into_iter().map(Into::into));
        self
    }

    /// Adds an exclusion rule.
    pub fn exclude(mut self, rule: Exclusion) -> Self {
        self.exclusions.push(rule);
        self
    }

    /// The coverage of one resource (`None` when it is not backup-able).
    pub fn status(&self, r: &Resource) -> Option<CoverageStatus> {
        if !r.is_backup_source() {
            return None;
        }
        if self.exclusions.iter().any(|e| e.matches(r)) {
            return Some(CoverageStatus::Excluded);
        }
        let product_id = r.id().rsplit('/').next().unwrap_or("");
        if self.protected.contains(r.id()) || self.protected.contains(product_id) {
            Some(CoverageStatus::Protected)
        } else {
            Some(CoverageStatus::Unprotected)
        }
    }

    /// The report for `snapshot`.
    pub fn report(&self, snapshot: &Snapshot) -> CoverageReport {
        let mut tally = self.tally();
        for r in &snapshot.resources {
            tally.add(r);
        }
        tally.report()
    }

    /// A report built resource by resource, for a sync that is streamed rather than
    /// collected: [`CoverageTally::add`] each resource as it arrives, then
    /// [`CoverageTally::report`] gives what [`CoveragePolicy::report`] gives on the snapshot.
    pub fn tally(&self) -> CoverageTally<'_> {
        CoverageTally {
            policy: self,
            projects: BTreeMap::new(),
            total: CoverageCounts::default(),
            resources: BTreeMap::new(),
        }
    }
}

/// A coverage report being built (see [`CoveragePolicy::tally`]). A resource added twice
/// (same ID, hence same kind and project) counts once, with its last status.
#[derive(Debug)]
pub struct CoverageTally<'a> {
    policy: &'a CoveragePolicy,
    /// Counts per project and kind.
    projects: BTreeMap<String, BTreeMap<ResourceKind, CoverageCounts>>,
    total: CoverageCounts,
    resources: BTreeMap<String, CoverageStatus>,
}

impl CoverageTally<'_> {
    /// Counts `r` (nothing when it is not backup-able).
    pub fn add(&mut self, r: &Resource) {
        let Some(s) = self.policy.status(r) else {
            return;
        };
        // Looked up by reference: no allocation once the row exists.
        let kinds = match self.projects.get_mut(r.project_id()) {
            Some(kinds) => kinds,
            None => self.projects.entry(r.project_id().to_owned()).or_default(),
        };
        let counts = match kinds.get_mut(r.kind()) {
            Some(counts) => counts,
            None => kinds.entry(r.kind().clone()).or_default(),
        };
        if let Some(was) = self.resources.insert(r.id().to_owned(), s) {
            counts.remove(was);
            self.total.remove(was);
        }
        counts.add(s);
        self.total.add(s);
    }

    /// The report.
    pub fn report(self) -> CoverageReport {
        let mut by_kind: BTreeMap<ResourceKind, CoverageCounts> = BTreeMap::new();
        let mut by_project: BTreeMap<String, CoverageCounts> = BTreeMap::new();
        let mut rows: Vec<((String, ResourceKind), CoverageCounts)> = Vec::new();
        for (project, kinds) in self.projects {
            for (kind, c) in kinds {
                by_kind.entry(kind.clone()).or_default().merge(&c);
                by_project.entry(project.clone()).or_default().merge(&c);
                rows.push(((project.clone(), kind), c));
            }
        }
        let row = |project_id: String, kind: ResourceKind, counts: CoverageCounts| CoverageRow {
            project_id: scaleway_core::ProjectId::from_server(&project_id),
            kind,
            percentage: counts.percentage(),
            counts,
        };
        CoverageReport {
            rows: rows
                .into_iter()
                .filter(|(_, c)| *c != CoverageCounts::default())
                .map(|((p, k), c)| row(p, k, c))
                .collect(),
            by_kind: by_kind
                .into_iter()
                .filter(|(_, c)| *c != CoverageCounts::default())
                .map(|(k, c)| row(String::from("*"), k, c))
                .collect(),
            by_project: by_project
                .into_iter()
                .filter(|(_, c)| *c != CoverageCounts::default())
                .map(|(p, c)| row(p, ResourceKind::Custom(String::from("all")), c))
                .collect(),
            total: self.total,
            resources: self.resources,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_patterns() {
        assert!(glob("db-*", "db-1"));
        assert!(glob("*", ""));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "ac"));
        assert!(glob("*-backup-*", "x-backup-y"));
        assert!(!glob("db-*", "web-1"));
        assert!(glob("exact", "exact"));
        assert!(!glob("exact", "exactly"));
    }

    #[test]
    fn exclusion_parsing() {
        assert_eq!(
            "tag=no-backup".parse::<Exclusion>(),
            Ok(Exclusion::Tag("no-backup".into()))
        );
        assert_eq!(
            "tag=env=staging".parse::<Exclusion>(),
            Ok(Exclusion::Tag("env=staging".into()))
        );
        assert!(
            "color=red"
                .parse::<Exclusion>()
                .unwrap_err()
                .contains("unknown field")
        );
        assert!("tag=".parse::<Exclusion>().unwrap_err().contains("empty"));
        assert!("nothing".parse::<Exclusion>().is_err());
    }
}
