//! Reading bookings: one with its four tabs, the actions open to the caller, lists.
use super::{
    BookingError, Party,
    domain::{Actions, Booking, Cursor, Details, ListFilter, PackagePaid},
    policy::{actions, load_visible, party},
    repo,
};
use crate::{
    auth::Actor,
    clients::{self, ClientError},
    db::Db,
    packages,
    paging::{Page, PageRequest},
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
    let mut details = Details::build(&booking, lines, payments, history, &client, actions);
    details.payment.package =
        packages::used_by_booking(db, id)
            .await?
            .map(|(taken, given_back)| PackagePaid {
                description: taken.description(),
                client_package_id: taken.client_package_id,
                name: taken.name,
                session_number: taken.number,
                sessions_total: taken.total,
                given_back,
            });
    Ok(details)
}

/// The fourth tab alone, for lists that offer actions without the rest of the details.
pub async fn allowed_actions(db: &Db, actor: Actor, id: u64) -> Result<Actions, BookingError> {
    let party = party(db, actor).await?;
    let booking = load_visible(db, party, id).await?;
    let settings = settings::load(db).await?;
    actions(db, party, &booking, &settings, Utc::now()).await
}

/// How many bookings a client has (cancelled ones too), as a profile's summary shows it.
pub async fn count_for_client(db: &Db, client_id: u64) -> Result<u64, BookingError> {
    let mut conn = db.pool.get_conn().await?;
    Ok(repo::count_for_client(&mut conn, db, client_id).await?)
}

/// One page of the bookings `party` sees that match `filter`; the next page's cursor is the
/// encoded `Cursor` of the last one.
pub async fn list(
    db: &Db,
    party: Party,
    mut filter: ListFilter,
    page: PageRequest<Cursor>,
) -> Result<Page<Booking, String>, BookingError> {
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
    let rows = repo::list(&mut conn, db, &filter, &page).await?;
    Ok(Page::from_rows(rows, page.limit, |b| Cursor::of(b).encode()).map(|b| Booking::from(&b)))
}
