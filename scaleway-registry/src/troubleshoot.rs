//! Looking things up by name, and explaining why a name does not resolve: wrong region,
//! wrong case, another project, closest existing names.

use scaleway_core::fanout::{LocalityOutcome, LocalityResult};
use scaleway_core::{Listable, ProductLocalities, Region};
use serde::Deserialize;

use crate::api::RegistryApi;
use crate::error::{Diagnosis, Error, KeyProject, ProjectSource, Result};
use crate::model::{Image, Namespace, Tag};
use crate::reference::{ImageReference, RegistryHosts};

/// A reference resolved through the management API.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Resolved {
    /// The namespace.
    pub namespace: Namespace,
    /// The image.
    pub image: Image,
    /// The tag, when the reference names one (or its digest is a tag's digest).
    pub tag: Option<Tag>,
}

/// The regions where the Registry API exists.
pub(crate) fn registry_regions() -> Vec<Region> {
    ProductLocalities::REGISTRY
        .all()
        .into_iter()
        .filter_map(|l| l.region())
        .collect()
}

impl RegistryApi {
    /// Finds a namespace by exact name, in `region` or (with `None`) in every region.
    ///
    /// # Errors
    ///
    /// When no namespace has that exact name, the error says why:
    /// [`Diagnosis::WrongRegion`] (it is in another region),
    /// [`Diagnosis::NamespaceCase`] (a name differs only in case),
    /// [`Diagnosis::NamespaceNotFound`] (not visible to the key: mistyped, or in a
    /// project the key cannot read), [`Diagnosis::AmbiguousNamespace`] (in several
    /// regions and no region given), [`Diagnosis::RegionsUnavailable`] (some regions
    /// could not be searched: the most actionable failure first, every other listed), or
    /// the key and permission errors.
    pub async fn find_namespace(&self, name: &str, region: Option<&Region>) -> Result<Namespace> {
        if name.is_empty() {
            return Err(Error::invalid_argument("the namespace name is empty"));
        }
        match region {
            Some(r) => {
                let found = self.list_namespaces(r).name(name).collect().await?;
                if let Some(ns) = found.into_iter().find(|n| n.name == name) {
                    return Ok(ns);
                }
            }
            None => {
                // The cheap path: the exact name, in every region.
                let (answered, failures) = self.split_outcomes(
                    self.collect_per_region(None, |r| self.list_namespaces(r).name(name))
                        .await,
                );
                let mut matches: Vec<Namespace> = answered
                    .into_iter()
                    .flat_map(|(_, list)| list)
                    .filter(|n| n.name == name)
                    .collect();
                if matches.len() > 1 {
                    return Err(Error::new(Diagnosis::AmbiguousNamespace {
                        name: name.to_owned(),
                        regions: matches.iter().map(|n| n.region.clone()).collect(),
                    }));
                }
                if let Some(ns) = matches.pop() {
                    if !failures.is_empty() {
                        tracing::warn!(
                            namespace = name,
                            failed = failures.len(),
                            "found the namespace while some regions could not be searched"
                        );
                    }
                    return Ok(ns);
                }
            }
        }
        // Every namespace the key can read, region by region: the same name elsewhere, or
        // in another case. A region that fails keeps its error; the others still count.
        let (answered, failures) = self.split_outcomes(
            self.collect_per_region(None, |r| self.list_namespaces(r))
                .await,
        );
        let searched: Vec<Region> = answered.iter().map(|(r, _)| r.clone()).collect();
        let visible: Vec<Namespace> = answered.into_iter().flat_map(|(_, l)| l).collect();
        if let Some(r) = region {
            let found_in = regions_of(visible.iter().filter(|n| n.name == name && n.region != *r));
            if !found_in.is_empty() {
                return Err(Error::new(Diagnosis::WrongRegion {
                    namespace: name.to_owned(),
                    requested: r.clone(),
                    found_in,
                    suggestion: None,
                }));
            }
        }
        if let Some(ns) = case_match(&visible, name, region) {
            return Err(Error::new(Diagnosis::NamespaceCase {
                requested: name.to_owned(),
                actual: ns.name.clone(),
                region: ns.region.clone(),
                suggestion: None,
            }));
        }
        if let Some(e) = Error::regional(
            format!("the search for namespace `{name}`"),
            searched,
            failures,
        ) {
            return Err(e);
        }
        let hints = self.project_hints().await;
        Err(Error::new(Diagnosis::NamespaceNotFound {
            name: name.to_owned(),
            regions: region.map_or_else(registry_regions, |r| vec![r.clone()]),
            key_project: hints,
        }))
    }

