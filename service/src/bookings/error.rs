use crate::error::ApiError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
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
    #[error("the client is deleted or merged")]
    ClientNotActive,
}

impl BookingError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
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
            BookingError::ClientNotActive => ApiError::conflict("client_not_active", message),
        }
    }
}
