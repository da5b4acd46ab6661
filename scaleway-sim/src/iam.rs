//! IAM enforcement: the permission-set catalogue, what each set grants, rule conditions, and the
//! decision "may this bearer do this action on this product in this project?".
//!
//! # Sources
//!
//! * Permission-set names, scopes and descriptions: Scaleway's documentation page
//!   <https://github.com/scaleway/docs-content/blob/00ad14a11a6447c2cbb1dc5826836cfaa401a2e3/pages/iam/reference-content/permission-sets.mdx>
//!   (published as <https://www.scaleway.com/en/docs/iam/reference-content/permission-sets/>), commit
//!   `00ad14a11a6447c2cbb1dc5826836cfaa401a2e3`, "Scoped by Organization" / "Scoped by Project" tables:
//!   all 156 sets, in `data/permission-sets.txt`, so a rule may name any real set. Sets of products
//!   the simulator does not serve grant nothing here (they exist, can be put in rules and listed).
//! * What a set grants is read from those descriptions (e.g. `SecretManagerReadOnly`: "List and read
//!   secrets' metadata … Does not include permissions for data (versions) accessing"; `IAMManager`: "all
//!   possible actions for users, groups, applications, policies and API keys and all ProjectManager
//!   permissions"; `OrganizationManager`: "all possible actions for Projects, IAM, billing …").
//!   Interpretations that the text leaves open are marked "sim choice" below. This table is
//!   written from the descriptions alone, independently of any client code of this workspace.
//! * Object Storage: the granular sets (`ObjectStorageBuckets{Read,Write,Delete}`,
//!   `ObjectStorageObjects{Read,Write,Delete}`) each grant one kind of operation ([`S3Access`],
//!   through [`Action::ObjectStorage`]); `ObjectStorageReadOnly` and `AllProductsReadOnly` the two
//!   read kinds, `ObjectStorageFullAccess` and `AllProductsFullAccess` all of them.
//! * Conditions: `pages/iam/policies-permissions/understanding-request-level-conditions.mdx` (docs-content
//!   commit `3c880ed7a40f7f95691fe5ce8445c406cc92c8a0`) and the reference page that documents the custom
//!   function `inIpRange(IP, Subnet)`: CEL expressions over `request.ip`, `request.user_agent`,
//!   `request.time`.

use std::net::IpAddr;

use crate::model::{Bearer, PermissionSet, Principal, RuleScope};
use crate::state::Iam;

/// A product (or IAM sub-resource) as far as permissions are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Product {
    Account,
    /// Every API key (the product of the API-key routes).
    IamApiKeys,
    /// API keys of applications only (`IAMApplication*`: "including management of Applications
    /// API keys").
    IamApplicationApiKeys,
    /// API keys of users only (`IAMUser*`: "including listing Users API keys").
    IamUserApiKeys,
    IamUsers,
    IamApplications,
    IamGroups,
    IamPolicies,
    Instance,
    Block,
    Kubernetes,
    Vpc,
    PrivateNetworks,
    Registry,
    SecretManager,
    ObjectStorage,
}

impl Product {
    /// Organization-level products need a rule scoped to the organization.
    pub(crate) fn is_organization_level(self) -> bool {
        matches!(
            self,
            Self::Account
                | Self::IamApiKeys
                | Self::IamApplicationApiKeys
                | Self::IamUserApiKeys
                | Self::IamUsers
                | Self::IamApplications
                | Self::IamGroups
                | Self::IamPolicies
        )
    }

    fn is_iam(self) -> bool {
        self.is_organization_level() && self != Self::Account
    }
}

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Action {
    Read,
    Write,
    /// Reading a secret version's payload (`…/versions/{revision}/access`).
    SecretAccess,
    /// An Object Storage operation, by the kind the granular `ObjectStorage*` sets tell apart.
    /// On [`Product::ObjectStorage`], plain [`Action::Read`] is taken as
    /// [`S3Access::BucketRead`] (every S3 operation served so far is a bucket read), and plain
    /// [`Action::Write`] needs a set granting every Object Storage write (`ObjectStorageFullAccess`,
    /// `AllProductsFullAccess`).
    ObjectStorage(S3Access),
}

