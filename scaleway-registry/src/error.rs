//! [`Error`]: every failure of this crate, with its [`Diagnosis`]: what went wrong and what
//! to fix.
//!
//! The common support cases get their own diagnosis, found through the API (see
//! `docs/registry.md`): a refused key, missing permissions, the wrong region, a namespace
//! name that differs only in case, a key scoped to another project, and images or tags that
//! do not exist (with the closest existing names).

use std::fmt::{self, Write as _};
use std::path::PathBuf;

use scaleway_core::{ApiErrorKind, PermissionDenied, Region};

/// Result of this crate's operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The error of every operation of this crate.
///
/// `Display` is one line naming what failed and what to fix. [`Error::diagnosis`] says what
/// went wrong in a form a program can act on (a refused key, a missing permission set, the
/// region where the namespace really is, the closest existing names…), and the predicates
/// answer the usual questions as `scaleway_core::Error`'s do ([`Error::is_not_found`],
/// [`Error::is_permission_denied`], [`Error::is_retryable`]…).
///
/// The management-API error behind it, when there is one, is kept:
/// [`Error::api_error`] gives it (status, request id to quote to support), and it is the
/// error's [`source`](std::error::Error::source) when the diagnosis explains it (a refused
/// key, a missing permission). A local file error is the source of a
/// [`Diagnosis::Io`].
///
/// ```no_run
/// # async fn run(registry: scaleway_registry::RegistryApi) {
/// use scaleway_core::Region;
/// use scaleway_registry::Diagnosis;
///
/// match registry.find_namespace("acme-prod", Some(&Region::NlAms)).await {
///     Ok(ns) => println!("{}", ns.endpoint),
///     Err(e) => match e.diagnosis() {
///         Diagnosis::WrongRegion { found_in, .. } => eprintln!("it is in {found_in:?}"),
///         _ if e.is_retryable() => eprintln!("try again later: {e}"),
///         _ => eprintln!("error: {e}"),
///     },
/// }
/// # }
/// ```
#[non_exhaustive]
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    diagnosis: Diagnosis,
    cause: Option<Cause>,
}

/// The error underneath a diagnosis.
enum Cause {
    /// A management-API (or token realm) error, through scaleway-core.
    Api(scaleway_core::Error),
    /// A local file error.
    Io(std::io::Error),
}

/// Why an API key was refused ([`Diagnosis::KeyRejected`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyProblem {
    /// Unknown: never existed, or revoked (deleted).
    UnknownOrRevoked,
    /// No key is configured, and what was asked is not public.
    Missing,
    /// Expired.
    Expired,
    /// Not a valid secret key (not a UUID).
    Malformed,
    /// Another reason, as sent by the server.
    Other(String),
}

impl KeyProblem {
    pub(crate) fn from_reason(reason: &scaleway_core::AuthDeniedReason) -> Self {
        use scaleway_core::AuthDeniedReason as R;
        match reason {
            R::NotFound => Self::UnknownOrRevoked,
            R::Expired => Self::Expired,
            R::InvalidArgument => Self::Malformed,
            other => Self::Other(other.as_str().to_owned()),
        }
    }
}

