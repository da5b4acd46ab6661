//! Step 1, the key itself: does it exist, has it expired, who bears it (a person, the
//! Organization owner), is its default project the target.

use scaleway_core::ProjectId;

use super::{Draft, EvalSettings, Ledger, Resolution};
use crate::checker::finding::FindingKind;
use crate::checker::profile::{DefaultProjectRule, Profile};
use crate::checker::report::Severity;
use crate::model::{ApiKey, Bearer, UserType};

/// The findings for a key the API does not know: `key_not_found` (blocking), and, when the
/// caller says the key was created less than the propagation window ago, the recent change
/// that makes it `PendingPropagation` instead of `Invalid` (a new key may not be visible
/// yet).
pub(crate) fn key_not_found(s: &EvalSettings<'_>, message: &str) -> Vec<Draft> {
    let mut out = vec![Draft::new(
        Severity::Blocking,
        FindingKind::KeyNotFound,
        message.to_owned(),
    )];
    if let Some(created) = s.key_created_at
        && created + s.window > s.now
    {
        out.push(Draft::new(
            Severity::Info,
            FindingKind::RecentIamChange {
                changed_at: created,
                what: vec!["API key created (the caller's creation time)".into()],
                settles_at: created + s.window,
            },
            format!(
                "the caller says the key was created {} s ago: a new key can take up to {} s to be known everywhere, so this result may still change",
                (s.now - created).num_seconds().max(0),
                s.window.num_seconds()
            ),
        ));
    }
    out
}

/// Step 1. `None` when the key does not exist (the check stops there).
pub(crate) fn the_key(
    s: &EvalSettings<'_>,
    profile: &Profile,
    targets: &[ProjectId],
    res: &Resolution,
    l: &mut Ledger,
) -> Option<ApiKey> {
    let Some(key) = &res.key else {
        let drafts = key_not_found(
            s,
            "the API key does not exist (deleted, a wrong access key, or too new to be visible)",
        );
        let id = drafts[0].id();
        for r in l.every_req(profile, targets) {
            l.link(r, &id);
        }
        for d in drafts {
            l.push(d);
        }
        return None;
    };
    expiry(s, profile, targets, res, key, l);
    bearer(profile, res, l);
    default_project(s, profile, targets, key, l);
    Some(key.clone())
}

fn expiry(
    s: &EvalSettings<'_>,
    profile: &Profile,
    targets: &[ProjectId],
    res: &Resolution,
    key: &ApiKey,
    l: &mut Ledger,
) {
    let ak = key.access_key.to_string();
    match key.expires_at {
        Some(t) if t <= s.now => {
            let mut d = Draft::new(
                Severity::Blocking,
                FindingKind::KeyExpired {
                    expired_at: Some(t),
                },
                format!("the key expired on {}", t.format("%Y-%m-%d %H:%M UTC")),
            );
            d.fix = Some((
                "create a new key for the same bearer (an expired key cannot be extended)".into(),
                None,
                None,
            ));
            let id = d.id();
            for r in l.every_req(profile, targets) {
                l.link(r, &id);
            }
            l.push(d);
        }
        Some(t) => {
            let days = (t - s.now).num_days();
            if days < i64::from(profile.expiry_warning_days) {
                l.push(Draft::new(
                    Severity::Warning,
                    FindingKind::KeyExpiresSoon {
                        expires_at: t,
                        days_left: days,
                    },
                    format!(
                        "the key expires in {days} day(s), on {}: plan its rotation",
                        t.format("%Y-%m-%d")
                    ),
                ));
            }
        }
        None => {
            let mut d = Draft::new(
                Severity::Warning,
                FindingKind::KeyNoExpiry,
                "the key never expires: a leaked key stays valid forever".into(),
            );
            let create = res.bearer.as_ref().map(|b| {
                format!(
                    "scw iam api-key create {} expires-at=<RFC 3339 date> default-project-id={}",
                    principal_arg(b),
                    key.default_project_id
                )
            });
            d.fix = Some((
                format!("rotate {ak} into a key with an expiry (then delete {ak})"),
                create,
                None,
            ));
            l.push(d);
        }
    }
}

