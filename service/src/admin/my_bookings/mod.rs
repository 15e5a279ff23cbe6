//! wp-admin → My bookings: an employee's own dashboard. The calendar of the bookings of the staff
//! member its WordPress user is linked to, as an agenda of the days that have some, and the same
//! booking details panel managers use, whose actions the bookings domain decides from the staff
//! member's permissions. The bookings domain narrows every read to the employee's own bookings,
//! so another staff member's booking is absent (404), not hidden by this screen.
//!
//! The page polls: it sends the version of what it shows (`since`), and the service answers 204
//! while that is still what it would show, or the page anew once a manager changed something.
pub mod http;

use super::bookings::{CalendarScreen, MY_BOOKINGS_PAGE, calendar_screen, calendar_version};
use crate::{
    admin::bookings::CalendarState, bookings::Party, db::Db, error::ApiResult, i18n::Locale,
};
use serde::Serialize;

/// What `my_bookings.html` shows.
#[derive(Debug, Serialize)]
pub struct MyBookingsScreen {
    /// The staff member's calendar; `None` for an employee no staff member is linked to.
    pub calendar: Option<CalendarScreen>,
}

/// The dashboard's calendar state: the query's view and date on the employee's own page.
pub fn state(raw: Option<&str>) -> ApiResult<CalendarState> {
    let mut state = CalendarState::parse(raw)?;
    state.page = MY_BOOKINGS_PAGE.to_owned();
    Ok(state)
}

pub async fn screen(
    db: &Db,
    locale: &Locale,
    party: Option<Party>,
    state: &CalendarState,
) -> ApiResult<MyBookingsScreen> {
    let calendar = match party {
        Some(party) => Some(calendar_screen(db, locale, party, state).await?),
        None => None,
    };
    Ok(MyBookingsScreen { calendar })
}

/// Whether the page showing version `since` is still current.
pub async fn unchanged(
    db: &Db,
    locale: &Locale,
    party: Party,
    state: &CalendarState,
    since: &str,
) -> ApiResult<bool> {
    Ok(calendar_version(db, locale, party, state).await? == since)
}
