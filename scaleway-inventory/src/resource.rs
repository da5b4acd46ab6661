//! The uniform [`Resource`] every source produces.

use std::fmt;

use std::sync::LazyLock;

use scaleway_core::{Locality, ProjectId, Region, Timestamp, Zone};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{SharedStr, block, instance, k8s, object_storage, secret, vpc};

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
        let mut target = target.into();
        // Snapshots keep 100 000 of these: no room to spare.
        target.shrink_to_fit();
        Relation { kind, target }
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
///
/// Compact: it keeps what the server sent once, in its typed product [`object`](Resource::object).
/// The uniform attributes ([`name`](Resource::name), [`project_id`](Resource::project_id),
/// [`tags`](Resource::tags), [`state`](Resource::state),
/// [`created_at`](Resource::created_at)) are read from that object and only stored when
/// they differ from it (a bucket's `key=value` tags, a custom source's values, tags the
/// server sent unsorted); so are its kind, its source's name and its locality (the
/// object's product, its built-in source, its zone or region); the backup roles are a few
/// bits, and the whole resource is one pointer wide, so that snapshots of 100 000
/// resources stay small (`docs/inventory.md`, "Memory and output at 100 000 resources"). Build one with [`Resource::new`] and the
/// `with_*` setters; read it with the accessors. Its JSON (`Serialize`/`Deserialize`) has
/// every attribute as a member.
#[derive(Clone, PartialEq)]
pub struct Resource(Box<Inner>);

#[derive(Clone, PartialEq)]
struct Inner {
    id: Box<str>,
    /// The size, when `sized`.
    size: u64,
    sized: bool,
    roles: Roles,
    /// Exactly as many as there are (a resource has zero to a few).
    relations: Box<[Relation]>,
    object: ProductObject,
    /// The uniform attributes the object does not give (`None`: as the object has them).
    own: Option<Box<Own>>,
}

/// Uniform attributes that differ from the product object's.
#[derive(Clone, PartialEq, Default)]
struct Own {
    /// The kind, when the object does not tell it (a custom object) or tells another.
    kind: Option<ResourceKind>,
    /// The source's name, when it is not the built-in source of the object's product.
    source: Option<SharedStr>,
    /// The locality, when the object does not tell it or tells another.
    locality: Option<Locality>,
    name: Option<String>,
    project_id: Option<String>,
    tags: Option<Vec<String>>,
    state: Option<String>,
    created_at: Option<Option<Timestamp>>,
    /// Roles that are not one of the usual sets (unknown ones, another order).
    roles: Option<Vec<BackupRole>>,
    /// Notes (most resources have none).
    notes: Vec<Note>,
}

impl Own {
    fn is_empty(&self) -> bool {
        *self == Own::default()
    }
}

/// Backup roles as bits, in `ROLE_SETS`' order.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Roles(u8);

static NO_ROLE: [BackupRole; 0] = [];
static SOURCE_DESTINATION: [BackupRole; 2] = [BackupRole::Source, BackupRole::Destination];
static SOURCE_STORE_DESTINATION: [BackupRole; 3] = [
    BackupRole::Source,
    BackupRole::Store,
    BackupRole::Destination,
];

/// The sets of roles kept as bits (any other is kept as a list).
static ROLE_SETS: [&[BackupRole]; 3] = [&NO_ROLE, &SOURCE_DESTINATION, &SOURCE_STORE_DESTINATION];

impl Roles {
    fn of(roles: &[BackupRole]) -> Option<Roles> {
        ROLE_SETS
            .iter()
            .position(|set| *set == roles)
            .and_then(|i| u8::try_from(i).ok())
            .map(Roles)
    }

    fn as_slice(self) -> &'static [BackupRole] {
        ROLE_SETS
            .get(usize::from(self.0))
            .copied()
            .unwrap_or(&NO_ROLE)
    }
}

/// The uniform attributes a product object gives (`None`: it does not give that one, and
/// the attribute is empty unless set).
#[derive(Default)]
struct Derived<'a> {
    name: Option<&'a str>,
    project_id: Option<&'a str>,
    tags: Option<&'a [String]>,
    state: Option<&'a str>,
    created_at: Option<Option<Timestamp>>,
}

