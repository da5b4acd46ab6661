//! Typed calls of IAM v1alpha1 and Account v3, all through [`scaleway_core::Client`].
//!
//! Listings are [`List`] builders (filters as methods), read with the consumers of
//! scaleway-core's one listing abstraction, [`Listable`]: `items()` for a `Stream`,
//! `pages()`, `collect()`, `listing()`; creations with optional fields are builders ending
//! in `send()`; the rest are plain `async fn`s. IDs are typed ([`ApplicationId`],
//! [`PolicyId`], [`ProjectId`]…); request bodies are `Serialize` structs (`request.rs`).

use std::fmt;
use std::marker::PhantomData;

use scaleway_core::{
    AccessKey, Client, Error, Listable, OrganizationId, Paginator, ProjectId, RequestBuilder,
    Timestamp,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::model::{
    ApiKey, Application, ApplicationId, Bearer, BearerType, CreatedApiKey, Group, GroupId,
    PermissionSet, Policy, PolicyId, PolicyPrincipal, Project, Rule, RuleSpec, User, UserId,
    UserType,
};
use crate::request::{
    BearerFields, CreateApiKeyBody, CreateApplicationBody, CreateGroupBody, CreatePolicyBody,
    CreateProjectBody, SetGroupMembersBody, SetRulesBody, UpdateApiKeyBody,
};

/// IAM v1alpha1 (`/iam/v1alpha1/…`): API keys, applications, users, groups, policies,
/// rules, permission sets.
///
/// ```no_run
/// # async fn run() -> Result<(), scaleway_core::Error> {
/// use futures::TryStreamExt;
/// use scaleway_iam::{IamApi, Listable};
///
/// let iam = IamApi::new(&scaleway_core::Client::from_env()?);
/// let me = iam.get_api_key(iam.client().access_key()?).await?;
/// println!("bearer: {:?}", me.bearer());
/// let keys: Vec<_> = iam.list_api_keys().expired(true).items().try_collect().await?;
/// println!("{} expired keys", keys.len());
/// let policies = iam.list_policies().collect().await?;
/// for p in &policies {
///     println!("{} {}: {} rules", p.id, p.name, iam.list_rules(&p.id).collect().await?.len());
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct IamApi {
    client: Client,
}

/// Account v3 (`/account/v3/projects`).
#[derive(Debug, Clone)]
pub struct AccountApi {
    client: Client,
}

/// What a [`List`] lists: a marker type per endpoint (route, items key, item type).
pub trait ListKind: sealed::Sealed {
    /// The item type.
    type Item: DeserializeOwned + scaleway_core::ListItem + Send + 'static;
    /// The route.
    const ROUTE: &'static str;
    /// The key of the items array in the response.
    const ITEMS: &'static str;
    /// Whether `organization_id` defaults to the client's default organization (the Go
    /// SDK's behaviour for these endpoints).
    const ORGANIZATION_DEFAULT: bool;
    /// The `order_by` sent unless the caller chose one: oldest first where the API documents
    /// it (`created_at_asc`), so that creations during a listing shift nothing; `None` where
    /// it documents no order (rules).
    const ORDER_BY: Option<&'static str>;
}

mod sealed {
    pub trait Sealed {}
}

macro_rules! list_kind {
    ($(#[$doc:meta])* $name:ident, $item:ty, $route:literal, $items:literal, $org:literal) => {
        list_kind!($(#[$doc])* $name, $item, $route, $items, $org, Some("created_at_asc"));
    };
    ($(#[$doc:meta])* $name:ident, $item:ty, $route:literal, $items:literal, $org:literal, $order:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;
        impl sealed::Sealed for $name {}
        impl ListKind for $name {
            type Item = $item;
            const ROUTE: &'static str = $route;
            const ITEMS: &'static str = $items;
            const ORGANIZATION_DEFAULT: bool = $org;
            const ORDER_BY: Option<&'static str> = $order;
        }
    };
}

list_kind!(
    /// `GET /iam/v1alpha1/api-keys`.
    ApiKeys, ApiKey, "/iam/v1alpha1/api-keys", "api_keys", false
);
list_kind!(
    /// `GET /iam/v1alpha1/applications`.
    Applications, Application, "/iam/v1alpha1/applications", "applications", true
);
list_kind!(
    /// `GET /iam/v1alpha1/users`.
    Users, User, "/iam/v1alpha1/users", "users", false
);
list_kind!(
    /// `GET /iam/v1alpha1/groups`.
    Groups, Group, "/iam/v1alpha1/groups", "groups", true
);
list_kind!(
    /// `GET /iam/v1alpha1/policies`.
    Policies, Policy, "/iam/v1alpha1/policies", "policies", true
);
list_kind!(
    /// `GET /iam/v1alpha1/rules` (the API documents no order for it).
    Rules, Rule, "/iam/v1alpha1/rules", "rules", false, None
);
list_kind!(
    /// `GET /iam/v1alpha1/permission-sets`.
    PermissionSets, PermissionSet, "/iam/v1alpha1/permission-sets", "permission_sets", true
);
list_kind!(
    /// `GET /account/v3/projects`.
    Projects, Project, "/account/v3/projects", "projects", true
);

/// A paginated listing with its filters. Every page is requested with `page_size=100`
/// (the maximum); read it with a [`Listable`] consumer: `items()`, `pages()`, `collect()`
/// or `listing()`.
#[must_use = "a listing does nothing until a Listable consumer is called"]
pub struct List<K: ListKind> {
    client: Client,
    query: Vec<(&'static str, String)>,
    page_size: Option<u32>,
    _kind: PhantomData<fn() -> K>,
}

/// The same listing, to read it again.
impl<K: ListKind> Clone for List<K> {
    fn clone(&self) -> Self {
        List {
            client: self.client.clone(),
            query: self.query.clone(),
            page_size: self.page_size,
            _kind: PhantomData,
        }
    }
}

impl<K: ListKind> fmt::Debug for List<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("route", &K::ROUTE)
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

impl<K: ListKind> List<K> {
    fn new(client: &Client) -> Self {
        List {
            client: client.clone(),
            query: Vec::new(),
            page_size: None,
            _kind: PhantomData,
        }
    }

    /// Adds a filter; an empty value is no filter and is never sent (`organization_id=`
    /// would not mean "any Organization").
    fn q(mut self, key: &'static str, value: impl fmt::Display) -> Self {
        let value = value.to_string();
        if !value.trim().is_empty() {
            self.query.push((key, value));
        }
        self
    }

    /// Adds a repeated filter, skipping empty values.
    fn q_each<V: fmt::Display>(
        mut self,
        key: &'static str,
        v: impl IntoIterator<Item = V>,
    ) -> Self {
        self.query.extend(
            v.into_iter()
                .map(|x| (key, x.to_string()))
                .filter(|(_, x)| !x.trim().is_empty()),
        );
        self
    }

    /// Page size (default and maximum 100).
    pub fn page_size(mut self, n: u32) -> Self {
        self.page_size = Some(n);
        self
    }

    fn request(self) -> (RequestBuilder, Option<u32>) {
        let mut req = self.client.get(K::ROUTE);
        let has_org = self.query.iter().any(|(k, _)| *k == "organization_id");
        if K::ORGANIZATION_DEFAULT
            && !has_org
            && let Ok(org) = self.client.default_organization_id()
        {
            req = req.query("organization_id", org);
        }
        if let Some(order) = K::ORDER_BY
            && !self.query.iter().any(|(k, _)| *k == "order_by")
        {
            req = req.query("order_by", order);
        }
        for (k, v) in &self.query {
            req = req.query(k, v);
        }
        (req, self.page_size)
    }
}

/// Read with `items()`, `pages()`, `collect()` or `listing()`.
impl<K: ListKind> Listable for List<K> {
    type Item = K::Item;
    type Error = Error;

    fn into_paginator(self) -> Paginator<K::Item> {
        let (req, size) = self.request();
        let p = req.paginate::<K::Item>(K::ITEMS);
        match size {
            Some(n) => p.page_size(n),
            None => p,
        }
    }
}

impl List<ApiKeys> {
    /// Only keys of this organization.
    pub fn organization_id(self, id: &OrganizationId) -> Self {
        self.q("organization_id", id)
    }
    /// Only keys of this bearer (`bearer_id` + `bearer_type`).
    pub fn bearer(self, bearer: &Bearer) -> Self {
        let t = match bearer {
            Bearer::Application(_) => BearerType::Application,
            Bearer::User(_) => BearerType::User,
        };
        self.q("bearer_id", bearer.id()).q("bearer_type", t)
    }
    /// Only these access keys (repeated `access_keys`).
    pub fn access_keys<'a>(self, keys: impl IntoIterator<Item = &'a AccessKey>) -> Self {
        self.q_each("access_keys", keys)
    }
    /// Only expired (`true`) or unexpired (`false`) keys.
    pub fn expired(self, expired: bool) -> Self {
        self.q("expired", expired)
    }
    /// Only editable (`true`) or non-editable keys.
    pub fn editable(self, editable: bool) -> Self {
        self.q("editable", editable)
    }
    /// Description filter.
    pub fn description(self, description: &str) -> Self {
        self.q("description", description)
    }
    /// Order (`created_at_asc` by default; see `ListAPIKeysRequestOrderBy`).
    pub fn order_by(self, order: &str) -> Self {
        self.q("order_by", order)
    }
}

impl List<Applications> {
    /// Organization (defaults to the client's default organization).
    pub fn organization_id(self, id: &OrganizationId) -> Self {
        self.q("organization_id", id)
    }
    /// Name filter.
    pub fn name(self, name: &str) -> Self {
        self.q("name", name)
    }
    /// Only these applications.
    pub fn application_ids<'a>(self, ids: impl IntoIterator<Item = &'a ApplicationId>) -> Self {
        self.q_each("application_ids", ids)
    }
    /// Tag filter.
    pub fn tag(self, tag: &str) -> Self {
        self.q("tag", tag)
    }
    /// Only editable (`true`) or non-editable applications.
    pub fn editable(self, editable: bool) -> Self {
        self.q("editable", editable)
    }
}

impl List<Users> {
    /// Organization.
    pub fn organization_id(self, id: &OrganizationId) -> Self {
        self.q("organization_id", id)
    }
    /// Only these users.
    pub fn user_ids<'a>(self, ids: impl IntoIterator<Item = &'a UserId>) -> Self {
        self.q_each("user_ids", ids)
    }
    /// Only owners or members.
    pub fn user_type(self, t: UserType) -> Self {
        self.q("type", t)
    }
    /// Only users with (`true`) or without MFA.
    pub fn mfa(self, mfa: bool) -> Self {
        self.q("mfa", mfa)
    }
}

impl List<Groups> {
    /// Organization (defaults to the client's default organization).
    pub fn organization_id(self, id: &OrganizationId) -> Self {
        self.q("organization_id", id)
    }
    /// Name filter.
    pub fn name(self, name: &str) -> Self {
        self.q("name", name)
    }
    /// Groups containing any of these applications.
    pub fn application_ids<'a>(self, ids: impl IntoIterator<Item = &'a ApplicationId>) -> Self {
        self.q_each("application_ids", ids)
    }
    /// Groups containing any of these users.
    pub fn user_ids<'a>(self, ids: impl IntoIterator<Item = &'a UserId>) -> Self {
        self.q_each("user_ids", ids)
    }
    /// Only these groups.
    pub fn group_ids<'a>(self, ids: impl IntoIterator<Item = &'a GroupId>) -> Self {
        self.q_each("group_ids", ids)
    }
}

