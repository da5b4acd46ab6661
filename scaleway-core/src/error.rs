//! The one error type of the scaleway-* crates.
//!
//! [`Error`] is opaque and queryable: [`Error::kind`] gives a matchable [`ErrorKind`], and
//! predicates answer the usual questions (`is_not_found`, `is_permission_denied`,
//! `is_rate_limited`, `is_retryable`). Every error from an HTTP call also keeps the
//! request's method and route, the HTTP status, the `x-request-id`, a short excerpt of
//! the body, and how many attempts were made.
//!
//! Scaleway's JSON error bodies are decoded into [`ApiErrorKind`], covering the documented
//! `type`s (`invalid_arguments`, `not_found`, `permissions_denied`,
//! `denied_authentication`, `quotas_exceeded`, `transient_state`, `locked`,
//! `precondition_failed`, `out_of_stock`, `resource_expired` / `expired`,
//! `already_exists`, `too_many_requests`), the legacy Instance shapes
//! (`unknown_resource`, `invalid_request_error` / "Validation Error"), the bare 429
//! (empty body, `x-envoy-ratelimited: true`), and bodies with no `type` or that are not
//! JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::locality::Locality;

/// Short alias for results of this family of crates.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Maximum number of body bytes kept in errors.
pub(crate) const EXCERPT_LEN: usize = 512;

/// The error of every scaleway-* operation.
///
/// # Troubleshooting
///
/// * [`Error::is_authentication_denied`]: the secret key is unknown, revoked, malformed or
///   expired. Check `SCW_SECRET_KEY` / `secret_key` with `cargo run --example config`.
/// * [`Error::is_permission_denied`]: the key's policies do not grant the action;
///   [`Error::permission_denied_details`] says which resource and action. A 403 right after
///   a policy change can be IAM propagation: retry after a few seconds.
/// * [`Error::is_rate_limited`]: retried automatically; seeing it means the retry budget
///   ran out (see `RetryPolicy`).
#[derive(Clone)]
pub struct Error {
    inner: Box<Inner>,
}

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    request: Option<RequestInfo>,
    attempts: u32,
}

/// What went wrong.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The API answered with an error status.
    #[error("{0}")]
    Api(ApiError),
    /// The request could not be sent or the response not received (DNS, TCP, TLS, reset).
    #[error("transport error: {message}")]
    Transport {
        /// What failed.
        message: String,
        /// Whether the failure happened while connecting (the request was not sent).
        connect: bool,
    },
    /// The request did not complete within its timeout.
    #[error("request timed out after {timeout:?}")]
    Timeout {
        /// The timeout that expired.
        timeout: Duration,
    },
    /// The response body does not match the expected shape.
    #[error("{0}")]
    Decode(DecodeError),
    /// Configuration is missing or invalid.
    #[error("{0}")]
    Config(ConfigError),
    /// The request could not be built (empty path parameter, bad input, …).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A listing kept changing while it was read: every pass, up to the paginator's bound,
    /// saw fewer items than its first page announced, so items may be missing
    /// ([`crate::Paginator::max_passes`]). Reading it again later usually succeeds.
    #[error(
        "the listing kept changing while it was read: after {passes} passes, up to {missing} items may be missing; read it again"
    )]
    IncompleteListing {
        /// Passes made.
        passes: u32,
        /// Items the last pass could not account for.
        missing: u64,
    },
}

/// The request an error belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct RequestInfo {
    /// HTTP method.
    pub method: String,
    /// Route template, e.g. `/instance/v1/zones/{zone}/servers`.
    pub route: String,
    /// Locality of the call, if any.
    pub locality: Option<Locality>,
}

/// A response body that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot decode the response body at `{path}`: {message}")]
#[non_exhaustive]
pub struct DecodeError {
    /// JSON path of the field that failed (`servers[3].volumes.0.size`), `.` for the root.
    pub path: String,
    /// What the decoder said.
    pub message: String,
    /// HTTP status of the response.
    pub status: u16,
    /// `x-request-id` of the response.
    pub request_id: Option<String>,
    /// The start of the body.
    pub body_excerpt: String,
}

