//! Small helpers: deterministic ids, timestamps, query strings.

use chrono::{DateTime, SecondsFormat, TimeZone, Utc};
use serde::Serializer;

/// A timestamp: microseconds since the Unix epoch (UTC).
pub(crate) type Ts = i64;

/// Deterministic random source used by the scenarios and the fault injector.
#[derive(Debug, Clone)]
pub(crate) struct Rng(fastrand::Rng);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(fastrand::Rng::with_seed(seed))
    }

    /// A random version-4 UUID (lowercase, hyphenated), like the ones the real API hands out.
    pub(crate) fn uuid(&mut self) -> String {
        let mut b = [0u8; 16];
        for x in &mut b {
            *x = self.0.u8(..);
        }
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        format_uuid(&b)
    }

    /// An access key: `SCW` + 17 uppercase letters or digits.
    pub(crate) fn access_key(&mut self) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        let mut s = String::with_capacity(20);
        s.push_str("SCW");
        for _ in 0..17 {
            s.push(char::from(ALPHABET[self.0.usize(..ALPHABET.len())]));
        }
        s
    }

    pub(crate) fn usize(&mut self, range: std::ops::Range<usize>) -> usize {
        self.0.usize(range)
    }

    pub(crate) fn u64(&mut self, range: std::ops::Range<u64>) -> u64 {
        self.0.u64(range)
    }

    pub(crate) fn u8(&mut self) -> u8 {
        self.0.u8(..)
    }

    /// Microseconds to add to a timestamp so that generated dates look real.
    pub(crate) fn jitter_micros(&mut self) -> i64 {
        i64::from(self.0.u32(0..999_999))
    }
}

fn format_uuid(b: &[u8; 16]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(36);
    for (i, byte) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        let _ = write!(s, "{byte:02x}");
    }
    s
}

/// A UUID derived from a 64-bit value (used for request ids): cheap and unique per value.
pub(crate) fn uuid_from_u64(seed: u64, n: u64) -> String {
    let a = splitmix(seed ^ n);
    let b = splitmix(a ^ n.rotate_left(17));
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&a.to_le_bytes());
    bytes[8..].copy_from_slice(&b.to_le_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    format_uuid(&bytes)
}

/// SplitMix64 finaliser: a good 64-bit mixing function.
pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// `true` if `s` is a UUID in the canonical 8-4-4-4-12 hexadecimal form (any case).
pub(crate) fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `true` if `s` looks like an access key (`SCW` + 17 uppercase letters or digits).
pub(crate) fn is_access_key(s: &str) -> bool {
    s.len() == 20
        && s.starts_with("SCW")
        && s.bytes()
            .skip(3)
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// The current time.
pub(crate) fn now() -> Ts {
    Utc::now().timestamp_micros()
}

fn to_dt(ts: Ts) -> DateTime<Utc> {
    Utc.timestamp_micros(ts).single().unwrap_or_default()
}

/// `2025-09-05T15:46:42.395012Z` (most APIs).
pub(crate) fn fmt_z(ts: Ts) -> String {
    to_dt(ts).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `2026-02-24T11:29:06.723007+00:00` (Instance).
pub(crate) fn fmt_offset(ts: Ts) -> String {
    to_dt(ts).to_rfc3339_opts(SecondsFormat::Micros, false)
}

/// Parses an RFC 3339 timestamp (any offset, any precision).
pub(crate) fn parse_ts(s: &str) -> Option<Ts> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc).timestamp_micros())
}

/// Serde helper: a timestamp with a `Z` suffix.
pub(crate) fn ser_z<S: Serializer>(ts: &Ts, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&fmt_z(*ts))
}

/// Serde helper: a nullable timestamp with a `Z` suffix.
pub(crate) fn ser_opt_z<S: Serializer>(ts: &Option<Ts>, s: S) -> Result<S::Ok, S::Error> {
    match ts {
        Some(t) => s.serialize_str(&fmt_z(*t)),
        None => s.serialize_none(),
    }
}

/// Serde helper: a timestamp with a `+00:00` suffix (Instance).
pub(crate) fn ser_off<S: Serializer>(ts: &Ts, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&fmt_offset(*ts))
}

/// Decoded query string: the pairs in order, repeated keys kept.
#[derive(Debug, Default, Clone)]
pub(crate) struct Query(pub(crate) Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        match raw {
            None => Self::default(),
            Some(q) => Self(
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect(),
            ),
        }
    }

    /// The first value of `key`, if present and non-empty.
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    /// Every non-empty value of `key` (repeated keys).
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| k == key && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// A boolean as Go's `strconv.ParseBool` reads it (the real API gateway is written in Go):
/// `1`, `t`, `T`, `TRUE`, `true`, `True` are true; `0`, `f`, `F`, `FALSE`, `false`, `False`
/// are false; anything else (`yes`, `tRUE`, ` true`) is not a boolean. Scaleway's Python SDK
/// sends `False`/`True` (Python's `str(bool)`), the Go and JS SDKs `false`/`true`.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_parse_like_go_strconv_parse_bool() {
        for t in ["1", "t", "T", "TRUE", "true", "True"] {
            assert_eq!(parse_bool(t), Some(true), "{t}");
        }
        for f in ["0", "f", "F", "FALSE", "false", "False"] {
            assert_eq!(parse_bool(f), Some(false), "{f}");
        }
        for bad in [
            "", "yes", "no", "tRUE", "fALSE", "2", " true", "true ", "on", "null",
        ] {
            assert_eq!(parse_bool(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn uuid_and_keys_have_the_real_formats() {
        let mut r = Rng::new(1);
        let u = r.uuid();
        assert!(is_uuid(&u), "{u}");
        assert_eq!(&u[14..15], "4");
        let k = r.access_key();
        assert!(is_access_key(&k), "{k}");
        assert!(is_uuid(&uuid_from_u64(3, 4)));
        assert!(!is_uuid("not-a-uuid"));
    }

    #[test]
    fn timestamps_use_both_styles() {
        let ts = 1_757_087_202_395_012;
        assert_eq!(fmt_z(ts), "2025-09-05T15:46:42.395012Z");
        assert_eq!(fmt_offset(ts), "2025-09-05T15:46:42.395012+00:00");
        assert_eq!(parse_ts("2025-09-05T17:46:42.395012+02:00"), Some(ts));
    }
}
