//! Compact field types for models held by the 100 000 in a snapshot.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An immutable string shared by every model that holds the same value: a project or
/// organization ID, a commercial type, a state detail, an image or security group… A clone
/// is a reference count; deserializing reuses a recent equal value from a small per-thread
/// cache (bounded: it never grows with the data), so 100 000 servers of one project hold
/// one copy of its ID.
///
/// It reads as a `&str` ([`Deref`], [`SharedStr::as_str`]), compares with `str` and
/// `String`, and (de)serializes as a JSON string.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SharedStr(Arc<str>);

/// Slots of the per-thread cache of recent values.
const CACHE_SLOTS: usize = 1024;
/// Longer values are not looked up (they are rarely shared).
const CACHE_MAX_LEN: usize = 128;

thread_local! {
    static RECENT: RefCell<Vec<Option<Arc<str>>>> = RefCell::new(vec![None; CACHE_SLOTS]);
    /// The empty string, allocated once per thread (`Arc::from("")` allocates its counts).
    static EMPTY: Arc<str> = Arc::from("");
}

impl SharedStr {
    /// `s`, shared with a recent equal value when there is one.
    pub fn new(s: &str) -> SharedStr {
        if s.is_empty() {
            return SharedStr::default();
        }
        if s.len() > CACHE_MAX_LEN {
            return SharedStr(Arc::from(s));
        }
        // Fixed keys: the same value lands in the same slot on every call.
        let mut hasher = std::hash::DefaultHasher::new();
        s.hash(&mut hasher);
        let slot = usize::try_from(hasher.finish() % CACHE_SLOTS as u64).unwrap_or(0);
        RECENT.with(|recent| {
            let mut recent = recent.borrow_mut();
            match recent.get(slot) {
                Some(Some(v)) if **v == *s => SharedStr(Arc::clone(v)),
                _ => {
                    let v: Arc<str> = Arc::from(s);
                    if let Some(entry) = recent.get_mut(slot) {
                        *entry = Some(Arc::clone(&v));
                    }
                    SharedStr(v)
                }
            }
        })
    }

    /// The string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for SharedStr {
    /// The empty string (shared: no allocation).
    fn default() -> Self {
        SharedStr(EMPTY.with(Arc::clone))
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> Self {
        SharedStr::new(s)
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> Self {
        SharedStr::new(&s)
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> Self {
        s.0.to_string()
    }
}

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for SharedStr {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for SharedStr {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == *other.0
    }
}

impl PartialEq<SharedStr> for &str {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl PartialEq<SharedStr> for String {
    fn eq(&self, other: &SharedStr) -> bool {
        **self == *other.0
    }
}

impl Serialize for SharedStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SharedStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Str;
        impl serde::de::Visitor<'_> for Str {
            type Value = SharedStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<SharedStr, E> {
                Ok(SharedStr::new(v))
            }
        }
        d.deserialize_str(Str)
    }
}

/// `deserialize_with` for a list the size of its items (serde grows a vector to 4 items at
/// least, and most of these lists hold one).
pub(crate) fn exact_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let mut v = Vec::<T>::deserialize(d)?;
    v.shrink_to_fit();
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_are_shared_and_read_as_strings() {
        let a: SharedStr = serde_json::from_str("\"0f9d1a2e-project\"").unwrap();
        let b: SharedStr = serde_json::from_str("\"0f9d1a2e-project\"").unwrap();
        assert!(Arc::ptr_eq(&a.0, &b.0), "one copy");
        assert_eq!(a, "0f9d1a2e-project");
        assert_eq!(a.as_str(), "0f9d1a2e-project");
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"0f9d1a2e-project\"");
        assert_eq!(String::from(a.clone()), "0f9d1a2e-project");
        assert_eq!(
            format!("{a} {a:?}"),
            "0f9d1a2e-project \"0f9d1a2e-project\""
        );
        let long = "x".repeat(CACHE_MAX_LEN + 1);
        assert_eq!(SharedStr::new(&long), long.as_str());
        assert_eq!(SharedStr::default(), "");
        let (e1, e2) = (SharedStr::new(""), SharedStr::default());
        assert!(Arc::ptr_eq(&e1.0, &e2.0), "one empty string");
    }

    #[test]
    fn exact_vec_holds_what_it_read() {
        #[derive(Deserialize)]
        struct Holder {
            #[serde(deserialize_with = "exact_vec")]
            items: Vec<u64>,
        }
        let h: Holder = serde_json::from_str(r#"{"items": [7]}"#).unwrap();
        assert_eq!((h.items.len(), h.items.capacity()), (1, 1));
    }
}
