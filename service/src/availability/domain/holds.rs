//! What one booking holds of its staff member, and the rule that says whether another fits.
use crate::catalog::MAX_HOLD_MINUTES;
use chrono::{DateTime, Duration, Utc};

/// The time one booking holds a staff member: what the engine and the booking transaction
/// compare. A booking being placed is described the same way (with `booking_id` `None`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusyInterval {
    /// `None` for a booking being placed; for a reschedule, the id of the booking being moved
    /// (its own current interval is then not in its way).
    pub booking_id: Option<u64>,
    pub staff_id: u64,
    pub service_id: u64,
    pub location_id: u64,
    pub start: DateTime<Utc>,
    /// start + service duration + add-on durations.
    pub end: DateTime<Utc>,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    /// Seats taken: the number of people of the booking (1 unless a group session).
    pub people: u32,
}

impl BusyInterval {
    /// From here the staff member is busy: the start less the buffer before.
    pub fn held_from(&self) -> DateTime<Utc> {
        self.start - Duration::minutes(i64::from(self.buffer_before_minutes))
    }

    /// Until here the staff member is busy: the end plus the buffer after.
    pub fn held_until(&self) -> DateTime<Utc> {
        self.end + Duration::minutes(i64::from(self.buffer_after_minutes))
    }
}

pub(super) const MICROS_PER_MINUTE: i64 = 60_000_000;

/// A `BusyInterval` in microseconds since the epoch: what the rule compares, cheap to copy.
#[derive(Clone, Copy, Debug)]
pub(super) struct Hold {
    pub(super) booking_id: Option<u64>,
    pub(super) staff_id: u64,
    pub(super) service_id: u64,
    pub(super) location_id: u64,
    pub(super) start: i64,
    pub(super) end: i64,
    pub(super) held_from: i64,
    pub(super) held_until: i64,
    pub(super) people: u32,
}

impl Hold {
    pub(super) fn of(b: &BusyInterval) -> Self {
        let start = b.start.timestamp_micros();
        let end = b.end.timestamp_micros();
        Self {
            booking_id: b.booking_id,
            staff_id: b.staff_id,
            service_id: b.service_id,
            location_id: b.location_id,
            start,
            end,
            held_from: start - i64::from(b.buffer_before_minutes) * MICROS_PER_MINUTE,
            held_until: end + i64::from(b.buffer_after_minutes) * MICROS_PER_MINUTE,
            people: b.people,
        }
    }

    fn is_same_session(&self, other: &Self) -> bool {
        self.service_id == other.service_id
            && self.location_id == other.location_id
            && self.start == other.start
            && self.end == other.end
    }
}

/// **The overlap rule** (DOMAIN.md: buffers add up between neighbours). Whether `candidate` may be
/// placed given the `existing` bookings, for a service of `capacity` seats.
///
/// Exact semantics:
/// - Only entries of `existing` with the candidate's `staff_id` count, and an entry whose
///   `booking_id` equals the candidate's `Some(booking_id)` (the booking being rescheduled) is
///   skipped. The caller passes the bookings that hold time (status pending or confirmed).
/// - Booking B may follow booking A when `A.end + A.buffer_after + B.buffer_before ≤ B.start`,
///   and symmetrically. Two bookings for which neither may follow the other *collide*. This is
///   the same as: the half-open intervals `[start − buffer_before, end + buffer_after)` overlap.
///   Touching is allowed (`≤`): a 10:00–11:00 booking without buffers and one at 11:00 coexist.
/// - A group session: an existing booking of the same service, location, start and end as the
///   candidate is the same session, not a collision; its `people` take seats. The candidate is
///   free when nothing collides and the seats taken plus `candidate.people` are at most
///   `capacity`. With `capacity` 1 one booking fills the session, so a second one at the same
///   time is refused like any overlap.
///
/// Managers are bound by this rule like everyone (no double booking, ever); it knows nothing of
/// working hours or notice, which the engine checks separately. The engine applies this very
/// rule (`is_free`, on microseconds) to the bookings near each slot.
pub fn slot_is_free(candidate: &BusyInterval, capacity: u32, existing: &[BusyInterval]) -> bool {
    is_free(
        &Hold::of(candidate),
        capacity,
        existing.iter().map(Hold::of),
    )
}

fn is_free(candidate: &Hold, capacity: u32, existing: impl IntoIterator<Item = Hold>) -> bool {
    let mut seats = candidate.people;
    for e in existing {
        if e.staff_id != candidate.staff_id
            || (candidate.booking_id.is_some() && e.booking_id == candidate.booking_id)
        {
            continue;
        }
        if e.held_from < candidate.held_until && candidate.held_from < e.held_until {
            if !e.is_same_session(candidate) {
                return false;
            }
            seats = seats.saturating_add(e.people);
        }
    }
    seats <= capacity
}

/// The UTC range of booking starts that can matter to slots starting in `[from, to)` whose
/// bookings last `duration` with the given buffers: no booking holds its staff member longer than
/// `MAX_HOLD_MINUTES`, so nothing starting outside it can reach a slot.
pub fn booking_window(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    duration_minutes: u32,
    buffer_before_minutes: u32,
    buffer_after_minutes: u32,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let max_hold = Duration::minutes(i64::from(MAX_HOLD_MINUTES));
    let before = Duration::minutes(i64::from(buffer_before_minutes));
    let after = Duration::minutes(i64::from(duration_minutes + buffer_after_minutes));
    (from - before - max_hold, to + after + max_hold)
}

/// One staff member's bookings, ordered by `held_from`, with the longest hold among them, and
/// a cursor: candidates mostly come in increasing order, so the bookings near each are found by
/// moving forward (a search only when an autumn repeat steps back in time).
pub(super) struct StaffBookings {
    holds: Vec<Hold>,
    longest_hold: i64,
    lo: usize,
    hi: usize,
    last_from: i64,
    last_until: i64,
}

impl StaffBookings {
    pub(super) fn new(mut holds: Vec<Hold>) -> Self {
        holds.sort_unstable_by_key(|h| h.held_from);
        let longest_hold = holds
            .iter()
            .map(|h| h.held_until - h.held_from)
            .max()
            .unwrap_or(0);
        Self {
            holds,
            longest_hold,
            lo: 0,
            hi: 0,
            last_from: i64::MIN,
            last_until: i64::MIN,
        }
    }

    /// The rule over the few bookings that can reach the candidate: those held from before the
    /// candidate's hold ends and no longer ago than the longest hold.
    pub(super) fn is_free(&mut self, candidate: &Hold, capacity: u32) -> bool {
        let earliest = candidate.held_from - self.longest_hold;
        if earliest < self.last_from {
            self.lo = self.holds.partition_point(|h| h.held_from < earliest);
        }
        while self.lo < self.holds.len() && self.holds[self.lo].held_from < earliest {
            self.lo += 1;
        }
        if candidate.held_until < self.last_until {
            self.hi = self
                .holds
                .partition_point(|h| h.held_from < candidate.held_until);
        }
        while self.hi < self.holds.len() && self.holds[self.hi].held_from < candidate.held_until {
            self.hi += 1;
        }
        self.last_from = earliest;
        self.last_until = candidate.held_until;
        let near = &self.holds[self.lo..self.hi.max(self.lo)];
        is_free(candidate, capacity, near.iter().copied())
    }
}
