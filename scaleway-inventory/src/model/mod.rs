//! Typed models of the APIs the sources read, one module per API.
//!
//! Every model is `#[non_exhaustive]`, tolerates new fields and new enum values
//! (`Unknown(String)`), and parses every response of its API recorded in
//! `shared/recorded/` (see `tests/models.rs`).
//!
//! The models a snapshot holds by the 100 000 keep their values compact: values many
//! resources repeat (project and organization IDs, types, states) are [`SharedStr`]s, the
//! resources' own IDs are [`Id`]s (16 bytes for a UUID), and lists are the size of their
//! items.

pub mod block;
mod compact;
mod id;
pub mod instance;
pub mod k8s;
mod list_items;
pub mod object_storage;
pub mod secret;
pub mod vpc;

pub use compact::SharedStr;
pub(crate) use compact::exact_vec;
pub use id::{Id, IdStr};
