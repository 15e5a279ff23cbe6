//! The booking form's SQL: its throttle table, the only table it owns.
use super::domain::Bucket;
use crate::db::{Db, DbError, Tx};
use mysql_async::prelude::Queryable;

/// Counts one attempt in `bucket` unless its window is full; `false` when it is. The
/// conditional UPDATE decides on the bucket's row, which stays locked until the caller's
/// transaction ends, so attempts of one bucket are counted one after another on every replica.
pub async fn count_attempt(
    tx: &mut Tx,
    db: &Db,
    bucket: &Bucket,
    window_minutes: u32,
) -> Result<bool, DbError> {
    ensure_row(tx, db, &bucket.key).await?;
    // Assignments run left to right: `attempts` is set while `window_started_at` still holds
    // the old window, which the second assignment then reads too.
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_booking_form_throttle SET \
             attempts = IF(window_started_at <= NOW(6) - INTERVAL ? MINUTE, 1, attempts + 1), \
             window_started_at = IF(window_started_at <= NOW(6) - INTERVAL ? MINUTE, \
                                    NOW(6), window_started_at) \
             WHERE bucket = ? AND (attempts < ? OR window_started_at <= NOW(6) - INTERVAL ? MINUTE)",
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

/// Locks the row of an e-mail's bucket for the rest of the caller's transaction: every booking
/// that may create a client with this e-mail takes it before it looks for one.
pub async fn lock_email(tx: &mut Tx, db: &Db, bucket: &Bucket) -> Result<(), DbError> {
    ensure_row(tx, db, &bucket.key).await?;
    tx.exec_drop(
        db.sql("SELECT attempts FROM {p}volixta_booking_form_throttle WHERE bucket = ? FOR UPDATE"),
        (&bucket.key,),
    )
    .await?;
    Ok(())
}

async fn ensure_row(tx: &mut Tx, db: &Db, key: &str) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_booking_form_throttle (bucket) VALUES (?) \
             ON DUPLICATE KEY UPDATE bucket = bucket",
        ),
        (key,),
    )
    .await?;
    Ok(())
}

/// Forgets buckets long out of every window, a batch at a time.
pub async fn purge_stale(db: &Db) -> Result<(), DbError> {
    let mut conn = db.pool.get_conn().await?;
    conn.query_drop(db.sql(
        "DELETE FROM {p}volixta_booking_form_throttle \
         WHERE window_started_at < NOW(6) - INTERVAL 1 DAY LIMIT 1000",
    ))
    .await?;
    Ok(())
}
