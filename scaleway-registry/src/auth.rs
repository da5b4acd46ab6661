//! Registry authentication for pulls: the bearer-token challenge, and where the secret key
//! may be sent.
//!
//! `GET /v2/` answers `401` with `WWW-Authenticate: Bearer realm="…",service="…"` (parsed
//! with `http-auth`, the parser oci-client uses); the realm is asked for a token scoped to
//! `repository:<namespace>/<image>:pull`, with HTTP Basic auth (`nologin`, the secret key)
//! when the realm may receive the key, anonymously otherwise. The token is then handed to
//! oci-client as a bearer token, so oci-client never holds the secret key and never sends
//! it anywhere itself (it would send it to any realm a registry names, and as Basic auth to
//! the registry host when the challenge is not a bearer one).
//!
//! The secret key goes only to an `https` URL on `api.scaleway.com` or a `*.scw.cloud`
//! host, or to a loopback address when the registry itself is a loopback host override
//! (a local registry, the simulator). Redirects are never followed.
//!
//! Both requests go through scaleway-core's HTTP path (`Client::request_url`, no
//! `X-Auth-Token`; `basic_auth` for the key, a sensitive header; `any_status` to read the
//! challenge and the realm's refusals): its timeouts, user agent, tracing and statistics.
//! Core sends each request once (`RetryPolicy::never`): the pull retries the whole exchange
//! with core's [`Retrier`](scaleway_core::Retrier), so a refused realm or an unreachable
//! registry is retried, and backs off, on the client's policy like every other call.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use oci_client::secrets::RegistryAuth;
use scaleway_core::url::Url;
use scaleway_core::{
    ApiErrorKind, Client, ErrorKind, Method, Outcome, PermissionDenied, RetryPolicy, SecretKey,
};
use serde::Deserialize;

use crate::error::{Diagnosis, Error, KeyProblem};

/// Username sent with the secret key (the registry does not check it; Scaleway's docs use
/// `nologin`).
const USERNAME: &str = "nologin";

/// The hosts that may receive the secret key over `https`.
const SCALEWAY_API_HOST: &str = "api.scaleway.com";
const SCALEWAY_REGISTRY_DOMAIN: &str = ".scw.cloud";

/// Longest error body kept in a message.
const BODY_EXCERPT: usize = 300;

/// Why the secret key was not sent to a realm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Withheld {
    /// The realm (or registry URL, for Basic auth) that asked for credentials.
    pub(crate) realm: String,
    /// Why it may not receive the key.
    pub(crate) reason: String,
}

/// How a pull authenticates to the registry, as obtained by [`PullAuth::obtain`].
#[derive(Debug, Clone)]
pub(crate) struct Obtained {
    /// What oci-client sends: a bearer token, nothing, or (a non-bearer challenge from a
    /// host that may receive the key) Basic auth.
    pub(crate) auth: RegistryAuth,
    /// Whether the key was used to obtain it.
    pub(crate) with_key: bool,
    /// Set when a key is configured but was not sent, and why.
    pub(crate) withheld: Option<Withheld>,
}

/// A failed token exchange.
#[derive(Debug)]
pub(crate) enum AuthFailure {
    /// Give up with this error.
    Final(Error),
    /// What happened, for the retry policy to decide (network, 429, 5xx), and the error if
    /// it is not retried.
    Transient(Outcome, Error),
    /// The realm refused with permission details (403).
    Denied(Vec<PermissionDenied>),
}

impl std::fmt::Display for AuthFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthFailure::Final(e) | AuthFailure::Transient(_, e) => e.fmt(f),
            AuthFailure::Denied(_) => f.write_str("the realm answered 403"),
        }
    }
}

/// The registry authentication of one pull: holds the secret key (redacted in `Debug`).
pub(crate) struct PullAuth {
    client: Client,
    timeout: Duration,
    /// `http(s)://<host>/v2/`.
    base: Url,
    host: String,
    repository: String,
    secret: Option<SecretKey>,
    access_key: Option<String>,
    /// The registry host is a loopback host override (a local registry).
    local_override: bool,
}

