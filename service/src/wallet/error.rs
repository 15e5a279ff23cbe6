use crate::{
    db::{DbError, TxError},
    error::ApiError,
    ledger::{LedgerError, ReasonError},
    money::Money,
};

#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    #[error("the wallet balance ({balance}) does not cover this amount")]
    InsufficientBalance { balance: Money },
    #[error("amount must not be zero")]
    ZeroAmount,
    #[error("a reason is required")]
    ReasonRequired,
    #[error("reason is limited to 500 characters")]
    ReasonTooLong,
    #[error("client not found")]
    ClientNotFound,
    #[error("the client is deleted or merged; restore it first")]
    ClientNotActive,
    #[error("unknown transaction kind {0:?}")]
    UnknownKind(String),
    #[error("{0} must be a date (2026-01-31) or an RFC 3339 instant")]
    BadPeriod(&'static str),
    #[error("from must be before to")]
    EmptyPeriod,
    #[error("a top-up amount must be positive")]
    TopUpNotPositive,
    #[error("a top-up is limited to {max}")]
    TopUpTooLarge { max: Money },
    #[error("top-up not found")]
    TopUpNotFound,
    #[error("only a pending top-up can be cancelled")]
    TopUpNotPending,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl TxError for WalletError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

impl From<LedgerError<Money>> for WalletError {
    fn from(e: LedgerError<Money>) -> Self {
        match e {
            LedgerError::ClientNotFound => Self::ClientNotFound,
            LedgerError::ClientNotActive => Self::ClientNotActive,
            LedgerError::ZeroChange => Self::ZeroAmount,
            LedgerError::Insufficient { balance } => Self::InsufficientBalance { balance },
            LedgerError::Db(e) => Self::Db(e),
        }
    }
}

impl From<ReasonError> for WalletError {
    fn from(e: ReasonError) -> Self {
        match e {
            ReasonError::Required => Self::ReasonRequired,
            ReasonError::TooLong => Self::ReasonTooLong,
        }
    }
}

impl From<WalletError> for ApiError {
    fn from(e: WalletError) -> Self {
        let message = e.to_string();
        match e {
            WalletError::InsufficientBalance { .. } => {
                ApiError::conflict("insufficient_balance", message)
            }
            WalletError::ZeroAmount
            | WalletError::TopUpNotPositive
            | WalletError::TopUpTooLarge { .. } => ApiError::field("amount", message),
            WalletError::ReasonRequired | WalletError::ReasonTooLong => {
                ApiError::field("reason", message)
            }
            WalletError::UnknownKind(_) => ApiError::field("kind", message),
            WalletError::BadPeriod(field) => ApiError::field(field, message),
            WalletError::EmptyPeriod => ApiError::field("to", message),
            WalletError::ClientNotFound | WalletError::TopUpNotFound => ApiError::NotFound,
            WalletError::ClientNotActive => ApiError::conflict("client_not_active", message),
            WalletError::TopUpNotPending => ApiError::conflict("top_up_not_pending", message),
            WalletError::Db(e) => e.into(),
        }
    }
}
