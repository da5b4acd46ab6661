//! [`Listable`]: the one listing abstraction, with the same consumers everywhere.

use std::future::Future;

use futures::stream::BoxStream;
use serde::de::DeserializeOwned;

use super::{ListItem, Listing, Page, Paginator};

/// A listing ready to be read: what every listing of every `scaleway-*` crate is.
///
/// A listing is built by a method of a product handle (`iam.list_api_keys()`,
/// `registry.list_images(&region)`) or by [`RequestBuilder::paginate`](crate::RequestBuilder::paginate),
/// with its required parameters (a region, a policy ID) given then; filters are builder
/// methods. It is then read with one of four consumers, the same names everywhere, none
/// taking an argument:
///
/// | consumer | gives |
/// |---|---|
/// | [`items`](Listable::items) | a `Stream` of items, pages fetched as needed |
/// | [`pages`](Listable::pages) | a `Stream` of [`Page`]s |
/// | [`collect`](Listable::collect) | every item, in a `Vec` |
/// | [`listing`](Listable::listing) | the pages, then the [`ListingReport`](crate::ListingReport) (what changed while it was read) |
///
/// The first three end with an [`IncompleteListing`](crate::ErrorKind::IncompleteListing)
/// error when the collection kept changing while it was read (see [`Paginator::max_passes`]).
/// Reading one listing in many regions or zones at once, with a result per locality, is
/// [`fanout::collect_per_locality`](crate::fanout::collect_per_locality).
///
/// An implementation gives only [`into_paginator`](Listable::into_paginator); the
/// consumers are provided. Bring the trait into scope to call them (`use
/// scaleway_core::Listable;`, re-exported by scaleway-iam and scaleway-registry).
///
/// ```no_run
/// # async fn run(client: scaleway_core::Client) -> Result<(), scaleway_core::Error> {
/// use futures::TryStreamExt;
/// use scaleway_core::Listable;
///
/// // Every project of the default organization.
/// let projects: Vec<serde_json::Value> = client
///     .get("/account/v3/projects")
///     .query("organization_id", client.default_organization_id()?)
///     .query("order_by", "created_at_asc")
///     .paginate("projects")
///     .collect()
///     .await?;
/// // The same, one at a time.
/// let mut stream = client
///     .get("/account/v3/projects")
///     .query("organization_id", client.default_organization_id()?)
///     .query("order_by", "created_at_asc")
///     .paginate::<serde_json::Value>("projects")
///     .items();
/// while let Some(project) = stream.try_next().await? {
///     println!("{}", project["name"]);
/// }
/// # let _ = projects;
/// # Ok(()) }
/// ```
pub trait Listable: Sized {
    /// What the listing yields.
    type Item: DeserializeOwned + ListItem + Send + 'static;
    /// The error its consumers yield (scaleway-core's [`Error`](crate::Error), or a product
    /// crate's own).
    type Error: Send + 'static;

    /// The listing as scaleway-core's [`Paginator`], filters, order and page size set.
    fn into_paginator(self) -> Paginator<Self::Item, Self::Error>;

    /// Every item, in order, as a stream (pages fetched as needed). The stream ends after
    /// the first error.
    fn items(self) -> BoxStream<'static, Result<Self::Item, Self::Error>> {
        self.into_paginator().read_items()
    }

    /// Every page, in order, as a stream. The stream ends after the first error.
    fn pages(self) -> BoxStream<'static, Result<Page<Self::Item>, Self::Error>> {
        self.into_paginator().read_pages()
    }

    /// Every item, collected.
    ///
    /// # Errors
    ///
    /// The first error of any page; [`IncompleteListing`](crate::ErrorKind::IncompleteListing)
    /// when the listing kept changing while it was read.
    fn collect(self) -> impl Future<Output = Result<Vec<Self::Item>, Self::Error>> + Send {
        self.into_paginator().read_all()
    }

    /// Every page, then how the listing was read: whether it changed meanwhile and what was
    /// re-read ([`Listing::report`]). It does not end with an error when the listing kept
    /// changing: the report says so.
    fn listing(self) -> Listing<Self::Item, Self::Error> {
        self.into_paginator().read_listing()
    }
}

/// A paginator is a listing: `client.get(..).paginate(..)` is read like any other.
impl<T, E> Listable for Paginator<T, E>
where
    T: DeserializeOwned + ListItem + Send + 'static,
    E: Send + 'static,
{
    type Item = T;
    type Error = E;

    fn into_paginator(self) -> Paginator<T, E> {
        self
    }
}
