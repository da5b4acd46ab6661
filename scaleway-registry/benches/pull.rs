//! Pull throughput (placeholder).
fn main() {}
