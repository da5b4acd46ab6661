#![doc = include_str!("../README.md")]
//!
//! # Overview
//!
//! * [`Config`]: environment variables, the `scw` config file and its profiles, builder
//!   overrides — the Go SDK's names and precedence — with the source of every value and
//!   clear errors for bad input;
//! * [`AccessKey`], [`SecretKey`] (never printed), [`ProjectId`], [`OrganizationId`];
//! * [`Region`], [`Zone`], [`Locality`] and the localities each product exists in;
//! * [`Client`]: the one HTTP path (auth, `User-Agent`, timeouts, [`RetryPolicy`],
//!   tracing, error decoding) every call of every crate goes through;
//! * [`Transport`]: one connection pool and one in-flight bound shared by the clients of
//!   many keys ([`Client::for_key`]: a customer's key alone, nothing from the process);
//! * [`Error`]: one queryable error type for the family, decoding Scaleway's error bodies;
//! * [`Listable`]: the one listing abstraction — every listing of every crate is read with
//!   `items()`, `pages()`, `collect()` or `listing()` — over [`Paginator`], both pagination
//!   styles, consistent while the collection changes ([`ListItem`], [`ListingReport`]);
//! * [`fanout`]: one listing per zone or region with per-locality results
//!   ([`fanout::collect_per_locality`]);
//! * [`uuid_id!`]: the ID types ([`ProjectId`], IAM's and the registry's IDs): validated
//!   from user input, lenient on server data;
//! * [`string_enum!`]: enums that keep values the server adds later.
//!
//! Streams are `futures::Stream`s (futures-core 0.3, stable for years); timestamps are
//! `chrono::DateTime<Utc>` and URLs `url::Url`, both re-exported.

#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod clock;
mod config;
mod credentials;
mod enums;
mod error;
pub mod fanout;
mod locality;
mod pagination;
mod retry;
#[cfg(feature = "s3")]
#[cfg_attr(docsrs, doc(cfg(feature = "s3")))]
pub mod s3;
#[cfg(feature = "test-util")]
pub mod testing;
pub mod transport;

pub use client::{
    Client, ClientBuilder, ClientStats, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_CONCURRENT_REQUESTS,
    DEFAULT_TIMEOUT, Method, RequestBuilder, RequestSigner, Response, SignableRequest,
    default_user_agent,
};
pub use config::{
    Config, ConfigError, ConfigKey, ConfigLoader, ConfigProblem, ConfigReport, DEFAULT_API_URL,
    Env, Setting, Sourced, ValueSource,
};
pub use credentials::{
    AccessKey, InvalidValue, OrganizationId, ProjectId, SecretKey, normalize_id,
};
pub use error::{
    ApiError, ApiErrorKind, ArgumentErrorReason, AuthDeniedReason, AuthMethod, DecodeError, Error,
    ErrorKind, InvalidArgument, PermissionDenied, QuotaExceeded, RequestInfo, Result,
    decode_api_error, error_chain,
};
pub use fanout::{LocalityOutcome, LocalityResult};
pub use locality::{Locality, LocalityError, ProductLocalities, Region, Zone};
pub use pagination::{
    Completeness, DEFAULT_CLOCK_MARGIN, DEFAULT_MAX_PASSES, DEFAULT_PAGE_CONCURRENCY, ListItem,
    Listable, Listing, ListingReport, MAX_PAGE_SIZE, MAX_PAGES, Page, PageStyle, Paginator,
};
pub use retry::{AttemptError, Decision, GiveUpReason, Outcome, Retrier, RetryPolicy};
pub use transport::{DEFAULT_TRANSPORT_MAX_IN_FLIGHT, Transport, TransportBuilder};

pub use chrono;
pub use url;

/// A timestamp as the API sends it (RFC 3339; Instance's `+00:00` form included).
pub type Timestamp = chrono::DateTime<chrono::Utc>;

#[doc(hidden)]
pub mod __private {
    pub use crate::credentials::{invalid_uuid, is_uuid};
    pub use serde;
}

/// The configuration guide's examples are compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/configuration.md")]
struct ConfigurationDocDoctests;
