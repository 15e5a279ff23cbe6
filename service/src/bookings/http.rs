use super::{
    Booking, BookingError, CalendarDay, CancelRequest, CreateRequest, Cursor, Details, ListFilter,
    Party, PaymentInput, PaymentStatus, RescheduleRequest, ServicePricing, StaffPermissions,
    Status, StatusRequest,
};
use crate::{
    auth::Actor,
    clients,
    error::{ApiError, ApiResult, AppJson},
    idempotency::Idempotent,
    state::AppState,
};
use axum::{
    extract::{Path, Query, Request, State},
    http::StatusCode,
    response::Response,
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_booking, list_bookings))
        .routes(routes!(get_booking))
        .routes(routes!(cancel_booking))
        .routes(routes!(reschedule_booking))
        .routes(routes!(change_status))
        .routes(routes!(record_payment))
        .routes(routes!(client_bookings))
        .routes(routes!(client_calendar))
        .routes(routes!(staff_schedule))
        .routes(routes!(get_pricing, put_pricing))
        .routes(routes!(get_staff_permissions, put_staff_permissions))
}

#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// upcoming (default: from now on, soonest first), past (latest first) or all (latest first).
    pub scope: Option<String>,
    /// A date (in `timezone`) or an RFC 3339 instant; inclusive.
    pub from: Option<String>,
    /// A date (in `timezone`, that whole day) or an RFC 3339 instant; exclusive.
    pub to: Option<String>,
    /// Comma-separated: pending, confirmed, cancelled, completed, no_show.
    pub status: Option<String>,
    /// Comma-separated: unpaid, pending, partially_paid, paid, refunded.
    pub payment_status: Option<String>,
    pub client_id: Option<u64>,
    pub staff_id: Option<u64>,
    /// IANA zone the dates are read in and the calendar is grouped by; UTC by default.
    pub timezone: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

fn zone(q: &ListQuery) -> Result<Tz, BookingError> {
    q.timezone
        .as_deref()
        .unwrap_or("UTC")
        .parse()
        .map_err(|_| BookingError::field("timezone", "an IANA time zone like Europe/Paris"))
}

fn bound(raw: &str, zone: Tz, end: bool, field: &str) -> Result<DateTime<Utc>, BookingError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| BookingError::field(field, "a date (2026-01-31) or an RFC 3339 instant"))?;
    let date = if end {
        date.succ_opt().unwrap_or(date)
    } else {
        date
    };
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    Ok(midnight
        .and_local_timezone(zone)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc)))
}

fn parse_list<T: Copy>(
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    field: &str,
) -> Result<Vec<T>, BookingError> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse(s).ok_or_else(|| BookingError::field(field, format!("unknown value {s:?}"))))
        .collect()
}

fn filter(q: &ListQuery, default_limit: u32) -> Result<ListFilter, BookingError> {
    let zone = zone(q)?;
    let mut f = ListFilter {
        client_id: q.client_id,
        staff_id: q.staff_id,
        from: q
            .from
            .as_deref()
            .map(|v| bound(v, zone, false, "from"))
            .transpose()?,
        to: q
            .to
            .as_deref()
            .map(|v| bound(v, zone, true, "to"))
            .transpose()?,
        statuses: parse_list(q.status.as_deref(), Status::parse, "status")?,
        payment_statuses: parse_list(
            q.payment_status.as_deref(),
            PaymentStatus::parse,
            "payment_status",
        )?,
        ascending: false,
        after: None,
        limit: q.limit.unwrap_or(default_limit).clamp(1, 500),
    };
    let now = Utc::now();
    match q.scope.as_deref().unwrap_or("upcoming") {
        "upcoming" => {
            f.ascending = true;
            f.from = Some(f.from.map_or(now, |from| from.max(now)));
        }
        "past" => f.to = Some(f.to.map_or(now, |to| to.min(now))),
        "all" => {}
        _ => return Err(BookingError::field("scope", "upcoming, past or all")),
    }
    if let Some(raw) = &q.cursor {
        let c = Cursor::parse(raw)?;
        f.after = Some((c.start, c.id));
    }
    Ok(f)
}

