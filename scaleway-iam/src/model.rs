//! Models of IAM v1alpha1 and Account v3 responses.
//!
//! Every model is `#[non_exhaustive]`, tolerates missing fields (`#[serde(default)]`) and
//! unknown ones, and keeps enum values it does not know (`Unknown(String)`). Field tables:
//! `shared/scaleway-api/iam.md` and `account.md`; every recorded response in
//! `shared/recorded/{iam,account}/` parses into them (tests/recorded.rs).

use std::collections::BTreeMap;
use std::fmt;

use scaleway_core::{AccessKey, OrganizationId, ProjectId, Timestamp, string_enum};
use serde::{Deserialize, Serialize};

scaleway_core::uuid_id! {
    /// An IAM application ID (UUID), e.g. [`Application::id`].
    pub struct ApplicationId("application ID");
}

scaleway_core::uuid_id! {
    /// An IAM user ID (UUID), e.g. [`User::id`].
    pub struct UserId("user ID");
}

scaleway_core::uuid_id! {
    /// An IAM group ID (UUID), e.g. [`Group::id`].
    pub struct GroupId("group ID");
}

scaleway_core::uuid_id! {
    /// An IAM policy ID (UUID), e.g. [`Policy::id`].
    pub struct PolicyId("policy ID");
}

string_enum! {
    /// Who bears an API key (`bearer_type` filter of ListAPIKeys).
    pub enum BearerType {
        /// No filter (the API's zero value).
        UnknownBearerType = "unknown_bearer_type",
        /// An IAM user.
        User = "user",
        /// An IAM application.
        Application = "application",
    }
}

string_enum! {
    /// Type of an IAM user.
    pub enum UserType {
        /// Unset.
        UnknownType = "unknown_type",
        /// The Organization owner (bypasses IAM policies).
        Owner = "owner",
        /// An IAM member.
        Member = "member",
    }
}

// The enum is declared by `string_enum!`, which cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for UserType {
    fn default() -> Self {
        UserType::UnknownType
    }
}

string_enum! {
    /// Status of an IAM user (deprecated by the API; kept for older responses).
    pub enum UserStatus {
        /// Unset.
        UnknownStatus = "unknown_status",
        /// Invited, not yet accepted.
        InvitationPending = "invitation_pending",
        /// Active.
        Activated = "activated",
    }
}

string_enum! {
    /// The level permission sets of a rule (or a permission set) belong to.
    pub enum PermissionSetScopeType {
        /// Unset.
        UnknownScopeType = "unknown_scope_type",
        /// Project-level sets (products).
        Projects = "projects",
        /// Organization-level sets (IAM, billing, projects management, …).
        Organization = "organization",
        /// Account root user sets.
        AccountRootUser = "account_root_user",
    }
}

// The enum is declared by `string_enum!`, which cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for PermissionSetScopeType {
    fn default() -> Self {
        PermissionSetScopeType::UnknownScopeType
    }
}

string_enum! {
    /// Status of a project.
    pub enum ProjectStatus {
        /// Unset (older responses have no status).
        UnknownStatus = "unknown_status",
        /// Active.
        Active = "active",
        /// Being deleted.
        Deleting = "deleting",
    }
}

// The enum is declared by `string_enum!`, which cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for ProjectStatus {
    fn default() -> Self {
        ProjectStatus::UnknownStatus
    }
}

string_enum! {
    /// Architecture type of a project's qualification questionnaire.
    pub enum QualificationArchitectureType {
        /// Unset.
        UnknownArchitectureType = "unknown_architecture_type",
        /// Object Storage.
        ObjectStorage = "object_storage",
        /// Web hosting.
        WebHosting = "web_hosting",
        /// Instances.
        Instance = "instance",
        /// Elastic Metal.
        Elastic = "elastic",
        /// Kubernetes.
        Kubernetes = "kubernetes",
        /// Serverless.
        Serverless = "serverless",
        /// Dedicated servers.
        DedicatedServer = "dedicated_server",
        /// Other.
        OtherArchitectureType = "other_architecture_type",
    }
}

// The enum is declared by `string_enum!`, which cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for QualificationArchitectureType {
    fn default() -> Self {
        QualificationArchitectureType::UnknownArchitectureType
    }
}

