//! WooCommerce: balances, wallet top-ups and package sales paid through WooCommerce checkout.
//!
//! `checkout` asks the store for an order (REST v3, `client`'s OAuth 1.0a or Basic) and records
//! the intent it pays, one open order per thing to pay; `reconcile` acts on an order's *state*,
//! however it arrives (a signed delivery to `/v1/woocommerce/webhook`, or the `poll` backstop,
//! because WooCommerce never retries a delivery): a paid order counts once by the receipts'
//! primary key, a wrong total or currency is flagged for a manager and never counted, refunds
//! and cancellations are recorded, an older state never undoes a newer one. Every delivery is
//! logged for support, and `http` has the setup check the plugin's settings page shows.
mod checkout;
pub mod client;
pub mod domain;
pub mod http;
pub mod oauth;
pub mod poll;
mod reconcile;
pub mod repo;
pub mod signature;

pub use checkout::{Checkout, checkout_booking, checkout_package, checkout_top_up};
pub use client::{WcClient, WcError};
pub use domain::{IntentKind, IntentStatus, Order};
pub use reconcile::{Outcome, Source, reconcile_deleted, reconcile_order};
pub use repo::{Delivery, Intent};

use crate::{
    auth::Actor,
    bookings::BookingError,
    db::{Db, DbError, TxError},
    error::ApiError,
    packages::PackageError,
    wallet::WalletError,
};

#[derive(Debug, thiserror::Error)]
pub enum WooError {
    #[error(
        "WooCommerce is not connected: the service needs VOLIXTA_WC_URL, VOLIXTA_WC_CONSUMER_KEY and VOLIXTA_WC_CONSUMER_SECRET"
    )]
    NotConfigured,
    #[error("nothing is due")]
    NothingDue,
    #[error("this package is not for sale")]
    NotForSale,
    #[error("another request is creating this order; try again in a moment")]
    Busy,
    #[error("say what was done about this payment")]
    NoteRequired,
    #[error("a note is at most {NOTE_MAX} characters")]
    NoteTooLong,
    #[error("this payment is not flagged, or was already marked resolved")]
    NotFlagged,
    #[error("payment not found")]
    IntentNotFound,
    #[error(transparent)]
    Store(#[from] WcError),
    #[error(transparent)]
    Booking(#[from] BookingError),
    #[error(transparent)]
    Wallet(#[from] WalletError),
    #[error(transparent)]
    Package(#[from] PackageError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<mysql_async::Error> for WooError {
    fn from(e: mysql_async::Error) -> Self {
        Self::Db(e.into())
    }
}

impl TxError for WooError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Db(e) => e.is_retryable(),
            Self::Booking(e) => e.is_retryable(),
            Self::Wallet(e) => e.is_retryable(),
            Self::Package(e) => e.is_retryable(),
            _ => false,
        }
    }
}

impl From<WooError> for ApiError {
    fn from(e: WooError) -> Self {
        match e {
            WooError::NotConfigured => {
                ApiError::conflict("woocommerce_not_configured", e.to_string())
            }
            WooError::NothingDue => ApiError::conflict("nothing_due", e.to_string()),
            WooError::NotForSale => ApiError::conflict("not_for_sale", e.to_string()),
            WooError::Busy => ApiError::conflict("checkout_in_progress", e.to_string()),
            WooError::NoteRequired | WooError::NoteTooLong => {
                ApiError::field("note", e.to_string())
            }
            WooError::NotFlagged => ApiError::conflict("not_flagged", e.to_string()),
            WooError::IntentNotFound => ApiError::NotFound,
            WooError::Store(s) => ApiError::Upstream {
                code: "woocommerce_unavailable",
                message: s.to_string(),
            },
            WooError::Booking(b) => b.into(),
            WooError::Wallet(w) => w.into(),
            WooError::Package(p) => p.into(),
            WooError::Db(d) => d.into(),
        }
    }
}

/// The store's address and REST keys are set, so a checkout can be asked for: pay buttons that
/// would only fail stay hidden otherwise.
pub fn configured(config: &crate::config::Config) -> bool {
    config.wc_url.is_some()
        && config.wc_consumer_key.is_some()
        && config.wc_consumer_secret.is_some()
}

/// The longest resolution note a manager may leave.
pub const NOTE_MAX: usize = 1000;

/// A manager marks a flagged payment resolved, saying what was done (a payment recorded on the
/// booking, a refund in the store, …). The database decides: only a flag still open changes,
/// once; a newer flag on the same intent opens it again.
pub async fn resolve_flag(db: &Db, actor: Actor, id: u64, note: &str) -> Result<Intent, WooError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(WooError::NoteRequired);
    }
    if note.chars().count() > NOTE_MAX {
        return Err(WooError::NoteTooLong);
    }
    let mut conn = db.pool.get_conn().await.map_err(DbError::from)?;
    let changed = repo::resolve(&mut conn, db, id, &actor.to_string(), note).await?;
    let intent = repo::find(&mut conn, db, id)
        .await?
        .ok_or(WooError::IntentNotFound)?;
    if changed {
        Ok(intent)
    } else {
        Err(WooError::NotFlagged)
    }
}
