//! Container Registry namespaces, listed through scaleway-registry.

use futures::StreamExt;
use scaleway_core::{Error, Locality, ProductLocalities};
use scaleway_registry::{Namespace, RegistryApi, RegistryError};

use crate::report::LocalityStatus;
use crate::resource::{ProductObject, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source};

/// Registry v1 namespaces through [`scaleway_registry::RegistryApi::list_namespaces`], in
/// every region where the registry API exists (permission set `ContainerRegistryReadOnly`).
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
        let mut items = RegistryApi::new(&ctx.client)
            .list_namespaces()
            .project_id(ctx.project_id.as_str())
            .items(&region);
        while let Some(item) = items.next().await {
            match item {
                Ok(n) => {
                    out.emit(namespace_resource(self.name(), &ctx.locality, n))
                        .await?
                }
                Err(e) => return Err(into_core(e, out)),
            }
        }
        Ok(())
    }
}

/// The core error of a registry error; a denial (which scaleway-registry explains with
/// the missing permission set) is reported as such.
fn into_core(e: RegistryError, out: &mut Emitter) -> Error {
    let message = e.to_string();
    match e {
        RegistryError::Api(inner) => inner,
        RegistryError::PermissionDenied { denied, .. } => {
            out.set_status(LocalityStatus::Denied {
                missing: denied,
                message: message.clone(),
            });
            Error::invalid_request(message)
        }
        _ => Error::invalid_request(message),
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