/// The kinds of the built-in objects (a resource's kind is read from its object).
static BUILT_IN_KINDS: [ResourceKind; 11] = ResourceKind::BUILT_IN;
/// Never returned: a resource whose object tells no kind keeps its own.
static NO_KIND: ResourceKind = ResourceKind::Custom(String::new());

/// The localities a product object can tell (its zone or region, when it is a known one).
static LOCALITIES: LazyLock<Vec<Locality>> = LazyLock::new(|| {
    Zone::ALL
        .into_iter()
        .map(Locality::Zone)
        .chain(Region::ALL.into_iter().map(Locality::Region))
        .collect()
});

fn zone_locality(zone: Option<&Zone>) -> Option<&'static Locality> {
    let zone = zone?;
    LOCALITIES
        .iter()
        .find(|l| matches!(l, Locality::Zone(z) if z == zone))
}

fn region_locality(region: Option<&Region>) -> Option<&'static Locality> {
    let region = region?;
    LOCALITIES
        .iter()
        .find(|l| matches!(l, Locality::Region(r) if r == region))
}

impl ProductObject {
    /// The object's own zone or region, when it has a known one (a resource's locality is
    /// read from it unless it differs).
    fn locality(&self) -> Option<&'static Locality> {
        match self {
            ProductObject::InstanceServer(s) => zone_locality(s.zone.as_ref()),
            ProductObject::InstanceVolume(v) => zone_locality(v.zone.as_ref()),
            ProductObject::BlockVolume(v) => zone_locality(v.zone.as_ref()),
            ProductObject::BlockSnapshot(s) => zone_locality(s.zone.as_ref()),
            ProductObject::Secret(s) => region_locality(s.region.as_ref()),
            _ => None,
        }
    }

    /// The name of the built-in source that lists this object's product
    /// ([`SourceName::as_str`](crate::SourceName::as_str)).
    fn built_in_source(&self) -> Option<&'static str> {
        Some(match self {
            ProductObject::InstanceServer(_) | ProductObject::InstanceVolume(_) => "instance",
            ProductObject::BlockVolume(_) | ProductObject::BlockSnapshot(_) => "block",
            ProductObject::Secret(_) => "secret",
            ProductObject::Bucket(_) => "object-storage",
            ProductObject::KubernetesCluster(_) | ProductObject::KubernetesPool(_) => "kubernetes",
            ProductObject::Vpc(_) | ProductObject::PrivateNetwork(_) => "vpc",
            ProductObject::RegistryNamespace(_) => "registry",
            ProductObject::Custom(_) => return None,
        })
    }

    /// The kind of resource a built-in object is (`None` for a custom object).
    fn built_in_kind(&self) -> Option<&'static ResourceKind> {
        let kind = match self {
            ProductObject::InstanceServer(_) => ResourceKind::InstanceServer,
            ProductObject::InstanceVolume(_) => ResourceKind::InstanceVolume,
            ProductObject::BlockVolume(_) => ResourceKind::BlockVolume,
            ProductObject::BlockSnapshot(_) => ResourceKind::BlockSnapshot,
            ProductObject::Secret(_) => ResourceKind::Secret,
            ProductObject::Bucket(_) => ResourceKind::Bucket,
            ProductObject::KubernetesCluster(_) => ResourceKind::KubernetesCluster,
            ProductObject::KubernetesPool(_) => ResourceKind::KubernetesPool,
            ProductObject::Vpc(_) => ResourceKind::Vpc,
            ProductObject::PrivateNetwork(_) => ResourceKind::PrivateNetwork,
            ProductObject::RegistryNamespace(_) => ResourceKind::RegistryNamespace,
            ProductObject::Custom(_) => return None,
        };
        BUILT_IN_KINDS.iter().find(|k| **k == kind)
    }

    /// The uniform attributes as the built-in sources map them from this object.
    fn derived(&self) -> Derived<'_> {
        fn all<'a>(
            name: &'a str,
            project: &'a str,
            tags: &'a [String],
            state: &'a str,
            created: Option<Timestamp>,
        ) -> Derived<'a> {
            Derived {
                name: Some(name),
                project_id: Some(project),
                tags: Some(tags),
                state: Some(state),
                created_at: Some(created),
            }
        }
        match self {
            ProductObject::InstanceServer(s) => all(
                &s.name,
                &s.project,
                &s.tags,
                s.state.as_str(),
                s.creation_date,
            ),
            ProductObject::InstanceVolume(v) => all(
                &v.name,
                &v.project,
                &v.tags,
                v.state.as_str(),
                v.creation_date,
            ),
            ProductObject::BlockVolume(v) => all(
                &v.name,
                &v.project_id,
                &v.tags,
                v.status.as_str(),
                v.created_at,
            ),
            ProductObject::BlockSnapshot(s) => all(
                &s.name,
                &s.project_id,
                &s.tags,
                s.status.as_str(),
                s.created_at,
            ),
            ProductObject::Secret(s) => all(
                &s.name,
                &s.project_id,
                &s.tags,
                s.status.as_str(),
                s.created_at,
            ),
            ProductObject::KubernetesCluster(c) => all(
                &c.name,
                &c.project_id,
                &c.tags,
                c.status.as_str(),
                c.created_at,
            ),
            ProductObject::KubernetesPool(p) => Derived {
                project_id: None,
                ..all(&p.name, "", &p.tags, p.status.as_str(), p.created_at)
            },
            ProductObject::Bucket(b) => Derived {
                name: Some(&b.name),
                project_id: Some(&b.project_id),
                created_at: Some(b.creation_date),
                ..Derived::default()
            },
            ProductObject::Vpc(v) => Derived {
                state: None,
                ..all(&v.name, &v.project_id, &v.tags, "", v.created_at)
            },
            ProductObject::PrivateNetwork(p) => Derived {
                state: None,
                ..all(&p.name, &p.project_id, &p.tags, "", p.created_at)
            },
            ProductObject::RegistryNamespace(n) => Derived {
                tags: None,
                ..all(
                    &n.name,
                    n.project_id.as_str(),
                    &[],
                    n.status.as_str(),
                    n.created_at,
                )
            },
            ProductObject::Custom(_) => Derived::default(),
        }
    }
}

