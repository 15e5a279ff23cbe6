use super::{
    domain::{Bucket, CodeStatus, GiftCode, NewCode},
    keys::Sealed,
};
use crate::{
    db::{Db, DbError, Tx},
    money::Money,
    paging::PageRequest,
};
use mysql_async::prelude::{FromRow, Queryable};
use serde::Serialize;
use utoipa::ToSchema;

/// The index that makes a code's text unique (under one key).
pub const UNIQUE_CODE: &str = "uq_code_hash";
/// The index that lets a client redeem a code once.
pub const UNIQUE_REDEMPTION: &str = "uq_code_client";

const COLUMNS: &str = "id, code_hint, value, expires_at, max_redemptions, \
                       redemptions AS redemptions_count, restricted, note, created_by, created_at, \
                       revoked_at, revoked_by";

pub async fn insert(
    tx: &mut Tx,
    db: &Db,
    code: &NewCode,
    sealed: &Sealed,
    created_by: &str,
) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_gift_codes (code_hash, code_sealed, sealed_with, code_hint, \
             value, expires_at, max_redemptions, restricted, note, created_by) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            sealed.hash,
            &sealed.sealed,
            sealed.source.as_str(),
            code.code.hint(),
            code.value.amount(),
            code.expires_at.map(|e| e.naive_utc()),
            code.max_redemptions,
            !code.client_ids.is_empty(),
            &code.note,
            created_by,
        ),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn allow_clients(
    tx: &mut Tx,
    db: &Db,
    gift_code_id: u64,
    client_ids: &[u64],
) -> Result<(), DbError> {
    crate::db::exec_each(
        tx,
        &db.sql("INSERT INTO {p}volixta_gift_code_clients (gift_code_id, client_id) VALUES (?, ?)"),
        client_ids.iter().map(|c| (gift_code_id, *c)),
    )
    .await
    .map_err(DbError::from)
}

/// A client as far as gift codes care: whether it is live and may receive e-mail.
#[derive(FromRow)]
pub struct ClientFacts {
    pub id: u64,
    pub live: bool,
    pub has_email: bool,
}

pub async fn client_facts<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    ids: &[u64],
) -> Result<Vec<ClientFacts>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    conn.exec(
        db.sql(&format!(
            "SELECT id, (deleted_at IS NULL AND merged_into_id IS NULL) AS live, \
             (email IS NOT NULL AND email <> '') AS has_email \
             FROM {{p}}volixta_clients WHERE id IN ({marks})"
        )),
        ids.to_vec(),
    )
    .await
    .map_err(DbError::from)
}

fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// The code stored under any of `hashes` (one per key it may have been made with), locked:
/// redemptions of one code happen one after another on every replica.
pub async fn lock_by_hash(
    tx: &mut Tx,
    db: &Db,
    hashes: &[[u8; 32]],
) -> Result<Option<GiftCode>, DbError> {
    tx.exec_first(
        db.sql(&format!(
            "SELECT {COLUMNS} FROM {{p}}volixta_gift_codes WHERE code_hash IN ({}) FOR UPDATE",
            marks(hashes.len())
        )),
        hashes.iter().map(|h| h.to_vec()).collect::<Vec<_>>(),
    )
    .await
    .map_err(DbError::from)
}

/// Whether a code is stored under any of `hashes`. A plain read: no gap locks for a code
/// that does not exist.
pub async fn hash_exists<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    hashes: &[[u8; 32]],
) -> Result<bool, DbError> {
    if hashes.is_empty() {
        return Ok(false);
    }
    let found: Option<u8> = conn
        .exec_first(
            db.sql(&format!(
                "SELECT 1 FROM {{p}}volixta_gift_codes WHERE code_hash IN ({}) LIMIT 1",
                marks(hashes.len())
            )),
            hashes.iter().map(|h| h.to_vec()).collect::<Vec<_>>(),
        )
        .await?;
    Ok(found.is_some())
}

