//! Instance servers (with their attached volumes) and Instance local volumes.

use scaleway_core::{Error, Locality, PageStyle, ProductLocalities, Zone};

use crate::model::instance::{Server, Volume, VolumeServerVolumeType, VolumeType};
use crate::resource::{BackupRole, ProductObject, Relation, RelationKind, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source};

/// Instance v1: `GET /instance/v1/zones/{zone}/servers` (`order=creation_date_asc`) and
/// `…/volumes` (no documented order) in every zone where Instance exists (permission set
/// `InstancesReadOnly`).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct InstanceSource {}

impl InstanceSource {
    /// The source.
    pub fn new() -> Self {
        InstanceSource {}
    }
}

#[async_trait::async_trait]
impl Source for InstanceSource {
    fn name(&self) -> &str {
        "instance"
    }

    fn localities(&self) -> Vec<Locality> {
        ProductLocalities::INSTANCE.all()
    }

    async fn list(&self, ctx: &ListContext, out: &mut Emitter) -> Result<(), Error> {
        let zone = super::zone_of(ctx)?;
        let source = self.name();
        let project = ctx.project_id.as_str();
        // Oldest first (the API's default is newest first, where every creation during the
        // sync shifts every later page).
        let servers = ctx
            .get("/instance/v1/zones/{zone}/servers")
            .zone(&zone)
            .query("project", project)
            .query("order", "creation_date_asc");
        // ListVolumes documents no order: none is sent.
        let volumes = ctx
            .get("/instance/v1/zones/{zone}/volumes")
            .zone(&zone)
            .query("project", project);
        super::emit_pages_both(
            out,
            PageStyle::PerPage,
            (servers, "servers", |x: Server| {
                Some(server_resource(source, &zone, x))
            }),
            (volumes, "volumes", |x: Volume| {
                volume_resource(source, &zone, x)
            }),
        )
        .await
    }
}

pub(crate) fn server_resource(source: &str, zone: &Zone, s: Server) -> Resource {
    let locality = Locality::Zone(zone.clone());
    let mut relations = Vec::new();
    let mut has_block = false;
    let mut local_size: u64 = 0;
    let mut sizes_known = true;
    for (_, v) in s.volumes_in_order() {
        let vzone = v.zone.clone().unwrap_or_else(|| zone.clone());
        let kind = if v.volume_type == VolumeServerVolumeType::SbsVolume {
            has_block = true;
            sizes_known = false;
            ResourceKind::BlockVolume
        } else {
            match v.size {
                Some(n) => local_size += n,
                None => sizes_known = false,
            }
            ResourceKind::InstanceVolume
        };
        relations.push(Relation::new(
            RelationKind::HasAttached,
            Resource::make_id(&kind, &Locality::Zone(vzone), &v.id.to_str()),
        ));
    }
    let roles: &[BackupRole] = if has_block {
        &[BackupRole::Source, BackupRole::Destination]
    } else {
        &[]
    };
    let (name, project, tags, state, created) = (
        s.name.clone(),
        s.project.clone(),
        s.tags.clone(),
        s.state.as_str().to_owned(),
        s.creation_date,
    );
    let id = s.id.clone();
    let mut r = Resource::new(
        ResourceKind::InstanceServer,
        source,
        locality,
        &id.to_str(),
        ProductObject::InstanceServer(Box::new(s)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_tags(tags)
    .with_state(state)
    .with_size(sizes_known.then_some(local_size))
    .with_created_at(created)
    .with_roles(roles);
    for rel in relations {
        r.add_relation(rel);
    }
    r
}

fn volume_resource(source: &str, zone: &Zone, v: Volume) -> Option<Resource> {
    // Block Storage volumes belong to the Block source.
    if matches!(
        v.volume_type,
        VolumeType::SbsVolume | VolumeType::SbsSnapshot
    ) {
        return None;
    }
    let vzone = v.zone.clone().unwrap_or_else(|| zone.clone());
    let server_id = v.server.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    let (id, name, project, tags, state, size, created) = (
        v.id.clone(),
        v.name.clone(),
        v.project.clone(),
        v.tags.clone(),
        v.state.as_str().to_owned(),
        v.size,
        v.creation_date,
    );
    let mut r = Resource::new(
        ResourceKind::InstanceVolume,
        source,
        Locality::Zone(vzone.clone()),
        &id.to_str(),
        ProductObject::InstanceVolume(Box::new(v)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_tags(tags)
    .with_state(state)
    .with_size(Some(size))
    .with_created_at(created);
    if !server_id.is_empty() {
        r.add_relation(Relation::new(
            RelationKind::AttachedTo,
            Resource::make_id(
                &ResourceKind::InstanceServer,
                &Locality::Zone(vzone),
                &server_id.to_str(),
            ),
        ));
    }
    Some(r)
}
