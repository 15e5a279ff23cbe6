use crate::{
    bookings::BookingError,
    clients::ClientError,
    db::{DbError, TxError},
    error::ApiError,
};

#[derive(Debug, thiserror::Error)]
pub enum BookingFormError {
    /// The honeypot was filled in: a script, answered without detail.
    #[error("the booking could not be accepted")]
    Rejected,
    #[error("too many bookings were asked for from here or for this e-mail; try again later")]
    Throttled,
    /// A client or a WordPress account already has the e-mail: the visitor logs in instead.
    /// The same answer whatever that account is (blocked, deleted, without a client).
    #[error("log in to book with this e-mail address")]
    LogIn,
    #[error(transparent)]
    Client(#[from] ClientError),
    #[error(transparent)]
    Booking(#[from] BookingError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl TxError for BookingFormError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Db(e) => e.is_retryable(),
            Self::Client(e) => e.is_retryable(),
            Self::Booking(e) => e.is_retryable(),
            _ => false,
        }
    }
}

impl From<BookingFormError> for ApiError {
    fn from(e: BookingFormError) -> Self {
        let message = e.to_string();
        match e {
            BookingFormError::Rejected => ApiError::invalid("rejected", message),
            BookingFormError::Throttled => ApiError::TooManyRequests,
            BookingFormError::LogIn => ApiError::conflict("log_in", message),
            BookingFormError::Client(e) => e.into(),
            BookingFormError::Booking(e) => e.into(),
            BookingFormError::Db(e) => e.into(),
        }
    }
}
