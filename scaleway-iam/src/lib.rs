//! scaleway-iam (work in progress).
