//! The client e-wallet: an append-only ledger whose last `balance_after` is the balance.
//! Other domains (bookings, gift codes, WooCommerce top-ups) post through `post` inside their
//! own transaction, so the money and the thing it paid for commit together or not at all.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{Entry, EntryKind, LedgerRow, References};
pub use error::WalletError;

use crate::{
    auth::Actor,
    db::{Db, Tx},
    idempotency::{self, IdempotencyKey, Start},
    money::Money,
};
use axum::{http::StatusCode, response::Response};

/// Posts one ledger row under the client's row lock. Fails without writing when the balance
/// would go below zero.
pub async fn post(tx: &mut Tx, db: &Db, entry: Entry) -> Result<LedgerRow, crate::error::ApiError> {
    let wallet = repo::lock(tx, db, entry.client_id)
        .await?
        .ok_or(WalletError::ClientNotFound)?;
    if !wallet.live {
        return Err(WalletError::ClientNotActive.into());
    }
    let balance_after = domain::next_balance(wallet.balance, entry.amount)?;
    let id = repo::append(tx, db, &entry, balance_after).await?;
    Ok(repo::find(tx, db, id)
        .await?
        .ok_or(WalletError::ClientNotFound)?)
}

pub async fn balance(db: &Db, client_id: u64) -> Result<Money, crate::error::ApiError> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::balance(&mut conn, db, client_id)
        .await?
        .ok_or(WalletError::ClientNotFound)?)
}

pub async fn history(
    db: &Db,
    client_id: u64,
    before: Option<u64>,
    limit: u16,
) -> Result<Vec<LedgerRow>, mysql_async::Error> {
    let mut conn = db.pool.get_conn().await?;
    repo::history(&mut conn, db, client_id, before, limit).await
}

/// A manager's credit or debit, exactly once per `Idempotency-Key`.
pub async fn adjust(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    client_id: u64,
    request: &http::AdjustmentRequest,
) -> Result<Response, crate::error::ApiError> {
    let reason = domain::clean_reason(request.reason.clone())?;
    let fingerprint = idempotency::fingerprint(
        "POST",
        &format!("/v1/clients/{client_id}/wallet/adjustments"),
        &serde_json::to_vec(request).map_err(anyhow::Error::from)?,
    );
    let mut tx = match idempotency::begin(db, actor, key, &fingerprint).await? {
        Start::Fresh(tx) => tx,
        Start::Replay(response) => return Ok(response),
    };
    let entry = Entry {
        client_id,
        amount: request.amount,
        kind: domain::manual_kind(request.amount),
        reason,
        actor: actor.to_string(),
        refs: References::default(),
    };
    let row = post(&mut tx, db, entry).await?;
    let body = http::AdjustmentResponse {
        balance: row.balance_after,
        transaction: row,
    };
    idempotency::finish(tx, db, actor, key, StatusCode::CREATED, &body).await
}
