//! Validation of raw values: each setting parsed with what is accepted spelled out, and
//! the shared parsers (booleans, base URLs, user agents).

use url::Url;

use crate::locality::{Region, Zone};

use super::loader::Raw;
use super::{ConfigKey, ConfigProblem, Setting, Sourced};

pub(super) struct Validator {
    pub(super) problems: Vec<ConfigProblem>,
    pub(super) settings: Vec<Setting>,
    /// The raw secret key text, to keep it out of every other setting's output.
    pub(super) secret: Option<String>,
}

impl Validator {
    pub(super) fn check<T>(
        &mut self,
        key: ConfigKey,
        raw: Option<&Raw>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<Sourced<T>> {
        let Some(raw) = raw else {
            self.settings.push(Setting {
                key,
                value: None,
                source: None,
                problem: None,
            });
            return None;
        };
        // A secret key pasted into another setting must not be printed either.
        let is_the_secret = !key.is_secret()
            && self
                .secret
                .as_deref()
                .is_some_and(|sk| sk == raw.text.trim());
        let looks_secret =
            key == ConfigKey::AccessKey && crate::credentials::is_uuid(raw.text.trim());
        let shown = if key.is_secret() || is_the_secret || looks_secret {
            "[redacted]".to_owned()
        } else {
            raw.text.clone()
        };
        let result = if raw.text.is_empty() {
            Err("is set but empty; set a value or unset it".to_owned())
        } else if is_the_secret {
            Err("this is the secret key; it belongs in secret_key / SCW_SECRET_KEY".to_owned())
        } else if looks_secret {
            Err("this looks like a secret key (a UUID); the access key is `SCW` followed by 17 upper-case letters or digits".to_owned())
        } else {
            parse(&raw.text)
        };
        match result {
            Ok(v) => {
                self.settings.push(Setting {
                    key,
                    value: Some(shown),
                    source: Some(raw.source.clone()),
                    problem: None,
                });
                Some(Sourced::new(v, raw.source.clone()))
            }
            Err(message) => {
                self.settings.push(Setting {
                    key,
                    value: Some(shown.clone()),
                    source: Some(raw.source.clone()),
                    problem: Some(message.clone()),
                });
                self.problems.push(ConfigProblem {
                    key,
                    source: Some(raw.source.clone()),
                    shown_value: Some(shown),
                    message,
                });
                None
            }
        }
    }
}

pub(super) const BOOL_EXPECTED: &str = "expected a boolean: true, false, 1, 0, t, f (any case)";

pub(super) fn known<'a>(names: impl Iterator<Item = &'a str>) -> String {
    format!("known: {}", names.collect::<Vec<_>>().join(", "))
}

/// A region from configuration: one this version knows (or a legacy alias), or a
/// well-formed one it does not know yet (the caller warns); anything else is an error.
pub(super) fn parse_region(text: &str) -> Result<Region, String> {
    text.parse::<Region>().or_else(|_| {
        Region::from_server(text).ok_or_else(|| {
            format!(
                "`{text}` is not a region: expected two letters, a dash and 3 to 7 letters, like `fr-par` ({})",
                known(Region::ALL.iter().map(Region::as_str))
            )
        })
    })
}

/// A zone from configuration, as [`parse_region`].
pub(super) fn parse_zone(text: &str) -> Result<Zone, String> {
    text.parse::<Zone>().or_else(|_| {
        Zone::from_server(text).ok_or_else(|| {
            format!(
                "`{text}` is not a zone: expected a region, a dash and a number, like `fr-par-1` ({})",
                known(Zone::ALL.iter().map(Zone::as_str))
            )
        })
    })
}

/// Go `strconv.ParseBool`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Validates a base URL: `https`, or plain `http` only for a loopback host or when
/// `insecure` is set. A trailing `/` is tolerated.
pub(crate) fn parse_base_url(text: &str, insecure: bool) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("not a valid URL ({e})"))?;
    match url.scheme() {
        "https" => {}
        "http" if insecure || is_loopback(&url) => {}
        "http" => {
            return Err(
                "plain http is only allowed for a loopback host (127.0.0.1, ::1, localhost) or with insecure=true; use https"
                    .to_owned(),
            );
        }
        other => return Err(format!("unsupported scheme `{other}`; use https")),
    }
    if url.host().is_none() {
        return Err("the URL has no host".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("the URL must not have a query or fragment".to_owned());
    }
    Ok(url)
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// ≤ 512 bytes of printable ASCII (Go SDK rule).
pub(crate) fn validate_user_agent(s: &str) -> Result<(), String> {
    if s.len() > 512 {
        return Err(format!("too long ({} bytes; at most 512)", s.len()));
    }
    if !s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Err("must be printable ASCII characters only".to_owned());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bools() {
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("f"), Some(false));
        assert_eq!(parse_bool("yes"), None);
    }

    #[test]
    fn base_urls() {
        assert!(parse_base_url("https://api.scaleway.com", false).is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080", false).is_ok());
        assert!(parse_base_url("http://localhost:8080", false).is_ok());
        assert!(parse_base_url("http://[::1]:8080", false).is_ok());
        let e = parse_base_url("http://example.com", false).unwrap_err();
        assert!(e.contains("loopback"), "{e}");
        assert!(parse_base_url("http://example.com", true).is_ok());
        assert!(parse_base_url("ftp://example.com", true).is_err());
        assert!(parse_base_url("not a url", true).is_err());
    }

    #[test]
    fn user_agent_rules() {
        assert!(validate_user_agent("my-tool/1.0").is_ok());
        assert!(validate_user_agent("é").is_err());
        assert!(validate_user_agent(&"a".repeat(513)).is_err());
    }
}
