use super::{
    Entry, EntryKind, LedgerRow,
    domain::{ActorFilter, HistoryFilter, TopUp, TopUpFlag, TopUpStatus},
};
use crate::{
    db::{Db, DbError, Tx, row::Column},
    ledger::{History, LedgerSpec},
    money::Money,
    paging::PageRequest,
};
use mysql_async::{
    FromValueError, Value,
    prelude::{FromValue, Queryable},
};
use rust_decimal::Decimal;

/// The index that lets one WooCommerce order pay one top-up only.
pub const UNIQUE_ORDER: &str = "uq_wc_order";

/// The wallet's ledger, for `ledger`'s shared mechanics: money, cached on the client row.
pub(super) struct Ledger;

impl LedgerSpec for Ledger {
    type Quantity = Money;
    type Entry = Entry;
    type Row = LedgerRow;

    const TABLE: &'static str = "{p}volixta_wallet_ledger";
    const HOLDER: &'static str = "{p}volixta_clients";
    const BALANCE: &'static str = "wallet_balance";
    const CHANGE: &'static str = "amount";
    const COLUMNS: &'static str = "id, client_id, amount, balance_after, kind, reason, actor, \
                                   booking_id, gift_code_id, wc_order_id, created_at";

    fn client_id(entry: &Entry) -> u64 {
        entry.client_id
    }

    fn change(entry: &Entry) -> Money {
        entry.amount
    }

    fn details(entry: &Entry) -> Vec<(&'static str, Value)> {
        vec![
            ("kind", entry.kind.as_str().into()),
            ("reason", entry.reason.as_str().into()),
            ("actor", entry.actor.as_str().into()),
            ("booking_id", entry.refs.booking_id.into()),
            ("gift_code_id", entry.refs.gift_code_id.into()),
            ("wc_order_id", entry.refs.wc_order_id.into()),
        ]
    }

    fn row_id(row: &LedgerRow) -> u64 {
        row.id
    }
}

/// Kinds are stored as their names; a name this build does not know reads as a manual credit.
impl Column for EntryKind {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        let name = String::from_value_opt(value)?;
        Ok(Self::parse(&name).unwrap_or(Self::ManualCredit))
    }

    fn into_column(self) -> Value {
        self.as_str().into()
    }
}

/// A status this build does not know reads as pending.
impl Column for TopUpStatus {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        let name = String::from_value_opt(value)?;
        Ok(Self::parse(&name).unwrap_or(Self::Pending))
    }

    fn into_column(self) -> Value {
        self.as_str().into()
    }
}

/// A flag this build does not know reads as none.
impl Column for Option<TopUpFlag> {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        let name = Option::<String>::from_value_opt(value)?;
        Ok(name.as_deref().and_then(TopUpFlag::parse))
    }

    fn into_column(self) -> Value {
        self.map_or(Value::NULL, |flag| flag.as_str().into())
    }
}

/// Newest first, of one client or of all, with the manager's filters; `before` is the keyset
/// cursor (an id).
pub fn history(client_id: Option<u64>, filter: &HistoryFilter, page: PageRequest) -> History {
    let mut query = History::new(client_id, page);
    if !filter.kinds.is_empty() {
        let marks = vec!["?"; filter.kinds.len()].join(", ");
        query.and(
            &format!("kind IN ({marks})"),
            filter.kinds.iter().map(|k| Value::from(k.as_str())),
        );
    }
    if let Some(from) = filter.from {
        query.and("created_at >= ?", [from.naive_utc().into()]);
    }
    if let Some(to) = filter.to {
        query.and("created_at < ?", [to.naive_utc().into()]);
    }
    if !filter.client_ids.is_empty() {
        let marks = vec!["?"; filter.client_ids.len()].join(", ");
        query.and(
            &format!("client_id IN ({marks})"),
            filter.client_ids.iter().map(|id| Value::from(*id)),
        );
    }
    match &filter.actor {
        None => {}
        Some(ActorFilter::One(actor)) => query.and("actor = ?", [actor.as_str().into()]),
        Some(ActorFilter::Role(role)) => query.and("actor LIKE ?", [format!("{role}:%").into()]),
        Some(ActorFilter::System) => query.and("actor NOT LIKE ?", ["%:%".into()]),
    }
    query
}

/// Every client's cached balance, for the ledger check.
pub async fn cached_balances<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
) -> Result<Vec<(u64, Decimal)>, DbError> {
    conn.query(db.sql("SELECT id, wallet_balance FROM {p}volixta_clients ORDER BY id"))
        .await
        .map_err(DbError::from)
}

