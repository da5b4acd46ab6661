//! scaleway-registry (work in progress).
