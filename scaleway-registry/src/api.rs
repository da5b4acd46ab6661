//! [`RegistryApi`]: Registry v1 namespaces, images and tags, through `scaleway-core`.

use std::sync::Arc;

use scaleway_core::fanout::{self, LocalityResult};
use scaleway_core::{
    Client, Error, ListItem, Listable, Locality, OrganizationId, Paginator, ProductLocalities,
    ProjectId, Region, RequestBuilder,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::model::{
    Image, ImageId, ImageVisibility, Namespace, NamespaceId, NamespaceOrderBy, OrderBy, Regional,
    Tag, TagId,
};
use crate::pull::Pull;
use crate::reference::{ImageReference, RegistryHosts};

/// How many regions are listed at once by the cross-region listings.
const REGION_CONCURRENCY: usize = 4;

const NAMESPACES: &str = "/registry/v1/regions/{region}/namespaces";
const NAMESPACE: &str = "/registry/v1/regions/{region}/namespaces/{namespace_id}";
const IMAGES: &str = "/registry/v1/regions/{region}/images";
const IMAGE: &str = "/registry/v1/regions/{region}/images/{image_id}";
const TAGS: &str = "/registry/v1/regions/{region}/images/{image_id}/tags";
const TAG: &str = "/registry/v1/regions/{region}/tags/{tag_id}";

/// The Container Registry: namespaces, images and tags of every region, derived image
/// references, and verified pulls ([`RegistryApi::pull`]).
///
/// Cheap to clone (it holds a [`Client`], itself an `Arc`).
///
/// Listings are built with their region (and, for tags, their image) and read with
/// [`Listable`]'s consumers, the same as every listing of the `scaleway-*` crates:
/// `items()`, `pages()`, `collect()`, `listing()`. One listing in every region at once is
/// [`RegistryApi::collect_per_region`].
///
/// ```no_run
/// # async fn run() -> Result<(), scaleway_registry::Error> {
/// use scaleway_core::{Client, Region};
/// use scaleway_registry::{Listable, RegistryApi};
///
/// let registry = RegistryApi::new(&Client::from_env()?);
/// for result in registry.collect_per_region(None, |r| registry.list_namespaces(r)).await {
///     if let Some(namespaces) = result.outcome.ok() {
///         for ns in namespaces {
///             println!("{} {} {}", ns.region, ns.name, ns.endpoint);
///         }
///     }
/// }
/// let ns = registry.find_namespace("acme-prod", Some(&Region::FrPar)).await?;
/// let images = registry.list_images(&ns.region).namespace_id(&ns.id).collect().await?;
/// # let _ = images;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RegistryApi {
    pub(crate) client: Client,
    pub(crate) hosts: Arc<RegistryHosts>,
}

impl RegistryApi {
    /// A handle on the registry of `client`'s account, with the default registry hosts.
    pub fn new(client: &Client) -> Self {
        Self {
            client: client.clone(),
            hosts: Arc::new(RegistryHosts::new()),
        }
    }

