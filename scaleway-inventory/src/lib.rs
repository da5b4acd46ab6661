//! scaleway-inventory (work in progress).