/// An error answered by the API: the HTTP status and the decoded Scaleway error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The decoded error.
    pub kind: ApiErrorKind,
    /// The body's `message`, or the status reason when there is none.
    pub message: String,
    /// The body's `type` as sent, if any.
    pub error_type: Option<String>,
    /// `x-request-id` of the response (quote it to Scaleway support).
    pub request_id: Option<String>,
    /// The start of the body (at most 512 bytes).
    pub body_excerpt: String,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HTTP {}: ", self.status)?;
        match &self.kind {
            ApiErrorKind::InvalidArguments { details } if !details.is_empty() => {
                write!(f, "invalid arguments: ")?;
                for (i, d) in details.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} ({})", d.argument_name, d.reason)?;
                    if !d.help_message.is_empty() {
                        write!(f, ": {}", d.help_message.trim())?;
                    }
                }
                Ok(())
            }
            ApiErrorKind::NotFound {
                resource,
                resource_id,
            } => match (resource, resource_id) {
                (Some(r), Some(id)) => write!(f, "{r} {id} not found"),
                (Some(r), None) => write!(f, "{r} not found"),
                _ => write!(f, "not found: {}", self.message),
            },
            ApiErrorKind::PermissionsDenied { details } if !details.is_empty() => {
                write!(f, "permission denied for ")?;
                for (i, d) in details.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{} on {}", d.action, d.resource)?;
                }
                Ok(())
            }
            ApiErrorKind::DeniedAuthentication { method, reason } => {
                write!(f, "authentication denied ({method}: {reason})")
            }
            ApiErrorKind::PreconditionFailed {
                precondition,
                help_message,
            } => {
                write!(f, "precondition failed: {precondition}")?;
                if !help_message.is_empty() {
                    write!(f, " ({help_message})")?;
                }
                Ok(())
            }
            ApiErrorKind::TransientState {
                resource,
                resource_id,
                current_state,
            } => write!(
                f,
                "{} {} is in transient state `{current_state}`",
                resource.as_deref().unwrap_or("resource"),
                resource_id.as_deref().unwrap_or("")
            ),
            ApiErrorKind::RateLimited { .. } if self.message.is_empty() => {
                f.write_str("rate limited (too many requests)")
            }
            _ => {
                if self.message.is_empty() {
                    write!(f, "{}", self.kind.name())
                } else {
                    write!(f, "{}", self.message)
                }
            }
        }
    }
}

crate::string_enum! {
    /// Why an argument was refused (`invalid_arguments` details).
    pub enum ArgumentErrorReason {
        /// Unspecified.
        UnknownReason = "unknown",
        /// A required argument is missing.
        Required = "required",
        /// The value has the wrong format.
        Format = "format",
        /// The value violates a constraint.
        Constraint = "constraint",
    }
}

crate::string_enum! {
    /// How a refused request authenticated (`denied_authentication`'s `method`).
    pub enum AuthMethod {
        /// Unspecified (also when the body has no `method`).
        UnknownMethod = "unknown_method",
        /// A JWT (console session).
        Jwt = "jwt",
        /// An API key (`X-Auth-Token`).
        ApiKey = "api_key",
    }
}

crate::string_enum! {
    /// Why authentication was denied (`denied_authentication`'s `reason`).
    pub enum AuthDeniedReason {
        /// Unspecified (also when the body has no `reason`).
        UnknownReason = "unknown_reason",
        /// The token is malformed (not a secret key).
        InvalidArgument = "invalid_argument",
        /// No such key: unknown, or deleted.
        NotFound = "not_found",
        /// The key's `expires_at` has passed.
        Expired = "expired",
    }
}

/// One refused argument of an `invalid_arguments` error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InvalidArgument {
    /// The argument (`project_id`, `volumes.5.id`, …).
    #[serde(default)]
    pub argument_name: String,
    /// Why.
    #[serde(default = "unknown_reason")]
    pub reason: ArgumentErrorReason,
    /// What to do.
    #[serde(default)]
    pub help_message: String,
}

fn unknown_reason() -> ArgumentErrorReason {
    ArgumentErrorReason::UnknownReason
}

/// One denied action of a `permissions_denied` error.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PermissionDenied {
    /// The resource type (`api_key`, `snapshot`, …).
    #[serde(default)]
    pub resource: String,
    /// The action (`read`, `write`, …).
    #[serde(default)]
    pub action: String,
}

