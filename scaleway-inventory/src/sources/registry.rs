//! Container Registry namespaces: scaleway-registry's model and error explanations, with the
//! inventory's retry policy.

use scaleway_core::{Error, Locality, PageStyle, ProductLocalities};
use scaleway_registry::{Diagnosis, Namespace, RegistryApi};

use crate::report::LocalityStatus;
use crate::resource::{ProductObject, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source, emit_pages};

/// Registry v1 namespaces (`GET /registry/v1/regions/{region}/namespaces`, the listing
/// behind [`scaleway_registry::RegistryApi::list_namespaces`]) in every region where the
/// registry API exists (permission set `ContainerRegistryReadOnly`).
///
/// Items are scaleway-registry's [`Namespace`] and a denial is explained by
/// [`RegistryApi::explain`] (with the missing permission); the call itself is made here,
/// through scaleway-core, so that the inventory's retry policy applies to it (the
/// registry's listing builder takes none).
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
        let request = ctx
            .get("/registry/v1/regions/{region}/namespaces")
            .region(&region)
            .query("project_id", ctx.project_id.as_str())
            .query(super::OLDEST_FIRST.0, super::OLDEST_FIRST.1);
        let result = emit_pages(
            request,
            "namespaces",
            PageStyle::PageSize,
            out,
            |mut n: Namespace| {
                if n.region.as_str().is_empty() {
                    n.region = region.clone();
                }
                Some(namespace_resource(source, &ctx.locality, n))
            },
        )
        .await;
        match result {
            Ok(_) => Ok(()),
            Err(e) if e.api_error().is_some() => {
                Err(into_core(RegistryApi::new(&ctx.client).explain(e), out))
            }
            Err(e) => Err(e),
        }
    }
}

/// The core error of a registry error; a denial (which scaleway-registry explains with
/// the missing permission set) is reported as such.
fn into_core(e: scaleway_registry::Error, out: &mut Emitter) -> Error {
    let message = e.to_string();
    if let Diagnosis::PermissionDenied { denied, .. } = e.diagnosis() {
        out.set_status(LocalityStatus::Denied {
            missing: denied.clone(),
            message: message.clone(),
        });
        return Error::invalid_request(message);
    }
    let explained = !matches!(e.diagnosis(), Diagnosis::Api);
    match e.into_api_error() {
        Some(inner) if !explained => inner,
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
        id.as_str(),
        ProductObject::RegistryNamespace(Box::new(n)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_state(state)
    .with_size(Some(size))
    .with_created_at(created)
}
