use crate::{
    db::{DbError, TxError},
    error::ApiError,
};

#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error("{message}")]
    Field { field: String, message: String },
    #[error("package not found")]
    NotFound,
    #[error("client package not found")]
    ClientPackageNotFound,
    #[error("unknown or deleted clients: {0:?}")]
    UnknownClients(Vec<u64>),
    #[error("this package is not on sale (inactive)")]
    Inactive,
    #[error("only {left} of this package are left")]
    SoldOut { left: u32 },
    #[error("this package was removed from the profile")]
    Removed,
    /// No session left, not active, expired by the booking's date, someone else's, or it does
    /// not cover the service or location: one answer for all.
    #[error("this package cannot pay for this booking ({0})")]
    Unusable(&'static str),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl PackageError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<mysql_async::Error> for PackageError {
    fn from(e: mysql_async::Error) -> Self {
        Self::Db(e.into())
    }
}

impl TxError for PackageError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

impl From<PackageError> for ApiError {
    fn from(e: PackageError) -> Self {
        let message = e.to_string();
        match e {
            PackageError::Field { field, .. } => ApiError::field(&field, message),
            PackageError::NotFound | PackageError::ClientPackageNotFound => ApiError::NotFound,
            PackageError::UnknownClients(_) => ApiError::field("client_ids", message),
            PackageError::Inactive => ApiError::conflict("package_inactive", message),
            PackageError::SoldOut { .. } => ApiError::conflict("package_sold_out", message),
            PackageError::Removed => ApiError::conflict("package_removed", message),
            PackageError::Unusable(_) => ApiError::conflict("package_unusable", message),
            PackageError::Db(e) => e.into(),
        }
    }
}
