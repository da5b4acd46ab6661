//! What one pull shares: the registry token and the oci-client holding it (renewed when
//! the registry refuses it), the retries, and what a registry answer means — including the
//! diagnosis of a refusal through the management API.

use std::fmt;
use std::future::Future;

use oci_client::Reference;
use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{DigestError, OciDistributionError, OciErrorCode};
use oci_client::secrets::RegistryAuth;
use scaleway_core::{
    ApiErrorKind, AttemptError, Method, Outcome, PermissionDenied, Region, Retrier,
};

use super::{Pull, PullEvent};
use crate::auth::{AuthFailure, AuthSettings, PullAuth, Withheld};
use crate::error::{Diagnosis, Error, KeyProblem, Result};
use crate::troubleshoot::with_suggestion;

/// The `User-Agent` of registry requests.
const USER_AGENT: &str = concat!(
    "scaleway-sdk-rust/",
    env!("CARGO_PKG_VERSION"),
    " (scaleway-registry; oci-client)"
);

/// Everything one pull shares.
pub(super) struct Ctx {
    pub(super) pull: Pull,
    auth: PullAuth,
    /// The oci-client in use and the token it holds; replaced when the token is renewed.
    session: tokio::sync::Mutex<Option<Session>>,
    protocol: ClientProtocol,
    pub(super) oci_ref: Reference,
    host: String,
}

/// An oci-client holding one registry token (never the secret key, except Basic auth for a
/// non-bearer challenge of a host that may receive it).
#[derive(Clone)]
pub(super) struct Session {
    pub(super) client: oci_client::Client,
    pub(super) auth: RegistryAuth,
    /// Increases with each renewed token.
    pub(super) generation: u64,
    /// Whether the token was obtained with the key.
    with_key: bool,
    /// Set when a key is configured but was not sent (untrusted realm), and why.
    withheld: Option<Withheld>,
}

/// What a registry answer (an oci-client error) means for the pull.
pub(super) enum Failure {
    /// Give up with this error.
    Final(Error),
    /// What happened, for the retry policy to decide (network, 429, 5xx), and the error if
    /// it is not retried.
    Transient(Outcome, Error),
    /// 404: diagnose which name is wrong.
    Missing,
    /// 403: diagnose which permission, region, name or project is wrong.
    Denied(Vec<PermissionDenied>),
    /// 401 to a request carrying the token: renew it once, then diagnose.
    Unauthorized,
}

impl Failure {
    /// One attempt's failure, for core's retrier: only a transient one may be retried.
    pub(super) fn attempt(self) -> AttemptError<Failure> {
        match self {
            Failure::Transient(outcome, _) => AttemptError::retryable(outcome, self),
            other => AttemptError::fatal(other),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Final(e) | Failure::Transient(_, e) => e.fmt(f),
            Failure::Missing => f.write_str("the registry answered 404"),
            Failure::Denied(_) => f.write_str("the registry answered 403"),
            Failure::Unauthorized => f.write_str("the registry answered 401"),
        }
    }
}

impl Ctx {
    pub(super) fn new(pull: Pull, region: &Region) -> Result<Self> {
        let hosts = &pull.api.hosts;
        let host = hosts.connect_host(region);
        let plain_http = hosts.is_plain_http(&host);
        let protocol = if plain_http {
            ClientProtocol::HttpsExcept(hosts.plain_http_hosts())
        } else {
            ClientProtocol::Https
        };
        let repository = pull.reference.repository();
        let client = &pull.api.client;
        let auth = PullAuth::new(AuthSettings {
            client,
            host: &host,
            plain_http,
            repository: repository.clone(),
            secret: client.secret_key().cloned(),
            access_key: access_key(&pull),
            timeout: pull.timeout,
        })?;
        let oci_ref = match pull.reference.digest() {
            Some(d) => Reference::with_digest(host.clone(), repository, d.to_owned()),
            None => Reference::with_tag(
                host.clone(),
                repository,
                pull.reference.tag_or_digest().to_owned(),
            ),
        };
        Ok(Self {
            pull,
            auth,
            session: tokio::sync::Mutex::new(None),
            protocol,
            oci_ref,
            host,
        })
    }

    pub(super) fn emit(&self, event: &PullEvent) {
        if let Some(p) = &self.pull.progress {
            p(event);
        }
    }

    /// The retries of one request of the pull: the client's policy, with the pull's
    /// number of attempts, on the client's clock.
    pub(super) fn retrier(&self, what: &'static str) -> Retrier {
        let client = &self.pull.api.client;
        let policy = client
            .retry_policy()
            .clone()
            .with_max_attempts(self.pull.attempts);
        client.retrier(Method::Get, what).with_policy(policy)
    }

