//! Provisioning and rotation: the flow a platform's setup guide asks its users to click
//! through, as two calls.
//!
//! * [`provision`]: an IAM application, a policy for it with the profile's permission sets
//!   scoped to the project, and an API key with an expiry and the project as default —
//!   reusing what already exists under the same name, and saying so;
//! * [`rotate`]: a new key for the same bearer, checked until the checker says `Ready`
//!   (bounded by the propagation window), then the old key is deleted — never before.

use std::time::{Duration, Instant};

use scaleway_core::{AccessKey, Client, Config, Env, Error, Listable, OrganizationId, ProjectId};

use crate::checker::{Checker, Profile, Report, RequiredScope, Target, Verdict};
use crate::model::{
    Application, Bearer, CreatedApiKey, PermissionSet, PermissionSetScopeType, Policy,
    PolicyPrincipal, Rule, RuleSpec,
};
use crate::{AccountApi, IamApi};

/// Description given to keys created by [`provision`] (and looked for on re-runs).
pub const PROVISIONED_KEY_DESCRIPTION: &str = "provisioned by scaleway-iam";

/// What to provision.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ProvisionRequest {
    /// Application (and policy) name, at most 64 characters.
    pub name: String,
    /// What the key must be able to do.
    pub profile: Profile,
    /// The project the key works in (rules are scoped to it; it is the key's default).
    pub project_id: ProjectId,
    /// Organization (default: the client's default organization).
    pub organization_id: Option<OrganizationId>,
    /// Key lifetime (default 90 days).
    pub key_lifetime: Duration,
    /// Create a new key even when a valid provisioned key exists (its secret cannot be
    /// shown again).
    pub always_new_key: bool,
}

impl ProvisionRequest {
    /// A request with the defaults (90-day key, reuse an existing valid key).
    pub fn new(name: impl Into<String>, profile: Profile, project_id: ProjectId) -> Self {
        ProvisionRequest {
            name: name.into(),
            profile,
            project_id,
            organization_id: None,
            key_lifetime: Duration::from_secs(90 * 24 * 3600),
            always_new_key: false,
        }
    }
}

/// Whether something was created or found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Created now.
    Created,
    /// Already there, reused as is.
    Reused,
    /// Already there, changed to match the profile.
    Updated,
}

/// The key part of a provisioning.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ProvisionedKey {
    /// A new key, with its secret (shown this once).
    New(CreatedApiKey),
    /// A valid key made by an earlier run: its secret cannot be shown again.
    Existing {
        /// Its access key.
        access_key: AccessKey,
    },
}

/// What [`provision`] did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Provisioned {
    /// The application.
    pub application: Application,
    /// Created or reused.
    pub application_outcome: Outcome,
    /// The policy.
    pub policy: Policy,
    /// Created, reused, or its rules updated.
    pub policy_outcome: Outcome,
    /// The key.
    pub key: ProvisionedKey,
    /// One line per step, for the user.
    pub log: Vec<String>,
}

fn desired_rules(profile: &Profile, project: &ProjectId, org: &OrganizationId) -> Vec<RuleSpec> {
    let mut on_project = Vec::new();
    let mut on_org = Vec::new();
    for r in &profile.requirements {
        match r.scope {
            RequiredScope::Project => on_project.push(r.permission_set.clone()),
            RequiredScope::Organization => on_org.push(r.permission_set.clone()),
        }
    }
    let mut rules = Vec::new();
    if !on_project.is_empty() {
        rules.push(RuleSpec::projects(on_project, [project.clone()]));
    }
    if !on_org.is_empty() {
        rules.push(RuleSpec::organization(on_org, org.clone()));
    }
    rules
}

/// A rule reduced to what provisioning compares: sorted sets, projects, organization,
/// condition.
type RuleShape = (
    Vec<String>,
    Option<Vec<ProjectId>>,
    Option<OrganizationId>,
    String,
);

