//! Block Storage volumes (joined to servers through their `references`) and snapshots.

use scaleway_core::{Error, Locality, PageStyle, ProductLocalities, Zone};

use crate::model::block::{Snapshot, Volume};
use crate::resource::{BackupRole, ProductObject, Relation, RelationKind, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source};

/// Block Storage v1: `GET /block/v1/zones/{zone}/volumes` and `…/snapshots` in every zone
/// where Block Storage exists (permission set `BlockStorageReadOnly`), with
/// `include_deleted=false&order_by=created_at_asc` as the official clients send them
/// (recorded). v1 answers carry each volume's `kms_key_id` and each snapshot's `public`.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct BlockSource {}

impl BlockSource {
    /// The source.
    pub fn new() -> Self {
        BlockSource {}
    }
}

#[async_trait::async_trait]
impl Source for BlockSource {
    fn name(&self) -> &str {
        "block"
    }

    fn localities(&self) -> Vec<Locality> {
        ProductLocalities::BLOCK.all()
    }

    async fn list(&self, ctx: &ListContext, out: &mut Emitter) -> Result<(), Error> {
        let zone = super::zone_of(ctx)?;
        let source = self.name();
        let project = ctx.project_id.as_str();
        let volumes = ctx
            .get("/block/v1/zones/{zone}/volumes")
            .zone(&zone)
            .query("project_id", project)
            .query("include_deleted", "false")
            .query("order_by", "created_at_asc");
        let snapshots = ctx
            .get("/block/v1/zones/{zone}/snapshots")
            .zone(&zone)
            .query("project_id", project)
            .query("include_deleted", "false")
            .query("order_by", "created_at_asc");
        super::emit_pages_both(
            out,
            PageStyle::PageSize,
            (volumes, "volumes", |x: Volume| {
                Some(volume_resource(source, &zone, x))
            }),
            (snapshots, "snapshots", |x: Snapshot| {
                Some(snapshot_resource(source, &zone, x))
            }),
        )
        .await
    }
}

fn volume_resource(source: &str, zone: &Zone, v: Volume) -> Resource {
    let vzone = v.zone.clone().unwrap_or_else(|| zone.clone());
    let locality = Locality::Zone(vzone);
    let relations: Vec<Relation> = v
        .attached_servers()
        .map(|server| {
            Relation::new(
                RelationKind::AttachedTo,
                Resource::make_id(&ResourceKind::InstanceServer, &locality, &server.to_str()),
            )
        })
        .collect();
    let (id, name, project, tags, state, size, created) = (
        v.id.clone(),
        v.name.clone(),
        v.project_id.clone(),
        v.tags.clone(),
        v.status.as_str().to_owned(),
        v.size,
        v.created_at,
    );
    let mut r = Resource::new(
        ResourceKind::BlockVolume,
        source,
        locality,
        &id.to_str(),
        ProductObject::BlockVolume(Box::new(v)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_tags(tags)
    .with_state(state)
    .with_size(Some(size))
    .with_created_at(created)
    .with_roles(&[BackupRole::Source, BackupRole::Destination]);
    for rel in relations {
        r.add_relation(rel);
    }
    r
}

fn snapshot_resource(source: &str, zone: &Zone, s: Snapshot) -> Resource {
    let szone = s.zone.clone().unwrap_or_else(|| zone.clone());
    let locality = Locality::Zone(szone);
    let parent = s
        .parent_volume
        .as_ref()
        .filter(|p| !p.id.is_empty())
        .map(|p| Resource::make_id(&ResourceKind::BlockVolume, &locality, &p.id.to_str()));
    let (id, name, project, tags, state, size, created) = (
        s.id.clone(),
        s.name.clone(),
        s.project_id.clone(),
        s.tags.clone(),
        s.status.as_str().to_owned(),
        s.size,
        s.created_at,
    );
    let mut r = Resource::new(
        ResourceKind::BlockSnapshot,
        source,
        locality,
        &id.to_str(),
        ProductObject::BlockSnapshot(Box::new(s)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_tags(tags)
    .with_state(state)
    .with_size(Some(size))
    .with_created_at(created);
    if let Some(p) = parent {
        r.add_relation(Relation::new(RelationKind::SnapshotOf, p));
    }
    r
}