    /// Splits cross-region results into the regions that answered and the regions that
    /// failed (explained); regions where Registry does not exist are left out.
    pub(crate) fn split_outcomes<T>(
        &self,
        results: Vec<LocalityResult<Vec<T>, crate::Error>>,
    ) -> RegionOutcomes<T> {
        let mut answered = Vec::new();
        let mut failures = Vec::new();
        for r in results {
            let Some(region) = r.locality.region() else {
                continue;
            };
            match r.outcome {
                LocalityOutcome::Ok(list) => answered.push((region, list)),
                LocalityOutcome::NotAvailable => {}
                LocalityOutcome::Failed(e) => failures.push((region, e)),
            }
        }
        (answered, failures)
    }

    /// Finds an image of `namespace` by exact name.
    ///
    /// # Errors
    ///
    /// [`Diagnosis::ImageNotFound`] with the closest existing names, or the key and
    /// permission errors.
    pub async fn find_image(&self, namespace: &Namespace, name: &str) -> Result<Image> {
        let found = self
            .list_images(&namespace.region)
            .namespace_id(&namespace.id)
            .name(name)
            .collect()
            .await?;
        if let Some(img) = found.into_iter().find(|i| i.name == name) {
            return Ok(img);
        }
        let all = self
            .list_images(&namespace.region)
            .namespace_id(&namespace.id)
            .collect()
            .await?;
        Err(Error::new(Diagnosis::ImageNotFound {
            namespace: namespace.name.clone(),
            image: name.to_owned(),
            region: namespace.region.clone(),
            closest: closest(name, all.iter().map(|i| i.name.as_str())),
        }))
    }

    /// Finds a tag of `image` by exact name.
    ///
    /// # Errors
    ///
    /// [`Diagnosis::TagNotFound`] with the closest existing tags, or the key and
    /// permission errors.
    pub async fn find_tag(&self, namespace: &Namespace, image: &Image, name: &str) -> Result<Tag> {
        let region = image
            .region
            .clone()
            .unwrap_or_else(|| namespace.region.clone());
        let found = self
            .list_tags(&region, &image.id)
            .name(name)
            .collect()
            .await?;
        if let Some(t) = found.into_iter().find(|t| t.name == name) {
            return Ok(t);
        }
        let all = self.list_tags(&region, &image.id).collect().await?;
        Err(Error::new(Diagnosis::TagNotFound {
            repository: format!("{}/{}", namespace.name, image.name),
            tag: name.to_owned(),
            closest: closest(name, all.iter().map(|t| t.name.as_str())),
        }))
    }

    /// Resolves a reference through the management API: its namespace (in the region of
    /// its host), image, and tag (by name, or the tag carrying its digest).
    ///
    /// # Errors
    ///
    /// The errors of [`RegistryApi::find_namespace`], [`RegistryApi::find_image`] and
    /// [`RegistryApi::find_tag`] (a digest no tag carries is
    /// [`Diagnosis::TagNotFound`]); a host that is not a Scaleway registry is
    /// [`Diagnosis::UnknownRegistryHost`].
    pub async fn resolve(&self, reference: &ImageReference) -> Result<Resolved> {
        let region = self.region_of(reference)?;
        let namespace = self
            .find_namespace(reference.namespace(), Some(&region))
            .await
            .map_err(|e| with_suggestion(e, reference))?;
        let image = self.find_image(&namespace, reference.image()).await?;
        let tag = match (reference.tag(), reference.digest()) {
            (Some(t), _) => Some(self.find_tag(&namespace, &image, t).await?),
            (None, Some(d)) => {
                let tags = self.list_tags(&region, &image.id).collect().await?;
                match tags.into_iter().find(|t| t.digest == d) {
                    Some(t) => Some(t),
                    None => {
                        return Err(Error::new(Diagnosis::TagNotFound {
                            repository: reference.repository(),
                            tag: d.to_owned(),
                            closest: Vec::new(),
                        }));
                    }
                }
            }
            (None, None) => Some(self.find_tag(&namespace, &image, "latest").await?),
        };
        Ok(Resolved {
            namespace,
            image,
            tag,
        })
    }

