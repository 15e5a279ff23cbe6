use super::{
    DaySlots, DaysQuery,
    domain::{BookingFlow, FlowChoices},
};
use crate::{
    auth::Actor,
    bookings,
    error::{ApiError, ApiResult, AppJson},
    state::AppState,
};
use axum::extract::{Query, State, rejection::QueryRejection};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_availability))
        .routes(routes!(get_calendar))
        .routes(routes!(get_booking_flow))
}

fn query<T>(q: Result<Query<T>, QueryRejection>) -> ApiResult<T> {
    q.map(|Query(v)| v).map_err(|e| ApiError::Invalid {
        code: "invalid_query",
        message: e.body_text(),
        fields: Default::default(),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct AvailabilityParams {
    pub service_id: u64,
    pub location_id: u64,
    /// First date, in `timezone`.
    pub from: NaiveDate,
    /// Last date (inclusive), in `timezone`; at most 62 days after `from`.
    pub to: NaiveDate,
    /// IANA zone the dates are read and grouped in; the location's zone when absent.
    pub timezone: Option<String>,
    pub staff_id: Option<u64>,
    /// People coming (group sessions); 1 when absent.
    pub people: Option<u32>,
    /// Chosen add-ons as `ID:QUANTITY` pairs, e.g. `3:2,5:1`.
    pub addons: Option<String>,
    /// When rescheduling: this booking's own time does not block the slots offered. Whoever
    /// sees the booking may ask (managers, its employee, its client).
    pub reschedule_booking_id: Option<u64>,
}

#[derive(Serialize, ToSchema)]
pub struct AvailabilityResponse {
    pub timezone: String,
    pub days: Vec<DaySlots>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CalendarParams {
    pub service_id: u64,
    pub location_id: u64,
    /// `YYYY-MM`, in `timezone`.
    pub month: String,
    pub timezone: Option<String>,
    pub staff_id: Option<u64>,
    pub people: Option<u32>,
    pub addons: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// Distinct start times offered that day (any staff).
    pub slots: usize,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarResponse {
    pub timezone: String,
    pub month: String,
    /// Only the dates with at least one slot.
    pub days: Vec<CalendarDay>,
}

#[utoipa::path(get, path = "/v1/availability", tag = "availability", params(AvailabilityParams),
    responses((status = 200, body = AvailabilityResponse), (status = 404), (status = 422)))]
async fn get_availability(
    State(state): State<AppState>,
    actor: Actor,
    q: Result<Query<AvailabilityParams>, QueryRejection>,
) -> ApiResult<AppJson<AvailabilityResponse>> {
    let q = query(q)?;
    if let Some(booking_id) = q.reschedule_booking_id {
        bookings::may_look_past(&state.db, actor, booking_id).await?;
    }
    let zone = super::zone_for(&state.db, q.timezone.as_deref(), q.location_id).await?;
    let days = super::slots_by_day(
        &state.db,
        actor,
        zone,
        (q.from, q.to),
        &DaysQuery {
            moving_booking_id: q.reschedule_booking_id,
            service_id: q.service_id,
            location_id: q.location_id,
            staff_id: q.staff_id,
            people: q.people,
            addons: q.addons.as_deref(),
        },
    )
    .await?;
    Ok(AppJson(AvailabilityResponse {
        timezone: zone.name().to_owned(),
        days,
    }))
}

#[utoipa::path(get, path = "/v1/availability/calendar", tag = "availability", params(CalendarParams),
    responses((status = 200, body = CalendarResponse), (status = 404), (status = 422)))]
async fn get_calendar(
    State(state): State<AppState>,
    actor: Actor,
    q: Result<Query<CalendarParams>, QueryRejection>,
) -> ApiResult<AppJson<CalendarResponse>> {
    let q = query(q)?;
    let (first, last) = super::month_bounds(&q.month)?;
    let zone = super::zone_for(&state.db, q.timezone.as_deref(), q.location_id).await?;
    let days = super::slots_by_day(
        &state.db,
        actor,
        zone,
        (first, last),
        &DaysQuery {
            moving_booking_id: None,
            service_id: q.service_id,
            location_id: q.location_id,
            staff_id: q.staff_id,
            people: q.people,
            addons: q.addons.as_deref(),
        },
    )
    .await?;
    Ok(AppJson(CalendarResponse {
        timezone: zone.name().to_owned(),
        month: first.format("%Y-%m").to_string(),
        days: days
            .into_iter()
            .map(|d| {
                let mut starts: Vec<_> = d.slots.iter().map(|s| s.start).collect();
                starts.dedup();
                CalendarDay {
                    date: d.date,
                    slots: starts.len(),
                }
            })
            .collect(),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FlowParams {
    pub category_id: Option<u64>,
    pub service_id: Option<u64>,
    pub people: Option<u32>,
    pub location_id: Option<u64>,
    pub staff_id: Option<u64>,
    /// `ID:QUANTITY` pairs; present (even empty) once the add-ons step was answered.
    pub addons: Option<String>,
}

#[utoipa::path(get, path = "/v1/booking-flow", tag = "availability", params(FlowParams),
    responses((status = 200, body = BookingFlow), (status = 422)))]
async fn get_booking_flow(
    State(state): State<AppState>,
    _actor: Actor,
    q: Result<Query<FlowParams>, QueryRejection>,
) -> ApiResult<AppJson<BookingFlow>> {
    let q = query(q)?;
    let choices = FlowChoices {
        category_id: q.category_id,
        service_id: q.service_id,
        people: q.people,
        location_id: q.location_id,
        staff_id: q.staff_id,
        addons: q
            .addons
            .as_deref()
            .map(|a| super::parse_addons(Some(a)))
            .transpose()?,
    };
    Ok(AppJson(super::booking_flow(&state.db, &choices).await?))
}
