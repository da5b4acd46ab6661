//! The uniform [`Resource`] every source produces.

use std::fmt;

use scaleway_core::{Locality, Timestamp};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{block, instance, k8s, object_storage, secret, vpc};

/// What a resource is.
///
/// Serializes as its name (`instance_server`, …). Kinds of custom sources are kept as
/// [`ResourceKind::Custom`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ResourceKind {
    /// An Instance server.
    InstanceServer,
    /// An Instance (local) volume.
    InstanceVolume,
    /// A Block Storage volume.
    BlockVolume,
    /// A Block Storage snapshot.
    BlockSnapshot,
    /// A Secret Manager secret (metadata only).
    Secret,
    /// An Object Storage bucket.
    Bucket,
    /// A Kubernetes Kapsule cluster.
    KubernetesCluster,
    /// A Kubernetes Kapsule node pool.
    KubernetesPool,
    /// A VPC.
    Vpc,
    /// A VPC private network.
    PrivateNetwork,
    /// A Container Registry namespace.
    RegistryNamespace,
    /// A kind from a custom source.
    Custom(String),
}

impl ResourceKind {
    /// Every built-in kind.
    pub const BUILT_IN: [ResourceKind; 11] = [
        ResourceKind::InstanceServer,
        ResourceKind::InstanceVolume,
        ResourceKind::BlockVolume,
        ResourceKind::BlockSnapshot,
        ResourceKind::Secret,
        ResourceKind::Bucket,
        ResourceKind::KubernetesCluster,
        ResourceKind::KubernetesPool,
        ResourceKind::Vpc,
        ResourceKind::PrivateNetwork,
        ResourceKind::RegistryNamespace,
    ];

    /// The kind's name (`instance_server`, …).
    pub fn as_str(&self) -> &str {
        match self {
            ResourceKind::InstanceServer => "instance_server",
            ResourceKind::InstanceVolume => "instance_volume",
            ResourceKind::BlockVolume => "block_volume",
            ResourceKind::BlockSnapshot => "block_snapshot",
            ResourceKind::Secret => "secret",
            ResourceKind::Bucket => "bucket",
            ResourceKind::KubernetesCluster => "k8s_cluster",
            ResourceKind::KubernetesPool => "k8s_pool",
            ResourceKind::Vpc => "vpc",
            ResourceKind::PrivateNetwork => "private_network",
            ResourceKind::RegistryNamespace => "registry_namespace",
            ResourceKind::Custom(s) => s,
        }
    }

    /// The kind with this name (a custom kind for an unknown name).
    pub fn from_name(name: &str) -> ResourceKind {
        ResourceKind::BUILT_IN
            .iter()
            .find(|k| k.as_str() == name)
            .cloned()
            .unwrap_or_else(|| ResourceKind::Custom(name.to_owned()))
    }
}

impl fmt::Display for ResourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ResourceKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ResourceKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ResourceKind::from_name(&s))
    }
}

scaleway_core::string_enum! {
    /// A role a resource can play in a backup, from the platform's model.
    ///
    /// * Object Storage buckets: source, store and destination;
    /// * Instance servers with attached Block volumes: source and destination;
    /// * Block volumes and secrets: source and destination.
    pub enum BackupRole {
        /// Its data can be backed up.
        Source = "source",
        /// It can hold backup data (a bucket storing backups).
        Store = "store",
        /// It can be restored into.
        Destination = "destination",
    }
}

scaleway_core::string_enum! {
    /// How a resource relates to another.
    pub enum RelationKind {
        /// Attached to (a Block volume to a server).
        AttachedTo = "attached_to",
        /// Has attached (a server has a Block or local volume).
        HasAttached = "has_attached",
        /// Part of (a pool of a cluster, a private network of a VPC).
        PartOf = "part_of",
        /// Contains (the reverse of part of).
        Contains = "contains",
        /// A snapshot of (a Block snapshot of its volume).
        SnapshotOf = "snapshot_of",
        /// Has snapshot (the reverse of snapshot of).
        HasSnapshot = "has_snapshot",
    }
}

impl RelationKind {
    /// The reverse relation (`attached_to` ↔ `has_attached`, …).
    pub fn reverse(&self) -> Option<RelationKind> {
        Some(match self {
            RelationKind::AttachedTo => RelationKind::HasAttached,
            RelationKind::HasAttached => RelationKind::AttachedTo,
            RelationKind::PartOf => RelationKind::Contains,
            RelationKind::Contains => RelationKind::PartOf,
            RelationKind::SnapshotOf => RelationKind::HasSnapshot,
            RelationKind::HasSnapshot => RelationKind::SnapshotOf,
            RelationKind::Unknown(_) => return None,
        })
    }
}

/// A relation to another resource, by its [`Resource::id`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Relation {
    /// The relation.
    pub kind: RelationKind,
    /// The other resource's ID.
    pub target: String,
}

impl Relation {
    /// A relation.
    pub fn new(kind: RelationKind, target: impl Into<String>) -> Self {
        Relation {
            kind,
            target: target.into(),
        }
    }
}

/// Something a source could not find out about a resource: the attributes it left unknown
/// and why (e.g. a bucket whose `GetBucketTagging` was refused). Kept in the snapshot JSON;
/// [`diff`](crate::diff) does not compare the attributes a note marks unknown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Note {
    /// The attributes left unknown, named as [`Change::fields`](crate::Change::fields)
    /// names them (`tags`, `state`, `relations`, `object.versioning`, …); empty for a
    /// remark that leaves nothing unknown.
    pub unknown: Vec<String>,
    /// Why, one line (the call and its error).
    pub message: String,
}

