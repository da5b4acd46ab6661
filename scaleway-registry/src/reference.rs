//! Image references (`rg.fr-par.scw.cloud/acme-prod/api:v1.2.0`), registry hosts per
//! region, and platforms.
//!
//! References are derived from the API's objects ([`crate::Namespace::reference`],
//! [`crate::RegistryApi::reference`]) rather than assembled by hand; parsing one typed by a
//! user is strict about its shape and says what is expected.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use scaleway_core::Region;

use crate::error::{Diagnosis, Error};

/// `rg.<region>.scw.cloud`.
const HOST_PREFIX: &str = "rg.";
const HOST_SUFFIX: &str = ".scw.cloud";

/// Which host serves the registry of each region.
///
/// By default `rg.<region>.scw.cloud` (the Docker endpoint the API returns for every
/// namespace). An override sends the traffic of one region elsewhere — meant for a local
/// registry or the simulator — while references keep their canonical
/// `rg.<region>.scw.cloud` form. Overrides on a loopback address (`127.0.0.0/8`,
/// `localhost`, `[::1]`) are reached over plain `http`; every other host over `https`.
///
/// What an override receives: every pull request of its region with the pull token (a
/// bearer token scoped to the repository, valid minutes) that the realm it names issued.
/// The secret key goes only to that realm, and only when the realm is an `https` URL on
/// `api.scaleway.com` or a `*.scw.cloud` host, or a loopback address while the override
/// itself is a loopback one; to any other realm the pull is anonymous
/// ([`crate::Diagnosis::CredentialsWithheld`] if that fails). So a non-loopback
/// override that names Scaleway's realm receives a token that can pull the repository
/// from Scaleway: only override with hosts you trust with that.
///
/// ```
/// use scaleway_core::Region;
/// use scaleway_registry::RegistryHosts;
///
/// let hosts = RegistryHosts::new().with_override(Region::FrPar, "127.0.0.1:5000")?;
/// assert_eq!(hosts.connect_host(&Region::FrPar), "127.0.0.1:5000");
/// assert_eq!(hosts.connect_host(&Region::NlAms), "rg.nl-ams.scw.cloud");
/// assert_eq!(hosts.region_of_host("rg.fr-par.scw.cloud"), Some(Region::FrPar));
/// assert_eq!(hosts.region_of_host("127.0.0.1:5000"), Some(Region::FrPar));
/// # Ok::<(), scaleway_registry::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryHosts {
    overrides: BTreeMap<Region, String>,
}

impl RegistryHosts {
    /// The default hosts, `rg.<region>.scw.cloud`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sends `region`'s registry traffic to `host` (`host[:port]`, no scheme).
    ///
    /// # Errors
    ///
    /// [`Diagnosis::InvalidArgument`] when `host` has a scheme, a path or spaces.
    pub fn with_override(mut self, region: Region, host: impl Into<String>) -> Result<Self, Error> {
        let host = host.into();
        let bad = host.is_empty()
            || host.contains("://")
            || host.contains('/')
            || host.chars().any(char::is_whitespace);
        if bad {
            return Err(Error::invalid_argument(format!(
                "registry host override `{host}` for {region}: expected `host[:port]` without scheme or path, e.g. `127.0.0.1:5000`"
            )));
        }
        self.overrides.insert(region, host);
        Ok(self)
    }

    /// The canonical host of `region`: `rg.<region>.scw.cloud`.
    pub fn canonical_host(region: &Region) -> String {
        format!("{HOST_PREFIX}{}{HOST_SUFFIX}", region.as_str())
    }

    /// Where `region`'s registry is reached: the override, else the canonical host.
    pub fn connect_host(&self, region: &Region) -> String {
        self.overrides
            .get(region)
            .cloned()
            .unwrap_or_else(|| Self::canonical_host(region))
    }

    /// The region a host belongs to: `rg.<region>.scw.cloud` for a well-formed region,
    /// or the region an override was set for.
    pub fn region_of_host(&self, host: &str) -> Option<Region> {
        if let Some((r, _)) = self.overrides.iter().find(|(_, h)| h.as_str() == host) {
            return Some(r.clone());
        }
        let region = host.strip_prefix(HOST_PREFIX)?.strip_suffix(HOST_SUFFIX)?;
        Region::from_server(region)
    }

