//! `Idempotency-Key`: a retried state-changing request gets the first answer and changes
//! nothing more. The key row is inserted inside the request's own transaction, so a concurrent
//! retry waits on its lock and then reads the committed answer; a failed first attempt rolls
//! the key back with everything else. Handlers take `Idempotent<Command>` and call its `run`
//! (see `http.rs` and docs/architecture.md).
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{IdempotencyKey, fingerprint};
pub use error::IdempotencyError;
pub use http::Idempotent;

pub use repo::purge_older_than_days;