impl Note {
    /// A note that `unknown` attributes could not be read, because of `message`.
    pub fn new<I, S>(unknown: I, message: impl Into<String>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Note {
            unknown: unknown.into_iter().map(Into::into).collect(),
            message: message.into(),
        }
    }

    /// Whether the note marks `field` unknown.
    pub fn marks_unknown(&self, field: &str) -> bool {
        self.unknown.iter().any(|u| u == field)
    }
}

/// The typed product object behind a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ProductObject {
    /// Instance server.
    InstanceServer(Box<instance::Server>),
    /// Instance volume.
    InstanceVolume(Box<instance::Volume>),
    /// Block volume.
    BlockVolume(Box<block::Volume>),
    /// Block snapshot.
    BlockSnapshot(Box<block::Snapshot>),
    /// Secret metadata.
    Secret(Box<secret::Secret>),
    /// Bucket.
    Bucket(Box<object_storage::Bucket>),
    /// Kapsule cluster.
    KubernetesCluster(Box<k8s::Cluster>),
    /// Kapsule pool.
    KubernetesPool(Box<k8s::Pool>),
    /// VPC.
    Vpc(Box<vpc::Vpc>),
    /// Private network.
    PrivateNetwork(Box<vpc::PrivateNetwork>),
    /// Registry namespace.
    RegistryNamespace(Box<scaleway_registry::Namespace>),
    /// The object of a custom source.
    Custom(serde_json::Value),
}

/// One discovered resource, whatever its product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Resource {
    /// Stable ID: `<kind>/<locality>/<product id>` (bucket names for buckets).
    pub id: String,
    /// What it is.
    pub kind: ResourceKind,
    /// The source that listed it (`instance`, `block`, …).
    pub source: String,
    /// Name.
    pub name: String,
    /// Project ID.
    pub project_id: String,
    /// Where it was listed: its zone, or its region for regional products.
    pub locality: Locality,
    /// Tags, sorted (`key=value` for Object Storage's key/value tags).
    pub tags: Vec<String>,
    /// The product's state or status as sent (`running`, `in_use`, `ready`, …).
    pub state: String,
    /// Size in bytes, where known.
    pub size_bytes: Option<u64>,
    /// Creation time.
    pub created_at: Option<Timestamp>,
    /// Relations to other resources, sorted.
    pub relations: Vec<Relation>,
    /// The roles it can play in a backup (empty: not part of backup coverage).
    pub roles: Vec<BackupRole>,
    /// The typed product object.
    pub object: ProductObject,
    /// What the source could not find out about it (absent from the JSON when empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<Note>,
}

impl Resource {
    /// The stable ID of a resource of `kind` in `locality` with the product ID `id`.
    pub fn make_id(kind: &ResourceKind, locality: &Locality, id: &str) -> String {
        format!("{kind}/{locality}/{id}")
    }

    /// A resource with the given identity; fill the rest with the builder-style setters.
    pub fn new(
        kind: ResourceKind,
        source: impl Into<String>,
        locality: Locality,
        product_id: &str,
        object: ProductObject,
    ) -> Self {
        Resource {
            id: Resource::make_id(&kind, &locality, product_id),
            kind,
            source: source.into(),
            name: String::new(),
            project_id: String::new(),
            locality,
            tags: Vec::new(),
            state: String::new(),
            size_bytes: None,
            created_at: None,
            relations: Vec::new(),
            roles: Vec::new(),
            object,
            notes: Vec::new(),
        }
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Sets the project.
    pub fn with_project(mut self, project_id: impl Into<String>) -> Self {
        self.project_id = project_id.into();
        self
    }

    /// Sets the tags (sorted and deduplicated).
    pub fn with_tags(mut self, tags: impl IntoIterator<Item = String>) -> Self {
        self.tags = tags.into_iter().collect();
        self.tags.sort();
        self.tags.dedup();
        self
    }

    /// Sets the state.
    pub fn with_state(mut self, state: impl Into<String>) -> Self {
        self.state = state.into();
        self
    }

    /// Sets the size.
    pub fn with_size(mut self, size_bytes: Option<u64>) -> Self {
        self.size_bytes = size_bytes;
        self
    }

    /// Sets the creation time.
    pub fn with_created_at(mut self, created_at: Option<Timestamp>) -> Self {
        self.created_at = created_at;
        self
    }

    /// Adds a relation (kept sorted, without duplicates).
    pub fn with_relation(mut self, relation: Relation) -> Self {
        self.add_relation(relation);
        self
    }

    /// Sets the backup roles.
    pub fn with_roles(mut self, roles: &[BackupRole]) -> Self {
        self.roles = roles.to_vec();
        self
    }

    /// Adds a note (kept sorted, without duplicates).
    pub fn with_note(mut self, note: Note) -> Self {
        self.add_note(note);
        self
    }

    /// Adds a note unless present (kept sorted).
    pub fn add_note(&mut self, note: Note) {
        if let Err(pos) = self.notes.binary_search(&note) {
            self.notes.insert(pos, note);
        }
    }

    /// Whether a note marks `field` unknown.
    pub fn is_unknown(&self, field: &str) -> bool {
        self.notes.iter().any(|n| n.marks_unknown(field))
    }

    /// Adds a relation unless present (kept sorted).
    pub fn add_relation(&mut self, relation: Relation) {
        if let Err(pos) = self.relations.binary_search(&relation) {
            self.relations.insert(pos, relation);
        }
    }

    /// Whether it can be backed up (has the [`BackupRole::Source`] role).
    pub fn is_backup_source(&self) -> bool {
        self.roles.contains(&BackupRole::Source)
    }
}