/// The kinds of Object Storage operations the granular sets distinguish (their documented
/// descriptions, `data/permission-sets.txt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(dead_code, reason = "the S3 endpoint serves bucket reads only so far")]
pub(crate) enum S3Access {
    /// "buckets and bucket configuration including lifecycle rules" (`ObjectStorageBucketsRead`):
    /// ListBuckets, HeadBucket, GetBucketLocation/Versioning/Tagging/Lifecycle/Cors/….
    BucketRead,
    /// "create and edit buckets, bucket configuration including lifecycle rules"
    /// (`ObjectStorageBucketsWrite`): CreateBucket, PutBucketVersioning/Tagging/Lifecycle/….
    BucketWrite,
    /// "delete buckets" (`ObjectStorageBucketsDelete`): DeleteBucket.
    BucketDelete,
    /// "objects, tags, metadata, and storage class" (`ObjectStorageObjectsRead`): GetObject,
    /// HeadObject, GetObjectTagging, ….
    ObjectRead,
    /// "create and edit objects, tags, metadata, and storage class" (`ObjectStorageObjectsWrite`):
    /// PutObject, CopyObject, multipart uploads, PutObjectTagging, ….
    ObjectWrite,
    /// "delete objects" (`ObjectStorageObjectsDelete`): DeleteObject(s).
    ObjectDelete,
}

impl Action {
    /// The `action` of a `permissions_denied` detail (recorded values: `read`; `write` by symmetry).
    pub(crate) fn as_str(self) -> &'static str {
        if self.is_read() || self == Self::SecretAccess {
            "read"
        } else {
            "write"
        }
    }

    /// A read of metadata or content (not a secret payload).
    fn is_read(self) -> bool {
        matches!(
            self,
            Self::Read | Self::ObjectStorage(S3Access::BucketRead | S3Access::ObjectRead)
        )
    }
}

struct SetDef {
    name: &'static str,
    organization: bool,
    description: &'static str,
    category: &'static str,
}

/// The catalogue served by `GET /iam/v1alpha1/permission-sets`: every set of the documentation
/// page (module docs), from `data/permission-sets.txt` (`scope|category|name|description`).
static CATALOGUE: std::sync::LazyLock<Vec<SetDef>> = std::sync::LazyLock::new(|| {
    include_str!("../data/permission-sets.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut f = l.splitn(4, '|');
            let (scope, category, name, description) = (f.next()?, f.next()?, f.next()?, f.next()?);
            Some(SetDef {
                name,
                organization: scope == "organization",
                description,
                category,
            })
        })
        .collect()
});

/// `true` if `name` is in the catalogue.
#[cfg(test)]
pub(crate) fn set_exists(name: &str) -> bool {
    CATALOGUE.iter().any(|s| s.name == name)
}

/// `Some(true)` for organization-scoped sets, `Some(false)` for project-scoped ones.
pub(crate) fn set_is_organization(name: &str) -> Option<bool> {
    CATALOGUE
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.organization)
}

/// The catalogue as API objects (ids derived deterministically from the organization).
pub(crate) fn catalogue(seed: u64) -> Vec<PermissionSet> {
    CATALOGUE
        .iter()
        .enumerate()
        .map(|(i, s)| PermissionSet {
            id: crate::util::uuid_from_u64(seed ^ 0x5e75, i as u64),
            name: s.name,
            scope_type: if s.organization {
                "organization"
            } else {
                "projects"
            },
            description: s.description,
            categories: vec![s.category],
        })
        .collect()
}

