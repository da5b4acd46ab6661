//! The typed calls against the simulator: listings, reads, writes, errors.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod common;

use common::{access_key, client, prod, sim};
use futures::{StreamExt, TryStreamExt};
use scaleway_iam::checker::Catalogue;
use scaleway_iam::{AccountApi, Bearer, IamApi, Listable, PermissionSetScopeType, UserType};

#[tokio::test]
async fn iam_reads_and_writes() {
    let sim = sim().await;
    let admin = client(&sim, "admin");
    let iam = IamApi::new(&admin);
    let users = iam.list_users().collect().await.unwrap();
    assert!(users.iter().any(|u| u.user_type == UserType::Owner));
    let owner = users
        .iter()
        .find(|u| u.user_type == UserType::Owner)
        .unwrap();
    assert_eq!(iam.get_user(&owner.id).await.unwrap().email, owner.email);
    let apps: Vec<_> = iam.list_applications().items().try_collect().await.unwrap();
    assert!(apps.iter().any(|a| a.name == "byoc"));
    let groups = iam.list_groups().collect().await.unwrap();
    assert!(groups.iter().any(|g| g.all_applications));
    assert!(groups.iter().any(|g| g.all_users));

    // API key: read, update, list by bearer, delete.
    let ak = access_key(&sim, "byoc");
    let key = iam.get_api_key(&ak).await.unwrap();
    let bearer = key.bearer().unwrap();
    assert!(matches!(bearer, Bearer::Application(_)));
    let updated = iam
        .update_api_key(&ak)
        .description("checked by scaleway-iam")
        .send()
        .await
        .unwrap();
    assert_eq!(updated.description, "checked by scaleway-iam");
    let of_bearer = iam.list_api_keys().bearer(&bearer).collect().await.unwrap();
    assert_eq!(of_bearer.len(), 1);
    assert_eq!(of_bearer[0].access_key, ak);

    // Group create / delete.
    let g = iam.create_group("auditors", "", None).await.unwrap();
    assert_eq!(iam.get_group(&g.id).await.unwrap().name, "auditors");
    iam.delete_group(&g.id).await.unwrap();
    assert!(iam.get_group(&g.id).await.unwrap_err().is_not_found());

    // Unknown key: 404, typed.
    let e = iam
        .get_api_key(&"SCW00000000000000000".parse().unwrap())
        .await
        .unwrap_err();
    assert!(e.is_not_found(), "{e}");
}

#[tokio::test]
async fn a_key_without_iam_read_gets_403_on_itself() {
    let sim = sim().await;
    let iam = IamApi::new(&client(&sim, "inventory"));
    let e = iam
        .get_api_key(&access_key(&sim, "inventory"))
        .await
        .unwrap_err();
    assert!(e.is_permission_denied(), "{e}");
    assert!(!e.permission_denied_details().is_empty());
}

#[tokio::test]
async fn projects() {
    let sim = sim().await;
    let account = AccountApi::new(&client(&sim, "admin"));
    let all = account.list_projects().collect().await.unwrap();
    assert!(all.iter().any(|p| p.id == prod(&sim)));
    let p = account.get_project(&prod(&sim)).await.unwrap();
    assert_eq!(p.name, "production");
    let created = account
        .create_project("scratch", "test", None)
        .await
        .unwrap();
    let id = created.id.clone();
    assert_eq!(account.get_project(&id).await.unwrap().name, "scratch");
    account.delete_project(&id).await.unwrap();
    assert!(account.get_project(&id).await.unwrap_err().is_not_found());
}

/// The simulator's permission-set table and our catalogue were written independently from
/// the same documentation page: every set the API lists must be known, at the same level.
#[tokio::test]
async fn listed_permission_sets_are_in_the_catalogue() {
    let sim = sim().await;
    let sets = IamApi::new(&client(&sim, "admin"))
        .list_permission_sets()
        .collect()
        .await
        .unwrap();
    assert!(!sets.is_empty());
    let cat = Catalogue::builtin();
    for s in sets {
        let known = cat
            .set(&s.name)
            .unwrap_or_else(|| panic!("{} is not in the catalogue", s.name));
        if s.scope_type != PermissionSetScopeType::UnknownScopeType {
            assert_eq!(known.scope, s.scope_type, "{}", s.name);
        }
    }
}

/// Every listing of the crate is one `Listable`: the same four consumers, no arguments,
/// the same items whichever is used (a generic function over the trait compiles for each).
async fn four_ways<L>(listing: L) -> Vec<L::Item>
where
    L: Listable<Error = scaleway_core::Error> + Clone,
    L::Item: PartialEq + std::fmt::Debug,
{
    let collected = listing.clone().collect().await.unwrap();
    let items: Vec<_> = listing.clone().items().try_collect().await.unwrap();
    let pages: Vec<_> = listing.clone().pages().try_collect().await.unwrap();
    let mut read = listing.listing();
    let mut reported = Vec::new();
    while let Some(page) = read.next().await {
        reported.extend(page.unwrap().items);
    }
    assert!(read.report().unwrap().is_complete());
    assert_eq!(items, collected);
    assert_eq!(
        pages.into_iter().flat_map(|p| p.items).collect::<Vec<_>>(),
        collected
    );
    assert_eq!(reported, collected);
    collected
}

#[tokio::test]
async fn every_listing_is_read_the_same_four_ways() {
    let sim = sim().await;
    let admin = client(&sim, "admin");
    let iam = IamApi::new(&admin);
    assert!(!four_ways(iam.list_users()).await.is_empty());
    assert!(!four_ways(iam.list_applications()).await.is_empty());
    assert!(!four_ways(iam.list_groups()).await.is_empty());
    assert!(!four_ways(iam.list_api_keys()).await.is_empty());
    assert!(!four_ways(iam.list_permission_sets()).await.is_empty());
    let policies = four_ways(iam.list_policies()).await;
    assert!(!policies.is_empty());
    four_ways(iam.list_rules(&policies[0].id)).await;
    assert!(
        !four_ways(AccountApi::new(&admin).list_projects())
            .await
            .is_empty()
    );
    // A bare paginator is read the same way.
    let raw = four_ways(
        admin
            .get("/iam/v1alpha1/policies")
            .query("organization_id", admin.default_organization_id().unwrap())
            .query("order_by", "created_at_asc")
            .paginate::<scaleway_iam::Policy>("policies"),
    )
    .await;
    assert_eq!(raw, policies);
}
