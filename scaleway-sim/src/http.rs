//! The HTTP layer: route table, request dispatch (faults → locality → authentication → handler),
//! and helpers shared by the product modules in `api/`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, RawPathParams, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use bytes::Bytes;
use http::{HeaderValue, Method, StatusCode, header};
use serde::Serialize;

use crate::error::{ApiError, Style, json_bytes};
use crate::faults::{FaultState, Verdict};
use crate::iam::{Action, Product, Reach, RequestAttrs};
use crate::model::Bearer;
use crate::state::{SimState, State};
use crate::util::{Query, is_uuid, now, uuid_from_u64};

/// Where a route lives.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Loc {
    Global,
    Zone(&'static [&'static str]),
    Region(&'static [&'static str]),
}

/// A handler: synchronous, state is in memory.
pub(crate) type Handler = fn(&Ctx<'_>) -> Result<Response, ApiError>;

/// One served route and what IAM needs to know about it.
#[derive(Debug)]
pub(crate) struct RouteDef {
    pub(crate) method: Method,
    pub(crate) path: &'static str,
    pub(crate) loc: Loc,
    pub(crate) product: Product,
    pub(crate) action: Action,
    /// The `resource` of a `permissions_denied` detail (the resource names seen in recorded bodies).
    pub(crate) resource: &'static str,
    pub(crate) handler: Handler,
}

/// Request counters.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    pub(crate) total: AtomicU64,
    /// Indexed like [`routes()`].
    pub(crate) per_route: Vec<AtomicU64>,
}

/// Shared by every request.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) state: SimState,
    pub(crate) faults: Arc<FaultState>,
    pub(crate) stats: Stats,
    pub(crate) seed: u64,
    pub(crate) trust_forwarded_for: bool,
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) bearer: Bearer,
    pub(crate) organization_id: String,
    pub(crate) attrs: RequestAttrs,
}

/// Everything a handler gets.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) app: &'a App,
    pub(crate) route: &'static RouteDef,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) query: Query,
    pub(crate) body: Bytes,
    pub(crate) caller: Caller,
    /// Whether the churn fault already changed a collection for this request.
    pub(crate) churned: std::sync::atomic::AtomicBool,
}