    /// Uses `hosts` to reach each region's registry (for pulls).
    #[must_use]
    pub fn with_hosts(mut self, hosts: RegistryHosts) -> Self {
        self.hosts = Arc::new(hosts);
        self
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The registry hosts in use.
    pub fn hosts(&self) -> &RegistryHosts {
        &self.hosts
    }

    /// Explains a management-API error: a refused key or a permission refusal becomes
    /// [`Diagnosis::KeyRejected`](crate::Diagnosis::KeyRejected) /
    /// [`Diagnosis::PermissionDenied`](crate::Diagnosis::PermissionDenied) naming the key
    /// and what to add; anything else [`Diagnosis::Api`](crate::Diagnosis::Api). The API
    /// error is kept ([`crate::Error::api_error`]).
    ///
    /// A permission error names the *configured* default project
    /// (`SCW_DEFAULT_PROJECT_ID`), which is not necessarily the key's own.
    pub fn explain(&self, error: Error) -> crate::Error {
        let config = self.client.config();
        crate::Error::from_api(
            error,
            config.access_key.as_ref().map(|a| a.value.as_str()),
            config.project_id.as_ref().map(|p| p.value.as_str()),
        )
    }

    // ------------------------------------------------------------------ namespaces

    /// Lists the namespaces of `region`; filter, then read it with a [`Listable`]
    /// consumer. For every region at once: [`RegistryApi::collect_per_region`].
    pub fn list_namespaces(&self, region: &Region) -> ListNamespaces {
        ListNamespaces {
            listing: RegionListing::new(self, region, NAMESPACES, "namespaces"),
        }
    }

    /// Reads one listing in each region where Registry exists (or in `regions` only),
    /// concurrently, with a result per region in the order of the regions: `build` makes
    /// the listing of one region, the same filters each time. One region failing does not
    /// fail the others; a region where Registry does not exist is `NotAvailable` (without a
    /// request when it is not one of Registry's regions). Flatten the results with
    /// [`flatten_regions`].
    ///
    /// ```no_run
    /// # async fn run(registry: scaleway_registry::RegistryApi) {
    /// // Every namespace named `acme-prod`, region by region.
    /// let per_region = registry
    ///     .collect_per_region(None, |region| registry.list_namespaces(region).name("acme-prod"))
    ///     .await;
    /// # let _ = per_region;
    /// # }
    /// ```
    pub async fn collect_per_region<L, F>(
        &self,
        regions: Option<Vec<Region>>,
        build: F,
    ) -> Vec<LocalityResult<Vec<L::Item>, crate::Error>>
    where
        L: Listable<Error = crate::Error>,
        F: Fn(&Region) -> L + Send,
    {
        let only = regions.map(|rs| rs.into_iter().map(Locality::Region).collect());
        fanout::collect_per_locality(
            ProductLocalities::REGISTRY,
            only,
            REGION_CONCURRENCY,
            move |locality| match locality {
                Locality::Region(region) => Ok(build(region)),
                other => Err(Error::invalid_request(format!(
                    "the registry is regional: {other} is not a region"
                ))),
            },
        )
        .await
    }

    /// Gets a namespace by ID.
    ///
    /// # Errors
    ///
    /// [`crate::Error`]; a missing namespace is [`Diagnosis::Api`](crate::Diagnosis::Api)
    /// with `is_not_found()`.
    pub async fn get_namespace(
        &self,
        region: &Region,
        namespace_id: &NamespaceId,
    ) -> Result<Namespace> {
        let rb = self
            .client
            .get(NAMESPACE)
            .path("namespace_id", namespace_id);
        self.call(rb, region).await
    }

    /// Changes a namespace's description or public visibility.
    pub fn update_namespace(&self, region: &Region, namespace_id: &NamespaceId) -> UpdateNamespace {
        UpdateNamespace {
            api: self.clone(),
            region: region.clone(),
            id: namespace_id.clone(),
            body: NamespacePatch::default(),
        }
    }

    /// Deletes a namespace and its images; returns it (status `deleting`).
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn delete_namespace(
        &self,
        region: &Region,
        namespace_id: &NamespaceId,
    ) -> Result<Namespace> {
        let rb = self
            .client
            .delete(NAMESPACE)
            .path("namespace_id", namespace_id);
        self.call(rb, region).await
    }

    // ------------------------------------------------------------------ images

    /// Lists the images of `region`; filter by namespace, name or project, then read it
    /// with a [`Listable`] consumer. For every region at once:
    /// [`RegistryApi::collect_per_region`].
    pub fn list_images(&self, region: &Region) -> ListImages {
        ListImages {
            listing: RegionListing::new(self, region, IMAGES, "images"),
        }
    }

    /// Gets an image by ID.
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn get_image(&self, region: &Region, image_id: &ImageId) -> Result<Image> {
        let rb = self.client.get(IMAGE).path("image_id", image_id);
        self.call(rb, region).await
    }

    /// Sets an image's visibility (`inherit` follows the namespace's `is_public`).
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn set_image_visibility(
        &self,
        region: &Region,
        image_id: &ImageId,
        visibility: ImageVisibility,
    ) -> Result<Image> {
        #[derive(Serialize)]
        struct Body {
            visibility: ImageVisibility,
        }
        let rb = self
            .client
            .patch(IMAGE)
            .path("image_id", image_id)
            .json(&Body { visibility });
        self.call(rb, region).await
    }

    /// Deletes an image and its tags; returns it (status `deleting`).
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn delete_image(&self, region: &Region, image_id: &ImageId) -> Result<Image> {
        let rb = self.client.delete(IMAGE).path("image_id", image_id);
        self.call(rb, region).await
    }

    // ------------------------------------------------------------------ tags

    /// Lists the tags of an image of `region` (images are regional, so is this listing);
    /// read it with a [`Listable`] consumer.
    pub fn list_tags(&self, region: &Region, image_id: &ImageId) -> ListTags {
        ListTags {
            listing: RegionListing::new(self, region, TAGS, "tags")
                .path("image_id", image_id.as_str()),
        }
    }

    /// Gets a tag by ID.
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn get_tag(&self, region: &Region, tag_id: &TagId) -> Result<Tag> {
        let rb = self.client.get(TAG).path("tag_id", tag_id);
        self.call(rb, region).await
    }

    /// Deletes a tag; returns it. `force` (deprecated by the API) was needed when another
    /// tag shares the digest.
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn delete_tag(&self, region: &Region, tag_id: &TagId, force: bool) -> Result<Tag> {
        let rb = self
            .client
            .delete(TAG)
            .path("tag_id", tag_id)
            .query_opt("force", force.then_some(true));
        self.call(rb, region).await
    }

    // ------------------------------------------------------------------ references

    /// The reference of a tag, e.g. `rg.fr-par.scw.cloud/acme-prod/api:v1.2.0`.
    pub fn reference(&self, namespace: &Namespace, image: &Image, tag: &Tag) -> ImageReference {
        namespace.reference(&image.name, &tag.name)
    }

    /// The reference of a tag pinned to its digest,
    /// `rg.fr-par.scw.cloud/acme-prod/api:v1.2.0@sha256:…` (pulls exactly what was listed).
    pub fn pinned_reference(
        &self,
        namespace: &Namespace,
        image: &Image,
        tag: &Tag,
    ) -> ImageReference {
        let r = namespace.reference(&image.name, &tag.name);
        if crate::reference::valid_sha256_digest(&tag.digest) {
            r.with_digest(&tag.digest)
        } else {
            r
        }
    }

    /// Prepares a pull of `reference` into an OCI image layout at `out_dir`.
    pub fn pull(&self, reference: &ImageReference, out_dir: impl Into<std::path::PathBuf>) -> Pull {
        Pull::new(self.clone(), reference.clone(), out_dir.into())
    }

    // ------------------------------------------------------------------ helpers

    async fn call<T: DeserializeOwned + Regional>(
        &self,
        rb: RequestBuilder,
        region: &Region,
    ) -> Result<T> {
        let mut item: T = rb
            .region(region)
            .send()
            .await
            .map_err(|e| self.explain(e))?;
        item.set_region(region);
        Ok(item)
    }
}

/// One listing route of one region with its filters: the generic part of every list
/// builder.
#[derive(Debug, Clone)]
struct RegionListing {
    api: RegistryApi,
    region: Region,
    route: &'static str,
    key: &'static str,
    path: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
}

impl RegionListing {
    /// A listing of `route` in `region`, oldest first unless the caller sets another
    /// `order_by` (every registry listing documents `created_at_asc`): creations during the
    /// listing then shift nothing.
    fn new(api: &RegistryApi, region: &Region, route: &'static str, key: &'static str) -> Self {
        Self {
            api: api.clone(),
            region: region.clone(),
            route,
            key,
            path: Vec::new(),
            query: vec![("order_by", "created_at_asc".to_owned())],
        }
    }

