//! The churn fault ([`crate::Churn`]): resources created and deleted while a listing is read.
//!
//! A listing handler computes its items (filtered and sorted, as served), then asks [`plan`]
//! whether this page request changes the collection. If it does, the handler releases the
//! state, [`apply`] makes the change under the write lock, and the handler answers again from
//! the new state (a request changes its collection at most once). The first page of a listing
//! never changes anything: a change before it is invisible to a reader.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::faults::{ChurnEvent, ChurnEventKind, ChurnMode};
use crate::http::{Ctx, Page};
use crate::model::{
    BlockSnapshot, BlockVolume, Cluster, InstanceVolume, Namespace, Pool, PrivateNetwork, Secret,
    Server, ServerVolume, Vpc,
};
use crate::state::State;
use crate::table::{Keyed, Table};
use crate::util::{Ts, now, splitmix};

/// Counters and log of the churn fault.
#[derive(Debug, Default)]
pub(crate) struct ChurnState {
    /// Requests seen per (listing, page).
    requests: HashMap<(String, u64), u64>,
    /// Changes made per listing.
    changes: HashMap<String, u32>,
    /// Every change, in order.
    pub(crate) log: Vec<ChurnEvent>,
}

/// A change decided for one page request; [`apply`] makes it.
#[derive(Debug)]
pub(crate) struct Planned {
    path: String,
    page: u64,
    delete: Option<String>,
    template: Option<String>,
    /// 1-based number of the change within its listing (names the copies).
    n: u32,
}

/// A collection the churn fault can change.
pub(crate) trait Churnable: Keyed + Clone {
    /// Its name in [`ChurnEvent::collection`].
    const COLLECTION: &'static str;
    /// Its table.
    fn table(st: &mut State) -> &mut Table<Self>;
    /// A copy with a new id, a name ending in `suffix`, created (and updated) at `t`, and
    /// nothing attached.
    #[must_use]
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self;
    /// Removes what goes with a deleted item; returns the (collection, id) removed.
    fn cascade(_st: &mut State, _removed: &Self, _t: Ts) -> Vec<(&'static str, String)> {
        Vec::new()
    }
}

/// The listing a request reads: route, path parameters and query without the page parameters.
fn listing_key(ctx: &Ctx<'_>) -> (String, String) {
    let mut path = ctx.route.path.to_owned();
    for (k, v) in &ctx.params {
        path = path.replace(&format!("{{{k}}}"), v);
    }
    let mut query: Vec<&(String, String)> = ctx
        .query
        .0
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "page" | "page_size" | "per_page"))
        .collect();
    query.sort();
    let key = format!("{path}?{query:?}");
    (key, path)
}

/// FNV-1a: a hash that is the same on every run and platform.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Seeded draws for one page request.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = splitmix(self.0);
        self.0
    }

    fn fraction(&mut self) -> f64 {
        #[allow(clippy::cast_precision_loss, reason = "a 53-bit fraction is plenty")]
        let f = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        f
    }

    fn below(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n).unwrap_or(u64::MAX).max(1);
        usize::try_from(self.next() % n64).unwrap_or(0)
    }
}

/// Decides whether this page request changes its collection (`items`, as the handler serves
/// them). Records the decision; the handler must then release the state and call [`apply`].
pub(crate) fn plan<T: Keyed>(ctx: &Ctx<'_>, page: Page, items: &[&Arc<T>]) -> Option<Planned> {
    if page.page < 2 {
        return None;
    }
    let churn = ctx.app.faults.churn()?;
    if ctx.churned.swap(true, Ordering::Relaxed) {
        return None;
    }
    let (key, path) = listing_key(ctx);
    let mut cs = ctx
        .app
        .faults
        .churn
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let nth = {
        let n = cs.requests.entry((key.clone(), page.page)).or_insert(0);
        *n += 1;
        *n
    };
    let done = cs.changes.get(&key).copied().unwrap_or(0);
    if done >= churn.max_per_listing {
        return None;
    }
    let mut draw = Draw(
        ctx.app.faults.seed
            ^ fnv(&key)
            ^ splitmix(page.page)
            ^ splitmix(nth.rotate_left(32) ^ 0x5eed),
    );
    if draw.fraction() >= churn.rate {
        return None;
    }
    let mode = match churn.mode {
        ChurnMode::Mixed => {
            [ChurnMode::Delete, ChurnMode::Create, ChurnMode::Replace][draw.below(3)]
        }
        m => m,
    };
    let (delete, create) = match mode {
        ChurnMode::Delete => (true, false),
        ChurnMode::Create => (false, true),
        _ => (true, true),
    };
    let len = items.len();
    // Before the requested page; the listing's first change deletes on page 1, which every
    // reader has read before asking for any other page.
    let size = usize::try_from(page.size).unwrap_or(usize::MAX);
    let before = usize::try_from(page.page - 1)
        .unwrap_or(usize::MAX)
        .saturating_mul(size);
    let span = if done == 0 { size } else { before }.min(before).min(len);
    let delete = (delete && span > 0).then(|| items[draw.below(span)].key().to_owned());
    let template = (create && len > 0).then(|| items[draw.below(len)].key().to_owned());
    if delete.is_none() && template.is_none() {
        return None;
    }
    *cs.changes.entry(key).or_insert(0) += 1;
    Some(Planned {
        path,
        page: page.page,
        delete,
        template,
        n: done + 1,
    })
}