impl Ctx<'_> {
    /// A path parameter.
    pub(crate) fn param(&self, name: &str) -> &str {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// A path parameter that must be a UUID (400 `invalid_arguments` otherwise).
    pub(crate) fn uuid_param(&self, name: &str) -> Result<&str, ApiError> {
        let v = self.param(name);
        if is_uuid(v) {
            Ok(v)
        } else {
            Err(ApiError::invalid_uuid(name).with_style(self.style()))
        }
    }

    /// A query parameter that, if present, must be a UUID.
    pub(crate) fn uuid_query(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.query.get(name) {
            None => Ok(None),
            Some(v) if is_uuid(v) => Ok(Some(v)),
            Some(_) => Err(ApiError::invalid_uuid(name).with_style(self.style())),
        }
    }

    /// A boolean query parameter, parsed as the real gateway (written in Go) does, with
    /// `strconv.ParseBool`: see [`crate::util::parse_bool`].
    pub(crate) fn bool_query(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.query.get(name) {
            None => Ok(None),
            Some(v) => crate::util::parse_bool(v).map(Some).ok_or_else(|| {
                ApiError::invalid(name, "format", "value must be a boolean")
                    .with_style(self.style())
            }),
        }
    }

    pub(crate) fn style(&self) -> Style {
        if self.route.path.starts_with("/instance/") {
            Style::Instance
        } else {
            Style::Standard
        }
    }

    /// Where the caller may do this route's action.
    pub(crate) fn reach(&self, st: &State) -> Reach {
        self.reach_for(st, self.route.product, self.route.action)
    }

    pub(crate) fn reach_for(&self, st: &State, product: Product, action: Action) -> Reach {
        crate::authn::reach(
            st,
            &self.caller.bearer,
            &self.caller.organization_id,
            product,
            action,
            &self.caller.attrs,
        )
    }

    pub(crate) fn denied(&self) -> ApiError {
        ApiError::PermissionsDenied {
            action: self.route.action.as_str(),
            resource: self.route.resource,
        }
    }

    /// Checks the route's permission on `project_id` (project-level products) or on the organization.
    pub(crate) fn authorize(&self, st: &State, project_id: &str) -> Result<(), ApiError> {
        if self.reach(st).covers(project_id) {
            Ok(())
        } else {
            Err(self.denied())
        }
    }

    /// Checks an organization-level permission (IAM, Account).
    pub(crate) fn authorize_org(&self, st: &State) -> Result<(), ApiError> {
        if self.reach(st) == Reach::All {
            Ok(())
        } else {
            Err(self.denied())
        }
    }

    /// The dispatch-time check of Organization-level routes: the route's permission on the
    /// Organization, or, on the API-key routes, a permission on the keys of applications or of
    /// users only (the handlers then check each key, see [`Ctx::may_on_key`]).
    pub(crate) fn authorize_org_route(&self, st: &State) -> Result<(), ApiError> {
        let partial: &[Product] = if self.route.product == Product::IamApiKeys {
            &[Product::IamApplicationApiKeys, Product::IamUserApiKeys]
        } else {
            &[]
        };
        let action = self.route.action;
        if self.reach(st) == Reach::All
            || partial
                .iter()
                .any(|p| self.reach_for(st, *p, action) == Reach::All)
        {
            Ok(())
        } else {
            Err(self.denied())
        }
    }

    /// May the caller do the route's action on an API key of `bearer`? Sets covering every key,
    /// or the keys of applications (`IAMApplication*`) or of users (`IAMUser*`) only.
    pub(crate) fn may_on_key(&self, st: &State, bearer: &Bearer) -> bool {
        let own_kind = match bearer {
            Bearer::Application(_) => Product::IamApplicationApiKeys,
            Bearer::User(_) => Product::IamUserApiKeys,
        };
        let action = self.route.action;
        [Product::IamApiKeys, own_kind]
            .iter()
            .any(|p| self.reach_for(st, *p, action) == Reach::All)
    }

    /// For list routes: `Err(403)` if the caller may read nothing of this product; else its reach,
    /// narrowed to `project_id` when that filter is given (403 if not covered).
    pub(crate) fn list_reach(
        &self,
        st: &State,
        project_id: Option<&str>,
    ) -> Result<Reach, ApiError> {
        let reach = self.reach(st);
        match project_id {
            Some(p) if !reach.covers(p) => Err(self.denied()),
            Some(p) => Ok(Reach::Projects(vec![p.to_owned()])),
            None if reach.is_empty() => Err(self.denied()),
            None => Ok(reach),
        }
    }

    /// The request body as JSON (400 on malformed JSON or a non-object body).
    pub(crate) fn json_body(&self) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
        if self.body.is_empty() {
            return Ok(serde_json::Map::new());
        }
        match serde_json::from_slice::<serde_json::Value>(&self.body) {
            Ok(serde_json::Value::Object(m)) => Ok(m),
            _ => {
                Err(ApiError::invalid("body", "format", "invalid JSON body")
                    .with_style(self.style()))
            }
        }
    }
}

// ------------------------------------------------------------------ pagination and lists

/// Page parameters of the standard APIs (`page`, `page_size`) or Instance (`page`, `per_page`).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub(crate) page: u64,
    pub(crate) size: u64,
}

fn parse_num(ctx: &Ctx<'_>, name: &str) -> Result<Option<i64>, ApiError> {
    match ctx.query.get(name) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            ApiError::invalid(name, "format", "value must be an integer").with_style(ctx.style())
        }),
    }
}

fn constraint(ctx: &Ctx<'_>, name: &str, help: &str) -> ApiError {
    ApiError::invalid(name, "constraint", help).with_style(ctx.style())
}

/// `page` (1-based; IAM caps it at 10000) and `page_size` (1–100, default 20; 0 = default).
pub(crate) fn std_page(ctx: &Ctx<'_>) -> Result<Page, ApiError> {
    let page = parse_num(ctx, "page")?.unwrap_or(1);
    if page < 1 {
        return Err(constraint(
            ctx,
            "page",
            "value must be greater than or equal to 1",
        ));
    }
    if ctx.route.path.starts_with("/iam/") && page > 10_000 {
        return Err(constraint(
            ctx,
            "page",
            "value must be less than or equal to 10000",
        ));
    }
    if page > i64::from(i32::MAX) {
        return Err(constraint(
            ctx,
            "page",
            "value must be less than or equal to 2147483647",
        ));
    }
    let size = parse_num(ctx, "page_size")?.unwrap_or(0);
    if size < 0 {
        return Err(constraint(
            ctx,
            "page_size",
            "value must be greater than or equal to 0",
        ));
    }
    if size > 100 {
        return Err(constraint(
            ctx,
            "page_size",
            "value must be less than or equal to 100",
        ));
    }
    let size = if size == 0 { 20 } else { size.unsigned_abs() };
    Ok(Page {
        page: page.unsigned_abs(),
        size: capped(ctx, size),
    })
}