#[derive(Serialize, ToSchema)]
pub struct BookingPage {
    pub bookings: Vec<Booking>,
    pub next_cursor: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct Calendar {
    pub timezone: String,
    /// Only days with bookings.
    pub days: Vec<CalendarDay>,
}

const IDEMPOTENCY: &str = "a retry with the same key returns the first answer";

#[utoipa::path(post, path = "/v1/bookings", tag = "bookings", request_body = CreateRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 201, body = Booking),
        (status = 409, description = "slot_taken, slot_not_offered, insufficient_balance, client_blocked"),
        (status = 422), (status = 403), (status = 404)))]
async fn create_booking(
    State(state): State<AppState>,
    request: Idempotent<CreateRequest>,
) -> ApiResult<Response> {
    let db = &state.db;
    let placement = &super::prepare(db, request.actor, &request.command).await?;
    let actor = request.actor;
    request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = super::place(&mut tx, db, actor, placement).await;
            (tx, result)
        })
        .await
}

#[utoipa::path(get, path = "/v1/bookings", tag = "bookings", params(ListQuery),
    responses((status = 200, body = BookingPage, description = "managers: all; employees: their own; clients: their own")))]
async fn list_bookings(
    State(state): State<AppState>,
    actor: Actor,
    Query(q): Query<ListQuery>,
) -> ApiResult<AppJson<BookingPage>> {
    let party = super::party(&state.db, actor).await?;
    let (bookings, next_cursor) = super::list(&state.db, party, filter(&q, 50)?).await?;
    Ok(AppJson(BookingPage {
        bookings,
        next_cursor,
    }))
}

#[utoipa::path(get, path = "/v1/bookings/{id}", tag = "bookings",
    responses((status = 200, body = Details), (status = 404)))]
async fn get_booking(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<Details>> {
    Ok(AppJson(super::details(&state.db, actor, id).await?))
}

#[utoipa::path(post, path = "/v1/bookings/{id}/cancel", tag = "bookings", request_body = CancelRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 200, body = Booking), (status = 409, description = "notice_too_short, bad_transition"),
        (status = 403), (status = 404)))]
async fn cancel_booking(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Request,
) -> ApiResult<Response> {
    // The body is optional: an empty one cancels without a reason.
    let request = Idempotent::<CancelRequest>::with_optional_body(request, &state).await?;
    let db = &state.db;
    let cancellation = &super::prepare_cancel(db, request.actor, id, &request.command).await?;
    let actor = request.actor;
    request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = super::cancel(&mut tx, db, actor, cancellation).await;
            (tx, result)
        })
        .await
}

#[utoipa::path(post, path = "/v1/bookings/{id}/reschedule", tag = "bookings", request_body = RescheduleRequest,
    responses((status = 200, body = Booking),
        (status = 409, description = "slot_taken, slot_not_offered, notice_too_short, booking_closed"),
        (status = 403), (status = 404)))]
async fn reschedule_booking(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<RescheduleRequest>,
) -> ApiResult<AppJson<Booking>> {
    Ok(AppJson(
        super::reschedule(&state.db, actor, id, &request).await?,
    ))
}

#[utoipa::path(post, path = "/v1/bookings/{id}/status", tag = "bookings", request_body = StatusRequest,
    responses((status = 200, body = Booking), (status = 409, description = "bad_transition"), (status = 403)))]
async fn change_status(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<StatusRequest>,
) -> ApiResult<AppJson<Booking>> {
    Ok(AppJson(
        super::set_status(&state.db, actor, id, request.status).await?,
    ))
}

#[utoipa::path(post, path = "/v1/bookings/{id}/payments", tag = "bookings", request_body = PaymentInput,
    params(("Idempotency-Key" = Option<String>, Header, description = IDEMPOTENCY)),
    responses((status = 201, body = Booking), (status = 409, description = "insufficient_balance"), (status = 422),
        (status = 403, description = "managers, and employees that may take payments on their own bookings"),
        (status = 404)))]
async fn record_payment(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    request: Idempotent<PaymentInput>,
) -> ApiResult<Response> {
    let db = &state.db;
    let payment = &super::prepare_payment(db, request.actor, id, &request.command).await?;
    let actor = request.actor;
    request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = super::record_payment(&mut tx, db, actor, payment).await;
            (tx, result)
        })
        .await
}

