use super::PickerQuery;
use crate::{
    admin::http::locale,
    auth::Actor,
    bookings::{self, Party},
    error::{ApiError, ApiResult},
    state::AppState,
};
use axum::{
    extract::{RawQuery, State},
    http::HeaderMap,
    response::Html,
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(slot_picker))
}

#[utoipa::path(get, path = "/v1/render/admin/slot-picker", tag = "admin",
    description = "The slot picker of the wp-admin screens as an HTML fragment: a month of days with free slots (the others disabled), the free times of the chosen day, a time-zone choice, times on the locale's clock. Takes `service_id`, `location_id` (required), `staff_id` (or `any`), `people`, `addons` (`ID:QTY,…`), `timezone`, `month` (`YYYY-MM`), `date`, `slot` (checked), `near` (offer the free slots nearest to this instant) and `reschedule_booking_id`; other keys are ignored. Inside a form it contributes the fields `slot` (`START_STAFF_ID`), `timezone`, `date` and `month`. Managers; an employee only for the staff member linked to it (`staff_id` its own, else 404).",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn slot_picker(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_staff()?;
    let q = PickerQuery::parse(raw.as_deref())?;
    // Employees reschedule their own bookings with it: only on their own staff member's time,
    // and only when one is linked to them (else 403, as the bookings domain answers).
    if let Party::Employee { staff_id, .. } = bookings::party(&state.db, actor).await?
        && q.staff_id != Some(staff_id)
    {
        return Err(ApiError::NotFound);
    }
    let locale = locale(&headers);
    let picker = super::view(&state.db, actor, &locale, &q).await?;
    Ok(Html(state.templates.render_in(
        "admin/_slot_picker.html",
        &locale,
        &serde_json::json!({ "picker": picker }),
    )?))
}
