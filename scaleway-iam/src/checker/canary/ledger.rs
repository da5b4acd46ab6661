//! The cleanup guard: every canary resource is recorded here **before** its create is sent
//! (kind, unique name, project, locality), learns its ID from the create's answer, and is
//! deleted through here. A resource whose ID was never learnt — its create gave no answer, or
//! the check was dropped while the create was on its way — is found by its unique name through
//! the API's own listing filters, then deleted; the report says what was found.
//!
//! Whatever is still recorded when the ledger is dropped — a later step failed, the check's
//! future was dropped (a deadline, a cancelled task) — is cleaned up by a task spawned on the
//! current Tokio runtime, newest first (a Private Network before the VPC that holds it),
//! tracked by the checker's [`Cleanups`] so that a program can wait for it before it exits;
//! without a runtime, each leftover is logged with its delete (or find) command.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use scaleway_core::{Client, Locality, ProjectId};
use tokio::task::JoinHandle;

use super::calls::{self, Deleted, Found};
use super::{CanaryKind, CanaryResource, CleanupStatus};
use crate::checker::probe::Site;

/// When a resource whose ID is unknown is looked for by name: at once, then again after these
/// waits, in case its create is still being processed (a dropped request may still land).
const LOOK_AGAIN_AFTER: [Duration; 2] = [Duration::from_millis(500), Duration::from_millis(1500)];

/// Where a recorded resource stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Its create was sent and has not answered, or gave no answer: its ID is unknown; it is
    /// found by name when cleaned up.
    Pending,
    /// Created, ID known, not deleted yet.
    Armed,
    /// Deleted, found absent, or given up on: nothing more to do.
    Settled,
    /// Its create was refused or failed before anything was created: not a resource.
    NotCreated,
}

/// One recorded resource.
#[derive(Debug, Clone)]
struct Entry {
    resource: CanaryResource,
    locality: Locality,
    state: State,
}

/// A slot in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot(usize);

/// Deletions spawned when a check holding canary resources was dropped. Clones share them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Cleanups {
    tasks: Arc<Mutex<Vec<JoinHandle<()>>>>,
}

impl Cleanups {
    fn push(&self, task: JoinHandle<()>) {
        let mut t = self.tasks.lock().unwrap_or_else(PoisonError::into_inner);
        t.retain(|h| !h.is_finished());
        t.push(task);
    }

    /// Waits until every deletion spawned so far has finished.
    pub(crate) async fn wait(&self) {
        loop {
            let pending: Vec<JoinHandle<()>> =
                std::mem::take(&mut *self.tasks.lock().unwrap_or_else(PoisonError::into_inner));
            if pending.is_empty() {
                return;
            }
            for h in pending {
                // A cleanup task that panicked or was cancelled has nothing left to wait for.
                let _ = h.await;
            }
        }
    }
}

/// The cleanup guard of one canary run (see the module docs).
#[derive(Debug)]
pub(super) struct Ledger {
    client: Client,
    site: Site,
    entries: Vec<Entry>,
    cleanups: Cleanups,
}

impl Ledger {
    pub(super) fn new(client: &Client, site: &Site, cleanups: &Cleanups) -> Ledger {
        Ledger {
            client: client.clone(),
            site: site.clone(),
            entries: Vec::new(),
            cleanups: cleanups.clone(),
        }
    }

    /// Records a resource about to be created (call it before sending the create): from now
    /// on it is cleaned up whatever happens — found by `name` until its ID is known.
    pub(super) fn pending(&mut self, kind: CanaryKind, name: &str, project: &ProjectId) -> Slot {
        let (resource, locality) =
            super::resource(&self.client, &self.site, kind, name, None, project);
        self.entries.push(Entry {
            resource,
            locality,
            state: State::Pending,
        });
        Slot(self.entries.len() - 1)
    }

    /// The create answered with the resource's ID.
    pub(super) fn created(&mut self, slot: Slot, id: String) {
        if let Some(e) = self.entries.get_mut(slot.0) {
            learn_id(&self.client, &self.site, e, id);
            e.state = State::Armed;
        }
    }

    /// The create was refused, or failed before anything could be created.
    pub(super) fn not_created(&mut self, slot: Slot) {
        if let Some(e) = self.entries.get_mut(slot.0) {
            e.state = State::NotCreated;
        }
    }

    /// The create gave no answer (`error`): the resource may exist; it stays pending, to be
    /// found by name.
    pub(super) fn no_answer(&mut self, slot: Slot, error: &str) {
        if let Some(e) = self.entries.get_mut(slot.0) {
            e.resource.error = Some(format!("the create gave no answer ({error})"));
        }
    }