impl List<Policies> {
    /// Organization (defaults to the client's default organization).
    pub fn organization_id(self, id: &OrganizationId) -> Self {
        self.q("organization_id", id)
    }
    /// Name filter (`policy_name`).
    pub fn policy_name(self, name: &str) -> Self {
        self.q("policy_name", name)
    }
    /// Policies of these applications.
    pub fn application_ids<'a>(self, ids: impl IntoIterator<Item = &'a ApplicationId>) -> Self {
        self.q_each("application_ids", ids)
    }
    /// Policies of these users.
    pub fn user_ids<'a>(self, ids: impl IntoIterator<Item = &'a UserId>) -> Self {
        self.q_each("user_ids", ids)
    }
    /// Policies of these groups.
    pub fn group_ids<'a>(self, ids: impl IntoIterator<Item = &'a GroupId>) -> Self {
        self.q_each("group_ids", ids)
    }
    /// Only policies without principal (`true`) or with one.
    pub fn no_principal(self, yes: bool) -> Self {
        self.q("no_principal", yes)
    }
}

impl List<PermissionSets> {
    /// Organization (defaults to the client's default organization).
    pub fn organization_id(self, id: &OrganizationId) -> Self {
        self.q("organization_id", id)
    }
}

impl List<Projects> {
    /// Organization (defaults to the client's default organization).
    pub fn organization_id(self, id: &OrganizationId) -> Self {
        self.q("organization_id", id)
    }
    /// Name filter.
    pub fn name(self, name: &str) -> Self {
        self.q("name", name)
    }
    /// Only these projects.
    pub fn project_ids<'a>(self, ids: impl IntoIterator<Item = &'a ProjectId>) -> Self {
        self.q_each("project_ids", ids)
    }
}

