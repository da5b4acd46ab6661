//! Locality fan-out: one listing per zone or region, concurrently, with per-locality
//! results.
//!
//! Each product declares the localities it exists in ([`ProductLocalities`], from the
//! official SDKs' per-API lists). A requested locality outside that list is reported
//! [`LocalityOutcome::NotAvailable`] without a request; an answer saying the service does
//! not exist there (a 404 on the listing route, the gateway's 400 "Unknown zone in path",
//! or a 400 whose invalid argument is the zone or region) is mapped to the same. One locality failing never fails the others.
//!
//! A listing is read in many localities with [`collect_per_locality`]: the same listing,
//! built for each locality, collected with a result per locality.
//!
//! ```no_run
//! # async fn run(client: scaleway_core::Client) {
//! use scaleway_core::{fanout, LocalityOutcome, ProductLocalities};
//!
//! let results = fanout::collect_per_locality(ProductLocalities::INSTANCE, None, 8, |locality| {
//!     Ok(client
//!         .get("/instance/v1/zones/{zone}/servers")
//!         .locality(locality)
//!         .query("order", "creation_date_asc")
//!         .paginate::<serde_json::Value>("servers")
//!         .per_page_style())
//! })
//! .await;
//! for r in results {
//!     match r.outcome {
//!         LocalityOutcome::Ok(servers) => println!("{}: {}", r.locality, servers.len()),
//!         LocalityOutcome::NotAvailable => println!("{}: not available", r.locality),
//!         LocalityOutcome::Failed(e) => println!("{}: {e}", r.locality),
//!     }
//! }
//! # }
//! ```

use std::future::Future;

use futures::stream::{self, BoxStream, StreamExt};

use crate::error::{ApiErrorKind, Error};
use crate::locality::{Locality, ProductLocalities};
use crate::pagination::Listable;

/// What one locality gave. Deliberately exhaustive: these are the only three answers.
///
/// `E` is the error of a failed locality: scaleway-core's [`Error`], or a product crate's
/// own (what the listing's consumers yield, see [`collect_per_locality`]).
#[derive(Debug)]
pub enum LocalityOutcome<T, E = Error> {
    /// The call succeeded.
    Ok(T),
    /// The product does not exist in this locality (not queried, or the API said so).
    NotAvailable,
    /// The call failed; other localities are unaffected.
    Failed(E),
}

impl<T, E> LocalityOutcome<T, E> {
    /// The value, if the call succeeded.
    pub fn ok(self) -> Option<T> {
        match self {
            LocalityOutcome::Ok(v) => Some(v),
            _ => None,
        }
    }
}

/// The result for one locality.
#[derive(Debug)]
#[non_exhaustive]
pub struct LocalityResult<T, E = Error> {
    /// The locality.
    pub locality: Locality,
    /// What it gave.
    pub outcome: LocalityOutcome<T, E>,
}

/// Whether an error means "this product does not exist in this locality".
pub fn is_unavailable_here(error: &Error) -> bool {
    let Some(api) = error.api_error() else {
        return false;
    };
    let message = api.message.to_ascii_lowercase();
    match &api.kind {
        ApiErrorKind::NotFound { .. } => api.status == 404,
        ApiErrorKind::InvalidArguments { details } => details
            .iter()
            .any(|d| d.argument_name == "zone" || d.argument_name == "region"),
        // The API gateway answers `400 {"message":"Unknown zone in path"}` for a locality it
        // does not serve (scaleway/scaleway-cli#4378).
        ApiErrorKind::Other => {
            api.status == 400
                && (message.contains("unknown zone") || message.contains("unknown region"))
        }
        _ => false,
    }
}

