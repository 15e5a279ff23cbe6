use crate::{catalog::CatalogError, db::DbError, error::ApiError};

#[derive(Debug, thiserror::Error)]
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
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Db(#[from] DbError),
}

impl AvailabilityError {
    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self::Field {
            field,
            message: message.into(),
        }
    }
}

impl From<mysql_async::Error> for AvailabilityError {
    fn from(e: mysql_async::Error) -> Self {
        Self::Db(e.into())
    }
}

impl From<AvailabilityError> for ApiError {
    fn from(e: AvailabilityError) -> Self {
        match e {
            AvailabilityError::Field { field, message } => ApiError::field(field, message),
            AvailabilityError::ServiceNotFound | AvailabilityError::LocationNotFound => {
                ApiError::NotFound
            }
            AvailabilityError::Catalog(e) => e.into(),
            AvailabilityError::Db(e) => e.into(),
        }
    }
}