/// The bearer of an API key: an IAM application or an IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Bearer {
    /// An IAM application (a non-human principal; what platforms should use).
    Application(ApplicationId),
    /// An IAM user (a person).
    User(UserId),
}

impl Bearer {
    /// The application or user ID.
    pub fn id(&self) -> &str {
        match self {
            Bearer::Application(id) => id.as_str(),
            Bearer::User(id) => id.as_str(),
        }
    }

    /// `application` or `user`.
    pub fn kind(&self) -> &'static str {
        match self {
            Bearer::Application(_) => "application",
            Bearer::User(_) => "user",
        }
    }
}

impl fmt::Display for Bearer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind(), self.id())
    }
}

/// An API key. The secret is never part of it: it is returned once, by
/// [`IamApi::create_api_key`](crate::IamApi::create_api_key), as a [`CreatedApiKey`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ApiKey {
    /// Access key ID (`SCW` + 17 characters): the key's identifier.
    pub access_key: AccessKey,
    /// The bearer, when it is an application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<ApplicationId>,
    /// The bearer, when it is a user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Creation date.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Expiry; `None` = never expires.
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// The key's preferred project (Object Storage uses it); empty when the response named
    /// none.
    #[serde(default)]
    pub default_project_id: ProjectId,
    /// Whether it can be edited.
    #[serde(default)]
    pub editable: bool,
    /// Whether it can be deleted (absent in older responses).
    #[serde(default)]
    pub deletable: bool,
    /// Whether Scaleway manages it for a product.
    #[serde(default)]
    pub managed: bool,
    /// IP address of its creator.
    #[serde(default)]
    pub creation_ip: String,
}

impl ApiKey {
    /// The bearer (application or user), if the response named one.
    pub fn bearer(&self) -> Option<Bearer> {
        match (&self.application_id, &self.user_id) {
            (Some(a), _) if !a.is_empty() => Some(Bearer::Application(a.clone())),
            (_, Some(u)) if !u.is_empty() => Some(Bearer::User(u.clone())),
            _ => None,
        }
    }
}

/// A freshly created API key: its metadata and its secret, shown this one time.
///
/// `Debug` never prints the secret (it is a [`scaleway_core::SecretKey`]).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CreatedApiKey {
    /// The key.
    pub key: ApiKey,
    /// Its secret key, returned by the API only in the creation response.
    pub secret_key: scaleway_core::SecretKey,
}

/// An IAM application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Application {
    /// ID.
    pub id: ApplicationId,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Creation date.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Organization.
    #[serde(default)]
    pub organization_id: OrganizationId,
    /// Editable.
    #[serde(default)]
    pub editable: bool,
    /// Deletable.
    #[serde(default)]
    pub deletable: bool,
    /// Managed by Scaleway.
    #[serde(default)]
    pub managed: bool,
    /// Number of API keys.
    #[serde(default)]
    pub nb_api_keys: u32,
    /// Tags.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct User {
    /// ID.
    pub id: UserId,
    /// E-mail.
    #[serde(default)]
    pub email: String,
    /// Username.
    #[serde(default)]
    pub username: String,
    /// First name.
    #[serde(default)]
    pub first_name: String,
    /// Last name.
    #[serde(default)]
    pub last_name: String,
    /// Phone number.
    #[serde(default)]
    pub phone_number: String,
    /// Locale.
    #[serde(default)]
    pub locale: String,
    /// Creation date.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Organization.
    #[serde(default)]
    pub organization_id: OrganizationId,
    /// Deletable.
    #[serde(default)]
    pub deletable: bool,
    /// Last login.
    #[serde(default)]
    pub last_login_at: Option<Timestamp>,
    /// `owner` (the Organization owner) or `member`.
    #[serde(rename = "type", default)]
    pub user_type: UserType,
    /// Deprecated by the API (use `mfa`).
    #[serde(default)]
    pub two_factor_enabled: Option<bool>,
    /// Deprecated by the API (use `locked`).
    #[serde(default)]
    pub status: Option<UserStatus>,
    /// MFA enabled.
    #[serde(default)]
    pub mfa: bool,
    /// The account root user (may be empty).
    #[serde(default)]
    pub account_root_user_id: String,
    /// Tags.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
    /// Locked.
    #[serde(default)]
    pub locked: bool,
}

