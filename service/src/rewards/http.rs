use super::{Action, Adjustment, LedgerRow};
use crate::{
    auth::Actor,
    clients,
    error::{ApiResult, AppJson},
    idempotency::Idempotent,
    paging::PageRequest,
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_rewards, create_adjustment))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HistoryQuery {
    /// A date or part of one (`2026-05-01`), an action (`redeemed`), a points value, or words of the reason.
    pub search: Option<String>,
    /// Keyset cursor: the `next_cursor` of the previous page.
    pub before: Option<u64>,
    pub limit: Option<u16>,
}

#[derive(Serialize, ToSchema)]
pub struct RewardsView {
    pub client_id: u64,
    pub total: u64,
    /// Newest first.
    pub entries: Vec<LedgerRow>,
    pub next_cursor: Option<u64>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AdjustmentRequest {
    /// Positive to add, negative to remove.
    pub points: i64,
    pub reason: Option<String>,
    /// `added` or `redeemed` by default from the sign; `adjusted` for corrections.
    pub action: Option<Action>,
}

#[derive(Serialize, ToSchema)]
pub struct AdjustmentResponse {
    pub total: u64,
    pub entry: LedgerRow,
}

impl From<LedgerRow> for AdjustmentResponse {
    fn from(entry: LedgerRow) -> Self {
        Self {
            total: entry.balance_after,
            entry,
        }
    }
}

#[utoipa::path(get, path = "/v1/clients/{id}/rewards", tag = "rewards", params(HistoryQuery),
    responses((status = 200, body = RewardsView), (status = 404)))]
async fn get_rewards(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<AppJson<RewardsView>> {
    clients::authorize(&state.db, actor, id).await?;
    let page = PageRequest::new(q.before, q.limit);
    let total = super::balance(&state.db, id).await?;
    let page = super::history(&state.db, id, q.search.as_deref(), page).await?;
    Ok(AppJson(RewardsView {
        client_id: id,
        total,
        entries: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/v1/clients/{id}/rewards", tag = "rewards",
    request_body = AdjustmentRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key returns the first answer")),
    responses((status = 201, body = AdjustmentResponse), (status = 404), (status = 409, description = "insufficient_points"), (status = 422)))]
async fn create_adjustment(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<AdjustmentRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let AdjustmentRequest {
        points,
        reason,
        action,
    } = &request.command;
    let adjustment = Adjustment::new(id, *points, *action, reason.as_deref())?;
    let (db, actor, adjustment) = (&state.db, request.actor, &adjustment);
    request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = super::adjust(&mut tx, db, actor, adjustment).await;
            (tx, result.map(AdjustmentResponse::from))
        })
        .await
}
