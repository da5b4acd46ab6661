//! SigV4 signing for Object Storage (feature `s3`), with the aws-sigv4 crate.
//!
//! Scaleway's S3 endpoints take the API key's access key as the SigV4 access key id and
//! its secret key as the signing secret; the region is the Scaleway region (`fr-par`) and
//! the service `s3`. Signing with `ACCESS_KEY@PROJECT_ID` selects the project whose
//! buckets are listed, whatever the key's preferred project.
//!
//! ```no_run
//! # async fn run(client: scaleway_core::Client) -> Result<(), scaleway_core::Error> {
//! use std::sync::Arc;
//! use scaleway_core::{Method, Region, s3::SigV4Signer};
//!
//! let signer = SigV4Signer::for_client(&client, &Region::FrPar, client.default_project_id().ok())?;
//! let url = url::Url::parse("https://s3.fr-par.scw.cloud/").expect("a valid URL");
//! let listing = client
//!     .request_url(Method::Get, url, "s3:ListBuckets")
//!     .signer(Arc::new(signer))
//!     .send_raw()
//!     .await?;
//! # let _ = listing; Ok(()) }
//! ```

use std::fmt;
use std::time::SystemTime;

use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;

use crate::{Client, Error, ProjectId, Region, RequestSigner, SecretKey, SignableRequest};

/// Signs S3 requests with SigV4: region in the credential scope, service `s3`, payload hash
/// in `x-amz-content-sha256`. `Debug` never shows the secret.
#[derive(Clone)]
pub struct SigV4Signer {
    access_key_id: String,
    secret_key: SecretKey,
    region: String,
}

impl SigV4Signer {
    /// A signer for `access_key_id` (an access key, or `ACCESS_KEY@PROJECT_ID`).
    pub fn new(access_key_id: impl Into<String>, secret_key: SecretKey, region: &Region) -> Self {
        SigV4Signer {
            access_key_id: access_key_id.into(),
            secret_key,
            region: region.as_str().to_owned(),
        }
    }

    /// A signer with the client's credentials, for `project` when given
    /// (`ACCESS_KEY@PROJECT_ID`), else for the key's preferred project.
    ///
    /// # Errors
    ///
    /// A configuration error naming what to set when the client has no access key or no
    /// secret key.
    pub fn for_client(
        client: &Client,
        region: &Region,
        project: Option<&ProjectId>,
    ) -> Result<Self, Error> {
        let access = client.access_key()?;
        let secret = client.config().require_secret_key()?.clone();
        let id = match project {
            Some(p) => format!("{access}@{p}"),
            None => access.to_string(),
        };
        Ok(SigV4Signer::new(id, secret, region))
    }

    /// The access key id signed with.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }
}

impl fmt::Debug for SigV4Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigV4Signer")
            .field("access_key_id", &self.access_key_id)
            .field("secret_key", &"[redacted]")
            .field("region", &self.region)
            .finish()
    }
}

impl RequestSigner for SigV4Signer {
    fn sign(&self, request: SignableRequest<'_>) -> Result<(), Error> {
        let identity = aws_credential_types::Credentials::new(
            &self.access_key_id,
            self.secret_key.expose_secret(),
            None,
            None,
            "scaleway",
        )
        .into();
        let mut settings = SigningSettings::default();
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("s3")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .map_err(|e| Error::invalid_request(format!("SigV4 parameters: {e}")))?
            .into();
        let existing: Vec<(String, String)> = request.headers.clone();
        let signable = aws_sigv4::http_request::SignableRequest::new(
            request.method.as_str(),
            request.url.as_str(),
            existing.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(request.body),
        )
        .map_err(|e| Error::invalid_request(format!("cannot sign the S3 request: {e}")))?;
        let (instructions, _signature) = sign(signable, &params)
            .map_err(|e| Error::invalid_request(format!("cannot sign the S3 request: {e}")))?
            .into_parts();
        for (name, value) in instructions.headers() {
            request
                .headers
                .push((name.to_ascii_lowercase(), value.to_owned()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_with_scope_and_never_prints_the_secret() {
        let secret: SecretKey = "5e1d7c0a-9b8f-4c3d-a2e1-0f9e8d7c6b5a".parse().unwrap();
        let s = SigV4Signer::new(
            "SCWXXXXXXXXXXXXXXXXX@11111111-1111-1111-1111-111111111111",
            secret,
            &Region::NlAms,
        );
        assert!(!format!("{s:?}").contains("5e1d7c0a"));
        let url = url::Url::parse("https://s3.nl-ams.scw.cloud/?x-id=ListBuckets").unwrap();
        let mut headers = vec![("host".to_owned(), "s3.nl-ams.scw.cloud".to_owned())];
        s.sign(SignableRequest {
            method: crate::Method::Get,
            url: &url,
            headers: &mut headers,
            body: b"",
        })
        .unwrap();
        let auth = &headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .unwrap()
            .1;
        assert!(auth.starts_with("AWS4-HMAC-SHA256 Credential=SCWXXXXXXXXXXXXXXXXX@11111111-1111-1111-1111-111111111111/"), "{auth}");
        assert!(auth.contains("/nl-ams/s3/aws4_request"), "{auth}");
        assert!(!auth.contains("5e1d7c0a"));
        assert!(headers.iter().any(|(k, _)| k == "x-amz-date"));
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "x-amz-content-sha256" && v.len() == 64)
        );
    }
}
