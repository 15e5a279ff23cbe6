use super::{
    Checkout, Delivery, Intent, Source, WcClient, WooError, checkout_booking, checkout_package,
    checkout_top_up, client::Webhook, reconcile_deleted, reconcile_order, repo, signature,
};
use crate::{
    AppState,
    auth::{Actor, Role},
    clients,
    db::DbError,
    error::{ApiError, ApiResult},
};
use axum::{
    Json,
    body::Bytes,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Signed routes (plugin → service).
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(booking_checkout))
        .routes(routes!(package_checkout))
        .routes(routes!(top_up_checkout))
        .routes(routes!(status))
        .routes(routes!(intents))
        .routes(routes!(resolve_intent))
        .routes(routes!(deliveries))
}

/// WooCommerce's own route: authenticated by `X-WC-Webhook-Signature`, not the plugin's.
pub fn webhook_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(webhook))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// Where the store sends the client after paying (the portal page); http(s) only.
    pub return_url: Option<String>,
    /// For a package bought by a manager on a client's behalf; a client buys for itself.
    pub client_id: Option<u64>,
}

fn optional_body(body: &Bytes) -> ApiResult<CheckoutRequest> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(CheckoutRequest::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))
}

fn created(c: Checkout) -> Response {
    (StatusCode::CREATED, Json(c)).into_response()
}

#[utoipa::path(post, path = "/v1/bookings/{id}/checkout", tag = "woocommerce",
    request_body(content = Option<CheckoutRequest>),
    responses((status = 201, body = Checkout, description = "the order paying the balance due; the same order while it is unpaid"),
        (status = 404), (status = 409, description = "nothing_due, woocommerce_not_configured"), (status = 502, description = "WooCommerce failed or refused")))]
async fn booking_checkout(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    body: Bytes,
) -> ApiResult<Response> {
    let r = optional_body(&body)?;
    if r.client_id.is_some() {
        return Err(ApiError::field(
            "client_id",
            "a booking's balance is its client's",
        ));
    }
    Ok(created(
        checkout_booking(&state, actor, id, r.return_url.as_deref()).await?,
    ))
}

#[utoipa::path(post, path = "/v1/packages/{id}/checkout", tag = "woocommerce",
    request_body(content = Option<CheckoutRequest>),
    responses((status = 201, body = Checkout, description = "the order selling this package; the client package is made once it is paid"),
        (status = 404), (status = 409, description = "not_for_sale, woocommerce_not_configured"), (status = 422), (status = 502)))]
async fn package_checkout(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    body: Bytes,
) -> ApiResult<Response> {
    let r = optional_body(&body)?;
    let client_id = match actor.role {
        Role::Client => clients::own_client_id(&state.db, actor).await?,
        Role::Admin | Role::Manager => r
            .client_id
            .ok_or_else(|| ApiError::field("client_id", "say which client buys it"))?,
        Role::Employee | Role::Guest => return Err(ApiError::Forbidden),
    };
    Ok(created(
        checkout_package(&state, actor, id, client_id, r.return_url.as_deref()).await?,
    ))
}

#[utoipa::path(post, path = "/v1/wallet/top-ups/{id}/checkout", tag = "woocommerce",
    request_body(content = Option<CheckoutRequest>),
    responses((status = 201, body = Checkout, description = "the order paying this pending top-up"), (status = 404), (status = 409), (status = 502)))]
async fn top_up_checkout(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    body: Bytes,
) -> ApiResult<Response> {
    let r = optional_body(&body)?;
    actor.require_manager_or_client()?;
    let top_up = crate::wallet::top_up(&state.db, id).await?;
    clients::authorize(&state.db, actor, top_up.client_id)
        .await
        .map_err(|_| ApiError::NotFound)?;
    Ok(created(
        checkout_top_up(&state, actor, id, r.return_url.as_deref()).await?,
    ))
}