/// What went wrong, as a program can act on it ([`Error::diagnosis`]). Each case is a
/// section of `docs/registry.md`'s support page.
#[derive(Debug)]
#[non_exhaustive]
pub enum Diagnosis {
    /// The API key was refused (401): unknown, revoked, expired or malformed, or missing.
    /// The management-API refusal, when the API refused it, is the error's source.
    KeyRejected {
        /// Why.
        problem: KeyProblem,
        /// The access key that was used, if configured.
        access_key: Option<String>,
    },
    /// The key's policies do not grant the Container Registry permission needed (403).
    /// The management-API refusal, when the API refused it, is the error's source.
    PermissionDenied {
        /// The permission set to add: `ContainerRegistryReadOnly` for reads and pulls,
        /// `ContainerRegistryFullAccess` for changes.
        permission_set: &'static str,
        /// The project the permission is needed on, when known (the namespace's).
        project: Option<String>,
        /// The project named as the key's, and where it comes from, when known.
        key_project: Option<KeyProject>,
        /// What the server denied, as `(resource, action)` pairs.
        denied: Vec<PermissionDenied>,
    },
    /// The namespace exists, but in another region than the one asked.
    WrongRegion {
        /// The namespace name.
        namespace: String,
        /// The region asked.
        requested: Region,
        /// The regions where a namespace of that name exists.
        found_in: Vec<Region>,
        /// The reference to use instead, for pulls.
        suggestion: Option<String>,
    },
    /// No namespace has this exact name, but one differs only in case.
    NamespaceCase {
        /// The name asked.
        requested: String,
        /// The existing name.
        actual: String,
        /// Its region.
        region: Region,
        /// The reference to use instead, for pulls.
        suggestion: Option<String>,
    },
    /// The namespace is not visible to this key: it belongs to a project the key has no
    /// registry permission on.
    OtherProject {
        /// The namespace name.
        namespace: String,
        /// Its region.
        region: Region,
        /// The project named as the key's, and where it comes from, when known.
        key_project: Option<KeyProject>,
        /// Projects in which the key can read registry namespaces.
        readable_projects: Vec<String>,
    },
    /// No namespace of that name is visible to the key, in any region searched.
    NamespaceNotFound {
        /// The name asked.
        name: String,
        /// The regions searched.
        regions: Vec<Region>,
        /// The project named as the key's, and where it comes from, when known.
        key_project: Option<KeyProject>,
    },
    /// The name exists in several regions and no region was given.
    AmbiguousNamespace {
        /// The name.
        name: String,
        /// Where it exists.
        regions: Vec<Region>,
    },
    /// The image does not exist in the namespace.
    ImageNotFound {
        /// The namespace.
        namespace: String,
        /// The image asked.
        image: String,
        /// The region.
        region: Region,
        /// The closest existing image names (nearest first), at most three.
        closest: Vec<String>,
    },
    /// The tag (or digest) does not exist for the image.
    TagNotFound {
        /// `<namespace>/<image>`.
        repository: String,
        /// The tag or digest asked.
        tag: String,
        /// The closest existing tags (nearest first), at most three.
        closest: Vec<String>,
    },
    /// The image has no manifest for the requested platform.
    PlatformNotFound {
        /// The reference pulled.
        reference: String,
        /// The platform asked.
        requested: String,
        /// The platforms of the image index.
        available: Vec<String>,
    },
    /// Downloaded content does not match its digest: it was discarded.
    DigestMismatch {
        /// The digest the manifest declares.
        expected: String,
        /// The digest of what was received.
        actual: String,
    },
    /// Downloaded content does not have its declared size: it was discarded.
    SizeMismatch {
        /// The blob's digest.
        digest: String,
        /// Declared size.
        expected: u64,
        /// Received size (may be a lower bound when the server sent too much).
        actual: u64,
    },
    /// The image reference cannot be parsed.
    InvalidReference {
        /// What was given.
        input: String,
        /// What is wrong.
        reason: String,
    },
    /// The reference's host is not a Scaleway registry (nor an override).
    UnknownRegistryHost {
        /// The host.
        host: String,
    },
    /// Bad input to a call.
    InvalidArgument {
        /// What to fix.
        message: String,
    },
    /// The registry (OCI distribution API) answered with an unexpected error.
    Registry {
        /// HTTP status (0 when unknown).
        status: u16,
        /// What was requested.
        what: String,
        /// The registry's message.
        message: String,
    },
    /// The registry could not be reached, or the transfer broke, after retries.
    Transport {
        /// The host.
        host: String,
        /// What failed.
        message: String,
    },
    /// A local file could not be read or written; the I/O error is the error's source.
    Io {
        /// `read`, `write`, `create`, …
        action: &'static str,
        /// The path.
        path: PathBuf,
    },
    /// The registry named a token realm this crate does not send the secret key to, and
    /// the anonymous pull it fell back to failed.
    ///
    /// The secret key is only sent to an `https` realm on `api.scaleway.com` or a
    /// `*.scw.cloud` host, or to a loopback realm when the registry itself is a loopback
    /// host override (a local registry or the simulator).
    CredentialsWithheld {
        /// The registry host pulled from.
        host: String,
        /// The realm its `WWW-Authenticate` challenge named.
        realm: String,
        /// Why the secret key was not sent there.
        reason: String,
        /// How the anonymous pull failed.
        cause: String,
    },
    /// A search across regions did not complete: some regions failed. The failures are
    /// sorted most actionable first (a refused key, then a missing permission, then other
    /// refusals, then unavailability); regions that answered are in `searched`.
    RegionsUnavailable {
        /// What was searched or listed, e.g. ``the search for namespace `acme-prod` ``.
        what: String,
        /// The regions that answered (without a match, for a search).
        searched: Vec<Region>,
        /// The regions that failed, most actionable first.
        failures: Vec<RegionFailure>,
    },
    /// Any other error of the Registry management API: [`Error::api_error`] has it
    /// (status, request id, body excerpt), and the error's message is its message.
    Api,
}