/// `POST route` with a JSON body, decoded into `T`.
async fn post<B: Serialize + ?Sized + Sync, T: DeserializeOwned>(
    client: &Client,
    route: &'static str,
    body: &B,
) -> Result<T, Error> {
    client.post(route).json(body).send().await
}

fn org_or_default(client: &Client, org: Option<&OrganizationId>) -> Result<OrganizationId, Error> {
    match org {
        Some(o) => Ok(o.clone()),
        None => Ok(client.default_organization_id()?.clone()),
    }
}

impl IamApi {
    /// An IAM handle on `client` (cheap: clones the client handle).
    pub fn new(client: &Client) -> Self {
        IamApi {
            client: client.clone(),
        }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    // ------------------------------------------------------------------ API keys

    /// Lists API keys.
    pub fn list_api_keys(&self) -> List<ApiKeys> {
        List::new(&self.client)
    }

    /// Reads one API key: the only "who am I" of the API when `access_key` is the client's
    /// own (it needs IAM read permission; a key without it gets 403).
    ///
    /// # Errors
    ///
    /// 404 for an unknown key, 403 without IAM read, 401 when the caller's key is refused.
    pub async fn get_api_key(&self, access_key: &AccessKey) -> Result<ApiKey, Error> {
        self.client
            .get("/iam/v1alpha1/api-keys/{access_key}")
            .path("access_key", access_key)
            .send()
            .await
    }

    /// Creates an API key for `bearer`; the secret comes back once, in the
    /// [`CreatedApiKey`].
    pub fn create_api_key(&self, bearer: Bearer) -> CreateApiKey {
        CreateApiKey {
            client: self.client.clone(),
            body: CreateApiKeyBody {
                bearer: BearerFields::from(&bearer),
                expires_at: None,
                default_project_id: None,
                description: String::new(),
            },
        }
    }

    /// Updates an API key (description, expiry, default project).
    pub fn update_api_key(&self, access_key: &AccessKey) -> UpdateApiKey {
        UpdateApiKey {
            client: self.client.clone(),
            access_key: access_key.clone(),
            body: UpdateApiKeyBody::default(),
        }
    }

    /// Deletes an API key.
    ///
    /// # Errors
    ///
    /// 404 for an unknown key, 403 without IAM write permission.
    pub async fn delete_api_key(&self, access_key: &AccessKey) -> Result<(), Error> {
        self.client
            .delete("/iam/v1alpha1/api-keys/{access_key}")
            .path("access_key", access_key)
            .send_empty()
            .await
    }

    // ------------------------------------------------------------------ applications

    /// Lists applications.
    pub fn list_applications(&self) -> List<Applications> {
        List::new(&self.client)
    }

    /// Reads an application.
    ///
    /// # Errors
    ///
    /// 404 for an unknown application, 403 without IAM read permission.
    pub async fn get_application(&self, id: &ApplicationId) -> Result<Application, Error> {
        self.client
            .get("/iam/v1alpha1/applications/{application_id}")
            .path("application_id", id)
            .send()
            .await
    }

    /// Creates an application in `organization_id` (the client's default organization when
    /// `None`).
    ///
    /// # Errors
    ///
    /// No organization given nor configured, or the API's error.
    pub async fn create_application(
        &self,
        name: &str,
        description: &str,
        organization_id: Option<&OrganizationId>,
    ) -> Result<Application, Error> {
        let body = CreateApplicationBody {
            name,
            organization_id: org_or_default(&self.client, organization_id)?,
            description,
            tags: &[],
        };
        post(&self.client, "/iam/v1alpha1/applications", &body).await
    }

    /// Deletes an application (and, server-side, its API keys).
    ///
    /// # Errors
    ///
    /// 404 for an unknown application, 403 without IAM write permission.
    pub async fn delete_application(&self, id: &ApplicationId) -> Result<(), Error> {
        self.client
            .delete("/iam/v1alpha1/applications/{application_id}")
            .path("application_id", id)
            .send_empty()
            .await
    }

    // ------------------------------------------------------------------ users

    /// Lists users.
    pub fn list_users(&self) -> List<Users> {
        List::new(&self.client)
    }

    /// Reads a user.
    ///
    /// # Errors
    ///
    /// 404 for an unknown user, 403 without IAM read permission.
    pub async fn get_user(&self, id: &UserId) -> Result<User, Error> {
        self.client
            .get("/iam/v1alpha1/users/{user_id}")
            .path("user_id", id)
            .send()
            .await
    }

    // ------------------------------------------------------------------ groups

    /// Lists groups.
    pub fn list_groups(&self) -> List<Groups> {
        List::new(&self.client)
    }

    /// Reads a group.
    ///
    /// # Errors
    ///
    /// 404 for an unknown group, 403 without IAM read permission.
    pub async fn get_group(&self, id: &GroupId) -> Result<Group, Error> {
        self.client
            .get("/iam/v1alpha1/groups/{group_id}")
            .path("group_id", id)
            .send()
            .await
    }

    /// Creates a group in `organization_id` (the client's default when `None`).
    ///
    /// # Errors
    ///
    /// No organization given nor configured, or the API's error.
    pub async fn create_group(
        &self,
        name: &str,
        description: &str,
        organization_id: Option<&OrganizationId>,
    ) -> Result<Group, Error> {
        let body = CreateGroupBody {
            organization_id: org_or_default(&self.client, organization_id)?,
            name,
            description,
            tags: &[],
        };
        post(&self.client, "/iam/v1alpha1/groups", &body).await
    }

    /// Replaces a group's members (`PUT /groups/{id}/members`); `&[]` empties a kind.
    ///
    /// # Errors
    ///
    /// The API's error.
    pub async fn set_group_members(
        &self,
        group_id: &GroupId,
        user_ids: &[UserId],
        application_ids: &[ApplicationId],
    ) -> Result<Group, Error> {
        let body = SetGroupMembersBody {
            user_ids,
            application_ids,
        };
        self.client
            .put("/iam/v1alpha1/groups/{group_id}/members")
            .path("group_id", group_id)
            .json(&body)
            .send()
            .await
    }

    /// Adds one member to a group.
    ///
    /// # Errors
    ///
    /// The API's error.
    pub async fn add_group_member(
        &self,
        group_id: &GroupId,
        member: &Bearer,
    ) -> Result<Group, Error> {
        self.client
            .post("/iam/v1alpha1/groups/{group_id}/add-member")
            .path("group_id", group_id)
            .json(&BearerFields::from(member))
            .send()
            .await
    }

    /// Removes one member from a group.
    ///
    /// # Errors
    ///
    /// The API's error.
    pub async fn remove_group_member(
        &self,
        group_id: &GroupId,
        member: &Bearer,
    ) -> Result<Group, Error> {
        self.client
            .post("/iam/v1alpha1/groups/{group_id}/remove-member")
            .path("group_id", group_id)
            .json(&BearerFields::from(member))
            .send()
            .await
    }

    /// Deletes a group.
    ///
    /// # Errors
    ///
    /// The API's error.
    pub async fn delete_group(&self, id: &GroupId) -> Result<(), Error> {
        self.client
            .delete("/iam/v1alpha1/groups/{group_id}")
            .path("group_id", id)
            .send_empty()
            .await
    }

    // ------------------------------------------------------------------ policies, rules

    /// Lists policies.
    pub fn list_policies(&self) -> List<Policies> {
        List::new(&self.client)
    }

    /// Reads a policy.
    ///
    /// # Errors
    ///
    /// 404 for an unknown policy, 403 without IAM read permission.
    pub async fn get_policy(&self, id: &PolicyId) -> Result<Policy, Error> {
        self.client
            .get("/iam/v1alpha1/policies/{policy_id}")
            .path("policy_id", id)
            .send()
            .await
    }

    /// Creates a policy for `principal`; add rules with [`CreatePolicy::rule`].
    pub fn create_policy(&self, name: &str, principal: PolicyPrincipal) -> CreatePolicy {
        CreatePolicy {
            client: self.client.clone(),
            organization_id: None,
            body: CreatePolicyBody {
                name: name.to_owned(),
                description: String::new(),
                organization_id: OrganizationId::default(),
                rules: Vec::new(),
                tags: Vec::new(),
                principal: (&principal).into(),
            },
        }
    }

    /// Deletes a policy.
    ///
    /// # Errors
    ///
    /// The API's error.
    pub async fn delete_policy(&self, id: &PolicyId) -> Result<(), Error> {
        self.client
            .delete("/iam/v1alpha1/policies/{policy_id}")
            .path("policy_id", id)
            .send_empty()
            .await
    }

    /// Lists the rules of a policy.
    pub fn list_rules(&self, policy_id: &PolicyId) -> List<Rules> {
        List::new(&self.client).q("policy_id", policy_id)
    }

    /// Replaces every rule of a policy (`PUT /iam/v1alpha1/rules`); returns the new rules.
    ///
    /// # Errors
    ///
    /// The API's error (unknown permission set, bad scope, …).
    pub async fn set_rules(
        &self,
        policy_id: &PolicyId,
        rules: &[RuleSpec],
    ) -> Result<Vec<Rule>, Error> {
        #[derive(serde::Deserialize)]
        struct SetRulesResponse {
            #[serde(default)]
            rules: Vec<Rule>,
        }
        let body = SetRulesBody { policy_id, rules };
        let r: SetRulesResponse = self
            .client
            .put("/iam/v1alpha1/rules")
            .json(&body)
            .send()
            .await?;
        Ok(r.rules)
    }

    /// Lists permission sets.
    pub fn list_permission_sets(&self) -> List<PermissionSets> {
        List::new(&self.client)
    }
}

/// Builder of `POST /iam/v1alpha1/api-keys`.
#[derive(Debug)]
#[must_use = "a request does nothing until sent"]
pub struct CreateApiKey {
    client: Client,
    body: CreateApiKeyBody,
}

impl CreateApiKey {
    /// Expiry (recommended: keys without expiry are flagged by the checker).
    pub fn expires_at(mut self, t: Timestamp) -> Self {
        self.body.expires_at = Some(t.to_rfc3339());
        self
    }