/// `POST /v1/clients/{id}/wallet/top-ups` answers the top-up with its order when WooCommerce is
/// connected: `order_id` and `payment_url` beside the top-up's fields (null otherwise). A
/// repeat with the same Idempotency-Key finds the same order.
pub async fn with_top_up_order(
    state: &AppState,
    actor: Actor,
    response: Response,
) -> ApiResult<Response> {
    if !response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let mut body: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Internal(e.into()))?;
    let mut order = (serde_json::Value::Null, serde_json::Value::Null);
    if WcClient::from_config(&state.config).is_some()
        && let Some(id) = body["id"].as_u64()
    {
        // A repeat of the request (same Idempotency-Key) after the top-up was paid answers the
        // order that paid it.
        let mut conn = state.db.pool.get_conn().await.map_err(DbError::from)?;
        let known = repo::latest_for_top_up(&mut conn, &state.db, id).await?;
        drop(conn);
        match known {
            Some(i) if i.wc_order_id.is_some() && i.status != super::IntentStatus::Cancelled => {
                order = (i.wc_order_id.into(), i.payment_url.into());
            }
            _ => {
                let c = checkout_top_up(state, actor, id, None).await?;
                order = (c.order_id.into(), c.payment_url.into());
            }
        }
    }
    body["order_id"] = order.0;
    body["payment_url"] = order.1;
    Ok((status, Json(body)).into_response())
}

/// Headers as logged: all of them, the signature shortened.
fn logged_headers(headers: &HeaderMap) -> String {
    let map: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(k, v)| {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            let v = if k.as_str() == "x-wc-webhook-signature" {
                format!("{}…", v.chars().take(8).collect::<String>())
            } else {
                v
            };
            (k.as_str().to_owned(), v.into())
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

#[derive(Serialize, ToSchema)]
pub struct WebhookAnswer {
    pub outcome: String,
}

#[utoipa::path(post, path = "/v1/woocommerce/webhook", tag = "woocommerce",
    description = "WooCommerce's deliveries (order.created, order.updated, order.deleted) and pings; authenticated by X-WC-Webhook-Signature over the raw body, not by the plugin's signature",
    request_body(content = String, description = "the order as WooCommerce encodes it, or `webhook_id=N` for a ping"),
    responses((status = 200, body = WebhookAnswer, description = "a ping, or an authentic delivery (whatever it changed)"),
        (status = 400, description = "authentic but unreadable"), (status = 401, description = "missing or wrong signature; nothing changes")))]
async fn webhook(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let topic = header(&headers, "x-wc-webhook-topic");
    let sig = header(&headers, "x-wc-webhook-signature");
    let mut log = LogLine {
        headers: &headers,
        body: &body,
        valid: false,
        order_id: None,
        order_status: None,
    };
    if signature::is_ping(topic.is_some(), sig.is_some(), &body) {
        log.write(&state, "ping", "").await;
        return (
            StatusCode::OK,
            Json(WebhookAnswer {
                outcome: "ping".into(),
            }),
        )
            .into_response();
    }
    let verified = match (&state.config.wc_webhook_secret, sig) {
        (None, _) => Err("VOLIXTA_WC_WEBHOOK_SECRET is not set"),
        (_, None) => Err("no X-WC-Webhook-Signature header"),
        (Some(secret), Some(sig)) => {
            use secrecy::ExposeSecret;
            if signature::verify(secret.expose_secret(), &body, sig) {
                Ok(())
            } else {
                Err("the signature does not match the body and the webhook secret")
            }
        }
    };
    if let Err(why) = verified {
        log.write(&state, "bad_signature", why).await;
        return ApiError::Unauthorized.into_response();
    }
    log.valid = true;
    let topic = topic.unwrap_or_default();
    let result = if topic == "order.deleted" {
        #[derive(Deserialize)]
        struct Deleted {
            id: u64,
        }
        match serde_json::from_slice::<Deleted>(&body) {
            Ok(d) => {
                log.order_id = Some(d.id);
                reconcile_deleted(&state.db, d.id).await
            }
            Err(e) => Err(malformed(e)),
        }
    } else if topic.starts_with("order.") {
        match serde_json::from_slice::<super::Order>(&body) {
            Ok(order) => {
                log.order_id = Some(order.id);
                log.order_status = Some(order.status.clone());
                reconcile_order(&state.db, &order, Source::Webhook).await
            }
            Err(e) => Err(malformed(e)),
        }
    } else {
        log.write(&state, "ignored", "not an order topic").await;
        return (
            StatusCode::OK,
            Json(WebhookAnswer {
                outcome: "ignored".into(),
            }),
        )
            .into_response();
    };
    match result {
        Ok((outcome, detail)) => {
            log.write(&state, outcome.as_str(), &detail).await;
            let answer = WebhookAnswer {
                outcome: outcome.as_str().into(),
            };
            (StatusCode::OK, Json(answer)).into_response()
        }
        Err(WooError::Booking(crate::bookings::BookingError::Field { message, .. })) => {
            log.write(&state, "malformed", &message).await;
            ApiError::BadRequest(message).into_response()
        }
        Err(e) => {
            log.write(&state, "error", &e.to_string()).await;
            ApiError::from(e).into_response()
        }
    }
}