pub async fn find<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
    for_update: bool,
) -> Result<Option<GiftCode>, DbError> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    conn.exec_first(
        db.sql(&format!(
            "SELECT {COLUMNS} FROM {{p}}volixta_gift_codes WHERE id = ?{lock}"
        )),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

/// The sealed copy and which key sealed it (`sealed_with`).
pub async fn sealed_code<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<(Vec<u8>, String)>, DbError> {
    conn.exec_first(
        db.sql("SELECT code_sealed, sealed_with FROM {p}volixta_gift_codes WHERE id = ?"),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

/// Up to `limit` codes still sealed with the shared secret's keys, after `after_id`.
pub async fn sealed_with_shared_secret<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    after_id: u64,
    limit: u32,
) -> Result<Vec<(u64, Vec<u8>)>, DbError> {
    conn.exec(
        db.sql(
            "SELECT id, code_sealed FROM {p}volixta_gift_codes \
             WHERE sealed_with = 'shared_secret' AND id > ? ORDER BY id LIMIT ?",
        ),
        (after_id, limit),
    )
    .await
    .map_err(DbError::from)
}

/// Replaces a shared-secret code's hash and sealed copy with the data key's, unless another
/// replica did it first.
pub async fn reseal<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
    sealed: &Sealed,
) -> Result<(), DbError> {
    conn.exec_drop(
        db.sql(
            "UPDATE {p}volixta_gift_codes SET code_hash = ?, code_sealed = ?, sealed_with = ? \
             WHERE id = ? AND sealed_with = 'shared_secret'",
        ),
        (sealed.hash, &sealed.sealed, sealed.source.as_str(), id),
    )
    .await
    .map_err(DbError::from)
}

pub async fn is_allowed<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    gift_code_id: u64,
    client_id: u64,
) -> Result<bool, DbError> {
    let found: Option<u8> = conn
        .exec_first(
            db.sql(
                "SELECT 1 FROM {p}volixta_gift_code_clients WHERE gift_code_id = ? AND client_id = ?",
            ),
            (gift_code_id, client_id),
        )
        .await?;
    Ok(found.is_some())
}

pub async fn has_redeemed<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    gift_code_id: u64,
    client_id: u64,
) -> Result<bool, DbError> {
    let found: Option<u8> = conn
        .exec_first(
            db.sql(
                "SELECT 1 FROM {p}volixta_gift_code_redemptions WHERE gift_code_id = ? AND client_id = ?",
            ),
            (gift_code_id, client_id),
        )
        .await?;
    Ok(found.is_some())
}

pub async fn record_redemption(
    tx: &mut Tx,
    db: &Db,
    code: &GiftCode,
    client_id: u64,
    ledger_id: u64,
    actor: &str,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_gift_code_redemptions (gift_code_id, client_id, amount, ledger_id, actor) \
             VALUES (?, ?, ?, ?, ?)",
        ),
        (code.id, client_id, code.value.amount(), ledger_id, actor),
    )
    .await?;
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_gift_codes SET redemptions = redemptions + 1 WHERE id = ?"),
        (code.id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn revoke(tx: &mut Tx, db: &Db, id: u64, actor: &str) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_gift_codes SET revoked_at = CURRENT_TIMESTAMP(6), revoked_by = ? \
             WHERE id = ? AND revoked_at IS NULL",
        ),
        (actor, id),
    )
    .await
    .map_err(DbError::from)
}