    /// The region of a reference's host ([`RegistryHosts::region_of_host`]).
    ///
    /// # Errors
    ///
    /// [`Diagnosis::UnknownRegistryHost`] when the host is neither `rg.<region>.scw.cloud`
    /// nor an override.
    pub fn region_of(&self, reference: &ImageReference) -> Result<Region, Error> {
        self.region_of_host(reference.host()).ok_or_else(|| {
            Error::new(Diagnosis::UnknownRegistryHost {
                host: reference.host().to_owned(),
            })
        })
    }

    /// Whether `host` is an override on a loopback address (reached over plain `http`).
    pub fn is_plain_http(&self, host: &str) -> bool {
        self.overrides.values().any(|h| h == host) && is_loopback_host(host)
    }

    /// Every overridden host reached over plain `http`.
    pub(crate) fn plain_http_hosts(&self) -> Vec<String> {
        self.overrides
            .values()
            .filter(|h| is_loopback_host(h))
            .cloned()
            .collect()
    }
}

fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, _)| h)
    };
    name == "localhost"
        || name == "::1"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A reference to an image in a Scaleway registry:
/// `<host>/<namespace>/<image>[:<tag>][@sha256:<digest>]`.
///
/// The image name may contain `/` (`rg.pl-waw.scw.cloud/acme-testing/tools/ci:v1`).
///
/// ```
/// use scaleway_registry::ImageReference;
///
/// let r: ImageReference = "rg.fr-par.scw.cloud/acme-prod/api:v1.2.0".parse()?;
/// assert_eq!(r.namespace(), "acme-prod");
/// assert_eq!(r.image(), "api");
/// assert_eq!(r.tag(), Some("v1.2.0"));
/// assert_eq!(r.repository(), "acme-prod/api");
/// assert!("acme-prod/api".parse::<ImageReference>().is_err()); // no registry host
/// # Ok::<(), scaleway_registry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageReference {
    host: String,
    namespace: String,
    image: String,
    tag: Option<String>,
    digest: Option<String>,
}

impl ImageReference {
    pub(crate) fn from_parts(
        host: String,
        namespace: &str,
        image: &str,
        tag: Option<&str>,
        digest: Option<&str>,
    ) -> Self {
        Self {
            host,
            namespace: namespace.to_owned(),
            image: image.to_owned(),
            tag: tag.map(str::to_owned),
            digest: digest.map(str::to_owned),
        }
    }

    /// Parses `input`; a reference without a host (`acme-prod/api:latest`) is placed in
    /// `region` (`rg.<region>.scw.cloud`).
    ///
    /// # Errors
    ///
    /// [`Diagnosis::InvalidReference`] saying what is wrong and what is expected.
    pub fn parse_in(input: &str, region: &Region) -> Result<Self, Error> {
        let first = input.split('/').next().unwrap_or("");
        if looks_like_host(first) {
            input.parse()
        } else {
            format!("{}/{input}", RegistryHosts::canonical_host(region)).parse()
        }
    }

    /// The registry host, e.g. `rg.fr-par.scw.cloud`.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The namespace (first path segment).
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The image name (the rest of the path; may contain `/`).
    pub fn image(&self) -> &str {
        &self.image
    }

    /// The tag, if any.
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    /// The digest (`sha256:…`), if any.
    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// `<namespace>/<image>`, the repository name of the distribution API.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.namespace, self.image)
    }

    /// The same reference pinned to `digest` (the tag is kept for display).
    pub fn with_digest(&self, digest: &str) -> Self {
        let mut r = self.clone();
        r.digest = Some(digest.to_owned());
        r
    }

    /// The same reference on another host (e.g. the canonical host of another region).
    pub fn with_host(&self, host: impl Into<String>) -> Self {
        let mut r = self.clone();
        r.host = host.into();
        r
    }

    /// The same reference with another namespace name.
    pub fn with_namespace(&self, namespace: &str) -> Self {
        let mut r = self.clone();
        namespace.clone_into(&mut r.namespace);
        r
    }

    /// The tag, or the digest, or `latest` (what a pull resolves).
    pub(crate) fn tag_or_digest(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }
}

fn looks_like_host(s: &str) -> bool {
    s.contains('.') || s.contains(':') || s == "localhost"
}

fn invalid(input: &str, reason: impl Into<String>) -> Error {
    Error::new(Diagnosis::InvalidReference {
        input: input.to_owned(),
        reason: reason.into(),
    })
}

