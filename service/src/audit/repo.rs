use super::{Changes, Entry, Record};
use crate::db::{Db, Tx, to_utc};
use chrono::NaiveDateTime;
use mysql_async::{Row, Value, prelude::Queryable};

pub async fn insert_many<R: std::borrow::Borrow<Record>>(
    tx: &mut Tx,
    db: &Db,
    records: &[R],
) -> Result<(), mysql_async::Error> {
    if records.is_empty() {
        return Ok(());
    }
    let placeholders = vec!["(?, ?, ?, ?, ?)"; records.len()].join(", ");
    let mut params: Vec<Value> = Vec::with_capacity(records.len() * 5);
    for r in records {
        let r = r.borrow();
        params.push(r.entity.into());
        params.push(r.entity_id.into());
        params.push(r.actor.as_str().into());
        params.push(r.action.into());
        params.push(
            serde_json::to_string(&r.changes)
                .unwrap_or_else(|_| "{}".into())
                .into(),
        );
    }
    tx.exec_drop(
        db.sql(&format!(
            "INSERT INTO {{p}}volixta_audit_log (entity, entity_id, actor, action, changes) VALUES {placeholders}"
        )),
        params,
    )
    .await
}

pub async fn list<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    entity: &str,
    entity_id: u64,
    before: Option<u64>,
    limit: u16,
) -> Result<Vec<Entry>, mysql_async::Error> {
    let rows: Vec<Row> = conn
        .exec(
            db.sql(
                "SELECT id, entity, entity_id, actor, action, changes, created_at \
                 FROM {p}volixta_audit_log WHERE entity = ? AND entity_id = ? AND id < ? \
                 ORDER BY id DESC LIMIT ?",
            ),
            (entity, entity_id, before.unwrap_or(u64::MAX), limit),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let (id, entity, entity_id, actor, action, changes, created_at): (
                u64,
                String,
                u64,
                String,
                String,
                String,
                NaiveDateTime,
            ) = mysql_async::from_row(row);
            Entry {
                id,
                entity,
                entity_id,
                actor,
                action,
                changes: serde_json::from_str::<Changes>(&changes).unwrap_or_default(),
                created_at: to_utc(created_at),
            }
        })
        .collect())
}