/// Does permission set `set` grant `action` on `product`? The grants table, read from the set
/// descriptions (module docs).
pub(crate) fn grants(set: &str, product: Product, action: Action) -> bool {
    use Action::{Read, SecretAccess, Write};
    use Product as P;
    if product == P::ObjectStorage {
        return grants_object_storage(set, action);
    }
    if matches!(action, Action::ObjectStorage(_)) {
        return false;
    }
    let read = action == Read;
    let rw = matches!(action, Read | Write);
    match set {
        // "create, read, list, edit and delete all resources": every project-scoped product, including
        // secret payloads ("access" is part of full access to Secret Manager).
        "AllProductsFullAccess" => !product.is_organization_level(),
        // "Read access to list and read info": metadata only; sim choice: not secret payloads (the
        // per-product read-only set, SecretManagerReadOnly, explicitly excludes them).
        "AllProductsReadOnly" => !product.is_organization_level() && read,
        "InstancesFullAccess" => product == P::Instance && rw,
        "InstancesReadOnly" => product == P::Instance && read,
        "BlockStorageFullAccess" => product == P::Block && rw,
        "BlockStorageReadOnly" => product == P::Block && read,
        "KubernetesFullAccess" => product == P::Kubernetes && rw,
        "KubernetesReadOnly" => product == P::Kubernetes && read,
        "PrivateNetworksFullAccess" => product == P::PrivateNetworks && rw,
        "PrivateNetworksReadOnly" => product == P::PrivateNetworks && read,
        "VPCFullAccess" => product == P::Vpc && rw,
        "VPCReadOnly" => product == P::Vpc && read,
        "ContainerRegistryFullAccess" => product == P::Registry && rw,
        "ContainerRegistryReadOnly" => product == P::Registry && read,
        "SecretManagerFullAccess" => product == P::SecretManager,
        "SecretManagerReadOnly" => product == P::SecretManager && read,
        "SecretManagerSecretAccess" => product == P::SecretManager && action == SecretAccess,
        "ProjectManager" => product == P::Account && rw,
        "ProjectReadOnly" => product == P::Account && read,
        "IAMReadOnly" => product.is_iam() && read,
        "IAMManager" | "OrganizationManager" => product.is_organization_level() && rw,
        // "Full access to IAM Applications, including management of Applications API keys":
        // applications and their keys, not users' keys.
        "IAMApplicationManager" => {
            matches!(product, P::IamApplications | P::IamApplicationApiKeys) && rw
        }
        // "Read access to IAM Applications, including listing Applications API keys".
        "IAMApplicationReadOnly" => {
            matches!(product, P::IamApplications | P::IamApplicationApiKeys) && read
        }
        // "Full access to IAM Users, including listing Users API keys": users' keys are listed
        // and read, not managed.
        "IAMUserManager" => {
            (product == P::IamUsers && rw) || (product == P::IamUserApiKeys && read)
        }
        // "Read access to IAM Users, including listing Users API keys".
        "IAMUserReadOnly" => matches!(product, P::IamUsers | P::IamUserApiKeys) && read,
        "IAMGroupManager" => product == P::IamGroups && rw,
        "IAMGroupReadOnly" => product == P::IamGroups && read,
        "IAMPolicyManager" => product == P::IamPolicies && rw,
        "IAMPolicyReadOnly" => product == P::IamPolicies && read,
        _ => false,
    }
}

/// The Object Storage part of [`grants`], from the descriptions of the `ObjectStorage*` sets
/// (`data/permission-sets.txt`): each granular set grants its own kind of operation only (a write
/// set does not include reading). Sim choices: plain `Read` is a bucket read, plain `Write` needs
/// every write; `ObjectStorageBucketPolicyFullAccess` ("Full access to object storage bucket
/// policies") grants nothing modelled here (bucket-policy operations are not served).
fn grants_object_storage(set: &str, action: Action) -> bool {
    use Action::{ObjectStorage as Os, Read};
    use S3Access as S;
    let action = if action == Read {
        Os(S::BucketRead)
    } else {
        action
    };
    match set {
        // "Full access to create, read, list, edit and delete all resources (products)".
        "AllProductsFullAccess" | "ObjectStorageFullAccess" => action != Action::SecretAccess,
        // "Read access to list and read info for all resources"; "List and read access to
        // Object Storage": buckets and objects.
        "AllProductsReadOnly" | "ObjectStorageReadOnly" => action.is_read(),
        "ObjectStorageBucketsRead" => action == Os(S::BucketRead),
        "ObjectStorageBucketsWrite" => action == Os(S::BucketWrite),
        "ObjectStorageBucketsDelete" => action == Os(S::BucketDelete),
        "ObjectStorageObjectsRead" => action == Os(S::ObjectRead),
        "ObjectStorageObjectsWrite" => action == Os(S::ObjectWrite),
        "ObjectStorageObjectsDelete" => action == Os(S::ObjectDelete),
        _ => false,
    }
}

