//! The `scw` configuration file (`config.yaml`), parsed with one wrapped YAML function.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};

use super::ConfigError;

/// A scalar from the file, kept as text whatever YAML typed it as (`insecure: true`,
/// `default_project_id: 1234` …); validation happens later, with the source attached.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ScalarText(pub(crate) String);

impl<'de> Deserialize<'de> for ScalarText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // The YAML deserializer gives any plain scalar as its text, and keeps precise
        // error locations for non-scalars.
        String::deserialize(d).map(ScalarText)
    }
}

/// One profile of the file: the top-level keys (the `default` profile) or an entry of
/// `profiles:`.
#[derive(Default, Deserialize)]
pub(crate) struct RawProfile {
    pub(crate) access_key: Option<ScalarText>,
    pub(crate) secret_key: Option<ScalarText>,
    pub(crate) default_organization_id: Option<ScalarText>,
    pub(crate) default_project_id: Option<ScalarText>,
    pub(crate) default_region: Option<ScalarText>,
    pub(crate) default_zone: Option<ScalarText>,
    pub(crate) api_url: Option<ScalarText>,
    pub(crate) insecure: Option<ScalarText>,
    pub(crate) s3_endpoint: Option<ScalarText>,
    pub(crate) s3_use_path_style: Option<ScalarText>,
    pub(crate) user_agent: Option<ScalarText>,
    /// Known to the CLI, unused by the SDK.
    #[allow(dead_code)]
    pub(crate) send_telemetry: Option<ScalarText>,
    /// Top level only: the profile to use.
    pub(crate) active_profile: Option<ScalarText>,
    /// Top level only: the named profiles.
    pub(crate) profiles: Option<BTreeMap<String, RawProfile>>,
}

/// Keys the file format knows (any level).
const KNOWN_KEYS: &[&str] = &[
    "access_key",
    "secret_key",
    "default_organization_id",
    "default_project_id",
    "default_region",
    "default_zone",
    "api_url",
    "insecure",
    "s3_endpoint",
    "s3_use_path_style",
    "user_agent",
    "send_telemetry",
    "active_profile",
    "profiles",
];

/// Only the key names, for unknown-key warnings (a second, cheap pass: `flatten` would
/// cost the first pass its error locations).
#[derive(Deserialize)]
struct KeyNames {
    #[serde(default)]
    profiles: Option<BTreeMap<String, BTreeMap<String, IgnoredAny>>>,
}

impl RawProfile {
    pub(crate) fn get(&self, yaml_key: &str) -> Option<&str> {
        let v = match yaml_key {
            "access_key" => &self.access_key,
            "secret_key" => &self.secret_key,
            "default_organization_id" => &self.default_organization_id,
            "default_project_id" => &self.default_project_id,
            "default_region" => &self.default_region,
            "default_zone" => &self.default_zone,
            "api_url" => &self.api_url,
            "insecure" => &self.insecure,
            "s3_endpoint" => &self.s3_endpoint,
            "s3_use_path_style" => &self.s3_use_path_style,
            "user_agent" => &self.user_agent,
            _ => return None,
        };
        v.as_ref().map(|s| s.0.as_str())
    }
}

/// The whole file: the top-level keys are the `default` profile.
pub(crate) type RawFile = RawProfile;

/// A configuration file that was read.
pub(crate) struct LoadedFile {
    pub(crate) path: PathBuf,
    pub(crate) raw: RawFile,
    pub(crate) warnings: Vec<String>,
}

/// Parses YAML text into `T`. This is the only place YAML is parsed in the crate.
///
/// Errors name the file, line and column, and never quote the document (it may hold a
/// secret key): the parser's source snippet is dropped and UUID-shaped words are masked.
pub(crate) fn parse_yaml<T: DeserializeOwned>(text: &str, path: &Path) -> Result<T, ConfigError> {
    // An empty file is an empty mapping, as for the Go SDK.
    if text.trim().is_empty() {
        return parse_yaml("{}", path);
    }
    serde_saphyr::from_str::<T>(text).map_err(|e| {
        let inner = e.without_snippet();
        let (line, column) = inner
            .location()
            .map_or((None, None), |l| (Some(l.line()), Some(l.column())));
        let message = inner.render_with_options(serde_saphyr::render_options! {
            snippets: serde_saphyr::SnippetMode::Off,
        });
        ConfigError::Yaml {
            path: path.to_owned(),
            line,
            column,
            message: mask_uuids(&strip_location_suffix(&message)),
        }
    })
}

/// The renderer appends " at line L column C"; we print the location ourselves.
fn strip_location_suffix(message: &str) -> String {
    let first = message.lines().next().unwrap_or_default();
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_owned(),
        None => first.to_owned(),
    }
}

/// Replaces every UUID-shaped word with `[redacted]`, so an error about a secret key
/// line never prints the secret.
pub(crate) fn mask_uuids(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let b = s.as_bytes();
    while i < b.len() {
        if i + 36 <= b.len()
            && s.is_char_boundary(i)
            && s.is_char_boundary(i + 36)
            && crate::credentials::is_uuid(&s[i..i + 36])
        {
            out.push_str("[redacted]");
            i += 36;
        } else {
            let ch = s[i..].chars().next().unwrap_or('\u{fffd}');
            out.push(ch);
            i += ch.len_utf8().max(1);
        }
    }
    out
}

pub(crate) fn read_file(path: &Path) -> Result<Option<LoadedFile>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::Io {
                path: path.to_owned(),
                message: e.to_string(),
            });
        }
    };
    let raw: RawFile = parse_yaml(&text, path)?;
    let mut warnings = Vec::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                warnings.push(format!(
                    "{} is readable by other users (mode {mode:o}); it holds a secret key: run `chmod 600 {}`",
                    path.display(),
                    path.display()
                ));
            }
        }
    }
    let unknown = |k: &String| !KNOWN_KEYS.contains(&k.as_str());
    if let Ok(root) = parse_yaml::<BTreeMap<String, IgnoredAny>>(&text, path) {
        for key in root.keys().filter(|k| unknown(k)) {
            warnings.push(format!("{}: unknown key `{key}` ignored", path.display()));
        }
    }
    if let Ok(names) = parse_yaml::<KeyNames>(&text, path) {
        for (name, keys) in names.profiles.iter().flatten() {
            for key in keys.keys().filter(|k| unknown(k)) {
                warnings.push(format!(
                    "{}: profile `{name}`: unknown key `{key}` ignored",
                    path.display()
                ));
            }
        }
    }
    Ok(Some(LoadedFile {
        path: path.to_owned(),
        raw,
        warnings,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_uuids() {
        assert_eq!(
            mask_uuids("bad 11111111-2222-3333-4444-555555555555: x"),
            "bad [redacted]: x"
        );
        assert_eq!(mask_uuids("é ok"), "é ok");
    }

    #[test]
    fn scalars_become_text() {
        let f: RawFile = parse_yaml(
            "insecure: true\ndefault_project_id: 1234\nprofiles:\n  p:\n    default_zone: nl-ams-1\n",
            Path::new("x.yaml"),
        )
        .unwrap();
        assert_eq!(f.get("insecure"), Some("true"));
        assert_eq!(f.get("default_project_id"), Some("1234"));
        let profiles = f.profiles.unwrap();
        assert_eq!(profiles["p"].get("default_zone"), Some("nl-ams-1"));
    }
}
