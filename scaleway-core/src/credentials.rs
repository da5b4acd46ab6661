//! Credentials and identifiers: access keys, secret keys, project and organization IDs.
//!
//! Parsing (`FromStr`) validates the format the official SDKs validate
//! (`scw/client_option.go`, `validation/is.go`): an access key is `SCW` followed by
//! 17 upper-case letters or digits; a secret key, project ID and organization ID are UUIDs.
//!
//! The secret key is a [`SecretKey`]: it never appears in `Debug`, `Display`,
//! serialized output or error messages.
//!
//! ```
//! use scaleway_core::{AccessKey, SecretKey};
//!
//! let access: AccessKey = "SCWXXXXXXXXXXXXXXXXX".parse()?;
//! let secret: SecretKey = "11111111-1111-1111-1111-111111111111".parse()?;
//! assert_eq!(format!("{secret:?}"), "SecretKey([redacted])");
//! assert!(!format!("{secret}").contains("1111"));
//! # let _ = access;
//! # Ok::<(), scaleway_core::InvalidValue>(())
//! ```

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// A value given by the user does not have the expected format.
///
/// The message never contains a secret: for secret keys only the length is shown.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what} {shown} is not valid: expected {expected}")]
#[non_exhaustive]
pub struct InvalidValue {
    /// What was parsed (`access key`, `secret key`, `project ID`, …).
    pub what: &'static str,
    /// The rejected value, quoted, or a redacted description for secrets.
    pub shown: String,
    /// What is accepted.
    pub expected: &'static str,
}

const UUID_EXPECTED: &str = "a UUID like 11111111-1111-1111-1111-111111111111";

/// Whether `s` has the 8-4-4-4-12 hexadecimal UUID form.
#[doc(hidden)]
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// The one normal form of a UUID-shaped ID ([`ProjectId`], [`OrganizationId`], and server
/// data compared with them): lower case. UUIDs are case-insensitive (RFC 9562) and the API
/// sends them in lower case, so an ID typed in upper case names the same project.
pub fn normalize_id(id: &str) -> String {
    id.trim().to_ascii_lowercase()
}

/// An API key's access key ID (`SCW` + 17 upper-case letters or digits), e.g. `SCWXXXXXXXXXXXXXXXXX`.
///
/// Not a secret: it identifies the key in IAM and is the S3 access key ID.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccessKey(String);

impl AccessKey {
    /// The access key as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for AccessKey {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ok = s.len() == 20
            && s.starts_with("SCW")
            && s[3..]
                .bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if ok {
            Ok(AccessKey(s.to_owned()))
        } else {
            Err(InvalidValue {
                what: "access key",
                // A UUID here is most likely the secret key: never print it.
                shown: if is_uuid(s.trim()) {
                    "([redacted]: a UUID, which looks like a secret key)".to_owned()
                } else {
                    format!("`{s}`")
                },
                expected: "`SCW` followed by 17 upper-case letters or digits (20 characters)",
            })
        }
    }
}

impl fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("AccessKey").field(&self.0).finish()
    }
}

impl fmt::Display for AccessKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An API key's secret key (a UUID), sent as `X-Auth-Token`.
///
/// `Debug` and `Display` print `[redacted]`, serialization writes `"[redacted]"`, and there
/// is deliberately no `Deserialize`: a secret key enters the program only through
/// [`FromStr`] or [`SecretKey::new`]. Read it with [`SecretKey::expose_secret`] at the
/// one place it is needed.
#[derive(Clone)]
pub struct SecretKey(SecretString);

impl SecretKey {
    /// Validates and wraps a secret key.
    ///
    /// # Errors
    ///
    /// Returns [`InvalidValue`] when `secret` is not a UUID; the error does not contain it.
    pub fn new(secret: impl Into<String>) -> Result<Self, InvalidValue> {
        let secret: String = secret.into();
        if is_uuid(&secret) {
            Ok(SecretKey(SecretString::from(secret)))
        } else {
            Err(InvalidValue {
                what: "secret key",
                shown: format!("([redacted], {} characters)", secret.chars().count()),
                expected: UUID_EXPECTED,
            })
        }
    }

    /// The secret itself. Only call this where the secret must be sent (auth header,
    /// request signing).
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl Eq for SecretKey {}

impl FromStr for SecretKey {
    type Err = InvalidValue;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SecretKey::new(s)
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Serialize for SecretKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("[redacted]")
    }
}