/// Attributes of the request that conditions can test.
#[derive(Debug, Clone)]
pub(crate) struct RequestAttrs {
    pub(crate) ip: Option<IpAddr>,
    pub(crate) user_agent: String,
}

/// Which projects a bearer may act on for one (product, action).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Every project of the organization (organization-wide rule, or the organization owner).
    All,
    /// These projects only (possibly none).
    Projects(Vec<String>),
}

impl Reach {
    pub(crate) fn covers(&self, project: &str) -> bool {
        match self {
            Self::All => true,
            Self::Projects(p) => p.iter().any(|x| x == project),
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        matches!(self, Self::Projects(p) if p.is_empty())
    }
}

/// Computes where `bearer` may do `action` on `product`, from the *effective* IAM state.
pub(crate) fn reach(
    iam: &Iam,
    organization_id: &str,
    bearer: &Bearer,
    product: Product,
    action: Action,
    attrs: &RequestAttrs,
) -> Reach {
    // Organization owners bypass IAM.
    if let Bearer::User(uid) = bearer
        && iam.users.get(uid).is_some_and(|u| u.kind == "owner")
    {
        return Reach::All;
    }
    let is_user = matches!(bearer, Bearer::User(_));
    let member_of = |gid: &str| {
        iam.groups.get(gid).is_some_and(|g| {
            (is_user && g.all_users)
                || (!is_user && g.all_applications)
                || match bearer {
                    Bearer::User(u) => g.user_ids.iter().any(|x| x == u),
                    Bearer::Application(a) => g.application_ids.iter().any(|x| x == a),
                }
        })
    };
    let mut projects: Vec<String> = Vec::new();
    for policy in iam.policies.iter() {
        if policy.organization_id != organization_id {
            continue;
        }
        let applies = match (&policy.principal, bearer) {
            (Principal::User(p), Bearer::User(b))
            | (Principal::Application(p), Bearer::Application(b)) => p == b,
            (Principal::Group(g), _) => member_of(g),
            _ => false,
        };
        if !applies {
            continue;
        }
        for rule in &policy.rules {
            if !rule
                .permission_set_names
                .iter()
                .any(|s| grants(s, product, action))
            {
                continue;
            }
            if !condition_holds(&rule.condition, attrs) {
                continue;
            }
            match &rule.scope {
                RuleScope::Organization(o) if o == organization_id => return Reach::All,
                RuleScope::Organization(_) => {}
                RuleScope::Projects(p) => {
                    // Organization-level products cannot be granted by a project-scoped rule.
                    if !product.is_organization_level() {
                        projects.extend(p.iter().cloned());
                    }
                }
            }
        }
    }
    projects.sort();
    projects.dedup();
    Reach::Projects(projects)
}

// ---------------------------------------------------------------- conditions

/// Evaluates a rule condition. Empty means "always". Supported (documented) forms, combined with
/// `&&`, `||`, `!` and parentheses: `inIpRange(request.ip, "CIDR")`, `request.ip == "…"` / `!=`,
/// `request.user_agent.contains("…")` / `.startsWith` / `.endsWith`, `request.user_agent == "…"` / `!=`,
/// `true`, `false`. Anything else (including `request.time` expressions) does not parse and makes the
/// rule not apply.
pub(crate) fn condition_holds(condition: &str, attrs: &RequestAttrs) -> bool {
    let condition = condition.trim();
    if condition.is_empty() {
        return true;
    }
    let Some(tokens) = tokenize(condition) else {
        return false;
    };
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        attrs,
    };
    match p.or() {
        Some(v) if p.pos == tokens.len() => v,
        _ => false,
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Str(String),
    LParen,
    RParen,
    Comma,
    And,
    Or,
    Not,
    Eq,
    Ne,
}

fn tokenize(s: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            '&' if chars.get(i + 1) == Some(&'&') => {
                out.push(Tok::And);
                i += 2;
            }
            '|' if chars.get(i + 1) == Some(&'|') => {
                out.push(Tok::Or);
                i += 2;
            }
            '=' if chars.get(i + 1) == Some(&'=') => {
                out.push(Tok::Eq);
                i += 2;
            }
            '!' if chars.get(i + 1) == Some(&'=') => {
                out.push(Tok::Ne);
                i += 2;
            }
            '!' => {
                out.push(Tok::Not);
                i += 1;
            }
            '"' | '\'' => {
                let quote = c;
                let mut v = String::new();
                i += 1;
                loop {
                    let ch = *chars.get(i)?;
                    i += 1;
                    if ch == quote {
                        break;
                    }
                    if ch == '\\' {
                        v.push(*chars.get(i)?);
                        i += 1;
                    } else {
                        v.push(ch);
                    }
                }
                out.push(Tok::Str(v));
            }
            c if c.is_ascii_alphanumeric() || c == '_' || c == '.' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '.')
                {
                    i += 1;
                }
                out.push(Tok::Ident(chars[start..i].iter().collect()));
            }
            _ => return None,
        }
    }
    Some(out)
}

