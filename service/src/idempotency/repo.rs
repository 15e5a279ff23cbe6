use super::{IdempotencyKey, domain::Stored};
use crate::{
    auth::Actor,
    db::{Db, DbError, Tx},
};
use mysql_async::prelude::Queryable;

/// `true` when this request is the first with the key. A concurrent first attempt holds the
/// row lock until it commits or rolls back, so this waits for its outcome.
pub async fn claim(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    key: &IdempotencyKey,
    request_hash: &str,
) -> Result<bool, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_idempotency (actor, idem_key, request_hash) VALUES (?, ?, ?) \
             ON DUPLICATE KEY UPDATE idem_key = idem_key",
        ),
        (actor.to_string(), key.as_str(), request_hash),
    )
    .await?;
    Ok(tx.affected_rows() == 1)
}

pub async fn load(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    key: &IdempotencyKey,
) -> Result<Stored, DbError> {
    let row: Option<(String, Option<u16>, Option<Vec<u8>>)> = tx
        .exec_first(
            db.sql(
                "SELECT request_hash, status_code, response_body FROM {p}volixta_idempotency \
                 WHERE actor = ? AND idem_key = ? FOR UPDATE",
            ),
            (actor.to_string(), key.as_str()),
        )
        .await?;
    let (request_hash, status, body) = row.unwrap_or_default();
    Ok(Stored {
        request_hash,
        status,
        body,
    })
}

/// Whether the key already holds the committed answer to this very request (same fingerprint).
pub async fn answered(
    db: &Db,
    actor: Actor,
    key: &IdempotencyKey,
    request_hash: &str,
) -> Result<bool, DbError> {
    let mut conn = db.pool.get_conn().await?;
    let row: Option<u8> = conn
        .exec_first(
            db.sql(
                "SELECT 1 FROM {p}volixta_idempotency \
                 WHERE actor = ? AND idem_key = ? AND request_hash = ? AND status_code IS NOT NULL",
            ),
            (actor.to_string(), key.as_str(), request_hash),
        )
        .await?;
    Ok(row.is_some())
}

pub async fn save(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    key: &IdempotencyKey,
    status: u16,
    body: &[u8],
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_idempotency SET status_code = ?, response_body = ? \
             WHERE actor = ? AND idem_key = ?",
        ),
        (status, body, actor.to_string(), key.as_str()),
    )
    .await?;
    Ok(())
}

pub async fn release(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    key: &IdempotencyKey,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_idempotency WHERE actor = ? AND idem_key = ?"),
        (actor.to_string(), key.as_str()),
    )
    .await?;
    Ok(())
}

pub async fn purge_older_than_days(db: &Db, days: u32) -> Result<(), mysql_async::Error> {
    let mut conn = db.pool.get_conn().await?;
    conn.exec_drop(
        db.sql(
            "DELETE FROM {p}volixta_idempotency \
             WHERE created_at < UTC_TIMESTAMP(6) - INTERVAL ? DAY LIMIT 50000",
        ),
        (days,),
    )
    .await
}
