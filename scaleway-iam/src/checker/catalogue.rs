//! The implication catalogue: which permission sets exist, at which level, which set covers
//! which, which are escalation-grade — each entry with its documentation source.
//!
//! The built-in catalogue is `data/catalogue.json` (versioned with the crate); a newer one
//! can be loaded with [`Catalogue::from_json`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::PermissionSetScopeType;

const BUILTIN: &str = include_str!("../../data/catalogue.json");

fn builtin_arc() -> &'static std::sync::Arc<Catalogue> {
    static CAT: std::sync::OnceLock<std::sync::Arc<Catalogue>> = std::sync::OnceLock::new();
    CAT.get_or_init(|| std::sync::Arc::new(Catalogue::load_builtin()))
}

/// The built-in catalogue, shared.
pub(crate) fn builtin_shared() -> std::sync::Arc<Catalogue> {
    std::sync::Arc::clone(builtin_arc())
}

/// The documentation page a catalogue entry comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DocSource {
    /// Title.
    pub title: String,
    /// Published URL.
    pub url: String,
    /// Repository of the page's source.
    pub repository: String,
    /// Path in the repository.
    pub path: String,
    /// Commit the page was read at.
    pub commit: String,
}

/// Whether the documentation says so or the entry is our reading of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Basis {
    /// The documentation states it.
    Stated,
    /// Our interpretation of a description that leaves it open.
    Interpreted,
}

/// Kind of a permission set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SetKind {
    /// List and read.
    Read,
    /// Full access to a product.
    Full,
    /// Management of an Organization-level feature.
    Manager,
    /// A specific action (start, write, data access, …).
    Action,
}

/// A permission set the catalogue knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SetInfo {
    /// Name.
    pub name: String,
    /// `projects` or `organization`.
    pub scope: PermissionSetScopeType,
    /// Product family (`instances`, `object-storage`, `iam`, …).
    pub product: String,
    /// Kind.
    pub kind: SetKind,
    /// Key of its source in [`Catalogue::sources`].
    pub source: String,
}

#[derive(Debug, Clone, Deserialize)]
struct CoversAll {
    scope: PermissionSetScopeType,
    kinds: Vec<SetKind>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawImplication {
    set: String,
    #[serde(default)]
    covers: Vec<String>,
    #[serde(default)]
    covers_all: Option<CoversAll>,
    basis: Basis,
    source: String,
    #[serde(default)]
    note: String,
}

#[derive(Debug, Clone, Deserialize)]
struct RawExclusion {
    set: String,
    does_not_cover: Vec<String>,
    basis: Basis,
    source: String,
    #[serde(default)]
    note: String,
}

/// A set that lets its holder grant itself more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Escalation {
    /// Set name.
    pub set: String,
    /// Stated or interpreted.
    pub basis: Basis,
    /// Source key.
    pub source: String,
    /// Why.
    pub note: String,
}

/// A documented fact the checker relies on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Fact {
    /// Identifier.
    pub id: String,
    /// The fact, in our words.
    pub statement: String,
    /// A duration it gives, if any.
    #[serde(default)]
    pub seconds: Option<u64>,
    /// Source keys.
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct RawCatalogue {
    format: u32,
    version: String,
    sources: BTreeMap<String, DocSource>,
    permission_sets: Vec<SetInfo>,
    implications: Vec<RawImplication>,
    #[serde(default)]
    exclusions: Vec<RawExclusion>,
    #[serde(default)]
    escalation: Vec<Escalation>,
    #[serde(default)]
    facts: Vec<Fact>,
}

/// Why one set covers another: the chain of documented implications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Coverage {
    /// `Stated` only when every step of the chain is stated.
    pub basis: Basis,
    /// The chain, e.g. `["AllProductsReadOnly", "ObjectStorageReadOnly",
    /// "ObjectStorageObjectsRead"]` (one element when a set covers itself).
    pub chain: Vec<String>,
}

/// The implication catalogue.
#[derive(Debug, Clone)]
pub struct Catalogue {
    version: String,
    sources: BTreeMap<String, DocSource>,
    sets: BTreeMap<String, SetInfo>,
    /// set → (covered set → coverage), transitive, exclusions applied.
    covers: BTreeMap<String, BTreeMap<String, Coverage>>,
    escalation: BTreeMap<String, Escalation>,
    facts: Vec<Fact>,
}

