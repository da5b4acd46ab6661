//! Route handlers, one module per product.

use http::Method;

use crate::http::{Handler, Loc, RouteDef};
use crate::iam::{Action, Product};

pub(crate) mod account;
pub(crate) mod block;
pub(crate) mod iam;
pub(crate) mod instance;
pub(crate) mod k8s;
pub(crate) mod registry;
pub(crate) mod secret;
pub(crate) mod vpc;

/// Registers one route.
#[allow(clippy::too_many_arguments, reason = "a table row")]
pub(crate) fn add(
    v: &mut Vec<RouteDef>,
    method: Method,
    path: &'static str,
    loc: Loc,
    product: Product,
    action: Action,
    resource: &'static str,
    handler: Handler,
) {
    v.push(RouteDef {
        method,
        path,
        loc,
        product,
        action,
        resource,
        handler,
    });
}

type Body = serde_json::Map<String, serde_json::Value>;

/// An optional string field of a JSON body (null = absent).
pub(crate) fn str_field(body: &Body, key: &str) -> Result<Option<String>, crate::error::ApiError> {
    match body.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(crate::error::ApiError::invalid(
            key,
            "format",
            "value must be a string",
        )),
    }
}

/// An optional boolean field of a JSON body.
pub(crate) fn bool_field(body: &Body, key: &str) -> Result<Option<bool>, crate::error::ApiError> {
    match body.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(crate::error::ApiError::invalid(
            key,
            "format",
            "value must be a boolean",
        )),
    }
}

/// An optional UUID field of a JSON body.
pub(crate) fn uuid_field(body: &Body, key: &str) -> Result<Option<String>, crate::error::ApiError> {
    match str_field(body, key)? {
        Some(s) if !crate::util::is_uuid(&s) => Err(crate::error::ApiError::invalid_uuid(key)),
        other => Ok(other),
    }
}

/// An optional array-of-strings field of a JSON body.
pub(crate) fn strings_field(
    body: &Body,
    key: &str,
) -> Result<Option<Vec<String>>, crate::error::ApiError> {
    match body.get(key) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Ok(s.clone()),
                _ => Err(crate::error::ApiError::invalid(
                    key,
                    "format",
                    "value must be an array of strings",
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(crate::error::ApiError::invalid(
            key,
            "format",
            "value must be an array of strings",
        )),
    }
}

/// A required non-empty string field.
pub(crate) fn required_str(body: &Body, key: &str) -> Result<String, crate::error::ApiError> {
    match str_field(body, key)? {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(crate::error::ApiError::invalid(
            key,
            "required",
            "required key not provided",
        )),
    }
}
