//! Reward points: a ledger per client of points added and removed, with the running total,
//! who did it and why. The total never goes below zero. Other domains (bookings completing,
//! merges) post through `post` inside their own transaction.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{Action, Entry, LedgerRow};
pub use error::RewardError;

use crate::{
    auth::Actor,
    db::{Db, Tx},
    error::ApiError,
    idempotency::{self, IdempotencyKey, Start},
};
use axum::{http::StatusCode, response::Response};

/// Posts one ledger row under the client row's lock; refuses to go below zero without writing.
pub async fn post(tx: &mut Tx, db: &Db, entry: Entry) -> Result<LedgerRow, ApiError> {
    let balance = repo::lock(tx, db, entry.client_id)
        .await?
        .ok_or(RewardError::ClientNotFound)?;
    let balance_after = domain::next_balance(balance, entry.points)?;
    let id = repo::append(tx, db, &entry, balance_after).await?;
    Ok(repo::find(tx, db, id)
        .await?
        .ok_or(RewardError::ClientNotFound)?)
}

pub async fn balance(db: &Db, client_id: u64) -> Result<u64, ApiError> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::balance(&mut conn, db, client_id)
        .await?
        .ok_or(RewardError::ClientNotFound)?)
}

/// Newest first. `search` matches a date (`2026-05`, `2026-05-01`), an action, a points value or
/// words of the reason.
pub async fn history(
    db: &Db,
    client_id: u64,
    search: Option<&str>,
    before: Option<u64>,
    limit: u16,
) -> Result<Vec<LedgerRow>, mysql_async::Error> {
    let mut conn = db.pool.get_conn().await?;
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    repo::history(&mut conn, db, client_id, search, before, limit).await
}

/// A manager adds or removes points, exactly once per `Idempotency-Key`.
pub async fn adjust(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    client_id: u64,
    request: &http::AdjustmentRequest,
) -> Result<Response, ApiError> {
    let reason = domain::clean_reason(request.reason.as_deref())?;
    let action = domain::manual_action(request.points, request.action)?;
    let fingerprint = idempotency::fingerprint(
        "POST",
        &format!("/v1/clients/{client_id}/rewards"),
        &serde_json::to_vec(request).map_err(anyhow::Error::from)?,
    );
    let mut tx = match idempotency::begin(db, actor, key, &fingerprint).await? {
        Start::Fresh(tx) => tx,
        Start::Replay(response) => return Ok(response),
    };
    if !repo::is_live(&mut tx, db, client_id).await? {
        return Err(RewardError::ClientNotFound.into());
    }
    let row = post(
        &mut tx,
        db,
        Entry {
            client_id,
            points: request.points,
            action,
            reason,
            actor: actor.to_string(),
        },
    )
    .await?;
    let body = http::AdjustmentResponse {
        total: row.balance_after,
        entry: row,
    };
    idempotency::finish(tx, db, actor, key, StatusCode::CREATED, &body).await
}