/// The project an error names as the key's, and where it comes from: an API key's own
/// default project (its `default_project_id` in IAM) is not necessarily the configured one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyProject {
    /// The project ID.
    pub id: String,
    /// Where it comes from.
    pub source: ProjectSource,
}

impl KeyProject {
    pub(crate) fn new(id: impl Into<String>, source: ProjectSource) -> Self {
        Self {
            id: id.into(),
            source,
        }
    }
}

/// Where a [`KeyProject`] comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProjectSource {
    /// The key's own `default_project_id`, read from IAM (the key may read itself).
    KeyDefault,
    /// The configured default project (`SCW_DEFAULT_PROJECT_ID` or the profile's
    /// `default_project_id`), which may differ from the key's own.
    Configured,
}

impl fmt::Display for KeyProject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.source {
            ProjectSource::KeyDefault => write!(f, "the key's default project is {}", self.id),
            ProjectSource::Configured => {
                write!(f, "the configured default project is {}", self.id)
            }
        }
    }
}

/// A region of a cross-region search that failed ([`Diagnosis::RegionsUnavailable`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct RegionFailure {
    /// The region.
    pub region: Region,
    /// Why it failed, explained.
    pub error: Error,
}

impl Error {
    /// An error with this diagnosis and no underlying error.
    pub(crate) fn new(diagnosis: Diagnosis) -> Self {
        Self {
            inner: Box::new(Inner {
                diagnosis,
                cause: None,
            }),
        }
    }

    /// Keeps the management-API error this diagnosis explains.
    fn with_api(mut self, e: scaleway_core::Error) -> Self {
        self.inner.cause = Some(Cause::Api(e));
        self
    }

