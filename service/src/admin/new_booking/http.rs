use super::{Done, FlowState, Notice, Refusal, Step};
use crate::{
    admin::{
        display::Formats,
        http::locale,
        picker::{DateLabel, TimeLabel},
    },
    auth::Actor,
    bookings, clients,
    error::{ApiError, ApiResult},
    idempotency::Idempotent,
    state::AppState,
};
use axum::{
    body::to_bytes,
    extract::{RawQuery, Request, State},
    http::{HeaderMap, StatusCode},
    response::Html,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(new_booking_screen))
        .routes(routes!(confirm))
}

const TEMPLATE: &str = "admin/new_booking.html";

#[utoipa::path(get, path = "/v1/render/admin/new-booking", tag = "admin",
    description = "The New booking flow of wp-admin as an HTML fragment. The query holds every choice so far: `client`, `category_id`, `service_id`, `people`, `location_id`, `staff_id` (or `any`), `addons` (`ID:QTY,…`, or the add-ons step's `addon_<id>` fields), the slot picker's `timezone`, `month`, `date` and `slot`, the payment's `method` (cash, bank_transfer, card), `pay_status` (unpaid, paid, pending), `choice` (full, deposit) and `use_wallet`, and `step` (client, service, addons, when, payment, review). An earlier step that is still open is shown instead of the one asked for; a choice no longer offered is forgotten with those after it.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn new_booking_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let locale = locale(&headers);
    let flow = FlowState::parse(raw.as_deref());
    let screen = super::screen(&state.db, actor, &locale, flow, Refusal::default()).await?;
    Ok(Html(state.templates.render_in(TEMPLATE, &locale, &screen)?))
}

/// The confirm form sends no field of its own: the choices are its query string.
#[derive(Debug, Default, Deserialize)]
struct ConfirmForm {}

#[utoipa::path(post, path = "/v1/render/admin/new-booking/confirm", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "empty, or `{}`: the query string holds the choices, as for the screen"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the review step rendered with its form: a resent confirm books nothing more and answers the same booking")),
    description = "Books what the New booking flow's query describes, through the bookings domain (as `POST /v1/bookings`). Answers the flow's last page with the booking and links to it, or the step the refusal concerns: the time picker with the nearest free times when the slot was taken, the payment step with the reason beside the field (not enough credits), a notice otherwise.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn confirm(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<ConfirmForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let actor = request.actor;
    let locale = locale(&headers);
    let db = &state.db;
    let flow = FlowState::parse(raw.as_deref());
    let mut refusal = Refusal::default();
    let (Some(client_id), Some(slot)) = (flow.client, flow.slot) else {
        refusal.notice = Some(Notice {
            kind: "warning",
            what: "pick_slot",
            detail: String::new(),
        });
        let screen = super::screen(db, actor, &locale, flow, refusal).await?;
        return Ok(Html(state.templates.render_in(TEMPLATE, &locale, &screen)?));
    };
    let mut errors = BTreeMap::new();
    let create = super::request(&flow, client_id, slot, &mut errors);
    if !errors.is_empty() {
        refusal.errors = errors;
        refusal.step = Some(Step::Payment);
        let screen = super::screen(db, actor, &locale, flow, refusal).await?;
        return Ok(Html(state.templates.render_in(TEMPLATE, &locale, &screen)?));
    }
    let outcome = match bookings::prepare(db, actor, &create).await {
        Ok(placement) => {
            let placement = &placement;
            request
                .run(db, StatusCode::CREATED, |mut tx| async move {
                    let result = bookings::place(&mut tx, db, actor, placement).await;
                    (tx, result)
                })
                .await
        }
        Err(e) => Err(e.into()),
    };
    let response = match outcome {
        Ok(response) => response,
        Err(e @ (ApiError::Invalid { .. } | ApiError::Conflict { .. })) => {
            let mut flow = flow;
            let code = super::refused_into(e, &mut refusal.errors, &mut refusal.notice);
            refusal.step = Some(match code {
                Some("package_unusable") => Step::Payment,
                Some("slot_taken" | "slot_not_offered") => {
                    flow.near = Some(slot.start);
                    flow.slot = None;
                    Step::When
                }
                _ if refusal.errors.keys().any(|k| {
                    matches!(
                        k.as_str(),
                        "use_wallet" | "method" | "pay_status" | "choice" | "package"
                    )
                }) =>
                {
                    Step::Payment
                }
                _ if !refusal.errors.is_empty() => Step::Service,
                _ => Step::Review,
            });
            let screen = super::screen(db, actor, &locale, flow, refusal).await?;
            return Ok(Html(state.templates.render_in(TEMPLATE, &locale, &screen)?));
        }
        Err(e) => return Err(e),
    };
    // The answer is the booking as JSON: fresh, or the first answer replayed for a resent key.
    let bytes = to_bytes(response.into_body(), 1 << 20)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let id = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|b| b["id"].as_u64())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("the booking's answer has no id")))?;
    let details = bookings::details(db, actor, id).await?;
    let screen = done_screen(&state, actor, &locale, &flow, &details).await?;
    Ok(Html(state.templates.render_in(TEMPLATE, &locale, &screen)?))
}

async fn done_screen(
    state: &AppState,
    actor: Actor,
    locale: &crate::i18n::Locale,
    flow: &FlowState,
    details: &bookings::Details,
) -> ApiResult<super::Screen> {
    let db = &state.db;
    let fmt = Formats::load(db, locale).await?;
    let b = &details.booking;
    let mut screen = super::screen(
        db,
        actor,
        locale,
        FlowState {
            page: flow.page.clone(),
            client: Some(b.client_id),
            ..FlowState::default()
        },
        Refusal::default(),
    )
    .await?;
    let zone = flow
        .timezone
        .as_deref()
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
        .unwrap_or_else(|| {
            details
                .details
                .location
                .timezone
                .parse()
                .unwrap_or(chrono_tz::UTC)
        });
    let client = clients::get(db, b.client_id).await?;
    screen.client = Some(super::ClientCard::new(&client, &fmt));
    screen.done = Some(Done {
        id: b.id,
        details_href: format!("page=volixta-bookings&booking={}", b.id),
        client_href: format!("page=volixta-clients&client={}&tab=bookings", b.client_id),
        again_href: format!("page={}&client={}", flow.page, b.client_id),
        service: details.details.service.name.clone(),
        date: DateLabel::of(b.start.with_timezone(&zone).date_naive()),
        time: TimeLabel::of(b.start, zone, fmt.twelve),
        timezone: zone.name().to_owned(),
        total: fmt.money_in(b.total, &b.currency),
        paid: fmt.money_in(b.amount_paid, &b.currency),
        due: fmt.money_in(b.balance_due, &b.currency),
        payment_status: b.payment_status.as_str().to_owned(),
        status: b.status.as_str().to_owned(),
    });
    Ok(screen)
}