/// Runs `f` once per locality of `product` (or of `only`, when given), at most
/// `concurrency` at once, and yields results as they complete.
pub fn fan_out_stream<'a, T, F, Fut>(
    product: ProductLocalities,
    only: Option<Vec<Locality>>,
    concurrency: usize,
    f: F,
) -> BoxStream<'a, LocalityResult<T>>
where
    T: Send + 'a,
    F: Fn(Locality) -> Fut + Send + 'a,
    Fut: Future<Output = Result<T, Error>> + Send + 'a,
{
    let requested = only.unwrap_or_else(|| product.all());
    let (available, unavailable): (Vec<_>, Vec<_>) =
        requested.into_iter().partition(|l| product.contains(l));
    let skipped = stream::iter(unavailable.into_iter().map(|locality| LocalityResult {
        locality,
        outcome: LocalityOutcome::NotAvailable,
    }));
    let run = stream::iter(available)
        .map(move |locality| {
            let fut = f(locality.clone());
            async move {
                let outcome = match fut.await {
                    Ok(v) => LocalityOutcome::Ok(v),
                    Err(e) if is_unavailable_here(&e) => LocalityOutcome::NotAvailable,
                    Err(e) => LocalityOutcome::Failed(e),
                };
                LocalityResult { locality, outcome }
            }
        })
        .buffer_unordered(concurrency.max(1));
    skipped.chain(run).boxed()
}

/// Like [`fan_out_stream`], collected in the order of the requested localities.
pub async fn fan_out<'a, T, F, Fut>(
    product: ProductLocalities,
    only: Option<Vec<Locality>>,
    concurrency: usize,
    f: F,
) -> Vec<LocalityResult<T>>
where
    T: Send + 'a,
    F: Fn(Locality) -> Fut + Send + 'a,
    Fut: Future<Output = Result<T, Error>> + Send + 'a,
{
    let order = only.clone().unwrap_or_else(|| product.all());
    let mut results: Vec<_> = fan_out_stream(product, only, concurrency, f)
        .collect()
        .await;
    results.sort_by_key(|r| order.iter().position(|l| *l == r.locality));
    results
}

/// Reads one listing in many localities at once: `build` makes the listing of one locality
/// (the same filters each time), and each is collected ([`Listable::collect`]) — in every
/// locality of `product`, or of `only` when given, at most `concurrency` at once — with a
/// result per locality, in the order of the requested localities.
///
/// A locality where the product does not exist is [`LocalityOutcome::NotAvailable`]
/// (without a request when it is not in `product`'s list, else when the API answers so: see
/// [`is_unavailable_here`]); any other failure is [`LocalityOutcome::Failed`] with the
/// listing's own error, and never fails the other localities. A `build` error fails its
/// locality.
pub async fn collect_per_locality<L, F>(
    product: ProductLocalities,
    only: Option<Vec<Locality>>,
    concurrency: usize,
    build: F,
) -> Vec<LocalityResult<Vec<L::Item>, L::Error>>
where
    L: Listable,
    L::Error: From<Error>,
    F: Fn(&Locality) -> Result<L, Error> + Send,
{
    let results = fan_out(product, only, concurrency, move |locality| {
        let listing = build(&locality).map(Listable::into_paginator);
        async move {
            let (core, explain) = listing?.split_explain();
            match core.read_all().await {
                Ok(items) => Ok(Ok(items)),
                // The fan-out makes it `NotAvailable`.
                Err(e) if is_unavailable_here(&e) => Err(e),
                Err(e) => Ok(Err(explain(e))),
            }
        }
    })
    .await;
    results
        .into_iter()
        .map(|r| LocalityResult {
            locality: r.locality,
            outcome: match r.outcome {
                LocalityOutcome::Ok(Ok(items)) => LocalityOutcome::Ok(items),
                LocalityOutcome::Ok(Err(e)) => LocalityOutcome::Failed(e),
                LocalityOutcome::NotAvailable => LocalityOutcome::NotAvailable,
                LocalityOutcome::Failed(e) => LocalityOutcome::Failed(L::Error::from(e)),
            },
        })
        .collect()
}
