//! Regions, zones and where each product exists (`shared/scaleway-api/core.md` §3, from the Go SDK's
//! generated `Zones()` / `Regions()` helpers).

/// Every region, in the Go SDK's order.
pub const REGIONS: [&str; 4] = ["fr-par", "nl-ams", "pl-waw", "it-mil"];

/// Every zone.
pub const ZONES: [&str; 10] = [
    "fr-par-1", "fr-par-2", "fr-par-3", "nl-ams-1", "nl-ams-2", "nl-ams-3", "pl-waw-1", "pl-waw-2",
    "pl-waw-3", "it-mil-1",
];

/// Zones where Instance exists: all ten.
pub const INSTANCE_ZONES: &[&str] = &ZONES;

/// Zones where Block Storage exists: no `it-mil-1`.
pub const BLOCK_ZONES: &[&str] = &[
    "fr-par-1", "fr-par-2", "fr-par-3", "nl-ams-1", "nl-ams-2", "nl-ams-3", "pl-waw-1", "pl-waw-2",
    "pl-waw-3",
];

/// Regions where Kubernetes Kapsule exists.
pub const K8S_REGIONS: &[&str] = &["fr-par", "nl-ams", "pl-waw", "it-mil"];

/// Regions where VPC exists.
pub const VPC_REGIONS: &[&str] = &["fr-par", "nl-ams", "pl-waw", "it-mil"];

/// Regions where Container Registry's management API exists (the SDK does not list it-mil).
pub const REGISTRY_REGIONS: &[&str] = &["fr-par", "nl-ams", "pl-waw"];

/// Regions where Secret Manager exists.
pub const SECRET_REGIONS: &[&str] = &["fr-par", "nl-ams", "pl-waw"];

/// Regions where Object Storage exists (docs list it-mil too).
pub const OBJECT_STORAGE_REGIONS: &[&str] = &["fr-par", "nl-ams", "pl-waw", "it-mil"];

/// The region of a zone: drop the last `-N`.
pub fn zone_region(zone: &str) -> &str {
    zone.rsplit_once('-').map_or(zone, |(r, _)| r)
}
