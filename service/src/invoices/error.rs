use crate::{
    bookings::BookingError,
    clients::ClientError,
    db::{DbError, TxError},
    error::ApiError,
};

#[derive(Debug, thiserror::Error)]
pub enum InvoiceError {
    #[error("{message}")]
    Field { field: String, message: String },
    /// No such document, or one the caller may not see: the same answer for both.
    #[error("invoice not found")]
    NotFound,
    /// The client's permission level does not let it see invoices.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The booking behind the document refused the caller (it answers 404 for others').
    #[error(transparent)]
    Booking(#[from] BookingError),
    /// The PDF could not be made (its font is missing).
    #[error("{0}")]
    Render(String),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl InvoiceError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<mysql_async::Error> for InvoiceError {
    fn from(e: mysql_async::Error) -> Self {
        Self::Db(e.into())
    }
}

impl TxError for InvoiceError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

impl From<InvoiceError> for ApiError {
    fn from(e: InvoiceError) -> Self {
        let message = e.to_string();
        match e {
            InvoiceError::Field { field, .. } => ApiError::field(&field, message),
            InvoiceError::NotFound => ApiError::NotFound,
            InvoiceError::Client(e) => e.into(),
            InvoiceError::Booking(e) => e.into(),
            InvoiceError::Render(cause) => ApiError::Internal(anyhow::anyhow!(cause)),
            InvoiceError::Db(e) => e.into(),
        }
    }
}