    /// The key's preferred project (Object Storage lists buckets there).
    pub fn default_project_id(mut self, project: &ProjectId) -> Self {
        self.body.default_project_id = Some(project.clone());
        self
    }

    /// Description (at most 200 characters).
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.body.description = d.into();
        self
    }

    /// Creates the key.
    ///
    /// # Errors
    ///
    /// A description over 200 characters; the API's error; a response without secret.
    pub async fn send(self) -> Result<CreatedApiKey, Error> {
        if self.body.description.chars().count() > 200 {
            return Err(Error::invalid_request(
                "API key description: at most 200 characters",
            ));
        }
        #[derive(serde::Deserialize)]
        struct Created {
            #[serde(flatten)]
            key: ApiKey,
            #[serde(default)]
            secret_key: Option<String>,
        }
        let created: Created = post(&self.client, "/iam/v1alpha1/api-keys", &self.body).await?;
        let secret = created
            .secret_key
            .as_deref()
            .ok_or_else(|| {
                Error::invalid_request("the API returned no secret key for the new API key")
            })
            .and_then(|s| {
                scaleway_core::SecretKey::new(s)
                    .map_err(|e| Error::invalid_request(format!("new API key: {e}")))
            })?;
        Ok(CreatedApiKey {
            key: created.key,
            secret_key: secret,
        })
    }
}

