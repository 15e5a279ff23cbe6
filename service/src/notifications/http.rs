//! Marketing messages (managers) and the unsubscribe page their links open (anyone who holds
//! a link: the plugin forwards it for visitors who are not logged in; the link's signature is
//! the authority, never a session).
use super::marketing::{self, MarketingError, UnsubscribeKey};
use crate::{
    admin::{http::locale, setup::fields::Fields},
    auth::Actor,
    error::{ApiError, ApiResult, AppJson},
    settings,
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{Query, State},
    http::{HeaderMap, HeaderName, StatusCode, header},
    response::Html,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(send_marketing))
        .routes(routes!(unsubscribe_page, unsubscribe))
}

/// The header the plugin names its unsubscribe page in (`…/wp-json/volixta/v1/unsubscribe`).
pub const UNSUBSCRIBE_HEADER: &str = "x-volixta-unsubscribe-url";

#[derive(Deserialize, ToSchema)]
pub struct MarketingRequest {
    /// One line, at most 200 characters.
    pub subject: String,
    /// Plain text; blank lines separate paragraphs. Never read as HTML.
    pub body: String,
}

#[derive(Serialize, ToSchema)]
pub struct MarketingSent {
    pub id: u64,
    /// The clients it was written for: live, unblocked, accepting marketing, with an address.
    pub recipients: u64,
}

impl From<MarketingError> for ApiError {
    fn from(e: MarketingError) -> Self {
        match e {
            MarketingError::Field { field, .. } => ApiError::field(field, e.to_string()),
            MarketingError::Db(e) => e.into(),
        }
    }
}

#[utoipa::path(post, path = "/v1/marketing", tag = "notifications", request_body = MarketingRequest,
    description = "Sends a marketing message: one e-mail to each live, unblocked client who accepts marketing, each with a signed unsubscribe link (to the page named by `X-Volixta-Unsubscribe-Url`, which the plugin sets) and a `List-Unsubscribe` header. Managers.",
    responses((status = 201, body = MarketingSent), (status = 403), (status = 422)))]
async fn send_marketing(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    AppJson(request): AppJson<MarketingRequest>,
) -> ApiResult<(StatusCode, axum::Json<MarketingSent>)> {
    actor.require_manager()?;
    let url = headers
        .get(UNSUBSCRIBE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let (id, recipients) = marketing::send(
        &state.db,
        &actor.to_string(),
        &request.subject,
        &request.body,
        url,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(MarketingSent { id, recipients }),
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct LinkQuery {
    client: Option<String>,
    token: Option<String>,
}

/// The link's client when its token is that client's.
fn checked(state: &AppState, client: &str, token: &str) -> Option<u64> {
    let id: u64 = client.trim().parse().ok()?;
    UnsubscribeKey::of(&state.config)
        .verify(id, token)
        .then_some(id)
}

/// What the unsubscribe page may do once in a browser: show itself with its own style and post
/// its one form back to the site that served it; no script, nothing loaded, never in a frame.
const PAGE_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
                           frame-ancestors 'none'; base-uri 'none'";

type Page = (StatusCode, [(HeaderName, &'static str); 1], Html<String>);

async fn page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    view: serde_json::Value,
) -> ApiResult<Page> {
    let settings = settings::load(&state.db).await?;
    let mut view = view;
    view["business"] = json!({"name": settings.business_name});
    let html = state
        .templates
        .render_in("unsubscribe.html", &locale(headers), &view)?;
    Ok((
        status,
        [(header::CONTENT_SECURITY_POLICY, PAGE_POLICY)],
        Html(html),
    ))
}

#[utoipa::path(get, path = "/v1/unsubscribe", tag = "notifications", params(LinkQuery),
    description = "The page a marketing e-mail's unsubscribe link opens: a confirmation with a button (so that a mail scanner following links unsubscribes nobody), or, for a link altered or forged, 403 and a page saying so. Anyone signed (visitors through the plugin).",
    responses((status = 200, content_type = "text/html", body = String), (status = 403, content_type = "text/html", body = String)))]
async fn unsubscribe_page(
    State(state): State<AppState>,
    _actor: Actor,
    headers: HeaderMap,
    Query(q): Query<LinkQuery>,
) -> ApiResult<Page> {
    let (client, token) = (q.client.unwrap_or_default(), q.token.unwrap_or_default());
    match checked(&state, &client, &token) {
        Some(id) => {
            page(
                &state,
                &headers,
                StatusCode::OK,
                json!({"state": "confirm", "client": id, "token": token.trim()}),
            )
            .await
        }
        None => {
            page(
                &state,
                &headers,
                StatusCode::FORBIDDEN,
                json!({"state": "invalid"}),
            )
            .await
        }
    }
}

#[utoipa::path(post, path = "/v1/unsubscribe", tag = "notifications",
    params(LinkQuery),
    request_body(content = String, content_type = "application/json", description = "`client` and `token` of the link; without them (a mail program's RFC 8058 one-click post, `{\"List-Unsubscribe\": \"One-Click\"}`), the query's"),
    description = "Unsubscribes the link's client from marketing (notify_marketing off, an `unsubscribe` entry by `unsubscribe_link` in the client's audit log) and answers the page that says so; a link altered or forged changes nothing and answers 403. Anyone signed (visitors through the plugin).",
    responses((status = 200, content_type = "text/html", body = String), (status = 403, content_type = "text/html", body = String)))]
async fn unsubscribe(
    State(state): State<AppState>,
    _actor: Actor,
    headers: HeaderMap,
    Query(q): Query<LinkQuery>,
    body: Bytes,
) -> ApiResult<Page> {
    let f = Fields::parse(&body)?;
    // The page's button posts the link's fields; a mail program's one-click unsubscribe (RFC
    // 8058) posts `List-Unsubscribe=One-Click` to the link itself, which carries them in its query.
    let (client, token) = match (f.text("client"), f.text("token")) {
        (client, token) if !client.is_empty() || !token.is_empty() => (client, token),
        _ => (q.client.unwrap_or_default(), q.token.unwrap_or_default()),
    };
    let done = match checked(&state, &client, &token) {
        Some(id) => marketing::unsubscribe(&state.db, id).await?,
        None => false,
    };
    if done {
        page(&state, &headers, StatusCode::OK, json!({"state": "done"})).await
    } else {
        page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            json!({"state": "invalid"}),
        )
        .await
    }
}
