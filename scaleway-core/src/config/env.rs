//! An injectable view of the process environment.

use std::collections::BTreeMap;
use std::fmt;

/// A snapshot of environment variables.
///
/// Configuration loading reads the environment only through this type, so tests can give it
/// any set of variables without touching the real process environment.
///
/// `Debug` prints variable names only: values may be secrets.
///
/// ```
/// use scaleway_core::Env;
///
/// let env = Env::from_pairs([("SCW_DEFAULT_ZONE", "nl-ams-1")]);
/// assert_eq!(env.get("SCW_DEFAULT_ZONE"), Some("nl-ams-1"));
/// assert_eq!(env.get("HOME"), None);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// A snapshot of the current process environment. Variables whose name or value is
    /// not valid UTF-8 are left out.
    pub fn from_process() -> Self {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        Env { vars }
    }

    /// An environment holding exactly these variables.
    pub fn from_pairs<I, K, V>(pairs: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: Into<String>,
        V: Into<String>,
    {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The value of `name`, if set (an empty value counts as set, as in the Go SDK).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Sets a variable (for building test environments).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// Removes a variable.
    pub fn remove(&mut self, name: &str) -> &mut Self {
        self.vars.remove(name);
        self
    }
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Env")
            .field("names", &self.vars.keys().collect::<Vec<_>>())
            .finish()
    }
}
