use crate::{
    db::{DbError, TxError},
    error::ApiError,
};

pub type CatalogResult<T> = Result<T, CatalogError>;

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A field that failed its rule; `field` is a JSON path like `working_hours[2].start`.
    #[error("{message}")]
    Field { field: String, message: String },
    #[error("location not found")]
    LocationNotFound,
    #[error("service not found")]
    ServiceNotFound,
    #[error("staff member not found")]
    StaffNotFound,
    #[error("service category not found")]
    CategoryNotFound,
    #[error("a category with this name already exists")]
    CategoryNameTaken,
    #[error("this category still has services; move or delete them first")]
    CategoryInUse,
    #[error("this WordPress user is already linked to another staff member")]
    WpUserTaken,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl From<mysql_async::Error> for CatalogError {
    fn from(e: mysql_async::Error) -> Self {
        Self::Db(e.into())
    }
}

impl TxError for CatalogError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

impl CatalogError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl From<CatalogError> for ApiError {
    fn from(e: CatalogError) -> Self {
        match e {
            CatalogError::Field { field, message } => ApiError::field(&field, message),
            CatalogError::LocationNotFound
            | CatalogError::ServiceNotFound
            | CatalogError::StaffNotFound
            | CatalogError::CategoryNotFound => ApiError::NotFound,
            CatalogError::CategoryNameTaken => {
                ApiError::conflict("category_name_taken", e.to_string())
            }
            CatalogError::WpUserTaken => ApiError::conflict("wp_user_taken", e.to_string()),
            CatalogError::CategoryInUse => ApiError::conflict("category_in_use", e.to_string()),
            CatalogError::Db(e) => e.into(),
        }
    }
}
