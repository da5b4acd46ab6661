//! Error bodies, shaped like the real API's (see `shared/scaleway-api/core.md` §6 and the recorded 4xx files).

use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

/// Which error style an API uses: Instance puts `type` first, the others sort keys alphabetically.
/// (Key order is not a contract, but matching it costs nothing.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Standard,
    Instance,
}

/// One entry of an `invalid_arguments` error.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ArgDetail {
    pub(crate) argument_name: String,
    pub(crate) help_message: String,
    pub(crate) reason: &'static str,
}

/// An error answered by a route.
#[derive(Debug, Clone)]
pub(crate) enum ApiError {
    /// 404 `not_found` with `resource` and `resource_id`.
    NotFound {
        resource: &'static str,
        id: String,
        style: Style,
    },
    /// 404 without `type` (Registry): `{"message":"Namespace was not found"}`.
    PlainNotFound(&'static str),
    /// 400 `invalid_arguments`.
    InvalidArguments(Vec<ArgDetail>, Style),
    /// 400 with only a message (unknown locality in the path).
    PlainBadRequest(&'static str),
    /// 403 `permissions_denied`.
    PermissionsDenied {
        action: &'static str,
        resource: &'static str,
    },
    /// 401 `denied_authentication`.
    Auth { reason: &'static str },
    /// 412 `precondition_failed`.
    Precondition {
        precondition: &'static str,
        help_message: &'static str,
    },
}

impl ApiError {
    pub(crate) fn invalid(arg: &str, reason: &'static str, help: &str) -> Self {
        Self::InvalidArguments(
            vec![ArgDetail {
                argument_name: arg.to_owned(),
                help_message: help.to_owned(),
                reason,
            }],
            Style::Standard,
        )
    }

    pub(crate) fn invalid_uuid(arg: &str) -> Self {
        Self::invalid(arg, "format", "value must be a valid UUID")
    }

    pub(crate) fn with_style(self, style: Style) -> Self {
        match self {
            Self::InvalidArguments(d, _) => Self::InvalidArguments(d, style),
            other => other,
        }
    }
}

#[derive(Serialize)]
struct NotFoundStd<'a> {
    message: &'static str,
    resource: &'a str,
    resource_id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct NotFoundInstance<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    message: &'static str,
    resource: &'a str,
    resource_id: &'a str,
}

#[derive(Serialize)]
struct Message<'a> {
    message: &'a str,
}

#[derive(Serialize)]
struct InvalidStd<'a> {
    details: &'a [ArgDetail],
    message: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct InvalidInstance<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    message: &'static str,
    details: &'a [ArgDetail],
}

#[derive(Serialize)]
struct DeniedDetail {
    action: &'static str,
    resource: &'static str,
}

#[derive(Serialize)]
struct Denied<'a> {
    details: &'a [DeniedDetail],
    message: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct AuthBody {
    message: &'static str,
    method: &'static str,
    reason: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

#[derive(Serialize)]
struct PreconditionBody {
    help_message: &'static str,
    message: &'static str,
    precondition: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
}

/// Serializes `body` as JSON with `content-type: application/json`.
pub(crate) fn json<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => json_bytes(status, Bytes::from(bytes)),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Raw JSON bytes with `content-type: application/json`.
pub(crate) fn json_bytes(status: StatusCode, bytes: Bytes) -> Response {
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

/// 204 with an empty body and a JSON content type (recorded on DELETE).
pub(crate) fn no_content() -> Response {
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            Self::NotFound {
                resource,
                id,
                style: Style::Standard,
            } => json(
                StatusCode::NOT_FOUND,
                &NotFoundStd {
                    message: "resource is not found",
                    resource,
                    resource_id: &id,
                    kind: "not_found",
                },
            ),
            Self::NotFound {
                resource,
                id,
                style: Style::Instance,
            } => json(
                StatusCode::NOT_FOUND,
                &NotFoundInstance {
                    kind: "not_found",
                    message: "resource is not found",
                    resource,
                    resource_id: &id,
                },
            ),
            Self::PlainNotFound(message) => json(StatusCode::NOT_FOUND, &Message { message }),
            Self::PlainBadRequest(message) => json(StatusCode::BAD_REQUEST, &Message { message }),
            Self::InvalidArguments(details, Style::Standard) => json(
                StatusCode::BAD_REQUEST,
                &InvalidStd {
                    details: &details,
                    message: "invalid argument(s)",
                    kind: "invalid_arguments",
                },
            ),
            Self::InvalidArguments(details, Style::Instance) => json(
                StatusCode::BAD_REQUEST,
                &InvalidInstance {
                    kind: "invalid_arguments",
                    message: "invalid argument(s)",
                    details: &details,
                },
            ),
            Self::PermissionsDenied { action, resource } => json(
                StatusCode::FORBIDDEN,
                &Denied {
                    details: &[DeniedDetail { action, resource }],
                    message: "insufficient permissions",
                    kind: "permissions_denied",
                },
            ),
            Self::Auth { reason } => json(
                StatusCode::UNAUTHORIZED,
                &AuthBody {
                    message: "authentication is denied",
                    method: "api_key",
                    reason,
                    kind: "denied_authentication",
                },
            ),
            Self::Precondition {
                precondition,
                help_message,
            } => json(
                StatusCode::PRECONDITION_FAILED,
                &PreconditionBody {
                    help_message,
                    message: "precondition is not respected",
                    precondition,
                    kind: "precondition_failed",
                },
            ),
        }
    }
}