    /// The recorded resource (`None` when nothing was created).
    pub(super) fn get(&self, slot: Slot) -> Option<&CanaryResource> {
        self.entries
            .get(slot.0)
            .filter(|e| e.state != State::NotCreated)
            .map(|e| &e.resource)
    }

    /// Deletes the resource now, by its ID; it is settled whatever the answer (a failure is
    /// reported as a leftover, with its delete command, not retried at drop). `None`: its ID
    /// is unknown, or it was settled already.
    pub(super) async fn delete(&mut self, slot: Slot) -> Option<Deleted> {
        let entry = self
            .entries
            .get(slot.0)
            .filter(|e| e.state == State::Armed)?;
        let outcome = delete(&self.client, &self.site, &entry.resource, &entry.locality).await;
        let entry = self.entries.get_mut(slot.0)?;
        deleted(entry, &outcome);
        Some(outcome)
    }

    /// Cleans the resource up now: deletes it by its ID, or finds it by name first when its
    /// ID is unknown. Nothing to do once settled.
    pub(super) async fn settle(&mut self, slot: Slot) {
        let Some(entry) = self.entries.get(slot.0) else {
            return;
        };
        let mut e = entry.clone();
        settle(&self.client, &self.site, &mut e).await;
        if let Some(entry) = self.entries.get_mut(slot.0) {
            *entry = e;
        }
    }

    /// Gives up on deleting the resource: reported with `status` (a leftover, or maybe one),
    /// because `reason`.
    pub(super) fn abandon(&mut self, slot: Slot, status: CleanupStatus, reason: String) {
        if let Some(e) = self.entries.get_mut(slot.0) {
            e.state = State::Settled;
            e.resource.status = status;
            e.resource.error = Some(reason);
        }
    }

    /// Cleans up whatever is still recorded, newest first (the explicit cleanup path).
    pub(super) async fn clean_up(&mut self) {
        for i in (0..self.entries.len()).rev() {
            self.settle(Slot(i)).await;
        }
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        let open: Vec<Entry> = self
            .entries
            .iter_mut()
            .rev()
            .filter(|e| matches!(e.state, State::Pending | State::Armed))
            .map(|e| {
                let open = e.clone();
                e.state = State::Settled;
                open
            })
            .collect();
        if open.is_empty() {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            for e in &open {
                let r = &e.resource;
                tracing::warn!(
                    kind = r.kind.as_str(),
                    name = %r.name,
                    id = r.id.as_deref().unwrap_or("unknown"),
                    delete = %r.delete_command,
                    "canary resource left behind (no runtime to delete it on)"
                );
            }
            return;
        };
        let (client, site) = (self.client.clone(), self.site.clone());
        let task = handle.spawn(async move {
            for mut e in open {
                settle(&client, &site, &mut e).await;
                let r = &e.resource;
                match r.status {
                    CleanupStatus::Deleted => tracing::info!(
                        kind = r.kind.as_str(),
                        name = %r.name,
                        id = r.id.as_deref().unwrap_or("unknown"),
                        "canary resource deleted after the check was interrupted"
                    ),
                    CleanupStatus::NotFound => tracing::info!(
                        kind = r.kind.as_str(),
                        name = %r.name,
                        "canary resource not found by name after the check was interrupted: nothing to delete"
                    ),
                    CleanupStatus::Leftover | CleanupStatus::MaybeLeftover => tracing::warn!(
                        kind = r.kind.as_str(),
                        name = %r.name,
                        id = r.id.as_deref().unwrap_or("unknown"),
                        error = r.error.as_deref().unwrap_or(""),
                        delete = %r.delete_command,
                        "canary resource left behind: the check was interrupted and deleting it failed"
                    ),
                }
            }
        });
        self.cleanups.push(task);
    }
}

/// The resource's ID is `id`: its commands now name it.
fn learn_id(client: &Client, site: &Site, e: &mut Entry, id: String) {
    let r = &e.resource;
    let (mut known, _) = super::resource(client, site, r.kind, &r.name, Some(id), &r.project_id);
    known.error = r.error.clone();
    known.lookup = r.lookup.clone();
    e.resource = known;
}