/// Newest first; `status` is evaluated at the database's clock, like redemption.
pub async fn list<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    status: Option<CodeStatus>,
    page: PageRequest,
) -> Result<Vec<GiftCode>, DbError> {
    const LIVE: &str = "revoked_at IS NULL AND (expires_at IS NULL OR expires_at > NOW(6))";
    let condition = match status {
        None => "TRUE".to_owned(),
        Some(CodeStatus::Revoked) => "revoked_at IS NOT NULL".to_owned(),
        Some(CodeStatus::Expired) => {
            "revoked_at IS NULL AND expires_at IS NOT NULL AND expires_at <= NOW(6)".to_owned()
        }
        Some(CodeStatus::UsedUp) => {
            format!("{LIVE} AND max_redemptions IS NOT NULL AND redemptions >= max_redemptions")
        }
        Some(CodeStatus::Active) => {
            format!("{LIVE} AND (max_redemptions IS NULL OR redemptions < max_redemptions)")
        }
    };
    conn.exec(
        db.sql(&format!(
            "SELECT {COLUMNS} FROM {{p}}volixta_gift_codes WHERE id < ? AND {condition} \
             ORDER BY id DESC LIMIT ?"
        )),
        (page.after.unwrap_or(u64::MAX), page.rows_to_read()),
    )
    .await
    .map_err(DbError::from)
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct Redemption {
    pub id: u64,
    pub gift_code_id: u64,
    pub client_id: u64,
    pub client_name: String,
    pub amount: Money,
    /// The wallet ledger row that credited it.
    pub ledger_id: u64,
    /// Who redeemed it: the client itself, or the manager who applied it.
    pub actor: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

pub async fn redemptions_of<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    gift_code_ids: &[u64],
) -> Result<Vec<Redemption>, DbError> {
    if gift_code_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; gift_code_ids.len()].join(", ");
    conn.exec(
        db.sql(&format!(
            "SELECT r.id, r.gift_code_id, r.client_id, \
             TRIM(CONCAT(c.first_name, ' ', c.last_name)) AS client_name, \
             r.amount, r.ledger_id, r.actor, r.created_at \
             FROM {{p}}volixta_gift_code_redemptions r JOIN {{p}}volixta_clients c ON c.id = r.client_id \
             WHERE r.gift_code_id IN ({marks}) ORDER BY r.id"
        )),
        gift_code_ids.to_vec(),
    )
    .await
    .map_err(DbError::from)
}

pub async fn allowed_clients_of<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    gift_code_ids: &[u64],
) -> Result<Vec<(u64, u64)>, DbError> {
    if gift_code_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; gift_code_ids.len()].join(", ");
    conn.exec(
        db.sql(&format!(
            "SELECT gift_code_id, client_id FROM {{p}}volixta_gift_code_clients \
             WHERE gift_code_id IN ({marks}) ORDER BY gift_code_id, client_id"
        )),
        gift_code_ids.to_vec(),
    )
    .await
    .map_err(DbError::from)
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct SendRequest {
    pub id: u64,
    pub gift_code_id: u64,
    pub client_id: u64,
    pub requested_by: String,
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub requested_at: chrono::DateTime<chrono::Utc>,
    /// Set once the e-mail has left.
    #[mysql(
        deserialize_with = "crate::db::row::de",
        serialize_with = "crate::db::row::ser"
    )]
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn insert_send(
    tx: &mut Tx,
    db: &Db,
    gift_code_id: u64,
    client_id: u64,
    requested_by: &str,
) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_gift_code_sends (gift_code_id, client_id, requested_by) VALUES (?, ?, ?)",
        ),
        (gift_code_id, client_id, requested_by),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

