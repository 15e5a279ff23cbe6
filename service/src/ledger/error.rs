use crate::db::DbError;

/// Why a change was not posted; nothing was written. Each domain turns it into its own error,
/// with its own words (an amount, points).
#[derive(Debug, thiserror::Error)]
pub enum LedgerError<B> {
    #[error("client not found")]
    ClientNotFound,
    #[error("the client is deleted or merged")]
    ClientNotActive,
    #[error("a change must not be zero")]
    ZeroChange,
    #[error("the balance does not cover this change")]
    Insufficient { balance: B },
    #[error(transparent)]
    Db(#[from] DbError),
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReasonError {
    #[error("a reason is required")]
    Required,
    #[error("the reason is limited to 500 characters")]
    TooLong,
}