    fn path(mut self, name: &'static str, value: &str) -> Self {
        self.path.push((name, value.to_owned()));
        self
    }

    fn query(mut self, key: &'static str, value: impl ToString) -> Self {
        self.query.retain(|(k, _)| *k != key);
        self.query.push((key, value.to_string()));
        self
    }

    fn request(&self) -> RequestBuilder {
        let mut rb = self.api.client.get(self.route).region(&self.region);
        for (k, v) in &self.path {
            rb = rb.path(k, v);
        }
        for (k, v) in &self.query {
            rb = rb.query(k, v);
        }
        rb
    }

    /// The paginator: every item records the region it was read from, every error is
    /// explained ([`RegistryApi::explain`]).
    fn paginator<T>(self) -> Paginator<T, crate::Error>
    where
        T: DeserializeOwned + Regional + ListItem + Send + 'static,
    {
        let region = self.region.clone();
        let api = self.api.clone();
        self.request()
            .paginate::<T>(self.key)
            .map_items(move |mut item| {
                item.set_region(&region);
                item
            })
            .map_err(move |e| api.explain(e))
    }
}

/// Flattens cross-region results: every item when every region answered.
///
/// To keep what the other regions returned when one fails, read the per-region results
/// instead.
///
/// # Errors
///
/// When regions failed: the failure when every region failed the same way; else
/// [`Diagnosis::RegionsUnavailable`](crate::Diagnosis::RegionsUnavailable) with the most actionable failure first (a refused
/// key before a missing permission before unavailability) and the others listed.
pub fn flatten_regions<T>(
    api: &RegistryApi,
    results: Vec<LocalityResult<Vec<T>, crate::Error>>,
) -> Result<Vec<T>> {
    let (answered, failures) = api.split_outcomes(results);
    let searched = answered.iter().map(|(r, _)| r.clone()).collect();
    if let Some(e) = crate::Error::regional("the listing".to_owned(), searched, failures) {
        return Err(e);
    }
    Ok(answered.into_iter().flat_map(|(_, items)| items).collect())
}

/// A namespace listing of one region being prepared ([`RegistryApi::list_namespaces`]);
/// read it with a [`Listable`] consumer.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a Listable consumer is called"]
pub struct ListNamespaces {
    listing: RegionListing,
}

impl ListNamespaces {
    /// Only the namespace with exactly this name (case-sensitive).
    pub fn name(mut self, name: &str) -> Self {
        self.listing = self.listing.query("name", name);
        self
    }

