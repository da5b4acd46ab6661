//! The cleanup guard: every canary resource is recorded here the moment it is created, and
//! deleted through here. Whatever is still recorded when the ledger is dropped — a later
//! step failed, the check's future was dropped (a deadline, a cancelled task) — is deleted
//! by a task spawned on the current Tokio runtime, newest first (a Private Network before
//! the VPC that holds it), tracked by the checker's [`Cleanups`] so that a program can wait
//! for it before it exits; without a runtime, each leftover is logged with its delete
//! command.

use std::sync::{Arc, Mutex, PoisonError};

use scaleway_core::{Client, Locality};
use tokio::task::JoinHandle;

use super::calls::{self, Deleted};
use super::{CanaryKind, CanaryResource, CleanupStatus};
use crate::checker::probe::Site;

/// One recorded resource.
#[derive(Debug)]
struct Entry {
    resource: CanaryResource,
    locality: Locality,
    /// Not deleted (nor given up on) yet.
    armed: bool,
}

/// A slot in the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot(usize);

impl Slot {
    /// Its index in [`Ledger::resources`].
    pub(super) fn index(self) -> usize {
        self.0
    }
}

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

    /// Records a created (or maybe created) resource: it will be deleted whatever happens.
    pub(super) fn record(&mut self, resource: CanaryResource, locality: Locality) -> Slot {
        self.entries.push(Entry {
            resource,
            locality,
            armed: true,
        });
        Slot(self.entries.len() - 1)
    }

    /// The recorded resource.
    pub(super) fn get(&self, slot: Slot) -> Option<&CanaryResource> {
        self.entries.get(slot.0).map(|e| &e.resource)
    }

    /// Deletes the resource now; it is disarmed whatever the answer (a failure is reported
    /// as a leftover, with its delete command, not retried at drop).
    pub(super) async fn delete(&mut self, slot: Slot) -> Option<Deleted> {
        let entry = self.entries.get(slot.0)?;
        let outcome = delete(&self.client, &self.site, &entry.resource, &entry.locality).await;
        let entry = self.entries.get_mut(slot.0)?;
        entry.armed = false;
        match &outcome {
            Deleted::Yes => entry.resource.status = CleanupStatus::Deleted,
            Deleted::Refused(d) => {
                entry.resource.status = CleanupStatus::Leftover;
                entry.resource.error = Some(format!(
                    "deleting it was refused ({})",
                    d.iter()
                        .map(|d| format!("{} on {}", d.action, d.resource))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            Deleted::Failed(e) => {
                entry.resource.status = CleanupStatus::Leftover;
                entry.resource.error = Some(format!("deleting it failed: {e}"));
            }
        }
        Some(outcome)
    }

    /// Gives up on deleting the resource: reported with `status` (a leftover, or maybe one),
    /// because `reason`.
    pub(super) fn abandon(&mut self, slot: Slot, status: CleanupStatus, reason: String) {
        if let Some(e) = self.entries.get_mut(slot.0) {
            e.armed = false;
            e.resource.status = status;
            e.resource.error = Some(reason);
        }
    }

    /// Deletes whatever is still armed, newest first (the explicit cleanup path).
    pub(super) async fn clean_up(&mut self) {
        for i in (0..self.entries.len()).rev() {
            if self.entries[i].armed {
                self.delete(Slot(i)).await;
            }
        }
    }

    /// Every resource recorded, in creation order, with its final status.
    pub(super) fn resources(&self) -> Vec<CanaryResource> {
        self.entries.iter().map(|e| e.resource.clone()).collect()
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        let armed: Vec<(CanaryResource, Locality)> = self
            .entries
            .iter_mut()
            .rev()
            .filter(|e| e.armed)
            .map(|e| {
                e.armed = false;
                (e.resource.clone(), e.locality.clone())
            })
            .collect();
        if armed.is_empty() {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            for (r, _) in &armed {
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
            for (r, locality) in armed {
                match delete(&client, &site, &r, &locality).await {
                    Deleted::Yes => tracing::info!(
                        kind = r.kind.as_str(),
                        name = %r.name,
                        "canary resource deleted after the check was interrupted"
                    ),
                    Deleted::Refused(_) | Deleted::Failed(_) => tracing::warn!(
                        kind = r.kind.as_str(),
                        name = %r.name,
                        id = r.id.as_deref().unwrap_or("unknown"),
                        delete = %r.delete_command,
                        "canary resource left behind: the check was interrupted and deleting it failed"
                    ),
                }
            }
        });
        self.cleanups.push(task);
    }
}

/// Deletes one resource (a resource whose ID is unknown — its create gave no answer — can
/// only be deleted when its name is its ID: a bucket).
async fn delete(client: &Client, site: &Site, r: &CanaryResource, locality: &Locality) -> Deleted {
    let Some(id) = r.id.as_deref() else {
        return Deleted::Failed(
            "its ID is unknown (the create gave no answer): find it by name".to_owned(),
        );
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