/// Makes a planned change (the caller holds no lock on the state) and logs it.
pub(crate) fn apply<T: Churnable>(ctx: &Ctx<'_>, p: Planned) {
    let t = now();
    let mut events: Vec<(&'static str, ChurnEventKind, String)> = Vec::new();
    {
        let mut st = ctx.app.state.write();
        let copy = p
            .template
            .as_ref()
            .and_then(|id| T::table(&mut st).get(id).map(|x| (**x).clone()));
        if let Some(id) = &p.delete
            && let Some(removed) = T::table(&mut st).remove(id)
        {
            events.push((T::COLLECTION, ChurnEventKind::Deleted, id.clone()));
            for (c, i) in T::cascade(&mut st, &removed, t) {
                events.push((c, ChurnEventKind::Deleted, i));
            }
        }
        if let Some(x) = copy {
            let id = st.new_id();
            let new = x.renewed(id.clone(), &format!("churn-{}", p.n), t);
            T::table(&mut st).insert(new);
            events.push((T::COLLECTION, ChurnEventKind::Created, id));
        }
    }
    let mut cs = ctx
        .app
        .faults
        .churn
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (collection, kind, id) in events {
        cs.log.push(ChurnEvent {
            collection,
            path: p.path.clone(),
            page: p.page,
            kind,
            id,
        });
    }
}

fn named(name: &str, suffix: &str) -> String {
    format!("{name}-{suffix}")
}

impl Churnable for Server {
    const COLLECTION: &'static str = "servers";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.servers
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.dns = format!("{id}.pub.instances.scw.cloud");
        x.id = id;
        x.name = named(&self.name, suffix);
        x.hostname.clone_from(&x.name);
        x.creation_date = t;
        x.modification_date = t;
        x.volumes.clear();
        x.private_nics.clear();
        x
    }
    /// Like [`crate::SimState::delete_server`]: its local volumes go, its Block volumes are
    /// detached.
    fn cascade(st: &mut State, removed: &Self, t: Ts) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for v in &removed.volumes {
            let id = v.id().to_owned();
            if let Some(bv) = st.block_volumes.get_mut(&id) {
                bv.references
                    .retain(|r| r.product_resource_id != removed.id);
                bv.status = "available";
                bv.last_detached_at = Some(t);
                bv.updated_at = t;
            }
            if matches!(v, ServerVolume::Local(_)) && st.instance_volumes.remove(&id).is_some() {
                out.push((InstanceVolume::COLLECTION, id));
            }
        }
        out
    }
}

impl Churnable for InstanceVolume {
    const COLLECTION: &'static str = "instance_volumes";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.instance_volumes
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.id = id;
        x.name = named(&self.name, suffix);
        x.creation_date = t;
        x.modification_date = t;
        x.server = None;
        x
    }
}

impl Churnable for BlockVolume {
    const COLLECTION: &'static str = "block_volumes";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.block_volumes
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.id = id;
        x.name = named(&self.name, suffix);
        x.created_at = t;
        x.updated_at = t;
        x.references.clear();
        x.status = "available";
        x.last_detached_at = None;
        x
    }
}

impl Churnable for BlockSnapshot {
    const COLLECTION: &'static str = "block_snapshots";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.block_snapshots
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.id = id;
        x.name = named(&self.name, suffix);
        x.created_at = t;
        x.updated_at = t;
        x.references.clear();
        x.status = "available";
        x
    }
}

impl Churnable for Secret {
    const COLLECTION: &'static str = "secrets";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.secrets
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.id = id;
        x.name = named(&self.name, suffix);
        x.created_at = t;
        x.updated_at = t;
        x.versions.clear();
        x.version_count = 0;
        x.used_by.clear();
        x
    }
}

impl Churnable for Cluster {
    const COLLECTION: &'static str = "clusters";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.clusters
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.id = id;
        x.name = named(&self.name, suffix);
        x.created_at = t;
        x.updated_at = t;
        x
    }
    /// Its pools go with it.
    fn cascade(st: &mut State, removed: &Self, _t: Ts) -> Vec<(&'static str, String)> {
        let pools: Vec<String> = st
            .pools
            .iter()
            .filter(|p| p.cluster_id == removed.id)
            .map(|p| p.id.clone())
            .collect();
        for id in &pools {
            st.pools.remove(id);
        }
        pools.into_iter().map(|id| (Pool::COLLECTION, id)).collect()
    }
}

impl Churnable for Pool {
    const COLLECTION: &'static str = "pools";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.pools
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.id = id;
        x.name = named(&self.name, suffix);
        x.created_at = t;
        x.updated_at = t;
        x
    }
}

impl Churnable for Vpc {
    const COLLECTION: &'static str = "vpcs";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.vpcs
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.id = id;
        x.name = named(&self.name, suffix);
        x.created_at = t;
        x.updated_at = t;
        x.is_default = false;
        x
    }
}

impl Churnable for PrivateNetwork {
    const COLLECTION: &'static str = "private_networks";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.private_networks
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.id = id;
        x.name = named(&self.name, suffix);
        x.created_at = t;
        x.updated_at = t;
        x
    }
}

impl Churnable for Namespace {
    const COLLECTION: &'static str = "namespaces";
    fn table(st: &mut State) -> &mut Table<Self> {
        &mut st.namespaces
    }
    fn renewed(&self, id: String, suffix: &str, t: Ts) -> Self {
        let mut x = self.clone();
        x.id = id;
        x.name = named(&self.name, suffix);
        x.endpoint = x.endpoint.replace(&self.name, &x.name);
        x.created_at = t;
        x.updated_at = t;
        x.image_count = 0;
        x.size = 0;
        x
    }
}