/// Builder of `PATCH /iam/v1alpha1/api-keys/{access_key}`.
#[derive(Debug)]
#[must_use = "a request does nothing until sent"]
pub struct UpdateApiKey {
    client: Client,
    access_key: AccessKey,
    body: UpdateApiKeyBody,
}

impl UpdateApiKey {
    /// New preferred project.
    pub fn default_project_id(mut self, project: &ProjectId) -> Self {
        self.body.default_project_id = Some(project.clone());
        self
    }

    /// New description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.body.description = Some(d.into());
        self
    }

    /// New expiry.
    pub fn expires_at(mut self, t: Timestamp) -> Self {
        self.body.expires_at = Some(t.to_rfc3339());
        self
    }

    /// Sends the update.
    ///
    /// # Errors
    ///
    /// The API's error.
    pub async fn send(self) -> Result<ApiKey, Error> {
        self.client
            .patch("/iam/v1alpha1/api-keys/{access_key}")
            .path("access_key", &self.access_key)
            .json(&self.body)
            .send()
            .await
    }
}

/// Builder of `POST /iam/v1alpha1/policies`.
#[derive(Debug)]
#[must_use = "a request does nothing until sent"]
pub struct CreatePolicy {
    client: Client,
    /// The organization asked for; the client's default when `None`.
    organization_id: Option<OrganizationId>,
    body: CreatePolicyBody,
}

