//! Admins' webhook endpoints: register (the secret answered once), list, change, switch off and
//! on, delete, the delivery log and redeliver.
use super::{Change, EndpointRow, NewEndpoint};
use crate::{
    auth::Actor,
    error::{ApiResult, AppJson},
    outbox::http::{Message, MessagePage, page},
    state::AppState,
};
use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_webhook, list_webhooks))
        .routes(routes!(get_webhook, update_webhook, delete_webhook))
        .routes(routes!(list_deliveries))
        .routes(routes!(redeliver))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// http:// or https://; private and loopback addresses only when the operator lists the
    /// host in `VOLIXTA_WEBHOOK_ALLOWED_HOSTS`.
    pub url: String,
    /// Among booking.created, booking.rescheduled, booking.cancelled, booking.status_changed,
    /// payment.received, client.created, client.updated, client.merged, wallet.changed,
    /// package.assigned.
    pub topics: Vec<String>,
    /// The HMAC key (16 to 200 characters); a random one when absent.
    pub secret: Option<String>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    pub url: Option<String>,
    pub topics: Option<Vec<String>>,
    pub secret: Option<String>,
    pub description: Option<String>,
    /// `true` switches a disabled endpoint back on and clears its failure count.
    pub active: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct Webhook {
    pub id: u64,
    pub url: String,
    pub topics: Vec<String>,
    pub description: String,
    pub active: bool,
    /// Failed tries since the last delivered one.
    pub failures: u32,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Only in the answer to its creation: the signing key, shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<EndpointRow> for Webhook {
    fn from(r: EndpointRow) -> Self {
        Self {
            id: r.id,
            url: r.url,
            topics: r
                .topics
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
            description: r.description,
            active: r.active,
            failures: r.failures,
            disabled_at: r.disabled_at.map(|t| t.and_utc()),
            disabled_reason: r.disabled_reason,
            created_by: r.created_by,
            created_at: r.created_at.and_utc(),
            secret: None,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct WebhookList {
    pub webhooks: Vec<Webhook>,
    /// Every topic an endpoint may subscribe to.
    pub topics: Vec<&'static str>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct DeliveriesQuery {
    pub before: Option<u64>,
    pub limit: Option<u16>,
}

#[utoipa::path(post, path = "/v1/webhooks", tag = "webhooks", request_body = CreateWebhook,
    description = "Registers an endpoint (admins). Each event of its topics is POSTed as JSON with `X-Volixta-Webhook-Topic`, `X-Volixta-Webhook-Delivery-ID` (unique per event and endpoint, the same on every retry), `X-Volixta-Webhook-Timestamp` (Unix seconds) and `X-Volixta-Webhook-Signature` = base64(HMAC-SHA256(secret, raw body)). A delivery that fails (no answer within 10 s, or not 2xx; redirects are not followed) is retried from about a second, doubling with jitter, to at most an hour apart, for about a day; then the endpoint is switched off and the managers are told.",
    responses((status = 201, body = Webhook), (status = 403), (status = 422)))]
async fn create_webhook(
    State(state): State<AppState>,
    actor: Actor,
    AppJson(body): AppJson<CreateWebhook>,
) -> ApiResult<(StatusCode, AppJson<Webhook>)> {
    actor.require_admin()?;
    let (row, secret) = super::create(
        &state.db,
        actor,
        &state.config.webhook_allowed_hosts,
        &NewEndpoint {
            url: &body.url,
            topics: &body.topics,
            secret: body.secret.as_deref(),
            description: &body.description,
        },
    )
    .await?;
    let mut webhook = Webhook::from(row);
    webhook.secret = Some(secret);
    Ok((StatusCode::CREATED, AppJson(webhook)))
}

#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = WebhookList), (status = 403)))]
async fn list_webhooks(
    State(state): State<AppState>,
    actor: Actor,
) -> ApiResult<AppJson<WebhookList>> {
    actor.require_admin()?;
    Ok(AppJson(WebhookList {
        webhooks: super::list(&state.db)
            .await?
            .into_iter()
            .map(Webhook::from)
            .collect(),
        topics: super::TOPICS.to_vec(),
    }))
}

#[utoipa::path(get, path = "/v1/webhooks/{id}", tag = "webhooks",
    responses((status = 200, body = Webhook), (status = 403), (status = 404)))]
async fn get_webhook(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Webhook>> {
    actor.require_admin()?;
    Ok(AppJson(Webhook::from(super::get(&state.db, id).await?)))
}

#[utoipa::path(patch, path = "/v1/webhooks/{id}", tag = "webhooks", request_body = UpdateWebhook,
    responses((status = 200, body = Webhook), (status = 403), (status = 404), (status = 422)))]
async fn update_webhook(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(body): AppJson<UpdateWebhook>,
) -> ApiResult<AppJson<Webhook>> {
    actor.require_admin()?;
    let row = super::update(
        &state.db,
        &state.config.webhook_allowed_hosts,
        id,
        &Change {
            url: body.url.as_deref(),
            topics: body.topics.as_deref(),
            secret: body.secret.as_deref(),
            description: body.description.as_deref(),
            active: body.active,
        },
    )
    .await?;
    Ok(AppJson(Webhook::from(row)))
}

#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks",
    responses((status = 204), (status = 403), (status = 404)))]
async fn delete_webhook(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<StatusCode> {
    actor.require_admin()?;
    super::delete(&state.db, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/v1/webhooks/{id}/deliveries", tag = "webhooks", params(DeliveriesQuery),
    description = "The endpoint's delivery log, newest first: status, tries, the last answer's HTTP status and error, times.",
    responses((status = 200, body = MessagePage), (status = 403), (status = 404)))]
async fn list_deliveries(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    Query(q): Query<DeliveriesQuery>,
) -> ApiResult<AppJson<MessagePage>> {
    actor.require_admin()?;
    let limit = u32::from(q.limit.unwrap_or(50).clamp(1, 200));
    let rows = super::deliveries(&state.db, id, q.before, limit + 1).await?;
    Ok(AppJson(page(rows, limit)))
}

#[utoipa::path(post, path = "/v1/webhooks/{id}/deliveries/{delivery}/redeliver", tag = "webhooks",
    description = "Sends the delivery again now, with the same delivery id and body.",
    responses((status = 200, body = Message), (status = 403), (status = 404), (status = 409)))]
async fn redeliver(
    State(state): State<AppState>,
    actor: Actor,
    Path((id, delivery)): Path<(u64, u64)>,
) -> ApiResult<AppJson<Message>> {
    actor.require_admin()?;
    Ok(AppJson(Message::from(
        super::redeliver(&state.db, id, delivery).await?,
    )))
}
