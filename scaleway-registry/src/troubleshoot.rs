//! Looking things up by name, and explaining why a name does not resolve: wrong region,
//! wrong case, another project, closest existing names.

use scaleway_core::fanout::LocalityOutcome;
use scaleway_core::{ProductLocalities, Region};
use serde::Deserialize;

use crate::api::RegistryApi;
use crate::error::{RegistryError, Result};
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
    /// [`RegistryError::WrongRegion`] (it is in another region),
    /// [`RegistryError::NamespaceCase`] (a name differs only in case),
    /// [`RegistryError::NamespaceNotFound`] (not visible to the key: mistyped, or in a
    /// project the key cannot read), [`RegistryError::AmbiguousNamespace`] (in several
    /// regions and no region given), or the key and permission errors.
    pub async fn find_namespace(&self, name: &str, region: Option<&Region>) -> Result<Namespace> {
        if name.is_empty() {
            return Err(RegistryError::InvalidArgument {
                message: "the namespace name is empty".into(),
            });
        }
        if let Some(r) = region {
            let found = self.list_namespaces().name(name).collect(r).await?;
            if let Some(ns) = found.into_iter().find(|n| n.name == name) {
                return Ok(ns);
            }
        }
        // Exact name in the (other) regions.
        let listing = self.list_namespaces().name(name);
        let everywhere = match region {
            Some(r) => {
                let others = registry_regions().into_iter().filter(|x| x != r).collect();
                listing.in_regions(others).await
            }
            None => listing.all_regions().await,
        };
        let mut matches = Vec::new();
        for r in everywhere {
            match r.outcome {
                LocalityOutcome::Ok(list) => {
                    matches.extend(list.into_iter().filter(|n| n.name == name))
                }
                LocalityOutcome::NotAvailable => {}
                LocalityOutcome::Failed(e) => return Err(self.explain(e)),
            }
        }
        match (region, matches.len()) {
            (None, 1) => return matches.pop().ok_or_else(|| unreachable_err(name)),
            (None, n) if n > 1 => {
                return Err(RegistryError::AmbiguousNamespace {
                    name: name.to_owned(),
                    regions: matches.iter().map(|n| n.region.clone()).collect(),
                });
            }
            (Some(r), n) if n > 0 => {
                return Err(RegistryError::WrongRegion {
                    namespace: name.to_owned(),
                    requested: r.clone(),
                    found_in: matches.iter().map(|n| n.region.clone()).collect(),
                    suggestion: None,
                });
            }
            _ => {}
        }
        // Same name in another case.
        let all = crate::api::flatten_regions(self, self.list_namespaces().all_regions().await)?;
        let mut case: Vec<&Namespace> = all
            .iter()
            .filter(|n| n.name.eq_ignore_ascii_case(name))
            .collect();
        // Prefer the requested region.
        case.sort_by_key(|n| Some(&n.region) != region);
        if let Some(ns) = case.first() {
            return Err(RegistryError::NamespaceCase {
                requested: name.to_owned(),
                actual: ns.name.clone(),
                region: ns.region.clone(),
                suggestion: None,
            });
        }
        Err(RegistryError::NamespaceNotFound {
            name: name.to_owned(),
            regions: region.map_or_else(registry_regions, |r| vec![r.clone()]),
            key_project: self.key_project().await,
        })
    }

    /// Finds an image of `namespace` by exact name.
    ///
    /// # Errors
    ///
    /// [`RegistryError::ImageNotFound`] with the closest existing names, or the key and
    /// permission errors.
    pub async fn find_image(&self, namespace: &Namespace, name: &str) -> Result<Image> {
        let found = self
            .list_images()
            .namespace_id(&namespace.id)
            .name(name)
            .collect(&namespace.region)
            .await?;
        if let Some(img) = found.into_iter().find(|i| i.name == name) {
            return Ok(img);
        }
        let all = self
            .list_images()
            .namespace_id(&namespace.id)
            .collect(&namespace.region)
            .await?;
        Err(RegistryError::ImageNotFound {
            namespace: namespace.name.clone(),
            image: name.to_owned(),
            region: namespace.region.clone(),
            closest: closest(name, all.iter().map(|i| i.name.as_str())),
        })
    }

    /// Finds a tag of `image` by exact name.
    ///
    /// # Errors
    ///
    /// [`RegistryError::TagNotFound`] with the closest existing tags, or the key and
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
        Err(RegistryError::TagNotFound {
            repository: format!("{}/{}", namespace.name, image.name),
            tag: name.to_owned(),
            closest: closest(name, all.iter().map(|t| t.name.as_str())),
        })
    }

    /// Resolves a reference through the management API: its namespace (in the region of
    /// its host), image, and tag (by name, or the tag carrying its digest).
    ///
    /// # Errors
    ///
    /// The errors of [`RegistryApi::find_namespace`], [`RegistryApi::find_image`] and
    /// [`RegistryApi::find_tag`] (a digest no tag carries is
    /// [`RegistryError::TagNotFound`]); a host that is not a Scaleway registry is
    /// [`RegistryError::UnknownRegistryHost`].
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
                        return Err(RegistryError::TagNotFound {
                            repository: reference.repository(),
                            tag: d.to_owned(),
                            closest: Vec::new(),
                        });
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
        self.hosts.region_of_host(reference.host()).ok_or_else(|| {
            RegistryError::UnknownRegistryHost {
                host: reference.host().to_owned(),
            }
        })
    }

    /// The project the key is scoped to: its `default_project_id` read from IAM when the
    /// key may read itself, else the configured default project.
    pub(crate) async fn key_project(&self) -> Option<String> {
        #[derive(Deserialize)]
        struct ApiKey {
            #[serde(default)]
            default_project_id: String,
        }
        let configured = self
            .client
            .config()
            .project_id
            .as_ref()
            .map(|p| p.value.as_str().to_owned());
        let Some(access_key) = self.client.config().access_key.as_ref() else {
            return configured;
        };
        let from_iam = self
            .client
            .get("/iam/v1alpha1/api-keys/{access_key}")
            .path("access_key", access_key.value.as_str())
            .retry(scaleway_core::RetryPolicy::never())
            .send::<ApiKey>()
            .await
            .ok()
            .map(|k| k.default_project_id)
            .filter(|p| !p.is_empty());
        from_iam.or(configured)
    }

    /// Explains a registry (data plane) refusal of `reference`: `denied` is what the
    /// registry said was denied.
    pub(crate) async fn diagnose_denied(
        &self,
        reference: &ImageReference,
        region: &Region,
        denied: Vec<scaleway_core::PermissionDenied>,
    ) -> RegistryError {
        // Which namespaces can the key read, in any region?
        let mut visible: Vec<Namespace> = Vec::new();
        let mut readable_somewhere = false;
        for r in self.list_namespaces().all_regions().await {
            match r.outcome {
                LocalityOutcome::Ok(list) => {
                    readable_somewhere = true;
                    visible.extend(list);
                }
                LocalityOutcome::NotAvailable => {}
                LocalityOutcome::Failed(e) => match self.explain(e) {
                    RegistryError::PermissionDenied { .. } => {}
                    other => return other,
                },
            }
        }
        if !readable_somewhere {
            return RegistryError::PermissionDenied {
                permission_set: crate::error::permission_set_for(&denied),
                project: None,
                key_project: self.key_project().await,
                denied,
                api: None,
            };
        }
        if let Some(ns) = visible
            .iter()
            .find(|n| n.name == reference.namespace() && n.region == *region)
        {
            // Visible through the API but refused by the registry: the permission on its
            // project is what is missing.
            return RegistryError::PermissionDenied {
                permission_set: crate::error::permission_set_for(&denied),
                project: Some(ns.project_id.clone()),
                key_project: None,
                denied,
                api: None,
            };
        }
        let mut readable: Vec<String> = visible.iter().map(|n| n.project_id.clone()).collect();
        readable.sort();
        readable.dedup();
        RegistryError::OtherProject {
            namespace: reference.namespace().to_owned(),
            region: region.clone(),
            key_project: self.key_project().await,
            readable_projects: readable,
        }
    }

    /// Explains a `NAME_UNKNOWN` / `MANIFEST_UNKNOWN` of the registry through the
    /// management API.
    pub(crate) async fn diagnose_missing(&self, reference: &ImageReference) -> RegistryError {
        match self.resolve(reference).await {
            Err(e) => e,
            // Everything resolves through the API but the registry does not have it.
            Ok(_) => RegistryError::Registry {
                status: 404,
                what: reference.to_string(),
                message: "the registry does not serve this manifest although the API lists its tag; retry later".into(),
            },
        }
    }
}

/// Adds the reference to use to a wrong-region or wrong-case error.
pub(crate) fn with_suggestion(e: RegistryError, reference: &ImageReference) -> RegistryError {
    match e {
        RegistryError::WrongRegion {
            namespace,
            requested,
            found_in,
            ..
        } => {
            let suggestion = found_in.first().map(|r| {
                reference
                    .with_host(RegistryHosts::canonical_host(r))
                    .to_string()
            });
            RegistryError::WrongRegion {
                namespace,
                requested,
                found_in,
                suggestion,
            }
        }
        RegistryError::NamespaceCase {
            requested,
            actual,
            region,
            ..
        } => {
            let suggestion = Some(
                reference
                    .with_host(RegistryHosts::canonical_host(&region))
                    .with_namespace(&actual)
                    .to_string(),
            );
            RegistryError::NamespaceCase {
                requested,
                actual,
                region,
                suggestion,
            }
        }
        other => other,
    }
}

fn unreachable_err(name: &str) -> RegistryError {
    RegistryError::NamespaceNotFound {
        name: name.to_owned(),
        regions: registry_regions(),
        key_project: None,
    }
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