    /// A local file error.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, e: std::io::Error) -> Self {
        let mut error = Self::new(Diagnosis::Io {
            action,
            path: path.into(),
        });
        error.inner.cause = Some(Cause::Io(e));
        error
    }

    /// Bad input to a call.
    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(Diagnosis::InvalidArgument {
            message: message.into(),
        })
    }

    /// What went wrong, as a program can act on it.
    pub fn diagnosis(&self) -> &Diagnosis {
        &self.inner.diagnosis
    }

    pub(crate) fn diagnosis_mut(&mut self) -> &mut Diagnosis {
        &mut self.inner.diagnosis
    }

    /// The underlying management-API error (status, request id, body excerpt): for
    /// [`Diagnosis::Api`], and for a refused key or permission when the API refused it.
    pub fn api_error(&self) -> Option<&scaleway_core::Error> {
        match &self.inner.cause {
            Some(Cause::Api(e)) => Some(e),
            _ => None,
        }
    }

    /// Takes the underlying management-API error out (see [`Error::api_error`]).
    pub fn into_api_error(self) -> Option<scaleway_core::Error> {
        match self.inner.cause {
            Some(Cause::Api(e)) => Some(e),
            _ => None,
        }
    }

    /// Whether something that does not exist was asked for: a namespace (also in another
    /// region or another case), an image, a tag, a platform, or a 404 of the API.
    pub fn is_not_found(&self) -> bool {
        match self.diagnosis() {
            Diagnosis::NamespaceNotFound { .. }
            | Diagnosis::ImageNotFound { .. }
            | Diagnosis::TagNotFound { .. }
            | Diagnosis::PlatformNotFound { .. }
            | Diagnosis::WrongRegion { .. }
            | Diagnosis::NamespaceCase { .. } => true,
            Diagnosis::Registry { status, .. } => *status == 404,
            _ => self
                .api_error()
                .is_some_and(scaleway_core::Error::is_not_found),
        }
    }

    /// Whether the key lacks a permission: a missing permission set
    /// ([`Diagnosis::PermissionDenied`]), a namespace of a project the key has no registry
    /// permission on ([`Diagnosis::OtherProject`]), or another 403 of the API.
    pub fn is_permission_denied(&self) -> bool {
        match self.diagnosis() {
            Diagnosis::PermissionDenied { .. } | Diagnosis::OtherProject { .. } => true,
            _ => self
                .api_error()
                .is_some_and(scaleway_core::Error::is_permission_denied),
        }
    }

    /// Whether the key was refused (unknown, revoked, expired, malformed) or is missing
    /// where what was asked is not public ([`Diagnosis::KeyRejected`]).
    pub fn is_authentication_denied(&self) -> bool {
        matches!(self.diagnosis(), Diagnosis::KeyRejected { .. })
            || self
                .api_error()
                .is_some_and(scaleway_core::Error::is_authentication_denied)
    }

    /// Whether the API or the registry answered 429 (after the retries).
    pub fn is_rate_limited(&self) -> bool {
        matches!(self.diagnosis(), Diagnosis::Registry { status: 429, .. })
            || self
                .api_error()
                .is_some_and(scaleway_core::Error::is_rate_limited)
    }

    /// Whether a management-API call timed out.
    pub fn is_timeout(&self) -> bool {
        self.api_error()
            .is_some_and(scaleway_core::Error::is_timeout)
    }

    /// Whether the registry or the API could not be reached, or a transfer broke (after
    /// the retries).
    pub fn is_transport(&self) -> bool {
        matches!(self.diagnosis(), Diagnosis::Transport { .. })
            || self
                .api_error()
                .is_some_and(scaleway_core::Error::is_transport)
    }

    /// Whether trying again later may succeed: the registry or the API unreachable, busy
    /// (429, 502, 503, 504) or timing out, content that failed verification in transit,
    /// or regions that did not answer (when nothing else failed).
    pub fn is_retryable(&self) -> bool {
        match self.diagnosis() {
            Diagnosis::Transport { .. }
            | Diagnosis::DigestMismatch { .. }
            | Diagnosis::SizeMismatch { .. } => true,
            Diagnosis::Registry { status, .. } => matches!(status, 429 | 502..=504),
            Diagnosis::RegionsUnavailable { failures, .. } => {
                !failures.is_empty() && failures.iter().all(|f| f.error.is_retryable())
            }
            _ => self
                .api_error()
                .is_some_and(scaleway_core::Error::is_retryable),
        }
    }

    /// How actionable this error is for a user, lower first: a refused key, then a
    /// missing permission, then other refusals, then a missing name, then unavailability
    /// (retry later).
    pub(crate) fn actionability(&self) -> u8 {
        match self.diagnosis() {
            Diagnosis::KeyRejected { .. } | Diagnosis::CredentialsWithheld { .. } => 0,
            Diagnosis::PermissionDenied { .. } => 1,
            Diagnosis::Api => match self.api_error() {
                Some(e) => match e.status() {
                    Some(s) if (400..500).contains(&s) && !matches!(s, 404 | 408 | 429) => 2,
                    Some(404) => 3,
                    _ if e.is_retryable() || e.is_transport() || e.is_timeout() => 4,
                    _ => 2,
                },
                None => 2,
            },
            Diagnosis::Transport { .. } => 4,
            Diagnosis::RegionsUnavailable { .. } => 5,
            _ => 3,
        }
    }

    /// The error of a cross-region search where some regions failed: `None` without
    /// failures; the failure itself when it is the only outcome (every region failed the
    /// same way); else [`Diagnosis::RegionsUnavailable`], most actionable first.
    pub(crate) fn regional(
        what: String,
        searched: Vec<Region>,
        failures: Vec<(Region, Error)>,
    ) -> Option<Self> {
        let mut failures = failures;
        failures.sort_by(|(ra, a), (rb, b)| {
            a.actionability()
                .cmp(&b.actionability())
                .then_with(|| ra.cmp(rb))
        });
        let first = failures.first()?.1.to_string();
        if searched.is_empty() && failures.iter().all(|(_, e)| e.to_string() == first) {
            return failures.into_iter().next().map(|(_, e)| e);
        }
        Some(Self::new(Diagnosis::RegionsUnavailable {
            what,
            searched,
            failures: failures
                .into_iter()
                .map(|(region, error)| RegionFailure { region, error })
                .collect(),
        }))
    }

    /// Classifies a management-API error: a refused key and a permission refusal get their
    /// own diagnosis (a denied write selects `ContainerRegistryFullAccess`).
    /// `configured_project` is the configured default project (not necessarily the key's
    /// own).
    pub(crate) fn from_api(
        e: scaleway_core::Error,
        access_key: Option<&str>,
        configured_project: Option<&str>,
    ) -> Self {
        let diagnosis = match e.api_error().map(|a| a.kind.clone()) {
            Some(ApiErrorKind::DeniedAuthentication { reason, .. }) => Diagnosis::KeyRejected {
                problem: KeyProblem::from_reason(&reason),
                access_key: access_key.map(str::to_owned),
            },
            Some(ApiErrorKind::PermissionsDenied { details }) => Diagnosis::PermissionDenied {
                permission_set: permission_set_for(&details),
                project: None,
                key_project: configured_project
                    .map(|p| KeyProject::new(p, ProjectSource::Configured)),
                denied: details,
            },
            _ => Diagnosis::Api,
        };
        Self::new(diagnosis).with_api(e)
    }
}