    /// Only namespaces of this project.
    pub fn project_id(mut self, project_id: &ProjectId) -> Self {
        self.listing = self.listing.query("project_id", project_id);
        self
    }

    /// Only namespaces of this organization.
    pub fn organization_id(mut self, organization_id: &OrganizationId) -> Self {
        self.listing = self.listing.query("organization_id", organization_id);
        self
    }

    /// Sort order.
    pub fn order_by(mut self, order: NamespaceOrderBy) -> Self {
        self.listing = self.listing.query("order_by", order);
        self
    }
}

/// Read with `items()`, `pages()`, `collect()` or `listing()`; errors are explained
/// ([`crate::Error`]: a refused key or missing permission gets its own variant).
impl Listable for ListNamespaces {
    type Item = Namespace;
    type Error = crate::Error;

    fn into_paginator(self) -> Paginator<Namespace, crate::Error> {
        self.listing.paginator()
    }
}

/// An image listing of one region being prepared ([`RegistryApi::list_images`]); read it
/// with a [`Listable`] consumer.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a Listable consumer is called"]
pub struct ListImages {
    listing: RegionListing,
}

impl ListImages {
    /// Only images of this namespace.
    pub fn namespace_id(mut self, namespace_id: &NamespaceId) -> Self {
        self.listing = self.listing.query("namespace_id", namespace_id);
        self
    }

    /// Only the image with exactly this name (may contain `/`).
    pub fn name(mut self, name: &str) -> Self {
        self.listing = self.listing.query("name", name);
        self
    }

    /// Only images of this project.
    pub fn project_id(mut self, project_id: &ProjectId) -> Self {
        self.listing = self.listing.query("project_id", project_id);
        self
    }

    /// Only images of this organization.
    pub fn organization_id(mut self, organization_id: &OrganizationId) -> Self {
        self.listing = self.listing.query("organization_id", organization_id);
        self
    }

    /// Sort order.
    pub fn order_by(mut self, order: OrderBy) -> Self {
        self.listing = self.listing.query("order_by", order);
        self
    }
}

/// Read with `items()`, `pages()`, `collect()` or `listing()`; errors are explained
/// ([`crate::Error`]).
impl Listable for ListImages {
    type Item = Image;
    type Error = crate::Error;

    fn into_paginator(self) -> Paginator<Image, crate::Error> {
        self.listing.paginator()
    }
}

/// A tag listing being prepared ([`RegistryApi::list_tags`]); read it with a [`Listable`]
/// consumer.
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a Listable consumer is called"]
pub struct ListTags {
    listing: RegionListing,
}

impl ListTags {
    /// Only the tag with exactly this name.
    pub fn name(mut self, name: &str) -> Self {
        self.listing = self.listing.query("name", name);
        self
    }

    /// Sort order.
    pub fn order_by(mut self, order: OrderBy) -> Self {
        self.listing = self.listing.query("order_by", order);
        self
    }
}

/// Read with `items()`, `pages()`, `collect()` or `listing()`; errors are explained
/// ([`crate::Error`]).
impl Listable for ListTags {
    type Item = Tag;
    type Error = crate::Error;

    fn into_paginator(self) -> Paginator<Tag, crate::Error> {
        self.listing.paginator()
    }
}

#[derive(Debug, Clone, Default, Serialize)]
struct NamespacePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_public: Option<bool>,
}

/// A namespace update being prepared ([`RegistryApi::update_namespace`]); only the fields
/// set are sent.
#[derive(Debug, Clone)]
#[must_use = "an update does nothing until it is sent"]
pub struct UpdateNamespace {
    api: RegistryApi,
    region: Region,
    id: NamespaceId,
    body: NamespacePatch,
}

impl UpdateNamespace {
    /// New description.
    pub fn description(mut self, description: &str) -> Self {
        self.body.description = Some(description.to_owned());
        self
    }

    /// Whether anonymous pulls are allowed.
    pub fn is_public(mut self, is_public: bool) -> Self {
        self.body.is_public = Some(is_public);
        self
    }

    /// Sends the update; returns the namespace.
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn send(self) -> Result<Namespace> {
        let rb = self
            .api
            .client
            .patch(NAMESPACE)
            .path("namespace_id", &self.id)
            .json(&self.body);
        self.api.call(rb, &self.region).await
    }
}
