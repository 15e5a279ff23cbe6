use super::LedgerRow;
use crate::{
    auth::Actor,
    clients,
    error::{ApiResult, AppJson},
    idempotency::IdempotencyKey,
    money::Money,
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_wallet))
        .routes(routes!(create_adjustment))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HistoryQuery {
    /// Keyset cursor: the `next_cursor` of the previous page.
    pub before: Option<u64>,
    pub limit: Option<u16>,
}

#[derive(Serialize, ToSchema)]
pub struct WalletView {
    pub client_id: u64,
    pub balance: Money,
    /// Newest first.
    pub transactions: Vec<LedgerRow>,
    pub next_cursor: Option<u64>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AdjustmentRequest {
    /// Positive to credit, negative to debit.
    pub amount: Money,
    pub reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AdjustmentResponse {
    pub balance: Money,
    pub transaction: LedgerRow,
}

#[utoipa::path(get, path = "/v1/clients/{id}/wallet", tag = "wallet", params(HistoryQuery),
    responses((status = 200, body = WalletView), (status = 404)))]
async fn get_wallet(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    Query(q): Query<HistoryQuery>,
) -> ApiResult<AppJson<WalletView>> {
    clients::authorize(&state.db, actor, id).await?;
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let balance = super::balance(&state.db, id).await?;
    let transactions = super::history(&state.db, id, q.before, limit).await?;
    let next_cursor = (transactions.len() == usize::from(limit))
        .then(|| transactions.last().map(|t| t.id))
        .flatten();
    Ok(AppJson(WalletView {
        client_id: id,
        balance,
        transactions,
        next_cursor,
    }))
}

#[utoipa::path(post, path = "/v1/clients/{id}/wallet/adjustments", tag = "wallet",
    request_body = AdjustmentRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key returns the first answer")),
    responses((status = 201, body = AdjustmentResponse), (status = 409, description = "insufficient_balance"), (status = 422)))]
async fn create_adjustment(
    State(state): State<AppState>,
    actor: Actor,
    key: Option<IdempotencyKey>,
    Path(id): Path<u64>,
    AppJson(request): AppJson<AdjustmentRequest>,
) -> ApiResult<Response> {
    actor.require_manager()?;
    super::adjust(&state.db, actor, key.as_ref(), id, &request).await
}
