//! The `empty` scenario: an Organization, its default project, one more and an `admin` key.

use super::Gen;
use crate::model::Bearer;
use crate::state::RuleSpec;

pub(super) fn empty(g: &mut Gen) {
    let default = g.project("default", "");
    g.project("main", "");
    g.user("owner@example.com", true);
    let admin = g.app_with_policy(
        "admin",
        "Full access",
        &[
            RuleSpec::organization(&["IAMManager", "ProjectManager"]),
            RuleSpec::organization(&["AllProductsFullAccess"]),
        ],
    );
    g.key(
        "admin",
        Bearer::Application(admin),
        "application \"admin\"",
        &default,
        None,
        "IAMManager + ProjectManager (organization) and AllProductsFullAccess on all projects",
        true,
    );
}
