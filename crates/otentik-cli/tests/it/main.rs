//! The `otentik` binary's integration tests, compiled as one binary. Each runs the built
//! command as a user would.
//!
//! - `stateless`: `inspect`, `code --uri`, `convert`, and bad input (exit status 2).

mod stateless;