/// One exceeded quota of a `quotas_exceeded` error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct QuotaExceeded {
    /// The resource.
    #[serde(default)]
    pub resource: String,
    /// The quota.
    #[serde(default)]
    pub quota: u64,
    /// Current usage.
    #[serde(default)]
    pub current: u64,
    /// Organization scope, if sent.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Project scope, if sent.
    #[serde(default)]
    pub project_id: Option<String>,
}

/// A decoded Scaleway error body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// `invalid_arguments` (400), and the legacy `invalid_request_error` "Validation Error"
    /// whose `fields` become details with reason `constraint`.
    InvalidArguments {
        /// Each refused argument.
        details: Vec<InvalidArgument>,
    },
    /// `not_found` (404), the legacy `unknown_resource`, or a 404 without `type`.
    NotFound {
        /// Resource type (`instance_server`, `api_key`, …).
        resource: Option<String>,
        /// Resource ID.
        resource_id: Option<String>,
    },
    /// `permissions_denied` (403).
    PermissionsDenied {
        /// Each denied (resource, action).
        details: Vec<PermissionDenied>,
    },
    /// `denied_authentication` (401).
    DeniedAuthentication {
        /// How the request authenticated.
        method: AuthMethod,
        /// Why it was refused.
        reason: AuthDeniedReason,
    },
    /// `quotas_exceeded`.
    QuotasExceeded {
        /// Each exceeded quota.
        details: Vec<QuotaExceeded>,
    },
    /// `transient_state` (409): the resource is busy.
    TransientState {
        /// Resource type.
        resource: Option<String>,
        /// Resource ID.
        resource_id: Option<String>,
        /// Its current state.
        current_state: String,
    },
    /// `locked` (423).
    ResourceLocked {
        /// Resource type.
        resource: Option<String>,
        /// Resource ID.
        resource_id: Option<String>,
    },
    /// `precondition_failed` (412).
    PreconditionFailed {
        /// Which precondition (`resource_still_in_use`, `protected_resource`, …).
        precondition: String,
        /// What to do.
        help_message: String,
    },
    /// `out_of_stock`.
    OutOfStock {
        /// The resource.
        resource: Option<String>,
    },
    /// `resource_expired` (Go SDK spelling) or `expired` (JS SDK spelling).
    ResourceExpired {
        /// Resource type.
        resource: Option<String>,
        /// Resource ID.
        resource_id: Option<String>,
        /// When it expired (RFC 3339, as sent).
        expired_since: Option<String>,
    },
    /// `already_exists` (409).
    AlreadyExists {
        /// Resource type.
        resource: Option<String>,
        /// Resource ID.
        resource_id: Option<String>,
        /// What to do.
        help_message: String,
    },
    /// 429: a `too_many_requests` body, or the bare 429 with an empty body and
    /// `x-envoy-ratelimited: true`.
    RateLimited {
        /// `Retry-After` in seconds, when the server sent it.
        retry_after_secs: Option<u64>,
        /// `reset_seconds` of a `too_many_requests` body.
        reset_seconds: Option<u64>,
        /// Whether `x-envoy-ratelimited: true` was present.
        envoy: bool,
    },
    /// Any other body: an unknown `type`, no `type`, or not JSON.
    Other,
}

impl ApiErrorKind {
    /// A short snake_case name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            ApiErrorKind::InvalidArguments { .. } => "invalid_arguments",
            ApiErrorKind::NotFound { .. } => "not_found",
            ApiErrorKind::PermissionsDenied { .. } => "permissions_denied",
            ApiErrorKind::DeniedAuthentication { .. } => "denied_authentication",
            ApiErrorKind::QuotasExceeded { .. } => "quotas_exceeded",
            ApiErrorKind::TransientState { .. } => "transient_state",
            ApiErrorKind::ResourceLocked { .. } => "locked",
            ApiErrorKind::PreconditionFailed { .. } => "precondition_failed",
            ApiErrorKind::OutOfStock { .. } => "out_of_stock",
            ApiErrorKind::ResourceExpired { .. } => "resource_expired",
            ApiErrorKind::AlreadyExists { .. } => "already_exists",
            ApiErrorKind::RateLimited { .. } => "rate_limited",
            ApiErrorKind::Other => "error",
        }
    }
}

