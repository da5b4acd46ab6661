//! [`Id`]: a server-sent ID in 24 bytes and no allocation when it is a canonical UUID.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Length of a canonical UUID's text (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`).
const UUID_LEN: usize = 36;
/// Where the hyphens of a canonical UUID are.
const HYPHENS: [usize; 4] = [8, 13, 18, 23];
const HEX: &[u8; 16] = b"0123456789abcdef";

/// The ID of a product resource as the server sent it (`Server::id`, a Block volume's,
/// a reference's `product_resource_id`, …), kept compact: a canonical lower-case UUID
/// (`3fa85f64-5717-4562-b3fc-2c963f66afa6`, what Scaleway sends) is held as its 16 bytes
/// inline, anything else exactly as sent, in a boxed string. A `String` would take 24
/// bytes and a 48-byte heap block for every UUID; a snapshot of 100 000 resources holds
/// several IDs per resource.
///
/// It reads back as the same text: [`Display`](fmt::Display), [`Id::to_str`] (a `&str`
/// without allocating), `String::from`, and JSON (a string, byte for byte as read).
/// It compares with `str` and `String` and orders as its text does.
///
/// ```
/// use scaleway_inventory::model::Id;
///
/// let id: Id = "3fa85f64-5717-4562-b3fc-2c963f66afa6".into();
/// assert!(id.is_uuid());
/// assert_eq!(id, "3fa85f64-5717-4562-b3fc-2c963f66afa6");
/// assert_eq!(id.to_string(), "3fa85f64-5717-4562-b3fc-2c963f66afa6");
/// let other = Id::new("fr-par-1/3FA85F64"); // not a canonical UUID: kept as sent
/// assert!(!other.is_uuid());
/// assert_eq!(&*other.to_str(), "fr-par-1/3FA85F64");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Id(Repr);

/// The canonical UUIDs only in `Uuid`: equal texts have equal representations.
#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Uuid([u8; 16]),
    Other(Box<str>),
}

/// The value of a lower-case hex digit.
fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// The 16 bytes of a canonical lower-case UUID, `None` for any other text.
fn parse_uuid(s: &str) -> Option<[u8; 16]> {
    let b = s.as_bytes();
    if b.len() != UUID_LEN || HYPHENS.iter().any(|&i| b.get(i) != Some(&b'-')) {
        return None;
    }
    let mut out = [0u8; 16];
    let mut digits = b
        .iter()
        .enumerate()
        .filter(|(i, _)| !HYPHENS.contains(i))
        .map(|(_, &c)| hex_value(c));
    for byte in &mut out {
        let (hi, lo) = (digits.next()??, digits.next()??);
        *byte = (hi << 4) | lo;
    }
    Some(out)
}

/// The text of a UUID's 16 bytes.
fn format_uuid(bytes: &[u8; 16]) -> [u8; UUID_LEN] {
    let mut out = [b'-'; UUID_LEN];
    let mut positions = (0..UUID_LEN).filter(|i| !HYPHENS.contains(i));
    for byte in bytes {
        for nibble in [byte >> 4, byte & 0x0f] {
            if let (Some(i), Some(&c)) = (positions.next(), HEX.get(usize::from(nibble)))
                && let Some(slot) = out.get_mut(i)
            {
                *slot = c;
            }
        }
    }
    out
}

impl Id {
    /// `s`, kept as 16 bytes when it is a canonical lower-case UUID, as is otherwise.
    pub fn new(s: &str) -> Id {
        match parse_uuid(s) {
            Some(bytes) => Id(Repr::Uuid(bytes)),
            None => Id(Repr::Other(Box::from(s))),
        }
    }

    /// Whether it is a canonical lower-case UUID (held in 16 bytes).
    pub fn is_uuid(&self) -> bool {
        matches!(self.0, Repr::Uuid(_))
    }

    /// Whether it is empty (the server sent none).
    pub fn is_empty(&self) -> bool {
        matches!(&self.0, Repr::Other(s) if s.is_empty())
    }

