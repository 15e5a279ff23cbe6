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
    bookings::BookingError,
    db::{DbError, TxError},
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
