#![doc = include_str!("../README.md")]
//!
//! # Overview
//!
//! * **Sources** ([`Source`], object-safe): Instance servers and local volumes, Block
//!   volumes and snapshots, Secret Manager secrets (metadata only: never a secret value),
//!   Object Storage buckets (S3 with SigV4, `ACCESS_KEY@PROJECT_ID`), Kapsule clusters and
//!   pools, VPCs and private networks, registry namespaces. Add your own or run a subset.
//! * **Engine** ([`Inventory`]): every source × locality listing at once under the
//!   client's one global bound, with scaleway-core's pagination and the inventory's own,
//!   patient retry policy for these read-only listings ([`InventoryBuilder::retry`]); a
//!   locality where a product does not exist is reported `not_available` without a
//!   request. Nothing is silently partial: every source × locality ends with a
//!   [`LocalityStatus`] (ok with a count, not available, denied with the missing
//!   permission, incomplete, failed with the error and its [`FailureKind`]), and a resource
//!   whose details could not all be read (a bucket whose tags were refused) carries a
//!   [`Note`] naming what is unknown and why.
//! * **While the project changes**: listings are read oldest first, and a resource that
//!   exists from the start to the end of a listing is reported exactly once, none twice;
//!   each [`LocalityReport`] says in its [`ListingReport`] whether the collection changed
//!   while it was read and what was re-read (`docs/inventory.md`).
//! * **Results**: a [`Stream`](futures::Stream) of [`Event`]s for embedding tools, or a
//!   [`Snapshot`] (stable, sorted JSON) with relations joined both ways; [`diff`] between
//!   two snapshots; [`CoveragePolicy`] for backup coverage with exclusions.
//! * **Many customers** ([`Fleet`]): inventories over many `(key, project)` pairs under one
//!   shared [`Transport`](scaleway_core::Transport) (one global bound), each key on its own
//!   bound and retry policy, results streamed per customer with at most N snapshots held;
//!   one customer's 429s, timeouts or revoked key never fail the others.
//!
//! # Permissions
//!
//! A key holding `AllProductsReadOnly` on the project reads everything. Per source:
//! `InstancesReadOnly`, `BlockStorageReadOnly`, `SecretManagerReadOnly` (no secret access),
//! `ObjectStorageReadOnly`, `KubernetesReadOnly`, `VPCReadOnly` and
//! `PrivateNetworksReadOnly`, `ContainerRegistryReadOnly`. See `docs/inventory.md`.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod coverage;
mod engine;
mod fleet;
mod json;
pub mod model;
mod report;
mod resource;
mod snapshot;
mod snapshot_stream;
mod source;
pub mod sources;

pub use coverage::{
    CoverageCounts, CoveragePolicy, CoverageReport, CoverageRow, CoverageStatus, CoverageTally,
    Exclusion, glob,
};
pub use engine::{DEFAULT_CHANNEL_CAPACITY, Inventory, InventoryBuilder, SyncStream};
pub use fleet::{
    Customer, CustomerError, DEFAULT_CUSTOMERS_AT_ONCE, DEFAULT_KEY_MAX_IN_FLIGHT, Fleet,
    FleetBuilder, FleetStream,
};
pub use json::{NdjsonWriter, SnapshotWriter};
pub use report::{FailureKind, LocalityReport, LocalityStatus, SyncStats};
pub use resource::{
    BackupRole, Note, ProductObject, Relation, RelationKind, Resource, ResourceKind,
};
pub use scaleway_core::{Completeness, Error, ListingReport, Locality, ProjectId, Region, Zone};
pub use snapshot::{Change, Diff, SNAPSHOT_FORMAT, STREAMED_SNAPSHOT_FORMAT, Snapshot, diff};
pub use snapshot_stream::diff_json;
pub use source::{Emitter, Event, ListContext, PAGE_READ_AHEAD, Source, emit_pages};
pub use sources::{ObjectStorageSource, ObjectStorageSourceBuilder, SourceName};

/// The attribute a custom [`Source`] implementation carries
/// (`#[scaleway_inventory::async_trait]`), re-exported so that implementing the trait
/// needs no dependency of its own.
pub use async_trait::async_trait;
/// The JSON of a custom resource ([`ProductObject::Custom`]), re-exported so that its
/// version is always the one this crate uses.
pub use serde_json;

/// The workspace README's examples (besides this crate's own README above) are compiled as
/// doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