    /// The text, without allocating: an [`IdStr`] reads as a `&str` (`&*id.to_str()`).
    pub fn to_str(&self) -> IdStr<'_> {
        match &self.0 {
            Repr::Uuid(bytes) => IdStr(IdStrRepr::Uuid(format_uuid(bytes))),
            Repr::Other(s) => IdStr(IdStrRepr::Other(s)),
        }
    }
}

/// The text of an [`Id`] ([`Id::to_str`]): a `&str` through [`Deref`].
#[derive(Clone, Copy)]
pub struct IdStr<'a>(IdStrRepr<'a>);

#[derive(Clone, Copy)]
enum IdStrRepr<'a> {
    Uuid([u8; UUID_LEN]),
    Other(&'a str),
}

impl Deref for IdStr<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        match &self.0 {
            // Hex digits and hyphens: always UTF-8.
            IdStrRepr::Uuid(text) => std::str::from_utf8(text).unwrap_or_default(),
            IdStrRepr::Other(s) => s,
        }
    }
}

impl AsRef<str> for IdStr<'_> {
    fn as_ref(&self) -> &str {
        self
    }
}

impl fmt::Debug for IdStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for IdStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl Default for Id {
    /// The empty ID.
    fn default() -> Self {
        Id(Repr::Other(Box::from("")))
    }
}

impl Ord for Id {
    /// As the texts order.
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            // Hex digits order as their values: the bytes order as the texts.
            (Repr::Uuid(a), Repr::Uuid(b)) => a.cmp(b),
            _ => (*self.to_str()).cmp(&*other.to_str()),
        }
    }
}

impl PartialOrd for Id {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for Id {
    /// As the text hashes (so an `Id` and its `str` hash alike).
    fn hash<H: Hasher>(&self, state: &mut H) {
        (*self.to_str()).hash(state);
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.to_str(), f)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str())
    }
}

impl FromStr for Id {
    type Err = std::convert::Infallible;
    /// Any text is an ID (server data is kept as sent).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Id::new(s))
    }
}

impl From<&str> for Id {
    fn from(s: &str) -> Self {
        Id::new(s)
    }
}

impl From<String> for Id {
    fn from(s: String) -> Self {
        match parse_uuid(&s) {
            Some(bytes) => Id(Repr::Uuid(bytes)),
            None => Id(Repr::Other(s.into_boxed_str())),
        }
    }
}

impl From<&String> for Id {
    fn from(s: &String) -> Self {
        Id::new(s)
    }
}

impl From<Id> for String {
    fn from(id: Id) -> Self {
        match id.0 {
            Repr::Other(s) => s.into_string(),
            Repr::Uuid(_) => id.to_string(),
        }
    }
}

impl From<&Id> for String {
    fn from(id: &Id) -> Self {
        id.to_str().to_string()
    }
}

impl<'a> From<&'a Id> for std::borrow::Cow<'a, str> {
    /// Borrowed when the ID is held as text, owned (formatted) for a UUID.
    fn from(id: &'a Id) -> Self {
        match &id.0 {
            Repr::Uuid(_) => std::borrow::Cow::Owned(id.to_string()),
            Repr::Other(s) => std::borrow::Cow::Borrowed(s),
        }
    }
}

impl PartialEq<str> for Id {
    fn eq(&self, other: &str) -> bool {
        match &self.0 {
            Repr::Uuid(bytes) => parse_uuid(other).is_some_and(|o| o == *bytes),
            Repr::Other(s) => **s == *other,
        }
    }
}