impl fmt::Debug for PullAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PullAuth")
            .field("base", &self.base.as_str())
            .field("repository", &self.repository)
            .field("secret", &self.secret)
            .field("access_key", &self.access_key)
            .field("local_override", &self.local_override)
            .finish_non_exhaustive()
    }
}

/// Settings of the probe and token requests.
pub(crate) struct AuthSettings<'a> {
    pub(crate) client: &'a Client,
    pub(crate) host: &'a str,
    pub(crate) plain_http: bool,
    pub(crate) repository: String,
    pub(crate) secret: Option<SecretKey>,
    pub(crate) access_key: Option<String>,
    pub(crate) timeout: Duration,
}

impl PullAuth {
    pub(crate) fn new(s: AuthSettings<'_>) -> Result<Self, Error> {
        let scheme = if s.plain_http { "http" } else { "https" };
        let base = Url::parse(&format!("{scheme}://{}/v2/", s.host))
            .map_err(|e| Error::invalid_argument(format!("registry host `{}`: {e}", s.host)))?;
        Ok(Self {
            client: s.client.clone(),
            timeout: s.timeout,
            base,
            host: s.host.to_owned(),
            repository: s.repository,
            secret: s.secret,
            access_key: s.access_key,
            local_override: s.plain_http,
        })
    }

    /// Whether a secret key is configured.
    pub(crate) fn has_key(&self) -> bool {
        self.secret.is_some()
    }

    /// A `GET` through core's HTTP path, every answer handed back.
    async fn get(
        &self,
        url: Url,
        route: &'static str,
        key: Option<&SecretKey>,
    ) -> Result<scaleway_core::Response, AuthFailure> {
        let mut request = self
            .client
            .request_url(Method::Get, url, route)
            .any_status()
            .retry(RetryPolicy::never())
            .timeout(self.timeout);
        if let Some(secret) = key {
            request = request.basic_auth(USERNAME, secret);
        }
        request.send_raw().await.map_err(|e| {
            let outcome = match e.kind() {
                ErrorKind::Timeout { .. } => Outcome::Timeout,
                ErrorKind::Transport { connect: true, .. } => Outcome::ConnectFailed,
                ErrorKind::Transport { .. } => Outcome::TransportFailed,
                _ => return AuthFailure::Final(e.into()),
            };
            let error = Error::new(Diagnosis::Transport {
                host: self.host.clone(),
                message: e.to_string(),
            });
            AuthFailure::Transient(outcome, error)
        })
    }

    /// The challenge of `GET /v2/`, then a token from its realm.
    pub(crate) async fn obtain(&self) -> Result<Obtained, AuthFailure> {
        let probe = self
            .get(self.base.clone(), "registry: GET /v2/", None)
            .await?;
        let status = probe.status();
        if (200..300).contains(&status) {
            // No authentication needed.
            return Ok(Obtained {
                auth: RegistryAuth::Anonymous,
                with_key: false,
                withheld: None,
            });
        }
        if status != 401 {
            return Err(status_failure(&probe, "the registry's /v2/ endpoint"));
        }
        // Challenges may come in several headers: one list.
        let header = probe
            .headers()
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("www-authenticate"))
            .map(|(_, v)| v.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let challenge = Challenge::parse(&header).map_err(|m| {
            AuthFailure::Final(Error::new(Diagnosis::Registry {
                status: 401,
                what: "the registry's /v2/ endpoint".into(),
                message: m,
            }))
        })?;
        match challenge {
            Challenge::Bearer { realm, service } => self.token(&realm, service.as_deref()).await,
            Challenge::Basic => Ok(self.basic()),
        }
    }

    /// A non-bearer (`Basic`) challenge: the key goes to the registry itself, if it may.
    fn basic(&self) -> Obtained {
        let Some(secret) = &self.secret else {
            return Obtained {
                auth: RegistryAuth::Anonymous,
                with_key: false,
                withheld: None,
            };
        };
        match credentials_allowed(&self.base, self.local_override) {
            Ok(()) => Obtained {
                auth: RegistryAuth::Basic(USERNAME.to_owned(), secret.expose_secret().to_owned()),
                with_key: true,
                withheld: None,
            },
            Err(reason) => Obtained {
                auth: RegistryAuth::Anonymous,
                with_key: false,
                withheld: Some(Withheld {
                    realm: self.base.to_string(),
                    reason,
                }),
            },
        }
    }

