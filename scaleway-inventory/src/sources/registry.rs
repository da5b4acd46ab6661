//! Container Registry namespaces.
//!
//! Implemented against scaleway-core directly while `scaleway-registry` has no namespace
//! listing yet: swapping it for the registry crate's call only touches `list` below and
//! the `Namespace` model it maps.

use scaleway_core::{Error, Locality, PageStyle, ProductLocalities};

use crate::model::registry::Namespace;
use crate::resource::{ProductObject, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source, emit_pages};

/// Registry v1: `GET /registry/v1/regions/{region}/namespaces` in every region where the
/// registry API exists (permission set `ContainerRegistryReadOnly`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RegistrySource {}

impl RegistrySource {
    /// The source.
    pub fn new() -> Self {
        RegistrySource {}
    }
}

#[async_trait::async_trait]
impl Source for RegistrySource {
    fn name(&self) -> &str {
        "registry"
    }

    fn localities(&self) -> Vec<Locality> {
        ProductLocalities::REGISTRY.all()
    }

    async fn list(&self, ctx: &ListContext, out: &mut Emitter) -> Result<(), Error> {
        let region = super::region_of(ctx)?;
        let source = self.name();
        let locality = ctx.locality.clone();
        let request = ctx
            .client
            .get("/registry/v1/regions/{region}/namespaces")
            .region(&region)
            .query("project_id", ctx.project_id.as_str());
        emit_pages(request, "namespaces", PageStyle::PageSize, out, |n: Namespace| {
            Some(namespace_resource(source, &locality, n))
        })
        .await
        .map(|_| ())
    }
}

fn namespace_resource(source: &str, locality: &Locality, n: Namespace) -> Resource {
    let (id, name, project, state, size, created) = (
        n.id.clone(),
        n.name.clone(),
        n.project_id.clone(),
        n.status.as_str().to_owned(),
        n.size,
        n.created_at,
    );
    Resource::new(
        ResourceKind::RegistryNamespace,
        source,
        locality.clone(),
        &id,
        ProductObject::RegistryNamespace(Box::new(n)),
    )
    .with_name(name)
    .with_project(project)
    .with_state(state)
    .with_size(Some(size))
    .with_created_at(created)
}
