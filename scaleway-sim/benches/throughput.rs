//! Placeholder (created so the workspace manifest parses); to be replaced.
fn main() {}