fn rules_match(existing: &[Rule], desired: &[RuleSpec]) -> bool {
    let norm_existing: Vec<RuleShape> = existing
        .iter()
        .map(|r| {
            let mut s = r.permission_set_names.clone();
            s.sort();
            (
                s,
                r.project_ids.clone(),
                r.organization_id.clone(),
                r.condition.clone(),
            )
        })
        .collect();
    desired.len() == existing.len()
        && desired.iter().all(|d| {
            let mut s = d.permission_set_names.clone();
            s.sort();
            norm_existing.contains(&(
                s,
                d.project_ids.clone(),
                d.organization_id.clone(),
                d.condition.clone(),
            ))
        })
}

/// Refuses, before anything is created, a profile naming a set the API does not offer, or
/// a set whose level (the API's `scope_type`) does not match where the profile requires it:
/// the API would refuse the policy's rule after the application was created.
fn check_sets(profile: &Profile, offered: &[PermissionSet]) -> Result<(), Error> {
    let unknown: Vec<&str> = profile
        .requirements
        .iter()
        .map(|r| r.permission_set.as_str())
        .filter(|n| !offered.iter().any(|o| o.name == *n))
        .collect();
    if !unknown.is_empty() {
        return Err(Error::invalid_request(format!(
            "profile {}: the API offers no permission set named {} (GET /iam/v1alpha1/permission-sets lists {} sets): fix the profile; nothing was created",
            profile.name,
            unknown.join(", "),
            offered.len()
        )));
    }
    let mut wrong = Vec::new();
    for r in &profile.requirements {
        let Some(set) = offered.iter().find(|o| o.name == r.permission_set) else {
            continue;
        };
        let org_level = matches!(
            set.scope_type,
            PermissionSetScopeType::Organization | PermissionSetScopeType::AccountRootUser
        );
        match (r.scope, org_level) {
            (RequiredScope::Project, true) => wrong.push(format!(
                "{} is an Organization-level set (scope_type {}): it cannot be granted on a project; require it with scope = \"organization\"",
                set.name, set.scope_type
            )),
            (RequiredScope::Organization, false)
                if set.scope_type == PermissionSetScopeType::Projects =>
            {
                wrong.push(format!(
                    "{} is a project-level set: at Organization level it would be granted on every current and future project, which provisioning never does; require it with scope = \"project\"",
                    set.name
                ));
            }
            _ => {}
        }
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(Error::invalid_request(format!(
            "profile {}: {}; nothing was created",
            profile.name,
            wrong.join("; ")
        )))
    }
}

/// Creates (or finds) the application, its policy and a key for `request`.
///
/// The project is read first (Account API): nothing is created for a project that does
/// not exist, or that belongs to another Organization than the one asked for. Without
/// [`ProvisionRequest::organization_id`] the project's Organization is used. Nothing is
/// created either when the API offers no permission set of one of the profile's names, or
/// when a set's level (the API's `scope_type`) does not match where the profile requires it
/// (an Organization-level set on a project, a project-level set on the whole Organization).
///
/// Re-running is safe: an application and a policy with the same name are reused (the
/// policy's rules are reset to the profile's when they differ), and a key made by an
/// earlier run is reported instead of creating another one (unless
/// [`ProvisionRequest::always_new_key`]) — when it expires after the profile's
/// expiry-warning period (`expiry_warning_days`); a key expiring sooner is replaced by a
/// new one.
///
/// # Errors
///
/// A name over 64 characters, an invalid profile, a project that does not exist or is in
/// another Organization, a permission set the API does not offer or at the wrong level, no
/// Organization, or the API's error (the client needs IAM write
/// permission, e.g. `IAMManager`, which also reads projects).
pub async fn provision(iam: &IamApi, request: &ProvisionRequest) -> Result<Provisioned, Error> {
    let name = request.name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(Error::invalid_request(
            "application name: 1 to 64 characters",
        ));
    }
    request
        .profile
        .validate()
        .map_err(|m| Error::invalid_request(format!("profile {}: {m}", request.profile.name)))?;
    let mut log = Vec::new();

    let org = project_organization(iam, request, &mut log).await?;
    // Permission sets: the API refuses a policy naming one it does not offer, which would
    // leave the application behind; ask first.
    let offered = iam
        .list_permission_sets()
        .organization_id(&org)
        .collect()
        .await?;
    check_sets(&request.profile, &offered)?;

    let (application, application_outcome) =
        ensure_application(iam, request, name, &org, &mut log).await?;
    let (policy, policy_outcome) =
        ensure_policy(iam, request, name, &org, &application, &mut log).await?;
    let key = ensure_key(iam, request, &application, &mut log).await?;
    Ok(Provisioned {
        application,
        application_outcome,
        policy,
        policy_outcome,
        key,
        log,
    })
}