/// Records what a delete did; the entry is settled.
fn deleted(e: &mut Entry, outcome: &Deleted) {
    e.state = State::Settled;
    match outcome {
        Deleted::Yes | Deleted::Absent => {
            e.resource.status = CleanupStatus::Deleted;
            e.resource.error = None;
        }
        Deleted::Refused(d) => {
            e.resource.status = CleanupStatus::Leftover;
            e.resource.error = Some(format!(
                "deleting it was refused ({})",
                d.iter()
                    .map(|d| format!("{} on {}", d.action, d.resource))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Deleted::Failed(err) => {
            e.resource.status = CleanupStatus::Leftover;
            e.resource.error = Some(format!("deleting it failed: {err}"));
        }
    }
}

/// Cleans one entry up: deletes it by ID, or finds it by name first (see the module docs).
async fn settle(client: &Client, site: &Site, e: &mut Entry) {
    match e.state {
        State::Armed => {
            let outcome = delete(client, site, &e.resource, &e.locality).await;
            deleted(e, &outcome);
        }
        State::Pending => find_and_delete(client, site, e).await,
        State::Settled | State::NotCreated => {}
    }
}

/// Finds a pending resource by its unique name and deletes it; reports what was found.
async fn find_and_delete(client: &Client, site: &Site, e: &mut Entry) {
    e.state = State::Settled;
    let why = e
        .resource
        .error
        .take()
        .unwrap_or_else(|| "the check was dropped while its create was on its way".to_owned());
    let (kind, name, project) = (
        e.resource.kind,
        e.resource.name.clone(),
        e.resource.project_id.clone(),
    );
    let label = kind.label();
    for wait in std::iter::once(Duration::ZERO).chain(LOOK_AGAIN_AFTER) {
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        // A bucket's name is its ID: deleting it by name says whether it was there.
        if kind == CanaryKind::Bucket {
            learn_id(client, site, e, name.clone());
            match delete(client, site, &e.resource, &e.locality).await {
                Deleted::Absent => continue,
                Deleted::Yes => {
                    deleted(e, &Deleted::Yes);
                    e.resource.lookup =
                        Some(format!("{why}: the bucket was there, deleted by its name"));
                }
                outcome => {
                    // Whether it exists is unknown: S3 may refuse before it looks.
                    deleted(e, &outcome);
                    e.resource.status = CleanupStatus::MaybeLeftover;
                    let error = e.resource.error.take().unwrap_or_default();
                    e.resource.error = Some(format!("{why}, and {error}: it may exist"));
                }
            }
            return;
        }
        match calls::find_by_name(client, kind, &e.locality, &project, &name).await {
            Found::Ids(ids) if ids.is_empty() => {}
            Found::Ids(ids) => {
                for id in ids {
                    learn_id(client, site, e, id.clone());
                    let outcome = delete(client, site, &e.resource, &e.locality).await;
                    deleted(e, &outcome);
                    e.resource.lookup = Some(format!("{why}: found by name ({label} {id})"));
                    if e.resource.is_leftover() {
                        // Reported with this ID and its delete command (the name finds any other:
                        // there is none unless the API created it twice).
                        return;
                    }
                }
                return;
            }
            Found::Refused(denied) => {
                e.resource.status = CleanupStatus::MaybeLeftover;
                e.resource.error = Some(format!(
                    "{why}, and listing it by name was refused ({}): it may exist",
                    denied
                        .iter()
                        .map(|d| format!("{} on {}", d.action, d.resource))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                return;
            }
            Found::Failed(err) => {
                e.resource.status = CleanupStatus::MaybeLeftover;
                e.resource.error = Some(format!(
                    "{why}, and listing it by name failed ({err}): it may exist"
                ));
                return;
            }
        }
    }
    let looked = 1 + LOOK_AGAIN_AFTER.len();
    let over: Duration = LOOK_AGAIN_AFTER.iter().sum();
    e.resource.status = CleanupStatus::NotFound;
    e.resource.lookup = Some(format!(
        "{why}: no {label} named {name} in project {project} ({}), looked for {looked} times over {} s: nothing to delete",
        e.resource.locality,
        over.as_secs_f32()
    ));
}

/// Deletes one resource by its ID (a resource whose ID is unknown is found by name first:
/// [`find_and_delete`]).
async fn delete(client: &Client, site: &Site, r: &CanaryResource, locality: &Locality) -> Deleted {
    let Some(id) = r.id.as_deref() else {
        return Deleted::Failed("its ID is unknown".to_owned());
    };
    match r.kind {
        CanaryKind::Vpc => {
            calls::delete_api(
                client,
                "/vpc/v2/regions/{region}/vpcs/{vpc_id}",
                locality,
                "vpc_id",
                id,
            )
            .await
        }
        CanaryKind::PrivateNetwork => {
            calls::delete_api(
                client,
                "/vpc/v2/regions/{region}/private-networks/{private_network_id}",
                locality,
                "private_network_id",
                id,
            )
            .await
        }
        CanaryKind::SecurityGroup => {
            calls::delete_api(
                client,
                "/instance/v1/zones/{zone}/security_groups/{security_group_id}",
                locality,
                "security_group_id",
                id,
            )
            .await
        }
        CanaryKind::Bucket => calls::delete_bucket(client, site, &r.project_id, id).await,
    }
}
