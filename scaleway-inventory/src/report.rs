//! What each source × locality listing gave: nothing is silently partial.

use std::time::Duration;

use scaleway_core::{
    ClientStats, Error, ErrorKind, ListingReport, Locality, PermissionDenied, ProjectId,
};
use serde::{Deserialize, Serialize};

use crate::model::object_storage;
use crate::sources::SourceName;

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
    /// The product does not exist in this locality, or cannot be reached there with this
    /// configuration (skipped, not failed; no request was sent, or the API said so).
    NotAvailable {
        /// Why, when there is more to say than "the product does not exist here" (e.g. a
        /// custom Object Storage endpoint that serves another region, and how to list this
        /// one).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// The key may not read this product here: 403 (or S3 `AccessDenied`).
    Denied {
        /// The missing `(resource, action)` permissions from the 403 details.
        missing: Vec<PermissionDenied>,
        /// The server's message.
        message: String,
    },
    /// Listed, but the collection kept changing while it was read: after the paginator's
    /// bound of passes ([`scaleway_core::DEFAULT_MAX_PASSES`]), some resources that existed
    /// during the whole listing may be missing (the listing's `reads` say what was re-read).
    /// The resources listed were emitted, once each; a sync later usually completes.
    Incomplete {
        /// Number of resources listed.
        count: u64,
        /// How many resources the last pass could not account for.
        possibly_missing: u64,
    },
    /// The listing failed (after retries); resources listed before the failure were
    /// still emitted, but the listing is incomplete.
    Failed {
        /// The error, one line.
        error: String,
        /// What kind of error it was (`timeout`, `transport`, `api`, …).
        #[serde(default)]
        kind: FailureKind,
        /// Resources listed before the failure.
        partial_count: u64,
    },
}

/// What kind of error ended a listing (from [`scaleway_core::ErrorKind`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FailureKind {
    /// The API answered an error (5xx after retries, 429 after retries, an S3 error…).
    Api,
    /// The key itself was refused (401 `denied_authentication`: unknown, revoked or expired
    /// key): no listing of this key can succeed.
    Authentication,
    /// An attempt timed out (after retries).
    Timeout,
    /// The connection failed or broke (after retries).
    Transport,
    /// An answer could not be decoded.
    Decode,
    /// The configuration is missing something.
    Config,
    /// The request could not be built or sent (bad input, cancelled sync).
    InvalidRequest,
    /// Anything else (a listing task that ended abnormally, a newer kind).
    #[default]
    #[serde(other)]
    Other,
}

impl FailureKind {
    /// The kind of `error`.
    pub fn of(error: &Error) -> FailureKind {
        if error.is_authentication_denied() {
            return FailureKind::Authentication;
        }
        match error.kind() {
            ErrorKind::Api(_) => FailureKind::Api,
            ErrorKind::Timeout { .. } => FailureKind::Timeout,
            ErrorKind::Transport { .. } => FailureKind::Transport,
            ErrorKind::Decode(_) => FailureKind::Decode,
            ErrorKind::Config(_) => FailureKind::Config,
            ErrorKind::InvalidRequest(_) => FailureKind::InvalidRequest,
            _ => FailureKind::Other,
        }
    }

    /// The name (`timeout`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Api => "api",
            FailureKind::Authentication => "authentication",
            FailureKind::Timeout => "timeout",
            FailureKind::Transport => "transport",
            FailureKind::Decode => "decode",
            FailureKind::Config => "config",
            FailureKind::InvalidRequest => "invalid_request",
            FailureKind::Other => "other",
        }
    }
}

impl LocalityStatus {
    /// Classifies an error of a listing.
    pub fn from_error(error: &Error, partial_count: u64) -> LocalityStatus {
        if scaleway_core::fanout::is_unavailable_here(error) && partial_count == 0 {
            return LocalityStatus::NotAvailable {
                reason: Some(format!(
                    "the API says the product does not exist here: {error}"
                )),
            };
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
        let kind = FailureKind::of(error);
        let error = match s3 {
            Some(x) => format!("{error}: {}: {}", x.code, x.message),
            None => error.to_string(),
        };
        LocalityStatus::Failed {
            error,
            kind,
            partial_count,
        }
    }

    /// Not available, for no more reason than "the product does not exist here".
    pub fn not_available() -> LocalityStatus {
        LocalityStatus::NotAvailable { reason: None }
    }

    /// Whether the product is not available there (skipped).
    pub fn is_not_available(&self) -> bool {
        matches!(self, LocalityStatus::NotAvailable { .. })
    }

    /// Whether the listing is complete.
    pub fn is_ok(&self) -> bool {
        matches!(self, LocalityStatus::Ok { .. })
    }

    /// A short name: `ok`, `not_available`, `denied`, `incomplete`, `failed`.
    pub fn name(&self) -> &'static str {
        match self {
            LocalityStatus::Ok { .. } => "ok",
            LocalityStatus::NotAvailable { .. } => "not_available",
            LocalityStatus::Denied { .. } => "denied",
            LocalityStatus::Incomplete { .. } => "incomplete",
            LocalityStatus::Failed { .. } => "failed",
        }
    }