/// The fields of a Scaleway JSON error body, each read on its own so that one field of
/// an unexpected type never loses the others.
#[derive(Default)]
struct RawBody {
    error_type: Option<String>,
    message: Option<String>,
    details: Option<serde_json::Value>,
    resource: Option<String>,
    resource_id: Option<String>,
    method: Option<String>,
    reason: Option<String>,
    precondition: Option<String>,
    help_message: Option<String>,
    current_state: Option<String>,
    expired_since: Option<String>,
    fields: Option<BTreeMap<String, serde_json::Value>>,
    reset_seconds: Option<u64>,
}

impl RawBody {
    /// `None` when the body is not a JSON object.
    fn parse(body: &[u8]) -> Option<RawBody> {
        let serde_json::Value::Object(m) = serde_json::from_slice(body).ok()? else {
            return None;
        };
        let text = |k: &str| match m.get(k)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        };
        Some(RawBody {
            error_type: text("type"),
            message: text("message"),
            details: m.get("details").filter(|v| !v.is_null()).cloned(),
            resource: text("resource"),
            resource_id: text("resource_id"),
            method: text("method"),
            reason: text("reason"),
            precondition: text("precondition"),
            help_message: text("help_message"),
            current_state: text("current_state"),
            expired_since: text("expired_since"),
            fields: m
                .get("fields")
                .and_then(|f| f.as_object())
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            reset_seconds: m.get("reset_seconds").and_then(serde_json::Value::as_u64),
        })
    }
}

/// Each element of a `details` array that has the expected shape (null members take their
/// defaults); elements of another shape are skipped rather than failing the whole list.
fn parse_details<T: serde::de::DeserializeOwned>(details: &Option<serde_json::Value>) -> Vec<T> {
    let Some(serde_json::Value::Array(items)) = details else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let mut item = item.clone();
            if let serde_json::Value::Object(m) = &mut item {
                m.retain(|_, v| !v.is_null());
            }
            serde_json::from_value(item).ok()
        })
        .collect()
}

/// Collapses whitespace so that a message stays on one line.
fn one_line(s: &str, max_chars: usize) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(max_chars)
        .collect()
}

/// Excerpt of a body: its first bytes, lossily decoded.
pub(crate) fn excerpt(body: &[u8]) -> String {
    let end = body.len().min(EXCERPT_LEN);
    let mut s = String::from_utf8_lossy(&body[..end]).into_owned();
    if body.len() > EXCERPT_LEN {
        s.push('…');
    }
    s
}