    /// Asks `realm` for a pull token: with the key when the realm may receive it.
    async fn token(&self, realm: &str, service: Option<&str>) -> Result<Obtained, AuthFailure> {
        let mut url = Url::parse(realm).map_err(|e| {
            AuthFailure::Final(Error::new(Diagnosis::Registry {
                status: 401,
                what: "the registry's /v2/ endpoint".into(),
                message: format!(
                    "the challenge names the realm `{realm}`, which is not a URL: {e}"
                ),
            }))
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(AuthFailure::Final(Error::new(Diagnosis::Registry {
                status: 401,
                what: "the registry's /v2/ endpoint".into(),
                message: format!(
                    "the challenge names the realm `{realm}`, which is not an http(s) URL"
                ),
            })));
        }
        let withheld = match (&self.secret, credentials_allowed(&url, self.local_override)) {
            (Some(_), Err(reason)) => Some(Withheld {
                realm: realm.to_owned(),
                reason,
            }),
            _ => None,
        };
        let key = self.secret.as_ref().filter(|_| withheld.is_none());
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("scope", &format!("repository:{}:pull", self.repository));
            if let Some(s) = service {
                q.append_pair("service", s);
            }
        }
        let response = self.get(url, "registry: token", key).await?;
        let status = response.status();
        let location = response.header("location").map(str::to_owned);
        let request_id = response.header("x-request-id").map(str::to_owned);
        let body = response.body();
        if (200..300).contains(&status) {
            let token: TokenAnswer = serde_json::from_slice(body).map_err(|e| {
                AuthFailure::Final(Error::new(Diagnosis::Registry {
                    status,
                    what: "the token request".into(),
                    message: format!("the realm's answer has no token: {e}"),
                }))
            })?;
            let token = token
                .token
                .or(token.access_token)
                .filter(|t| !t.is_empty())
                .ok_or_else(|| {
                    AuthFailure::Final(Error::new(Diagnosis::Registry {
                        status,
                        what: "the token request".into(),
                        message: "the realm's answer has no token".into(),
                    }))
                })?;
            return Ok(Obtained {
                auth: RegistryAuth::Bearer(token),
                with_key: key.is_some(),
                withheld,
            });
        }
        let failure = match status {
            300..=399 => AuthFailure::Final(Error::new(Diagnosis::Registry {
                status,
                what: "the token request".into(),
                message: format!(
                    "the realm redirected to {}; redirects are not followed with credentials",
                    location.as_deref().unwrap_or("(no location)")
                ),
            })),
            401 | 403 => {
                // The realm is Scaleway's API: its error body is a Scaleway one.
                let api = scaleway_core::decode_api_error(
                    status,
                    |h| (h == "x-request-id").then(|| request_id.clone()).flatten(),
                    body,
                );
                match api.kind {
                    ApiErrorKind::DeniedAuthentication { reason, .. } if key.is_some() => {
                        AuthFailure::Final(Error::new(Diagnosis::KeyRejected {
                            problem: KeyProblem::from_reason(&reason),
                            access_key: self.access_key.clone(),
                        }))
                    }
                    ApiErrorKind::PermissionsDenied { details } if withheld.is_none() => {
                        AuthFailure::Denied(details)
                    }
                    _ if withheld.is_none() && !self.has_key() => {
                        AuthFailure::Final(Error::new(Diagnosis::KeyRejected {
                            problem: KeyProblem::Missing,
                            access_key: None,
                        }))
                    }
                    _ => status_failure(&response, "the token request"),
                }
            }
            _ => status_failure(&response, "the token request"),
        };
        match (failure, withheld) {
            // Worth another attempt (the realm is busy or unreachable) whatever was sent.
            (AuthFailure::Transient(o, e), _) if RetryPolicy::is_retryable(Method::Get, o) => {
                Err(AuthFailure::Transient(o, e))
            }
            (f, Some(w)) => Err(AuthFailure::Final(self.withheld_error(&w, &f.to_string()))),
            (f, None) => Err(f),
        }
    }

