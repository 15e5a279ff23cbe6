use super::{Adjustment, HistoryFilter, LedgerRow, TopUp, TopUpStatus, WalletError};
use crate::{
    auth::Actor,
    clients,
    error::{ApiResult, AppJson},
    idempotency::Idempotent,
    money::Money,
    paging::{Page, PageRequest},
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
    OpenApiRouter::new()
        .routes(routes!(get_wallet))
        .routes(routes!(create_adjustment))
        .routes(routes!(list_transactions))
        .routes(routes!(create_top_up, list_client_top_ups))
        .routes(routes!(list_top_ups))
        .routes(routes!(get_top_up))
        .routes(routes!(cancel_top_up))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HistoryQuery {
    /// Keyset cursor: the `next_cursor` of the previous page.
    pub before: Option<u64>,
    pub limit: Option<u16>,
    /// Only these kinds, comma-separated (`gift_code,top_up`).
    pub kind: Option<String>,
    /// From this instant or date (UTC), inclusive.
    pub from: Option<String>,
    /// Up to this instant (exclusive) or through this date (UTC).
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct WalletView {
    pub client_id: u64,
    pub balance: Money,
    /// Newest first.
    pub transactions: Vec<LedgerRow>,
    pub next_cursor: Option<u64>,
}

#[derive(Debug, Deserialize, ToSchema)]
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

impl From<LedgerRow> for AdjustmentResponse {
    fn from(row: LedgerRow) -> Self {
        Self {
            balance: row.balance_after,
            transaction: row,
        }
    }
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
    let filter = HistoryFilter::parse(q.kind.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    let page = PageRequest::new(q.before, q.limit);
    let balance = super::balance(&state.db, id).await?;
    let page = super::history_filtered(&state.db, Some(id), &filter, page).await?;
    Ok(AppJson(WalletView {
        client_id: id,
        balance,
        transactions: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(post, path = "/v1/clients/{id}/wallet/adjustments", tag = "wallet",
    request_body = AdjustmentRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key returns the first answer")),
    responses((status = 201, body = AdjustmentResponse), (status = 409, description = "insufficient_balance"), (status = 422)))]
async fn create_adjustment(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<AdjustmentRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let AdjustmentRequest { amount, reason } = &request.command;
    let adjustment = Adjustment::new(id, *amount, reason.as_deref())?;
    let (db, actor, adjustment) = (&state.db, request.actor, &adjustment);
    request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = super::adjust(&mut tx, db, actor, adjustment).await;
            (tx, result.map(AdjustmentResponse::from))
        })
        .await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TopUpRequest {
    /// What the client wants to add to its wallet (and will pay through WooCommerce).
    pub amount: Money,
}

#[derive(Serialize, ToSchema)]
pub struct TopUpPage {
    /// Newest first.
    pub top_ups: Vec<TopUp>,
    pub next_cursor: Option<u64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TopUpQuery {
    pub status: Option<String>,
    /// Only top-ups whose payment did not match (for a manager to resolve).
    pub flagged: Option<bool>,
    pub before: Option<u64>,
    pub limit: Option<u16>,
}

impl TopUpQuery {
    fn status(&self) -> Result<Option<TopUpStatus>, crate::error::ApiError> {
        self.status
            .as_deref()
            .map(|s| {
                TopUpStatus::parse(s).ok_or_else(|| {
                    crate::error::ApiError::field("status", "pending, paid or cancelled")
                })
            })
            .transpose()
    }

    fn page(&self) -> PageRequest {
        PageRequest::new(self.before, self.limit)
    }
}

impl From<Page<TopUp>> for TopUpPage {
    fn from(page: Page<TopUp>) -> Self {
        Self {
            top_ups: page.items,
            next_cursor: page.next_cursor,
        }
    }
}

#[utoipa::path(post, path = "/v1/clients/{id}/wallet/top-ups", tag = "wallet",
    request_body = TopUpRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "a retry with the same key returns the first answer")),
    responses((status = 201, body = TopUp, description = "a pending top-up; credited once its payment is confirmed"), (status = 404), (status = 422)))]
async fn create_top_up(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<TopUpRequest>,
) -> ApiResult<Response> {
    clients::authorize(&state.db, request.actor, id).await?;
    let amount = super::top_up_amount(request.command.amount)?;
    let (db, actor) = (&state.db, request.actor);
    let response = request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = super::request_top_up(&mut tx, db, actor, id, amount).await;
            (tx, result)
        })
        .await?;
    crate::woocommerce::http::with_top_up_order(&state, actor, response).await
}