/// An IAM group. Membership is inline (`user_ids`, `application_ids`); the built-in
/// groups flag `all_users` / `all_applications` instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Group {
    /// ID.
    pub id: GroupId,
    /// Creation date.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Organization.
    #[serde(default)]
    pub organization_id: OrganizationId,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Member users.
    #[serde(default, deserialize_with = "null_as_default")]
    pub user_ids: Vec<UserId>,
    /// Member applications.
    #[serde(default, deserialize_with = "null_as_default")]
    pub application_ids: Vec<ApplicationId>,
    /// Tags.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
    /// Editable.
    #[serde(default)]
    pub editable: bool,
    /// Deletable.
    #[serde(default)]
    pub deletable: bool,
    /// Managed by Scaleway.
    #[serde(default)]
    pub managed: bool,
    /// Contains every user of the Organization.
    #[serde(default)]
    pub all_users: bool,
    /// Contains every application of the Organization.
    #[serde(default)]
    pub all_applications: bool,
}

impl Group {
    /// Whether `bearer` is a member (listed, or through `all_users` / `all_applications`).
    pub fn contains(&self, bearer: &Bearer) -> bool {
        match bearer {
            Bearer::Application(id) => {
                self.all_applications || self.application_ids.iter().any(|a| a == id)
            }
            Bearer::User(id) => self.all_users || self.user_ids.iter().any(|u| u == id),
        }
    }
}

/// Who a policy applies to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "id", rename_all = "snake_case")]
#[non_exhaustive]
pub enum PolicyPrincipal {
    /// An IAM user.
    User(UserId),
    /// An IAM group.
    Group(GroupId),
    /// An IAM application.
    Application(ApplicationId),
    /// Nobody (the policy has no effect until a principal is attached).
    NoPrincipal,
}

/// An IAM policy (its rules are listed separately: [`IamApi::list_rules`](crate::IamApi::list_rules)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Policy {
    /// ID.
    pub id: PolicyId,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Organization.
    #[serde(default)]
    pub organization_id: OrganizationId,
    /// Creation date.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Editable.
    #[serde(default)]
    pub editable: bool,
    /// Deletable.
    #[serde(default)]
    pub deletable: bool,
    /// Managed by Scaleway.
    #[serde(default)]
    pub managed: bool,
    /// Number of rules.
    #[serde(default)]
    pub nb_rules: u32,
    /// Number of scopes.
    #[serde(default)]
    pub nb_scopes: u32,
    /// Number of permission sets.
    #[serde(default)]
    pub nb_permission_sets: u32,
    /// Tags.
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: Vec<String>,
    /// Principal, when a user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<UserId>,
    /// Principal, when a group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<GroupId>,
    /// Principal, when an application.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_id: Option<ApplicationId>,
    /// `true` when the policy has no principal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub no_principal: Option<bool>,
}

impl Policy {
    /// The principal (the API's one-of `user_id` | `group_id` | `application_id` |
    /// `no_principal`).
    pub fn principal(&self) -> PolicyPrincipal {
        if let Some(u) = self.user_id.as_ref().filter(|u| !u.is_empty()) {
            PolicyPrincipal::User(u.clone())
        } else if let Some(g) = self.group_id.as_ref().filter(|g| !g.is_empty()) {
            PolicyPrincipal::Group(g.clone())
        } else if let Some(a) = self.application_id.as_ref().filter(|a| !a.is_empty()) {
            PolicyPrincipal::Application(a.clone())
        } else {
            PolicyPrincipal::NoPrincipal
        }
    }
}

/// Where a rule applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum RuleScope {
    /// Listed projects.
    Projects {
        /// Project IDs.
        project_ids: Vec<ProjectId>,
    },
    /// The whole Organization. For project-level permission sets this means every
    /// current and future project ("All projects" in the console).
    Organization {
        /// Organization ID.
        organization_id: OrganizationId,
    },
    /// The account root user.
    AccountRootUser {
        /// Account root user ID.
        account_root_user_id: String,
    },
    /// The response named no scope.
    Unknown,
}

/// A rule of a policy: permission sets bound to a scope, optionally under a condition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Rule {
    /// ID.
    #[serde(default)]
    pub id: String,
    /// Permission set names.
    #[serde(default, deserialize_with = "null_as_default")]
    pub permission_set_names: Vec<String>,
    /// Level of the permission sets.
    #[serde(default)]
    pub permission_sets_scope_type: PermissionSetScopeType,
    /// CEL condition; empty when none.
    #[serde(default, deserialize_with = "null_as_default")]
    pub condition: String,
    /// Scope, when projects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_ids: Option<Vec<ProjectId>>,
    /// Scope, when the Organization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<OrganizationId>,
    /// Scope, when the account root user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_root_user_id: Option<String>,
}

