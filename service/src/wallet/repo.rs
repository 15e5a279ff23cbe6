use super::{Entry, EntryKind, LedgerRow};
use crate::{
    db::{Db, Tx, to_utc},
    money::Money,
};
use chrono::NaiveDateTime;
use mysql_async::{Row, prelude::Queryable};
use rust_decimal::Decimal;

pub struct LockedWallet {
    pub balance: Money,
    pub live: bool,
}

/// Takes the client row's lock: wallet changes of one client happen one after another,
/// whichever replica runs them.
pub async fn lock(
    tx: &mut Tx,
    db: &Db,
    client_id: u64,
) -> Result<Option<LockedWallet>, mysql_async::Error> {
    let row: Option<(Decimal, bool)> = tx
        .exec_first(
            db.sql(
                "SELECT wallet_balance, (deleted_at IS NULL AND merged_into_id IS NULL) \
                 FROM {p}volixta_clients WHERE id = ? FOR UPDATE",
            ),
            (client_id,),
        )
        .await?;
    Ok(row.map(|(balance, live)| LockedWallet {
        balance: Money::from_db(balance),
        live,
    }))
}

pub async fn append(
    tx: &mut Tx,
    db: &Db,
    entry: &Entry,
    balance_after: Money,
) -> Result<u64, mysql_async::Error> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_wallet_ledger \
             (client_id, amount, balance_after, kind, reason, actor, booking_id, gift_code_id, wc_order_id) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            entry.client_id,
            entry.amount.amount(),
            balance_after.amount(),
            entry.kind.as_str(),
            &entry.reason,
            &entry.actor,
            entry.refs.booking_id,
            entry.refs.gift_code_id,
            entry.refs.wc_order_id,
        ),
    )
    .await?;
    let id = tx.last_insert_id().unwrap_or_default();
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_clients SET wallet_balance = ? WHERE id = ?"),
        (balance_after.amount(), entry.client_id),
    )
    .await?;
    Ok(id)
}

const COLUMNS: &str = "id, client_id, amount, balance_after, kind, reason, actor, booking_id, \
                       gift_code_id, wc_order_id, created_at";

fn from_row(row: Row) -> LedgerRow {
    type Cols = (
        u64,
        u64,
        Decimal,
        Decimal,
        String,
        String,
        String,
        Option<u64>,
        Option<u64>,
        Option<u64>,
        NaiveDateTime,
    );
    let (
        id,
        client_id,
        amount,
        balance_after,
        kind,
        reason,
        actor,
        booking_id,
        gift_code_id,
        wc_order_id,
        created_at,
    ): Cols = mysql_async::from_row(row);
    LedgerRow {
        id,
        client_id,
        amount: Money::from_db(amount),
        balance_after: Money::from_db(balance_after),
        kind: EntryKind::parse(&kind).unwrap_or(EntryKind::ManualCredit),
        reason,
        actor,
        booking_id,
        gift_code_id,
        wc_order_id,
        created_at: to_utc(created_at),
    }
}

pub async fn find<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<LedgerRow>, mysql_async::Error> {
    let row: Option<Row> = conn
        .exec_first(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_wallet_ledger WHERE id = ?"
            )),
            (id,),
        )
        .await?;
    Ok(row.map(from_row))
}

/// Newest first; `before` is the keyset cursor (an id).
pub async fn history<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
    before: Option<u64>,
    limit: u16,
) -> Result<Vec<LedgerRow>, mysql_async::Error> {
    let rows: Vec<Row> = conn
        .exec(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_wallet_ledger \
                 WHERE client_id = ? AND id < ? ORDER BY id DESC LIMIT ?"
            )),
            (client_id, before.unwrap_or(u64::MAX), limit),
        )
        .await?;
    Ok(rows.into_iter().map(from_row).collect())
}

pub async fn balance<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
) -> Result<Option<Money>, mysql_async::Error> {
    let b: Option<Decimal> = conn
        .exec_first(
            db.sql("SELECT wallet_balance FROM {p}volixta_clients WHERE id = ?"),
            (client_id,),
        )
        .await?;
    Ok(b.map(Money::from_db))
}
