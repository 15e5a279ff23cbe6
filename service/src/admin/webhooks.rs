//! wp-admin → Volixta → Webhooks (administrators only): the endpoints with their state and last
//! delivery, adding one (its secret shown once), switching off and on, deleting after a
//! confirmation, and an endpoint's delivery log with "Redeliver". The webhooks domain checks
//! everything (URL and SSRF, topics, secret); its refusal comes back beside the field.
use super::{display::Clock, http::page, setup::fields::Fields};
use crate::{
    auth::Actor,
    error::{ApiError, ApiResult},
    outbox::{self, Channel, MessageRow},
    state::AppState,
    webhooks::{self, Change, EndpointRow, NewEndpoint, TOPICS, WebhookError},
};
use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::HeaderMap,
    response::Html,
};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(webhooks_screen))
        .routes(routes!(create_endpoint))
        .routes(routes!(switch_endpoint))
        .routes(routes!(delete_endpoint))
        .routes(routes!(redeliver))
}

const TEMPLATE: &str = "admin/webhooks.html";
const LOG_SIZE: u32 = 50;

/// The add form as typed. The secret is never sent back: a refused form asks for it again.
#[derive(Debug, Default, Serialize)]
struct AddForm {
    url: String,
    description: String,
    topics: Vec<String>,
}

#[derive(Serialize)]
struct Delivery {
    id: u64,
    topic: String,
    status: String,
    attempts: u32,
    last_status_code: Option<u16>,
    last_error: String,
    created: String,
    /// The last try (sent, failed), or the next one (pending).
    when: String,
    delivery_id: String,
    redeliver: bool,
}

fn delivery(m: MessageRow, clock: Clock) -> Delivery {
    let when = match (m.status.as_str(), m.sent_at, m.last_attempt_at) {
        ("sent", Some(t), _) => clock.when(t.and_utc()),
        ("pending", _, _) => clock.when(m.next_attempt_at.and_utc()),
        (_, _, Some(t)) => clock.when(t.and_utc()),
        _ => String::new(),
    };
    Delivery {
        id: m.id,
        redeliver: m.status != "pending",
        topic: m.topic,
        status: m.status,
        attempts: m.attempts,
        last_status_code: m.last_status_code,
        last_error: m.last_error,
        created: clock.when(m.created_at.and_utc()),
        when,
        delivery_id: m.message_id,
    }
}

#[derive(Serialize)]
struct Endpoint {
    id: u64,
    url: String,
    description: String,
    topics: Vec<String>,
    active: bool,
    failures: u32,
    disabled_at: String,
    disabled_reason: String,
    created: String,
    last: Option<Delivery>,
}

fn endpoint(r: EndpointRow, clock: Clock, last: Option<Delivery>) -> Endpoint {
    Endpoint {
        id: r.id,
        topics: r
            .topics
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        url: r.url,
        description: r.description,
        active: r.active,
        failures: r.failures,
        disabled_at: r
            .disabled_at
            .map(|t| clock.when(t.and_utc()))
            .unwrap_or_default(),
        disabled_reason: r.disabled_reason,
        created: clock.when(r.created_at.and_utc()),
        last,
    }
}

#[derive(Serialize)]
struct Notice {
    kind: &'static str,
    action: &'static str,
    detail: String,
}

#[derive(Serialize)]
struct Screen {
    page: &'static str,
    /// `list`, `log` (one endpoint's deliveries) or `delete` (the confirmation).
    view: &'static str,
    endpoints: Vec<Endpoint>,
    endpoint: Option<Endpoint>,
    deliveries: Vec<Delivery>,
    next: Option<u64>,
    topics: &'static [&'static str],
    form: AddForm,
    errors: BTreeMap<String, String>,
    notice: Option<Notice>,
    /// The secret of the endpoint just created: shown this once.
    secret: Option<String>,
    zone: &'static str,
}