impl CreatePolicy {
    /// Description.
    pub fn description(mut self, d: impl Into<String>) -> Self {
        self.body.description = d.into();
        self
    }

    /// Organization (default: the client's default organization).
    pub fn organization_id(mut self, org: &OrganizationId) -> Self {
        self.organization_id = Some(org.clone());
        self
    }

    /// Adds a rule.
    pub fn rule(mut self, rule: RuleSpec) -> Self {
        self.body.rules.push(rule);
        self
    }

    /// Creates the policy.
    ///
    /// # Errors
    ///
    /// No organization given nor configured, or the API's error.
    pub async fn send(mut self) -> Result<Policy, Error> {
        self.body.organization_id = org_or_default(&self.client, self.organization_id.as_ref())?;
        post(&self.client, "/iam/v1alpha1/policies", &self.body).await
    }
}

impl AccountApi {
    /// An Account handle on `client`.
    pub fn new(client: &Client) -> Self {
        AccountApi {
            client: client.clone(),
        }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Lists projects (of the client's default organization unless
    /// [`List::organization_id`] is given).
    pub fn list_projects(&self) -> List<Projects> {
        List::new(&self.client)
    }

    /// Reads a project.
    ///
    /// # Errors
    ///
    /// 404 for an unknown project, 403 without project read permission.
    pub async fn get_project(&self, id: &ProjectId) -> Result<Project, Error> {
        self.client
            .get("/account/v3/projects/{project_id}")
            .path("project_id", id)
            .send()
            .await
    }

    /// Creates a project in `organization_id` (the client's default when `None`).
    ///
    /// # Errors
    ///
    /// No organization given nor configured, or the API's error.
    pub async fn create_project(
        &self,
        name: &str,
        description: &str,
        organization_id: Option<&OrganizationId>,
    ) -> Result<Project, Error> {
        let body = CreateProjectBody {
            name,
            organization_id: org_or_default(&self.client, organization_id)?,
            description,
        };
        post(&self.client, "/account/v3/projects", &body).await
    }

    /// Deletes a project (it must be empty).
    ///
    /// # Errors
    ///
    /// The API's error.
    pub async fn delete_project(&self, id: &ProjectId) -> Result<(), Error> {
        self.client
            .delete("/account/v3/projects/{project_id}")
            .path("project_id", id)
            .send_empty()
            .await
    }
}