struct Parser<'a> {
    tokens: &'a [Tok],
    pos: usize,
    attrs: &'a RequestAttrs,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn expect(&mut self, t: &Tok) -> Option<()> {
        (self.next()? == *t).then_some(())
    }

    fn or(&mut self) -> Option<bool> {
        let mut v = self.and()?;
        while self.peek() == Some(&Tok::Or) {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Some(v)
    }

    fn and(&mut self) -> Option<bool> {
        let mut v = self.unary()?;
        while self.peek() == Some(&Tok::And) {
            self.pos += 1;
            let r = self.unary()?;
            v = v && r;
        }
        Some(v)
    }

    fn unary(&mut self) -> Option<bool> {
        match self.peek()? {
            Tok::Not => {
                self.pos += 1;
                Some(!self.unary()?)
            }
            Tok::LParen => {
                self.pos += 1;
                let v = self.or()?;
                self.expect(&Tok::RParen)?;
                Some(v)
            }
            _ => self.atom(),
        }
    }

    fn string_arg(&mut self) -> Option<String> {
        self.expect(&Tok::LParen)?;
        let Tok::Str(s) = self.next()? else {
            return None;
        };
        self.expect(&Tok::RParen)?;
        Some(s)
    }

    fn atom(&mut self) -> Option<bool> {
        let Tok::Ident(id) = self.next()? else {
            return None;
        };
        let ip = self.attrs.ip.map(|i| i.to_string()).unwrap_or_default();
        let ua = self.attrs.user_agent.clone();
        match id.as_str() {
            "true" => Some(true),
            "false" => Some(false),
            "inIpRange" => {
                self.expect(&Tok::LParen)?;
                let Tok::Ident(var) = self.next()? else {
                    return None;
                };
                if var != "request.ip" {
                    return None;
                }
                self.expect(&Tok::Comma)?;
                let Tok::Str(cidr) = self.next()? else {
                    return None;
                };
                self.expect(&Tok::RParen)?;
                let net = parse_cidr(&cidr)?;
                Some(self.attrs.ip.is_some_and(|ip| in_net(ip, net)))
            }
            "request.ip" | "request.user_agent" => {
                let value = if id == "request.ip" { ip } else { ua };
                let negate = match self.next()? {
                    Tok::Eq => false,
                    Tok::Ne => true,
                    _ => return None,
                };
                let Tok::Str(s) = self.next()? else {
                    return None;
                };
                Some((value == s) != negate)
            }
            "request.user_agent.contains" => Some(ua.contains(&self.string_arg()?)),
            "request.user_agent.startsWith" => Some(ua.starts_with(&self.string_arg()?)),
            "request.user_agent.endsWith" => Some(ua.ends_with(&self.string_arg()?)),
            _ => None,
        }
    }
}

