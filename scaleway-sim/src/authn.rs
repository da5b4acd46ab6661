//! Who is calling, shared by the three front doors (the JSON API, the S3 endpoint and the
//! registry): the effective IAM state, a key's liveness and organization, the request
//! attributes conditions test (client IP, user agent), and where a key may act.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, RwLockReadGuard};

use axum::extract::ConnectInfo;
use http::{Extensions, HeaderMap, header};

use crate::iam::{Action, Product, Reach, RequestAttrs};
use crate::model::{ApiKey, Bearer};
use crate::state::{SimState, State};
use crate::util::now;

/// The state with due IAM changes (propagation delay) applied, for reading.
pub(crate) fn fresh(state: &SimState) -> RwLockReadGuard<'_, State> {
    {
        let st = state.read();
        if !st.iam_due() {
            return st;
        }
    }
    state.write().apply_due();
    state.read()
}

/// Why a key is refused (the `reason` of the API's `denied_authentication`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// Unknown or deleted key, or a bearer that no longer exists.
    NotFound,
    /// `expires_at` has passed.
    Expired,
}

impl Refusal {
    /// The API's `reason` value.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Expired => "expired",
        }
    }
}

/// A usable key and the Organization of its bearer.
#[derive(Debug, Clone)]
pub(crate) struct LiveKey {
    pub(crate) key: Arc<ApiKey>,
    pub(crate) organization_id: String,
}

/// Checks a looked-up key: it exists, has not expired, and its bearer exists.
pub(crate) fn live(st: &State, key: Option<&Arc<ApiKey>>) -> Result<LiveKey, Refusal> {
    let key = key.ok_or(Refusal::NotFound)?;
    if key.expires_at.is_some_and(|e| e <= now()) {
        return Err(Refusal::Expired);
    }
    let iam = &st.iam_effective;
    let organization_id = match &key.bearer {
        Bearer::Application(a) => iam.applications.get(a).map(|a| a.organization_id.clone()),
        Bearer::User(u) => iam.users.get(u).map(|u| u.organization_id.clone()),
    }
    .ok_or(Refusal::NotFound)?;
    Ok(LiveKey {
        key: Arc::clone(key),
        organization_id,
    })
}

/// The key whose secret is `secret` (case-insensitive UUID).
pub(crate) fn by_secret(st: &State, secret: &str) -> Result<LiveKey, Refusal> {
    live(
        st,
        st.iam_effective.key_by_secret(&secret.to_ascii_lowercase()),
    )
}

/// The key whose access key is `access_key`.
pub(crate) fn by_access_key(st: &State, access_key: &str) -> Result<LiveKey, Refusal> {
    live(st, st.iam_effective.api_keys.get(access_key))
}

/// The client IP: the first `X-Forwarded-For` entry when the simulator trusts it, else the
/// peer address.
pub(crate) fn client_ip(
    trust_forwarded_for: bool,
    headers: &HeaderMap,
    ext: &Extensions,
) -> Option<IpAddr> {
    if trust_forwarded_for
        && let Some(ip) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse().ok())
    {
        return Some(ip);
    }
    ext.get::<ConnectInfo<crate::server::PeerAddr>>()
        .map(|c| c.0.0.ip())
        .or_else(|| ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
}

/// What IAM conditions can test about a request.
pub(crate) fn attrs(
    trust_forwarded_for: bool,
    headers: &HeaderMap,
    ext: &Extensions,
) -> RequestAttrs {
    RequestAttrs {
        ip: client_ip(trust_forwarded_for, headers, ext),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .chars()
            .take(255)
            .collect(),
    }
}

/// Where `bearer` (of Organization `organization_id`) may do `action` on `product`: nowhere
/// for a bearer of another Organization.
pub(crate) fn reach(
    st: &State,
    bearer: &Bearer,
    organization_id: &str,
    product: Product,
    action: Action,
    attrs: &RequestAttrs,
) -> Reach {
    if organization_id != st.organization_id {
        return Reach::Projects(Vec::new());
    }
    crate::iam::reach(
        &st.iam_effective,
        &st.organization_id,
        bearer,
        product,
        action,
        attrs,
    )
}

impl LiveKey {
    /// Where this key may do `action` on `product`.
    pub(crate) fn reach(
        &self,
        st: &State,
        product: Product,
        action: Action,
        attrs: &RequestAttrs,
    ) -> Reach {
        reach(
            st,
            &self.key.bearer,
            &self.organization_id,
            product,
            action,
            attrs,
        )
    }
}
