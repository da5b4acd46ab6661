//! [`RegistryApi`]: Registry v1 namespaces, images and tags, through `scaleway-core`.

use std::sync::Arc;

use futures::stream::{BoxStream, StreamExt, TryStreamExt};
use scaleway_core::fanout::{self, LocalityResult};
use scaleway_core::{Client, Error, Locality, ProductLocalities, Region, RequestBuilder};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::model::{Image, ImageVisibility, Namespace, NamespaceOrderBy, OrderBy, Regional, Tag};
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
/// ```no_run
/// # async fn run() -> Result<(), scaleway_registry::Error> {
/// use scaleway_core::{Client, Region};
/// use scaleway_registry::RegistryApi;
///
/// let registry = RegistryApi::new(&Client::from_env()?);
/// for result in registry.list_namespaces().all_regions().await {
///     if let Some(namespaces) = result.outcome.ok() {
///         for ns in namespaces {
///             println!("{} {} {}", ns.region, ns.name, ns.endpoint);
///         }
///     }
/// }
/// let ns = registry.find_namespace("acme-prod", Some(&Region::FrPar)).await?;
/// let images = registry.list_images().namespace_id(&ns.id).collect(&ns.region).await?;
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

    /// Lists namespaces; filter, then list one region ([`ListNamespaces::collect`],
    /// [`ListNamespaces::items`]) or every region ([`ListNamespaces::all_regions`]).
    pub fn list_namespaces(&self) -> ListNamespaces {
        ListNamespaces {
            listing: Listing::new(self, NAMESPACES, "namespaces"),
        }
    }

    /// Gets a namespace by ID.
    ///
    /// # Errors
    ///
    /// [`crate::Error`]; a missing namespace is [`Diagnosis::Api`](crate::Diagnosis::Api)
    /// with `is_not_found()`.
    pub async fn get_namespace(&self, region: &Region, namespace_id: &str) -> Result<Namespace> {
        let rb = self
            .client
            .get(NAMESPACE)
            .path("namespace_id", namespace_id);
        self.call(rb, region).await
    }

    /// Changes a namespace's description or public visibility.
    pub fn update_namespace(&self, region: &Region, namespace_id: &str) -> UpdateNamespace {
        UpdateNamespace {
            api: self.clone(),
            region: region.clone(),
            id: namespace_id.to_owned(),
            body: NamespacePatch::default(),
        }
    }

    /// Deletes a namespace and its images; returns it (status `deleting`).
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn delete_namespace(&self, region: &Region, namespace_id: &str) -> Result<Namespace> {
        let rb = self
            .client
            .delete(NAMESPACE)
            .path("namespace_id", namespace_id);
        self.call(rb, region).await
    }

    // ------------------------------------------------------------------ images

    /// Lists images; filter by namespace, name or project, then list one region or all.
    pub fn list_images(&self) -> ListImages {
        ListImages {
            listing: Listing::new(self, IMAGES, "images"),
        }
    }

    /// Gets an image by ID.
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn get_image(&self, region: &Region, image_id: &str) -> Result<Image> {
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
        image_id: &str,
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
    pub async fn delete_image(&self, region: &Region, image_id: &str) -> Result<Image> {
        let rb = self.client.delete(IMAGE).path("image_id", image_id);
        self.call(rb, region).await
    }

    // ------------------------------------------------------------------ tags

    /// Lists the tags of an image (images are regional, so is this listing).
    pub fn list_tags(&self, region: &Region, image_id: &str) -> ListTags {
        ListTags {
            listing: Listing::new(self, TAGS, "tags").path("image_id", image_id),
            region: region.clone(),
        }
    }

    /// Gets a tag by ID.
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn get_tag(&self, region: &Region, tag_id: &str) -> Result<Tag> {
        let rb = self.client.get(TAG).path("tag_id", tag_id);
        self.call(rb, region).await
    }

    /// Deletes a tag; returns it. `force` (deprecated by the API) was needed when another
    /// tag shares the digest.
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn delete_tag(&self, region: &Region, tag_id: &str, force: bool) -> Result<Tag> {
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

/// One listing route with its filters: the generic part of every list builder.
#[derive(Debug, Clone)]
struct Listing {
    api: RegistryApi,
    route: &'static str,
    key: &'static str,
    path: Vec<(&'static str, String)>,
    query: Vec<(&'static str, String)>,
}

impl Listing {
    /// A listing of `route`, oldest first unless the caller sets another `order_by` (every
    /// registry listing documents `created_at_asc`): creations during the listing then shift
    /// nothing.
    fn new(api: &RegistryApi, route: &'static str, key: &'static str) -> Self {
        Self {
            api: api.clone(),
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

    fn request(&self, region: &Region) -> RequestBuilder {
        let mut rb = self.api.client.get(self.route).region(region);
        for (k, v) in &self.path {
            rb = rb.path(k, v);
        }
        for (k, v) in &self.query {
            rb = rb.query(k, v);
        }
        rb
    }

    fn raw_items<T>(&self, region: &Region) -> BoxStream<'static, std::result::Result<T, Error>>
    where
        T: DeserializeOwned + Regional + scaleway_core::ListItem + Send + 'static,
    {
        let region = region.clone();
        self.request(&region)
            .paginate::<T>(self.key)
            .items()
            .map_ok(move |mut item| {
                item.set_region(&region);
                item
            })
            .boxed()
    }

    fn items<T>(&self, region: &Region) -> BoxStream<'static, Result<T>>
    where
        T: DeserializeOwned + Regional + scaleway_core::ListItem + Send + 'static,
    {
        let api = self.api.clone();
        self.raw_items(region)
            .map_err(move |e| api.explain(e))
            .boxed()
    }

    async fn collect<T>(&self, region: &Region) -> Result<Vec<T>>
    where
        T: DeserializeOwned + Regional + scaleway_core::ListItem + Send + 'static,
    {
        self.items(region).try_collect().await
    }

    async fn regions<T>(&self, only: Option<Vec<Region>>) -> Vec<LocalityResult<Vec<T>>>
    where
        T: DeserializeOwned + Regional + scaleway_core::ListItem + Send + 'static,
    {
        let only = only.map(|rs| rs.into_iter().map(Locality::Region).collect());
        let this = self.clone();
        fanout::fan_out(
            ProductLocalities::REGISTRY,
            only,
            REGION_CONCURRENCY,
            move |loc| {
                let this = this.clone();
                async move {
                    let region = loc
                        .region()
                        .ok_or_else(|| Error::invalid_request("the registry is regional"))?;
                    this.raw_items::<T>(&region).try_collect::<Vec<T>>().await
                }
            },
        )
        .await
    }
}

/// Flattens cross-region results: every item when every region answered.
///
/// To keep what the other regions returned when one fails, read the per-region results
/// instead.
///
/// # Errors
///
/// When regions failed: the failure, explained, when every region failed the same way;
/// else [`Diagnosis::RegionsUnavailable`](crate::Diagnosis::RegionsUnavailable) with the most actionable failure first (a
/// refused key before a missing permission before unavailability) and the others listed.
pub fn flatten_regions<T>(
    api: &RegistryApi,
    results: Vec<LocalityResult<Vec<T>>>,
) -> Result<Vec<T>> {
    let (answered, failures) = api.split_outcomes(results);
    let searched = answered.iter().map(|(r, _)| r.clone()).collect();
    if let Some(e) = crate::Error::regional("the listing".to_owned(), searched, failures) {
        return Err(e);
    }
    Ok(answered.into_iter().flat_map(|(_, items)| items).collect())
}

macro_rules! list_terminals {
    ($item:ty) => {
        /// Every matching item of `region`, page after page, as a stream.
        pub fn items(self, region: &Region) -> BoxStream<'static, Result<$item>> {
            self.listing.items(region)
        }

        /// Every matching item of `region`.
        ///
        /// # Errors
        ///
        /// [`crate::Error`]: a refused key or missing permission gets its own diagnosis.
        pub async fn collect(self, region: &Region) -> Result<Vec<$item>> {
            self.listing.collect(region).await
        }

        /// Every matching item of every region where Registry exists, listed
        /// concurrently, with a result per region (one region failing does not fail the
        /// others; explain a failure with [`RegistryApi::explain`]).
        pub async fn all_regions(self) -> Vec<LocalityResult<Vec<$item>>> {
            self.listing.regions(None).await
        }

        /// Like [`Self::all_regions`], for these regions only (a region where Registry
        /// does not exist is reported `NotAvailable` without a request).
        pub async fn in_regions(self, regions: Vec<Region>) -> Vec<LocalityResult<Vec<$item>>> {
            self.listing.regions(Some(regions)).await
        }
    };
}

/// A namespace listing being prepared ([`RegistryApi::list_namespaces`]).
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a terminal method is called"]
pub struct ListNamespaces {
    listing: Listing,
}

impl ListNamespaces {
    /// Only the namespace with exactly this name (case-sensitive).
    pub fn name(mut self, name: &str) -> Self {
        self.listing = self.listing.query("name", name);
        self
    }

    /// Only namespaces of this project.
    pub fn project_id(mut self, project_id: &str) -> Self {
        self.listing = self.listing.query("project_id", project_id);
        self
    }

    /// Only namespaces of this organization.
    pub fn organization_id(mut self, organization_id: &str) -> Self {
        self.listing = self.listing.query("organization_id", organization_id);
        self
    }

    /// Sort order.
    pub fn order_by(mut self, order: NamespaceOrderBy) -> Self {
        self.listing = self.listing.query("order_by", order);
        self
    }

    list_terminals!(Namespace);
}

/// An image listing being prepared ([`RegistryApi::list_images`]).
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a terminal method is called"]
pub struct ListImages {
    listing: Listing,
}

impl ListImages {
    /// Only images of this namespace (its UUID).
    pub fn namespace_id(mut self, namespace_id: &str) -> Self {
        self.listing = self.listing.query("namespace_id", namespace_id);
        self
    }

    /// Only the image with exactly this name (may contain `/`).
    pub fn name(mut self, name: &str) -> Self {
        self.listing = self.listing.query("name", name);
        self
    }

    /// Only images of this project.
    pub fn project_id(mut self, project_id: &str) -> Self {
        self.listing = self.listing.query("project_id", project_id);
        self
    }

    /// Only images of this organization.
    pub fn organization_id(mut self, organization_id: &str) -> Self {
        self.listing = self.listing.query("organization_id", organization_id);
        self
    }

    /// Sort order.
    pub fn order_by(mut self, order: OrderBy) -> Self {
        self.listing = self.listing.query("order_by", order);
        self
    }

    list_terminals!(Image);
}

/// A tag listing being prepared ([`RegistryApi::list_tags`]).
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until a terminal method is called"]
pub struct ListTags {
    listing: Listing,
    region: Region,
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

    /// Every matching tag, page after page, as a stream.
    pub fn items(self) -> BoxStream<'static, Result<Tag>> {
        self.listing.items(&self.region)
    }

    /// Every matching tag.
    ///
    /// # Errors
    ///
    /// [`crate::Error`].
    pub async fn collect(self) -> Result<Vec<Tag>> {
        self.listing.collect(&self.region).await
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
    id: String,
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