/// Declares an ID type of the API: a UUID-shaped identifier the API sends and takes back
/// (`ProjectId`, IAM's `ApplicationId`, the registry's `ImageId`…), the one way every
/// `scaleway-*` crate declares them.
///
/// The type is a newtype over a `String`:
///
/// * `FromStr` validates the UUID form (user input) and lower-cases it
///   ([`normalize_id`]), with an [`InvalidValue`] error naming what was expected;
/// * `Deserialize` accepts what the server sends (lenient: any string, lower-cased), and
///   `Serialize` writes the string (serde-transparent);
/// * `Display`, `AsRef<str>`, [`as_str`](ProjectId::as_str), `Into<String>`, `Eq`, `Ord`,
///   `Hash`;
/// * `Default` is the **empty** ID: what a response that omits the field decodes to. It is
///   never valid input ([`is_empty`](ProjectId::is_empty) tells it), and an empty path
///   parameter is refused before anything is sent.
///
/// ```
/// scaleway_core::uuid_id! {
///     /// A widget ID (UUID).
///     pub struct WidgetId("widget ID");
/// }
///
/// let id: WidgetId = "ABCDEF01-1111-1111-1111-111111111111".parse()?;
/// assert_eq!(id.as_str(), "abcdef01-1111-1111-1111-111111111111");
/// assert!("widget-1".parse::<WidgetId>().is_err());
/// let from_server: WidgetId = serde_json::from_str("\"w-1\"").unwrap();
/// assert_eq!(from_server.to_string(), "w-1");
/// assert_eq!(WidgetId::from_server("W-1"), WidgetId::from_server("w-1"));
/// # Ok::<(), scaleway_core::InvalidValue>(())
/// ```
#[macro_export]
macro_rules! uuid_id {
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident($what:literal);
    ) => {
        $(#[$meta])*
        ///
        /// `FromStr` validates the UUID form (user input); `Deserialize` accepts what the
        /// server sends. Both lower-case it (`scaleway_core::normalize_id`), so IDs
        /// compare equal whatever case they were typed or sent in. `Default` is the empty
        /// ID (a response without the field), never valid input.
        #[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis struct $name(::std::string::String);

        impl $name {
            /// The ID as a string.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Whether the ID is empty (a response that did not name one).
            pub fn is_empty(&self) -> bool {
                self.0.is_empty()
            }

            /// The ID as server data carries it (a field read outside serde, a stored
            /// document): lower-cased, never refused, as `Deserialize` reads it. User
            /// input goes through `FromStr`, which validates.
            pub fn from_server(s: &str) -> Self {
                $name($crate::normalize_id(s))
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::InvalidValue;

            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                if $crate::__private::is_uuid(s) {
                    ::std::result::Result::Ok($name($crate::normalize_id(s)))
                } else {
                    ::std::result::Result::Err($crate::__private::invalid_uuid($what, s))
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::convert::From<$name> for ::std::string::String {
            fn from(id: $name) -> ::std::string::String {
                id.0
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(d)?;
                ::std::result::Result::Ok($name::from_server(&s))
            }
        }
    };
}

/// The error of an ID that is not a UUID (used by [`uuid_id!`]).
#[doc(hidden)]
pub fn invalid_uuid(what: &'static str, s: &str) -> InvalidValue {
    InvalidValue {
        what,
        shown: format!("`{s}`"),
        expected: UUID_EXPECTED,
    }
}

uuid_id! {
    /// A project ID (UUID).
    pub struct ProjectId("project ID");
}

uuid_id! {
    /// An organization ID (UUID).
    pub struct OrganizationId("organization ID");
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "d6f3a1f2-5b1e-4c4e-9a53-0c1f2e3d4b5a";

    #[test]
    fn access_key_format() {
        assert!("SCWXXXXXXXXXXXXXXXXX".parse::<AccessKey>().is_ok());
        assert!("SCW0123456789ABCDEFG".parse::<AccessKey>().is_ok());
        for bad in [
            "",
            "SCW",
            "SCWxxxxxxxxxxxxxxxxx",
            "ABCXXXXXXXXXXXXXXXXX",
            "SCWXXXXXXXXXXXXXXXXXX",
            "SCWXXXXXXXXXXXXXXXX",
            "SCWXXXXXXXXXXXXXXXXX@11111111-1111-1111-1111-111111111111",
        ] {
            let e = bad.parse::<AccessKey>().unwrap_err();
            assert!(e.to_string().contains("17 upper-case"), "{e}");
        }
        let e = SECRET.parse::<AccessKey>().unwrap_err().to_string();
        assert!(!e.contains("d6f3a1f2"), "{e}");
    }

    #[test]
    fn secret_never_printed() {
        let s: SecretKey = SECRET.parse().unwrap();
        assert_eq!(s.expose_secret(), SECRET);
        for out in [
            format!("{s:?}"),
            format!("{s}"),
            format!("{s:#?}"),
            serde_json::to_string(&s).unwrap(),
        ] {
            assert!(!out.contains("d6f3a1f2"), "{out}");
        }
        let bad = format!("{SECRET}x");
        let e = SecretKey::new(bad.clone()).unwrap_err();
        assert!(!e.to_string().contains("d6f3a1f2"), "{e}");
        assert!(!format!("{e:?}").contains("d6f3a1f2"), "{e:?}");
        assert!(e.to_string().contains("37 characters"), "{e}");
    }

    #[test]
    fn ids() {
        assert!(
            "11111111-1111-1111-1111-111111111111"
                .parse::<ProjectId>()
                .is_ok()
        );
        assert!(
            "ABCDEF01-1111-1111-1111-111111111111"
                .parse::<OrganizationId>()
                .is_ok()
        );
        // Parsed in lower case, from user input and from server data alike.
        let upper = "ABCDEF01-1111-1111-1111-11111111111A";
        assert_eq!(
            upper.parse::<ProjectId>().unwrap().as_str(),
            "abcdef01-1111-1111-1111-11111111111a"
        );
        assert_eq!(
            upper.parse::<ProjectId>().unwrap(),
            upper.to_ascii_lowercase().parse::<ProjectId>().unwrap()
        );
        let from_server: OrganizationId = serde_json::from_str(&format!("\"{upper}\"")).unwrap();
        assert_eq!(from_server.as_str(), "abcdef01-1111-1111-1111-11111111111a");
        let e = "prod".parse::<ProjectId>().unwrap_err().to_string();
        assert_eq!(
            e,
            "project ID `prod` is not valid: expected a UUID like 11111111-1111-1111-1111-111111111111"
        );
        assert!(
            "11111111-1111-1111-1111-11111111111g"
                .parse::<ProjectId>()
                .is_err()
        );
        assert!(
            "111111111111-1111-1111-1111-11111111"
                .parse::<ProjectId>()
                .is_err()
        );
    }
}