impl From<scaleway_core::Error> for Error {
    /// Like the crate's own classification ([`RegistryApi::explain`](crate::RegistryApi::explain)),
    /// without the key and project context.
    fn from(e: scaleway_core::Error) -> Self {
        Self::from_api(e, None, None)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use Diagnosis as D;
        match self.diagnosis() {
            D::KeyRejected {
                problem,
                access_key,
            } => f.write_str(&key_message(problem, access_key.as_deref())),
            D::PermissionDenied {
                permission_set,
                project,
                key_project,
                denied,
            } => f.write_str(&permission_message(
                permission_set,
                project.as_deref(),
                key_project.as_ref(),
                denied,
            )),
            D::WrongRegion {
                namespace,
                requested,
                found_in,
                suggestion,
            } => f.write_str(&region_message(
                namespace,
                requested,
                found_in,
                suggestion.as_deref(),
            )),
            D::NamespaceCase {
                requested,
                actual,
                region,
                suggestion,
            } => {
                write!(
                    f,
                    "namespace names are case-sensitive: `{requested}` does not exist, but `{actual}` does (in {region}): use `{actual}`"
                )?;
                match suggestion {
                    Some(s) => write!(f, " ({s})"),
                    None => Ok(()),
                }
            }
            D::OtherProject {
                namespace,
                region,
                key_project,
                readable_projects,
            } => f.write_str(&other_project_message(
                namespace,
                region,
                key_project.as_ref(),
                readable_projects,
            )),
            D::NamespaceNotFound {
                name,
                regions,
                key_project,
            } => f.write_str(&namespace_not_found_message(
                name,
                regions,
                key_project.as_ref(),
            )),
            D::AmbiguousNamespace { name, regions } => write!(
                f,
                "namespace `{name}` exists in several regions ({}): say which region",
                join_regions(regions)
            ),
            D::ImageNotFound {
                namespace,
                image,
                region,
                closest,
            } => f.write_str(&image_not_found_message(namespace, image, region, closest)),
            D::TagNotFound {
                repository,
                tag,
                closest,
            } => f.write_str(&tag_not_found_message(repository, tag, closest)),
            D::PlatformNotFound {
                reference,
                requested,
                available,
            } => write!(
                f,
                "{reference} has no image for {requested}; available platforms: {}: pick one of them",
                if available.is_empty() {
                    "none".to_owned()
                } else {
                    available.join(", ")
                }
            ),
            D::DigestMismatch { expected, actual } => write!(
                f,
                "content of {expected} failed verification (it hashes to {actual}); the download was discarded: retry the pull, and if it happens again the registry or a proxy on the way serves corrupt data"
            ),
            D::SizeMismatch {
                digest,
                expected,
                actual,
            } => write!(
                f,
                "{digest} is declared as {expected} bytes but {actual} bytes were received; the download was discarded: retry the pull"
            ),
            D::InvalidReference { input, reason } => write!(
                f,
                "invalid image reference `{input}`: {reason}; expected rg.<region>.scw.cloud/<namespace>/<image>[:<tag>][@sha256:<digest>]"
            ),
            D::UnknownRegistryHost { host } => write!(
                f,
                "`{host}` is not a Scaleway registry host: expected rg.<region>.scw.cloud (or a host set with RegistryHosts::with_override)"
            ),
            D::InvalidArgument { message } => write!(f, "invalid argument: {message}"),
            D::Registry {
                status,
                what,
                message,
            } => write!(
                f,
                "the registry answered HTTP {status} for {what}: {message}"
            ),
            D::Transport { host, message } => write!(
                f,
                "cannot reach the registry at {host} ({message}): check the network, or the region's registry host"
            ),
            D::Io { action, path } => write!(f, "cannot {action} `{}`", path.display()),
            D::CredentialsWithheld {
                host,
                realm,
                reason,
                cause,
            } => f.write_str(&withheld_message(host, realm, reason, cause)),
            D::RegionsUnavailable {
                what,
                searched,
                failures,
            } => f.write_str(&regions_message(what, searched, failures)),
            D::Api => match self.api_error() {
                Some(e) => fmt::Display::fmt(e, f),
                None => f.write_str("the Container Registry API answered an error"),
            },
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("diagnosis", &self.inner.diagnosis);
        match &self.inner.cause {
            Some(Cause::Api(e)) => d.field("api", e),
            Some(Cause::Io(e)) => d.field("io", e),
            None => &mut d,
        };
        d.finish()
    }
}

impl std::error::Error for Error {
    /// The management-API error a diagnosis explains (a refused key, a missing
    /// permission), or the I/O error of a local file. For [`Diagnosis::Api`], whose message
    /// is the API error's own, the API error's source (see [`Error::api_error`]).
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match (&self.inner.diagnosis, &self.inner.cause) {
            (Diagnosis::Api, Some(Cause::Api(e))) => std::error::Error::source(e),
            (_, Some(Cause::Api(e))) => Some(e),
            (_, Some(Cause::Io(e))) => Some(e),
            (_, None) => None,
        }
    }
}

