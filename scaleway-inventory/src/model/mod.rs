//! Typed models of the APIs the sources read, one module per API.
//!
//! Every model is `#[non_exhaustive]`, tolerates new fields and new enum values
//! (`Unknown(String)`), and parses every response of its API recorded in
//! `shared/recorded/` (see `tests/models.rs`).

pub mod block;
pub mod instance;
pub mod k8s;
mod list_items;
pub mod object_storage;
pub mod secret;
pub mod vpc;