fn valid_path_component(c: &str) -> bool {
    !c.is_empty()
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && c.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

fn valid_tag(t: &str) -> bool {
    (1..=128).contains(&t.len())
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && t.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
}

pub(crate) fn valid_sha256_digest(d: &str) -> bool {
    d.strip_prefix("sha256:").is_some_and(|h| {
        h.len() == 64
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl FromStr for ImageReference {
    type Err = Error;

    /// Parses `<host>/<namespace>/<image>[:<tag>][@sha256:<hex>]`. Upper-case letters are
    /// accepted in the path here (distribution names are lower-case; pulling such a
    /// reference explains which existing namespace differs only in case).
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let s = input.trim();
        let (rest, digest) = match s.rsplit_once('@') {
            Some((r, d)) => {
                if !valid_sha256_digest(d) {
                    return Err(invalid(
                        input,
                        format!(
                            "`{d}` is not a digest (expected sha256: and 64 lower-case hex digits)"
                        ),
                    ));
                }
                (r, Some(d.to_owned()))
            }
            None => (s, None),
        };
        let (host, path) = rest
            .split_once('/')
            .ok_or_else(|| invalid(input, "it has no registry host and no namespace"))?;
        if !looks_like_host(host) {
            return Err(invalid(
                input,
                format!(
                    "`{host}` is not a registry host (e.g. rg.fr-par.scw.cloud); to name an image of a region, derive the reference from the namespace or pass the region"
                ),
            ));
        }
        // A tag is after the last `:` of the last path component.
        let (path, tag) = match path.rsplit_once('/') {
            Some((dir, last)) => match last.split_once(':') {
                Some((name, tag)) => (format!("{dir}/{name}"), Some(tag.to_owned())),
                None => (path.to_owned(), None),
            },
            None => (path.to_owned(), None),
        };
        if let Some(t) = tag.as_deref().filter(|t| !valid_tag(t)) {
            return Err(invalid(
                input,
                format!(
                    "`{t}` is not a valid tag (letters, digits, `.`, `_`, `-`, at most 128 characters)"
                ),
            ));
        }
        let (namespace, image) = path.split_once('/').ok_or_else(|| {
            invalid(
                input,
                "it names a namespace but no image (expected <host>/<namespace>/<image>)",
            )
        })?;
        for c in std::iter::once(namespace).chain(image.split('/')) {
            if !valid_path_component(c) {
                return Err(invalid(
                    input,
                    format!(
                        "`{c}` is not a valid path component (letters, digits, `.`, `_`, `-`, starting with a letter or digit)"
                    ),
                ));
            }
        }
        Ok(Self {
            host: host.to_owned(),
            namespace: namespace.to_owned(),
            image: image.to_owned(),
            tag,
            digest,
        })
    }
}

impl fmt::Display for ImageReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.host, self.namespace, self.image)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// An image platform, `os/architecture[/variant]` (default `linux/amd64`).
///
/// ```
/// use scaleway_registry::Platform;
///
/// let p: Platform = "linux/arm64/v8".parse()?;
/// assert_eq!(p.architecture(), "arm64");
/// assert_eq!(Platform::default().to_string(), "linux/amd64");
/// # Ok::<(), scaleway_registry::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Platform {
    os: String,
    architecture: String,
    variant: Option<String>,
}

impl Default for Platform {
    fn default() -> Self {
        Self {
            os: "linux".into(),
            architecture: "amd64".into(),
            variant: None,
        }
    }
}

impl Platform {
    /// A platform from its parts.
    pub fn new(os: &str, architecture: &str, variant: Option<&str>) -> Self {
        Self {
            os: os.to_owned(),
            architecture: architecture.to_owned(),
            variant: variant.map(str::to_owned),
        }
    }

    /// Operating system (`linux`).
    pub fn os(&self) -> &str {
        &self.os
    }

    /// CPU architecture (`amd64`, `arm64`).
    pub fn architecture(&self) -> &str {
        &self.architecture
    }

    /// Variant (`v8`), if any.
    pub fn variant(&self) -> Option<&str> {
        self.variant.as_deref()
    }

    /// Whether an index entry's platform satisfies this one (a requested variant must
    /// match; none requested accepts any).
    pub(crate) fn matches(&self, os: &str, arch: &str, variant: Option<&str>) -> bool {
        self.os == os
            && self.architecture == arch
            && self.variant.as_deref().is_none_or(|v| Some(v) == variant)
    }
}

impl FromStr for Platform {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        let ok = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        };
        match parts.as_slice() {
            [os, arch] if ok(os) && ok(arch) => Ok(Self::new(os, arch, None)),
            [os, arch, v] if ok(os) && ok(arch) && ok(v) => Ok(Self::new(os, arch, Some(v))),
            _ => Err(Error::invalid_argument(format!(
                "platform `{s}`: expected os/architecture[/variant] in lower case, e.g. linux/amd64 or linux/arm64/v8"
            ))),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const D: &str = "sha256:96e9340afe8cd4ab5ee2989f5a544c3405ff2fc2450dd1a6f9eee2a63e6cda56";

    #[test]
    fn parses_references() {
        let r: ImageReference = "rg.pl-waw.scw.cloud/acme-testing/tools/ci:v1"
            .parse()
            .unwrap();
        assert_eq!(
            (r.namespace(), r.image(), r.tag()),
            ("acme-testing", "tools/ci", Some("v1"))
        );
        let r: ImageReference = format!("127.0.0.1:5000/ns/img@{D}").parse().unwrap();
        assert_eq!(r.host(), "127.0.0.1:5000");
        assert_eq!(r.digest(), Some(D));
        assert_eq!(r.tag(), None);
        assert_eq!(r.tag_or_digest(), D);
        let r: ImageReference = format!("rg.fr-par.scw.cloud/ns/img:t@{D}").parse().unwrap();
        assert_eq!(r.to_string(), format!("rg.fr-par.scw.cloud/ns/img:t@{D}"));
        let r: ImageReference = "rg.fr-par.scw.cloud/Acme-Prod/api".parse().unwrap();
        assert_eq!(r.namespace(), "Acme-Prod");
        assert_eq!(r.tag_or_digest(), "latest");
        let r = ImageReference::parse_in("acme/api:1", &Region::NlAms).unwrap();
        assert_eq!(r.to_string(), "rg.nl-ams.scw.cloud/acme/api:1");
    }

    #[test]
    fn rejects_bad_references_with_a_reason() {
        for (input, needle) in [
            ("acme/api", "not a registry host"),
            ("rg.fr-par.scw.cloud/acme", "no image"),
            ("rg.fr-par.scw.cloud/acme/api:bad tag", "not a valid tag"),
            ("rg.fr-par.scw.cloud/acme/api@sha256:abc", "not a digest"),
            (
                "rg.fr-par.scw.cloud/acme//api",
                "not a valid path component",
            ),
            (
                "rg.fr-par.scw.cloud/-acme/api",
                "not a valid path component",
            ),
            ("nohost", "no registry host"),
        ] {
            let e = input.parse::<ImageReference>().unwrap_err().to_string();
            assert!(e.contains(needle), "{input}: {e}");
            assert!(e.contains("expected"), "{input}: {e}");
        }
    }

    #[test]
    fn hosts() {
        let h = RegistryHosts::new()
            .with_override(Region::PlWaw, "localhost:9")
            .unwrap()
            .with_override(Region::NlAms, "registry.example.com")
            .unwrap();
        assert!(h.is_plain_http("localhost:9"));
        assert!(!h.is_plain_http("registry.example.com"));
        assert!(!h.is_plain_http("127.0.0.1:1")); // not an override
        assert_eq!(h.plain_http_hosts(), vec!["localhost:9".to_owned()]);
        assert_eq!(h.region_of_host("rg.it-mil.scw.cloud"), Some(Region::ItMil));
        assert_eq!(h.region_of_host("docker.io"), None);
        assert!(
            RegistryHosts::new()
                .with_override(Region::FrPar, "http://127.0.0.1:1")
                .is_err()
        );
        assert!(is_loopback_host("[::1]:5000"));
        assert!(is_loopback_host("127.3.0.1"));
        assert!(!is_loopback_host("10.0.0.1:5000"));
    }

    #[test]
    fn platforms() {
        assert!("linux".parse::<Platform>().is_err());
        assert!("Linux/AMD64".parse::<Platform>().is_err());
        let p: Platform = "linux/arm64".parse().unwrap();
        assert!(p.matches("linux", "arm64", Some("v8")));
        let p: Platform = "linux/arm64/v8".parse().unwrap();
        assert!(!p.matches("linux", "arm64", None));
    }
}
