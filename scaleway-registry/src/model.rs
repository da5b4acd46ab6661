//! Registry v1 models: namespaces, images and tags (`shared/scaleway-api/registry.md`).
//!
//! Server data is parsed leniently: every enum keeps values this version does not know,
//! fields the API may omit have defaults, and timestamps are optional.

use scaleway_core::{OrganizationId, ProjectId, Region, Timestamp};
use serde::{Deserialize, Serialize};

use crate::reference::{ImageReference, RegistryHosts};

scaleway_core::uuid_id! {
    /// A namespace ID (UUID), e.g. [`Namespace::id`].
    pub struct NamespaceId("namespace ID");
}

scaleway_core::uuid_id! {
    /// An image ID (UUID), e.g. [`Image::id`].
    pub struct ImageId("image ID");
}

scaleway_core::uuid_id! {
    /// A tag ID (UUID), e.g. [`Tag::id`].
    pub struct TagId("tag ID");
}

scaleway_core::string_enum! {
    /// Status of a namespace.
    pub enum NamespaceStatus {
        /// `unknown` (the API's zero value).
        UnknownStatus = "unknown",
        /// Ready.
        Ready = "ready",
        /// Being deleted (a deleted namespace is returned in this state).
        Deleting = "deleting",
        /// In error; see `status_message`.
        Error = "error",
        /// Locked.
        Locked = "locked",
    }
}

scaleway_core::string_enum! {
    /// Status of an image.
    pub enum ImageStatus {
        /// `unknown` (the API's zero value).
        UnknownStatus = "unknown",
        /// Ready.
        Ready = "ready",
        /// Being deleted.
        Deleting = "deleting",
        /// In error; see `status_message`.
        Error = "error",
        /// Locked.
        Locked = "locked",
    }
}

scaleway_core::string_enum! {
    /// Status of a tag.
    pub enum TagStatus {
        /// `unknown` (the API's zero value).
        UnknownStatus = "unknown",
        /// Ready.
        Ready = "ready",
        /// Being deleted.
        Deleting = "deleting",
        /// In error.
        Error = "error",
        /// Locked.
        Locked = "locked",
    }
}

scaleway_core::string_enum! {
    /// Who may pull an image.
    pub enum ImageVisibility {
        /// `visibility_unknown` (the API's zero value).
        VisibilityUnknown = "visibility_unknown",
        /// Same as the namespace's `is_public`.
        Inherit = "inherit",
        /// Anyone may pull it anonymously.
        Public = "public",
        /// Only keys with registry read permission on the namespace's project.
        Private = "private",
    }
}

scaleway_core::string_enum! {
    /// Sort order of a namespace listing (`ListNamespacesRequestOrderBy`).
    pub enum NamespaceOrderBy {
        /// Oldest first (the API's default).
        CreatedAtAsc = "created_at_asc",
        /// Newest first.
        CreatedAtDesc = "created_at_desc",
        /// By description, A to Z.
        DescriptionAsc = "description_asc",
        /// By description, Z to A.
        DescriptionDesc = "description_desc",
        /// By name, A to Z.
        NameAsc = "name_asc",
        /// By name, Z to A.
        NameDesc = "name_desc",
    }
}

scaleway_core::string_enum! {
    /// Sort order of an image or tag listing (`ListImagesRequestOrderBy`,
    /// `ListTagsRequestOrderBy`).
    pub enum OrderBy {
        /// Oldest first (the API's default).
        CreatedAtAsc = "created_at_asc",
        /// Newest first.
        CreatedAtDesc = "created_at_desc",
        /// By name, A to Z.
        NameAsc = "name_asc",
        /// By name, Z to A.
        NameDesc = "name_desc",
    }
}

fn unknown_namespace_status() -> NamespaceStatus {
    NamespaceStatus::UnknownStatus
}

fn unknown_image_status() -> ImageStatus {
    ImageStatus::UnknownStatus
}

fn unknown_tag_status() -> TagStatus {
    TagStatus::UnknownStatus
}

fn unknown_visibility() -> ImageVisibility {
    ImageVisibility::VisibilityUnknown
}

/// The region value used when the API omits `region` (never seen in recordings; the
/// listing helpers fill it from the request's region).
fn missing_region() -> Region {
    Region::Other(String::new())
}

/// A registry namespace: the first path segment of an image reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Namespace {
    /// UUID.
    pub id: NamespaceId,
    /// Name: unique per region across all organizations, case-sensitive.
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Owning organization.
    #[serde(default)]
    pub organization_id: OrganizationId,
    /// Owning project: pulling needs registry read permission on it.
    #[serde(default)]
    pub project_id: ProjectId,
    /// Status.
    #[serde(default = "unknown_namespace_status")]
    pub status: NamespaceStatus,
    /// Details of the status (`""` when ready).
    #[serde(default)]
    pub status_message: String,
    /// Docker endpoint without scheme, e.g. `rg.fr-par.scw.cloud/acme-prod`.
    #[serde(default)]
    pub endpoint: String,
    /// Whether anonymous pulls are allowed.
    #[serde(default)]
    pub is_public: bool,
    /// Total size in bytes.
    #[serde(default)]
    pub size: u64,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Number of images.
    #[serde(default)]
    pub image_count: u32,
    /// Region.
    #[serde(default = "missing_region")]
    pub region: Region,
}

