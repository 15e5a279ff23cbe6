//! The managers' view of the outbox: what waits, what was sent, what failed and why, and
//! "retry" for a parked message.
use super::{Channel, MessageRow, Status};
use crate::{
    auth::Actor,
    error::{ApiError, ApiResult, AppJson},
    state::AppState,
};
use axum::extract::{Path, Query, State};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_messages))
        .routes(routes!(retry_message))
}

/// One message of the outbox. The payload stays inside the service (it may hold a gift code).
#[derive(Serialize, ToSchema)]
pub struct Message {
    pub id: u64,
    pub channel: Channel,
    pub topic: String,
    /// The e-mail's Message-ID (without brackets and domain) or the webhook's delivery id: the
    /// same on every try.
    pub message_id: String,
    /// The address, or for a webhook the endpoint's id.
    pub recipient: String,
    pub webhook_id: Option<u64>,
    pub status: Status,
    pub attempts: u32,
    /// When it is tried next (pending), or was last scheduled.
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: String,
    /// The HTTP status a webhook endpoint answered last.
    pub last_status_code: Option<u16>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        Self {
            id: r.id,
            channel: Channel::parse(&r.channel).unwrap_or(Channel::Email),
            topic: r.topic,
            message_id: r.message_id,
            recipient: r.recipient,
            webhook_id: r.webhook_id,
            status: Status::parse(&r.status).unwrap_or(Status::Pending),
            attempts: r.attempts,
            next_attempt_at: utc(r.next_attempt_at),
            last_error: r.last_error,
            last_status_code: r.last_status_code,
            last_attempt_at: r.last_attempt_at.map(utc),
            created_at: utc(r.created_at),
            sent_at: r.sent_at.map(utc),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessagePage {
    /// Newest first.
    pub messages: Vec<Message>,
    pub next_cursor: Option<u64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// pending, sent or failed.
    pub status: Option<String>,
    /// email or webhook.
    pub channel: Option<String>,
    pub webhook_id: Option<u64>,
    pub before: Option<u64>,
    pub limit: Option<u16>,
}

pub fn page(rows: Vec<MessageRow>, limit: u32) -> MessagePage {
    let mut messages: Vec<Message> = rows.into_iter().map(Message::from).collect();
    let next_cursor = if messages.len() > limit as usize {
        messages.truncate(limit as usize);
        messages.last().map(|m| m.id)
    } else {
        None
    };
    MessagePage {
        messages,
        next_cursor,
    }
}

#[utoipa::path(get, path = "/v1/outbox", tag = "outbox", params(ListQuery),
    description = "E-mails and webhook deliveries, newest first: pending ones with their next try, sent ones, and failed ones with the last error (managers).",
    responses((status = 200, body = MessagePage), (status = 403), (status = 422)))]
async fn list_messages(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> ApiResult<AppJson<MessagePage>> {
    actor.require_manager()?;
    let status = q
        .status
        .as_deref()
        .map(|s| {
            Status::parse(s).ok_or_else(|| ApiError::field("status", "pending, sent or failed"))
        })
        .transpose()?;
    let channel = q
        .channel
        .as_deref()
        .map(|s| Channel::parse(s).ok_or_else(|| ApiError::field("channel", "email or webhook")))
        .transpose()?;
    let limit = u32::from(q.limit.unwrap_or(50).clamp(1, 200));
    let rows = super::list(
        &state.db,
        status,
        channel,
        q.webhook_id,
        q.before,
        limit + 1,
    )
    .await?;
    Ok(AppJson(page(rows, limit)))
}

#[utoipa::path(post, path = "/v1/outbox/{id}/retry", tag = "outbox",
    description = "Sends a failed (or sent) message again with the same message id, starting a new round of tries now. 409 `already_pending` while it waits for its next try.",
    responses((status = 200, body = Message), (status = 403), (status = 404), (status = 409)))]
async fn retry_message(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Message>> {
    actor.require_manager()?;
    let found = super::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    if found.channel == Channel::Webhook.as_str() {
        // A delivery is redelivered through its endpoint, which an admin owns.
        actor.require_admin()?;
    }
    if !super::retry(&state.db, id).await? {
        return Err(ApiError::conflict(
            "already_pending",
            "this message is waiting for its next try already",
        ));
    }
    let row = super::find(&state.db, id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(AppJson(Message::from(row)))
}