/// The project must exist before anything is created for it; returns its Organization (which
/// must be the requested one, if any; the client's default when the project shows none).
async fn project_organization(
    iam: &IamApi,
    request: &ProvisionRequest,
    log: &mut Vec<String>,
) -> Result<OrganizationId, Error> {
    let pid = &request.project_id;
    let project = match AccountApi::new(iam.client()).get_project(pid).await {
        Ok(p) => p,
        Err(e) if e.is_not_found() => {
            return Err(Error::invalid_request(format!(
                "project {pid} does not exist (the Account API answers 404): check the project ID; nothing was created"
            )));
        }
        Err(e) => return Err(e),
    };
    let project_org = Some(&project.organization_id).filter(|o| !o.is_empty());
    let org: OrganizationId = match (&request.organization_id, project_org) {
        (Some(o), Some(po)) if o != po => {
            return Err(Error::invalid_request(format!(
                "project {pid} belongs to Organization {po}, not {o}: give that Organization, or a project of {o}; nothing was created"
            )));
        }
        (Some(o), _) => o.clone(),
        (None, Some(po)) => po.clone(),
        (None, None) => iam.client().default_organization_id()?.clone(),
    };
    log.push(format!(
        "project \"{}\" ({pid}) found in Organization {org}",
        project.name
    ));
    Ok(org)
}

/// The application named `name`: reused if it exists, else created.
async fn ensure_application(
    iam: &IamApi,
    request: &ProvisionRequest,
    name: &str,
    org: &OrganizationId,
    log: &mut Vec<String>,
) -> Result<(Application, Outcome), Error> {
    let existing = iam
        .list_applications()
        .organization_id(org)
        .name(name)
        .collect()
        .await?
        .into_iter()
        .find(|a| a.name == name);
    let found = match existing {
        Some(a) => {
            log.push(format!("application \"{name}\" exists ({}): reused", a.id));
            (a, Outcome::Reused)
        }
        None => {
            let a = iam
                .create_application(
                    name,
                    &format!("{} ({})", request.profile.description, request.profile.name),
                    Some(org),
                )
                .await?;
            log.push(format!("application \"{name}\" created ({})", a.id));
            (a, Outcome::Created)
        }
    };
    Ok(found)
}

/// The application's policy named `name`: reused if its rules are the profile's, its rules
/// reset if not, created if missing.
async fn ensure_policy(
    iam: &IamApi,
    request: &ProvisionRequest,
    name: &str,
    org: &OrganizationId,
    application: &Application,
    log: &mut Vec<String>,
) -> Result<(Policy, Outcome), Error> {
    let rules = desired_rules(&request.profile, &request.project_id, org);
    let existing = iam
        .list_policies()
        .organization_id(org)
        .policy_name(name)
        .collect()
        .await?
        .into_iter()
        .find(|p| {
            p.name == name && p.principal() == PolicyPrincipal::Application(application.id.clone())
        });
    let found = match existing {
        Some(p) => {
            let current = iam.list_rules(&p.id).collect().await?;
            if rules_match(&current, &rules) {
                log.push(format!(
                    "policy \"{name}\" exists ({}) with the profile's rules: reused",
                    p.id
                ));
                (p, Outcome::Reused)
            } else {
                iam.set_rules(&p.id, &rules).await?;
                log.push(format!(
                    "policy \"{name}\" exists ({}): its rules were reset to the profile's",
                    p.id
                ));
                (p, Outcome::Updated)
            }
        }
        None => {
            let mut create = iam
                .create_policy(name, PolicyPrincipal::Application(application.id.clone()))
                .description(format!("profile {}", request.profile.name))
                .organization_id(org);
            for r in &rules {
                create = create.rule(r.clone());
            }
            let p = create.send().await?;
            log.push(format!("policy \"{name}\" created ({})", p.id));
            (p, Outcome::Created)
        }
    };
    Ok(found)
}