/// Decodes an error response. Never fails: unknown shapes become [`ApiErrorKind::Other`].
///
/// `headers` is a lookup of lower-case header names.
pub fn decode_api_error(
    status: u16,
    header: impl Fn(&str) -> Option<String>,
    body: &[u8],
) -> ApiError {
    let request_id = header("x-request-id");
    let body_excerpt = excerpt(body);
    let raw = RawBody::parse(body);
    let has_json = raw.is_some();
    let raw = raw.unwrap_or_default();
    let message = match &raw.message {
        Some(m) => one_line(m, 500),
        None if has_json || body.is_empty() => reason_phrase(status).to_owned(),
        None => one_line(&body_excerpt, 200),
    };
    let error_type = raw.error_type.clone();
    let kind = match raw.error_type.as_deref() {
        Some("invalid_arguments") => ApiErrorKind::InvalidArguments {
            details: parse_details(&raw.details),
        },
        Some("not_found") => ApiErrorKind::NotFound {
            resource: raw.resource.clone(),
            resource_id: raw.resource_id.clone(),
        },
        Some("permissions_denied") => ApiErrorKind::PermissionsDenied {
            details: parse_details(&raw.details),
        },
        Some("denied_authentication") => ApiErrorKind::DeniedAuthentication {
            method: raw
                .method
                .as_deref()
                .map_or(AuthMethod::UnknownMethod, AuthMethod::from),
            reason: raw
                .reason
                .as_deref()
                .map_or(AuthDeniedReason::UnknownReason, AuthDeniedReason::from),
        },
        Some("quotas_exceeded") => ApiErrorKind::QuotasExceeded {
            details: parse_details(&raw.details),
        },
        Some("transient_state") => ApiErrorKind::TransientState {
            resource: raw.resource.clone(),
            resource_id: raw.resource_id.clone(),
            current_state: raw.current_state.clone().unwrap_or_default(),
        },
        Some("locked") => ApiErrorKind::ResourceLocked {
            resource: raw.resource.clone(),
            resource_id: raw.resource_id.clone(),
        },
        Some("precondition_failed") => ApiErrorKind::PreconditionFailed {
            precondition: raw
                .precondition
                .clone()
                .unwrap_or_else(|| "unknown_precondition".into()),
            help_message: raw.help_message.clone().unwrap_or_default(),
        },
        Some("out_of_stock") => ApiErrorKind::OutOfStock {
            resource: raw.resource.clone(),
        },
        Some("resource_expired") | Some("expired") => ApiErrorKind::ResourceExpired {
            resource: raw.resource.clone(),
            resource_id: raw.resource_id.clone(),
            expired_since: raw.expired_since.clone(),
        },
        Some("already_exists") => ApiErrorKind::AlreadyExists {
            resource: raw.resource.clone(),
            resource_id: raw.resource_id.clone(),
            help_message: raw.help_message.clone().unwrap_or_default(),
        },
        Some("too_many_requests") => ApiErrorKind::RateLimited {
            retry_after_secs: retry_after(&header),
            reset_seconds: raw.reset_seconds,
            envoy: is_envoy(&header),
        },
        Some("unknown_resource") => {
            let (resource, resource_id) = parse_unknown_resource(&message);
            ApiErrorKind::NotFound {
                resource,
                resource_id,
            }
        }
        Some("invalid_request_error") => legacy_invalid_request(&raw, &message, status),
        _ if status == 429 => ApiErrorKind::RateLimited {
            retry_after_secs: retry_after(&header),
            reset_seconds: None,
            envoy: is_envoy(&header),
        },
        // A JSON 404 without `type` (Registry's `{"message":"Namespace was not found"}`).
        // A 404 that is not JSON (a proxy page, a wrong URL) stays `Other`.
        _ if status == 404 && has_json => ApiErrorKind::NotFound {
            resource: raw.resource.clone(),
            resource_id: raw.resource_id.clone(),
        },
        _ if status == 401 && has_json => ApiErrorKind::DeniedAuthentication {
            method: raw
                .method
                .as_deref()
                .map_or(AuthMethod::UnknownMethod, AuthMethod::from),
            reason: raw
                .reason
                .as_deref()
                .map_or(AuthDeniedReason::UnknownReason, AuthDeniedReason::from),
        },
        _ if status == 403 && raw.details.is_some() => ApiErrorKind::PermissionsDenied {
            // Registry (Docker) 403 bodies carry details without a `type`.
            details: parse_details(&raw.details),
        },
        _ => ApiErrorKind::Other,
    };
    ApiError {
        status,
        kind,
        message,
        error_type,
        request_id,
        body_excerpt,
    }
}

