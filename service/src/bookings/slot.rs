//! Taking a staff member's time: lock its row, then decide against the bookings around.
use super::BookingError;
use crate::{
    availability::{self, BusyInterval},
    db::{Db, Tx},
};
use chrono::Duration;

fn minutes(d: Duration) -> u32 {
    u32::try_from(d.num_minutes()).unwrap_or(0)
}

/// The window of booking starts that can collide with `candidate`.
async fn neighbours(
    tx: &mut Tx,
    db: &Db,
    c: &BusyInterval,
) -> Result<Vec<BusyInterval>, BookingError> {
    let (lo, hi) = availability::booking_window(
        c.start,
        c.start + Duration::seconds(1),
        minutes(c.end - c.start),
        c.buffer_before_minutes,
        c.buffer_after_minutes,
    );
    Ok(availability::busy_intervals(tx, db, &[c.staff_id], lo, hi).await?)
}

/// Locks the staff member's row, then checks the candidate against the bookings holding that
/// staff member's time. Nothing before this in the transaction may be a plain (snapshot) read
/// (the idempotency claim before it is a write): the snapshot must be taken after the lock is
/// granted, so it sees every booking committed by whoever held the lock before.
pub(super) async fn claim_slot(
    tx: &mut Tx,
    db: &Db,
    candidate: &BusyInterval,
    capacity: u32,
    offered: bool,
) -> Result<(), BookingError> {
    if !availability::lock_staff(tx, db, candidate.staff_id).await? {
        return Err(BookingError::field("staff_id", "no such staff member"));
    }
    let busy = neighbours(tx, db, candidate).await?;
    if !availability::slot_is_free(candidate, capacity, &busy) {
        return Err(BookingError::SlotTaken);
    }
    if !offered {
        return Err(BookingError::SlotNotOffered);
    }
    Ok(())
}
