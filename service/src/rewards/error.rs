use crate::{
    db::{DbError, TxError},
    error::ApiError,
    ledger::{LedgerError, ReasonError},
};

#[derive(Debug, thiserror::Error)]
pub enum RewardError {
    #[error("client not found")]
    ClientNotFound,
    #[error("points must not be zero")]
    ZeroPoints,
    #[error("at most 1000000000 points per entry")]
    TooManyPoints,
    #[error("the client has only {balance} points")]
    InsufficientPoints { balance: u64 },
    #[error("a reason is required")]
    ReasonRequired,
    #[error("the reason is limited to 500 characters")]
    ReasonTooLong,
    #[error("added takes positive points, redeemed negative ones; adjusted either")]
    ActionMismatch,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl TxError for RewardError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

/// A deleted or merged client's points are not found, as for any other request about it.
impl From<LedgerError<u64>> for RewardError {
    fn from(e: LedgerError<u64>) -> Self {
        match e {
            LedgerError::ClientNotFound | LedgerError::ClientNotActive => Self::ClientNotFound,
            LedgerError::ZeroChange => Self::ZeroPoints,
            LedgerError::Insufficient { balance } => Self::InsufficientPoints { balance },
            LedgerError::Db(e) => Self::Db(e),
        }
    }
}

impl From<ReasonError> for RewardError {
    fn from(e: ReasonError) -> Self {
        match e {
            ReasonError::Required => Self::ReasonRequired,
            ReasonError::TooLong => Self::ReasonTooLong,
        }
    }
}

impl From<RewardError> for ApiError {
    fn from(e: RewardError) -> Self {
        let message = e.to_string();
        match e {
            RewardError::ClientNotFound => ApiError::NotFound,
            RewardError::ZeroPoints | RewardError::TooManyPoints => {
                ApiError::field("points", message)
            }
            RewardError::InsufficientPoints { .. } => {
                ApiError::conflict("insufficient_points", message)
            }
            RewardError::ReasonRequired | RewardError::ReasonTooLong => {
                ApiError::field("reason", message)
            }
            RewardError::ActionMismatch => ApiError::field("action", message),
            RewardError::Db(e) => e.into(),
        }
    }
}