    /// The error of a transfer that kept breaking.
    pub(super) fn transport(&self, message: String) -> Error {
        Error::new(Diagnosis::Transport {
            host: self.host.clone(),
            message,
        })
    }

    /// The bearer-token exchange, then an oci-client holding the token.
    pub(super) async fn authenticate(&self) -> Result<()> {
        let session = self.new_session(0).await?;
        *self.session.lock().await = Some(session);
        Ok(())
    }

    /// The session in use.
    pub(super) async fn session(&self) -> Result<Session> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref() {
            return Ok(s.clone());
        }
        let s = self.new_session(0).await?;
        *guard = Some(s.clone());
        Ok(s)
    }

    /// Renews the token after the registry refused the one of `generation` (it may have
    /// expired during a long pull); a no-op if another download renewed it already.
    pub(super) async fn renew(&self, generation: u64) -> Result<Session> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref().filter(|s| s.generation != generation) {
            return Ok(s.clone());
        }
        let s = self.new_session(generation + 1).await?;
        *guard = Some(s.clone());
        Ok(s)
    }

    async fn new_session(&self, generation: u64) -> Result<Session> {
        let obtained = self
            .retrier("the registry token request")
            .run(|_| async {
                match self.auth.obtain().await {
                    Ok(o) => Ok(o),
                    Err(f @ AuthFailure::Transient(outcome, _)) => {
                        Err(AttemptError::retryable(outcome, f))
                    }
                    Err(f) => Err(AttemptError::fatal(f)),
                }
            })
            .await;
        let obtained = match obtained {
            Ok(o) => o,
            Err(AuthFailure::Final(e) | AuthFailure::Transient(_, e)) => return Err(e),
            Err(AuthFailure::Denied(details)) => return Err(self.finish_denied(details).await),
        };
        if let Some(w) = &obtained.withheld {
            tracing::warn!(
                realm = %w.realm,
                reason = %w.reason,
                "the registry's token realm may not receive the secret key: pulling anonymously"
            );
        }
        let config = ClientConfig {
            protocol: self.protocol.clone(),
            platform_resolver: None,
            max_concurrent_download: self.pull.concurrency,
            read_timeout: Some(self.pull.timeout),
            connect_timeout: Some(scaleway_core::DEFAULT_CONNECT_TIMEOUT),
            user_agent: USER_AGENT,
            ..ClientConfig::default()
        };
        let client = oci_client::Client::try_from(config)
            .map_err(|e| self.transport(format!("cannot initialise the registry client: {e}")))?;
        // Stores the token in the client (a bearer token is used as is: no request).
        if !matches!(obtained.auth, RegistryAuth::Anonymous) {
            client
                .store_auth_if_needed(self.oci_ref.resolve_registry(), &obtained.auth)
                .await;
        }
        Ok(Session {
            client,
            auth: obtained.auth,
            generation,
            with_key: obtained.with_key,
            withheld: obtained.withheld,
        })
    }

    /// Turns an oci-client error into what it means.
    pub(super) fn classify(&self, e: OciDistributionError, what: &str) -> Failure {
        let registry = |status, message| {
            Error::new(Diagnosis::Registry {
                status,
                what: what.to_owned(),
                message,
            })
        };
        match e {
            OciDistributionError::AuthenticationFailure(body) => {
                // Only with Basic auth for a non-bearer challenge (oci-client then asks a
                // realm itself): the realm is Scaleway's API, its error body a Scaleway one.
                let api = scaleway_core::decode_api_error(401, |_| None, body.as_bytes());
                match api.kind {
                    ApiErrorKind::DeniedAuthentication { reason, .. } => {
                        Failure::Final(Error::new(Diagnosis::KeyRejected {
                            problem: KeyProblem::from_reason(&reason),
                            access_key: access_key(&self.pull),
                        }))
                    }
                    ApiErrorKind::PermissionsDenied { details } => Failure::Denied(details),
                    _ => Failure::Final(registry(401, api.message)),
                }
            }
            OciDistributionError::UnauthorizedError { .. } => Failure::Unauthorized,
            OciDistributionError::RegistryError { envelope, .. } => {
                let first = envelope.errors.first();
                let message = first.map(|e| e.message.clone()).unwrap_or_default();
                match first.map(|e| &e.code) {
                    Some(
                        OciErrorCode::NameUnknown
                        | OciErrorCode::ManifestUnknown
                        | OciErrorCode::NotFound
                        | OciErrorCode::NameInvalid,
                    ) => Failure::Missing,
                    Some(OciErrorCode::Denied) => Failure::Denied(Vec::new()),
                    Some(OciErrorCode::Unauthorized) => Failure::Unauthorized,
                    Some(OciErrorCode::Toomanyrequests) => Failure::Transient(
                        Outcome::Status {
                            status: 429,
                            retry_after: None,
                        },
                        registry(429, message),
                    ),
                    _ => Failure::Final(registry(0, message)),
                }
            }
            OciDistributionError::ServerError { code, message, .. } => {
                let api = scaleway_core::decode_api_error(code, |_| None, message.as_bytes());
                match (code, api.kind) {
                    (403, ApiErrorKind::PermissionsDenied { details }) => Failure::Denied(details),
                    (403, _) => Failure::Denied(Vec::new()),
                    (404, _) => Failure::Missing,
                    // The policy decides (429 and 502–504 are retried; oci-client does not
                    // hand over `Retry-After`).
                    (500..=599 | 429, _) => Failure::Transient(
                        Outcome::Status {
                            status: code,
                            retry_after: None,
                        },
                        registry(code, api.message),
                    ),
                    (_, _) => Failure::Final(registry(code, api.message)),
                }
            }
            OciDistributionError::DigestError(DigestError::VerificationError {
                expected,
                actual,
            }) => Failure::Final(Error::new(Diagnosis::DigestMismatch { expected, actual })),
            OciDistributionError::RequestError(e) => {
                let outcome = if e.is_connect() {
                    Outcome::ConnectFailed
                } else if e.is_timeout() {
                    Outcome::Timeout
                } else {
                    Outcome::TransportFailed
                };
                Failure::Transient(outcome, self.transport(scaleway_core::error_chain(&e)))
            }
            OciDistributionError::IoError(e) => {
                Failure::Transient(Outcome::TransportFailed, self.transport(e.to_string()))
            }
            other => Failure::Final(registry(0, other.to_string())),
        }
    }

    /// Diagnoses a final failure through the management API where that helps.
    pub(super) async fn finish(&self, session: &Session, f: Failure) -> Error {
        let pull = &self.pull;
        let withheld = |cause: &str| {
            session
                .withheld
                .as_ref()
                .map(|w| self.auth.withheld_error(w, cause))
        };
        match f {
            Failure::Final(e) | Failure::Transient(_, e) => e,
            Failure::Missing => {
                let e = with_suggestion(
                    pull.api.diagnose_missing(&pull.reference).await,
                    &pull.reference,
                );
                match (
                    e.diagnosis(),
                    withheld("the registry answered 404 to the anonymous pull"),
                ) {
                    // The API lists it, the registry hides it from an anonymous pull.
                    (Diagnosis::Registry { status: 404, .. }, Some(w)) => w,
                    _ => e,
                }
            }
            Failure::Denied(details) => {
                match withheld("the registry answered 403 to the anonymous pull") {
                    Some(w) => w,
                    None => self.finish_denied(details).await,
                }
            }
            Failure::Unauthorized => {
                if let Some(w) = withheld("the registry answered 401 to the anonymous pull") {
                    w
                } else if session.with_key {
                    // A token obtained with the key, refused even after renewal: the same
                    // diagnosis as a 403 (region, case, permission, project).
                    self.finish_denied(Vec::new()).await
                } else if !self.auth.has_key() {
                    Error::new(Diagnosis::KeyRejected {
                        problem: KeyProblem::Missing,
                        access_key: None,
                    })
                } else {
                    Error::new(Diagnosis::Registry {
                        status: 401,
                        what: pull.reference.to_string(),
                        message: "the registry asked for no authentication, then refused the request: check the region's registry host".into(),
                    })
                }
            }
        }
    }

    async fn finish_denied(&self, details: Vec<PermissionDenied>) -> Error {
        let pull = &self.pull;
        match pull.api.region_of(&pull.reference) {
            Ok(region) => {
                pull.api
                    .diagnose_denied(&pull.reference, &region, details)
                    .await
            }
            Err(e) => e,
        }
    }

    /// Runs `request` with the session in use, renewing the token once if the registry
    /// refuses it (it may have expired during a long pull); a failure is diagnosed.
    pub(super) async fn with_session<T, Fut>(&self, request: impl Fn(Session) -> Fut) -> Result<T>
    where
        Fut: Future<Output = std::result::Result<T, Failure>>,
    {
        let session = self.session().await?;
        let (result, session) = match request(session.clone()).await {
            Err(Failure::Unauthorized) => {
                let renewed = self.renew(session.generation).await?;
                (request(renewed.clone()).await, renewed)
            }
            other => (other, session),
        };
        match result {
            Ok(value) => Ok(value),
            Err(f) => Err(self.finish(&session, f).await),
        }
    }
}

fn access_key(pull: &Pull) -> Option<String> {
    pull.api
        .client
        .config()
        .access_key
        .as_ref()
        .map(|a| a.value.as_str().to_owned())
}
