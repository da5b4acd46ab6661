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

/// The built-in sources, by name (`--sources instance,block,…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

    /// The name (`instance`, `object-storage`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceName::Instance => "instance",
            SourceName::Block => "block",
            SourceName::Secret => "secret",
            SourceName::ObjectStorage => "object-storage",
            SourceName::Kubernetes => "kubernetes",
            SourceName::Vpc => "vpc",
            SourceName::Registry => "registry",
        }
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
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for SourceName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceName::ALL
            .iter()
            .copied()
            .find(|n| n.as_str() == s)
            .ok_or_else(|| format!("unknown source `{s}`; known sources: {}", known()))
    }
}

impl fmt::Display for SourceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
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
