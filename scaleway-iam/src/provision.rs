//! provisioning (todo)
