use super::{Settings, SettingsPatch};
use crate::{
    auth::Actor,
    error::{ApiResult, AppJson},
    state::AppState,
};
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_settings, patch_settings))
}

#[utoipa::path(get, path = "/v1/settings", tag = "settings",
    responses((status = 200, body = Settings)))]
async fn get_settings(State(state): State<AppState>, actor: Actor) -> ApiResult<AppJson<Settings>> {
    actor.require_manager()?;
    Ok(AppJson(super::load(&state.db).await?))
}

#[utoipa::path(patch, path = "/v1/settings", tag = "settings", request_body = SettingsPatch,
    responses((status = 200, body = Settings), (status = 403), (status = 422)))]
async fn patch_settings(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(patch): AppJson<SettingsPatch>,
) -> ApiResult<AppJson<Settings>> {
    actor.require_admin()?;
    Ok(AppJson(super::update(&state.db, patch).await?))
}
