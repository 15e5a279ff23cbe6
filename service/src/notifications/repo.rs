//! What the e-mails say, read in the transaction that causes them so they describe the change
//! as it was made. Reads only; the rows it writes are the outbox's.
use crate::db::{Db, DbError};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};
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

/// Bookings after `after` (by id) starting within `(from, until]` whose client wants reminders
/// and has no reminder for that start yet: not cancelled or over, client live, unblocked, with
/// an address.
pub async fn due_reminders<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
    after: u64,
    limit: u32,
) -> Result<Vec<(u64, NaiveDateTime)>, DbError> {
    Ok(conn
        .exec(
            db.sql(
                "SELECT b.id, b.start_at FROM {p}volixta_bookings b \
                 JOIN {p}volixta_clients c ON c.id = b.client_id \
                 WHERE b.start_at > ? AND b.start_at <= ? AND b.id > ? \
                 AND b.status IN ('pending', 'confirmed') \
                 AND c.live = 1 AND c.blocked = 0 AND c.notify_reminders = 1 \
                 AND c.email IS NOT NULL AND c.email <> '' \
                 AND NOT EXISTS (SELECT 1 FROM {p}volixta_outbox o WHERE o.dedupe_key = \
                   CONCAT('reminder:', b.id, ':', DATE_FORMAT(b.start_at, '%Y%m%dT%H%i%sZ'))) \
                 ORDER BY b.id LIMIT ?",
            ),
            (from.naive_utc(), until.naive_utc(), after, limit),
        )
        .await?)
}

/// Clients after `after` (by id) whose `column` date (`birthday`, `anniversary`) falls on
/// `today` (a 29 February on the 28th in other years), from an earlier year, who accept
/// greetings, are live, unblocked, have an address, and have no `key_prefix` greeting this year.
pub async fn due_greetings<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    column: &'static str,
    key_prefix: &'static str,
    today: NaiveDate,
    after: u64,
    limit: u32,
) -> Result<Vec<ClientFacts>, DbError> {
    let (month, day, or_day) = super::occasions::celebrated_on(today);
    Ok(conn
        .exec(
            db.sql(&format!(
                "SELECT c.id, TRIM(CONCAT(c.first_name, ' ', c.last_name)) AS name, c.email \
                 FROM {{p}}volixta_clients c \
                 WHERE c.live = 1 AND c.id > ? AND c.blocked = 0 AND c.notify_birthday = 1 \
                 AND c.email IS NOT NULL AND c.email <> '' \
                 AND MONTH(c.{column}) = ? AND DAY(c.{column}) IN (?, ?) AND YEAR(c.{column}) < ? \
                 AND NOT EXISTS (SELECT 1 FROM {{p}}volixta_outbox o WHERE o.dedupe_key = \
                   CONCAT('{key_prefix}:', c.id, ':', ?)) \
                 ORDER BY c.id LIMIT ?"
            )),
            (after, month, day, or_day, today.year(), today.year(), limit),
        )
        .await?)
}
