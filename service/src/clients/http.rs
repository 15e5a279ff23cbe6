use super::{Client, ListQuery, NewClientRequest};
use crate::{
    auth::Actor,
    error::{ApiResult, AppJson},
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_client, list_clients))
        .routes(routes!(get_client, delete_client))
        .routes(routes!(restore_client))
}

#[derive(Serialize, ToSchema)]
pub struct ClientPage {
    pub items: Vec<Client>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<u64>,
}

#[utoipa::path(post, path = "/v1/clients", tag = "clients", request_body = NewClientRequest,
    responses((status = 201, body = Client), (status = 409, description = "client_limit_reached or wp_user_taken"), (status = 422)))]
async fn create_client(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(request): AppJson<NewClientRequest>,
) -> ApiResult<(StatusCode, AppJson<Client>)> {
    actor.require_manager()?;
    Ok((
        StatusCode::CREATED,
        AppJson(super::create(&state.db, request).await?),
    ))
}

#[utoipa::path(get, path = "/v1/clients", tag = "clients", params(ListQuery),
    responses((status = 200, body = ClientPage)))]
async fn list_clients(
    State(state): State<AppState>,
    actor: Actor,
    Query(query): Query<ListQuery>,
) -> ApiResult<AppJson<ClientPage>> {
    actor.require_manager()?;
    let items = super::list(&state.db, &query).await?;
    let next_cursor = (items.len() == usize::from(query.limit()))
        .then(|| items.last().map(|c| c.id))
        .flatten();
    Ok(AppJson(ClientPage { items, next_cursor }))
}

#[utoipa::path(get, path = "/v1/clients/{id}", tag = "clients",
    responses((status = 200, body = Client), (status = 404)))]
async fn get_client(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Client>> {
    super::authorize(&state.db, actor, id).await?;
    Ok(AppJson(super::get(&state.db, id).await?))
}

#[utoipa::path(delete, path = "/v1/clients/{id}", tag = "clients",
    responses((status = 200, body = Client), (status = 404)))]
async fn delete_client(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Client>> {
    actor.require_manager()?;
    Ok(AppJson(super::delete(&state.db, id).await?))
}

#[utoipa::path(post, path = "/v1/clients/{id}/restore", tag = "clients",
    responses((status = 200, body = Client), (status = 404), (status = 409, description = "client_limit_reached")))]
async fn restore_client(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Client>> {
    actor.require_manager()?;
    Ok(AppJson(super::restore(&state.db, id).await?))
}
