//! Uploaded CSV files and the state of their runs (`{p}volixta_client_imports`).
use crate::db::{Db, Tx};
use mysql_async::prelude::{FromRow, Queryable};

/// How long a run may go without writing progress before it counts as interrupted (the process
/// that ran it stopped); a chunk of rows takes seconds.
pub const STALE_MINUTES: u32 = 10;

#[derive(FromRow)]
pub struct ImportRow {
    pub id: u64,
    pub actor: String,
    pub file_name: String,
    pub mapping: Option<String>,
    pub state: String,
    pub dry_run: bool,
    pub rows_total: u64,
    pub rows_done: u64,
    pub report: Option<String>,
    pub error: Option<String>,
    pub stale: bool,
}

pub async fn insert_import(
    conn: &mut mysql_async::Conn,
    db: &Db,
    actor: &str,
    file_name: &str,
    csv: &[u8],
) -> Result<u64, mysql_async::Error> {
    conn.exec_drop(
        db.sql("INSERT INTO {p}volixta_client_imports (actor, file_name, csv) VALUES (?, ?, ?)"),
        (actor, file_name, csv),
    )
    .await?;
    Ok(conn.last_insert_id().unwrap_or(0))
}

/// Files are kept a week: long enough to come back to a dry run, short enough not to pile up.
pub async fn purge_imports<Q: Queryable>(conn: &mut Q, db: &Db) -> Result<(), mysql_async::Error> {
    conn.exec_drop(
        db.sql(
            "DELETE FROM {p}volixta_client_imports \
             WHERE created_at < UTC_TIMESTAMP(6) - INTERVAL 7 DAY AND state <> 'running'",
        ),
        (),
    )
    .await
}

pub async fn find_import<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<ImportRow>, mysql_async::Error> {
    conn.exec_first(
        db.sql(&format!(
            "SELECT id, actor, file_name, mapping, state, dry_run, rows_total, rows_done, report, \
             error, (state = 'running' AND updated_at < UTC_TIMESTAMP(6) - INTERVAL \
             {STALE_MINUTES} MINUTE) AS stale FROM {{p}}volixta_client_imports WHERE id = ?"
        )),
        (id,),
    )
    .await
}

pub async fn import_file<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<Vec<u8>>, mysql_async::Error> {
    conn.exec_first(
        db.sql("SELECT csv FROM {p}volixta_client_imports WHERE id = ?"),
        (id,),
    )
    .await
}

/// Marks the file's next run as started, unless one is running (and not stale): the written row
/// decides, so two clicks or two replicas start it once.
pub async fn start_import(
    conn: &mut Tx,
    db: &Db,
    id: u64,
    mapping: &str,
    dry_run: bool,
) -> Result<bool, mysql_async::Error> {
    conn.exec_drop(
        db.sql(&format!(
            "UPDATE {{p}}volixta_client_imports SET state = 'running', dry_run = ?, mapping = ?, \
             rows_total = 0, rows_done = 0, report = NULL, error = NULL WHERE id = ? AND \
             (state <> 'running' OR updated_at < UTC_TIMESTAMP(6) - INTERVAL {STALE_MINUTES} MINUTE)"
        )),
        (dry_run, mapping, id),
    )
    .await?;
    Ok(conn.affected_rows() == 1)
}

pub async fn import_progress<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
    done: u64,
    total: u64,
) -> Result<(), mysql_async::Error> {
    conn.exec_drop(
        db.sql(
            "UPDATE {p}volixta_client_imports SET rows_done = ?, rows_total = ? \
             WHERE id = ? AND state = 'running'",
        ),
        (done, total, id),
    )
    .await
}

/// Ends a run: `report` when it finished, `error` when it could not.
pub async fn finish_import<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
    report: Option<&str>,
    error: Option<&str>,
) -> Result<(), mysql_async::Error> {
    conn.exec_drop(
        db.sql(
            "UPDATE {p}volixta_client_imports SET state = IF(? IS NULL, 'done', 'failed'), \
             rows_done = IF(? IS NULL, rows_total, rows_done), report = ?, error = ? WHERE id = ?",
        ),
        (error, error, report, error, id),
    )
    .await
}