    /// The error of an anonymous pull that failed after the key was withheld.
    pub(crate) fn withheld_error(&self, w: &Withheld, cause: &str) -> Error {
        Error::new(Diagnosis::CredentialsWithheld {
            host: self.host.clone(),
            realm: w.realm.clone(),
            reason: w.reason.clone(),
            cause: cause.to_owned(),
        })
    }
}

/// A non-success answer that is not a refusal of the key: the retry policy decides
/// whether it is retried (429 and 502–504 are, honouring `Retry-After`).
fn status_failure(response: &scaleway_core::Response, what: &str) -> AuthFailure {
    let status = response.status();
    let text = String::from_utf8_lossy(response.body());
    let excerpt: String = text.chars().take(BODY_EXCERPT).collect();
    let error = Error::new(Diagnosis::Registry {
        status,
        what: what.to_owned(),
        message: if excerpt.trim().is_empty() {
            "no details".into()
        } else {
            excerpt
        },
    });
    let retry_after = response
        .header("retry-after")
        .and_then(|v| v.trim().parse().ok())
        .map(Duration::from_secs);
    AuthFailure::Transient(
        Outcome::Status {
            status,
            retry_after,
        },
        error,
    )
}

#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    token: Option<String>,
    #[serde(default)]
    access_token: Option<String>,
}

/// The parts of a `WWW-Authenticate` challenge a pull uses.
#[derive(Debug, PartialEq, Eq)]
enum Challenge {
    Bearer {
        realm: String,
        service: Option<String>,
    },
    Basic,
}

impl Challenge {
    fn parse(header: &str) -> Result<Self, String> {
        if header.trim().is_empty() {
            return Err("401 without a WWW-Authenticate challenge".into());
        }
        let challenges = http_auth::parse_challenges(header)
            .map_err(|e| format!("unreadable WWW-Authenticate challenge `{header}`: {e}"))?;
        let param = |c: &http_auth::ChallengeRef<'_>, name: &str| {
            c.params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.to_unescaped())
        };
        if let Some(c) = challenges
            .iter()
            .find(|c| c.scheme.eq_ignore_ascii_case("bearer"))
        {
            let realm = param(c, "realm")
                .filter(|r| !r.is_empty())
                .ok_or_else(|| format!("the Bearer challenge `{header}` names no realm"))?;
            return Ok(Self::Bearer {
                realm,
                service: param(c, "service"),
            });
        }
        if challenges
            .iter()
            .any(|c| c.scheme.eq_ignore_ascii_case("basic"))
        {
            return Ok(Self::Basic);
        }
        Err(format!(
            "unsupported WWW-Authenticate challenge `{header}` (expected Bearer)"
        ))
    }
}