/// `ContainerRegistryFullAccess` when any denied action is not a read.
pub(crate) fn permission_set_for(denied: &[PermissionDenied]) -> &'static str {
    if denied.iter().any(|d| d.action != "read") {
        "ContainerRegistryFullAccess"
    } else {
        "ContainerRegistryReadOnly"
    }
}

fn key_message(problem: &KeyProblem, access_key: Option<&str>) -> String {
    let key = access_key.map_or_else(|| "the API key".to_owned(), |a| format!("API key {a}"));
    let fix = "create a new API key (console: IAM > API keys, or `scw iam api-key create`) and set SCW_ACCESS_KEY / SCW_SECRET_KEY";
    match problem {
        KeyProblem::UnknownOrRevoked => {
            format!("{key} was refused: it is unknown or was revoked (deleted): {fix}")
        }
        KeyProblem::Expired => format!("{key} has expired: {fix}"),
        KeyProblem::Missing => "no API key is configured and the image is not public: set SCW_ACCESS_KEY / SCW_SECRET_KEY (a key with `ContainerRegistryReadOnly` on the namespace's project), or make the namespace or image public".to_owned(),
        KeyProblem::Malformed => format!(
            "the secret key of {key} is malformed (expected a UUID like 11111111-1111-1111-1111-111111111111): check SCW_SECRET_KEY or `secret_key` in the config file"
        ),
        KeyProblem::Other(r) => format!("{key} was refused ({r}): {fix}"),
    }
}

