//! The `empty` scenario: an Organization, its default project, one more and an `admin` key.

use super::Gen;

pub(super) fn empty(g: &mut Gen) {
    let default = g.project("default", "");
    g.project("main", "");
    g.user("owner@example.com", true);
    let admin = g.admin_app();
    g.admin_key(admin, &default);
}
