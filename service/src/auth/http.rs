use super::{Actor, AuthError, SignedRequest, repo, verify};
use crate::{error::ApiError, state::AppState};
use axum::{
    body::{Body, to_bytes},
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, request::Parts},
    middleware::Next,
    response::Response,
};
use secrecy::ExposeSecret;

/// Larger bodies (avatar uploads, CSV imports) still fit; anything bigger is refused unread.
const MAX_SIGNED_BODY: usize = 16 * 1024 * 1024;

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, AuthError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or(AuthError::MissingHeader(name))
}

/// Middleware for every `/v1/` route the plugin calls: verifies the signature over the raw
/// body, refuses a nonce any replica has already seen, and hands the `Actor` to the handler.
pub async fn require_signature(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (mut parts, body) = request.into_parts();
    let body = to_bytes(body, MAX_SIGNED_BODY)
        .await
        .map_err(|_| AuthError::BodyTooLarge)?;
    let path_and_query = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let h = &parts.headers;
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path_and_query,
        timestamp: header(h, "x-volixta-timestamp")?,
        nonce: header(h, "x-volixta-nonce")?,
        actor: header(h, "x-volixta-actor")?,
        body: &body,
    };
    let signature = header(h, "x-volixta-signature")?;
    let now = chrono::Utc::now().timestamp();
    let actor = verify(
        state.config.shared_secret.expose_secret().as_bytes(),
        &signed,
        signature,
        now,
    )?;
    if !repo::remember_nonce(&state.db, signed.nonce).await? {
        return Err(AuthError::Replayed.into());
    }
    tracing::Span::current().record("actor", tracing::field::display(actor));
    parts.extensions.insert(actor);
    Ok(next.run(Request::from_parts(parts, Body::from(body))).await)
}

impl<S: Send + Sync> FromRequestParts<S> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .copied()
            .ok_or(ApiError::Unauthorized)
    }
}