impl PartialEq<&str> for Id {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

impl PartialEq<String> for Id {
    fn eq(&self, other: &String) -> bool {
        *self == **other
    }
}

impl PartialEq<Id> for str {
    fn eq(&self, other: &Id) -> bool {
        *other == *self
    }
}

impl PartialEq<Id> for &str {
    fn eq(&self, other: &Id) -> bool {
        *other == **self
    }
}

impl PartialEq<Id> for String {
    fn eq(&self, other: &Id) -> bool {
        *other == **self
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_str())
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Text;
        impl serde::de::Visitor<'_> for Text {
            type Value = Id;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ID (a string)")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Id, E> {
                Ok(Id::new(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Id, E> {
                Ok(Id::from(v))
            }
        }
        d.deserialize_str(Text)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::hash_map::DefaultHasher;

    use super::*;

    const U: &str = "3fa85f64-5717-4562-b3fc-2c963f66afa6";

    fn hash_of<T: Hash + ?Sized>(v: &T) -> u64 {
        let mut h = DefaultHasher::new();
        v.hash(&mut h);
        h.finish()
    }

    #[test]
    fn a_canonical_uuid_is_16_bytes_and_reads_back_as_sent() {
        assert_eq!(std::mem::size_of::<Id>(), 24);
        let id = Id::new(U);
        assert!(id.is_uuid() && !id.is_empty());
        assert_eq!(id, U);
        assert_eq!(U, id);
        assert_eq!(id, U.to_owned());
        assert_eq!(&*id.to_str(), U);
        assert_eq!(id.to_string(), U);
        assert_eq!(format!("{id:?}"), format!("{U:?}"));
        assert_eq!(String::from(id.clone()), U);
        assert_eq!(serde_json::to_string(&id).unwrap(), format!("\"{U}\""));
        let back: Id = serde_json::from_str(&format!("\"{U}\"")).unwrap();
        assert_eq!(back, id);
        assert_eq!(hash_of(&id), hash_of(U));
        assert_ne!(id, "3fa85f64-5717-4562-b3fc-2c963f66afa7");
    }

    #[test]
    fn anything_else_is_kept_exactly() {
        for s in [
            "",
            "3FA85F64-5717-4562-B3FC-2C963F66AFA6",
            "3fa85f64571745623b3fc2c963f66afa6",
            "3fa85f64-5717-4562-b3fc-2c963f66afa",
            "3fa85f64-5717-4562-b3fc-2c963f66afa6 ",
            "3fa85f64+5717-4562-b3fc-2c963f66afa6",
            "3fa85f64-5717-4562-b3fc-2c963f66afag",
            "bucket-name",
            "é-ü-😀-3fa85f64-5717",
        ] {
            let id: Id = serde_json::from_value(serde_json::json!(s)).unwrap();
            assert!(!id.is_uuid(), "{s}");
            assert_eq!(id, s);
            assert_eq!(id.to_string(), s);
            assert_eq!(serde_json::to_value(&id).unwrap(), s);
            assert_ne!(id, U);
            assert_ne!(Id::new(U), s);
        }
        assert!(Id::default().is_empty());
        assert_eq!(Id::default(), "");
    }

    #[test]
    fn ids_order_as_their_texts() {
        let mut texts = vec![
            U,
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            "3fa85f64-5717-4562-b3fc-2c963f66afa",
            "3fa85f64-5717-4562-b3fc-2c963f66afa6-x",
            "3fa85f64-5717-4562-b3fc-2c963f66afb0",
            "3fa85f64-5717-4562-b3fc-2c963f66afa0",
            "a",
            "Z",
            "",
        ];
        let mut ids: Vec<Id> = texts.iter().map(|s| Id::new(s)).collect();
        texts.sort_unstable();
        ids.sort();
        let back: Vec<String> = ids.iter().map(String::from).collect();
        assert_eq!(back, texts);
    }

    #[test]
    fn an_id_from_a_string_is_the_same_as_from_a_str() {
        assert_eq!(Id::from(U.to_owned()), Id::new(U));
        assert!(Id::from(U.to_owned()).is_uuid());
        assert_eq!(Id::from("x".to_owned()), Id::new("x"));
        assert_eq!(U.parse::<Id>().unwrap(), Id::new(U));
    }
}
