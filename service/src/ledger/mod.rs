//! The mechanics every per-client ledger shares, whatever it counts (the wallet's money, reward
//! points): a change is posted under the lock of the client's row; it may not be zero nor leave
//! the balance below zero; it is appended as a row carrying `balance_after`, so each row chains
//! to the one before and rows are never changed; and the balance cached on the client row
//! follows in the same transaction.
//!
//! A domain describes its ledger with a `LedgerSpec` (its tables and columns, what an entry and
//! a row are) and keeps its own kinds, errors and HTTP. This module owns no table: it writes
//! only the tables a spec names, and a spec is private to the domain that owns its ledger, so
//! it writes them only when that domain calls it.
mod domain;
mod error;
mod repo;

pub use domain::{MAX_REASON_CHARS, Quantity, clean_reason};
pub use error::{LedgerError, ReasonError};
pub use repo::History;

use crate::{
    db::{Db, DbError, Tx},
    paging::Page,
};
use mysql_async::{Value, prelude::FromRow};

/// One domain's ledger: where it is stored and how its entries and rows look.
pub trait LedgerSpec {
    type Quantity: Quantity;
    /// A change to post, as the domain describes it.
    type Entry: Sync;
    /// A stored row, as the domain reads it (from `COLUMNS`).
    type Row: FromRow + Send + 'static;

    /// The ledger table, written out (`"{p}volixta_wallet_ledger"`); the implementing domain
    /// owns it. Its columns: `id`, `client_id`, `CHANGE`, `balance_after`, the entry's details.
    const TABLE: &'static str;
    /// The table of the row holding the client's cached balance (with `id` and `live`),
    /// written out; the implementing domain must be allowed to write its `BALANCE` column.
    const HOLDER: &'static str;
    /// The column of `HOLDER` that caches the balance.
    const BALANCE: &'static str;
    /// The column of the signed change.
    const CHANGE: &'static str;
    /// What a row is read with.
    const COLUMNS: &'static str;

    fn client_id(entry: &Self::Entry) -> u64;
    fn change(entry: &Self::Entry) -> Self::Quantity;
    /// The entry's other columns and their values (its kind, reason, actor, references).
    fn details(entry: &Self::Entry) -> Vec<(&'static str, Value)>;
    fn row_id(row: &Self::Row) -> u64;
}

/// What a client of a spec's ledger holds.
pub type Balance<S> = <<S as LedgerSpec>::Quantity as Quantity>::Balance;

/// Posts one entry under the client row's lock, inside the caller's transaction. Refuses,
/// writing nothing, a client that is missing, deleted or merged, a zero change, and one that
/// would leave the balance below zero.
pub async fn post<S: LedgerSpec>(
    tx: &mut Tx,
    db: &Db,
    entry: &S::Entry,
) -> Result<S::Row, LedgerError<Balance<S>>> {
    let (balance, live) = repo::lock::<S>(tx, db, S::client_id(entry))
        .await?
        .ok_or(LedgerError::ClientNotFound)?;
    if !live {
        return Err(LedgerError::ClientNotActive);
    }
    let balance_after = domain::next_balance(balance, S::change(entry))?;
    let id = repo::append::<S>(tx, db, entry, balance_after).await?;
    repo::find::<S, _>(tx, db, id)
        .await?
        .ok_or(LedgerError::ClientNotFound)
}

/// The cached balance; `None` when there is no such client.
pub async fn balance<S: LedgerSpec>(
    db: &Db,
    client_id: u64,
) -> Result<Option<Balance<S>>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    repo::balance::<S, _>(&mut conn, db, client_id).await
}

/// Makes the ledger's rows unchangeable in the database itself: triggers refuse every UPDATE and
/// DELETE, whoever sends it (this service, a plugin, SQL by hand). A database user without the
/// TRIGGER privilege (or SUPER, with binary logging on) keeps working without them.
pub async fn install_append_only_guard<S: LedgerSpec>(db: &Db) -> anyhow::Result<()> {
    let mut conn = db.pool.get_conn().await?;
    match repo::install_append_only_triggers::<S, _>(&mut conn, db).await {
        Ok(()) => Ok(()),
        Err(e) if e.is_missing_privilege() => {
            tracing::warn!(error = %e, table = S::TABLE, "a ledger's append-only triggers could not be created; the database user lacks the privilege");
            Ok(())
        }
        Err(e) => Err(e.into_inner().into()),
    }
}

pub async fn history<S: LedgerSpec>(db: &Db, query: &History) -> Result<Page<S::Row>, DbError> {
    let mut conn = db.pool.get_conn().await?;
    let rows = repo::history::<S, _>(&mut conn, db, query).await?;
    Ok(Page::from_rows(rows, query.limit(), S::row_id))
}