/// Whether the secret key may be sent to `url` (a token realm, or the registry itself):
/// `Ok` for `https` on `api.scaleway.com` or a `*.scw.cloud` host, and for a loopback
/// address when the registry is a loopback host override; else why not.
pub(crate) fn credentials_allowed(url: &Url, local_override: bool) -> Result<(), String> {
    let not_scaleway = || {
        format!(
            "which is not a Scaleway host (https on {SCALEWAY_API_HOST} or *{SCALEWAY_REGISTRY_DOMAIN})"
        )
    };
    // `host_str` is lower case for http(s) URLs, with IPv6 addresses in brackets.
    let Some(host) = url.host_str().filter(|h| !h.is_empty()) else {
        return Err("which names no host".into());
    };
    let ip = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        None => host.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    };
    let loopback = match ip {
        Some(IpAddr::V4(v4)) => v4.is_loopback(),
        Some(IpAddr::V6(v6)) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => host == "localhost",
    };
    if loopback {
        return if local_override {
            Ok(())
        } else {
            Err("which is a loopback address while the registry is not a local (loopback) host override".into())
        };
    }
    if ip.is_some() {
        return Err(not_scaleway());
    }
    let domain = host.trim_end_matches('.');
    let scaleway = domain == SCALEWAY_API_HOST
        || domain
            .strip_suffix(SCALEWAY_REGISTRY_DOMAIN)
            .is_some_and(|sub| !sub.is_empty());
    if !scaleway {
        return Err(not_scaleway());
    }
    if url.scheme() != "https" {
        return Err("which is plain http (the key is only sent over https)".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn allowed(url: &str, local: bool) -> Result<(), String> {
        credentials_allowed(&Url::parse(url).unwrap(), local)
    }

    #[test]
    fn the_key_goes_to_scaleway_over_https_only() {
        for ok in [
            "https://api.scaleway.com/registry-internal/v1/regions/fr-par/tokens",
            "https://API.Scaleway.com/tokens",
            "https://rg.fr-par.scw.cloud/token",
            "https://api.scaleway.com./tokens",
        ] {
            assert_eq!(allowed(ok, false), Ok(()), "{ok}");
            assert_eq!(allowed(ok, true), Ok(()), "{ok} (with a local override)");
        }
        for (bad, why) in [
            ("http://api.scaleway.com/tokens", "plain http"),
            ("http://rg.fr-par.scw.cloud/token", "plain http"),
            ("https://evil.example/tokens", "not a Scaleway host"),
            (
                "https://api.scaleway.com.evil.example/t",
                "not a Scaleway host",
            ),
            ("https://scw.cloud/t", "not a Scaleway host"),
            ("https://evilscw.cloud/t", "not a Scaleway host"),
            ("https://203.0.113.7/t", "not a Scaleway host"),
            ("https://0.0.0.0/t", "not a Scaleway host"),
        ] {
            let e = allowed(bad, true).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn loopback_realms_only_for_a_local_registry_override() {
        for url in [
            "http://127.0.0.1:4000/registry-internal/v1/regions/fr-par/tokens",
            "http://localhost:4000/t",
            "http://[::1]:4000/t",
            "https://127.9.9.9/t",
        ] {
            assert_eq!(allowed(url, true), Ok(()), "{url}");
            let e = allowed(url, false).unwrap_err();
            assert!(e.contains("loopback"), "{url}: {e}");
        }
    }

    #[test]
    fn challenges() {
        assert_eq!(
            Challenge::parse(
                r#"Bearer realm="https://api.scaleway.com/registry-internal/v1/regions/fr-par/tokens",service="registry",scope="repository:a/b:pull""#
            ),
            Ok(Challenge::Bearer {
                realm: "https://api.scaleway.com/registry-internal/v1/regions/fr-par/tokens".into(),
                service: Some("registry".into()),
            })
        );
        assert_eq!(
            Challenge::parse(r#"Basic realm="registry""#),
            Ok(Challenge::Basic)
        );
        // Two challenges (two headers joined): the bearer one wins.
        assert_eq!(
            Challenge::parse(r#"Basic realm="registry", Bearer realm="https://a.scw.cloud/t""#),
            Ok(Challenge::Bearer {
                realm: "https://a.scw.cloud/t".into(),
                service: None,
            })
        );
        assert!(Challenge::parse("").unwrap_err().contains("without"));
        assert!(
            Challenge::parse(r#"Bearer service="x""#)
                .unwrap_err()
                .contains("no realm")
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        const SECRET: &str = "11111111-2222-3333-4444-555555555555";
        let client = Client::builder().anonymous().build().unwrap();
        let auth = PullAuth::new(AuthSettings {
            client: &client,
            host: "rg.fr-par.scw.cloud",
            plain_http: false,
            repository: "a/b".into(),
            secret: Some(SECRET.parse().unwrap()),
            access_key: Some("SCWXXXXXXXXXXXXXXXXX".into()),
            timeout: Duration::from_secs(1),
        })
        .unwrap();
        let debug = format!("{auth:?}");
        assert!(debug.contains("rg.fr-par.scw.cloud"), "{debug}");
        assert!(!debug.contains(SECRET), "{debug}");
        // The Basic auth handed to oci-client for a Basic challenge holds it: it is only
        // built for a host that may receive it, and oci-client redacts it too.
        let basic = auth.basic();
        assert!(basic.with_key);
        assert!(!format!("{basic:?}").contains(SECRET), "{basic:?}");
    }
}
