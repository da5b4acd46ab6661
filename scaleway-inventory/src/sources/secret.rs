//! Secret Manager secrets, metadata only: this source never reads a secret value (there is
//! no call to `…/versions/{revision}/access` anywhere in this crate).

use scaleway_core::{Error, Locality, PageStyle, ProductLocalities};

use crate::model::secret::Secret;
use crate::resource::{BackupRole, ProductObject, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source, emit_pages};

/// Secret Manager v1beta1: `GET /secret-manager/v1beta1/regions/{region}/secrets` in every
/// region where Secret Manager exists (permission set `SecretManagerReadOnly`; no secret
/// access needed).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SecretSource {}

impl SecretSource {
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
        let locality = ctx.locality.clone();
        // ListSecrets needs `project_id` (or `organization_id`).
        let request = ctx
            .get("/secret-manager/v1beta1/regions/{region}/secrets")
            .region(&region)
            .query("project_id", ctx.project_id.as_str())
            .query(super::OLDEST_FIRST.0, super::OLDEST_FIRST.1);
        emit_pages(request, "secrets", PageStyle::PageSize, out, |s: Secret| {
            let (id, name, project, tags, state, created) = (
                s.id.clone(),
                s.name.clone(),
                s.project_id.clone(),
                s.tags.clone(),
                s.status.as_str().to_owned(),
                s.created_at,
            );
            Some(
                Resource::new(
                    ResourceKind::Secret,
                    source,
                    locality.clone(),
                    &id,
                    ProductObject::Secret(Box::new(s)),
                )
                .with_name(name)
                .with_project(project)
                .with_tags(tags)
                .with_state(state)
                .with_created_at(created)
                .with_roles(&[BackupRole::Source, BackupRole::Destination]),
            )
        })
        .await
        .map(|_| ())
    }
}