impl Resource {
    /// The stable ID of a resource of `kind` in `locality` with the product ID `id`.
    pub fn make_id(kind: &ResourceKind, locality: &Locality, id: &str) -> String {
        let locality = locality.to_string();
        let kind = kind.as_str();
        // Exactly its size: 100 000 of these are kept (`format!` leaves room to spare).
        let mut out = String::with_capacity(kind.len() + locality.len() + id.len() + 2);
        for part in [kind, "/", &locality, "/", id] {
            out.push_str(part);
        }
        out
    }

    /// A resource with the given identity. Its name, project, tags, state and creation
    /// time are the product object's (none for a custom object) until set with the
    /// builder-style setters.
    pub fn new(
        kind: ResourceKind,
        source: impl Into<String>,
        locality: Locality,
        product_id: &str,
        object: ProductObject,
    ) -> Self {
        let mut r = Resource(Box::new(Inner {
            id: Resource::make_id(&kind, &locality, product_id).into_boxed_str(),
            size: 0,
            sized: false,
            roles: Roles::default(),
            relations: Box::default(),
            object,
            own: None,
        }));
        if r.0.object.built_in_kind() != Some(&kind) {
            r.set_own(|_, o| o.kind = Some(kind));
        }
        let source = source.into();
        if r.0.object.built_in_source() != Some(source.as_str()) {
            r.set_own(|_, o| o.source = Some(SharedStr::new(&source)));
        }
        if r.0.object.locality() != Some(&locality) {
            r.set_own(|_, o| o.locality = Some(locality));
        }
        r
    }

    /// Stable ID: `<kind>/<locality>/<product id>` (bucket names for buckets).
    pub fn id(&self) -> &str {
        &self.0.id
    }

