use crate::error::ApiError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuditError {
    #[error("entity is a lowercase name such as client or booking")]
    BadEntity,
}

impl From<AuditError> for ApiError {
    fn from(e: AuditError) -> Self {
        match e {
            AuditError::BadEntity => ApiError::field("entity", e.to_string()),
        }
    }
}