fn permission_message(
    set: &str,
    project: Option<&str>,
    key_project: Option<&KeyProject>,
    denied: &[PermissionDenied],
) -> String {
    let mut s = format!(
        "the API key lacks Container Registry permissions: add the permission set `{set}` to a rule of its policy, scoped to "
    );
    match (project, key_project) {
        (Some(p), _) => {
            let _ = write!(s, "project {p}");
        }
        (None, Some(hint)) => {
            let _ = write!(s, "the project of the namespaces to read ({hint})");
        }
        (None, None) => s.push_str("the project of the namespaces to read"),
    }
    if !denied.is_empty() {
        s.push_str(" (denied: ");
        for (i, d) in denied.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            let _ = write!(s, "{} on {}", d.action, d.resource);
        }
        s.push(')');
    }
    s
}

fn join_regions(regions: &[Region]) -> String {
    regions
        .iter()
        .map(Region::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn region_message(
    ns: &str,
    requested: &Region,
    found: &[Region],
    suggestion: Option<&str>,
) -> String {
    let mut s = format!(
        "namespace `{ns}` is not in {requested} (among the namespaces this key can see) but in {}: use that region",
        join_regions(found)
    );
    if let Some(r) = suggestion {
        let _ = write!(s, " ({r})");
    }
    s
}

fn other_project_message(
    ns: &str,
    region: &Region,
    key_project: Option<&KeyProject>,
    readable: &[String],
) -> String {
    let mut s = format!(
        "namespace `{ns}` ({region}) belongs to a project this API key has no registry permission on"
    );
    if let Some(hint) = key_project {
        let _ = write!(s, "; {hint}");
    }
    if !readable.is_empty() {
        let _ = write!(
            s,
            "; the key can read namespaces of project(s) {} only",
            readable.join(", ")
        );
    }
    s.push_str(": use an API key of the namespace's project, or add `ContainerRegistryReadOnly` on that project to the key's policy");
    s
}

fn namespace_not_found_message(
    name: &str,
    regions: &[Region],
    key_project: Option<&KeyProject>,
) -> String {
    let mut s = format!(
        "no namespace `{name}` visible to this API key in {}: check the name",
        join_regions(regions)
    );
    s.push_str(", or, if it belongs to a project the key cannot read");
    if let Some(hint) = key_project {
        let _ = write!(s, " ({hint})");
    }
    s.push_str(", use a key with `ContainerRegistryReadOnly` on that project");
    s
}

fn withheld_message(host: &str, realm: &str, reason: &str, cause: &str) -> String {
    format!(
        "the registry at {host} asks for credentials at `{realm}`, {reason}: the secret key was not sent there, and pulling anonymously failed ({cause}); pull through the region's canonical host rg.<region>.scw.cloud (no host override), whose token realm is Scaleway's, or override the host only with a local registry on a loopback address"
    )
}

fn regions_message(what: &str, searched: &[Region], failures: &[RegionFailure]) -> String {
    // Regions that failed the same way are listed together, most actionable first.
    let mut groups: Vec<(Vec<&Region>, String)> = Vec::new();
    for f in failures {
        let m = f.error.to_string();
        match groups.iter_mut().find(|(_, g)| *g == m) {
            Some((regions, _)) => regions.push(&f.region),
            None => groups.push((vec![&f.region], m)),
        }
    }
    let mut s = String::new();
    for (i, (regions, m)) in groups.iter().enumerate() {
        let regions = regions
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        if i == 0 {
            let _ = write!(s, "{m} ({regions})");
        } else {
            let _ = write!(s, "; also {regions}: {m}");
        }
    }
    if searched.is_empty() {
        let _ = write!(s, "; {what} failed in every region");
    } else {
        let _ = write!(
            s,
            "; {what} is incomplete: only {} answered",
            join_regions(searched)
        );
    }
    if failures.iter().all(|f| f.error.actionability() >= 4) {
        // Nothing to fix but availability.
        s.push_str(if failures.len() == 1 {
            ": retry when it answers again"
        } else {
            ": retry when they answer again"
        });
    }
    s
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn image_not_found_message(ns: &str, image: &str, region: &Region, closest: &[String]) -> String {
    if closest.is_empty() {
        format!(
            "image `{image}` does not exist in namespace `{ns}` ({region}): the namespace has no images"
        )
    } else {
        format!(
            "image `{image}` does not exist in namespace `{ns}` ({region}); closest existing images: {}",
            quoted(closest)
        )
    }
}

fn tag_not_found_message(repo: &str, tag: &str, closest: &[String]) -> String {
    let what = if tag.starts_with("sha256:") {
        "digest"
    } else {
        "tag"
    };
    if closest.is_empty() {
        format!("{what} `{tag}` does not exist for `{repo}`: the image has no tags")
    } else {
        format!(
            "{what} `{tag}` does not exist for `{repo}`; closest existing tags: {}",
            quoted(closest)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_stays_small() {
        // Under clippy's `result_large_err` threshold (128 bytes), so that users' own
        // functions returning `Result<_, Error>` are not flagged.
        assert!(
            std::mem::size_of::<Error>() <= 8,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn messages_say_what_to_fix() {
        let e = Error::new(Diagnosis::KeyRejected {
            problem: KeyProblem::UnknownOrRevoked,
            access_key: Some("SCWXXXXXXXXXXXXXXXXX".into()),
        });
        assert!(e.to_string().contains("revoked"), "{e}");
        assert!(e.to_string().contains("create a new API key"), "{e}");
        assert!(e.is_authentication_denied());
        let e = Error::new(Diagnosis::ImageNotFound {
            namespace: "acme".into(),
            image: "apii".into(),
            region: Region::FrPar,
            closest: vec!["api".into()],
        });
        assert_eq!(
            e.to_string(),
            "image `apii` does not exist in namespace `acme` (fr-par); closest existing images: `api`"
        );
        assert!(e.is_not_found() && !e.is_retryable());
        assert_eq!(permission_set_for(&[]), "ContainerRegistryReadOnly");
    }

    #[test]
    fn a_file_error_is_the_source() {
        use std::error::Error as _;
        let e = Error::io(
            "write",
            "/x/index.json",
            std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        );
        assert_eq!(e.to_string(), "cannot write `/x/index.json`");
        assert!(e.source().is_some());
        assert!(e.api_error().is_none());
    }

    #[test]
    fn a_search_is_retryable_only_when_every_failure_is() {
        let unavailable = || {
            Error::new(Diagnosis::Transport {
                host: "rg.nl-ams.scw.cloud".into(),
                message: "connection refused".into(),
            })
        };
        let e = Error::regional(
            "the listing".into(),
            vec![Region::FrPar],
            vec![(Region::NlAms, unavailable())],
        )
        .unwrap();
        assert!(e.is_retryable(), "{e}");
        let e = Error::regional(
            "the listing".into(),
            vec![Region::FrPar],
            vec![
                (Region::NlAms, unavailable()),
                (
                    Region::PlWaw,
                    Error::new(Diagnosis::KeyRejected {
                        problem: KeyProblem::Expired,
                        access_key: None,
                    }),
                ),
            ],
        )
        .unwrap();
        assert!(!e.is_retryable(), "{e}");
        assert!(e.to_string().starts_with("the API key has expired"), "{e}");
    }
}
