use crate::{
    admin::{
        bookings::{PanelForms, Route, panel_screen},
        http::{locale, page},
    },
    auth::{Actor, AuthError, Role},
    bookings::{self, BookingError},
    error::ApiResult,
    state::AppState,
};
use axum::{
    extract::{RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(my_bookings_screen))
}

/// The `since` of a polling page: the version it shows.
fn since(raw: Option<&str>) -> Option<String> {
    form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "since")
        .map(|(_, v)| v.into_owned())
        .filter(|v| !v.is_empty())
}

#[utoipa::path(get, path = "/v1/render/admin/my-bookings", tag = "admin",
    description = "An employee's dashboard in wp-admin as an HTML fragment: the bookings of the staff member linked to its WordPress user (cancelled ones left off), as an agenda of the days that have some, by `view` (day, week, month) around `date` (`YYYY-MM-DD`, today by default) in the first location's zone. With `booking=<id>` it is that booking's details panel (`tab`: details, customer, payment, actions) with the actions the staff member's permissions allow; another staff member's booking is 404. With `since=<version>` (the version the page shows) it answers 204 while nothing it shows changed. Employees only (403 for anyone else).",
    responses((status = 200, content_type = "text/html", body = String), (status = 204), (status = 403), (status = 404), (status = 422)))]
async fn my_bookings_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    // Managers have their own screens, which show every booking.
    if actor.role != Role::Employee {
        return Err(AuthError::Forbidden.into());
    }
    let db = &state.db;
    let locale = locale(&headers);
    let party = match bookings::party(db, actor).await {
        Ok(party) => Some(party),
        // An employee no active staff member is linked to: the page says so.
        Err(BookingError::Forbidden) => None,
        Err(e) => return Err(e.into()),
    };
    if let (Some(_), Route::Panel(panel)) = (party, Route::parse(raw.as_deref())?) {
        let screen = panel_screen(db, actor, &locale, &panel, None, PanelForms::default()).await?;
        return Ok(page(&state, &headers, "admin/booking.html", &screen)?.into_response());
    }
    let calendar = super::state(raw.as_deref())?;
    if let (Some(party), Some(since)) = (party, since(raw.as_deref()))
        && super::unchanged(db, &locale, party, &calendar, &since).await?
    {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let screen = super::screen(db, &locale, party, &calendar).await?;
    Ok(page(&state, &headers, "admin/my_bookings.html", &screen)?.into_response())
}