fn parse_cidr(s: &str) -> Option<(IpAddr, u8)> {
    let (addr, len) = match s.split_once('/') {
        Some((a, l)) => (a.parse::<IpAddr>().ok()?, l.parse::<u8>().ok()?),
        None => {
            let a = s.parse::<IpAddr>().ok()?;
            (a, if a.is_ipv4() { 32 } else { 128 })
        }
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    (len <= max).then_some((addr, len))
}

fn in_net(ip: IpAddr, (net, len): (IpAddr, u8)) -> bool {
    let to_bits = |a: IpAddr| -> (u128, u32) {
        match a {
            IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
            IpAddr::V6(v) => (u128::from(v), 128),
        }
    };
    let ip = match ip {
        IpAddr::V6(v) => v.to_ipv4_mapped().map_or(IpAddr::V6(v), IpAddr::V4),
        v4 => v4,
    };
    let (a, wa) = to_bits(ip);
    let (b, wb) = to_bits(net);
    if wa != wb {
        return false;
    }
    if len == 0 {
        return true;
    }
    let shift = wa - u32::from(len);
    (a >> shift) == (b >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(ip: &str, ua: &str) -> RequestAttrs {
        RequestAttrs {
            ip: ip.parse().ok(),
            user_agent: ua.to_owned(),
        }
    }

    #[test]
    fn conditions() {
        let a = attrs("203.0.113.7", "terraform/1.9 scaleway");
        assert!(condition_holds("", &a));
        assert!(condition_holds(
            "inIpRange(request.ip, \"203.0.113.0/24\")",
            &a
        ));
        assert!(!condition_holds(
            "inIpRange(request.ip, '198.51.100.0/24')",
            &a
        ));
        assert!(condition_holds(
            "request.user_agent.contains(\"terraform/\")",
            &a
        ));
        assert!(condition_holds(
            "request.ip == \"203.0.113.7\" && !request.user_agent.startsWith(\"curl\")",
            &a
        ));
        assert!(condition_holds("(false || true) && true", &a));
        // Unsupported or malformed: not satisfied.
        assert!(!condition_holds("request.time.getDayOfWeek() != 0", &a));
        assert!(!condition_holds("inIpRange(request.ip, \"nope\")", &a));
        assert!(!condition_holds("request.ip ==", &a));
    }

    #[test]
    fn catalogue_has_the_sets_our_scenarios_use() {
        for s in [
            "AllProductsReadOnly",
            "AllProductsFullAccess",
            "KubernetesFullAccess",
            "PrivateNetworksFullAccess",
            "VPCFullAccess",
            "InstancesFullAccess",
            "InstancesReadOnly",
            "ObjectStorageFullAccess",
            "ObjectStorageReadOnly",
            "ContainerRegistryReadOnly",
            "ContainerRegistryFullAccess",
            "BlockStorageReadOnly",
            "BlockStorageFullAccess",
            "SecretManagerReadOnly",
            "SecretManagerSecretAccess",
            "IAMReadOnly",
            "IAMManager",
            "ProjectManager",
            "OrganizationManager",
        ] {
            assert!(set_exists(s), "{s}");
        }
        assert_eq!(set_is_organization("IAMManager"), Some(true));
        assert_eq!(set_is_organization("VPCFullAccess"), Some(false));
    }

    #[test]
    fn catalogue_is_the_documented_page() {
        let names: std::collections::BTreeSet<&str> = CATALOGUE.iter().map(|s| s.name).collect();
        assert_eq!(CATALOGUE.len(), 156);
        assert_eq!(names.len(), 156, "a set listed twice");
        assert_eq!(CATALOGUE.iter().filter(|s| s.organization).count(), 26);
        assert!(
            CATALOGUE
                .iter()
                .all(|s| !s.description.is_empty() && !s.category.is_empty())
        );
    }

    #[test]
    fn granular_sets_grant_what_their_descriptions_say() {
        use Action::{Read, Write};
        use Product as P;
        assert!(grants("ObjectStorageBucketsRead", P::ObjectStorage, Read));
        assert!(!grants("ObjectStorageBucketsRead", P::ObjectStorage, Write));
        // Plain Read on Object Storage is a bucket read: the object sets do not grant it.
        assert!(!grants("ObjectStorageObjectsRead", P::ObjectStorage, Read));
        assert!(!grants(
            "ObjectStorageObjectsWrite",
            P::ObjectStorage,
            Write
        ));
        // Keys: applications' for IAMApplication*, users' (read) for IAMUser*, all for IAM*.
        assert!(grants(
            "IAMApplicationManager",
            P::IamApplicationApiKeys,
            Write
        ));
        assert!(!grants("IAMApplicationManager", P::IamApiKeys, Read));
        assert!(!grants("IAMApplicationManager", P::IamUserApiKeys, Read));
        assert!(grants("IAMUserManager", P::IamUserApiKeys, Read));
        assert!(!grants("IAMUserManager", P::IamUserApiKeys, Write));
        assert!(!grants("IAMUserReadOnly", P::IamApiKeys, Read));
        assert!(grants("IAMReadOnly", P::IamApiKeys, Read));
        assert!(grants("IAMManager", P::IamApiKeys, Write));
    }

    #[test]
    fn object_storage_sets_grant_their_own_kind_of_operation() {
        use Action::ObjectStorage as Os;
        use S3Access::{
            BucketDelete, BucketRead, BucketWrite, ObjectDelete, ObjectRead, ObjectWrite,
        };
        let all = [
            BucketRead,
            BucketWrite,
            BucketDelete,
            ObjectRead,
            ObjectWrite,
            ObjectDelete,
        ];
        // set -> the kinds it grants (from the set descriptions).
        let table: &[(&str, &[S3Access])] = &[
            ("ObjectStorageBucketsRead", &[BucketRead]),
            ("ObjectStorageBucketsWrite", &[BucketWrite]),
            ("ObjectStorageBucketsDelete", &[BucketDelete]),
            ("ObjectStorageObjectsRead", &[ObjectRead]),
            ("ObjectStorageObjectsWrite", &[ObjectWrite]),
            ("ObjectStorageObjectsDelete", &[ObjectDelete]),
            ("ObjectStorageReadOnly", &[BucketRead, ObjectRead]),
            ("AllProductsReadOnly", &[BucketRead, ObjectRead]),
            ("ObjectStorageFullAccess", &all),
            ("AllProductsFullAccess", &all),
            ("ObjectStorageBucketPolicyFullAccess", &[]),
            ("InstancesFullAccess", &[]),
            ("IAMManager", &[]),
        ];
        for (set, granted) in table {
            assert!(set_exists(set), "{set}");
            for kind in all {
                assert_eq!(
                    grants(set, Product::ObjectStorage, Os(kind)),
                    granted.contains(&kind),
                    "{set} {kind:?}"
                );
            }
        }
        // The S3 kinds mean nothing on other products.
        assert!(!grants(
            "AllProductsFullAccess",
            Product::Instance,
            Os(ObjectRead)
        ));
        // Plain Read/Write on Object Storage (what the S3 endpoint asks today).
        assert!(grants(
            "ObjectStorageBucketsRead",
            Product::ObjectStorage,
            Action::Read
        ));
        assert!(!grants(
            "ObjectStorageBucketsWrite",
            Product::ObjectStorage,
            Action::Write
        ));
        assert!(grants(
            "ObjectStorageFullAccess",
            Product::ObjectStorage,
            Action::Write
        ));
        assert_eq!(Os(ObjectRead).as_str(), "read");
        assert_eq!(Os(ObjectDelete).as_str(), "write");
    }
}
