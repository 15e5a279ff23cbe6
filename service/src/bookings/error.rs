use crate::{
    availability::AvailabilityError,
    clients::ClientError,
    db::{DbError, TxError},
    error::ApiError,
    money::Money,
    packages::PackageError,
    wallet::WalletError,
};

#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error("{message}")]
    Field { field: String, message: String },
    #[error("booking not found")]
    NotFound,
    #[error("this slot is not free (another booking, or its buffers, is in the way)")]
    SlotTaken,
    #[error("this slot is not offered (working hours, minimum notice or booking horizon)")]
    SlotNotOffered,
    #[error("changes are closed {minutes} minutes before the start; ask the business")]
    NoticeTooShort { minutes: u32 },
    #[error("a {from} booking cannot become {to}")]
    BadTransition {
        from: &'static str,
        to: &'static str,
    },
    #[error("this booking no longer holds a slot ({0}); it cannot be moved")]
    NotChangeable(&'static str),
    #[error("this role may not do that to this booking")]
    Forbidden,
    #[error("this booking was priced before its options could change; cancel it and book again")]
    OptionsFixed,
    #[error("the booking changed meanwhile; look at it again and retry")]
    ChangedMeanwhile,
    #[error(
        "{paid} is paid and the new total would be {total}; refunds do not go to the wallet (Settings), so remove fewer options"
    )]
    PaidBeyondTotal { paid: Money, total: Money },
    #[error("the client is deleted or merged")]
    ClientNotActive,
    /// The client's own rules refused (blocked, permission level, no such client).
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The wallet refused the credits (not enough of them, client gone).
    #[error(transparent)]
    Wallet(#[from] WalletError),
    /// The client package could not pay (`package_unusable`).
    #[error(transparent)]
    Package(#[from] PackageError),
    /// The slot could not be looked up as availability offers it.
    #[error(transparent)]
    Availability(#[from] AvailabilityError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl BookingError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<mysql_async::Error> for BookingError {
    fn from(e: mysql_async::Error) -> Self {
        Self::Db(e.into())
    }
}

impl TxError for BookingError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Db(e) | Self::Availability(AvailabilityError::Db(e)) => e.is_retryable(),
            Self::Wallet(e) => e.is_retryable(),
            Self::Package(e) => e.is_retryable(),
            _ => false,
        }
    }
}

impl From<BookingError> for ApiError {
    fn from(e: BookingError) -> Self {
        let message = e.to_string();
        match e {
            BookingError::Field { field, .. } => ApiError::field(&field, message),
            BookingError::NotFound => ApiError::NotFound,
            BookingError::SlotTaken => ApiError::conflict("slot_taken", message),
            BookingError::SlotNotOffered => ApiError::conflict("slot_not_offered", message),
            BookingError::NoticeTooShort { .. } => ApiError::conflict("notice_too_short", message),
            BookingError::BadTransition { .. } => ApiError::conflict("bad_transition", message),
            BookingError::NotChangeable(_) => ApiError::conflict("booking_closed", message),
            BookingError::Forbidden => ApiError::Forbidden,
            BookingError::OptionsFixed => ApiError::conflict("options_fixed", message),
            BookingError::ChangedMeanwhile => ApiError::conflict("booking_changed", message),
            BookingError::PaidBeyondTotal { .. } => {
                ApiError::conflict("paid_beyond_total", message)
            }
            BookingError::ClientNotActive => ApiError::conflict("client_not_active", message),
            BookingError::Client(e) => e.into(),
            BookingError::Wallet(e) => e.into(),
            BookingError::Package(e) => e.into(),
            BookingError::Availability(e) => e.into(),
            BookingError::Db(e) => e.into(),
        }
    }
}