fn malformed(e: serde_json::Error) -> WooError {
    WooError::Booking(crate::bookings::BookingError::field(
        "body",
        format!("an order delivery that cannot be read: {e}"),
    ))
}

struct LogLine<'a> {
    headers: &'a HeaderMap,
    body: &'a Bytes,
    valid: bool,
    order_id: Option<u64>,
    order_status: Option<String>,
}

impl LogLine<'_> {
    /// A log that cannot be written never changes the answer WooCommerce gets.
    async fn write(&self, state: &AppState, outcome: &str, detail: &str) {
        let h = self.headers;
        let sha = hex::encode(Sha256::digest(self.body));
        let headers = logged_headers(h);
        let line = repo::NewDelivery {
            webhook_id: header(h, "x-wc-webhook-id"),
            delivery_id: header(h, "x-wc-webhook-delivery-id"),
            topic: header(h, "x-wc-webhook-topic"),
            source: header(h, "x-wc-webhook-source"),
            signature_valid: self.valid,
            wc_order_id: self.order_id,
            order_status: self.order_status.as_deref(),
            outcome,
            detail,
            headers: &headers,
            body_bytes: self.body.len(),
            body_sha256: &sha,
        };
        let written = match state.db.pool.get_conn().await {
            Ok(mut conn) => repo::log_delivery(&mut conn, &state.db, &line).await,
            Err(e) => Err(DbError::from(e)),
        };
        if let Err(e) = written {
            tracing::warn!(error = %e, outcome, "the WooCommerce delivery could not be logged");
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StatusQuery {
    /// The delivery URL the webhooks should point at (the plugin's forwarding route).
    pub delivery_url: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RestCheck {
    pub ok: bool,
    pub message: String,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookCheck {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// It delivers to `delivery_url` as asked.
    pub points_here: bool,
}

#[derive(Serialize, ToSchema)]
pub struct SetupStatus {
    /// The store's URL, key and secret are set in the service.
    pub rest_configured: bool,
    pub webhook_secret_configured: bool,
    pub store_url: Option<String>,
    pub rest: RestCheck,
    pub webhooks: Vec<WebhookCheck>,
    /// An active order.updated webhook points at `delivery_url`.
    pub webhook_ok: bool,
    pub last_deliveries: Vec<Delivery>,
}

#[utoipa::path(get, path = "/v1/woocommerce/status", tag = "woocommerce", params(StatusQuery),
    responses((status = 200, body = SetupStatus, description = "whether the REST keys work, whether the webhooks exist and point here, the last deliveries"), (status = 403)))]
async fn status(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<StatusQuery>,
) -> ApiResult<Json<SetupStatus>> {
    actor.require_manager()?;
    let wc = WcClient::from_config(&state.config);
    let (rest, hooks) = match &wc {
        None => (
            RestCheck {
                ok: false,
                message: WooError::NotConfigured.to_string(),
            },
            Vec::new(),
        ),
        Some(wc) => match wc.webhooks().await {
            Ok(hooks) => (
                RestCheck {
                    ok: true,
                    message: "the REST API keys work".into(),
                },
                hooks,
            ),
            Err(e) => (
                RestCheck {
                    ok: false,
                    message: e.to_string(),
                },
                Vec::new(),
            ),
        },
    };
    let want = q.delivery_url.as_deref().map(|u| u.trim_end_matches('/'));
    let webhooks: Vec<WebhookCheck> = hooks
        .into_iter()
        .map(|w| WebhookCheck {
            points_here: want.is_some_and(|u| w.delivery_url.trim_end_matches('/') == u),
            webhook: w,
        })
        .collect();
    let webhook_ok = webhooks.iter().any(|w| {
        w.points_here && w.webhook.status == "active" && w.webhook.topic == "order.updated"
    });
    let mut conn = state.db.pool.get_conn().await.map_err(DbError::from)?;
    let last_deliveries = repo::deliveries(&mut conn, &state.db, None, 10).await?;
    Ok(Json(SetupStatus {
        rest_configured: wc.is_some(),
        webhook_secret_configured: state.config.wc_webhook_secret.is_some(),
        store_url: wc.map(|w| w.store_url().to_owned()),
        rest,
        webhooks,
        webhook_ok,
        last_deliveries,
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct IntentQuery {
    /// Only those a manager should look at (wrong total, refunded, …).
    pub flagged: Option<bool>,
    /// Only flagged ones a manager has (true) or has not yet (false) marked resolved.
    pub resolved: Option<bool>,
    pub booking_id: Option<u64>,
    pub before: Option<u64>,
    pub limit: Option<u16>,
}

#[derive(Serialize, ToSchema)]
pub struct IntentPage {
    /// Newest first.
    pub intents: Vec<IntentView>,
    pub next_cursor: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct IntentView {
    #[serde(flatten)]
    pub intent: Intent,
    pub refunds: Vec<repo::RefundRow>,
    /// Each time the paid order was cancelled, failed, trashed or deleted in the store.
    pub cancellations: Vec<repo::CancellationRow>,
}

#[utoipa::path(get, path = "/v1/woocommerce/intents", tag = "woocommerce", params(IntentQuery),
    responses((status = 200, body = IntentPage), (status = 403)))]
async fn intents(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<IntentQuery>,
) -> ApiResult<Json<IntentPage>> {
    actor.require_manager()?;
    let limit = u32::from(q.limit.unwrap_or(50).clamp(1, 200));
    let mut conn = state.db.pool.get_conn().await.map_err(DbError::from)?;
    let mut rows = repo::list(
        &mut conn,
        &state.db,
        q.flagged.unwrap_or(false),
        q.resolved,
        q.booking_id,
        q.before,
        limit + 1,
    )
    .await?;
    let next_cursor = (rows.len() > limit as usize).then(|| {
        rows.truncate(limit as usize);
        rows.last().map(|i| i.id)
    });
    let mut intents = Vec::with_capacity(rows.len());
    for intent in rows {
        let refunds = repo::refunds(&mut conn, &state.db, intent.id).await?;
        let cancellations = repo::cancellations(&mut conn, &state.db, intent.id).await?;
        intents.push(IntentView {
            intent,
            refunds,
            cancellations,
        });
    }
    Ok(Json(IntentPage {
        intents,
        next_cursor: next_cursor.flatten(),
    }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeliveryQuery {
    pub order_id: Option<u64>,
    pub limit: Option<u16>,
}

#[utoipa::path(get, path = "/v1/woocommerce/deliveries", tag = "woocommerce", params(DeliveryQuery),
    responses((status = 200, body = Vec<Delivery>, description = "newest first"), (status = 403)))]
async fn deliveries(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<DeliveryQuery>,
) -> ApiResult<Json<Vec<Delivery>>> {
    actor.require_manager()?;
    let limit = u32::from(q.limit.unwrap_or(50).clamp(1, 500));
    let mut conn = state.db.pool.get_conn().await.map_err(DbError::from)?;
    Ok(Json(
        repo::deliveries(&mut conn, &state.db, q.order_id, limit).await?,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ResolveRequest {
    /// What was done about it (at most 1000 characters).
    pub note: String,
}

#[utoipa::path(post, path = "/v1/woocommerce/intents/{id}/resolve", tag = "woocommerce",
    request_body = ResolveRequest,
    responses((status = 200, body = Intent, description = "marked resolved with the note"), (status = 403), (status = 404),
        (status = 409, description = "not_flagged: not flagged, or already resolved"), (status = 422, description = "the note is missing or too long")))]
async fn resolve_intent(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    crate::error::AppJson(r): crate::error::AppJson<ResolveRequest>,
) -> ApiResult<Json<Intent>> {
    actor.require_manager()?;
    Ok(Json(
        super::resolve_flag(&state.db, actor, id, &r.note).await?,
    ))
}
