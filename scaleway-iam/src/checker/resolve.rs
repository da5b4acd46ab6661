//! Resolution: key → bearer → groups (including the built-in "all users" / "all
//! applications" groups) → policies attached to the bearer or its groups → every rule
//! (paginated) → grants.

use futures::{StreamExt, TryStreamExt};
use scaleway_core::{AccessKey, Error, Listable};

use super::catalogue::Catalogue;
use super::evaluate::Resolution;
use super::report::{Grant, GrantPath};
use crate::IamApi;
use crate::model::{Bearer, Group, Policy, PolicyId, PolicyPrincipal};

/// Concurrent rule listings.
const RULE_CONCURRENCY: usize = 8;

/// Resolves everything IAM says about `access_key`, read with `iam`'s client.
///
/// A 404 on the key gives a resolution without key; other errors (403 without IAM read,
/// 401, transport) are returned.
pub(crate) async fn resolve(
    iam: &IamApi,
    catalogue: &Catalogue,
    access_key: &AccessKey,
) -> Result<Resolution, Error> {
    let mut res = Resolution::default();
    let key = match iam.get_api_key(access_key).await {
        Ok(k) => k,
        Err(e) if e.is_not_found() => return Ok(res),
        Err(e) => return Err(e),
    };
    if let Some(t) = key.created_at {
        res.changes
            .push((t, format!("API key {} created", key.access_key)));
    }
    if let Some(t) = key.updated_at.filter(|u| Some(*u) != key.created_at) {
        res.changes
            .push((t, format!("API key {} updated", key.access_key)));
    }
    let bearer = key.bearer();
    res.key = Some(key);
    let Some(bearer) = bearer else {
        return Ok(res);
    };
    let org = match &bearer {
        Bearer::Application(id) => {
            let app = iam.get_application(id).await?;
            res.bearer_name = Some(app.name);
            app.organization_id
        }
        Bearer::User(id) => {
            let user = iam.get_user(id).await?;
            res.bearer_name = Some(user.email);
            res.user_type = Some(user.user_type);
            user.organization_id
        }
    };
    // An empty Organization is unknown, not a filter: the listings then fall back on the
    // client's default Organization, or go without the filter.
    res.organization_id = Some(org).filter(|o| !o.is_empty());
    res.bearer = Some(bearer.clone());
    let (mut groups, mut policies) = (iam.list_groups(), iam.list_policies());
    if let Some(org) = &res.organization_id {
        groups = groups.organization_id(org);
        policies = policies.organization_id(org);
    }
    let (groups, policies) = futures::try_join!(groups.collect(), policies.collect())?;
    let groups: Vec<Group> = groups.into_iter().filter(|g| g.contains(&bearer)).collect();
    for g in &groups {
        if let Some(t) = g.updated_at {
            res.changes
                .push((t, format!("group \"{}\" changed", g.name)));
        }
    }
    // Policies of the bearer itself, or of one of its groups.
    let mine: Vec<(Policy, Option<&Group>)> = policies
        .into_iter()
        .filter_map(|p| {
            let via = match (p.principal(), &bearer) {
                (PolicyPrincipal::Application(a), Bearer::Application(b)) if a == *b => None,
                (PolicyPrincipal::User(a), Bearer::User(b)) if a == *b => None,
                (PolicyPrincipal::Group(g), _) => {
                    return groups.iter().find(|x| x.id == g).map(|grp| (p, Some(grp)));
                }
                _ => return None,
            };
            Some((p, via))
        })
        .collect();
    for (p, via) in &mine {
        if via.is_none() {
            res.direct_policies.push((p.id.clone(), p.name.clone()));
        }
        if let Some(t) = p.updated_at.or(p.created_at) {
            res.changes
                .push((t, format!("policy \"{}\" changed", p.name)));
        }
    }
    // Owned IDs: a closure over `&(Policy, Option<&Group>)` would make the future not
    // provably `Send` (rustc's higher-ranked lifetime limitation), and batch checks run it on
    // a multi-threaded runtime.
    let ids: Vec<PolicyId> = mine.iter().map(|(p, _)| p.id.clone()).collect();
    let rules: Vec<Vec<crate::model::Rule>> = futures::stream::iter(ids)
        .map(|id| iam.list_rules(&id).collect())
        .buffered(RULE_CONCURRENCY)
        .try_collect()
        .await?;
    for ((policy, via), rules) in mine.iter().zip(rules) {
        for rule in rules {
            for set in &rule.permission_set_names {
                res.grants.push(Grant {
                    permission_set: set.clone(),
                    set_scope: catalogue.scope_of(set, &rule.permission_sets_scope_type),
                    scope: rule.scope(),
                    condition: rule.condition.trim().to_owned(),
                    path: GrantPath {
                        policy_id: policy.id.to_string(),
                        policy_name: policy.name.clone(),
                        rule_id: rule.id.clone(),
                        group_id: via.map(|g| g.id.to_string()),
                        group_name: via.map(|g| g.name.clone()),
                        group_membership: via.and_then(|g| {
                            if g.all_applications && matches!(bearer, Bearer::Application(_)) {
                                Some("all_applications".to_owned())
                            } else if g.all_users && matches!(bearer, Bearer::User(_)) {
                                Some("all_users".to_owned())
                            } else {
                                None
                            }
                        }),
                    },
                });
            }
        }
    }
    Ok(res)
}
