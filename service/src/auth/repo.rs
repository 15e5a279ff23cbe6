use crate::db::{Db, DbError};
use mysql_async::prelude::Queryable;

/// Records a nonce; `false` if any replica has seen it before. Kept for twice the clock
/// window, after which the timestamp check alone refuses a replay.
pub async fn remember_nonce(db: &Db, nonce: &str) -> Result<bool, DbError> {
    let mut conn = db.pool.get_conn().await?;
    let sql = db.sql(
        "INSERT INTO {p}volixta_nonces (nonce, expires_at) \
         VALUES (?, UTC_TIMESTAMP(6) + INTERVAL 11 MINUTE)",
    );
    match conn.exec_drop(sql, (nonce,)).await.map_err(DbError::from) {
        Ok(()) => Ok(true),
        Err(e) if e.duplicate_key() == Some("PRIMARY") => Ok(false),
        Err(e) => Err(e),
    }
}

pub async fn purge_expired_nonces(db: &Db) -> Result<u64, mysql_async::Error> {
    let mut conn = db.pool.get_conn().await?;
    conn.exec_drop(
        db.sql("DELETE FROM {p}volixta_nonces WHERE expires_at < UTC_TIMESTAMP(6) LIMIT 50000"),
        (),
    )
    .await?;
    Ok(conn.affected_rows())
}
