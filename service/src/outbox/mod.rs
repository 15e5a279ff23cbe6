//! The transactional outbox: every e-mail and webhook delivery is a row written in the
//! transaction of the change that causes it (a change that rolls back sends nothing), then
//! delivered by workers on every replica (`worker`), retried with backoff and jitter, and
//! parked as failed with its last error when tries run out, for a manager to retry.
mod domain;
pub mod http;
mod repo;
mod worker;

pub use domain::{Channel, LEASE_SECONDS, Outcome, Status, backoff};
pub use repo::{Claimed, MessageRow};
pub use worker::{Courier, Couriers, spawn, work_once};

use crate::db::{Db, DbError, Tx};

/// A message to send once the caller's transaction commits.
pub struct NewMessage<'a> {
    pub channel: Channel,
    /// What it is about (`booking.created`, `gift_code.sent`…), for the log and webhooks.
    pub topic: &'a str,
    /// One message per key: writing the same occasion twice (two replicas scheduling the same
    /// reminder) adds it once.
    pub dedupe_key: &'a str,
    pub recipient: &'a str,
    pub webhook_id: Option<u64>,
    pub payload: &'a serde_json::Value,
}

/// A fresh id for an event or message: 32 hex characters.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

/// Writes the message in `tx`; `false` when its occasion had a message already.
pub async fn enqueue(tx: &mut Tx, db: &Db, m: &NewMessage<'_>) -> Result<bool, DbError> {
    let message_id = new_id();
    let payload = m.payload.to_string();
    repo::insert(
        tx,
        db,
        &repo::Insert {
            channel: m.channel,
            topic: m.topic,
            dedupe_key: m.dedupe_key,
            message_id: &message_id,
            recipient: m.recipient,
            webhook_id: m.webhook_id,
            payload: &payload,
        },
    )
    .await
}

/// Messages newest first, for the managers' log.
pub async fn list(
    db: &Db,
    status: Option<Status>,
    channel: Option<Channel>,
    webhook_id: Option<u64>,
    before: Option<u64>,
    limit: u32,
) -> Result<Vec<MessageRow>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    repo::list(&mut conn, db, status, channel, webhook_id, before, limit).await
}

pub async fn find(db: &Db, id: u64) -> Result<Option<MessageRow>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    repo::find(&mut conn, db, id).await
}

/// Sends a parked (or sent) message again, with the same message id; `false` when it is
/// already waiting for its next try.
pub async fn retry(db: &Db, id: u64) -> Result<bool, DbError> {
    db.transaction(|mut tx| async move {
        let result = repo::retry(&mut tx, db, id).await;
        (tx, result)
    })
    .await
}

/// How many messages of one occasion family are in each status (`sent`, `failed`, `pending`):
/// those whose dedupe key starts with `prefix` (e.g. `marketing:<message>:`).
pub async fn counts_by_key_prefix(db: &Db, prefix: &str) -> Result<Vec<(String, u64)>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    repo::counts_by_key_prefix(&mut conn, db, prefix).await
}

/// Waiting and parked messages per channel: `(channel, status, count)`.
pub async fn counts(db: &Db) -> Result<Vec<(String, String, u64)>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    repo::counts(&mut conn, db).await
}