/// A catalogue file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid implication catalogue: {0}")]
pub struct CatalogueError(String);

impl Catalogue {
    /// The catalogue built into this version of the crate.
    pub fn builtin() -> &'static Catalogue {
        builtin_arc()
    }

    fn load_builtin() -> Catalogue {
        {
            // The built-in file is checked by the crate's tests; an error here would be a
            // packaging bug, so fall back to an empty catalogue rather than panic.
            Catalogue::from_json(BUILTIN).unwrap_or_else(|e| {
                tracing::error!(error = %e, "built-in catalogue is invalid");
                Catalogue::empty()
            })
        }
    }

    fn empty() -> Catalogue {
        Catalogue {
            version: "empty".into(),
            sources: BTreeMap::new(),
            sets: BTreeMap::new(),
            covers: BTreeMap::new(),
            escalation: BTreeMap::new(),
            facts: Vec::new(),
        }
    }

    /// Parses a catalogue file (the format of `data/catalogue.json`).
    ///
    /// # Errors
    ///
    /// Bad JSON, an unknown format, an entry naming an unknown set or source.
    pub fn from_json(text: &str) -> Result<Catalogue, CatalogueError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let raw: RawCatalogue = serde_path_to_error::deserialize(de)
            .map_err(|e| CatalogueError(format!("at `{}`: {}", e.path(), e.inner())))?;
        if raw.format != 1 {
            return Err(CatalogueError(format!(
                "format {} is not supported (expected 1)",
                raw.format
            )));
        }
        let mut sets = BTreeMap::new();
        for s in raw.permission_sets {
            if !raw.sources.contains_key(&s.source) {
                return Err(CatalogueError(format!(
                    "set {} names unknown source {}",
                    s.name, s.source
                )));
            }
            sets.insert(s.name.clone(), s);
        }
        let known = |n: &str| -> Result<(), CatalogueError> {
            if sets.contains_key(n) {
                Ok(())
            } else {
                Err(CatalogueError(format!("unknown permission set {n}")))
            }
        };
        // Direct edges.
        let mut direct: BTreeMap<String, BTreeMap<String, Basis>> = BTreeMap::new();
        for imp in &raw.implications {
            known(&imp.set)?;
            if !raw.sources.contains_key(&imp.source) {
                return Err(CatalogueError(format!("unknown source {}", imp.source)));
            }
            let mut targets: Vec<String> = imp.covers.clone();
            if let Some(all) = &imp.covers_all {
                targets.extend(
                    sets.values()
                        .filter(|s| s.scope == all.scope && all.kinds.contains(&s.kind))
                        .filter(|s| s.name != imp.set)
                        .map(|s| s.name.clone()),
                );
            }
            for t in targets {
                known(&t)?;
                let e = direct.entry(imp.set.clone()).or_default();
                let b = e.entry(t).or_insert(imp.basis);
                if imp.basis == Basis::Stated {
                    *b = Basis::Stated;
                }
            }
            let _ = &imp.note;
        }
        // Exclusions: "`set` does not cover these", whatever the chains say. Every name must
        // be a known set and the source a known source, or the entry is a typo that would
        // silently exclude nothing.
        let mut excluded: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for ex in &raw.exclusions {
            known(&ex.set)?;
            if !raw.sources.contains_key(&ex.source) {
                return Err(CatalogueError(format!(
                    "exclusion of {} names unknown source {}",
                    ex.set, ex.source
                )));
            }
            if ex.does_not_cover.is_empty() {
                return Err(CatalogueError(format!(
                    "exclusion of {} lists no set in does_not_cover",
                    ex.set
                )));
            }
            for n in &ex.does_not_cover {
                known(n).map_err(|_| {
                    CatalogueError(format!(
                        "exclusion of {} names unknown permission set {n}",
                        ex.set
                    ))
                })?;
                if *n == ex.set {
                    return Err(CatalogueError(format!(
                        "exclusion of {} excludes the set itself",
                        ex.set
                    )));
                }
            }
            let _ = (&ex.note, ex.basis);
            excluded
                .entry(ex.set.clone())
                .or_default()
                .extend(ex.does_not_cover.iter().cloned());
        }
        // Transitive closure by breadth-first search from every set (shortest chains). The
        // set's exclusions apply during the search: an excluded set is never entered, so
        // nothing is reached through it either.
        let no_exclusions = BTreeSet::new();
        let mut covers = BTreeMap::new();
        for name in sets.keys() {
            let ex = excluded.get(name).unwrap_or(&no_exclusions);
            let mut seen: BTreeMap<String, Coverage> = BTreeMap::new();
            seen.insert(
                name.clone(),
                Coverage {
                    basis: Basis::Stated,
                    chain: vec![name.clone()],
                },
            );
            let mut queue = std::collections::VecDeque::from([name.clone()]);
            while let Some(cur) = queue.pop_front() {
                let cur_cov = seen.get(&cur).cloned();
                let Some(cur_cov) = cur_cov else { continue };
                for (next, basis) in direct.get(&cur).into_iter().flatten() {
                    if seen.contains_key(next) || ex.contains(next) {
                        continue;
                    }
                    let mut chain = cur_cov.chain.clone();
                    chain.push(next.clone());
                    let basis = if cur_cov.basis == Basis::Stated && *basis == Basis::Stated {
                        Basis::Stated
                    } else {
                        Basis::Interpreted
                    };
                    seen.insert(next.clone(), Coverage { basis, chain });
                    queue.push_back(next.clone());
                }
            }
            covers.insert(name.clone(), seen);
        }
        let mut escalation = BTreeMap::new();
        for e in raw.escalation {
            known(&e.set)?;
            escalation.insert(e.set.clone(), e);
        }
        Ok(Catalogue {
            version: raw.version,
            sources: raw.sources,
            sets,
            covers,
            escalation,
            facts: raw.facts,
        })
    }

    /// The catalogue's version.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Sources by key.
    pub fn sources(&self) -> &BTreeMap<String, DocSource> {
        &self.sources
    }

    /// Every known set.
    pub fn sets(&self) -> impl Iterator<Item = &SetInfo> {
        self.sets.values()
    }

    /// One set, if known.
    pub fn set(&self, name: &str) -> Option<&SetInfo> {
        self.sets.get(name)
    }

    /// Whether the catalogue knows `name`.
    pub fn knows(&self, name: &str) -> bool {
        self.sets.contains_key(name)
    }

    /// Whether `granted` covers `required` (a set covers itself), and how. Unknown sets
    /// cover nothing but themselves.
    pub fn coverage(&self, granted: &str, required: &str) -> Option<Coverage> {
        if granted == required {
            return Some(Coverage {
                basis: Basis::Stated,
                chain: vec![granted.to_owned()],
            });
        }
        self.covers.get(granted)?.get(required).cloned()
    }

    /// The level of a set: the catalogue's, else `fallback` (e.g. a rule's
    /// `permission_sets_scope_type`).
    pub fn scope_of(
        &self,
        name: &str,
        fallback: &PermissionSetScopeType,
    ) -> PermissionSetScopeType {
        self.sets
            .get(name)
            .map(|s| s.scope.clone())
            .unwrap_or_else(|| fallback.clone())
    }

    /// Whether holding `name` lets its bearer grant itself more, and why.
    pub fn escalation(&self, name: &str) -> Option<&Escalation> {
        self.escalation.get(name)
    }

    /// Documented facts.
    pub fn facts(&self) -> &[Fact] {
        &self.facts
    }

    /// One fact.
    pub fn fact(&self, id: &str) -> Option<&Fact> {
        self.facts.iter().find(|f| f.id == id)
    }

    /// The product family of a set, if known.
    pub fn product(&self, name: &str) -> Option<&str> {
        self.sets.get(name).map(|s| s.product.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_loads_and_answers() {
        let c = Catalogue::from_json(BUILTIN).unwrap();
        let yes = |g: &str, r: &str| c.coverage(g, r).is_some();
        assert!(yes("InstancesFullAccess", "InstancesReadOnly"));
        assert!(!yes("InstancesReadOnly", "InstancesFullAccess"));
        assert!(yes("AllProductsFullAccess", "KubernetesFullAccess"));
        assert!(yes("AllProductsReadOnly", "VPCReadOnly"));
        assert!(!yes("AllProductsReadOnly", "VPCFullAccess"));
        assert!(!yes("AllProductsFullAccess", "IAMReadOnly"));
        assert!(!yes("AllProductsReadOnly", "SecretManagerSecretAccess"));
        assert!(!yes("SecretManagerReadOnly", "SecretManagerSecretAccess"));
        assert!(yes("SecretManagerFullAccess", "SecretManagerSecretAccess"));
        assert!(yes("OrganizationManager", "ProjectManager"));
        assert!(!yes("OrganizationManager", "InstancesReadOnly"));
        assert!(yes("IAMManager", "IAMReadOnly"));
        let chain = c
            .coverage("AllProductsReadOnly", "ObjectStorageObjectsRead")
            .unwrap();
        assert_eq!(chain.basis, Basis::Interpreted);
        assert_eq!(
            chain.chain.first().map(String::as_str),
            Some("AllProductsReadOnly")
        );
        assert!(c.escalation("IAMManager").is_some());
        assert!(c.escalation("InstancesFullAccess").is_none());
        assert_eq!(c.fact("propagation").and_then(|f| f.seconds), Some(300));
        for s in c.sets() {
            assert!(c.sources().contains_key(&s.source), "{}", s.name);
        }
    }

    #[test]
    fn bad_catalogues_are_refused() {
        let e = Catalogue::from_json("{}").unwrap_err();
        assert!(e.to_string().contains("format"), "{e}");
        let e = Catalogue::from_json(
            r#"{"format":1,"version":"x","sources":{},"permission_sets":[],"implications":[{"set":"A","covers":[],"basis":"stated","source":"s"}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("unknown permission set A"), "{e}");
    }

    /// A small catalogue: A → B → C, D → C, with `exclusions` added.
    fn chain(exclusions: &str) -> Result<Catalogue, CatalogueError> {
        let set = |n: &str| {
            format!(
                r#"{{"name":"{n}","scope":"projects","product":"p","kind":"read","source":"s"}}"#
            )
        };
        Catalogue::from_json(&format!(
            r#"{{"format":1,"version":"t","sources":{{"s":{{"title":"t","url":"u","repository":"r","path":"p","commit":"c"}}}},
            "permission_sets":[{},{},{},{}],
            "implications":[{{"set":"A","covers":["B"],"basis":"stated","source":"s"}},
                            {{"set":"B","covers":["C"],"basis":"stated","source":"s"}},
                            {{"set":"D","covers":["C"],"basis":"stated","source":"s"}}],
            "exclusions":[{exclusions}]}}"#,
            set("A"),
            set("B"),
            set("C"),
            set("D")
        ))
    }

    #[test]
    fn exclusions_apply_during_the_search() {
        let c = chain("").unwrap();
        assert!(c.coverage("A", "C").is_some());
        // A does not cover B: nor what A only reaches through B.
        let c =
            chain(r#"{"set":"A","does_not_cover":["B"],"basis":"stated","source":"s"}"#).unwrap();
        assert!(c.coverage("A", "B").is_none());
        assert!(
            c.coverage("A", "C").is_none(),
            "C is reached only through B"
        );
        assert!(
            c.coverage("B", "C").is_some(),
            "B's own coverage is untouched"
        );
        assert!(c.coverage("D", "C").is_some());
    }

    #[test]
    fn exclusions_must_name_known_sets_and_sources() {
        let e = chain(r#"{"set":"A","does_not_cover":["Bee"],"basis":"stated","source":"s"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("exclusion of A names unknown permission set Bee"),
            "{e}"
        );
        let e = chain(r#"{"set":"Ay","does_not_cover":["B"],"basis":"stated","source":"s"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown permission set Ay"), "{e}");
        let e = chain(r#"{"set":"A","does_not_cover":["B"],"basis":"stated","source":"nope"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown source nope"), "{e}");
        let e = chain(r#"{"set":"A","does_not_cover":[],"basis":"stated","source":"s"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("lists no set"), "{e}");
    }
}
