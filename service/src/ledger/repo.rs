//! The ledgers' SQL, for any `LedgerSpec`. No table is named here: every statement reads and
//! writes the tables of the spec it is called with, and only the domain that owns a spec can
//! name it (docs/architecture.md, "Who owns which table").
use super::{Balance, LedgerSpec};
use crate::{
    db::{Db, DbError, Tx},
    paging::PageRequest,
};
use mysql_async::{Value, prelude::Queryable};

/// Takes the lock of the row that holds the client's balance, so one client's changes to one
/// ledger happen one after another, whichever replica runs them. The balance and whether the
/// client is live (not deleted, not merged).
pub async fn lock<S: LedgerSpec>(
    tx: &mut Tx,
    db: &Db,
    client_id: u64,
) -> Result<Option<(Balance<S>, bool)>, DbError> {
    let (holder, balance) = (S::HOLDER, S::BALANCE);
    tx.exec_first(
        db.sql(&format!(
            "SELECT {balance}, live FROM {holder} WHERE id = ? FOR UPDATE"
        )),
        (client_id,),
    )
    .await
    .map_err(DbError::from)
}

/// Appends the entry's row with the balance after it, and caches that balance on the holder
/// row (locked by `lock`): the last `balance_after` and the cached balance stay equal.
pub async fn append<S: LedgerSpec>(
    tx: &mut Tx,
    db: &Db,
    entry: &S::Entry,
    balance_after: Balance<S>,
) -> Result<u64, DbError> {
    let client_id = S::client_id(entry);
    let mut columns = format!("client_id, {}, balance_after", S::CHANGE);
    let mut params: Vec<Value> = vec![
        client_id.into(),
        S::change(entry).into(),
        balance_after.into(),
    ];
    for (column, value) in S::details(entry) {
        columns.push_str(", ");
        columns.push_str(column);
        params.push(value);
    }
    let marks = vec!["?"; params.len()].join(", ");
    let table = S::TABLE;
    tx.exec_drop(
        db.sql(&format!("INSERT INTO {table} ({columns}) VALUES ({marks})")),
        params,
    )
    .await?;
    let id = tx.last_insert_id().unwrap_or_default();
    let (holder, balance) = (S::HOLDER, S::BALANCE);
    tx.exec_drop(
        db.sql(&format!("UPDATE {holder} SET {balance} = ? WHERE id = ?")),
        (balance_after, client_id),
    )
    .await?;
    Ok(id)
}

pub async fn find<S: LedgerSpec, Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<S::Row>, DbError> {
    let (columns, table) = (S::COLUMNS, S::TABLE);
    conn.exec_first(
        db.sql(&format!("SELECT {columns} FROM {table} WHERE id = ?")),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn balance<S: LedgerSpec, Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
) -> Result<Option<Balance<S>>, DbError> {
    let (holder, balance) = (S::HOLDER, S::BALANCE);
    conn.exec_first(
        db.sql(&format!("SELECT {balance} FROM {holder} WHERE id = ?")),
        (client_id,),
    )
    .await
    .map_err(DbError::from)
}

/// Which rows of a ledger to read, newest first: one client's or every client's, below a
/// keyset cursor (an id), narrowed by conditions the owning domain writes on its own columns.
#[derive(Clone, Debug)]
pub struct History {
    client_id: Option<u64>,
    page: PageRequest,
    conditions: String,
    params: Vec<Value>,
}

impl History {
    pub fn new(client_id: Option<u64>, page: PageRequest) -> Self {
        Self {
            client_id,
            page,
            conditions: String::new(),
            params: Vec::new(),
        }
    }

    /// Only the rows that also meet `condition` (SQL with `?` for each of `params`).
    pub fn and(&mut self, condition: &str, params: impl IntoIterator<Item = Value>) {
        self.conditions.push_str(" AND (");
        self.conditions.push_str(condition);
        self.conditions.push(')');
        self.params.extend(params);
    }

    pub fn limit(&self) -> u16 {
        self.page.limit
    }
}

pub async fn history<S: LedgerSpec, Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    query: &History,
) -> Result<Vec<S::Row>, DbError> {
    let (columns, table) = (S::COLUMNS, S::TABLE);
    let mut sql = format!("SELECT {columns} FROM {table} WHERE id < ?");
    let mut params: Vec<Value> = vec![query.page.after.unwrap_or(u64::MAX).into()];
    if let Some(client_id) = query.client_id {
        sql.push_str(" AND client_id = ?");
        params.push(client_id.into());
    }
    sql.push_str(&query.conditions);
    params.extend(query.params.iter().cloned());
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    params.push(query.page.rows_to_read().into());
    conn.exec(db.sql(&sql), params).await.map_err(DbError::from)
}

/// Triggers that refuse UPDATE and DELETE on the spec's ledger, whatever code or person tries.
/// Checked first rather than `CREATE TRIGGER IF NOT EXISTS`, which MySQL 8 does not know.
pub async fn install_append_only_triggers<S: LedgerSpec, Q: Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<(), DbError> {
    let table = db.sql(S::TABLE);
    for (name, event) in [("no_update", "UPDATE"), ("no_delete", "DELETE")] {
        let trigger = format!("{table}_{name}");
        let exists: Option<u8> = conn
            .exec_first(
                "SELECT 1 FROM information_schema.TRIGGERS \
                 WHERE TRIGGER_SCHEMA = DATABASE() AND TRIGGER_NAME = ?",
                (&trigger,),
            )
            .await?;
        if exists.is_some() {
            continue;
        }
        let label = table.trim_start_matches(db.prefix());
        conn.query_drop(format!(
            "CREATE TRIGGER {trigger} BEFORE {event} ON {table} FOR EACH ROW \
             SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = '{label} is append-only'"
        ))
        .await?;
    }
    Ok(())
}
