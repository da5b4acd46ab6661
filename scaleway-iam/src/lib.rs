#![doc = include_str!("../README.md")]
//!
//! # Overview
//!
//! * [`IamApi`] / [`AccountApi`]: users, applications, groups and members, policies,
//!   rules, permission sets, API keys, projects — all through [`scaleway_core::Client`]
//!   (its errors, retries and pagination);
//! * [`checker`]: profiles, the implication catalogue (from Scaleway's documentation),
//!   resolution through groups, findings, verdict, remediation, JSON and text reports;
//! * [`provision`]: create (or reuse) an application, its policy and an expiring key;
//!   rotate a key without ever deleting the old one before the new one is ready.
//!
//! # A key checking itself
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use scaleway_iam::checker::{Checker, Profile, Target};
//!
//! let client = scaleway_core::Client::from_env()?;
//! let target = Target::project(client.default_project_id()?.clone());
//! let report = Checker::new()
//!     .self_check(&client, &Profile::builtin("inventory-readonly")?, &target)
//!     .await?;
//! println!("{report}");
//! # Ok(()) }
//! ```

mod api;
pub mod checker;
mod model;
pub mod provision;
mod request;

pub use api::{
    AccountApi, ApiKeys, Applications, CreateApiKey, CreatePolicy, Groups, IamApi, List, ListKind,
    PermissionSets, Policies, Projects, Rules, UpdateApiKey, Users,
};
pub use model::*;
pub use scaleway_core::{Error, Listable, OrganizationId, ProjectId};

/// The policy checker guide's examples are compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/policy-checker.md")]
struct PolicyCheckerDocDoctests;
