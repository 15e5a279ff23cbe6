use crate::{auth::Actor, error::ApiResult, state::AppState};
use axum::{extract::State, response::Html};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(render_customer_profile))
}

#[utoipa::path(get, path = "/v1/render/customer_profile", tag = "portal",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn render_customer_profile(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<Html<String>> {
    Ok(Html(super::customer_profile(&state, actor).await?))
}
