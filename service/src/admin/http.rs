use super::{Action, BulkForm, ClientsQuery};
use crate::{
    auth::Actor,
    error::{ApiError, ApiResult},
    i18n::Locale,
    state::AppState,
};
use axum::{
    body::Bytes,
    extract::{Path, RawQuery, State},
    http::HeaderMap,
    response::Html,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(clients_screen))
        .routes(routes!(clients_bulk))
        .routes(routes!(clients_row_action))
}

/// The site's locale, as the plugin sends it (`X-Volixta-Locale: de_DE`).
fn locale(headers: &HeaderMap) -> Locale {
    Locale::parse(
        headers
            .get("x-volixta-locale")
            .and_then(|v| v.to_str().ok()),
    )
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    query: &ClientsQuery,
    outcome: Option<super::Outcome>,
) -> ApiResult<Html<String>> {
    let screen = super::clients_screen(&state.db, query, outcome).await?;
    let html = state
        .templates
        .render_in("admin/clients.html", &locale(headers), &screen)?;
    Ok(Html(html))
}

#[utoipa::path(get, path = "/v1/render/admin/clients", tag = "admin",
    description = "The Clients screen of wp-admin as an HTML fragment. Takes the filters of `GET /v1/clients` (repeated or comma-separated), `view=deleted` for the deleted clients, and `X-Volixta-Locale` for the language.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422)))]
async fn clients_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let query = ClientsQuery::parse(raw.as_deref())?;
    render(&state, &headers, &query, None).await
}

#[utoipa::path(post, path = "/v1/render/admin/clients/bulk", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{bulk_action, ids: [id, …], bulk_group_id}`; ids may be numbers or strings (form fields)"),
    description = "Applies the bulk action of the Clients screen (`bulk_action`: block, unblock, delete, restore, add_to_group with `bulk_group_id`, export) to `ids`, then answers the screen for the query string with a notice of what happened.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422)))]
async fn clients_bulk(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let query = ClientsQuery::parse(raw.as_deref())?;
    // The plugin sends no body when the form had no field to send.
    let form: BulkForm = if body.trim_ascii().is_empty() {
        BulkForm::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::invalid("invalid_body", e.to_string()))?
    };
    let outcome = super::apply(
        &state.db,
        actor,
        query.view,
        form.bulk_action,
        &form.ids,
        form.bulk_group_id,
    )
    .await?;
    render(&state, &headers, &query, Some(outcome)).await
}

#[utoipa::path(post, path = "/v1/render/admin/clients/{id}/{action}", tag = "admin",
    description = "A row action of the Clients screen (`block`, `unblock`, `delete`, `restore`) on one client; answers the screen for the query string with a notice. Any body is ignored.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn clients_row_action(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path((id, action)): Path<(u64, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let action = Action::from_path(&action).ok_or(ApiError::NotFound)?;
    let query = ClientsQuery::parse(raw.as_deref())?;
    let outcome = super::apply(&state.db, actor, query.view, Some(action), &[id], None).await?;
    render(&state, &headers, &query, Some(outcome)).await
}
