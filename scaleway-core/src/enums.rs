//! String enums that tolerate values the server adds later.
//!
//! Every enum a Scaleway API sends is declared with [`string_enum!`](crate::string_enum):
//! known values become variants, anything else becomes `Unknown(String)` and round-trips
//! unchanged, so a new server value never breaks parsing.

/// Declares a string enum with an `Unknown(String)` fallback, `as_str`, `Display`,
/// `FromStr` (infallible), and serde support.
///
/// ```
/// scaleway_core::string_enum! {
///     /// State of a thing.
///     pub enum ThingState {
///         /// Running.
///         Running = "running",
///         /// Stopped in place (note the spaces).
///         StoppedInPlace = "stopped in place",
///     }
/// }
///
/// let s: ThingState = serde_json::from_str("\"stopped in place\"")?;
/// assert_eq!(s, ThingState::StoppedInPlace);
/// let new: ThingState = serde_json::from_str("\"hibernating\"")?;
/// assert_eq!(new, ThingState::Unknown("hibernating".into()));
/// assert_eq!(serde_json::to_string(&new)?, "\"hibernating\"");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[macro_export]
macro_rules! string_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $value:literal
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        $vis enum $name {
            $(
                $(#[$vmeta])*
                $variant,
            )+
            /// A value this version does not know, kept as sent.
            Unknown(::std::string::String),
        }

        impl $name {
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $value, )+
                    $name::Unknown(s) => s,
                }
            }

            /// Every known value.
            pub const KNOWN: &'static [&'static str] = &[$($value),+];
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(match s {
                    $( $value => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                })
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                match s.parse() {
                    ::std::result::Result::Ok(v) => v,
                    ::std::result::Result::Err(e) => match e {},
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, s: S) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(d)?;
                ::std::result::Result::Ok($name::from(s.as_str()))
            }
        }
    };
}

#[cfg(test)]
#[allow(unreachable_pub)]
mod tests {
    crate::string_enum! {
        /// Test enum.
        pub enum Color {
            /// Red.
            Red = "red",
            /// Dark blue.
            DarkBlue = "dark blue",
        }
    }

    #[test]
    fn round_trip() {
        for (text, v) in [
            ("\"red\"", Color::Red),
            ("\"dark blue\"", Color::DarkBlue),
            ("\"green\"", Color::Unknown("green".into())),
            ("\"\"", Color::Unknown(String::new())),
        ] {
            let parsed: Color = serde_json::from_str(text).unwrap();
            assert_eq!(parsed, v);
            assert_eq!(serde_json::to_string(&parsed).unwrap(), text);
        }
        assert_eq!(Color::KNOWN, &["red", "dark blue"]);
        assert_eq!(Color::DarkBlue.to_string(), "dark blue");
    }
}