impl Namespace {
    /// The host images of this namespace are pulled from, e.g. `rg.fr-par.scw.cloud`:
    /// the host part of [`Namespace::endpoint`], or `rg.<region>.scw.cloud` when the
    /// endpoint is empty.
    pub fn pull_host(&self) -> String {
        match self.endpoint.split_once('/') {
            Some((host, _)) if !host.is_empty() => host.to_owned(),
            _ if !self.endpoint.is_empty() && !self.endpoint.contains('/') => self.endpoint.clone(),
            _ => RegistryHosts::canonical_host(&self.region),
        }
    }

    /// The reference of `image:tag` in this namespace, e.g.
    /// `rg.fr-par.scw.cloud/acme-prod/api:v1.2.0`.
    pub fn reference(&self, image: &str, tag: &str) -> ImageReference {
        ImageReference::from_parts(self.pull_host(), &self.name, image, Some(tag), None)
    }
}

/// An image (repository) of a namespace. The API does not say which region or project
/// it is in: this crate fills [`Image::region`] from the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Image {
    /// UUID.
    pub id: ImageId,
    /// Name, possibly with `/` (`tools/ci`): the rest of the repository path after the
    /// namespace.
    pub name: String,
    /// The namespace's UUID.
    #[serde(default)]
    pub namespace_id: NamespaceId,
    /// Status.
    #[serde(default = "unknown_image_status")]
    pub status: ImageStatus,
    /// Details of the status (null or `""` when ready).
    #[serde(default)]
    pub status_message: Option<String>,
    /// Visibility.
    #[serde(default = "unknown_visibility")]
    pub visibility: ImageVisibility,
    /// Size in bytes (layers shared by tags counted once).
    #[serde(default)]
    pub size: u64,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Tag names.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Not sent by the API: the region this image was read from (set by this crate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// A tag of an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Tag {
    /// UUID.
    pub id: TagId,
    /// Tag name (`latest`, `v1.2.0`).
    pub name: String,
    /// The image's UUID.
    #[serde(default)]
    pub image_id: ImageId,
    /// Status.
    #[serde(default = "unknown_tag_status")]
    pub status: TagStatus,
    /// Manifest digest (`sha256:…`), usable in a reference as `@digest`. Several tags may
    /// share one digest.
    #[serde(default)]
    pub digest: String,
    /// Creation time.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Not sent by the API: the region this tag was read from (set by this crate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// Something read from a region: lets the listing helpers record where it came from.
pub(crate) trait Regional {
    fn set_region(&mut self, region: &Region);
}

impl Regional for Namespace {
    fn set_region(&mut self, region: &Region) {
        if self.region.as_str().is_empty() {
            self.region = region.clone();
        }
    }
}

impl Regional for Image {
    fn set_region(&mut self, region: &Region) {
        self.region = Some(region.clone());
    }
}

impl Regional for Tag {
    fn set_region(&mut self, region: &Region) {
        self.region = Some(region.clone());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn unknown_values_are_kept() {
        let ns: Namespace = serde_json::from_value(serde_json::json!({
            "id": "x", "name": "n", "status": "hibernating", "region": "xx-new",
            "endpoint": "rg.xx-new.scw.cloud/n", "brand_new_field": 1
        }))
        .unwrap();
        assert_eq!(ns.status, NamespaceStatus::Unknown("hibernating".into()));
        assert_eq!(ns.region, Region::Other("xx-new".into()));
        assert_eq!(ns.pull_host(), "rg.xx-new.scw.cloud");
        let img: Image = serde_json::from_value(serde_json::json!({
            "id": "i", "name": "a/b", "visibility": "friends_only", "status_message": null
        }))
        .unwrap();
        assert_eq!(
            img.visibility,
            ImageVisibility::Unknown("friends_only".into())
        );
        assert_eq!(img.status, ImageStatus::UnknownStatus);
    }

    #[test]
    fn pull_host_falls_back_to_the_region() {
        let ns: Namespace = serde_json::from_value(serde_json::json!({
            "id": "x", "name": "n", "region": "nl-ams", "endpoint": ""
        }))
        .unwrap();
        assert_eq!(ns.pull_host(), "rg.nl-ams.scw.cloud");
        assert_eq!(
            ns.reference("tools/ci", "v1").to_string(),
            "rg.nl-ams.scw.cloud/n/tools/ci:v1"
        );
    }
}

/// What the paginator needs to keep listings consistent while they change: each item's ID
/// and creation time ([`scaleway_core::ListItem`]).
mod list_items {
    use scaleway_core::{ListItem, Timestamp};

    use super::{Image, Namespace, Tag};

    macro_rules! list_item {
        ($($t:ty),*) => {$(
            impl ListItem for $t {
                fn list_id(&self) -> std::borrow::Cow<'_, str> {
                    self.id.as_str().into()
                }
                fn list_created_at(&self) -> Option<Timestamp> {
                    self.created_at
                }
            }
        )*};
    }

    list_item!(Namespace, Image, Tag);
}
