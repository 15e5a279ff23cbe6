use crate::{
    db::{DbError, TxError},
    error::ApiError,
};

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    #[error("not found")]
    NotFound,
    #[error("this delivery is waiting for its next try already")]
    AlreadyPending,
    #[error(transparent)]
    Db(#[from] DbError),
}

impl WebhookError {
    pub fn field(field: &'static str, message: impl Into<String>) -> Self {
        Self::Field {
            field,
            message: message.into(),
        }
    }
}

impl TxError for WebhookError {
    fn is_retryable(&self) -> bool {
        matches!(self, Self::Db(e) if e.is_retryable())
    }
}

impl From<WebhookError> for ApiError {
    fn from(e: WebhookError) -> Self {
        match e {
            WebhookError::Field { field, message } => ApiError::field(field, message),
            WebhookError::NotFound => ApiError::NotFound,
            WebhookError::AlreadyPending => ApiError::conflict("already_pending", e.to_string()),
            WebhookError::Db(e) => e.into(),
        }
    }
}
