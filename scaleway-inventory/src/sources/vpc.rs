//! VPCs and private networks.

use scaleway_core::{Error, Locality, PageStyle, ProductLocalities};

use crate::model::vpc::{PrivateNetwork, Vpc};
use crate::resource::{ProductObject, Relation, RelationKind, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source};

/// VPC v2: `GET /vpc/v2/regions/{region}/vpcs` and `…/private-networks` (permission sets
/// `VPCReadOnly` and `PrivateNetworksReadOnly`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct VpcSource {}

impl VpcSource {
    /// The source.
    pub fn new() -> Self {
        VpcSource {}
    }
}

#[async_trait::async_trait]
impl Source for VpcSource {
    fn name(&self) -> &str {
        "vpc"
    }

    fn localities(&self) -> Vec<Locality> {
        ProductLocalities::VPC.all()
    }

    async fn list(&self, ctx: &ListContext, out: &mut Emitter) -> Result<(), Error> {
        let region = super::region_of(ctx)?;
        let source = self.name();
        let locality = ctx.locality.clone();
        let project = ctx.project_id.as_str();
        let vpcs = ctx
            .get("/vpc/v2/regions/{region}/vpcs")
            .region(&region)
            .query("project_id", project)
            .query(super::OLDEST_FIRST.0, super::OLDEST_FIRST.1);
        let pns = ctx
            .get("/vpc/v2/regions/{region}/private-networks")
            .region(&region)
            .query("project_id", project)
            .query(super::OLDEST_FIRST.0, super::OLDEST_FIRST.1);
        super::emit_pages_both(
            out,
            PageStyle::PageSize,
            (vpcs, "vpcs", |x: Vpc| {
                Some(vpc_resource(source, &locality, x))
            }),
            (pns, "private_networks", |x: PrivateNetwork| {
                Some(pn_resource(source, &locality, x))
            }),
        )
        .await
    }
}

fn vpc_resource(source: &str, locality: &Locality, v: Vpc) -> Resource {
    let (id, name, project, tags, created) = (
        v.id.clone(),
        v.name.clone(),
        v.project_id.clone(),
        v.tags.clone(),
        v.created_at,
    );
    Resource::new(
        ResourceKind::Vpc,
        source,
        locality.clone(),
        &id,
        ProductObject::Vpc(Box::new(v)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_tags(tags)
    .with_created_at(created)
}

fn pn_resource(source: &str, locality: &Locality, p: PrivateNetwork) -> Resource {
    let vpc =
        (!p.vpc_id.is_empty()).then(|| Resource::make_id(&ResourceKind::Vpc, locality, &p.vpc_id));
    let (id, name, project, tags, created) = (
        p.id.clone(),
        p.name.clone(),
        p.project_id.clone(),
        p.tags.clone(),
        p.created_at,
    );
    let mut r = Resource::new(
        ResourceKind::PrivateNetwork,
        source,
        locality.clone(),
        &id,
        ProductObject::PrivateNetwork(Box::new(p)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_tags(tags)
    .with_created_at(created);
    if let Some(vpc) = vpc {
        r.add_relation(Relation::new(RelationKind::PartOf, vpc));
    }
    r
}