/// Instance: `page` and `per_page` (1–100, default 50).
pub(crate) fn instance_page(ctx: &Ctx<'_>) -> Result<Page, ApiError> {
    let page = parse_num(ctx, "page")?.unwrap_or(1);
    if !(1..=i64::from(i32::MAX)).contains(&page) {
        return Err(constraint(
            ctx,
            "page",
            "value must be greater than or equal to 1",
        ));
    }
    let size = parse_num(ctx, "per_page")?.unwrap_or(50);
    if !(1..=100).contains(&size) {
        return Err(constraint(
            ctx,
            "per_page",
            "value must be between 1 and 100",
        ));
    }
    Ok(Page {
        page: page.unsigned_abs(),
        size: capped(ctx, size.unsigned_abs()),
    })
}

/// The page size after the page-size cap fault, if any.
fn capped(ctx: &Ctx<'_>, size: u64) -> u64 {
    match ctx.app.faults.page_size_cap() {
        Some(cap) => size.min(u64::from(cap.max(1))),
        None => size,
    }
}

/// The slice of `items` on `page`.
pub(crate) fn slice<T>(items: &[T], p: Page) -> &[T] {
    let start = usize::try_from((p.page - 1).saturating_mul(p.size)).unwrap_or(usize::MAX);
    let size = usize::try_from(p.size).unwrap_or(100);
    if start >= items.len() {
        return &[];
    }
    &items[start..items.len().min(start + size)]
}

/// `{"<key>": [...], "total_count": N}`.
pub(crate) fn list_response<T: Serialize>(key: &str, items: &[T], total: usize) -> Response {
    let mut out = Vec::with_capacity(256 + items.len() * 512);
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    if serde_json::to_writer(&mut out, items).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    out.extend_from_slice(b",\"total_count\":");
    out.extend_from_slice(total.to_string().as_bytes());
    out.push(b'}');
    json_bytes(StatusCode::OK, Bytes::from(out))
}

/// Instance lists: `{"<key>": [...]}` plus `x-total-count` and `link` headers.
pub(crate) fn instance_list_response<T: Serialize>(
    ctx: &Ctx<'_>,
    key: &str,
    resource_path: &str,
    items: &[T],
    total: usize,
    p: Page,
) -> Response {
    let mut out = Vec::with_capacity(256 + items.len() * 1024);
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    if serde_json::to_writer(&mut out, items).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    out.push(b'}');
    let mut resp = json_bytes(StatusCode::OK, Bytes::from(out));
    // Recorded: `</servers?page=1&per_page=50&name=…&order=creation_date_desc&project=…>; rel="last"`.
    let mut others: Vec<(&str, &str)> = ctx
        .query
        .0
        .iter()
        .filter(|(k, _)| k != "page" && k != "per_page")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if resource_path == "servers" && !others.iter().any(|(k, _)| *k == "order") {
        others.push(("order", "creation_date_desc"));
    }
    others.sort_unstable();
    let rest: String = others
        .iter()
        .map(|(k, v)| {
            let mut s = String::from("&");
            s.extend(url::form_urlencoded::byte_serialize(k.as_bytes()));
            s.push('=');
            s.extend(url::form_urlencoded::byte_serialize(v.as_bytes()));
            s
        })
        .collect();
    let total_u = total as u64;
    let last = total_u.div_ceil(p.size);
    let link_for = |page: u64, rel: &str| {
        format!(
            "</{resource_path}?page={page}&per_page={}{rest}>; rel=\"{rel}\"",
            p.size
        )
    };
    let mut links = Vec::new();
    if p.page > 1 {
        links.push(link_for(1, "first"));
        links.push(link_for((p.page - 1).min(last.max(1)), "previous"));
    }
    if p.page < last {
        links.push(link_for(p.page + 1, "next"));
    }
    links.push(link_for(last, "last"));
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&total.to_string()) {
        h.insert("x-total-count", v);
    }
    if let Ok(v) = HeaderValue::from_str(&links.join(",")) {
        h.insert(header::LINK, v);
    }
    resp
}

