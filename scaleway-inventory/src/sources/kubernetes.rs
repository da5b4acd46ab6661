//! Kapsule clusters and their pools (pools are listed per cluster: there is no
//! region-wide pool listing).

use futures::StreamExt;
use scaleway_core::{Error, Listable, Locality, PageStyle, ProductLocalities};

use crate::model::k8s::{Cluster, Pool};
use crate::resource::{Note, ProductObject, Relation, RelationKind, Resource, ResourceKind};
use crate::source::{Emitter, ListContext, Source};

/// Kubernetes v1: `GET /k8s/v1/regions/{region}/clusters`, then
/// `…/clusters/{cluster_id}/pools` for each cluster, oldest first (permission set
/// `KubernetesReadOnly`). The listing's reads add up the clusters' and every pools listing's.
///
/// A cluster deleted between the two calls (its pools listing answers 404) is still
/// reported, with a [`Note`] saying its pools are unknown; the region's listing goes on.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct KubernetesSource {}

impl KubernetesSource {
    /// The source.
    pub fn new() -> Self {
        KubernetesSource {}
    }
}

#[async_trait::async_trait]
impl Source for KubernetesSource {
    fn name(&self) -> &str {
        "kubernetes"
    }

    fn localities(&self) -> Vec<Locality> {
        ProductLocalities::K8S.all()
    }

    async fn list(&self, ctx: &ListContext, out: &mut Emitter) -> Result<(), Error> {
        let region = super::region_of(ctx)?;
        let locality = ctx.locality.clone();
        let (clusters, reads) = ctx
            .get("/k8s/v1/regions/{region}/clusters")
            .region(&region)
            .query("project_id", ctx.project_id.as_str())
            .query(super::OLDEST_FIRST.0, super::OLDEST_FIRST.1)
            .paginate::<Cluster>("clusters")
            .listing()
            .collect_with_report()
            .await?;
        out.record_reads(&reads);
        out.announce(clusters.len() as u64).await;
        // Pools of every cluster at once (the client's global bound applies); each cluster
        // is emitted with its pools.
        let mut pools = futures::stream::iter(clusters)
            .map(|cluster| {
                let request = ctx
                    .get("/k8s/v1/regions/{region}/clusters/{cluster_id}/pools")
                    .region(&region)
                    .path("cluster_id", &cluster.id)
                    .query(super::OLDEST_FIRST.0, super::OLDEST_FIRST.1);
                async move {
                    let pools = request
                        .paginate::<Pool>("pools")
                        .style(PageStyle::PageSize)
                        .listing()
                        .collect_with_report()
                        .await;
                    (cluster, pools)
                }
            })
            .buffer_unordered(16);
        while let Some((cluster, list)) = pools.next().await {
            let list = match list {
                Ok((list, reads)) => {
                    out.record_reads(&reads);
                    list
                }
                // Deleted between the cluster listing and its pools listing: the cluster
                // is reported (it was listed) with a note; its pools are unknown.
                Err(e) if e.is_not_found() => {
                    let note = Note::new(
                        ["relations"],
                        format!(
                            "pools not listed: the cluster was not found when its pools were listed (deleted during the sync?): {e}"
                        ),
                    );
                    out.emit(cluster_resource(self.name(), &locality, cluster).with_note(note))
                        .await?;
                    continue;
                }
                Err(e) => return Err(e),
            };
            out.emit(cluster_resource(self.name(), &locality, cluster))
                .await?;
            out.announce(list.len() as u64).await;
            for p in list {
                out.emit(pool_resource(
                    self.name(),
                    &locality,
                    ctx.project_id.as_str(),
                    p,
                ))
                .await?;
            }
        }
        Ok(())
    }
}

fn cluster_resource(source: &str, locality: &Locality, c: Cluster) -> Resource {
    let (id, name, project, tags, state, created) = (
        c.id.clone(),
        c.name.clone(),
        c.project_id.clone(),
        c.tags.clone(),
        c.status.as_str().to_owned(),
        c.created_at,
    );
    let pn = c
        .private_network_id
        .clone()
        .filter(|p| !p.is_empty())
        .map(|p| Resource::make_id(&ResourceKind::PrivateNetwork, locality, &p));
    let mut r = Resource::new(
        ResourceKind::KubernetesCluster,
        source,
        locality.clone(),
        &id,
        ProductObject::KubernetesCluster(Box::new(c)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_tags(tags)
    .with_state(state)
    .with_created_at(created);
    if let Some(pn) = pn {
        r.add_relation(Relation::new(RelationKind::AttachedTo, pn));
    }
    r
}

fn pool_resource(source: &str, locality: &Locality, project: &str, p: Pool) -> Resource {
    let cluster = Resource::make_id(&ResourceKind::KubernetesCluster, locality, &p.cluster_id);
    let (id, name, tags, state, created) = (
        p.id.clone(),
        p.name.clone(),
        p.tags.clone(),
        p.status.as_str().to_owned(),
        p.created_at,
    );
    Resource::new(
        ResourceKind::KubernetesPool,
        source,
        locality.clone(),
        &id,
        ProductObject::KubernetesPool(Box::new(p)),
    )
    .with_name(name)
    .with_server_project(project)
    .with_tags(tags)
    .with_state(state)
    .with_created_at(created)
    .with_relation(Relation::new(RelationKind::PartOf, cluster))
}