#[derive(Default)]
struct Parts {
    form: AddForm,
    errors: BTreeMap<String, String>,
    notice: Option<Notice>,
    secret: Option<String>,
}

#[derive(Default)]
struct Query {
    webhook: Option<u64>,
    delete: bool,
    before: Option<u64>,
}

fn number(k: &str, v: &str) -> ApiResult<u64> {
    v.parse()
        .map_err(|_| ApiError::field(k, format!("{k} must be an id")))
}

impl Query {
    fn parse(raw: Option<&str>) -> ApiResult<Self> {
        let mut q = Self::default();
        for (k, v) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "webhook" | "id" => q.webhook = Some(number("webhook", &v)?),
                "before" if !v.is_empty() => q.before = Some(number("before", &v)?),
                "action" => q.delete = v == "delete",
                _ => {}
            }
        }
        Ok(q)
    }

    fn id(&self) -> ApiResult<u64> {
        self.webhook
            .ok_or_else(|| ApiError::field("id", "an endpoint id"))
    }
}

fn not_found(e: WebhookError) -> ApiError {
    ApiError::from(e)
}

async fn screen(state: &AppState, q: &Query, parts: Parts) -> ApiResult<Screen> {
    let db = &state.db;
    let clock = Clock::business(db).await?;
    let mut view = "list";
    let mut endpoints = Vec::new();
    let mut endpoint_view = None;
    let mut deliveries = Vec::new();
    let mut next = None;
    if let Some(id) = q.webhook {
        let row = webhooks::get(db, id).await.map_err(not_found)?;
        if q.delete {
            view = "delete";
        } else {
            view = "log";
            let rows = webhooks::deliveries(db, id, q.before, LOG_SIZE + 1)
                .await
                .map_err(not_found)?;
            if rows.len() > LOG_SIZE as usize {
                next = rows.get(LOG_SIZE as usize - 1).map(|m| m.id);
            }
            deliveries = rows
                .into_iter()
                .take(LOG_SIZE as usize)
                .map(|m| delivery(m, clock))
                .collect();
        }
        endpoint_view = Some(endpoint(row, clock, None));
    } else {
        for row in webhooks::list(db).await.map_err(not_found)? {
            let last = outbox::list(db, None, Some(Channel::Webhook), Some(row.id), None, 1)
                .await?
                .into_iter()
                .next()
                .map(|m| delivery(m, clock));
            endpoints.push(endpoint(row, clock, last));
        }
    }
    Ok(Screen {
        page: "volixta-webhooks",
        view,
        endpoints,
        endpoint: endpoint_view,
        deliveries,
        next,
        topics: TOPICS,
        form: parts.form,
        errors: parts.errors,
        notice: parts.notice,
        secret: parts.secret,
        zone: clock.name(),
    })
}

async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    q: &Query,
    parts: Parts,
) -> ApiResult<Html<String>> {
    let view = screen(state, q, parts).await?;
    page(state, headers, TEMPLATE, &view)
}

fn notice(kind: &'static str, action: &'static str, detail: String) -> Option<Notice> {
    Some(Notice {
        kind,
        action,
        detail,
    })
}

#[utoipa::path(get, path = "/v1/render/admin/webhooks", tag = "admin",
    description = "The Webhooks screen of wp-admin as an HTML fragment: the endpoints (URL, topics, active or switched off and why, last delivery) and the form to add one; `webhook=<id>` that endpoint's delivery log (`before`: a delivery id, for older ones); `action=delete&webhook=<id>` the question before deleting it. Administrators only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn webhooks_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_admin()?;
    let q = Query::parse(raw.as_deref())?;
    answer(&state, &headers, &q, Parts::default()).await
}