/// Sorts by the usual `order_by` values (`created_at_*`, `updated_at_*`, `name_*`); unknown values
/// are a 400 like the real enum decoding.
pub(crate) fn sort_by_order<T>(
    ctx: &Ctx<'_>,
    items: &mut [T],
    default: &str,
    name: impl Fn(&T) -> &str,
    created: impl Fn(&T) -> i64,
    updated: impl Fn(&T) -> i64,
) -> Result<(), ApiError> {
    let order = ctx.query.get("order_by").unwrap_or(default);
    match order {
        "created_at_asc" => items.sort_by_key(|x| created(x)),
        "created_at_desc" => items.sort_by_key(|x| std::cmp::Reverse(created(x))),
        "updated_at_asc" => items.sort_by_key(|x| updated(x)),
        "updated_at_desc" => items.sort_by_key(|x| std::cmp::Reverse(updated(x))),
        "name_asc" | "policy_name_asc" => items.sort_by(|a, b| name(a).cmp(name(b))),
        "name_desc" | "policy_name_desc" => items.sort_by(|a, b| name(b).cmp(name(a))),
        _ => {
            return Err(ApiError::invalid(
                "order_by",
                "constraint",
                "value is not a valid enum value",
            ));
        }
    }
    Ok(())
}

/// `true` if the resource carries every requested tag (repeated `tags` keys).
pub(crate) fn has_tags(resource_tags: &[String], wanted: &[&str]) -> bool {
    wanted.is_empty() || wanted.iter().any(|w| resource_tags.iter().any(|t| t == w))
}

/// The `created` timestamp of "now" for newly created resources.
pub(crate) fn created_now() -> i64 {
    now()
}

// ------------------------------------------------------------------ dispatch

fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

fn unknown_locality(loc: Loc) -> ApiError {
    // Recorded in scaleway-cli issue #4378: `GET /instance/v1/zones/all/images` answered
    // `400` with a 34-byte JSON body, printed by the CLI as "Unknown zone in path", i.e.
    // `{"message":"Unknown zone in path"}`. The region wording is the same pattern (unconfirmed).
    match loc {
        Loc::Region(_) => ApiError::PlainBadRequest("Unknown region in path"),
        _ => ApiError::PlainBadRequest("Unknown zone in path"),
    }
}

fn authenticate(app: &App, req: &Request) -> Result<Caller, ApiError> {
    let token = req
        .headers()
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !is_uuid(token) {
        return Err(ApiError::Auth {
            reason: "invalid_argument",
        });
    }
    let st = crate::authn::fresh(&app.state);
    let key =
        crate::authn::by_secret(&st, token).map_err(|r| ApiError::Auth { reason: r.reason() })?;
    Ok(Caller {
        bearer: key.key.bearer.clone(),
        organization_id: key.organization_id,
        attrs: crate::authn::attrs(app.trust_forwarded_for, req.headers(), req.extensions()),
    })
}

async fn dispatch(app: Arc<App>, idx: usize, route: &'static RouteDef, req: Request) -> Response {
    if let Some(c) = app.stats.per_route.get(idx) {
        c.fetch_add(1, Ordering::Relaxed);
    }
    let (verdict, latency) = app.faults.decide(req.uri().path());
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    match verdict {
        Verdict::Pass => {}
        Verdict::RateLimited => {
            let mut r = empty(StatusCode::TOO_MANY_REQUESTS);
            r.headers_mut()
                .insert("x-envoy-ratelimited", HeaderValue::from_static("true"));
            return r;
        }
        Verdict::Status(s) => {
            return empty(StatusCode::from_u16(s).unwrap_or(StatusCode::SERVICE_UNAVAILABLE));
        }
    }
    let (mut parts, body) = req.into_parts();
    let params: Vec<(String, String)> =
        match RawPathParams::from_request_parts(&mut parts, &()).await {
            Ok(p) => p
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            Err(_) => Vec::new(),
        };
    // Locality check (before authentication, like the gateway's routing).
    let loc_value = params
        .iter()
        .find(|(k, _)| k == "zone" || k == "region")
        .map(|(_, v)| v.as_str());
    match (route.loc, loc_value) {
        (Loc::Zone(list) | Loc::Region(list), Some(v)) if !list.contains(&v) => {
            return unknown_locality(route.loc).into_response();
        }
        _ => {}
    }
    let req = Request::from_parts(parts, Body::empty());
    let caller = match authenticate(&app, &req) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let (parts, _) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, 4 << 20).await {
        Ok(b) => b,
        Err(_) => {
            return ApiError::invalid("body", "constraint", "request body too large")
                .into_response();
        }
    };
    let ctx = Ctx {
        app: &app,
        route,
        params,
        query: Query::parse(parts.uri.query()),
        body: bytes,
        caller,
        churned: std::sync::atomic::AtomicBool::new(false),
    };
    // Authorization before validation: Organization-level routes (IAM, Account) depend on no
    // input to be authorized, so a caller without the permission learns nothing about its
    // request (not even a validation error). Project-level routes authorize against the
    // project the request names, once it is parsed.
    if route.product.is_organization_level() {
        let authorized = ctx.authorize_org_route(&ctx.app.state.read());
        if let Err(e) = authorized {
            return e.with_style(ctx.style()).into_response();
        }
    }
    match (route.handler)(&ctx) {
        Ok(r) => r,
        Err(e) => e.with_style(ctx.style()).into_response(),
    }
}

