use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// A screen's query string that no form of the screen produces.
    #[error("{0}")]
    Query(String),
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        match e {
            AdminError::Query(message) => ApiError::invalid("invalid_query", message),
        }
    }
}