    /// What it is.
    pub fn kind(&self) -> &ResourceKind {
        self.own()
            .and_then(|o| o.kind.as_ref())
            .or_else(|| self.0.object.built_in_kind())
            .unwrap_or(&NO_KIND)
    }

    /// The source that listed it (`instance`, `block`, …).
    pub fn source(&self) -> &str {
        self.own()
            .and_then(|o| o.source.as_deref())
            .or_else(|| self.0.object.built_in_source())
            .unwrap_or("")
    }

    /// Where it was listed: its zone, or its region for regional products.
    pub fn locality(&self) -> &Locality {
        self.own()
            .and_then(|o| o.locality.as_ref())
            .or_else(|| self.0.object.locality())
            .unwrap_or(&Locality::Global)
    }

    fn own(&self) -> Option<&Own> {
        self.0.own.as_deref()
    }

    /// Name.
    pub fn name(&self) -> &str {
        match self.own().and_then(|o| o.name.as_deref()) {
            Some(n) => n,
            None => self.0.object.derived().name.unwrap_or(""),
        }
    }

    /// Project ID, as the server sent it (or as set by [`with_project`](Resource::with_project)).
    ///
    /// A `&str`, not a [`ProjectId`]: a resource holds its product object's project string
    /// and no typed copy of it (a snapshot of many resources stays small). Compare it with a
    /// [`ProjectId`] through [`ProjectId::as_str`].
    pub fn project_id(&self) -> &str {
        match self.own().and_then(|o| o.project_id.as_deref()) {
            Some(p) => p,
            None => self.0.object.derived().project_id.unwrap_or(""),
        }
    }

    /// Tags, sorted (`key=value` for Object Storage's key/value tags).
    pub fn tags(&self) -> &[String] {
        match self.own().and_then(|o| o.tags.as_deref()) {
            Some(t) => t,
            None => self.0.object.derived().tags.unwrap_or(&[]),
        }
    }

    /// The product's state or status as sent (`running`, `in_use`, `ready`, …).
    pub fn state(&self) -> &str {
        match self.own().and_then(|o| o.state.as_deref()) {
            Some(s) => s,
            None => self.0.object.derived().state.unwrap_or(""),
        }
    }

    /// Size in bytes, where known.
    pub fn size_bytes(&self) -> Option<u64> {
        self.0.sized.then_some(self.0.size)
    }

    /// Creation time.
    pub fn created_at(&self) -> Option<Timestamp> {
        match self.own().and_then(|o| o.created_at) {
            Some(c) => c,
            None => self.0.object.derived().created_at.flatten(),
        }
    }

    /// Relations to other resources, sorted.
    pub fn relations(&self) -> &[Relation] {
        &self.0.relations
    }

    /// The roles it can play in a backup (empty: not part of backup coverage).
    pub fn roles(&self) -> &[BackupRole] {
        match self.own().and_then(|o| o.roles.as_deref()) {
            Some(r) => r,
            None => self.0.roles.as_slice(),
        }
    }

    /// The typed product object.
    pub fn object(&self) -> &ProductObject {
        &self.0.object
    }

    /// What the source could not find out about it.
    pub fn notes(&self) -> &[Note] {
        self.own().map_or(&[], |o| o.notes.as_slice())
    }

    /// Sets one of the uniform attributes: kept only when it differs from the object's.
    fn set_own(&mut self, update: impl FnOnce(&Derived<'_>, &mut Own)) {
        let mut own = self.0.own.take().map(|b| *b).unwrap_or_default();
        update(&self.0.object.derived(), &mut own);
        self.0.own = (!own.is_empty()).then(|| Box::new(own));
    }

    /// Sets the name.
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.set_own(|d, o| o.name = (d.name.unwrap_or("") != name).then_some(name));
        self
    }

    /// Sets the project.
    pub fn with_project(self, project_id: ProjectId) -> Self {
        self.with_server_project(String::from(project_id))
    }

    /// Sets the project from server data or a snapshot, as written (not lower-cased: the
    /// product object's own project string is kept as the server sent it, and a snapshot
    /// reads back byte for byte).
    pub(crate) fn with_server_project(mut self, project_id: impl Into<String>) -> Self {
        let project = project_id.into();
        self.set_own(|d, o| {
            o.project_id = (d.project_id.unwrap_or("") != project).then_some(project);
        });
        self
    }