/// The API key: one made by an earlier run is reused only if it outlives the profile's
/// expiry-warning period (a check would otherwise report it as expiring at once); else a new
/// one is created.
async fn ensure_key(
    iam: &IamApi,
    request: &ProvisionRequest,
    application: &Application,
    log: &mut Vec<String>,
) -> Result<ProvisionedKey, Error> {
    let bearer = Bearer::Application(application.id.clone());
    let now = chrono::Utc::now();
    let warning = chrono::Duration::days(i64::from(request.profile.expiry_warning_days));
    let lifetime = chrono::Duration::from_std(request.key_lifetime)
        .ok()
        .filter(|l| now.checked_add_signed(*l).is_some())
        .ok_or_else(|| Error::invalid_request("key lifetime is too long"))?;
    let (reusable, expiring): (Vec<_>, Vec<_>) = if request.always_new_key {
        (Vec::new(), Vec::new())
    } else {
        iam.list_api_keys()
            .bearer(&bearer)
            .collect()
            .await?
            .into_iter()
            .filter(|k| {
                k.description == PROVISIONED_KEY_DESCRIPTION
                    && k.default_project_id == request.project_id
                    && k.expires_at.is_some_and(|e| e > now)
            })
            .partition(|k| {
                // A warning period past the end of time: no key outlives it.
                now.checked_add_signed(warning)
                    .is_some_and(|horizon| k.expires_at.is_some_and(|e| e > horizon))
            })
    };
    if reusable.is_empty() {
        for k in &expiring {
            log.push(format!(
                "the key made by an earlier run ({}) expires within {} day(s), on {}: not reused, a new key is created (delete {} once the new one is in use)",
                k.access_key,
                request.profile.expiry_warning_days,
                k.expires_at
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_default(),
                k.access_key
            ));
        }
    }
    let key = match reusable.into_iter().next() {
        Some(k) => {
            log.push(format!(
                "a valid key made by an earlier run exists ({}): reused; its secret cannot be shown again (ask for a new key to get one)",
                k.access_key
            ));
            ProvisionedKey::Existing {
                access_key: k.access_key,
            }
        }
        None => {
            if lifetime <= warning {
                log.push(format!(
                    "the key's lifetime is within the profile's expiry warning period ({} days): checks report it as expiring soon, and re-runs create a new key",
                    request.profile.expiry_warning_days
                ));
            }
            let created = iam
                .create_api_key(bearer)
                .expires_at(now + lifetime)
                .default_project_id(&request.project_id)
                .description(PROVISIONED_KEY_DESCRIPTION)
                .send()
                .await?;
            log.push(format!(
                "API key {} created, expires {}, default project {}",
                created.key.access_key,
                created
                    .key
                    .expires_at
                    .map(|t| t.format("%Y-%m-%d").to_string())
                    .unwrap_or_else(|| "never".into()),
                request.project_id
            ));
            ProvisionedKey::New(created)
        }
    };
    Ok(key)
}

