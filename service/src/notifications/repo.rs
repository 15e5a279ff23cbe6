//! What the e-mails say, read in the transaction that causes them so they describe the change
//! as it was made. Reads only; the rows it writes are the outbox's.
use crate::db::{Db, DbError};
use chrono::NaiveDateTime;
use mysql_async::prelude::{FromRow, Queryable};

#[derive(Clone, Debug, FromRow)]
pub struct BookingFacts {
    pub id: u64,
    pub client_id: u64,
    pub status: String,
    pub start_at: NaiveDateTime,
    pub end_at: NaiveDateTime,
    pub people: u32,
    pub service: String,
    pub staff: String,
    pub staff_email: Option<String>,
    pub location: String,
    pub address: String,
    pub timezone: String,
    pub client_name: String,
    pub client_email: Option<String>,
}

pub async fn booking<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<BookingFacts>, DbError> {
    Ok(conn
        .exec_first(
            db.sql(
                "SELECT b.id, b.client_id, CAST(b.status AS CHAR) AS status, b.start_at, b.end_at, \
                 b.people, s.name AS service, \
                 TRIM(CONCAT(st.first_name, ' ', st.last_name)) AS staff, st.email AS staff_email, \
                 l.name AS location, l.address, l.timezone, \
                 TRIM(CONCAT(c.first_name, ' ', c.last_name)) AS client_name, \
                 c.email AS client_email \
                 FROM {p}volixta_bookings b \
                 JOIN {p}volixta_services s ON s.id = b.service_id \
                 JOIN {p}volixta_staff st ON st.id = b.staff_id \
                 JOIN {p}volixta_locations l ON l.id = b.location_id \
                 JOIN {p}volixta_clients c ON c.id = b.client_id \
                 WHERE b.id = ?",
            ),
            (id,),
        )
        .await?)
}

/// How many times the booking was moved or cancelled so far: the calendar entry's SEQUENCE.
pub async fn sequence<Q: Queryable>(conn: &mut Q, db: &Db, id: u64) -> Result<u32, DbError> {
    let n: Option<u32> = conn
        .exec_first(
            db.sql(
                "SELECT COUNT(*) FROM {p}volixta_booking_history \
                 WHERE booking_id = ? AND action IN ('rescheduled', 'cancelled')",
            ),
            (id,),
        )
        .await?;
    Ok(n.unwrap_or(0))
}

#[derive(Clone, Debug, FromRow)]
pub struct ClientFacts {
    pub id: u64,
    pub name: String,
    pub email: Option<String>,
}

pub async fn client<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    id: u64,
) -> Result<Option<ClientFacts>, DbError> {
    Ok(conn
        .exec_first(
            db.sql(
                "SELECT id, TRIM(CONCAT(first_name, ' ', last_name)) AS name, email \
                 FROM {p}volixta_clients WHERE id = ?",
            ),
            (id,),
        )
        .await?)
}
