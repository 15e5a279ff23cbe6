use super::{AuditError, Entry};
use crate::{
    auth::Actor,
    error::{ApiResult, AppJson},
    paging::{Page, PageRequest},
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

impl From<Page<Entry>> for AuditPage {
    fn from(page: Page<Entry>) -> Self {
        Self {
            items: page.items,
            next_cursor: page.next_cursor,
        }
    }
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
    let page = PageRequest::new(q.before, q.limit);
    let page = super::list(&state.db, &q.entity, q.entity_id, page).await?;
    Ok(AppJson(page.into()))
}
