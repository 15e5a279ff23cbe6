//! Merging two client profiles moves every row another domain keeps of the merged profile to
//! the kept one. Each domain moves its own rows (`reassign_client` beside its repo); this list
//! is the only place that knows them all, so a new domain that stores rows per client (packages,
//! invoices) adds its call and its count here, and `clients` stays as it is.
use crate::{
    bookings,
    db::{Db, DbError, Tx},
    gift_codes, invoices, packages, wallet,
};
use serde::Serialize;
use utoipa::ToSchema;

/// What moved, per domain; part of the merge's answer.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Reassigned {
    pub bookings: u64,
    pub pending_top_ups: u64,
    pub gift_code_redemptions: u64,
    pub packages: u64,
    /// Invoices and credit notes: they follow the bookings, and keep the buyer they printed.
    pub invoices: u64,
}

/// Moves the rows of `from` to `to`, in the merge's transaction.
pub async fn reassign_client(
    tx: &mut Tx,
    db: &Db,
    from: u64,
    to: u64,
) -> Result<Reassigned, DbError> {
    Ok(Reassigned {
        bookings: bookings::reassign_client(tx, db, from, to).await?,
        pending_top_ups: wallet::reassign_client(tx, db, from, to).await?,
        gift_code_redemptions: gift_codes::reassign_client(tx, db, from, to).await?,
        packages: packages::reassign_client(tx, db, from, to).await?,
        invoices: invoices::reassign_client(tx, db, from, to).await?,
    })
}
