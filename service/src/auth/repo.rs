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

/// Keeps the latest display name WordPress gave an actor.
pub async fn remember_name(db: &Db, actor: &str, name: &str) -> Result<(), DbError> {
    let mut conn = db.pool.get_conn().await?;
    conn.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_actor_names (actor, display_name) VALUES (?, ?) \
             ON DUPLICATE KEY UPDATE updated_at = IF(display_name = VALUES(display_name), \
             updated_at, UTC_TIMESTAMP(6)), display_name = VALUES(display_name)",
        ),
        (actor, name),
    )
    .await
    .map_err(DbError::from)
}

/// The known display names of `actors` (`role:id`), as `(actor, name)`.
pub async fn names_of(db: &Db, actors: &[&str]) -> Result<Vec<(String, String)>, DbError> {
    if actors.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = db.pool.get_conn().await?;
    let marks = vec!["?"; actors.len()].join(", ");
    conn.exec(
        db.sql(&format!(
            "SELECT actor, display_name FROM {{p}}volixta_actor_names WHERE actor IN ({marks})"
        )),
        actors.to_vec(),
    )
    .await
    .map_err(DbError::from)
}

/// Every actor with a known name, by name, for choosing one (at most `limit`).
pub async fn all_names(db: &Db, limit: u32) -> Result<Vec<(String, String)>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    conn.exec(
        db.sql(
            "SELECT actor, display_name FROM {p}volixta_actor_names \
             ORDER BY display_name, actor LIMIT ?",
        ),
        (limit,),
    )
    .await
    .map_err(DbError::from)
}
