//! What each source × locality listing gave: nothing is silently partial.

use std::time::Duration;

use scaleway_core::{Error, Locality, PermissionDenied};
use serde::{Deserialize, Serialize};

use crate::model::object_storage;

/// The outcome of one listing (one source, one project, one locality).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
#[non_exhaustive]
pub enum LocalityStatus {
    /// Listed completely.
    Ok {
        /// Number of resources listed.
        count: u64,
    },
    /// The product does not exist in this locality (skipped, not failed).
    NotAvailable,
    /// The key may not read this product here: 403 (or S3 `AccessDenied`).
    Denied {
        /// The missing `(resource, action)` permissions from the 403 details.
        missing: Vec<PermissionDenied>,
        /// The server's message.
        message: String,
    },
    /// The listing failed (after retries); resources listed before the failure were
    /// still emitted, but the listing is incomplete.
    Failed {
        /// The error, one line.
        error: String,
        /// Resources listed before the failure.
        partial_count: u64,
    },
}

impl LocalityStatus {
    /// Classifies an error of a listing.
    pub fn from_error(error: &Error, partial_count: u64) -> LocalityStatus {
        if scaleway_core::fanout::is_unavailable_here(error) && partial_count == 0 {
            return LocalityStatus::NotAvailable;
        }
        if error.is_permission_denied() {
            let message = error
                .api_error()
                .map(|a| a.message.clone())
                .unwrap_or_default();
            return LocalityStatus::Denied {
                missing: error.permission_denied_details().to_vec(),
                message,
            };
        }
        if let Some(api) = error.api_error()
            && api.status == 403
            && let Some(s3) = object_storage::parse_error(api.body_excerpt.as_bytes())
            && s3.code == "AccessDenied"
        {
            return LocalityStatus::Denied {
                missing: Vec::new(),
                message: format!("{}: {}", s3.code, s3.message),
            };
        }
        // S3 errors are XML: name their code (`SignatureDoesNotMatch`, …).
        let s3 = error
            .api_error()
            .and_then(|a| object_storage::parse_error(a.body_excerpt.as_bytes()));
        let error = match s3 {
            Some(x) => format!("{error}: {}: {}", x.code, x.message),
            None => error.to_string(),
        };
        LocalityStatus::Failed {
            error,
            partial_count,
        }
    }

    /// Whether the listing is complete.
    pub fn is_ok(&self) -> bool {
        matches!(self, LocalityStatus::Ok { .. })
    }

    /// A short name: `ok`, `not_available`, `denied`, `failed`.
    pub fn name(&self) -> &'static str {
        match self {
            LocalityStatus::Ok { .. } => "ok",
            LocalityStatus::NotAvailable => "not_available",
            LocalityStatus::Denied { .. } => "denied",
            LocalityStatus::Failed { .. } => "failed",
        }
    }
}

/// The outcome of one listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LocalityReport {
    /// Source name.
    pub source: String,
    /// Project listed.
    pub project_id: String,
    /// Locality listed.
    pub locality: Locality,
    /// What it gave.
    #[serde(flatten)]
    pub status: LocalityStatus,
}

/// Timing and retries of a sync.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SyncStats {
    /// Wall time of the sync, in milliseconds.
    pub elapsed_ms: u64,
    /// Retries made by the client (rate limits, 5xx, transport errors).
    pub retries: u64,
    /// Total time spent waiting before retries, in milliseconds.
    pub retry_wait_ms: u64,
}

impl SyncStats {
    /// Wall time of the sync.
    pub fn elapsed(&self) -> Duration {
        Duration::from_millis(self.elapsed_ms)
    }

    /// Time spent waiting before retries.
    pub fn retry_wait(&self) -> Duration {
        Duration::from_millis(self.retry_wait_ms)
    }
}
