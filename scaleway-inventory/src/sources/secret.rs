//! Secret Manager secrets, metadata only: this source never reads a secret value (there is
//! no call to `…/versions/{revision}/access` anywhere in this crate).

use std::collections::HashSet;

use scaleway_core::{Error, Locality, PageStyle, ProductLocalities};

use crate::model::Id;
use crate::model::secret::Secret;
use crate::resource::{BackupRole, ProductObject, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source, emit_pages};

/// Secret Manager v1beta1: `GET /secret-manager/v1beta1/regions/{region}/secrets` in every
/// region where Secret Manager exists (permission set `SecretManagerReadOnly`; no secret
/// access needed).
///
/// The API lists either the secrets not scheduled for deletion
/// (`scheduled_for_deletion=false`, its default) or only those scheduled for deletion
/// (`true`), so each region is listed twice, one after the other: the secrets scheduled for
/// deletion (still restorable) are reported with the state [`SecretSource::SCHEDULED_FOR_DELETION`] and
/// their `deletion_requested_at`. A secret found by both listings (its deletion was requested
/// in between) is reported once, as the first listing saw it; listing the other way round
/// would instead miss it.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SecretSource {}

impl SecretSource {
    /// The [`Resource::state`] of a secret scheduled for deletion (its API `status` stays
    /// `ready`, recorded; its `deletion_requested_at` is set). Such a secret can still be
    /// restored.
    pub const SCHEDULED_FOR_DELETION: &'static str = "scheduled_for_deletion";

    /// The source.
    pub fn new() -> Self {
        SecretSource {}
    }
}

#[async_trait::async_trait]
impl Source for SecretSource {
    fn name(&self) -> &str {
        "secret"
    }

    fn localities(&self) -> Vec<Locality> {
        ProductLocalities::SECRET_MANAGER.all()
    }

    async fn list(&self, ctx: &ListContext, out: &mut Emitter) -> Result<(), Error> {
        let region = super::region_of(ctx)?;
        let source = self.name();
        let locality = &ctx.locality;
        // ListSecrets needs `project_id` (or `organization_id`).
        let request = |scheduled: bool| {
            ctx.get("/secret-manager/v1beta1/regions/{region}/secrets")
                .region(&region)
                .query("project_id", ctx.project_id.as_str())
                .query("scheduled_for_deletion", scheduled)
                .query(super::OLDEST_FIRST.0, super::OLDEST_FIRST.1)
        };
        let mut seen: HashSet<Id> = HashSet::new();
        emit_pages(
            request(false),
            "secrets",
            PageStyle::PageSize,
            out,
            |s: Secret| {
                seen.insert(s.id.clone());
                Some(secret_resource(source, locality, s, false))
            },
        )
        .await?;
        emit_pages(
            request(true),
            "secrets",
            PageStyle::PageSize,
            out,
            |s: Secret| (!seen.contains(&s.id)).then(|| secret_resource(source, locality, s, true)),
        )
        .await
        .map(|_| ())
    }
}

/// `scheduled`: listed with `scheduled_for_deletion=true`.
fn secret_resource(source: &str, locality: &Locality, s: Secret, scheduled: bool) -> Resource {
    let state = if scheduled || s.is_scheduled_for_deletion() {
        SecretSource::SCHEDULED_FOR_DELETION.to_owned()
    } else {
        s.status.as_str().to_owned()
    };
    let (id, name, project, tags, created) = (
        s.id.clone(),
        s.name.clone(),
        s.project_id.clone(),
        s.tags.clone(),
        s.created_at,
    );
    Resource::new(
        ResourceKind::Secret,
        source,
        locality.clone(),
        &id.to_str(),
        ProductObject::Secret(Box::new(s)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_tags(tags)
    .with_state(state)
    .with_created_at(created)
    .with_roles(&[BackupRole::Source, BackupRole::Destination])
}
