//! Each listed model's ID and creation time, for scaleway-core's paginator
//! ([`scaleway_core::ListItem`]): items are deduplicated by ID, and the creation time tells
//! an item created while a listing was read (see `docs/inventory.md`, "Listings while the
//! project changes").

use std::borrow::Cow;

use scaleway_core::{ListItem, Timestamp};

use super::{block, instance, k8s, secret, vpc};

macro_rules! list_item {
    ($($t:ty => $created:ident),* $(,)?) => {$(
        impl ListItem for $t {
            fn list_id(&self) -> Cow<'_, str> {
                Cow::from(&self.id)
            }
            fn list_created_at(&self) -> Option<Timestamp> {
                self.$created
            }
        }
    )*};
}

list_item!(
    instance::Server => creation_date,
    instance::Volume => creation_date,
    block::Volume => created_at,
    block::Snapshot => created_at,
    secret::Secret => created_at,
    k8s::Cluster => created_at,
    k8s::Pool => created_at,
    vpc::Vpc => created_at,
    vpc::PrivateNetwork => created_at,
);
