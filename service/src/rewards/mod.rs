//! Reward points: a ledger per client of points added and removed, with the running total,
//! who did it and why. The total never goes below zero. Other domains (bookings completing,
//! merges) post through `post` inside their own transaction.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{Action, Adjustment, Entry, LedgerRow};
pub use error::RewardError;

use crate::{
    auth::Actor,
    db::{Db, Tx},
    ledger,
    paging::{Page, PageRequest},
};

/// Posts one ledger row under the client row's lock; refuses to go below zero without writing.
pub async fn post(tx: &mut Tx, db: &Db, entry: Entry) -> Result<LedgerRow, RewardError> {
    domain::check_points(entry.points)?;
    Ok(ledger::post::<repo::Ledger>(tx, db, &entry).await?)
}

/// Makes the points ledger append-only in the database itself, as the wallet's is.
pub async fn install_append_only_guard(db: &Db) -> anyhow::Result<()> {
    ledger::install_append_only_guard::<repo::Ledger>(db).await
}

pub async fn balance(db: &Db, client_id: u64) -> Result<u64, RewardError> {
    ledger::balance::<repo::Ledger>(db, client_id)
        .await?
        .ok_or(RewardError::ClientNotFound)
}

/// Newest first. `search` matches a date (`2026-05`, `2026-05-01`), an action, a points value or
/// words of the reason.
pub async fn history(
    db: &Db,
    client_id: u64,
    search: Option<&str>,
    page: PageRequest,
) -> Result<Page<LedgerRow>, RewardError> {
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    let query = repo::history(client_id, search, page);
    Ok(ledger::history::<repo::Ledger>(db, &query).await?)
}

/// A manager adds or removes points of a live client.
pub async fn adjust(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    adjustment: &Adjustment,
) -> Result<LedgerRow, RewardError> {
    post(
        tx,
        db,
        Entry {
            client_id: adjustment.client_id,
            points: adjustment.points,
            action: adjustment.action,
            reason: adjustment.reason.clone(),
            actor: actor.to_string(),
        },
    )
    .await
}
