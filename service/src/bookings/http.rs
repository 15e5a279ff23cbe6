use super::{
    Booking, CalendarDay, CancelRequest, CreateRequest, Cursor, Details, ListFilter, ListQuery,
    OptionsRequest, Party, PaymentInput, RescheduleRequest, ServicePricing, StaffPermissions,
    StatusRequest,
};
use crate::{
    auth::Actor,
    clients,
    error::{ApiError, ApiResult, AppJson},
    idempotency::Idempotent,
    paging::{DEFAULT_LIMIT, MAX_LIMIT, PageRequest},
    state::AppState,
};
use axum::{
    extract::{Path, Query, Request, State},
    http::StatusCode,
    response::Response,
};
use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_booking, list_bookings))
        .routes(routes!(get_booking))
        .routes(routes!(cancel_booking))
        .routes(routes!(reschedule_booking))
        .routes(routes!(change_options))
        .routes(routes!(change_status))
        .routes(routes!(record_payment))
        .routes(routes!(client_bookings))
        .routes(routes!(client_calendar))
        .routes(routes!(staff_schedule))
        .routes(routes!(get_pricing, put_pricing))
        .routes(routes!(get_staff_permissions, put_staff_permissions))
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
    let (f, page) = q.filter(DEFAULT_LIMIT, Utc::now())?;
    let page = super::list(&state.db, party, f, page).await?;
    Ok(AppJson(BookingPage {
        bookings: page.items,
        next_cursor: page.next_cursor,
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

#[utoipa::path(post, path = "/v1/bookings/{id}/options", tag = "bookings", request_body = OptionsRequest,
    description = "Sets the booking's add-ons (staff only): priced by the rules the booking was placed with, its end moved by their minutes; setting the same options twice changes nothing the second time.",
    responses((status = 200, body = Booking),
        (status = 409, description = "slot_taken, booking_closed, options_fixed, booking_changed, paid_beyond_total"),
        (status = 422), (status = 403), (status = 404)))]
async fn change_options(
    State(state): State<AppState>,
    actor: Actor,
    Path(id): Path<u64>,
    AppJson(request): AppJson<OptionsRequest>,
) -> ApiResult<AppJson<Booking>> {
    Ok(AppJson(
        super::set_options(&state.db, actor, id, &request).await?,
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
    let (mut f, page) = q.filter(DEFAULT_LIMIT, Utc::now())?;
    f.client_id = Some(id);
    let page = super::list(&state.db, party, f, page).await?;
    Ok(AppJson(BookingPage {
        bookings: page.items,
        next_cursor: page.next_cursor,
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
    let (mut f, page) = q.filter(MAX_LIMIT, Utc::now())?;
    f.client_id = Some(id);
    calendar(&state, party, &q, f, page).await
}

async fn calendar(
    state: &AppState,
    party: Party,
    q: &ListQuery,
    f: ListFilter,
    page: PageRequest<Cursor>,
) -> ApiResult<AppJson<Calendar>> {
    let zone = q.zone()?;
    let bookings = super::list(&state.db, party, f, page).await?.items;
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
    let (mut f, page) = q.filter(MAX_LIMIT, Utc::now())?;
    f.staff_id = Some(id);
    calendar(&state, party, &q, f, page).await
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
