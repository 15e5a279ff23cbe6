use crate::error::ApiError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AvailabilityError {
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    #[error("service not found")]
    ServiceNotFound,
    #[error("location not found")]
    LocationNotFound,
}

impl AvailabilityError {
    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self::Field {
            field,
            message: message.into(),
        }
    }
}

impl From<AvailabilityError> for ApiError {
    fn from(e: AvailabilityError) -> Self {
        match e {
            AvailabilityError::Field { field, message } => ApiError::field(field, message),
            AvailabilityError::ServiceNotFound | AvailabilityError::LocationNotFound => {
                ApiError::NotFound
            }
        }
    }
}