async fn request_id(
    axum::extract::State(app): axum::extract::State<Arc<App>>,
    req: Request,
    next: Next,
) -> Response {
    let n = app.stats.total.fetch_add(1, Ordering::Relaxed);
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&uuid_from_u64(app.seed ^ 0x7e9, n)) {
        resp.headers_mut().insert("x-request-id", v);
    }
    resp
}

fn filter(m: &Method) -> MethodFilter {
    match *m {
        Method::POST => MethodFilter::POST,
        Method::PUT => MethodFilter::PUT,
        Method::PATCH => MethodFilter::PATCH,
        Method::DELETE => MethodFilter::DELETE,
        _ => MethodFilter::GET,
    }
}

/// Every route served.
pub(crate) fn routes() -> &'static [RouteDef] {
    static ROUTES: std::sync::LazyLock<Vec<RouteDef>> = std::sync::LazyLock::new(|| {
        let mut v = Vec::new();
        crate::api::account::routes(&mut v);
        crate::api::iam::routes(&mut v);
        crate::api::instance::routes(&mut v);
        crate::api::block::routes(&mut v);
        crate::api::secret::routes(&mut v);
        crate::api::registry::routes(&mut v);
        crate::api::k8s::routes(&mut v);
        crate::api::vpc::routes(&mut v);
        v
    });
    &ROUTES
}

pub(crate) fn stats_for_routes() -> Stats {
    Stats {
        total: AtomicU64::new(0),
        per_route: routes().iter().map(|_| AtomicU64::new(0)).collect(),
    }
}

/// Builds the router.
pub(crate) fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for (idx, route) in routes().iter().enumerate() {
        let a = Arc::clone(&app);
        router = router.route(
            route.path,
            on(filter(&route.method), move |req: Request| {
                dispatch(Arc::clone(&a), idx, route, req)
            }),
        );
    }
    router
        .fallback(|| async { empty(StatusCode::NOT_FOUND) })
        .layer(axum::middleware::from_fn_with_state(app, request_id))
}

/// `{"<key>": <object>}` (Instance wraps single objects).
pub(crate) fn wrapped<T: Serialize>(status: StatusCode, key: &str, item: &T) -> Response {
    let mut out = Vec::with_capacity(2048);
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    if serde_json::to_writer(&mut out, item).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    out.push(b'}');
    json_bytes(status, Bytes::from(out))
}

impl Ctx<'_> {
    /// For a missing resource: 403 if the caller may not do this route's action anywhere (so that
    /// existence does not leak), else the route's 404 (sim choice).
    pub(crate) fn missing(&self, st: &State, not_found: ApiError) -> ApiError {
        if self.reach(st).is_empty() {
            self.denied()
        } else {
            not_found
        }
    }
}

#[cfg(test)]
mod tests {
    use super::routes;

    /// Every (method, path) once; prints the route table used in the README
    /// (`cargo test -p scaleway-sim --lib route_table -- --nocapture`).
    #[test]
    fn route_table() {
        let mut seen = std::collections::BTreeSet::new();
        for r in routes() {
            assert!(
                seen.insert((r.method.to_string(), r.path)),
                "{} {}",
                r.method,
                r.path
            );
            #[allow(clippy::print_stdout, reason = "prints the README table")]
            {
                println!(
                    "| `{} {}` | {:?} | {} | `{}` |",
                    r.method,
                    r.path,
                    r.product,
                    r.action.as_str(),
                    r.resource
                );
            }
        }
    }
}
