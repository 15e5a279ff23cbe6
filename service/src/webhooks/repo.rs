//! All of the webhook endpoints' SQL.
use crate::db::{Db, DbError, Tx};
use chrono::NaiveDateTime;
use mysql_async::prelude::{FromRow, Queryable};

type SqlResult<T> = Result<T, DbError>;

#[derive(Clone, Debug, FromRow)]
pub struct EndpointRow {
    pub id: u64,
    pub url: String,
    pub topics: String,
    pub secret: String,
    pub description: String,
    pub active: bool,
    pub failures: u32,
    pub disabled_at: Option<NaiveDateTime>,
    pub disabled_reason: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

const COLUMNS: &str = "id, url, topics, secret, description, active, failures, disabled_at, \
                       disabled_reason, created_by, created_at";

pub async fn insert(
    tx: &mut Tx,
    db: &Db,
    url: &str,
    topics: &str,
    secret: &str,
    description: &str,
    actor: &str,
) -> SqlResult<u64> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_webhooks (url, topics, secret, description, created_by) \
             VALUES (?, ?, ?, ?, ?)",
        ),
        (url, topics, secret, description, actor),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn find<Q: Queryable>(conn: &mut Q, db: &Db, id: u64) -> SqlResult<Option<EndpointRow>> {
    Ok(conn
        .exec_first(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_webhooks WHERE id = ?"
            )),
            (id,),
        )
        .await?)
}

pub async fn find_for_update(tx: &mut Tx, db: &Db, id: u64) -> SqlResult<Option<EndpointRow>> {
    Ok(tx
        .exec_first(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_webhooks WHERE id = ? FOR UPDATE"
            )),
            (id,),
        )
        .await?)
}

pub async fn list<Q: Queryable>(conn: &mut Q, db: &Db) -> SqlResult<Vec<EndpointRow>> {
    Ok(conn
        .query(db.sql(&format!(
            "SELECT {COLUMNS} FROM {{p}}volixta_webhooks ORDER BY id"
        )))
        .await?)
}

/// The active endpoints subscribed to `topic`.
pub async fn subscribers(tx: &mut Tx, db: &Db, topic: &str) -> SqlResult<Vec<u64>> {
    Ok(tx
        .exec(
            db.sql(
                "SELECT id FROM {p}volixta_webhooks \
                 WHERE active = 1 AND FIND_IN_SET(?, topics) > 0 ORDER BY id",
            ),
            (topic,),
        )
        .await?)
}

pub struct Update<'a> {
    pub url: Option<&'a str>,
    pub topics: Option<&'a str>,
    pub secret: Option<&'a str>,
    pub description: Option<&'a str>,
    pub active: Option<bool>,
}

pub async fn update(tx: &mut Tx, db: &Db, id: u64, u: &Update<'_>) -> SqlResult<()> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_webhooks SET url = COALESCE(?, url), topics = COALESCE(?, topics), \
             secret = COALESCE(?, secret), description = COALESCE(?, description), \
             failures = IF(? = 1 AND active = 0, 0, failures), \
             disabled_at = IF(? = 1, NULL, disabled_at), \
             disabled_reason = IF(? = 1, '', disabled_reason), \
             active = COALESCE(?, active) WHERE id = ?",
        ),
        (
            u.url,
            u.topics,
            u.secret,
            u.description,
            u.active,
            u.active,
            u.active,
            u.active,
            id,
        ),
    )
    .await?;
    Ok(())
}

pub async fn delete(tx: &mut Tx, db: &Db, id: u64) -> SqlResult<bool> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_webhooks WHERE id = ?"),
        (id,),
    )
    .await?;
    Ok(tx.affected_rows() == 1)
}

/// After a try: a delivered one clears the count, a failed one adds to it.
pub async fn count_try<Q: Queryable>(conn: &mut Q, db: &Db, id: u64, ok: bool) -> SqlResult<()> {
    conn.exec_drop(
        db.sql("UPDATE {p}volixta_webhooks SET failures = IF(?, 0, failures + 1) WHERE id = ?"),
        (ok, id),
    )
    .await?;
    Ok(())
}

/// Switches an active endpoint off; `false` when it was off already (another replica did it).
pub async fn disable(tx: &mut Tx, db: &Db, id: u64, reason: &str) -> SqlResult<bool> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_webhooks SET active = 0, disabled_at = UTC_TIMESTAMP(6), \
             disabled_reason = ? WHERE id = ? AND active = 1",
        ),
        (reason, id),
    )
    .await?;
    Ok(tx.affected_rows() == 1)
}
