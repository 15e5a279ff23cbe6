//! All of the outbox's SQL.
use super::domain::{Channel, Next, Outcome, Status, clip};
use crate::db::{Db, DbError, Tx};
use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::prelude::{FromRow, Queryable};

type SqlResult<T> = Result<T, DbError>;

pub struct Insert<'a> {
    pub channel: Channel,
    pub topic: &'a str,
    pub dedupe_key: &'a str,
    pub message_id: &'a str,
    pub recipient: &'a str,
    pub webhook_id: Option<u64>,
    pub payload: &'a str,
}

/// Writes a message in the caller's transaction; `false` when one with the same dedupe key
/// exists already (that occasion has its message).
pub async fn insert(tx: &mut Tx, db: &Db, m: &Insert<'_>) -> SqlResult<bool> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_outbox \
             (channel, topic, dedupe_key, message_id, recipient, webhook_id, payload) \
             VALUES (?, ?, ?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE id = id",
        ),
        (
            m.channel.as_str(),
            m.topic,
            m.dedupe_key,
            m.message_id,
            m.recipient,
            m.webhook_id,
            m.payload,
        ),
    )
    .await?;
    Ok(tx.affected_rows() == 1)
}

/// A message claimed for one try.
#[derive(Clone, Debug)]
pub struct Claimed {
    pub id: u64,
    pub channel: Channel,
    pub topic: String,
    pub message_id: String,
    pub recipient: String,
    pub webhook_id: Option<u64>,
    pub payload: String,
    /// Tries so far, this one included.
    pub attempts: u32,
    pub claim_token: String,
}

#[derive(FromRow)]
struct DueRow {
    id: u64,
    channel: String,
    topic: String,
    message_id: String,
    recipient: String,
    webhook_id: Option<u64>,
    payload: String,
    attempts: u32,
}

/// Claims up to `limit` due messages for this worker: rows another worker holds locked are
/// skipped rather than waited for, and each claimed row is pushed a lease ahead, so no other
/// replica takes it until this one finishes or dies.
pub async fn claim(
    tx: &mut Tx,
    db: &Db,
    limit: u32,
    lease_seconds: u32,
) -> SqlResult<Vec<Claimed>> {
    let rows: Vec<DueRow> = tx
        .exec(
            db.sql(
                "SELECT id, channel, topic, message_id, recipient, webhook_id, payload, attempts \
                 FROM {p}volixta_outbox \
                 WHERE status = 'pending' AND next_attempt_at <= UTC_TIMESTAMP(6) \
                 ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED",
            ),
            (limit,),
        )
        .await?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let token = uuid::Uuid::new_v4().simple().to_string();
    let ids: Vec<String> = rows.iter().map(|r| r.id.to_string()).collect();
    tx.exec_drop(
        db.sql(&format!(
            "UPDATE {{p}}volixta_outbox SET claim_token = ?, attempts = attempts + 1, \
             last_attempt_at = UTC_TIMESTAMP(6), \
             next_attempt_at = UTC_TIMESTAMP(6) + INTERVAL ? SECOND WHERE id IN ({})",
            ids.join(", ")
        )),
        (&token, lease_seconds),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| {
            Some(Claimed {
                id: r.id,
                channel: Channel::parse(&r.channel)?,
                topic: r.topic,
                message_id: r.message_id,
                recipient: r.recipient,
                webhook_id: r.webhook_id,
                payload: r.payload,
                attempts: r.attempts + 1,
                claim_token: token.clone(),
            })
        })
        .collect())
}

