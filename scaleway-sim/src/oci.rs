//! Extension point for the OCI distribution (Docker Registry v2) endpoint (not served yet).
//!
//! Scaleway serves image data at `rg.<region>.scw.cloud` (token auth with the secret key as password;
//! see `shared/scaleway-api/registry.md`). The plan: one listener per registry region, started by
//! `SimBuilder::start`, mapping `<namespace>/<image>:<tag>` onto the management API's namespaces,
//! images and tags already in the state, and enforcing `ContainerRegistry*` permission sets with the
//! same IAM engine. `Sim` will then get `registry_host(region) -> String`.

/// Regions where the future registry endpoint will listen.
pub const REGIONS: &[&str] = crate::locality::REGISTRY_REGIONS;