fn legacy_invalid_request(raw: &RawBody, message: &str, _status: u16) -> ApiErrorKind {
    if message.contains("Quota exceeded for this resource") {
        return ApiErrorKind::QuotasExceeded {
            details: vec![QuotaExceeded {
                resource: raw.resource.clone().unwrap_or_default(),
                quota: 0,
                current: 0,
                organization_id: None,
                project_id: None,
            }],
        };
    }
    let mut details = Vec::new();
    for (field, msgs) in raw.fields.iter().flatten() {
        let help = match msgs {
            serde_json::Value::Array(a) => a
                .iter()
                .map(|m| m.as_str().map_or_else(|| m.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("; "),
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        details.push(InvalidArgument {
            argument_name: field.clone(),
            reason: ArgumentErrorReason::Constraint,
            help_message: help,
        });
    }
    if details.is_empty() && message != "Validation Error" {
        return ApiErrorKind::Other;
    }
    ApiErrorKind::InvalidArguments { details }
}

/// `Security group "<uuid>" not found` → (`security_group`, `<uuid>`).
fn parse_unknown_resource(message: &str) -> (Option<String>, Option<String>) {
    for q in ['"', '\''] {
        let mut parts = message.splitn(3, q);
        if let (Some(name), Some(id), Some(_)) = (parts.next(), parts.next(), parts.next()) {
            let resource = name.trim().to_lowercase().replace(' ', "_");
            return (
                (!resource.is_empty()).then_some(resource),
                Some(id.to_owned()),
            );
        }
    }
    (None, None)
}

fn retry_after(header: &impl Fn(&str) -> Option<String>) -> Option<u64> {
    header("retry-after").and_then(|v| v.trim().parse().ok())
}

fn is_envoy(header: &impl Fn(&str) -> Option<String>) -> bool {
    header("x-envoy-ratelimited").is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn reason_phrase(status: u16) -> &'static str {
    http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
}

impl Error {
    pub(crate) fn new(kind: ErrorKind) -> Self {
        Error {
            inner: Box::new(Inner {
                kind,
                request: None,
                attempts: 0,
            }),
        }
    }

    pub(crate) fn with_request(mut self, request: RequestInfo) -> Self {
        self.inner.request = Some(request);
        self
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.inner.attempts = attempts;
        self
    }

    /// An [`ErrorKind::InvalidRequest`] error, for product crates validating their input.
    pub fn invalid_request(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidRequest(message.into()))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The request this error belongs to, if it came from an API call.
    pub fn request(&self) -> Option<&RequestInfo> {
        self.inner.request.as_ref()
    }

    /// Number of attempts made (1 when the first attempt failed without retry; 0 when no
    /// request was sent).
    pub fn attempts(&self) -> u32 {
        self.inner.attempts
    }

    /// The decoded API error, when the server answered with an error status.
    pub fn api_error(&self) -> Option<&ApiError> {
        match &self.inner.kind {
            ErrorKind::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match &self.inner.kind {
            ErrorKind::Api(e) => Some(e.status),
            ErrorKind::Decode(d) => Some(d.status),
            _ => None,
        }
    }

    /// The response's `x-request-id`, when a response was received.
    pub fn request_id(&self) -> Option<&str> {
        match &self.inner.kind {
            ErrorKind::Api(e) => e.request_id.as_deref(),
            ErrorKind::Decode(d) => d.request_id.as_deref(),
            _ => None,
        }
    }

    /// The start of the response body, when a response was received.
    pub fn body_excerpt(&self) -> Option<&str> {
        match &self.inner.kind {
            ErrorKind::Api(e) => Some(&e.body_excerpt),
            ErrorKind::Decode(d) => Some(&d.body_excerpt),
            _ => None,
        }
    }

    /// 404 / `not_found` / legacy `unknown_resource`.
    pub fn is_not_found(&self) -> bool {
        matches!(self.api_kind(), Some(ApiErrorKind::NotFound { .. }))
    }

    /// 403 `permissions_denied`.
    ///
    /// # Troubleshooting
    ///
    /// The key lacks a permission set for this product on this project. A 403 just after a
    /// policy was changed can be IAM propagation: re-check after a few seconds.
    pub fn is_permission_denied(&self) -> bool {
        matches!(
            self.api_kind(),
            Some(ApiErrorKind::PermissionsDenied { .. })
        )
    }

    /// The `(resource, action)` pairs of a `permissions_denied` error (empty otherwise).
    pub fn permission_denied_details(&self) -> &[PermissionDenied] {
        match self.api_kind() {
            Some(ApiErrorKind::PermissionsDenied { details }) => details,
            _ => &[],
        }
    }

    /// 401 `denied_authentication`: unknown, revoked, malformed or expired key.
    pub fn is_authentication_denied(&self) -> bool {
        matches!(
            self.api_kind(),
            Some(ApiErrorKind::DeniedAuthentication { .. })
        )
    }

    /// 429.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self.api_kind(), Some(ApiErrorKind::RateLimited { .. }))
    }

    /// A timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self.inner.kind, ErrorKind::Timeout { .. })
    }

    /// A connection-level failure (DNS, TCP, TLS, reset) or a timeout.
    pub fn is_transport(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Transport { .. } | ErrorKind::Timeout { .. }
        )
    }

    /// Whether trying again later may succeed: 429, 502, 503, 504, transport failures and
    /// timeouts. (Whether a given request is retried also depends on its method; see
    /// `RetryPolicy`.)
    pub fn is_retryable(&self) -> bool {
        match &self.inner.kind {
            ErrorKind::Api(e) => matches!(e.status, 429 | 502 | 503 | 504),
            ErrorKind::Transport { .. } | ErrorKind::Timeout { .. } => true,
            _ => false,
        }
    }

    fn api_kind(&self) -> Option<&ApiErrorKind> {
        self.api_error().map(|e| &e.kind)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = &self.inner.request {
            write!(f, "{} {}", r.method, r.route)?;
            if let Some(l) = &r.locality {
                write!(f, " [{l}]")?;
            }
            f.write_str(": ")?;
        }
        write!(f, "{}", self.inner.kind)?;
        if self.inner.attempts > 1 {
            write!(f, " (after {} attempts)", self.inner.attempts)?;
        }
        if let Some(id) = self.request_id() {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("request", &self.inner.request)
            .field("attempts", &self.inner.attempts)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.inner.kind {
            ErrorKind::Config(e) => Some(e),
            ErrorKind::Decode(e) => Some(e),
            ErrorKind::Api(_)
            | ErrorKind::Transport { .. }
            | ErrorKind::Timeout { .. }
            | ErrorKind::InvalidRequest(_)
            | ErrorKind::IncompleteListing { .. } => None,
        }
    }
}

/// An error and its sources on one line, each joined by `": "`, a source whose text the line
/// already holds left out: `error sending request: connection refused`. A URL that
/// reqwest adds (`for url (…)`) is removed, since it could carry signed query parameters.
///
/// For messages of errors from other libraries (a transport's, a file's) that a product
/// crate keeps as text.
///
/// ```
/// let io = std::io::Error::other("connection reset by peer");
/// assert_eq!(scaleway_core::error_chain(&io), "connection reset by peer");
/// ```
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    let joined = parts.join(": ");
    match joined.find(" for url (") {
        Some(i) => {
            let rest = &joined[i..];
            let end = rest.find(')').map_or(rest.len(), |j| j + 1);
            format!("{}{}", &joined[..i], &rest[end..])
        }
        None => joined,
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Self {
        Error::new(ErrorKind::Config(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(status: u16, body: &str) -> ApiError {
        decode_api_error(status, |_| None, body.as_bytes())
    }

    #[test]
    fn error_chains_are_one_line_without_urls_or_repetition() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl fmt::Display for Outer {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("error sending request for url (https://rg.fr-par.scw.cloud/v2/?X-Amz-Signature=abc)")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let e = Outer(std::io::Error::other("connection refused"));
        assert_eq!(error_chain(&e), "error sending request: connection refused");
        // A source whose text is already there is not repeated.
        let e = Outer(std::io::Error::other("error sending request"));
        assert_eq!(error_chain(&e), "error sending request");
    }

    #[test]
    fn typed_bodies() {
        let e = decode(
            403,
            r#"{"details":[{"action":"read","resource":"api_key"}],"message":"insufficient permissions","type":"permissions_denied"}"#,
        );
        assert_eq!(
            e.kind,
            ApiErrorKind::PermissionsDenied {
                details: vec![PermissionDenied {
                    resource: "api_key".into(),
                    action: "read".into()
                }]
            }
        );
        assert_eq!(
            e.to_string(),
            "HTTP 403: permission denied for read on api_key"
        );

        let e = decode(
            401,
            r#"{"message":"authentication is denied","method":"api_key","reason":"not_found","type":"denied_authentication"}"#,
        );
        assert!(
            matches!(e.kind, ApiErrorKind::DeniedAuthentication { ref reason, .. } if *reason == AuthDeniedReason::NotFound)
        );
        assert_eq!(
            e.to_string(),
            "HTTP 401: authentication denied (api_key: not_found)"
        );
        // A reason or method this version does not know is kept; absent ones are "unknown".
        let e = decode(
            401,
            r#"{"message":"authentication is denied","method":"sso","reason":"revoked","type":"denied_authentication"}"#,
        );
        assert_eq!(
            e.kind,
            ApiErrorKind::DeniedAuthentication {
                method: AuthMethod::Unknown("sso".into()),
                reason: AuthDeniedReason::Unknown("revoked".into()),
            }
        );
        let e = decode(401, r#"{"message":"authentication is denied"}"#);
        assert_eq!(
            e.kind,
            ApiErrorKind::DeniedAuthentication {
                method: AuthMethod::UnknownMethod,
                reason: AuthDeniedReason::UnknownReason,
            }
        );

        for t in ["resource_expired", "expired"] {
            let e = decode(
                410,
                &format!(
                    r#"{{"type":"{t}","message":"gone","resource":"api_key","resource_id":"x","expired_since":"2025-01-01T00:00:00Z"}}"#
                ),
            );
            assert!(
                matches!(e.kind, ApiErrorKind::ResourceExpired { .. }),
                "{t}"
            );
        }
    }

    #[test]
    fn legacy_shapes() {
        let e = decode(
            404,
            r#"{"type":"unknown_resource","message":"Security group \"abc\" not found"}"#,
        );
        assert_eq!(
            e.kind,
            ApiErrorKind::NotFound {
                resource: Some("security_group".into()),
                resource_id: Some("abc".into())
            }
        );
        let e = decode(
            400,
            r#"{"type":"invalid_request_error","message":"Validation Error","fields":{"volumes.5.id":["92 is not a valid UUID."]}}"#,
        );
        match &e.kind {
            ApiErrorKind::InvalidArguments { details } => {
                assert_eq!(details[0].argument_name, "volumes.5.id");
                assert_eq!(details[0].reason, ArgumentErrorReason::Constraint);
                assert_eq!(details[0].help_message, "92 is not a valid UUID.");
            }
            other => panic!("{other:?}"),
        }
        let e = decode(
            403,
            r#"{"type":"invalid_request_error","message":"Quota exceeded for this resource.","resource":"compute_instances"}"#,
        );
        assert!(matches!(e.kind, ApiErrorKind::QuotasExceeded { .. }));
    }

    #[test]
    fn bare_429_and_non_json() {
        let e = decode_api_error(
            429,
            |h| (h == "x-envoy-ratelimited").then(|| "true".to_owned()),
            b"",
        );
        assert_eq!(
            e.kind,
            ApiErrorKind::RateLimited {
                retry_after_secs: None,
                reset_seconds: None,
                envoy: true
            }
        );
        assert_eq!(e.message, "Too Many Requests");
        let e = decode(502, "<html>bad gateway</html>");
        assert_eq!(e.kind, ApiErrorKind::Other);
        assert_eq!(e.message, "<html>bad gateway</html>");
        let e = decode(404, r#"{"message":"Namespace was not found"}"#);
        assert!(matches!(
            e.kind,
            ApiErrorKind::NotFound { resource: None, .. }
        ));
        assert_eq!(
            e.to_string(),
            "HTTP 404: not found: Namespace was not found"
        );
        let e = decode(409, r#"{"type":"conflict","message":"Group is in use."}"#);
        assert_eq!(e.kind, ApiErrorKind::Other);
        assert_eq!(e.error_type.as_deref(), Some("conflict"));
    }

    #[test]
    fn lenient_fields_and_untyped_statuses() {
        // One field of an unexpected type does not lose the others.
        let e = decode(
            404,
            r#"{"type":"not_found","message":"gone","resource":"ip","resource_id":42}"#,
        );
        assert_eq!(
            e.kind,
            ApiErrorKind::NotFound {
                resource: Some("ip".into()),
                resource_id: Some("42".into())
            }
        );
        // A detail with a null member keeps its defaults; a malformed one is skipped.
        let e = decode(
            400,
            r#"{"type":"invalid_arguments","message":"x","details":[{"argument_name":"a","reason":null},"junk"]}"#,
        );
        assert!(
            matches!(&e.kind, ApiErrorKind::InvalidArguments { details } if details.len() == 1 && details[0].reason == ArgumentErrorReason::UnknownReason)
        );
        // A proxy's HTML 404 is not a Scaleway not-found.
        let e = decode(404, "<html>\n  <body>Not Found</body>\n</html>");
        assert_eq!(e.kind, ApiErrorKind::Other);
        assert_eq!(e.message, "<html> <body>Not Found</body> </html>");
        // A typeless JSON 401 is still an authentication failure.
        let e = decode(401, r#"{"message":"unauthorized"}"#);
        assert!(matches!(e.kind, ApiErrorKind::DeniedAuthentication { .. }));
        // No invented alias.
        let e = decode(401, r#"{"type":"authentication_denied","message":"x"}"#);
        assert!(
            matches!(e.kind, ApiErrorKind::DeniedAuthentication { .. }),
            "a 401 with JSON"
        );
        let e = decode(403, r#"{"type":"authentication_denied","message":"x"}"#);
        assert_eq!(e.kind, ApiErrorKind::Other);
    }

    #[test]
    fn excerpt_is_bounded() {
        let long = "x".repeat(2000);
        assert_eq!(excerpt(long.as_bytes()).chars().count(), EXCERPT_LEN + 1);
    }
}