    /// Sets the tags (sorted and deduplicated).
    pub fn with_tags(mut self, tags: impl IntoIterator<Item = String>) -> Self {
        let mut tags: Vec<String> = tags.into_iter().collect();
        tags.sort();
        tags.dedup();
        self.set_own(|d, o| o.tags = (d.tags.unwrap_or(&[]) != tags).then_some(tags));
        self
    }

    /// Sets the state.
    pub fn with_state(mut self, state: impl Into<String>) -> Self {
        let state = state.into();
        self.set_own(|d, o| o.state = (d.state.unwrap_or("") != state).then_some(state));
        self
    }

    /// Sets the size.
    pub fn with_size(mut self, size_bytes: Option<u64>) -> Self {
        self.set_size(size_bytes);
        self
    }

    pub(crate) fn set_size(&mut self, size_bytes: Option<u64>) {
        self.0.sized = size_bytes.is_some();
        self.0.size = size_bytes.unwrap_or(0);
    }

    /// Sets the creation time.
    pub fn with_created_at(mut self, created_at: Option<Timestamp>) -> Self {
        self.set_own(|d, o| {
            o.created_at = (d.created_at.flatten() != created_at).then_some(created_at);
        });
        self
    }

    /// Adds a relation (kept sorted, without duplicates).
    pub fn with_relation(mut self, relation: Relation) -> Self {
        self.add_relation(relation);
        self
    }

    /// Sets the backup roles.
    pub fn with_roles(mut self, roles: &[BackupRole]) -> Self {
        match Roles::of(roles) {
            Some(bits) => {
                self.0.roles = bits;
                self.set_own(|_, o| o.roles = None);
            }
            None => {
                self.0.roles = Roles::default();
                self.set_own(|_, o| o.roles = Some(roles.to_vec()));
            }
        }
        self
    }

    /// Adds a note (kept sorted, without duplicates).
    pub fn with_note(mut self, note: Note) -> Self {
        self.add_note(note);
        self
    }

    /// Adds a note unless present (kept sorted).
    pub fn add_note(&mut self, note: Note) {
        self.set_own(|_, o| {
            if let Err(pos) = o.notes.binary_search(&note) {
                // A resource has a few: no room kept for more.
                o.notes.reserve_exact(1);
                o.notes.insert(pos, note);
            }
        });
    }

    /// Whether a note marks `field` unknown.
    pub fn is_unknown(&self, field: &str) -> bool {
        self.notes().iter().any(|n| n.marks_unknown(field))
    }

    /// Adds a relation unless present (kept sorted).
    pub fn add_relation(&mut self, relation: Relation) {
        if let Err(pos) = self.0.relations.binary_search(&relation) {
            // A resource has a few: no room kept for more.
            let mut old = std::mem::take(&mut self.0.relations).into_vec().into_iter();
            let mut relations = Vec::with_capacity(old.len() + 1);
            relations.extend(old.by_ref().take(pos));
            relations.push(relation);
            relations.extend(old);
            self.0.relations = relations.into_boxed_slice();
        }
    }

    /// Whether it can be backed up (has the [`BackupRole::Source`] role).
    pub fn is_backup_source(&self) -> bool {
        self.roles().contains(&BackupRole::Source)
    }

    fn view(&self) -> ResourceView<'_> {
        ResourceView {
            id: self.id(),
            kind: self.kind(),
            source: self.source(),
            name: self.name(),
            project_id: self.project_id(),
            locality: self.locality(),
            tags: self.tags(),
            state: self.state(),
            size_bytes: self.size_bytes(),
            created_at: self.created_at(),
            relations: self.relations(),
            roles: self.roles(),
            object: self.object(),
            notes: self.notes(),
        }
    }
}