/// Stamps a send request once its e-mail has left; a second stamp keeps the first time.
pub async fn mark_sent<Q: Queryable>(conn: &mut Q, db: &Db, send_id: u64) -> Result<(), DbError> {
    conn.exec_drop(
        db.sql(
            "UPDATE {p}volixta_gift_code_sends SET sent_at = UTC_TIMESTAMP(6) \
             WHERE id = ? AND sent_at IS NULL",
        ),
        (send_id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn sends_of<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    gift_code_id: u64,
    after_id: u64,
) -> Result<Vec<SendRequest>, DbError> {
    conn.exec(
        db.sql(
            "SELECT id, gift_code_id, client_id, requested_by, requested_at, sent_at \
             FROM {p}volixta_gift_code_sends WHERE gift_code_id = ? AND id > ? ORDER BY id",
        ),
        (gift_code_id, after_id),
    )
    .await
    .map_err(DbError::from)
}

/// Counts one try against a bucket unless its window is full; `false` when it is. The
/// conditional UPDATE decides, on the bucket's row, in the redemption's own transaction: the
/// row stays locked until that transaction ends, so the tries of one bucket are counted one
/// after another on every replica, and on Galera the written row is what certification
/// compares.
pub async fn take_try(
    tx: &mut Tx,
    db: &Db,
    bucket: &Bucket,
    window_minutes: u32,
) -> Result<bool, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_gift_code_throttle (bucket) VALUES (?) \
             ON DUPLICATE KEY UPDATE bucket = bucket",
        ),
        (&bucket.key,),
    )
    .await?;
    // Assignments run left to right: `failures` is set while `window_started_at` still holds
    // the old window, which the second assignment then reads too.
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_gift_code_throttle SET \
             failures = IF(window_started_at <= NOW(6) - INTERVAL ? MINUTE, 1, failures + 1), \
             window_started_at = IF(window_started_at <= NOW(6) - INTERVAL ? MINUTE, \
                                    NOW(6), window_started_at) \
             WHERE bucket = ? AND (failures < ? OR window_started_at <= NOW(6) - INTERVAL ? MINUTE)",
        ),
        (
            window_minutes,
            window_minutes,
            &bucket.key,
            bucket.limit,
            window_minutes,
        ),
    )
    .await?;
    Ok(tx.affected_rows() == 1)
}

/// Gives back a try that turned out not to be a wrong code.
pub async fn give_back_try(tx: &mut Tx, db: &Db, bucket: &Bucket) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_gift_code_throttle SET failures = failures - 1 \
             WHERE bucket = ? AND failures > 0",
        ),
        (&bucket.key,),
    )
    .await
    .map_err(DbError::from)
}

/// Keeps a record of a wrong code: which client, from where, when.
pub async fn log_wrong_code(
    tx: &mut Tx,
    db: &Db,
    client_id: u64,
    address: Option<&str>,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql("INSERT INTO {p}volixta_gift_code_attempts (client_id, address) VALUES (?, ?)"),
        (client_id, address),
    )
    .await
    .map_err(DbError::from)
}

/// Forgets buckets and wrong-code records long out of every window, a batch at a time.
pub async fn purge_stale_attempts(db: &Db) -> Result<(), DbError> {
    let mut conn = db.pool.get_conn().await?;
    conn.query_drop(db.sql(
        "DELETE FROM {p}volixta_gift_code_throttle \
         WHERE window_started_at < NOW(6) - INTERVAL 1 DAY LIMIT 1000",
    ))
    .await?;
    conn.query_drop(db.sql(
        "DELETE FROM {p}volixta_gift_code_attempts \
         WHERE created_at < NOW(6) - INTERVAL 1 DAY LIMIT 1000",
    ))
    .await
    .map_err(DbError::from)
}

/// A gift code meant for the merged profile is meant for the kept one too. A code the merged
/// profile redeemed counts as redeemed by the kept one (once per person), unless both redeemed
/// it: then each redemption stays where it was. Returns the redemptions moved.
pub async fn reassign_client(tx: &mut Tx, db: &Db, from: u64, to: u64) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_gift_code_clients (gift_code_id, client_id) \
             SELECT gift_code_id, ? FROM {p}volixta_gift_code_clients WHERE client_id = ? \
             ON DUPLICATE KEY UPDATE client_id = VALUES(client_id)",
        ),
        (to, from),
    )
    .await?;
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_gift_code_redemptions r SET r.client_id = ? WHERE r.client_id = ? \
             AND NOT EXISTS (SELECT 1 FROM (SELECT gift_code_id FROM {p}volixta_gift_code_redemptions \
             WHERE client_id = ?) kept WHERE kept.gift_code_id = r.gift_code_id)",
        ),
        (to, from, to),
    )
    .await?;
    Ok(tx.affected_rows())
}
