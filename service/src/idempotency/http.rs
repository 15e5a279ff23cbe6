use super::{IdempotencyError, IdempotencyKey};
use crate::error::ApiError;
use axum::{extract::OptionalFromRequestParts, http::request::Parts};

/// `Option<IdempotencyKey>` in a handler reads the optional `Idempotency-Key` header.
impl<S: Send + Sync> OptionalFromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        let Some(value) = parts.headers.get("idempotency-key") else {
            return Ok(None);
        };
        let text = value.to_str().map_err(|_| IdempotencyError::MalformedKey)?;
        Ok(Some(IdempotencyKey::parse(text)?))
    }
}
