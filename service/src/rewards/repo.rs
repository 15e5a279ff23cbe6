use super::{Action, Entry, LedgerRow};
use crate::db::{Db, DbError, Tx, row::Column};
use mysql_async::{
    FromValueError, Value,
    prelude::{FromValue, Queryable},
};

/// Takes the client row's lock, so one client's point changes happen one after another.
pub async fn lock(tx: &mut Tx, db: &Db, client_id: u64) -> Result<Option<u64>, DbError> {
    tx.exec_first(
        db.sql("SELECT reward_points FROM {p}volixta_clients WHERE id = ? FOR UPDATE"),
        (client_id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn is_live(tx: &mut Tx, db: &Db, client_id: u64) -> Result<bool, DbError> {
    let live: Option<bool> = tx
        .exec_first(
            db.sql("SELECT live FROM {p}volixta_clients WHERE id = ?"),
            (client_id,),
        )
        .await?;
    Ok(live.unwrap_or(false))
}

pub async fn append(
    tx: &mut Tx,
    db: &Db,
    entry: &Entry,
    balance_after: u64,
) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_reward_ledger (client_id, points, balance_after, action, reason, actor) \
             VALUES (?, ?, ?, ?, ?, ?)",
        ),
        (
            entry.client_id,
            entry.points,
            balance_after,
            entry.action.as_str(),
            &entry.reason,
            &entry.actor,
        ),
    )
    .await?;
    let id = tx.last_insert_id().unwrap_or_default();
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_clients SET reward_points = ? WHERE id = ?"),
        (balance_after, entry.client_id),
    )
    .await?;
    Ok(id)
}

const COLUMNS: &str = "id, client_id, points, balance_after, action, reason, actor, created_at";

/// Actions are stored as their names; a name this build does not know reads as an adjustment.
impl Column for Action {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        let name = String::from_value_opt(value)?;
        Ok(Self::parse(&name).unwrap_or(Self::Adjusted))
    }

    fn into_column(self) -> Value {
        self.as_str().into()
    }
}

pub async fn find<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<LedgerRow>, DbError> {
    conn.exec_first(
        db.sql(&format!(
            "SELECT {COLUMNS} FROM {{p}}volixta_reward_ledger WHERE id = ?"
        )),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn history<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
    search: Option<&str>,
    before: Option<u64>,
    limit: u16,
) -> Result<Vec<LedgerRow>, DbError> {
    let mut sql =
        format!("SELECT {COLUMNS} FROM {{p}}volixta_reward_ledger WHERE client_id = ? AND id < ?");
    let mut params: Vec<Value> = vec![client_id.into(), before.unwrap_or(u64::MAX).into()];
    if let Some(term) = search {
        let like = format!(
            "%{}%",
            term.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        // A bare number is a points value; anything else a date, an action or reason words.
        if let Ok(points) = term.trim_start_matches('+').parse::<i64>() {
            sql.push_str(" AND (points = ? OR ABS(points) = ? OR reason LIKE ?)");
            params.extend([points.into(), points.into(), like.into()]);
        } else {
            sql.push_str(
                " AND (DATE_FORMAT(created_at, '%Y-%m-%d %H:%i') LIKE ? OR action LIKE ? OR reason LIKE ?)",
            );
            params.extend([like.clone().into(), like.clone().into(), like.into()]);
        }
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    params.push(limit.into());
    conn.exec(db.sql(&sql), params).await.map_err(DbError::from)
}

pub async fn balance<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
) -> Result<Option<u64>, DbError> {
    conn.exec_first(
        db.sql("SELECT reward_points FROM {p}volixta_clients WHERE id = ?"),
        (client_id,),
    )
    .await
    .map_err(DbError::from)
}
