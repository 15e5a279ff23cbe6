use super::{AuditError, Entry};
use crate::{
    auth::Actor,
    error::{ApiResult, AppJson},
    state::AppState,
};
use axum::extract::{Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_entries))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// `client`, `booking`, …
    pub entity: String,
    pub entity_id: u64,
    /// Keyset cursor: the `next_cursor` of the previous page.
    pub before: Option<u64>,
    pub limit: Option<u16>,
}

#[derive(Serialize, ToSchema)]
pub struct AuditPage {
    /// Newest first.
    pub items: Vec<Entry>,
    pub next_cursor: Option<u64>,
}

impl AuditPage {
    pub fn new(items: Vec<Entry>, limit: u16) -> Self {
        let next_cursor = (items.len() == usize::from(limit))
            .then(|| items.last().map(|e| e.id))
            .flatten();
        Self { items, next_cursor }
    }
}

pub fn page_limit(limit: Option<u16>) -> u16 {
    limit.unwrap_or(50).clamp(1, 500)
}

#[utoipa::path(get, path = "/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, body = AuditPage), (status = 403), (status = 422)))]
async fn list_entries(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<AuditQuery>,
) -> ApiResult<AppJson<AuditPage>> {
    actor.require_manager()?;
    if !super::is_entity_name(&q.entity) {
        return Err(AuditError::BadEntity.into());
    }
    let limit = page_limit(q.limit);
    let items = super::list(&state.db, &q.entity, q.entity_id, q.before, limit).await?;
    Ok(AppJson(AuditPage::new(items, limit)))
}
