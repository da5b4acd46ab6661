//! IAM v1alpha1 (`shared/scaleway-api/iam.md`): API keys, applications, users, groups, policies,
//! rules and the permission-set catalogue. Writes go through [`State::iam_change`] so that their
//! enforcement waits for the IAM propagation delay.

use http::Method;

use super::add;
use crate::error::{ApiError, Style};
use crate::http::{Ctx, Loc, RouteDef};
use crate::iam::{Action, Product};

mod applications;
mod groups;
mod keys;
mod policies;

use applications::{create_app, delete_app, get_app, list_apps, update_app};
use groups::{
    add_member, create_group, delete_group, get_group, get_user, list_groups, list_users,
    remove_member, set_members,
};
use keys::{create_key, delete_key, get_key, list_keys, update_key};
use policies::{
    create_policy, delete_policy, get_policy, list_policies, list_rules, list_sets, set_rules,
    update_policy,
};

pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    use Action::{Read, Write};
    use Method as M;
    let g = Loc::Global;
    let (k, a, u, gr, p) = (
        Product::IamApiKeys,
        Product::IamApplications,
        Product::IamUsers,
        Product::IamGroups,
        Product::IamPolicies,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/api-keys",
        g,
        k,
        Read,
        "api_key",
        list_keys,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/api-keys",
        g,
        k,
        Write,
        "api_key",
        create_key,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/api-keys/{access_key}",
        g,
        k,
        Read,
        "api_key",
        get_key,
    );
    add(
        v,
        M::PATCH,
        "/iam/v1alpha1/api-keys/{access_key}",
        g,
        k,
        Write,
        "api_key",
        update_key,
    );
    add(
        v,
        M::DELETE,
        "/iam/v1alpha1/api-keys/{access_key}",
        g,
        k,
        Write,
        "api_key",
        delete_key,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/applications",
        g,
        a,
        Read,
        "application",
        list_apps,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/applications",
        g,
        a,
        Write,
        "application",
        create_app,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/applications/{application_id}",
        g,
        a,
        Read,
        "application",
        get_app,
    );
    add(
        v,
        M::PATCH,
        "/iam/v1alpha1/applications/{application_id}",
        g,
        a,
        Write,
        "application",
        update_app,
    );
    add(
        v,
        M::DELETE,
        "/iam/v1alpha1/applications/{application_id}",
        g,
        a,
        Write,
        "application",
        delete_app,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/users",
        g,
        u,
        Read,
        "user",
        list_users,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/users/{user_id}",
        g,
        u,
        Read,
        "user",
        get_user,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/groups",
        g,
        gr,
        Read,
        "group",
        list_groups,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/groups",
        g,
        gr,
        Write,
        "group",
        create_group,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/groups/{group_id}",
        g,
        gr,
        Read,
        "group",
        get_group,
    );
    add(
        v,
        M::DELETE,
        "/iam/v1alpha1/groups/{group_id}",
        g,
        gr,
        Write,
        "group",
        delete_group,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/groups/{group_id}/add-member",
        g,
        gr,
        Write,
        "group",
        add_member,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/groups/{group_id}/remove-member",
        g,
        gr,
        Write,
        "group",
        remove_member,
    );
    add(
        v,
        M::PUT,
        "/iam/v1alpha1/groups/{group_id}/members",
        g,
        gr,
        Write,
        "group",
        set_members,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/policies",
        g,
        p,
        Read,
        "policy",
        list_policies,
    );
    add(
        v,
        M::POST,
        "/iam/v1alpha1/policies",
        g,
        p,
        Write,
        "policy",
        create_policy,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/policies/{policy_id}",
        g,
        p,
        Read,
        "policy",
        get_policy,
    );
    add(
        v,
        M::DELETE,
        "/iam/v1alpha1/policies/{policy_id}",
        g,
        p,
        Write,
        "policy",
        delete_policy,
    );
    add(
        v,
        M::PATCH,
        "/iam/v1alpha1/policies/{policy_id}",
        g,
        p,
        Write,
        "policy",
        update_policy,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/rules",
        g,
        p,
        Read,
        "policy",
        list_rules,
    );
    add(
        v,
        M::PUT,
        "/iam/v1alpha1/rules",
        g,
        p,
        Write,
        "policy",
        set_rules,
    );
    add(
        v,
        M::GET,
        "/iam/v1alpha1/permission-sets",
        g,
        p,
        Read,
        "policy",
        list_sets,
    );
}

fn nf(resource: &'static str, id: &str) -> ApiError {
    ApiError::NotFound {
        resource,
        id: id.to_owned(),
        style: Style::Standard,
    }
}

fn org_filter<'a>(ctx: &'a Ctx<'_>) -> Result<Option<&'a str>, ApiError> {
    ctx.uuid_query("organization_id")
}
