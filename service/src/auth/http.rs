use super::{Actor, AuthError, SignedRequest, check_headers, check_signature, repo};
use crate::{error::ApiError, state::AppState};
use axum::{
    body::{Body, to_bytes},
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, header::CONTENT_LENGTH, request::Parts},
    middleware::Next,
    response::Response,
};
use secrecy::ExposeSecret;

/// The acting user's WordPress display name, percent-encoded; not part of the signature, since
/// it decides nothing (only the plugin can reach the service), and recorded on changes only.
pub const ACTOR_NAME_HEADER: &str = "x-volixta-actor-name";

/// Large bodies (avatar uploads, CSV imports) still fit; a bigger one is refused unread.
const MAX_SIGNED_BODY: usize = 16 * 1024 * 1024;

fn header<'a>(headers: &'a HeaderMap, name: &'static str) -> Result<&'a str, AuthError> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or(AuthError::MissingHeader(name))
}

/// Middleware for every `/v1/` route the plugin calls. The headers are checked first, so a
/// request without current, well-formed credentials is refused before its body is read; then
/// the signature is verified over the raw body, a nonce any replica has already seen is
/// refused, and the `Actor` is handed to the handler.
pub async fn require_signature(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (mut parts, body) = request.into_parts();
    let h = &parts.headers;
    let credentials = check_headers(
        header(h, "x-volixta-actor")?,
        header(h, "x-volixta-nonce")?,
        header(h, "x-volixta-timestamp")?,
        header(h, "x-volixta-signature")?,
        chrono::Utc::now().timestamp(),
    )?;
    let announced = h
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|len| len > MAX_SIGNED_BODY as u64) {
        return Err(AuthError::BodyTooLarge.into());
    }
    let body = to_bytes(body, MAX_SIGNED_BODY)
        .await
        .map_err(|_| AuthError::BodyTooLarge)?;
    let h = &parts.headers;
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path_and_query: parts.uri.path_and_query().map_or("/", |pq| pq.as_str()),
        timestamp: header(h, "x-volixta-timestamp")?,
        nonce: header(h, "x-volixta-nonce")?,
        actor: header(h, "x-volixta-actor")?,
        body: &body,
    };
    check_signature(
        state.config.shared_secret.expose_secret().as_bytes(),
        &signed,
        &credentials,
    )?;
    if !repo::remember_nonce(&state.db, signed.nonce).await? {
        return Err(AuthError::Replayed.into());
    }
    let actor = credentials.actor;
    if !parts.method.is_safe()
        && let Some(name) = super::actor_name(
            parts
                .headers
                .get(ACTOR_NAME_HEADER)
                .and_then(|v| v.to_str().ok()),
        )
    {
        // A name is shown, never trusted for anything: a request is not refused for want of it.
        if let Err(e) = repo::remember_name(&state.db, &actor.to_string(), &name).await {
            tracing::warn!(error = %e, "the actor's display name was not stored");
        }
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
