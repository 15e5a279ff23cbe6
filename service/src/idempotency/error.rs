use crate::error::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    #[error("Idempotency-Key must be 1–255 visible ASCII characters")]
    MalformedKey,
    #[error("this Idempotency-Key was already used for a different request")]
    KeyReused,
    #[error("a request with this Idempotency-Key is still being processed")]
    InFlight,
}

impl From<IdempotencyError> for ApiError {
    fn from(e: IdempotencyError) -> Self {
        match e {
            IdempotencyError::MalformedKey => ApiError::BadRequest(e.to_string()),
            IdempotencyError::KeyReused => {
                ApiError::invalid("idempotency_key_reused", e.to_string())
            }
            IdempotencyError::InFlight => {
                ApiError::conflict("idempotency_in_progress", e.to_string())
            }
        }
    }
}
