//! The client portal of `[volixta_customer_profile]`: gathers what the client may see from the
//! domains that own it and hands the view to the shared `render` module. It owns no table and
//! no error of its own.
mod domain;
pub mod http;

use crate::{
    auth::Actor,
    bookings::{self, Booking, ListFilter, Party, Status},
    catalog, clients,
    db::Db,
    error::ApiResult,
    paging::PageRequest,
    settings,
    state::AppState,
    wallet,
};
use chrono::Utc;
use chrono_tz::Tz;
use std::collections::HashMap;

const HISTORY_ROWS: u16 = 10;
const UPCOMING_BOOKINGS: u16 = 5;

pub async fn customer_profile(state: &AppState, actor: Actor) -> ApiResult<String> {
    let client_id = clients::own_client_id(&state.db, actor).await?;
    let client = clients::get(&state.db, client_id).await?;
    let currency = settings::load(&state.db).await?.currency;
    let history = wallet::history(
        &state.db,
        client_id,
        PageRequest::new(None, Some(HISTORY_ROWS)),
    )
    .await?
    .items;
    let upcoming = upcoming_bookings(&state.db, client_id).await?;
    let cancellable = cancellable(&state.db, actor, &upcoming).await?;
    let zones = location_zones(&state.db).await?;
    let view = domain::profile_view(
        &client,
        &history,
        &upcoming,
        &cancellable,
        &zones,
        &currency,
    );
    Ok(state.templates.render("customer_profile.html", &view)?)
}

/// The client's next bookings that still hold their slot, soonest first.
async fn upcoming_bookings(db: &Db, client_id: u64) -> ApiResult<Vec<Booking>> {
    let filter = ListFilter {
        client_id: Some(client_id),
        from: Some(Utc::now()),
        statuses: vec![Status::Pending, Status::Confirmed],
        ascending: true,
        ..ListFilter::default()
    };
    let page = PageRequest::new(None, Some(UPCOMING_BOOKINGS));
    Ok(
        bookings::list(db, Party::Client { client_id }, filter, page)
            .await?
            .items,
    )
}

/// The ids among `upcoming` this client may cancel now (permission level, change notice).
async fn cancellable(db: &Db, actor: Actor, upcoming: &[Booking]) -> ApiResult<Vec<u64>> {
    let mut ids = Vec::new();
    for booking in upcoming {
        if bookings::allowed_actions(db, actor, booking.id)
            .await?
            .cancel
            .allowed
        {
            ids.push(booking.id);
        }
    }
    Ok(ids)
}

/// Bookings are shown on the wall clock of their location, as the business and its e-mails do.
async fn location_zones(db: &Db) -> ApiResult<HashMap<u64, Tz>> {
    Ok(catalog::locations(db)
        .await?
        .into_iter()
        .filter_map(|l| l.timezone.parse().ok().map(|tz| (l.id, tz)))
        .collect())
}