impl fmt::Debug for Resource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.view();
        f.debug_struct("Resource")
            .field("id", &v.id)
            .field("kind", v.kind)
            .field("source", &v.source)
            .field("name", &v.name)
            .field("project_id", &v.project_id)
            .field("locality", v.locality)
            .field("tags", &v.tags)
            .field("state", &v.state)
            .field("size_bytes", &v.size_bytes)
            .field("created_at", &v.created_at)
            .field("relations", &v.relations)
            .field("roles", &v.roles)
            .field("object", v.object)
            .field("notes", &v.notes)
            .finish()
    }
}

/// A resource's JSON, every attribute a member (as written).
#[derive(Serialize)]
struct ResourceView<'a> {
    id: &'a str,
    kind: &'a ResourceKind,
    source: &'a str,
    name: &'a str,
    project_id: &'a str,
    locality: &'a Locality,
    tags: &'a [String],
    state: &'a str,
    size_bytes: Option<u64>,
    created_at: Option<Timestamp>,
    relations: &'a [Relation],
    roles: &'a [BackupRole],
    object: &'a ProductObject,
    #[serde(skip_serializing_if = "<[Note]>::is_empty")]
    notes: &'a [Note],
}

/// A resource's JSON, every attribute a member (as read).
#[derive(Deserialize)]
struct ResourceData {
    id: String,
    kind: ResourceKind,
    source: String,
    name: String,
    project_id: String,
    locality: Locality,
    tags: Vec<String>,
    state: String,
    size_bytes: Option<u64>,
    created_at: Option<Timestamp>,
    relations: Vec<Relation>,
    roles: Vec<BackupRole>,
    object: ProductObject,
    #[serde(default)]
    notes: Vec<Note>,
}

impl Serialize for Resource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.view().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Resource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let data = ResourceData::deserialize(d)?;
        let mut r = Resource::new(data.kind, data.source, data.locality, "", data.object)
            .with_name(data.name)
            .with_server_project(data.project_id)
            .with_tags(data.tags)
            .with_state(data.state)
            .with_size(data.size_bytes)
            .with_created_at(data.created_at)
            .with_roles(&data.roles);
        // The ID as written (tags and relations were sorted when it was written).
        r.0.id = data.id.into_boxed_str();
        let mut relations = data.relations;
        relations.sort();
        relations.dedup();
        r.0.relations = relations.into_boxed_slice();
        for note in data.notes {
            r.add_note(note);
        }
        Ok(r)
    }
}

#[cfg(test)]
mod tests {
    use scaleway_core::{Region, Zone};

    use super::*;
    use crate::model::block;

    fn volume(tags: &[&str]) -> block::Volume {
        serde_json::from_value(serde_json::json!({
            "id": "v-1", "name": "data", "type": "sbs_5k", "size": 10,
            "project_id": "p-1", "status": "in_use", "created_at": "2026-01-02T03:04:05Z",
            "tags": tags, "references": [], "zone": "fr-par-1"
        }))
        .unwrap()
    }

    fn block_resource(v: block::Volume) -> Resource {
        let (name, project, tags, state, created) = (
            v.name.clone(),
            v.project_id.clone(),
            v.tags.clone(),
            v.status.as_str().to_owned(),
            v.created_at,
        );
        Resource::new(
            ResourceKind::BlockVolume,
            "block",
            Locality::Zone(Zone::FrPar1),
            "v-1",
            ProductObject::BlockVolume(Box::new(v)),
        )
        .with_name(name)
        .with_server_project(project)
        .with_tags(tags)
        .with_state(state)
        .with_created_at(created)
        .with_roles(&[BackupRole::Source, BackupRole::Destination])
    }

    #[test]
    fn what_the_object_gives_is_not_stored_twice_and_what_differs_is() {
        let r = block_resource(volume(&["b", "a"]));
        // Unsorted tags as sent: the sorted ones are kept beside the object.
        assert_eq!(r.tags(), ["a", "b"]);
        let own = r.own().unwrap();
        assert!(own.tags.is_some());
        assert!(own.name.is_none() && own.project_id.is_none() && own.state.is_none());
        assert!(own.created_at.is_none() && own.roles.is_none());
        let r = block_resource(volume(&["a", "b"]));
        assert!(r.own().is_none(), "nothing differs from the object");
        assert_eq!(
            (r.name(), r.project_id(), r.state(), r.tags()),
            (
                "data",
                "p-1",
                "in_use",
                &["a".to_owned(), "b".to_owned()][..]
            )
        );
        assert_eq!(r.roles(), [BackupRole::Source, BackupRole::Destination]);
        assert_eq!(r.source(), "block");
        let r = r
            .with_name("renamed")
            .with_state("")
            .with_roles(&[BackupRole::Destination]);
        assert_eq!((r.name(), r.state()), ("renamed", ""));
        assert_eq!(r.roles(), [BackupRole::Destination]);
        assert!(!r.is_backup_source());
    }

