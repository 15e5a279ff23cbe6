use super::{
    CodeKeys, CodeStatus, Credited, GiftCodeDetails, GiftCodeError, NewCode, NewCodeRequest,
    SendRequest,
};
use crate::{
    auth::{Actor, Role},
    clients,
    config::DataKey,
    db::Db,
    error::{ApiError, ApiResult, AppJson},
    idempotency::Idempotent,
    money::Money,
    paging::PageRequest,
    state::AppState,
    wallet::LedgerRow,
};
use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_gift_code, list_gift_codes))
        .routes(routes!(redeem_gift_code))
        .routes(routes!(get_gift_code))
        .routes(routes!(revoke_gift_code))
        .routes(routes!(apply_gift_code))
        .routes(routes!(send_gift_code))
}

pub(crate) fn keys(state: &AppState) -> CodeKeys {
    CodeKeys::new(
        state.config.data_key.as_ref().map(DataKey::expose),
        state.config.shared_secret.expose_secret().as_bytes(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct CreatedGiftCode {
    /// The code to share, shown this once in full (lists show `code_hint`).
    pub code: Option<String>,
    #[serde(flatten)]
    pub details: GiftCodeDetails,
}

#[derive(Serialize, ToSchema)]
pub struct GiftCodePage {
    /// Newest first.
    pub gift_codes: Vec<GiftCodeDetails>,
    pub next_cursor: Option<u64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// active, expired, used_up or revoked.
    pub status: Option<String>,
    pub before: Option<u64>,
    pub limit: Option<u16>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RedeemRequest {
    pub code: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ApplyRequest {
    pub client_id: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct SendBody {
    pub client_ids: Vec<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct RedeemResponse {
    /// The wallet balance after the credit.
    pub balance: Money,
    pub credited: Money,
    pub gift_code_id: u64,
    pub transaction: LedgerRow,
}

impl From<Credited> for RedeemResponse {
    fn from(c: Credited) -> Self {
        Self {
            balance: c.transaction.balance_after,
            credited: c.gift_code.value,
            gift_code_id: c.gift_code.id,
            transaction: c.transaction,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SendResponse {
    /// One request per client, delivered by the notifications worker.
    pub requests: Vec<SendRequest>,
}

const IDEMPOTENCY: &str = "a retry with the same key returns the first answer";

#[utoipa::path(post, path = "/v1/gift-codes", tag = "gift codes", request_body = NewCodeRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 201, body = CreatedGiftCode), (status = 403), (status = 409, description = "code_taken"), (status = 422)))]
async fn create_gift_code(
    State(state): State<AppState>,
    request: Idempotent<NewCodeRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let new = NewCode::parse(&request.command, Utc::now())?;
    let (db, keys, actor, new) = (&state.db, &keys(&state), request.actor, &new);
    // The stored answer of an Idempotency-Key must not hold the code in clear: every answer,
    // the first and a replay, has it filled in from the sealed copy.
    let answer = request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = super::create(&mut tx, db, keys, actor, new).await;
            let stored = result.map(|details| CreatedGiftCode {
                code: None,
                details,
            });
            (tx, stored)
        })
        .await?;
    with_code_in_clear(db, keys, answer).await
}

async fn with_code_in_clear(db: &Db, keys: &CodeKeys, answer: Response) -> ApiResult<Response> {
    let status = answer.status();
    let bytes = axum::body::to_bytes(answer.into_body(), 1 << 20)
        .await
        .map_err(anyhow::Error::from)?;
    let mut created: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(anyhow::Error::from)?;
    if let Some(id) = created["id"].as_u64() {
        created["code"] = super::reveal_code(db, keys, id)
            .await?
            .map(|c| c.shown())
            .into();
    }
    Ok((status, axum::Json(created)).into_response())
}

#[utoipa::path(get, path = "/v1/gift-codes", tag = "gift codes", params(ListQuery),
    responses((status = 200, body = GiftCodePage), (status = 403)))]
async fn list_gift_codes(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> ApiResult<AppJson<GiftCodePage>> {
    actor.require_manager()?;
    let status = q
        .status
        .as_deref()
        .map(|s| CodeStatus::parse(s).ok_or(GiftCodeError::BadStatus))
        .transpose()?;
    let page = PageRequest::new(q.before, q.limit);
    let page = super::list(&state.db, status, page).await?;
    Ok(AppJson(GiftCodePage {
        gift_codes: page.items,
        next_cursor: page.next_cursor,
    }))
}

#[utoipa::path(get, path = "/v1/gift-codes/{id}", tag = "gift codes",
    responses((status = 200, body = GiftCodeDetails), (status = 403), (status = 404)))]
async fn get_gift_code(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<GiftCodeDetails>> {
    actor.require_manager()?;
    Ok(AppJson(super::details(&state.db, id).await?))
}

#[utoipa::path(post, path = "/v1/gift-codes/{id}/revoke", tag = "gift codes",
    responses((status = 200, body = GiftCodeDetails), (status = 403), (status = 404)))]
async fn revoke_gift_code(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<GiftCodeDetails>> {
    actor.require_manager()?;
    Ok(AppJson(super::revoke(&state.db, actor, id).await?))
}

#[utoipa::path(post, path = "/v1/gift-codes/redeem", tag = "gift codes", request_body = RedeemRequest,
    params(
        ("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY),
        ("X-Volixta-Client-Ip" = Option<String>, Header, description = "the visitor's IP address, for throttling wrong codes per address")),
    responses((status = 200, body = RedeemResponse),
        (status = 403, description = "only a client redeems; a manager applies"),
        (status = 409, description = "already_redeemed: this client used this code before"),
        (status = 422, description = "code_invalid: unknown, expired, revoked, used up or not for this client, one answer for all"),
        (status = 429, description = "too many wrong codes from this client or address")))]
async fn redeem_gift_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    request: Idempotent<RedeemRequest>,
) -> ApiResult<Response> {
    redeem(&state, &headers, request).await
}

/// A client redeems a code for itself, throttled per client and per the visitor's address;
/// the client portal's form goes through here too.
pub(crate) async fn redeem(
    state: &AppState,
    headers: &HeaderMap,
    request: Idempotent<RedeemRequest>,
) -> ApiResult<Response> {
    let actor = request.actor;
    if actor.role != Role::Client {
        return Err(ApiError::Forbidden);
    }
    let client_id = clients::own_client_id(&state.db, actor).await?;
    let address = crate::auth::visitor_address(headers);
    let (db, keys, typed, address) = (
        &state.db,
        &keys(state),
        request.command.code.as_str(),
        address.as_deref(),
    );
    request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = super::redeem(&mut tx, db, keys, actor, client_id, typed, address).await;
            (tx, result.map(RedeemResponse::from))
        })
        .await
}

#[utoipa::path(post, path = "/v1/gift-codes/{id}/apply", tag = "gift codes", request_body = ApplyRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 200, body = RedeemResponse), (status = 403), (status = 404),
        (status = 409, description = "code_revoked, code_expired, code_used_up, client_not_eligible or already_redeemed"),
        (status = 422)))]
async fn apply_gift_code(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<ApplyRequest>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let (db, actor, client_id) = (&state.db, request.actor, request.command.client_id);
    request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = super::apply(&mut tx, db, actor, id, client_id).await;
            (tx, result.map(RedeemResponse::from))
        })
        .await
}

#[utoipa::path(post, path = "/v1/gift-codes/{id}/send", tag = "gift codes", request_body = SendBody,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 202, body = SendResponse, description = "recorded; the e-mails leave through the notifications outbox"),
        (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn send_gift_code(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<SendBody>,
) -> ApiResult<Response> {
    request.actor.require_manager()?;
    let client_ids = super::send_targets(&request.command.client_ids)?;
    let (db, actor, client_ids) = (&state.db, request.actor, client_ids.as_slice());
    request
        .run(db, StatusCode::ACCEPTED, |mut tx| async move {
            let result = super::request_send(&mut tx, db, actor, id, client_ids).await;
            (tx, result.map(|requests| SendResponse { requests }))
        })
        .await
}
