//! A tiny indexed table: resources grouped by locality, kept in insertion (creation) order, with an id index.
//! Values are `Arc`s so that cloning a table (the IAM propagation copy) and reading are cheap.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// A resource that lives in a table.
pub(crate) trait Keyed {
    /// Unique id.
    fn key(&self) -> &str;
    /// Zone or region; `""` for global resources.
    fn locality(&self) -> &str {
        ""
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Table<T> {
    by_locality: HashMap<String, BTreeMap<u64, Arc<T>>>,
    index: HashMap<String, (String, u64)>,
    seq: u64,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Self {
            by_locality: HashMap::new(),
            index: HashMap::new(),
            seq: 0,
        }
    }
}

impl<T: Keyed + Clone> Table<T> {
    /// Inserts (or replaces, keeping the position) a resource.
    pub(crate) fn insert(&mut self, item: T) {
        let id = item.key().to_owned();
        if let Some((loc, seq)) = self.index.get(&id).cloned() {
            if loc == item.locality() {
                if let Some(m) = self.by_locality.get_mut(&loc) {
                    m.insert(seq, Arc::new(item));
                }
                return;
            }
            self.remove(&id);
        }
        self.seq += 1;
        let loc = item.locality().to_owned();
        self.index.insert(id, (loc.clone(), self.seq));
        self.by_locality
            .entry(loc)
            .or_default()
            .insert(self.seq, Arc::new(item));
    }

    pub(crate) fn get(&self, id: &str) -> Option<&Arc<T>> {
        let (loc, seq) = self.index.get(id)?;
        self.by_locality.get(loc)?.get(seq)
    }

    /// The resource `id` if it is in `locality`.
    pub(crate) fn get_in(&self, locality: &str, id: &str) -> Option<&Arc<T>> {
        let (loc, seq) = self.index.get(id)?;
        if loc != locality {
            return None;
        }
        self.by_locality.get(loc)?.get(seq)
    }

    /// Mutable access (copy-on-write).
    pub(crate) fn get_mut(&mut self, id: &str) -> Option<&mut T> {
        let (loc, seq) = self.index.get(id)?;
        self.by_locality
            .get_mut(loc)?
            .get_mut(seq)
            .map(Arc::make_mut)
    }

    pub(crate) fn remove(&mut self, id: &str) -> Option<Arc<T>> {
        let (loc, seq) = self.index.remove(id)?;
        self.by_locality.get_mut(&loc)?.remove(&seq)
    }

    /// Resources of one locality, oldest first.
    pub(crate) fn in_locality<'a>(
        &'a self,
        locality: &str,
    ) -> impl Iterator<Item = &'a Arc<T>> + 'a {
        self.by_locality
            .get(locality)
            .into_iter()
            .flat_map(|m| m.values())
    }

    /// Every resource (localities in no particular order; oldest first within each).
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Arc<T>> + '_ {
        self.by_locality.values().flat_map(|m| m.values())
    }

    /// Every resource, oldest first across localities.
    pub(crate) fn iter_ordered(&self) -> Vec<&Arc<T>> {
        let mut all: Vec<(u64, &Arc<T>)> = self
            .by_locality
            .values()
            .flat_map(|m| m.iter().map(|(s, v)| (*s, v)))
            .collect();
        all.sort_by_key(|(s, _)| *s);
        all.into_iter().map(|(_, v)| v).collect()
    }

    pub(crate) fn len(&self) -> usize {
        self.index.len()
    }
}