impl Rule {
    /// The scope (the API's one-of `project_ids` | `organization_id` |
    /// `account_root_user_id`).
    pub fn scope(&self) -> RuleScope {
        if let Some(p) = &self.project_ids {
            RuleScope::Projects {
                project_ids: p.clone(),
            }
        } else if let Some(o) = self.organization_id.as_ref().filter(|o| !o.is_empty()) {
            RuleScope::Organization {
                organization_id: o.clone(),
            }
        } else if let Some(a) = self.account_root_user_id.as_ref().filter(|a| !a.is_empty()) {
            RuleScope::AccountRootUser {
                account_root_user_id: a.clone(),
            }
        } else {
            RuleScope::Unknown
        }
    }
}

/// A rule to write ([`IamApi::set_rules`](crate::IamApi::set_rules),
/// [`IamApi::create_policy`](crate::IamApi::create_policy)): `RuleSpecs` in the API. Also the
/// rule a report's remediation suggests ([`Remediation::rule`](crate::checker::Remediation)).
///
/// Serialized with its keys in alphabetical order (`condition`, `organization_id`,
/// `permission_set_names`, `project_ids`), the order of the report's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct RuleSpec {
    /// Permission set names.
    pub permission_set_names: Vec<String>,
    /// CEL condition; empty for none.
    #[serde(default)]
    pub condition: String,
    /// Projects (exclusive with `organization_id`).
    #[serde(default)]
    pub project_ids: Option<Vec<ProjectId>>,
    /// Organization (exclusive with `project_ids`).
    #[serde(default)]
    pub organization_id: Option<OrganizationId>,
}

impl RuleSpec {
    /// Permission sets on some projects.
    pub fn projects<S: Into<String>>(
        sets: impl IntoIterator<Item = S>,
        projects: impl IntoIterator<Item = ProjectId>,
    ) -> Self {
        RuleSpec {
            permission_set_names: sets.into_iter().map(Into::into).collect(),
            condition: String::new(),
            project_ids: Some(projects.into_iter().collect()),
            organization_id: None,
        }
    }

    /// Permission sets on the whole Organization (for project-level sets: every current and
    /// future project).
    pub fn organization<S: Into<String>>(
        sets: impl IntoIterator<Item = S>,
        organization_id: OrganizationId,
    ) -> Self {
        RuleSpec {
            permission_set_names: sets.into_iter().map(Into::into).collect(),
            condition: String::new(),
            project_ids: None,
            organization_id: Some(organization_id),
        }
    }

    /// Permission sets on one target project of the checker.
    pub(crate) fn on_target_project(
        sets: impl IntoIterator<Item = String>,
        project: &ProjectId,
    ) -> Self {
        RuleSpec::projects(sets, [project.clone()])
    }

    /// The same rule under a CEL condition.
    #[must_use]
    pub fn with_condition(mut self, condition: impl Into<String>) -> Self {
        self.condition = condition.into();
        self
    }
}

/// The rule as compact JSON (`{"condition":"","permission_set_names":[…],"project_ids":[…]}`).
impl fmt::Display for RuleSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| fmt::Error)?)
    }
}

impl Serialize for RuleSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        // Alphabetical, as the report's JSON has always written it.
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("condition", &self.condition)?;
        if let Some(o) = &self.organization_id {
            m.serialize_entry("organization_id", o)?;
        }
        m.serialize_entry("permission_set_names", &self.permission_set_names)?;
        if let Some(p) = &self.project_ids {
            m.serialize_entry("project_ids", p)?;
        }
        m.end()
    }
}

/// A permission set as listed by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PermissionSet {
    /// ID.
    #[serde(default)]
    pub id: String,
    /// Name (what rules use).
    #[serde(default)]
    pub name: String,
    /// Level.
    #[serde(default)]
    pub scope_type: PermissionSetScopeType,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Categories (may be null).
    #[serde(default)]
    pub categories: Option<Vec<String>>,
}

