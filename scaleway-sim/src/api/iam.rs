//! IAM v1alpha1 (`shared/scaleway-api/iam.md`): API keys, applications, users, groups, policies,
//! rules and the permission-set catalogue. Writes go through [`State::iam_change`] so that their
//! enforcement waits for the IAM propagation delay.

use crate::error::{ApiError, Style};
use crate::http::{Ctx, RouteDef};

mod applications;
mod groups;
mod keys;
mod policies;

/// The IAM routes, one family per module (in this order).
pub(crate) fn routes(v: &mut Vec<RouteDef>) {
    keys::routes(v);
    applications::routes(v);
    groups::routes(v);
    policies::routes(v);
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