/// How to rotate.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RotateOptions {
    /// What the new key must be ready for.
    pub profile: Profile,
    /// Where.
    pub target: Target,
    /// Lifetime of the new key (default 90 days).
    pub key_lifetime: Duration,
    /// How long to wait for the new key to be `Ready` (default: the checker's propagation
    /// window).
    pub timeout: Option<Duration>,
    /// Delay between checks (default 2 s).
    pub poll_interval: Duration,
    /// The checker (its options set the propagation window, the clock, …).
    pub checker: Checker,
}

impl RotateOptions {
    /// Options with the defaults.
    pub fn new(profile: Profile, target: Target) -> Self {
        RotateOptions {
            profile,
            target,
            key_lifetime: Duration::from_secs(90 * 24 * 3600),
            timeout: None,
            poll_interval: Duration::from_secs(2),
            checker: Checker::new(),
        }
    }
}

/// Why [`rotate`] stopped. `Debug` never prints a secret (the new key's is a
/// [`scaleway_core::SecretKey`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RotateError {
    /// Nothing changed: the old key could not be read, or the new one not created.
    #[error("the key rotation could not start")]
    Start(#[source] Error),
    /// The new key exists (here, with its secret) but is not `Ready`: the checker says
    /// `Invalid`, or it was still `PendingPropagation` when the timeout passed. The old key
    /// was **not** deleted, so both keys are live: fix what the report says and check the
    /// new key again (then delete the old one), or delete the new key.
    #[error(
        "the new key {} is not ready ({}): the old key {old_key} was kept, so both keys are live",
        new_key.key.access_key,
        report.verdict.status()
    )]
    NotReady {
        /// The old key, still live.
        old_key: AccessKey,
        /// The new key, with its secret: store it or delete it.
        new_key: Box<CreatedApiKey>,
        /// The last check of the new key (its verdict and findings say why).
        report: Box<Report>,
        /// Checks made.
        checks: u32,
    },
    /// The new key exists (here, with its secret) but the rotation could not finish: it
    /// could not be checked, or the old key could not be deleted. The old key was not
    /// deleted unless the error says so.
    #[error("the new key {} was created, but the rotation could not finish", new_key.key.access_key)]
    Unfinished {
        /// The new key, with its secret: store it or delete it.
        new_key: Box<CreatedApiKey>,
        /// What failed.
        #[source]
        source: Error,
    },
}

impl RotateError {
    /// The underlying API error (`None` for [`RotateError::NotReady`]: the report says
    /// why).
    pub fn api_error(&self) -> Option<&Error> {
        match self {
            RotateError::Start(e) | RotateError::Unfinished { source: e, .. } => Some(e),
            RotateError::NotReady { .. } => None,
        }
    }

    /// The new key, with its secret, when it was created: store it or delete it.
    pub fn new_key(&self) -> Option<&CreatedApiKey> {
        match self {
            RotateError::Start(_) => None,
            RotateError::NotReady { new_key, .. } | RotateError::Unfinished { new_key, .. } => {
                Some(new_key)
            }
        }
    }
}

/// What [`rotate`] did: the new key is `Ready` and the old key was deleted.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Rotated {
    /// The new key, with its secret.
    pub new_key: CreatedApiKey,
    /// The last check of the new key (`Ready`).
    pub report: Report,
    /// Checks made.
    pub checks: u32,
}

/// A client speaking as `key`, on the same API URL as `like`.
fn client_for(like: &Client, key: &CreatedApiKey) -> Result<Client, Error> {
    let cfg = like.config();
    let mut loader = Config::loader()
        .env(Env::default())
        .access_key(key.key.access_key.clone())
        .secret_key(key.secret_key.clone())
        .api_url(like.api_url().clone())
        .insecure(cfg.insecure.value);
    if let Some(o) = &cfg.organization_id {
        loader = loader.organization_id(o.value.clone());
    }
    if !key.key.default_project_id.is_empty() {
        loader = loader.project_id(key.key.default_project_id.clone());
    }
    // The Object Storage probe of the confirmation uses the same S3 settings.
    if let Some(e) = &cfg.s3_endpoint {
        loader = loader.s3_endpoint(e.value.clone());
    }
    if let Some(r) = &cfg.region {
        loader = loader.region(r.value.clone());
    }
    Client::builder()
        .config(loader.load()?)
        .user_agent_suffix("scaleway-iam-rotate")
        .build()
}