#[utoipa::path(get, path = "/v1/clients/{id}/wallet/top-ups", tag = "wallet", params(TopUpQuery),
    responses((status = 200, body = TopUpPage), (status = 404)))]
async fn list_client_top_ups(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    Query(q): Query<TopUpQuery>,
) -> ApiResult<AppJson<TopUpPage>> {
    clients::authorize(&state.db, actor, id).await?;
    let page = super::list_top_ups(
        &state.db,
        Some(id),
        q.status()?,
        q.flagged.unwrap_or(false),
        q.page(),
    )
    .await?;
    Ok(AppJson(page.into()))
}

#[utoipa::path(get, path = "/v1/wallet/top-ups", tag = "wallet", params(TopUpQuery),
    responses((status = 200, body = TopUpPage), (status = 403)))]
async fn list_top_ups(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<TopUpQuery>,
) -> ApiResult<AppJson<TopUpPage>> {
    actor.require_manager()?;
    let page = super::list_top_ups(
        &state.db,
        None,
        q.status()?,
        q.flagged.unwrap_or(false),
        q.page(),
    )
    .await?;
    Ok(AppJson(page.into()))
}

/// A top-up the actor may see: a manager any, a client only its own (others look absent).
/// Other roles are refused before the lookup, so their 403 does not tell whether it exists.
async fn authorized_top_up(state: &AppState, actor: Actor, id: u64) -> ApiResult<TopUp> {
    actor.require_manager_or_client()?;
    let top_up = super::top_up(&state.db, id).await?;
    clients::authorize(&state.db, actor, top_up.client_id)
        .await
        .map_err(|e| match e {
            clients::ClientError::NotFound => WalletError::TopUpNotFound.into(),
            other => crate::error::ApiError::from(other),
        })?;
    Ok(top_up)
}

#[utoipa::path(get, path = "/v1/wallet/top-ups/{id}", tag = "wallet",
    responses((status = 200, body = TopUp), (status = 403), (status = 404)))]
async fn get_top_up(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<TopUp>> {
    Ok(AppJson(authorized_top_up(&state, actor, id).await?))
}

#[utoipa::path(post, path = "/v1/wallet/top-ups/{id}/cancel", tag = "wallet",
    responses((status = 200, body = TopUp), (status = 403), (status = 404), (status = 409, description = "top_up_not_pending")))]
async fn cancel_top_up(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<TopUp>> {
    authorized_top_up(&state, actor, id).await?;
    Ok(AppJson(super::cancel_top_up(&state.db, id).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TransactionsQuery {
    /// Only this client's movements.
    pub client_id: Option<u64>,
    pub before: Option<u64>,
    pub limit: Option<u16>,
    /// Only these kinds, comma-separated (`gift_code,top_up`).
    pub kind: Option<String>,
    /// From this instant or date (UTC), inclusive.
    pub from: Option<String>,
    /// Up to this instant (exclusive) or through this date (UTC).
    pub to: Option<String>,
    /// Who made the movements: an actor (`manager:2`), a role (`client`: clients themselves),
    /// or `system` (WooCommerce, imports).
    pub actor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TransactionPage {
    /// Newest first.
    pub transactions: Vec<LedgerRow>,
    pub next_cursor: Option<u64>,
}

/// Every client's wallet movements, for the back office's credits screen.
#[utoipa::path(get, path = "/v1/wallet/transactions", tag = "wallet", params(TransactionsQuery),
    responses((status = 200, body = TransactionPage), (status = 403), (status = 422)))]
async fn list_transactions(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<TransactionsQuery>,
) -> ApiResult<AppJson<TransactionPage>> {
    actor.require_manager()?;
    let mut filter = HistoryFilter::parse(q.kind.as_deref(), q.from.as_deref(), q.to.as_deref())?;
    filter.actor = q.actor.as_deref().and_then(super::ActorFilter::parse);
    let page = PageRequest::new(q.before, q.limit);
    let page = super::history_filtered(&state.db, q.client_id, &filter, page).await?;
    Ok(AppJson(TransactionPage {
        transactions: page.items,
        next_cursor: page.next_cursor,
    }))
}