async fn client_party(state: &AppState, actor: Actor, id: u64) -> ApiResult<Party> {
    clients::authorize(&state.db, actor, id).await?;
    Ok(super::party(&state.db, actor).await?)
}

#[utoipa::path(get, path = "/v1/clients/{id}/bookings", tag = "bookings", params(ListQuery),
    responses((status = 200, body = BookingPage), (status = 404)))]
async fn client_bookings(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<AppJson<BookingPage>> {
    let party = client_party(&state, actor, id).await?;
    let mut f = filter(&q, 50)?;
    f.client_id = Some(id);
    let (bookings, next_cursor) = super::list(&state.db, party, f).await?;
    Ok(AppJson(BookingPage {
        bookings,
        next_cursor,
    }))
}

#[utoipa::path(get, path = "/v1/clients/{id}/bookings/calendar", tag = "bookings", params(ListQuery),
    responses((status = 200, body = Calendar), (status = 404)))]
async fn client_calendar(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<AppJson<Calendar>> {
    let party = client_party(&state, actor, id).await?;
    let mut f = filter(&q, 500)?;
    f.client_id = Some(id);
    calendar(&state, party, &q, f).await
}

async fn calendar(
    state: &AppState,
    party: Party,
    q: &ListQuery,
    f: ListFilter,
) -> ApiResult<AppJson<Calendar>> {
    let zone = zone(q)?;
    let (bookings, _) = super::list(&state.db, party, f).await?;
    Ok(AppJson(Calendar {
        timezone: zone.name().to_owned(),
        days: super::calendar(zone, &bookings),
    }))
}

#[utoipa::path(get, path = "/v1/staff/{id}/schedule", tag = "bookings", params(ListQuery),
    responses((status = 200, body = Calendar, description = "a manager for anyone; an employee for itself"),
        (status = 404)))]
async fn staff_schedule(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    Query(q): Query<ListQuery>,
) -> ApiResult<AppJson<Calendar>> {
    let party = super::party(&state.db, actor).await?;
    match party {
        Party::Manager => {}
        Party::Employee { staff_id, .. } if staff_id == id => {}
        Party::Employee { .. } => return Err(ApiError::NotFound),
        Party::Client { .. } => return Err(ApiError::Forbidden),
    }
    let mut f = filter(&q, 500)?;
    f.staff_id = Some(id);
    calendar(&state, party, &q, f).await
}

#[utoipa::path(get, path = "/v1/services/{id}/pricing", tag = "bookings",
    responses((status = 200, body = ServicePricing), (status = 404)))]
async fn get_pricing(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<ServicePricing>> {
    actor.require_manager()?;
    Ok(AppJson(super::pricing(&state.db, id).await?))
}

#[utoipa::path(put, path = "/v1/services/{id}/pricing", tag = "bookings", request_body = ServicePricing,
    responses((status = 200, body = ServicePricing), (status = 404), (status = 422)))]
async fn put_pricing(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<ServicePricing>,
) -> ApiResult<AppJson<ServicePricing>> {
    actor.require_manager()?;
    Ok(AppJson(super::set_pricing(&state.db, id, &request).await?))
}

#[utoipa::path(get, path = "/v1/staff/{id}/booking-permissions", tag = "bookings",
    responses((status = 200, body = StaffPermissions), (status = 404)))]
async fn get_staff_permissions(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
) -> ApiResult<AppJson<StaffPermissions>> {
    actor.require_manager()?;
    Ok(AppJson(super::staff_permissions(&state.db, id).await?))
}

#[utoipa::path(put, path = "/v1/staff/{id}/booking-permissions", tag = "bookings",
    request_body = StaffPermissions,
    responses((status = 200, body = StaffPermissions), (status = 404)))]
async fn put_staff_permissions(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<StaffPermissions>,
) -> ApiResult<AppJson<StaffPermissions>> {
    actor.require_manager()?;
    Ok(AppJson(
        super::set_staff_permissions(&state.db, id, &request).await?,
    ))
}
