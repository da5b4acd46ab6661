//! Offline simulator of the Scaleway API (work in progress).
