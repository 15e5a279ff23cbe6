use super::{InvoicesQuery, screen};
use crate::{
    admin::http::{locale, page},
    auth::Actor,
    error::ApiResult,
    state::AppState,
};
use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    response::Html,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(invoices_screen))
}

#[utoipa::path(get, path = "/v1/render/admin/invoices", tag = "admin",
    description = "The Invoices screen of wp-admin as an HTML fragment: every invoice and credit note, newest first, 25 a page (`cursor`), narrowed by `client` (a name, e-mail or phone) or `client_id`, `from`/`to` (days of issue on the business's clock), `status` (`paid`, `partially_paid`, `unpaid`, `pending`, `refunded`, `credited`), `number` (its beginning) and `kind` (`invoice`, `credit_note`); `invoice=<id>` opens one with its lines. A filter that means nothing is said on the screen. Managers and administrators only. `X-Volixta-Locale` sets the language.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn invoices_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let q = InvoicesQuery::parse(raw.as_deref());
    let view = screen(&state.db, actor, &locale(&headers), &q).await?;
    page(&state, &headers, "admin/invoices.html", &view)
}
