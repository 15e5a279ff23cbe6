//! Reading bookings: one with its four tabs, the actions open to the caller, lists.
use super::{
    BookingError, Party,
    domain::{Actions, Booking, Cursor, Details},
    policy::{actions, load_visible, party},
    repo,
};
use crate::{
    auth::Actor,
    clients::{self, ClientError},
    db::Db,
    settings,
};
use chrono::Utc;

pub async fn details(db: &Db, actor: Actor, id: u64) -> Result<Details, BookingError> {
    let party = party(db, actor).await?;
    let booking = load_visible(db, party, id).await?;
    let mut conn = db.pool.get_conn().await?;
    let lines = repo::lines(&mut conn, db, id).await?;
    let payments = repo::payments(&mut conn, db, id).await?;
    let history = repo::history(&mut conn, db, id).await?;
    drop(conn);
    let client = clients::find(db, booking.client_id)
        .await?
        .ok_or(ClientError::NotFound)?;
    let settings = settings::load(db).await?;
    let actions = actions(db, party, &booking, &settings, Utc::now()).await?;
    Ok(Details::build(
        &booking, lines, payments, history, &client, actions,
    ))
}

/// The fourth tab alone, for lists that offer actions without the rest of the details.
pub async fn allowed_actions(db: &Db, actor: Actor, id: u64) -> Result<Actions, BookingError> {
    let party = party(db, actor).await?;
    let booking = load_visible(db, party, id).await?;
    let settings = settings::load(db).await?;
    actions(db, party, &booking, &settings, Utc::now()).await
}

pub async fn list(
    db: &Db,
    party: Party,
    mut filter: repo::ListFilter,
) -> Result<(Vec<Booking>, Option<String>), BookingError> {
    match party {
        Party::Manager => {}
        Party::Employee { staff_id, .. } => {
            if filter.staff_id.is_some_and(|s| s != staff_id) {
                return Err(BookingError::NotFound);
            }
            filter.staff_id = Some(staff_id);
        }
        Party::Client { client_id } => {
            if filter.client_id.is_some_and(|c| c != client_id) {
                return Err(BookingError::NotFound);
            }
            filter.client_id = Some(client_id);
        }
    }
    let mut conn = db.pool.get_conn().await?;
    let limit = filter.limit;
    filter.limit += 1;
    let mut rows = repo::list(&mut conn, db, &filter).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = more
        .then(|| rows.last().map(|b| Cursor::of(b).encode()))
        .flatten();
    Ok((rows.iter().map(Booking::from).collect(), next))
}