/// `application-id=…` or `user-id=…`.
pub(super) fn principal_arg(b: &Bearer) -> String {
    match b {
        Bearer::Application(id) => format!("application-id={id}"),
        Bearer::User(id) => format!("user-id={id}"),
    }
}

/// A person's key, and the Organization owner's: each as severe as the profile says
/// (`excess.personal_user_keys`, `excess.owner_keys`).
fn bearer(profile: &Profile, res: &Resolution, l: &mut Ledger) {
    let Some(Bearer::User(uid)) = &res.bearer else {
        return;
    };
    let who = res.bearer_name.as_deref().unwrap_or(uid.as_str());
    let sev = super::excess::action_severity(profile.excess.personal_user_keys);
    let mut d = Draft::new(
        sev,
        FindingKind::PersonalUserKey {
            user_id: uid.to_string(),
            email: res.bearer_name.clone(),
        },
        format!(
            "the key belongs to a person ({who}), not to an IAM application: it stops working when they leave, and carries their rights{}",
            if sev == Severity::Blocking {
                " (the profile forbids personal keys)"
            } else {
                ""
            }
        ),
    );
    if sev == Severity::Blocking {
        d.fix = Some((
            "create an IAM application with the profile's rights and give the platform a key of that application (scaleway_iam::provision)".into(),
            None,
            None,
        ));
    }
    l.push(d);
    if res.user_type == Some(UserType::Owner) {
        let sev = super::excess::action_severity(profile.excess.owner_keys());
        let mut d = Draft::new(
            sev,
            FindingKind::OrganizationOwner {
                user_id: uid.to_string(),
            },
            if sev == Severity::Blocking {
                "the key belongs to the Organization owner, who bypasses IAM: it can do anything in the Organization, Organization-level actions included, which the profile forbids".into()
            } else {
                "the key belongs to the Organization owner, who bypasses IAM: every requirement passes, but the key can do anything in the Organization".into()
            },
        );
        if sev == Severity::Blocking {
            d.fix = Some((
                "never give the owner's key to a platform: create an IAM application with the profile's rights and a key of that application (scaleway_iam::provision)".into(),
                None,
                None,
            ));
        }
        l.push(d);
    }
}

fn default_project(
    s: &EvalSettings<'_>,
    profile: &Profile,
    targets: &[ProjectId],
    key: &ApiKey,
    l: &mut Ledger,
) {
    let cat = s.catalogue;
    let dp = &key.default_project_id;
    if dp.is_empty() || targets.is_empty() || targets.contains(dp) {
        return;
    }
    let object_storage = profile.needs_object_storage(cat);
    let required = profile.default_project_rule(cat) == DefaultProjectRule::Require;
    let mut d = Draft::new(
        if required {
            Severity::Blocking
        } else {
            Severity::Warning
        },
        FindingKind::DefaultProjectMismatch {
            default_project_id: dp.clone(),
            target_project_ids: targets.to_vec(),
            object_storage,
            required,
        },
        if required {
            format!(
                "the key's default project is {dp}, not the target: S3 tools signing with the bare access key (which the profile expects) list and create buckets in {dp} instead"
            )
        } else {
            format!(
                "the key's default project is {dp}, not the target: the profile's job selects its project itself (S3 requests signed ACCESS_KEY@PROJECT_ID), but other S3 tools using this key would list the buckets of {dp}"
            )
        },
    );
    d.fix = Some((
        format!("make {} the key's default project", targets[0]),
        Some(format!(
            "scw iam api-key update {} default-project-id={}",
            key.access_key, targets[0]
        )),
        None,
    ));
    l.push(d);
}
