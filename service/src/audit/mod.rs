//! The audit log: who changed what, and when, for any entity. Domains record into it inside the
//! transaction of the change itself, so a change and its record commit together.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{Change, Changes, Entry, Record, Search, diff, is_entity_name};
pub use error::AuditError;

use crate::{
    db::{Db, Tx},
    paging::{Page, PageRequest},
};

/// Records one change. An update that changed nothing records nothing.
pub async fn record(tx: &mut Tx, db: &Db, record: &Record) -> Result<(), mysql_async::Error> {
    if record.is_empty_update() {
        return Ok(());
    }
    repo::insert_many(tx, db, std::slice::from_ref(record)).await
}

/// Records many changes with few round trips (imports, bulk group changes).
pub async fn record_many(
    tx: &mut Tx,
    db: &Db,
    records: &[Record],
) -> Result<(), mysql_async::Error> {
    let records: Vec<&Record> = records.iter().filter(|r| !r.is_empty_update()).collect();
    for chunk in records.chunks(500) {
        repo::insert_many(tx, db, chunk).await?;
    }
    Ok(())
}

/// Newest first; the page's cursor is an entry id.
pub async fn list(
    db: &Db,
    entity: &str,
    entity_id: u64,
    page: PageRequest,
) -> Result<Page<Entry>, mysql_async::Error> {
    let mut conn = db.pool.get_conn().await?;
    let rows = repo::list(&mut conn, db, entity, entity_id, page).await?;
    Ok(Page::from_rows(rows, page.limit, |e| e.id))
}

/// Newest first across every entity, narrowed by `search`; the page's cursor is an entry id.
pub async fn search(
    db: &Db,
    search: &Search,
    page: PageRequest,
) -> Result<Page<Entry>, mysql_async::Error> {
    let mut conn = db.pool.get_conn().await?;
    let rows = repo::search(&mut conn, db, search, page).await?;
    Ok(Page::from_rows(rows, page.limit, |e| e.id))
}

/// The distinct actors and actions recorded, for a search's choices (at most 200 of each).
pub async fn choices(db: &Db) -> Result<(Vec<String>, Vec<String>), mysql_async::Error> {
    let mut conn = db.pool.get_conn().await?;
    let actors = repo::distinct(&mut conn, db, "actor").await?;
    let actions = repo::distinct(&mut conn, db, "action").await?;
    Ok((actors, actions))
}
