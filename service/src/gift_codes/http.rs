use super::{
    CodeKeys, CodeStatus, GiftCode, GiftCodeError, NewCodeRequest, Redemption, SendRequest,
};
use crate::{
    auth::{Actor, Role},
    clients,
    config::DataKey,
    error::{ApiError, ApiResult, AppJson},
    idempotency::IdempotencyKey,
    money::Money,
    state::AppState,
    wallet::LedgerRow,
};
use axum::{
    extract::{Path, Query, State},
    http::HeaderMap,
    response::Response,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// The visitor's address as the plugin saw it (`REMOTE_ADDR`), for throttling wrong codes per
/// address. It is not part of the signature; only the plugin can reach the service.
pub const CLIENT_IP_HEADER: &str = "x-volixta-client-ip";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_gift_code, list_gift_codes))
        .routes(routes!(redeem_gift_code))
        .routes(routes!(get_gift_code))
        .routes(routes!(revoke_gift_code))
        .routes(routes!(apply_gift_code))
        .routes(routes!(send_gift_code))
}

fn keys(state: &AppState) -> CodeKeys {
    CodeKeys::new(
        state.config.data_key.as_ref().map(DataKey::expose),
        state.config.shared_secret.expose_secret().as_bytes(),
    )
}

#[derive(Serialize, ToSchema)]
pub struct GiftCodeDetails {
    #[serde(flatten)]
    pub gift_code: GiftCode,
    pub status: CodeStatus,
    /// The clients a restricted code is for.
    pub client_ids: Vec<u64>,
    pub redemptions: Vec<Redemption>,
    /// E-mail requests, on the single-code view.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sends: Option<Vec<SendRequest>>,
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

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct RedeemRequest {
    pub code: String,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct ApplyRequest {
    pub client_id: u64,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
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
    actor: Actor,
    key: Option<IdempotencyKey>,
    AppJson(request): AppJson<NewCodeRequest>,
) -> ApiResult<Response> {
    actor.require_manager()?;
    super::create(&state.db, &keys(&state), actor, key.as_ref(), &request).await
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
    let limit = q.limit.unwrap_or(50).clamp(1, 500);
    let gift_codes = super::list(&state.db, status, q.before, limit).await?;
    let next_cursor = (gift_codes.len() == usize::from(limit))
        .then(|| gift_codes.last().map(|g| g.gift_code.id))
        .flatten();
    Ok(AppJson(GiftCodePage {
        gift_codes,
        next_cursor,
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
    actor: Actor,
    key: Option<IdempotencyKey>,
    headers: HeaderMap,
    AppJson(request): AppJson<RedeemRequest>,
) -> ApiResult<Response> {
    if actor.role != Role::Client {
        return Err(ApiError::Forbidden);
    }
    let client_id = clients::own_client_id(&state.db, actor).await?;
    let address =
        super::domain::client_address(headers.get(CLIENT_IP_HEADER).and_then(|v| v.to_str().ok()));
    super::redeem(
        &state.db,
        &keys(&state),
        actor,
        key.as_ref(),
        client_id,
        &request,
        address,
    )
    .await
}

#[utoipa::path(post, path = "/v1/gift-codes/{id}/apply", tag = "gift codes", request_body = ApplyRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 200, body = RedeemResponse), (status = 403), (status = 404),
        (status = 409, description = "code_revoked, code_expired, code_used_up, client_not_eligible or already_redeemed"),
        (status = 422)))]
async fn apply_gift_code(
    State(state): State<AppState>,
    actor: Actor,
    key: Option<IdempotencyKey>,
    Path(id): Path<u64>,
    AppJson(request): AppJson<ApplyRequest>,
) -> ApiResult<Response> {
    actor.require_manager()?;
    super::apply(&state.db, actor, key.as_ref(), id, &request).await
}

#[utoipa::path(post, path = "/v1/gift-codes/{id}/send", tag = "gift codes", request_body = SendBody,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 202, body = SendResponse, description = "recorded; the e-mails leave through the notifications outbox"),
        (status = 403), (status = 404), (status = 409), (status = 422)))]
async fn send_gift_code(
    State(state): State<AppState>,
    actor: Actor,
    key: Option<IdempotencyKey>,
    Path(id): Path<u64>,
    AppJson(request): AppJson<SendBody>,
) -> ApiResult<Response> {
    actor.require_manager()?;
    super::request_send(&state.db, actor, key.as_ref(), id, &request).await
}