#[utoipa::path(post, path = "/v1/render/admin/webhooks/create", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`url`, `description`, `topics[]` (ticked topics), `secret` (empty: the service generates one)."),
    description = "Registers an endpoint as `POST /v1/webhooks` does; answers the list with its secret shown this once, or the form with the reason beside the field (nothing registered). Administrators only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn create_endpoint(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_admin()?;
    let f = Fields::parse(&body)?;
    let form = AddForm {
        url: f.text("url"),
        description: f.text("description"),
        topics: f.list("topics"),
    };
    let secret = f.text("secret");
    let created = webhooks::create(
        &state.db,
        actor,
        &state.config.webhook_allowed_hosts,
        &NewEndpoint {
            url: &form.url,
            topics: &form.topics,
            secret: (!secret.is_empty()).then_some(secret.as_str()),
            description: &form.description,
        },
    )
    .await;
    let q = Query::default();
    match created {
        Ok((row, secret)) => {
            let parts = Parts {
                notice: notice("success", "created", row.url),
                secret: Some(secret),
                ..Parts::default()
            };
            answer(&state, &headers, &q, parts).await
        }
        Err(WebhookError::Field { field, message }) => {
            let parts = Parts {
                form,
                errors: BTreeMap::from([(field.to_owned(), message)]),
                ..Parts::default()
            };
            answer(&state, &headers, &q, parts).await
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/v1/render/admin/webhooks/switch", tag = "admin",
    params(("id" = u64, Query, description = "The endpoint."), ("active" = u8, Query, description = "1 switches it on (and clears its failure count), 0 off.")),
    description = "Switches an endpoint on or off; answers the list saying so. Administrators only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn switch_endpoint(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_admin()?;
    let q = Query::parse(raw.as_deref())?;
    let active = form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "active")
        .map(|(_, v)| v == "1")
        .ok_or_else(|| ApiError::field("active", "1 or 0"))?;
    let row = webhooks::update(
        &state.db,
        &state.config.webhook_allowed_hosts,
        q.id()?,
        &Change {
            url: None,
            topics: None,
            secret: None,
            description: None,
            active: Some(active),
        },
    )
    .await?;
    let action = if active { "enabled" } else { "disabled" };
    let parts = Parts {
        notice: notice("success", action, row.url),
        ..Parts::default()
    };
    answer(&state, &headers, &Query::default(), parts).await
}

#[utoipa::path(post, path = "/v1/render/admin/webhooks/delete", tag = "admin",
    params(("id" = u64, Query, description = "The endpoint.")),
    description = "Deletes an endpoint (its waiting deliveries are not sent); answers the list saying so. Administrators only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn delete_endpoint(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_admin()?;
    let id = Query::parse(raw.as_deref())?.id()?;
    let row = webhooks::get(&state.db, id).await?;
    webhooks::delete(&state.db, id).await?;
    let parts = Parts {
        notice: notice("success", "deleted", row.url),
        ..Parts::default()
    };
    answer(&state, &headers, &Query::default(), parts).await
}

#[utoipa::path(post, path = "/v1/render/admin/webhooks/redeliver", tag = "admin",
    params(("id" = u64, Query, description = "The endpoint."), ("delivery" = u64, Query, description = "The delivery (its row in the log).")),
    description = "Sends a delivery again now, with the same delivery id and body; answers the endpoint's log saying so, or that it is already waiting. Administrators only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn redeliver(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_admin()?;
    let q = Query::parse(raw.as_deref())?;
    let delivery = form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "delivery")
        .and_then(|(_, v)| v.parse::<u64>().ok())
        .ok_or_else(|| ApiError::field("delivery", "a delivery id"))?;
    let notice = match webhooks::redeliver(&state.db, q.id()?, delivery).await {
        Ok(m) => notice("success", "redelivered", m.message_id),
        Err(WebhookError::AlreadyPending) => notice("warning", "already_pending", String::new()),
        Err(e) => return Err(e.into()),
    };
    let log = Query {
        webhook: q.webhook,
        ..Query::default()
    };
    let parts = Parts {
        notice,
        ..Parts::default()
    };
    answer(&state, &headers, &log, parts).await
}