/// Rotates `old`: creates a key for the same bearer (same default project and description,
/// new expiry),
/// checks it — as the auditor `iam`'s client, confirming with the new key itself — until it
/// is `Ready` or the timeout passes, and only then deletes `old`.
///
/// `Ok` means the rotation is done: the new key is `Ready` and the old one deleted. The old
/// key is never deleted when the new one is not `Ready`; the new key is then returned in
/// the error, with its secret, so nothing is lost. A check that fails to reach the API is
/// retried until the timeout; an `Invalid` verdict stops at once.
///
/// # Errors
///
/// [`RotateError::Start`] when nothing was changed (the old key cannot be read or has no
/// bearer, the new key cannot be created); [`RotateError::NotReady`], carrying the new key
/// and its secret and the last report, when the new key checks `Invalid` or is still
/// pending when the timeout passes (both keys are then live); [`RotateError::Unfinished`],
/// carrying the new key and its secret, when the checks kept failing or the old key could
/// not be deleted.
pub async fn rotate(
    iam: &IamApi,
    old: &AccessKey,
    options: &RotateOptions,
) -> Result<Rotated, RotateError> {
    let old_key = iam.get_api_key(old).await.map_err(RotateError::Start)?;
    let bearer = old_key.bearer().ok_or_else(|| {
        RotateError::Start(Error::invalid_request(format!(
            "API key {old} has no bearer"
        )))
    })?;
    let expires_at = chrono::Duration::from_std(options.key_lifetime)
        .ok()
        .and_then(|l| chrono::Utc::now().checked_add_signed(l))
        .ok_or_else(|| RotateError::Start(Error::invalid_request("key lifetime is too long")))?;
    // The same description: it is how `provision` recognises the keys it made, so a key
    // rotated from one of them is reused by the next `provision`.
    let mut create = iam
        .create_api_key(bearer)
        .expires_at(expires_at)
        .description(old_key.description.clone());
    if !old_key.default_project_id.is_empty() {
        create = create.default_project_id(&old_key.default_project_id);
    }
    let new_key = create.send().await.map_err(RotateError::Start)?;
    let unfinished = |new_key: &CreatedApiKey, source: Error| RotateError::Unfinished {
        new_key: Box::new(new_key.clone()),
        source,
    };
    let key_client = client_for(iam.client(), &new_key).map_err(|e| unfinished(&new_key, e))?;
    let timeout = options.timeout.unwrap_or_else(|| {
        options
            .checker
            .options()
            .propagation_window
            .unwrap_or(Duration::from_secs(300))
    });
    let start = Instant::now();
    let mut checks = 0;
    loop {
        checks += 1;
        let more_time = start.elapsed() + options.poll_interval <= timeout;
        let report = match options
            .checker
            .audit_confirming(iam.client(), &key_client, &options.profile, &options.target)
            .await
        {
            Ok(r) => r,
            Err(e) if more_time => {
                tracing::info!(error = %e, "checking the new key failed; trying again");
                tokio::time::sleep(options.poll_interval).await;
                continue;
            }
            Err(e) => return Err(unfinished(&new_key, e)),
        };
        match &report.verdict {
            Verdict::Ready => {
                iam.delete_api_key(old)
                    .await
                    .map_err(|e| unfinished(&new_key, e))?;
                return Ok(Rotated {
                    new_key,
                    report,
                    checks,
                });
            }
            Verdict::PendingPropagation { .. } if more_time => {
                tokio::time::sleep(options.poll_interval).await;
            }
            _ => {
                return Err(RotateError::NotReady {
                    old_key: old.clone(),
                    new_key: Box::new(new_key),
                    report: Box::new(report),
                    checks,
                });
            }
        }
    }
}
