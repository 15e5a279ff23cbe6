use crate::{
    db::{DbError, TxError},
    error::ApiError,
    wallet::WalletError,
};

#[derive(Debug, thiserror::Error)]
pub enum GiftCodeError {
    #[error("a code is 6 to 32 letters and digits")]
    BadCode,
    #[error("the value must be positive")]
    ValueNotPositive,
    #[error("the expiry must be in the future")]
    ExpiryInPast,
    #[error("the number of redemptions must be at least 1")]
    BadMaxRedemptions,
    #[error("the note is limited to 200 characters")]
    NoteTooLong,
    #[error("unknown or deleted clients: {0:?}")]
    UnknownClients(Vec<u64>),
    #[error("these clients have no e-mail address: {0:?}")]
    ClientsWithoutEmail(Vec<u64>),
    #[error("these clients may not redeem this code: {0:?}")]
    ClientsNotEligible(Vec<u64>),
    #[error("name at least one client")]
    NoClients,
    #[error("status must be active, expired, used_up or revoked")]
    BadStatus,
    #[error("this code already exists")]
    CodeTaken,
    #[error("gift code not found")]
    NotFound,
    #[error("this code is not valid")]
    CodeInvalid,
    #[error("this client already redeemed this code")]
    AlreadyRedeemed,
    #[error("this code was revoked")]
    Revoked,
    #[error("this code has expired")]
    Expired,
    #[error("this code has been redeemed as many times as allowed")]
    UsedUp,
    #[error("this code is restricted to other clients")]
    NotEligible,
    #[error("too many wrong codes; try again later")]
    Throttled,
    /// A client's wrong code: answered like `CodeInvalid`, but it counts as a try, so its
    /// transaction commits.
    #[error("this code is not valid")]
    WrongCode,
    #[error(transparent)]
    Wallet(#[from] WalletError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl TxError for GiftCodeError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Db(e) => e.is_retryable(),
            Self::Wallet(e) => e.is_retryable(),
            _ => false,
        }
    }

    fn commits(&self) -> bool {
        matches!(self, Self::WrongCode)
    }
}

impl From<GiftCodeError> for ApiError {
    fn from(e: GiftCodeError) -> Self {
        let message = e.to_string();
        match e {
            GiftCodeError::BadCode => ApiError::field("code", message),
            GiftCodeError::ValueNotPositive => ApiError::field("value", message),
            GiftCodeError::ExpiryInPast => ApiError::field("expires_at", message),
            GiftCodeError::BadMaxRedemptions => ApiError::field("max_redemptions", message),
            GiftCodeError::NoteTooLong => ApiError::field("note", message),
            GiftCodeError::UnknownClients(_)
            | GiftCodeError::ClientsWithoutEmail(_)
            | GiftCodeError::ClientsNotEligible(_)
            | GiftCodeError::NoClients => ApiError::field("client_ids", message),
            GiftCodeError::BadStatus => ApiError::field("status", message),
            GiftCodeError::CodeTaken => ApiError::conflict("code_taken", message),
            GiftCodeError::NotFound => ApiError::NotFound,
            GiftCodeError::CodeInvalid | GiftCodeError::WrongCode => {
                ApiError::invalid("code_invalid", message)
            }
            GiftCodeError::AlreadyRedeemed => ApiError::conflict("already_redeemed", message),
            GiftCodeError::Revoked => ApiError::conflict("code_revoked", message),
            GiftCodeError::Expired => ApiError::conflict("code_expired", message),
            GiftCodeError::UsedUp => ApiError::conflict("code_used_up", message),
            GiftCodeError::NotEligible => ApiError::conflict("client_not_eligible", message),
            GiftCodeError::Throttled => ApiError::TooManyRequests,
            GiftCodeError::Wallet(e) => e.into(),
            GiftCodeError::Db(e) => e.into(),
        }
    }
}
