use super::{Changes, Entry, Record, Search};
use crate::{
    db::{Db, Tx, row::Column},
    paging::PageRequest,
};
use mysql_async::{
    FromValueError, Value,
    prelude::{FromValue, Queryable},
};

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
    page: PageRequest,
) -> Result<Vec<Entry>, mysql_async::Error> {
    conn.exec(
        db.sql(
            "SELECT id, entity, entity_id, actor, action, changes, created_at \
             FROM {p}volixta_audit_log WHERE entity = ? AND entity_id = ? AND id < ? \
             ORDER BY id DESC LIMIT ?",
        ),
        (
            entity,
            entity_id,
            page.after.unwrap_or(u64::MAX),
            page.rows_to_read(),
        ),
    )
    .await
}

pub async fn search<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    search: &Search,
    page: PageRequest,
) -> Result<Vec<Entry>, mysql_async::Error> {
    let mut sql = String::from(
        "SELECT id, entity, entity_id, actor, action, changes, created_at \
         FROM {p}volixta_audit_log WHERE id < ?",
    );
    let mut params: Vec<Value> = vec![page.after.unwrap_or(u64::MAX).into()];
    let mut equal = |column: &str, value: &Option<String>, sql: &mut String| {
        if let Some(v) = value {
            sql.push_str(&format!(" AND {column} = ?"));
            params.push(v.as_str().into());
        }
    };
    equal("entity", &search.entity, &mut sql);
    equal("actor", &search.actor, &mut sql);
    equal("action", &search.action, &mut sql);
    if let Some(ids) = &search.entity_ids {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        sql.push_str(&format!(
            " AND entity_id IN ({})",
            vec!["?"; ids.len()].join(", ")
        ));
        params.extend(ids.iter().map(|&id| Value::from(id)));
    }
    if let Some(from) = search.from {
        sql.push_str(" AND created_at >= ?");
        params.push(from.naive_utc().into());
    }
    if let Some(until) = search.until {
        sql.push_str(" AND created_at < ?");
        params.push(until.naive_utc().into());
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    params.push(page.rows_to_read().into());
    conn.exec(db.sql(&sql), params).await
}

/// The distinct values of `column` (a fixed column name), most recently used first.
pub async fn distinct<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    column: &'static str,
) -> Result<Vec<String>, mysql_async::Error> {
    conn.query(db.sql(&format!(
        "SELECT {column} FROM {{p}}volixta_audit_log GROUP BY {column} ORDER BY MAX(id) DESC LIMIT 200"
    )))
    .await
}

/// Changes are stored as JSON; a record an older build wrote in another shape reads as none.
impl Column for Changes {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        let json = String::from_value_opt(value)?;
        Ok(serde_json::from_str(&json).unwrap_or_default())
    }

    fn into_column(self) -> Value {
        serde_json::to_string(&self)
            .unwrap_or_else(|_| "{}".into())
            .into()
    }
}
