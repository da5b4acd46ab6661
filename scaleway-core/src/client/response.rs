//! Responses: the raw [`Response`], JSON decoding with the failing path, and redacted
//! body excerpts.

use std::fmt;

use serde::de::DeserializeOwned;

use crate::error::{DecodeError, Error, ErrorKind, excerpt};

/// A successful raw response. `Debug` shows the body's length, not its content (some
/// bodies carry secrets: a created API key, a secret version).
#[derive(Clone)]
pub struct Response {
    pub(super) status: u16,
    pub(super) headers: Vec<(String, String)>,
    pub(super) body: bytes::Bytes,
    pub(super) attempts: u32,
}

impl fmt::Debug for Response {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl Response {
    /// HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The first value of a header (case-insensitive name).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header, names in lower case.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// How many attempts it took.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Decodes the body as JSON; a failure names the JSON path of the field.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Decode`].
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, Error> {
        decode_json(self.status, self.header("x-request-id"), &self.body)
            .map_err(|e| e.with_attempts(self.attempts))
    }
}

pub(crate) fn decode_json<T: DeserializeOwned>(
    status: u16,
    request_id: Option<&str>,
    body: &[u8],
) -> Result<T, Error> {
    // An empty body (204, DELETE) decodes as JSON `null`, so `()` and `Option<T>` work.
    let body_for_decode: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"null"
    } else {
        body
    };
    let de = &mut serde_json::Deserializer::from_slice(body_for_decode);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::new(ErrorKind::Decode(DecodeError {
            path,
            message: e.into_inner().to_string(),
            status,
            request_id: request_id.map(str::to_owned),
            body_excerpt: redacted_excerpt(body),
        }))
    })
}

/// The excerpt of a successful body kept in a decode error, with secrets masked: the values
/// of `secret_key`, `data`, `password` and `token` members, and UUID-shaped words.
pub(crate) fn redacted_excerpt(body: &[u8]) -> String {
    fn mask(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                for (k, v) in m.iter_mut() {
                    if matches!(k.as_str(), "secret_key" | "data" | "password" | "token")
                        && !v.is_null()
                    {
                        *v = serde_json::Value::String("[redacted]".into());
                    } else {
                        mask(v);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(mask),
            _ => {}
        }
    }
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut v) => {
            mask(&mut v);
            v.to_string().into_bytes()
        }
        Err(_) => body.to_vec(),
    };
    crate::config::mask_uuids(&excerpt(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_names_path() {
        #[derive(serde::Deserialize, Debug)]
        struct S {
            #[allow(dead_code)]
            items: Vec<Item>,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Item {
            #[allow(dead_code)]
            size: u64,
        }
        let e = decode_json::<S>(200, Some("rid"), br#"{"items":[{"size":1},{"size":"x"}]}"#)
            .unwrap_err();
        let ErrorKind::Decode(d) = e.kind() else {
            panic!("{e:?}")
        };
        assert_eq!(d.path, "items[1].size");
        assert_eq!(d.request_id.as_deref(), Some("rid"));
        assert!(decode_json::<()>(204, None, b"").is_ok());
    }
}
