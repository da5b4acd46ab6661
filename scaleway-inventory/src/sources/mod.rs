//! The built-in sources, one per product. Each lists one project in one locality through
//! scaleway-core (pagination, retries, the global bound) and maps the typed models to
//! [`Resource`]s.

mod block;
mod instance;
mod kubernetes;
pub(crate) mod object_storage;
mod registry;
mod secret;
mod vpc;

use std::fmt;
use std::str::FromStr;

pub use self::block::BlockSource;
pub use self::instance::InstanceSource;
pub use self::kubernetes::KubernetesSource;
pub use self::object_storage::{
    DEFAULT_S3_TIMEOUT, ObjectStorageSource, ObjectStorageSourceBuilder,
};
pub use self::registry::RegistrySource;
pub use self::secret::SecretSource;
pub use self::vpc::VpcSource;

use scaleway_core::{Error, ListItem, Locality, PageStyle, RequestBuilder, Zone};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::Resource;
use crate::source::{Emitter, ListContext, emit_pages};

/// Runs two listings of one locality at once (`(request, items key, map)` each, same page
/// style), both emitting into `out`; the first error wins, after both have finished.
pub(crate) async fn emit_pages_both<T, F, I, U, G, J>(
    out: &mut Emitter,
    style: PageStyle,
    (first, first_key, first_map): (RequestBuilder, &'static str, F),
    (second, second_key, second_map): (RequestBuilder, &'static str, G),
) -> Result<(), Error>
where
    T: DeserializeOwned + ListItem + Send + 'static,
    F: FnMut(T) -> I,
    I: IntoIterator<Item = Resource>,
    U: DeserializeOwned + ListItem + Send + 'static,
    G: FnMut(U) -> J,
    J: IntoIterator<Item = Resource>,
{
    let mut fork = out.fork();
    let (a, b) = futures::join!(
        emit_pages(first, first_key, style, out, first_map),
        emit_pages(second, second_key, style, &mut fork, second_map),
    );
    out.absorb(fork);
    a.and(b).map(|_| ())
}

/// A source's name: one of the built-in sources (`--sources instance,block,…`), or the
/// name of a custom [`Source`](crate::Source) ([`SourceName::Custom`]).
///
/// It is the `source` of every [`LocalityReport`](crate::LocalityReport) and
/// [`Event::Expected`](crate::Event::Expected), and serializes as the plain name
/// (`"object-storage"`, `"appliances"`). Two ways in, as for a zone:
///
/// * [`FromStr`] is for user input selecting built-in sources: an unknown name is an
///   error naming the known ones ([`SourceName::parse_list`]);
/// * [`SourceName::from_name`] (and `From<&str>`, and deserialization) takes any name, a
///   built-in one becoming its variant, so a custom source named `instance` and
///   [`SourceName::Instance`] are the same name.
///
/// Equality, hashing and order are those of the name ([`SourceName::as_str`]).
///
/// ```
/// use scaleway_inventory::SourceName;
///
/// assert_eq!("object-storage".parse::<SourceName>()?, SourceName::ObjectStorage);
/// assert!("appliances".parse::<SourceName>().is_err()); // not a built-in source
/// let custom = SourceName::from_name("appliances");
/// assert_eq!(custom, SourceName::Custom("appliances".into()));
/// assert_eq!(custom, "appliances");
/// assert_eq!(SourceName::from_name("vpc"), SourceName::Vpc);
/// # Ok::<(), String>(())
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum SourceName {
    /// Instance servers and local volumes.
    Instance,
    /// Block Storage volumes and snapshots.
    Block,
    /// Secret Manager secrets (metadata).
    Secret,
    /// Object Storage buckets.
    ObjectStorage,
    /// Kapsule clusters and pools.
    Kubernetes,
    /// VPCs and private networks.
    Vpc,
    /// Container Registry namespaces.
    Registry,
    /// A custom source's name ([`Source::name`](crate::Source::name)), never a built-in
    /// one's (see [`SourceName::from_name`]).
    Custom(String),
}

impl SourceName {
    /// Every built-in source, in display order.
    pub const ALL: [SourceName; 7] = [
        SourceName::Instance,
        SourceName::Block,
        SourceName::Secret,
        SourceName::ObjectStorage,
        SourceName::Kubernetes,
        SourceName::Vpc,
        SourceName::Registry,
    ];

    /// The name (`instance`, `object-storage`, …, or a custom source's).
    pub fn as_str(&self) -> &str {
        match self {
            SourceName::Instance => "instance",
            SourceName::Block => "block",
            SourceName::Secret => "secret",
            SourceName::ObjectStorage => "object-storage",
            SourceName::Kubernetes => "kubernetes",
            SourceName::Vpc => "vpc",
            SourceName::Registry => "registry",
            SourceName::Custom(name) => name,
        }
    }

    /// Any source's name: the built-in source of that name, else [`SourceName::Custom`].
    pub fn from_name(name: &str) -> SourceName {
        SourceName::builtin(name).unwrap_or_else(|| SourceName::Custom(name.to_owned()))
    }

    fn builtin(name: &str) -> Option<SourceName> {
        SourceName::ALL.into_iter().find(|n| n.as_str() == name)
    }

    /// Parses a comma-separated list (`instance,block`); `all` means every source.
    ///
    /// # Errors
    ///
    /// A message naming the unknown source and the accepted names.
    pub fn parse_list(list: &str) -> Result<Vec<SourceName>, String> {
        let mut out = Vec::new();
        for part in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            if part == "all" {
                return Ok(SourceName::ALL.to_vec());
            }
            let name: SourceName = part.parse()?;
            if !out.contains(&name) {
                out.push(name);
            }
        }
        if out.is_empty() {
            return Err(format!("no source given; known sources: {}", known()));
        }
        Ok(out)
    }
}

fn known() -> String {
    SourceName::ALL
        .iter()
        .map(SourceName::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for SourceName {
    type Err = String;

    /// A built-in source's name; anything else is an error naming the known ones.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceName::builtin(s)
            .ok_or_else(|| format!("unknown source `{s}`; known sources: {}", known()))
    }
}

impl From<&str> for SourceName {
    fn from(name: &str) -> Self {
        SourceName::from_name(name)
    }
}

impl From<String> for SourceName {
    fn from(name: String) -> Self {
        match SourceName::builtin(&name) {
            Some(builtin) => builtin,
            None => SourceName::Custom(name),
        }
    }
}

impl fmt::Display for SourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq for SourceName {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for SourceName {}

impl PartialEq<str> for SourceName {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for SourceName {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl std::hash::Hash for SourceName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for SourceName {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SourceName {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Serialize for SourceName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for SourceName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SourceName::from)
    }
}

/// The `order_by` every listing but Instance's sends: oldest first, as each of those APIs
/// documents, so that resources created during a sync land after the others and shift
/// nothing (`docs/inventory.md`).
pub(crate) const OLDEST_FIRST: (&str, &str) = ("order_by", "created_at_asc");

/// The zone of a zoned listing.
pub(crate) fn zone_of(ctx: &ListContext) -> Result<Zone, Error> {
    match &ctx.locality {
        Locality::Zone(z) => Ok(z.clone()),
        other => Err(Error::invalid_request(format!(
            "this source lists zones, not `{other}`"
        ))),
    }
}

/// The region of a regional listing.
pub(crate) fn region_of(ctx: &ListContext) -> Result<scaleway_core::Region, Error> {
    match &ctx.locality {
        Locality::Region(r) => Ok(r.clone()),
        other => Err(Error::invalid_request(format!(
            "this source lists regions, not `{other}`"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::SourceName;

    #[test]
    fn a_source_name_serializes_as_the_plain_name_and_round_trips() {
        for name in SourceName::ALL {
            let json = serde_json::to_value(&name).unwrap();
            assert_eq!(json, serde_json::Value::String(name.as_str().to_owned()));
            let back: SourceName = serde_json::from_value(json).unwrap();
            assert!(matches!(
                (&back, &name),
                (a, b) if std::mem::discriminant(a) == std::mem::discriminant(b)
            ));
        }
        let custom = SourceName::from_name("appliances");
        assert_eq!(serde_json::to_string(&custom).unwrap(), r#""appliances""#);
        let back: SourceName = serde_json::from_str(r#""appliances""#).unwrap();
        assert!(matches!(back, SourceName::Custom(ref n) if n == "appliances"));
    }

    #[test]
    fn a_built_in_name_is_always_its_variant_never_custom() {
        let from_json: SourceName = serde_json::from_str(r#""object-storage""#).unwrap();
        assert!(matches!(from_json, SourceName::ObjectStorage));
        assert!(matches!(SourceName::from("vpc"), SourceName::Vpc));
        assert!(matches!(
            SourceName::from("registry".to_owned()),
            SourceName::Registry
        ));
        // A hand-made Custom with a built-in name is the same name all the same.
        assert_eq!(SourceName::Custom("instance".into()), SourceName::Instance);
        let mut names = [
            SourceName::Vpc,
            SourceName::from_name("appliances"),
            SourceName::Block,
        ];
        names.sort();
        let sorted: Vec<&str> = names.iter().map(SourceName::as_str).collect();
        assert_eq!(sorted, ["appliances", "block", "vpc"], "ordered by name");
    }

    #[test]
    fn user_input_accepts_only_built_in_names() {
        let err = "appliances".parse::<SourceName>().unwrap_err();
        assert!(err.contains("unknown source `appliances`"), "{err}");
        assert!(
            err.contains("object-storage"),
            "names the known ones: {err}"
        );
        assert!(SourceName::parse_list("instance,appliances").is_err());
    }
}
