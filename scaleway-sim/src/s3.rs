//! Extension point for the S3-compatible Object Storage endpoint (not served yet).
//!
//! Object Storage is not under `api.scaleway.com`: it is an S3 XML API per region
//! (`https://s3.<region>.scw.cloud`, SigV4 with the access key / secret key, project chosen by the
//! key's `default_project_id` or an `ACCESS_KEY@PROJECT_ID` access key id; see
//! `shared/scaleway-api/object-storage.md`).
//!
//! The plan: one extra listener per region (`s3s` + SigV4), started by `SimBuilder::start` next to
//! the JSON API, reading and writing [`crate::Bucket`]s through [`crate::SimState`] and enforcing the
//! `ObjectStorage*` permission sets with the same IAM engine. `Sim` will then get
//! `s3_endpoint(region) -> url::Url`. Bucket data is already part of every scenario
//! ([`crate::SimState::buckets`]).

/// Regions where the future S3 endpoint will listen.
pub const REGIONS: &[&str] = crate::locality::OBJECT_STORAGE_REGIONS;