    /// The status of a listing that ended without error, from how it was read: `ok`, or
    /// `incomplete` when the collection kept changing up to the paginator's bound.
    pub fn listed(count: u64, reads: &ListingReport) -> LocalityStatus {
        if reads.completeness == scaleway_core::Completeness::MayBeIncomplete {
            LocalityStatus::Incomplete {
                count,
                possibly_missing: reads.possibly_missing,
            }
        } else {
            LocalityStatus::Ok { count }
        }
    }
}

/// The outcome of one listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LocalityReport {
    /// The source's name (serialized as the plain name).
    pub source: SourceName,
    /// Project listed (serialized as the plain ID; read back as server data is: any
    /// string, lower-cased).
    pub project_id: ProjectId,
    /// Locality listed.
    pub locality: Locality,
    /// What it gave.
    #[serde(flatten)]
    pub status: LocalityStatus,
    /// How its pages were read: whether the collection changed while it was read (the total
    /// moved, pages shifted) and what was re-read to stay complete (passes, pages). Summed
    /// over the listing's calls (servers and volumes, a cluster listing and its pools
    /// listings, …); all zero where nothing was read.
    #[serde(default)]
    pub reads: ListingReport,
}

impl LocalityReport {
    /// A report with nothing read (`reads` all zero).
    pub fn new(
        source: impl Into<SourceName>,
        project_id: ProjectId,
        locality: Locality,
        status: LocalityStatus,
    ) -> Self {
        LocalityReport {
            source: source.into(),
            project_id,
            locality,
            status,
            reads: ListingReport::default(),
        }
    }

    /// The same report with these reads.
    #[must_use]
    pub fn with_reads(mut self, reads: ListingReport) -> Self {
        self.reads = reads;
        self
    }
}

/// Timing and retries of a sync, from the client's counters ([`ClientStats`]) over the
/// sync (work done meanwhile on the same client, or its clones, is included).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SyncStats {
    /// Wall time of the sync, in milliseconds.
    pub elapsed_ms: u64,
    /// HTTP attempts sent (retries included).
    pub requests: u64,
    /// Retries made by the client (rate limits, 5xx, transport errors).
    pub retries: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// How long the sync waited because of retries, in milliseconds: the wall-clock time
    /// during which at least one call was backing off ([`ClientStats::retry_wall`]).
    pub retry_wall_ms: u64,
    /// The backoff sleeps summed over every call, in milliseconds: larger than
    /// [`SyncStats::retry_wall_ms`] when calls back off at the same time
    /// ([`ClientStats::retry_wait`]).
    pub retry_wait_ms: u64,
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

impl SyncStats {
    /// The stats of a sync that took `elapsed`, from the client's counters over it.
    pub fn from_client_stats(elapsed: Duration, stats: &ClientStats) -> SyncStats {
        SyncStats {
            elapsed_ms: millis(elapsed),
            requests: stats.attempts,
            retries: stats.retries,
            rate_limited: stats.rate_limited,
            retry_wall_ms: millis(stats.retry_wall),
            retry_wait_ms: millis(stats.retry_wait),
        }
    }

    /// Wall time of the sync.
    pub fn elapsed(&self) -> Duration {
        Duration::from_millis(self.elapsed_ms)
    }

    /// How long the sync waited because of retries (wall-clock time with at least one call
    /// backing off).
    pub fn retry_wall(&self) -> Duration {
        Duration::from_millis(self.retry_wall_ms)
    }

    /// The backoff sleeps summed over concurrent calls.
    pub fn retry_wait(&self) -> Duration {
        Duration::from_millis(self.retry_wait_ms)
    }
}