/// An Account v3 project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Project {
    /// ID (the default project's equals the Organization's, in practice).
    pub id: ProjectId,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Organization.
    #[serde(default)]
    pub organization_id: OrganizationId,
    /// Creation date.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    /// Last update.
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// Use-case questionnaire, when answered (null otherwise).
    #[serde(default)]
    pub qualification: Option<Qualification>,
    /// Status (absent in older responses).
    #[serde(default)]
    pub status: ProjectStatus,
}

/// A project's qualification (a one-of container of use cases; the use case is kept as
/// sent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Qualification {
    /// Architecture type.
    #[serde(default)]
    pub architecture_type: QualificationArchitectureType,
    /// The use-case object (`host_website`, `container`, …) as sent.
    #[serde(flatten)]
    pub use_case: BTreeMap<String, serde_json::Value>,
}

/// `null` decodes as the type's default (arrays the API may send as null).
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    const P1: &str = "0a1b2c3d-0000-4000-8000-0000000000a1";
    const O1: &str = "0a1b2c3d-0000-4000-8000-0000000000f1";

    #[test]
    fn rule_spec_shapes() {
        let p = RuleSpec::projects(["A"], [P1.parse().unwrap()]);
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"permission_set_names": ["A"], "condition": "", "project_ids": [P1]})
        );
        let o = RuleSpec::organization(["B"], O1.parse().unwrap()).with_condition("1 == 1");
        assert_eq!(
            serde_json::to_value(&o).unwrap(),
            serde_json::json!({"permission_set_names": ["B"], "condition": "1 == 1", "organization_id": O1})
        );
        // Keys in alphabetical order: the report's JSON and text keep their bytes.
        assert_eq!(
            o.to_string(),
            format!(
                r#"{{"condition":"1 == 1","organization_id":"{O1}","permission_set_names":["B"]}}"#
            )
        );
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            serde_json::to_value(&p).unwrap().to_string()
        );
    }

    #[test]
    fn one_ofs() {
        let k: ApiKey =
            serde_json::from_str(r#"{"access_key":"SCWXXXXXXXXXXXXXXXXX","user_id":"u"}"#).unwrap();
        assert_eq!(
            k.bearer(),
            Some(Bearer::User(serde_json::from_str("\"u\"").unwrap()))
        );
        assert!(k.default_project_id.is_empty(), "absent: the empty ID");
        let p: Policy = serde_json::from_str(r#"{"id":"p","no_principal":true}"#).unwrap();
        assert_eq!(p.principal(), PolicyPrincipal::NoPrincipal);
        let r: Rule = serde_json::from_str(
            r#"{"id":"r","permission_set_names":null,"organization_id":"O","permission_sets_scope_type":"projects"}"#,
        )
        .unwrap();
        assert_eq!(
            r.scope(),
            RuleScope::Organization {
                organization_id: serde_json::from_str("\"o\"").unwrap()
            }
        );
        assert!(r.permission_set_names.is_empty());
    }
}

/// What the paginator needs to keep listings consistent while they change: each item's ID
/// and creation time ([`scaleway_core::ListItem`]).
mod list_items {
    use scaleway_core::{ListItem, Timestamp};

    use super::{ApiKey, Application, Group, PermissionSet, Policy, Project, Rule, User};

    impl ListItem for ApiKey {
        fn list_id(&self) -> std::borrow::Cow<'_, str> {
            self.access_key.as_str().into()
        }
        fn list_created_at(&self) -> Option<Timestamp> {
            self.created_at
        }
    }

    macro_rules! list_item {
        ($($t:ty),*) => {$(
            impl ListItem for $t {
                fn list_id(&self) -> std::borrow::Cow<'_, str> {
                    self.id.as_str().into()
                }
                fn list_created_at(&self) -> Option<Timestamp> {
                    self.created_at
                }
            }
        )*};
    }

    list_item!(Application, User, Group, Policy, Project);

    /// Rules carry no creation time.
    impl ListItem for Rule {
        fn list_id(&self) -> std::borrow::Cow<'_, str> {
            self.id.as_str().into()
        }
        fn list_created_at(&self) -> Option<Timestamp> {
            None
        }
    }

    /// Permission sets carry no creation time.
    impl ListItem for PermissionSet {
        fn list_id(&self) -> std::borrow::Cow<'_, str> {
            self.id.as_str().into()
        }
        fn list_created_at(&self) -> Option<Timestamp> {
            None
        }
    }
}
