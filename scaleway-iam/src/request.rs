//! The request bodies of IAM v1alpha1 and Account v3, as `Serialize` structs (fields as
//! `shared/scaleway-api/iam.md` and `account.md` document them). Crate-private: the public
//! API is [`IamApi`](crate::IamApi)'s methods and builders, which fill them.

use scaleway_core::{OrganizationId, ProjectId};
use serde::Serialize;

use crate::model::{ApplicationId, Bearer, GroupId, PolicyId, PolicyPrincipal, RuleSpec, UserId};

/// The API's one-of `application_id` | `user_id` (the bearer of a key, a group member).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct BearerFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    application_id: Option<ApplicationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<UserId>,
}

impl From<&Bearer> for BearerFields {
    fn from(b: &Bearer) -> Self {
        match b {
            Bearer::Application(id) => BearerFields {
                application_id: Some(id.clone()),
                user_id: None,
            },
            Bearer::User(id) => BearerFields {
                application_id: None,
                user_id: Some(id.clone()),
            },
        }
    }
}

/// The API's one-of `user_id` | `group_id` | `application_id` | `no_principal` (a policy's
/// principal).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PrincipalFields {
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<GroupId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    application_id: Option<ApplicationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    no_principal: Option<bool>,
}

impl From<&PolicyPrincipal> for PrincipalFields {
    fn from(p: &PolicyPrincipal) -> Self {
        let mut f = PrincipalFields {
            user_id: None,
            group_id: None,
            application_id: None,
            no_principal: None,
        };
        match p {
            PolicyPrincipal::User(id) => f.user_id = Some(id.clone()),
            PolicyPrincipal::Group(id) => f.group_id = Some(id.clone()),
            PolicyPrincipal::Application(id) => f.application_id = Some(id.clone()),
            PolicyPrincipal::NoPrincipal => f.no_principal = Some(true),
        }
        f
    }
}

/// `POST /iam/v1alpha1/api-keys` (CreateAPIKey).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CreateApiKeyBody {
    #[serde(flatten)]
    pub(crate) bearer: BearerFields,
    /// RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default_project_id: Option<ProjectId>,
    pub(crate) description: String,
}

/// `PATCH /iam/v1alpha1/api-keys/{access_key}` (UpdateAPIKey): only the fields set.
#[derive(Debug, Clone, Default, Serialize)]
pub(crate) struct UpdateApiKeyBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) default_project_id: Option<ProjectId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) description: Option<String>,
    /// RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) expires_at: Option<String>,
}

/// `POST /iam/v1alpha1/applications` (CreateApplication).
#[derive(Debug, Serialize)]
pub(crate) struct CreateApplicationBody<'a> {
    pub(crate) name: &'a str,
    pub(crate) organization_id: OrganizationId,
    pub(crate) description: &'a str,
    pub(crate) tags: &'a [String],
}

/// `POST /iam/v1alpha1/groups` (CreateGroup).
#[derive(Debug, Serialize)]
pub(crate) struct CreateGroupBody<'a> {
    pub(crate) organization_id: OrganizationId,
    pub(crate) name: &'a str,
    pub(crate) description: &'a str,
    pub(crate) tags: &'a [String],
}

/// `PUT /iam/v1alpha1/groups/{group_id}/members` (SetGroupMembers): the whole membership.
#[derive(Debug, Serialize)]
pub(crate) struct SetGroupMembersBody<'a> {
    pub(crate) user_ids: &'a [UserId],
    pub(crate) application_ids: &'a [ApplicationId],
}

/// `POST /iam/v1alpha1/policies` (CreatePolicy).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CreatePolicyBody {
    pub(crate) name: String,
    pub(crate) description: String,
    pub(crate) organization_id: OrganizationId,
    pub(crate) rules: Vec<RuleSpec>,
    pub(crate) tags: Vec<String>,
    #[serde(flatten)]
    pub(crate) principal: PrincipalFields,
}

/// `PUT /iam/v1alpha1/rules` (SetRules): every rule of the policy.
#[derive(Debug, Serialize)]
pub(crate) struct SetRulesBody<'a> {
    pub(crate) policy_id: &'a PolicyId,
    pub(crate) rules: &'a [RuleSpec],
}

/// `POST /account/v3/projects` (CreateProject).
#[derive(Debug, Serialize)]
pub(crate) struct CreateProjectBody<'a> {
    pub(crate) name: &'a str,
    pub(crate) organization_id: OrganizationId,
    pub(crate) description: &'a str,
}