    #[test]
    fn the_json_has_every_attribute_and_reads_back_equal() {
        for r in [
            block_resource(volume(&["b", "a"])),
            block_resource(volume(&[]))
                .with_name("other")
                .with_size(Some(7)),
            Resource::new(
                ResourceKind::Custom("appliance".into()),
                "appliances",
                Locality::Region(Region::FrPar),
                "A-1",
                ProductObject::Custom(serde_json::json!({"serial": "A-1"})),
            )
            .with_name("appliance")
            .with_project(ProjectId::from_server("p"))
            .with_tags(["x".to_owned()])
            .with_state("on")
            .with_roles(&[BackupRole::Unknown("archive".into()), BackupRole::Source])
            .with_relation(Relation::new(RelationKind::PartOf, "rack/fr-par/1"))
            .with_note(Note::new(["tags"], "refused")),
        ] {
            let v = serde_json::to_value(&r).unwrap();
            for member in [
                "id",
                "kind",
                "source",
                "name",
                "project_id",
                "locality",
                "tags",
                "state",
                "size_bytes",
                "created_at",
                "relations",
                "roles",
                "object",
            ] {
                assert!(v.get(member).is_some(), "{member}: {v}");
            }
            assert_eq!(v["name"], r.name());
            assert_eq!(v["tags"], serde_json::json!(r.tags()));
            let back: Resource = serde_json::from_value(v).unwrap();
            assert_eq!(back, r);
            assert_eq!(format!("{back:?}"), format!("{r:?}"));
        }
    }

    #[test]
    fn the_kind_is_read_from_the_object_unless_it_differs() {
        let r = block_resource(volume(&[]));
        assert_eq!(r.kind(), &ResourceKind::BlockVolume);
        assert!(r.own().is_none());
        let odd = Resource::new(
            ResourceKind::InstanceVolume,
            "block",
            Locality::Zone(Zone::FrPar1),
            "v-1",
            ProductObject::BlockVolume(Box::new(volume(&[]))),
        );
        assert_eq!(odd.kind(), &ResourceKind::InstanceVolume);
        assert_eq!(odd.id(), "instance_volume/fr-par-1/v-1");
        let back: Resource = serde_json::from_value(serde_json::to_value(&odd).unwrap()).unwrap();
        assert_eq!(back, odd);
        // Source and locality: read from the object (Block, its zone) unless they differ.
        assert_eq!(
            (r.source(), r.locality()),
            ("block", &Locality::Zone(Zone::FrPar1))
        );
        let elsewhere = Resource::new(
            ResourceKind::BlockVolume,
            "my-block",
            Locality::Zone(Zone::NlAms2),
            "v-1",
            ProductObject::BlockVolume(Box::new(volume(&[]))),
        );
        assert_eq!(
            (elsewhere.source(), elsewhere.locality()),
            ("my-block", &Locality::Zone(Zone::NlAms2))
        );
        let back: Resource =
            serde_json::from_value(serde_json::to_value(&elsewhere).unwrap()).unwrap();
        assert_eq!(back, elsewhere);
        assert_eq!(back.source(), "my-block");
        assert_eq!(r.clone().with_size(Some(0)).size_bytes(), Some(0));
        assert_eq!(r.with_size(None).size_bytes(), None);
    }

    #[test]
    fn a_resource_is_one_pointer_wide() {
        assert_eq!(
            std::mem::size_of::<Resource>(),
            std::mem::size_of::<usize>()
        );
    }
}
