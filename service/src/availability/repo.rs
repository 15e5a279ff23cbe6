use super::BusyInterval;
use crate::db::{Db, DbError, Tx, to_utc};
use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::prelude::Queryable;

/// The bookings holding time (pending, confirmed) of these staff members that start in
/// `[from, to)`. Reads through the (staff_id, start_at) index, so its cost follows the bookings
/// in the window, not the table's history.
pub async fn busy_intervals<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    staff_ids: &[u64],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<BusyInterval>, DbError> {
    if staff_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; staff_ids.len()].join(",");
    let mut params: Vec<mysql_async::Value> = staff_ids.iter().map(|id| (*id).into()).collect();
    params.push(from.naive_utc().into());
    params.push(to.naive_utc().into());
    type Row = (
        u64,
        u64,
        u64,
        u64,
        NaiveDateTime,
        NaiveDateTime,
        u32,
        u32,
        u32,
    );
    let rows: Vec<Row> = conn
        .exec(
            db.sql(&format!(
                "SELECT id, staff_id, service_id, location_id, start_at, end_at, \
                 buffer_before_minutes, buffer_after_minutes, people \
                 FROM {{p}}volixta_bookings FORCE INDEX (idx_bookings_staff_start) \
                 WHERE staff_id IN ({marks}) AND start_at >= ? AND start_at < ? \
                 AND status IN ('pending', 'confirmed')"
            )),
            params,
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, staff_id, service_id, location_id, start, end, before, after, people)| {
                BusyInterval {
                    booking_id: Some(id),
                    staff_id,
                    service_id,
                    location_id,
                    start: to_utc(start),
                    end: to_utc(end),
                    buffer_before_minutes: before,
                    buffer_after_minutes: after,
                    people,
                }
            },
        )
        .collect())
}

/// Takes the staff member's booking guard: every booking write for one staff member goes through
/// it, so two transactions cannot both see a slot free and both take it. The staff row's lock
/// decides on one server; the guard row is also *written*, because on a multi-primary cluster
/// only written rows conflict across nodes (the later commit fails certification and is run again
/// by `Db::transaction`, then sees the slot taken).
pub async fn lock_staff(tx: &mut Tx, db: &Db, staff_id: u64) -> Result<bool, DbError> {
    let found: Option<u64> = tx
        .exec_first(
            db.sql("SELECT id FROM {p}volixta_staff WHERE id = ? FOR UPDATE"),
            (staff_id,),
        )
        .await?;
    if found.is_none() {
        return Ok(false);
    }
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_staff_booking_guard (staff_id, version) VALUES (?, 1) \
             ON DUPLICATE KEY UPDATE version = version + 1",
        ),
        (staff_id,),
    )
    .await?;
    Ok(true)
}