/// Records a try's outcome, only if the claim is still this worker's (a lease that ran out
/// and was claimed again belongs to the newer try). `false` when it was not.
pub async fn finish(
    conn: &mut mysql_async::Conn,
    db: &Db,
    c: &Claimed,
    outcome: &Outcome,
    next: Option<Next>,
) -> SqlResult<bool> {
    let (status, error, code, next_at): (Status, &str, Option<u16>, Option<DateTime<Utc>>) =
        match (outcome, next) {
            (Outcome::Sent { status_code }, _) => (Status::Sent, "", *status_code, None),
            (
                Outcome::Failed { error, status_code } | Outcome::Refused { error, status_code },
                Some(Next::RetryAt(at)),
            ) => (Status::Pending, error, *status_code, Some(at)),
            (
                Outcome::Failed { error, status_code } | Outcome::Refused { error, status_code },
                _,
            ) => (Status::Failed, error, *status_code, None),
        };
    conn.exec_drop(
        db.sql(
            "UPDATE {p}volixta_outbox SET status = ?, last_error = ?, last_status_code = ?, \
             next_attempt_at = COALESCE(?, next_attempt_at), claim_token = NULL, \
             sent_at = IF(? = 'sent', UTC_TIMESTAMP(6), sent_at) \
             WHERE id = ? AND claim_token = ?",
        ),
        (
            status.as_str(),
            clip(error),
            code,
            next_at.map(|t| t.naive_utc()),
            status.as_str(),
            c.id,
            &c.claim_token,
        ),
    )
    .await?;
    Ok(conn.affected_rows() == 1)
}

/// One message as managers see it.
#[derive(Clone, Debug, FromRow)]
pub struct MessageRow {
    pub id: u64,
    pub channel: String,
    pub topic: String,
    pub message_id: String,
    pub recipient: String,
    pub webhook_id: Option<u64>,
    pub status: String,
    pub attempts: u32,
    pub next_attempt_at: NaiveDateTime,
    pub last_error: String,
    pub last_status_code: Option<u16>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

const COLUMNS: &str = "id, channel, topic, message_id, recipient, webhook_id, status, attempts, \
     next_attempt_at, last_error, last_status_code, last_attempt_at, created_at, sent_at";

/// Messages newest first, optionally of one status, channel or webhook endpoint, before a
/// keyset cursor (`id < before`).
pub async fn list<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    status: Option<Status>,
    channel: Option<Channel>,
    webhook_id: Option<u64>,
    before: Option<u64>,
    limit: u32,
) -> SqlResult<Vec<MessageRow>> {
    let rows = conn
        .exec(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_outbox \
                 WHERE (? IS NULL OR status = ?) AND (? IS NULL OR channel = ?) \
                 AND (? IS NULL OR webhook_id = ?) AND (? IS NULL OR id < ?) \
                 ORDER BY id DESC LIMIT ?"
            )),
            (
                status.map(Status::as_str),
                status.map(Status::as_str),
                channel.map(Channel::as_str),
                channel.map(Channel::as_str),
                webhook_id,
                webhook_id,
                before,
                before,
                limit,
            ),
        )
        .await?;
    Ok(rows)
}

pub async fn find<Q: Queryable>(conn: &mut Q, db: &Db, id: u64) -> SqlResult<Option<MessageRow>> {
    Ok(conn
        .exec_first(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_outbox WHERE id = ?"
            )),
            (id,),
        )
        .await?)
}

/// Puts a sent or parked message back in line for one more round of tries, now, with the same
/// message id. A message being tried right now (pending) is left alone.
pub async fn retry(tx: &mut Tx, db: &Db, id: u64) -> SqlResult<bool> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_outbox SET status = 'pending', attempts = 0, claim_token = NULL, \
             next_attempt_at = UTC_TIMESTAMP(6) WHERE id = ? AND status <> 'pending'",
        ),
        (id,),
    )
    .await?;
    Ok(tx.affected_rows() == 1)
}

/// How many messages wait, and how many are parked, per channel.
pub async fn counts<Q: Queryable>(conn: &mut Q, db: &Db) -> SqlResult<Vec<(String, String, u64)>> {
    Ok(conn
        .query(db.sql(
            "SELECT channel, status, COUNT(*) FROM {p}volixta_outbox \
             WHERE status IN ('pending', 'failed') GROUP BY channel, status",
        ))
        .await?)
}

/// Messages per status whose dedupe key starts with `prefix` (a range of the unique key).
pub async fn counts_by_key_prefix<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    prefix: &str,
) -> SqlResult<Vec<(String, u64)>> {
    let pattern = format!(
        "{}%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Ok(conn
        .exec(
            db.sql(
                "SELECT status, COUNT(*) FROM {p}volixta_outbox \
                 WHERE dedupe_key LIKE ? GROUP BY status",
            ),
            (pattern,),
        )
        .await?)
}
