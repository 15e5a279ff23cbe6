//! `Idempotency-Key`: a retried state-changing request gets the first answer and changes
//! nothing more. The key row is inserted inside the request's own transaction, so a concurrent
//! retry waits on its lock and then reads the committed answer; a failed first attempt rolls
//! the key back with everything else. Handlers take `Idempotent<Command>` and call its `run`
//! (see `http.rs` and docs/architecture.md); `begin`/`finish` remain for callers not yet on it.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{IdempotencyKey, fingerprint};
pub use error::IdempotencyError;
pub use http::Idempotent;

use crate::{
    auth::Actor,
    db::{Db, Tx},
    error::ApiResult,
};
use axum::{http::StatusCode, response::Response};
use serde::Serialize;

pub enum Start {
    Fresh(Tx),
    Replay(Response),
}

pub async fn begin(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    request_fingerprint: &str,
) -> ApiResult<Start> {
    let mut tx = db.begin().await?;
    let Some(key) = key else {
        return Ok(Start::Fresh(tx));
    };
    if repo::claim(&mut tx, db, actor, key, request_fingerprint).await? {
        return Ok(Start::Fresh(tx));
    }
    let stored = repo::load(&mut tx, db, actor, key).await?;
    tx.rollback().await?;
    Ok(Start::Replay(domain::replay(stored, request_fingerprint)?))
}

/// Records the answer under the key (if any), commits, and returns the answer.
pub async fn finish<T: Serialize>(
    mut tx: Tx,
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    status: StatusCode,
    body: &T,
) -> ApiResult<Response> {
    let bytes = serde_json::to_vec(body).map_err(anyhow::Error::from)?;
    if let Some(key) = key {
        repo::save(&mut tx, db, actor, key, status.as_u16(), &bytes).await?;
    }
    tx.commit().await?;
    Ok(domain::json_response(status, bytes))
}

/// Un-claims the key inside the transaction, for a request that commits some bookkeeping but
/// whose answer is not to be replayed: a retry with the key runs again.
pub async fn release(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
) -> ApiResult<()> {
    if let Some(key) = key {
        repo::release(tx, db, actor, key).await?;
    }
    Ok(())
}

pub use repo::purge_older_than_days;
