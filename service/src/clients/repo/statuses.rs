use crate::{
    clients::Status,
    db::{Db, Tx},
};
use mysql_async::prelude::Queryable;

/// Saves a status typed for a client so later clients are offered it, and returns the name as
/// first saved (statuses compare case- and accent-insensitively: "vip" is "VIP").
pub async fn ensure_status(tx: &mut Tx, db: &Db, name: &str) -> Result<String, mysql_async::Error> {
    let stored: Option<String> = tx
        .exec_first(
            db.sql("SELECT name FROM {p}volixta_client_statuses WHERE name = ?"),
            (name,),
        )
        .await?;
    // An INSERT that turns into the duplicate-key update still runs the table's insert trigger,
    // which counts the status's clients; most saves use a status that exists.
    if let Some(stored) = stored {
        return Ok(stored);
    }
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_client_statuses (name, position) VALUES (?, 1000) \
             ON DUPLICATE KEY UPDATE id = id",
        ),
        (name,),
    )
    .await?;
    let stored: Option<String> = tx
        .exec_first(
            db.sql("SELECT name FROM {p}volixta_client_statuses WHERE name = ?"),
            (name,),
        )
        .await?;
    Ok(stored.unwrap_or_else(|| name.to_owned()))
}

/// The kept count (see `counts.rs`), or a count of the rows where it is not kept.
const STATUS_SELECT: &str = "SELECT s.id, s.name, s.icon, s.position, \
    COALESCE(s.live_clients, \
      (SELECT COUNT(*) FROM {p}volixta_clients c WHERE c.live = 1 AND c.status = s.name)) AS clients \
    FROM {p}volixta_client_statuses s";

pub async fn list_statuses<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<Vec<Status>, mysql_async::Error> {
    conn.query(db.sql(&format!("{STATUS_SELECT} ORDER BY s.position, s.name")))
        .await
}

pub async fn find_status<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<Status>, mysql_async::Error> {
    conn.exec_first(db.sql(&format!("{STATUS_SELECT} WHERE s.id = ?")), (id,))
        .await
}

pub async fn insert_status(
    tx: &mut Tx,
    db: &Db,
    name: &str,
    icon: &str,
    position: i64,
) -> Result<u64, mysql_async::Error> {
    tx.exec_drop(
        db.sql("INSERT INTO {p}volixta_client_statuses (name, icon, position) VALUES (?, ?, ?)"),
        (name, icon, position),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn lock_status(
    tx: &mut Tx,
    db: &Db,
    id: u64,
) -> Result<Option<String>, mysql_async::Error> {
    tx.exec_first(
        db.sql("SELECT name FROM {p}volixta_client_statuses WHERE id = ? FOR UPDATE"),
        (id,),
    )
    .await
}

pub async fn update_status(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    name: &str,
    icon: Option<&str>,
    position: Option<i64>,
) -> Result<(), mysql_async::Error> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_client_statuses SET name = ?, icon = COALESCE(?, icon), \
             position = COALESCE(?, position) WHERE id = ?",
        ),
        (name, icon, position, id),
    )
    .await
}

/// Renames the status on every client that has it, returning the ids of those clients.
pub async fn rename_status_on_clients(
    tx: &mut Tx,
    db: &Db,
    from: &str,
    to: &str,
) -> Result<Vec<u64>, mysql_async::Error> {
    let ids: Vec<u64> = tx
        .exec(
            db.sql("SELECT id FROM {p}volixta_clients WHERE status = ? FOR UPDATE"),
            (from,),
        )
        .await?;
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_clients SET status = ? WHERE status = ?"),
        (to, from),
    )
    .await?;
    Ok(ids)
}

pub async fn clients_with_status(
    tx: &mut Tx,
    db: &Db,
    name: &str,
) -> Result<u64, mysql_async::Error> {
    let n: Option<u64> = tx
        .exec_first(
            db.sql("SELECT COUNT(*) FROM {p}volixta_clients WHERE status = ? AND live = 1"),
            (name,),
        )
        .await?;
    Ok(n.unwrap_or(0))
}

pub async fn delete_status(tx: &mut Tx, db: &Db, id: u64) -> Result<(), mysql_async::Error> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_client_statuses WHERE id = ?"),
        (id,),
    )
    .await
}
