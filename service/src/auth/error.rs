use crate::error::ApiError;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("missing signature header {0}")]
    MissingHeader(&'static str),
    #[error("malformed actor")]
    BadActor,
    #[error("malformed nonce")]
    BadNonce,
    #[error("timestamp outside the allowed window")]
    BadTimestamp,
    #[error("signature mismatch")]
    BadSignature,
    #[error("nonce already used")]
    Replayed,
    #[error("body too large")]
    BodyTooLarge,
    #[error("role not allowed")]
    Forbidden,
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            // The reason is logged, never told: a prober learns nothing from the answer.
            AuthError::Forbidden => ApiError::Forbidden,
            AuthError::BodyTooLarge => ApiError::BadRequest("request body too large".into()),
            other => {
                tracing::warn!(reason = %other, "signed request refused");
                ApiError::Unauthorized
            }
        }
    }
}