/// One page of `(client_id, id, amount, balance_after)` in `(client_id, id)` order after the cursor.
pub async fn ledger_page<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    after: (u64, u64),
    limit: u32,
) -> Result<Vec<(u64, u64, Decimal, Decimal)>, DbError> {
    conn.exec(
        db.sql(
            "SELECT client_id, id, amount, balance_after FROM {p}volixta_wallet_ledger \
             WHERE client_id > ? OR (client_id = ? AND id > ?) ORDER BY client_id, id LIMIT ?",
        ),
        (after.0, after.0, after.1, limit),
    )
    .await
    .map_err(DbError::from)
}

pub async fn client_is_live<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
) -> Result<Option<bool>, DbError> {
    conn.exec_first(
        db.sql(
            "SELECT (deleted_at IS NULL AND merged_into_id IS NULL) \
             FROM {p}volixta_clients WHERE id = ?",
        ),
        (client_id,),
    )
    .await
    .map_err(DbError::from)
}

const TOP_UP_COLUMNS: &str = "id, client_id, amount, status, wc_order_id, amount_paid, ledger_id, \
                              flag, flag_detail, requested_by, created_at, paid_at, cancelled_at";

pub async fn insert_top_up(
    tx: &mut Tx,
    db: &Db,
    client_id: u64,
    amount: Money,
    requested_by: &str,
) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_wallet_top_ups (client_id, amount, requested_by) VALUES (?, ?, ?)",
        ),
        (client_id, amount.amount(), requested_by),
    )
    .await?;
    Ok(tx.last_insert_id().unwrap_or_default())
}

pub async fn find_top_up<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
    for_update: bool,
) -> Result<Option<TopUp>, DbError> {
    let lock = if for_update { " FOR UPDATE" } else { "" };
    conn.exec_first(
        db.sql(&format!(
            "SELECT {TOP_UP_COLUMNS} FROM {{p}}volixta_wallet_top_ups WHERE id = ?{lock}"
        )),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

/// Newest first, below the page's cursor (an id). `client_id`, `status` and `flagged` narrow
/// the list.
pub async fn list_top_ups<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: Option<u64>,
    status: Option<TopUpStatus>,
    flagged: bool,
    page: PageRequest,
) -> Result<Vec<TopUp>, DbError> {
    let mut sql = format!("SELECT {TOP_UP_COLUMNS} FROM {{p}}volixta_wallet_top_ups WHERE id < ?");
    let mut params: Vec<Value> = vec![page.after.unwrap_or(u64::MAX).into()];
    if let Some(client_id) = client_id {
        sql.push_str(" AND client_id = ?");
        params.push(client_id.into());
    }
    if let Some(status) = status {
        sql.push_str(" AND status = ?");
        params.push(status.as_str().into());
    }
    if flagged {
        sql.push_str(" AND flag IS NOT NULL");
    }
    sql.push_str(" ORDER BY id DESC LIMIT ?");
    params.push(page.rows_to_read().into());
    conn.exec(db.sql(&sql), params).await.map_err(DbError::from)
}

pub async fn attach_order(tx: &mut Tx, db: &Db, id: u64, wc_order_id: u64) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_wallet_top_ups SET wc_order_id = ? WHERE id = ?"),
        (wc_order_id, id),
    )
    .await
    .map_err(DbError::from)
}

pub async fn mark_paid(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    wc_order_id: u64,
    amount_paid: Money,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wallet_top_ups SET status = 'paid', wc_order_id = ?, amount_paid = ?, \
             paid_at = CURRENT_TIMESTAMP(6) WHERE id = ? AND status = 'pending'",
        ),
        (wc_order_id, amount_paid.amount(), id),
    )
    .await
    .map_err(DbError::from)
}

pub async fn set_top_up_ledger(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    ledger_id: u64,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_wallet_top_ups SET ledger_id = ? WHERE id = ?"),
        (ledger_id, id),
    )
    .await
    .map_err(DbError::from)
}

pub async fn flag(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    flag: TopUpFlag,
    detail: &str,
) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wallet_top_ups SET flag = ?, flag_detail = ?, \
             flagged_at = CURRENT_TIMESTAMP(6) WHERE id = ?",
        ),
        (flag.as_str(), detail, id),
    )
    .await
    .map_err(DbError::from)
}

pub async fn cancel_top_up(tx: &mut Tx, db: &Db, id: u64) -> Result<(), DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wallet_top_ups SET status = 'cancelled', \
             cancelled_at = CURRENT_TIMESTAMP(6) WHERE id = ? AND status = 'pending'",
        ),
        (id,),
    )
    .await
    .map_err(DbError::from)
}

/// A top-up still awaiting payment is credited to the kept profile when it is paid; paid and
/// cancelled ones stay in the history of the profile that made them.
pub async fn reassign_pending_top_ups(
    tx: &mut Tx,
    db: &Db,
    from: u64,
    to: u64,
) -> Result<u64, DbError> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_wallet_top_ups SET client_id = ? WHERE client_id = ? AND status = 'pending'",
        ),
        (to, from),
    )
    .await?;
    Ok(tx.affected_rows())
}
