//! Object Storage buckets and the S3 XML documents the inventory reads.
//!
//! Parsed with quick-xml's serde support. The shapes follow Scaleway's recorded responses:
//! `ListAllMyBucketsResult` has no `xmlns`, `GetBucketVersioning` of a never-versioned
//! bucket answers `<Status></Status>`, a bucket without tags answers the `NoSuchTagSet`
//! error, and errors are `<Error><Code>…</Code><Message>…</Message>…</Error>`.

use std::collections::BTreeMap;

use scaleway_core::{Region, Timestamp};
use serde::{Deserialize, Serialize};

scaleway_core::string_enum! {
    /// Versioning state of a bucket.
    pub enum Versioning {
        /// Never enabled (`<Status></Status>` or no `Status`).
        Disabled = "",
        /// Enabled.
        Enabled = "Enabled",
        /// Suspended after having been enabled.
        Suspended = "Suspended",
    }
}

impl Versioning {
    /// Whether new object versions are kept.
    pub fn is_enabled(&self) -> bool {
        *self == Versioning::Enabled
    }
}

/// A bucket as the inventory sees it: ListBuckets, GetBucketLocation,
/// GetBucketVersioning and GetBucketTagging combined.
///
/// `None` marks an attribute that could not be read (the call was refused or failed); the
/// resource then carries a [`Note`](crate::Note) saying which call and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Bucket {
    /// Bucket name (global across Scaleway).
    pub name: String,
    /// The project whose buckets were listed (the `@project` the request was signed for).
    pub project_id: String,
    /// Region from GetBucketLocation (`None`: unknown; the bucket is then reported in the
    /// region whose ListBuckets listed it).
    #[serde(default)]
    pub region: Option<Region>,
    /// Creation date from ListBuckets.
    #[serde(default)]
    pub creation_date: Option<Timestamp>,
    /// Versioning from GetBucketVersioning (`None`: unknown).
    #[serde(default)]
    pub versioning: Option<Versioning>,
    /// Tags from GetBucketTagging, empty when the bucket has none (`NoSuchTagSet`);
    /// `None`: unknown.
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    /// Owner `ID` from ListBuckets (`<project_id>:<project_id>`).
    #[serde(default)]
    pub owner_id: String,
}

/// `ListAllMyBucketsResult`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListAllMyBucketsResult {
    /// The buckets.
    #[serde(default)]
    pub buckets: BucketList,
    /// The owner.
    #[serde(default)]
    pub owner: Option<Owner>,
}

/// `<Buckets>` of [`ListAllMyBucketsResult`].
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[non_exhaustive]
pub struct BucketList {
    /// Each `<Bucket>`.
    #[serde(default, rename = "Bucket")]
    pub bucket: Vec<ListedBucket>,
}

/// One `<Bucket>` of a ListBuckets answer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct ListedBucket {
    /// Name.
    pub name: String,
    /// Creation date (`2026-06-19T13:27:03.000Z`).
    #[serde(default)]
    pub creation_date: Option<String>,
}

/// `<Owner>`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[non_exhaustive]
pub struct Owner {
    /// `ID` (`<project_id>:<project_id>`).
    #[serde(default, rename = "ID")]
    pub id: String,
    /// `DisplayName`.
    #[serde(default, rename = "DisplayName")]
    pub display_name: String,
}

/// `<LocationConstraint>`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[non_exhaustive]
pub struct LocationConstraint {
    /// The region code (`nl-ams`).
    #[serde(default, rename = "$text")]
    pub region: String,
}

/// `<VersioningConfiguration>`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct VersioningConfiguration {
    /// `Enabled`, `Suspended`, empty or absent.
    #[serde(default)]
    pub status: Option<String>,
}

impl VersioningConfiguration {
    /// The versioning state.
    pub fn versioning(&self) -> Versioning {
        Versioning::from(self.status.as_deref().unwrap_or("").trim())
    }
}

/// `<Tagging>`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Tagging {
    /// `<TagSet>`.
    #[serde(default)]
    pub tag_set: TagSet,
}

/// `<TagSet>`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[non_exhaustive]
pub struct TagSet {
    /// Each `<Tag>`.
    #[serde(default, rename = "Tag")]
    pub tag: Vec<Tag>,
}

/// `<Tag>`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct Tag {
    /// Key.
    pub key: String,
    /// Value.
    #[serde(default)]
    pub value: String,
}

/// An S3 `<Error>` body.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct S3Error {
    /// `AccessDenied`, `NoSuchBucket`, `NoSuchTagSet`, …
    #[serde(default)]
    pub code: String,
    /// Human text.
    #[serde(default)]
    pub message: String,
    /// Request ID.
    #[serde(default)]
    pub request_id: String,
    /// Resource (`/bucket`).
    #[serde(default)]
    pub resource: String,
    /// Bucket name.
    #[serde(default)]
    pub bucket_name: String,
}

/// Parses an S3 XML document.
///
/// # Errors
///
/// A message naming the document when the XML does not have the expected shape.
pub fn parse_xml<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let text = std::str::from_utf8(body).map_err(|e| format!("the body is not UTF-8: {e}"))?;
    quick_xml::de::from_str(text).map_err(|e| e.to_string())
}

/// Parses an S3 error body (`None` when the body is not an `<Error>` document, e.g. the
/// empty body of a HEAD or of a gateway error).
pub fn parse_error(body: &[u8]) -> Option<S3Error> {
    let text = std::str::from_utf8(body).ok()?;
    if !text.contains("<Error") {
        return None;
    }
    quick_xml::de::from_str(text).ok()
}

/// Parses an S3 timestamp (`2026-06-19T13:27:03.000Z`).
pub fn parse_timestamp(s: &str) -> Option<Timestamp> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}