    /// The region of a reference's host.
    pub(crate) fn region_of(&self, reference: &ImageReference) -> Result<Region> {
        self.hosts.region_of(reference)
    }

    /// The configured default project (`SCW_DEFAULT_PROJECT_ID` or the profile's), which
    /// is not necessarily the key's own default project.
    pub(crate) fn configured_project(&self) -> Option<String> {
        self.client
            .config()
            .project_id
            .as_ref()
            .map(|p| p.value.as_str().to_owned())
    }

    /// The project to name as the key's: its own `default_project_id`, read from IAM when
    /// the key may read itself, else the configured default project.
    pub(crate) async fn project_hints(&self) -> Option<KeyProject> {
        #[derive(Deserialize)]
        struct ApiKey {
            #[serde(default)]
            default_project_id: String,
        }
        let configured = self
            .configured_project()
            .map(|p| KeyProject::new(p, ProjectSource::Configured));
        let Some(access_key) = self.client.config().access_key.as_ref() else {
            return configured;
        };
        self.client
            .get("/iam/v1alpha1/api-keys/{access_key}")
            .path("access_key", access_key.value.as_str())
            .retry(scaleway_core::RetryPolicy::never())
            .send::<ApiKey>()
            .await
            .ok()
            .map(|k| k.default_project_id)
            .filter(|p| !p.is_empty())
            .map(|p| KeyProject::new(p, ProjectSource::KeyDefault))
            .or(configured)
    }

    /// Explains a registry (data plane) refusal of `reference` — a `403`, or a `401` to a
    /// token obtained with the key — through the management API, which the key may be
    /// able to read in every region: the namespace in another region, a name that differs
    /// in case, a missing permission on a visible namespace's project, or another
    /// project. `denied` is what the registry said was denied.
    pub(crate) async fn diagnose_denied(
        &self,
        reference: &ImageReference,
        region: &Region,
        denied: Vec<scaleway_core::PermissionDenied>,
    ) -> Error {
        let name = reference.namespace();
        let what = format!("the search for namespace `{name}`");
        let (answered, failures) = self.split_outcomes(
            self.collect_per_region(None, |r| self.list_namespaces(r))
                .await,
        );
        if answered.is_empty() {
            let only_permissions = failures
                .iter()
                .all(|(_, e)| matches!(e.diagnosis(), Diagnosis::PermissionDenied { .. }));
            if only_permissions {
                // The key cannot read a single namespace: the permission set is missing.
                let hints = self.project_hints().await;
                return Error::new(Diagnosis::PermissionDenied {
                    permission_set: crate::error::permission_set_for(&denied),
                    project: None,
                    key_project: hints,
                    denied,
                });
            }
            return Error::regional(what, Vec::new(), failures)
                .unwrap_or_else(|| unreachable_err(name));
        }
        let searched: Vec<Region> = answered.iter().map(|(r, _)| r.clone()).collect();
        let visible: Vec<Namespace> = answered.into_iter().flat_map(|(_, l)| l).collect();
        if let Some(ns) = visible
            .iter()
            .find(|n| n.name == name && n.region == *region)
        {
            // Visible through the API but refused by the registry: the permission on its
            // project is what is missing.
            return Error::new(Diagnosis::PermissionDenied {
                permission_set: crate::error::permission_set_for(&denied),
                project: Some(ns.project_id.to_string()),
                key_project: None,
                denied,
            });
        }
        let found_in = regions_of(visible.iter().filter(|n| n.name == name));
        if !found_in.is_empty() {
            return with_suggestion(
                Error::new(Diagnosis::WrongRegion {
                    namespace: name.to_owned(),
                    requested: region.clone(),
                    found_in,
                    suggestion: None,
                }),
                reference,
            );
        }
        if let Some(ns) = case_match(&visible, name, Some(region)) {
            return with_suggestion(
                Error::new(Diagnosis::NamespaceCase {
                    requested: name.to_owned(),
                    actual: ns.name.clone(),
                    region: ns.region.clone(),
                    suggestion: None,
                }),
                reference,
            );
        }
        // Not visible in any region that answered. A region that failed may hold it, so
        // only a complete search concludes "another project".
        if let Some(e) = Error::regional(what, searched, failures) {
            return e;
        }
        let mut readable: Vec<String> = visible.iter().map(|n| n.project_id.to_string()).collect();
        readable.sort();
        readable.dedup();
        let hints = self.project_hints().await;
        Error::new(Diagnosis::OtherProject {
            namespace: name.to_owned(),
            region: region.clone(),
            key_project: hints,
            readable_projects: readable,
        })
    }

