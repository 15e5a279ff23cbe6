use crate::{error::ApiError, money::Money};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
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
}

impl From<WalletError> for ApiError {
    fn from(e: WalletError) -> Self {
        let message = e.to_string();
        match e {
            WalletError::InsufficientBalance { .. } => {
                ApiError::conflict("insufficient_balance", message)
            }
            WalletError::ZeroAmount => ApiError::field("amount", message),
            WalletError::ReasonRequired | WalletError::ReasonTooLong => {
                ApiError::field("reason", message)
            }
            WalletError::ClientNotFound => ApiError::NotFound,
            WalletError::ClientNotActive => ApiError::conflict("client_not_active", message),
        }
    }
}