    /// Explains a `NAME_UNKNOWN` / `MANIFEST_UNKNOWN` of the registry through the
    /// management API.
    pub(crate) async fn diagnose_missing(&self, reference: &ImageReference) -> Error {
        match self.resolve(reference).await {
            Err(e) => e,
            // Everything resolves through the API but the registry does not have it.
            Ok(_) => Error::new(Diagnosis::Registry {
                status: 404,
                what: reference.to_string(),
                message: "the registry does not serve this manifest although the API lists its tag; retry later".into(),
            }),
        }
    }
}

/// Adds the reference to use to a wrong-region or wrong-case error.
pub(crate) fn with_suggestion(mut e: Error, reference: &ImageReference) -> Error {
    match e.diagnosis_mut() {
        Diagnosis::WrongRegion {
            found_in,
            suggestion,
            ..
        } => {
            *suggestion = found_in.first().map(|r| {
                reference
                    .with_host(RegistryHosts::canonical_host(r))
                    .to_string()
            });
        }
        Diagnosis::NamespaceCase {
            actual,
            region,
            suggestion,
            ..
        } => {
            *suggestion = Some(
                reference
                    .with_host(RegistryHosts::canonical_host(region))
                    .with_namespace(actual)
                    .to_string(),
            );
        }
        _ => {}
    }
    e
}

fn unreachable_err(name: &str) -> Error {
    Error::new(Diagnosis::NamespaceNotFound {
        name: name.to_owned(),
        regions: registry_regions(),
        key_project: None,
    })
}

/// The regions that answered a cross-region listing (with their items), and the regions
/// that failed (explained).
pub(crate) type RegionOutcomes<T> = (Vec<(Region, Vec<T>)>, Vec<(Region, Error)>);

/// The distinct regions of `namespaces`, sorted.
fn regions_of<'a>(namespaces: impl Iterator<Item = &'a Namespace>) -> Vec<Region> {
    let mut regions: Vec<Region> = namespaces.map(|n| n.region.clone()).collect();
    regions.sort();
    regions.dedup();
    regions
}

/// A namespace whose name equals `name` ignoring case but not exactly, preferring
/// `region`.
fn case_match<'a>(
    visible: &'a [Namespace],
    name: &str,
    region: Option<&Region>,
) -> Option<&'a Namespace> {
    let mut case: Vec<&Namespace> = visible
        .iter()
        .filter(|n| n.name != name && n.name.eq_ignore_ascii_case(name))
        .collect();
    case.sort_by_key(|n| Some(&n.region) != region);
    case.first().copied()
}

/// The (at most three) names nearest to `wanted`, nearest first (case-insensitive edit
/// distance, then name).
pub(crate) fn closest<'a>(wanted: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let w = wanted.to_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .map(|n| (edit_distance(&w, &n.to_lowercase()), n))
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored
        .into_iter()
        .take(3)
        .map(|(_, n)| n.to_owned())
        .collect()
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_names() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        let names = ["api", "worker", "web", "apis"];
        assert_eq!(
            closest("apii", names.iter().copied()),
            vec!["api", "apis", "web"]
        );
        assert_eq!(
            closest("LATEST", ["latest", "v1"].iter().copied())[0],
            "latest"
        );
        assert!(closest("x", std::iter::empty()).is_empty());
    }
}
