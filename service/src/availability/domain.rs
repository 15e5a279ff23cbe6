//! The availability engine: pure code, no SQL, no HTTP. It turns wall-clock working hours of a
//! location's zone into UTC slots, and keeps the slots no existing booking is in the way of.
use super::AvailabilityError;
use crate::catalog::{
    Addon, Category, Location, MAX_HOLD_MINUTES, Service, Staff, StaffCard, TimeRange,
};
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

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

const MICROS_PER_MINUTE: i64 = 60_000_000;

/// A `BusyInterval` in microseconds since the epoch: what the rule compares, cheap to copy.
#[derive(Clone, Copy, Debug)]
struct Hold {
    booking_id: Option<u64>,
    staff_id: u64,
    service_id: u64,
    location_id: u64,
    start: i64,
    end: i64,
    held_from: i64,
    held_until: i64,
    people: u32,
}

impl Hold {
    fn of(b: &BusyInterval) -> Self {
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

/// Hours of one weekday, Monday first.
pub type Week = [Vec<TimeRange>; 7];

/// When one staff member works at the location asked about.
#[derive(Clone, Debug, Default)]
pub struct StaffSchedule {
    pub staff_id: u64,
    /// Weekly hours at this location.
    pub weekly: Week,
    /// Weekly breaks, cut out of the weekly hours (not out of special days).
    pub breaks: Week,
    /// Inclusive ranges of local dates off.
    pub days_off: Vec<(NaiveDate, NaiveDate)>,
    /// Every date with special hours, anywhere: the hours at this location (none if the special
    /// hours of that date are elsewhere). Such a date ignores the weekly hours and breaks.
    pub special_days: HashMap<NaiveDate, Vec<TimeRange>>,
}

/// Everything the engine needs besides the bookings.
#[derive(Clone, Debug)]
pub struct SlotQuery {
    pub service_id: u64,
    pub location_id: u64,
    /// The location's zone: all hours are its wall clock.
    pub zone: Tz,
    /// `None` when the location has no opening hours set; otherwise staff hours are cut to them.
    pub opening_hours: Option<Week>,
    pub staff: Vec<StaffSchedule>,
    /// Service duration plus the add-ons' durations.
    pub duration_minutes: u32,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    pub capacity: u32,
    pub people: u32,
    pub slot_interval_minutes: u32,
    /// No slot starts before this: now, plus the minimum notice where it applies.
    pub earliest: DateTime<Utc>,
    /// No slot starts at or after this (how far ahead clients may book), if set.
    pub latest: Option<DateTime<Utc>>,
    /// The window of slot starts, `[from, to)`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
pub struct Slot {
    pub start: DateTime<Utc>,
    pub staff_id: u64,
}

/// How one local date of a zone maps to UTC.
enum DayMapping {
    /// One offset all day long (no transition): local midnight of the date, in microseconds
    /// since the epoch; a wall-clock minute is that plus the minutes.
    Fixed(i64),
    /// A transition falls on this date: every time is resolved through the zone.
    Transition,
}

struct LocalDay {
    date: NaiveDate,
    zone: Tz,
    mapping: DayMapping,
}

impl LocalDay {
    fn new(zone: Tz, date: NaiveDate) -> Self {
        let midnight = date.and_time(NaiveTime::MIN).and_utc();
        // Every instant whose local date is `date` lies within these bounds (offsets are within
        // ±15 h); the same offset at both ends and in the middle means no transition that day.
        let offset_at = |t: DateTime<Utc>| zone.offset_from_utc_datetime(&t.naive_utc()).fix();
        let early = offset_at(midnight - Duration::hours(15));
        let mid = offset_at(midnight + Duration::hours(12));
        let late = offset_at(midnight + Duration::hours(39));
        let mapping = if early == mid && mid == late {
            DayMapping::Fixed(
                midnight.timestamp_micros() - i64::from(early.local_minus_utc()) * 1_000_000,
            )
        } else {
            DayMapping::Transition
        };
        Self {
            date,
            zone,
            mapping,
        }
    }

    /// The instants (microseconds) at which the wall clock shows `minute` minutes after this
    /// date's midnight: none in a spring gap, two in an autumn repeat.
    fn resolve(&self, minute: u32) -> LocalResult<i64> {
        match self.mapping {
            DayMapping::Fixed(midnight) => {
                LocalResult::Single(midnight + i64::from(minute) * MICROS_PER_MINUTE)
            }
            // chrono-tz answers None in a gap and Ambiguous in a repeat; callers decide.
            DayMapping::Transition => {
                let naive =
                    self.date.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(minute));
                self.zone
                    .from_local_datetime(&naive)
                    .map(|x| x.timestamp_micros())
            }
        }
    }

    /// The first instant at which the wall clock shows `minute` or later: for a time in a spring
    /// gap, the moment the clock jumps past it.
    fn first_at_or_after(&self, minute: u32) -> i64 {
        let mut minute = minute;
        loop {
            match self.resolve(minute) {
                LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => return x,
                LocalResult::None => minute += 1,
            }
        }
    }

    /// A working period as real instants. A start in a repeated hour is its first occurrence and
    /// an end its last, so the period covers every instant whose wall clock lies in it; a start
    /// or end in a spring gap moves to the moment the clock jumps past it.
    fn period(&self, r: TimeRange) -> (i64, i64) {
        let start = self.first_at_or_after(u32::from(r.start.minutes()));
        let end_minute = u32::from(r.end.minutes());
        let end = match self.resolve(end_minute) {
            LocalResult::Single(x) | LocalResult::Ambiguous(_, x) => x,
            LocalResult::None => self.first_at_or_after(end_minute),
        };
        (start, end)
    }
}

fn instant(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// `ranges` minus `cut`, both sorted; the result is sorted.
fn subtract(ranges: &[TimeRange], cut: &[TimeRange]) -> Vec<TimeRange> {
    let mut out = Vec::with_capacity(ranges.len() + cut.len());
    for r in ranges {
        let mut start = r.start;
        for c in cut {
            if c.end <= start || c.start >= r.end {
                continue;
            }
            if let Some(piece) = TimeRange::new(start, c.start) {
                out.push(piece);
            }
            start = start.max(c.end);
        }
        if let Some(piece) = TimeRange::new(start, r.end) {
            out.push(piece);
        }
    }
    out
}

fn intersect(a: &[TimeRange], b: &[TimeRange]) -> Vec<TimeRange> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            if let Some(r) = TimeRange::new(x.start.max(y.start), x.end.min(y.end)) {
                out.push(r);
            }
        }
    }
    out.sort();
    out
}

/// The wall-clock periods a staff member works at the location on `date`.
pub fn working_periods(
    staff: &StaffSchedule,
    opening_hours: Option<&Week>,
    date: NaiveDate,
) -> Vec<TimeRange> {
    if staff
        .days_off
        .iter()
        .any(|(first, last)| (*first..=*last).contains(&date))
    {
        return Vec::new();
    }
    let weekday = date.weekday().num_days_from_monday() as usize;
    let mut periods = match staff.special_days.get(&date) {
        Some(special) => special.clone(),
        None => subtract(&staff.weekly[weekday], &staff.breaks[weekday]),
    };
    periods.sort();
    match opening_hours {
        Some(open) => intersect(&periods, &open[weekday]),
        None => periods,
    }
}

/// One staff member's bookings, ordered by `held_from`, with the longest hold among them, and
/// a cursor: candidates mostly come in increasing order, so the bookings near each are found by
/// moving forward (a search only when an autumn repeat steps back in time).
struct StaffBookings {
    holds: Vec<Hold>,
    longest_hold: i64,
    lo: usize,
    hi: usize,
    last_from: i64,
    last_until: i64,
}

impl StaffBookings {
    fn new(mut holds: Vec<Hold>) -> Self {
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
    fn is_free(&mut self, candidate: &Hold, capacity: u32) -> bool {
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

/// Every slot of the query, ordered by start then staff id. `bookings` are the holding bookings
/// (pending, confirmed) of the query's staff in `booking_window`; others are ignored.
///
/// Slots start at the beginning of each working period and every `slot_interval_minutes` of wall
/// clock after it. A wall-clock start that does not exist (spring gap) is not offered; one that
/// occurs twice (autumn) is offered at both instants. A slot fits when the booking (with add-ons)
/// ends by the end of its period in real time.
pub fn available_slots(q: &SlotQuery, bookings: &[BusyInterval]) -> Vec<Slot> {
    let interval = q.slot_interval_minutes.clamp(1, 1440);
    let duration = i64::from(q.duration_minutes) * MICROS_PER_MINUTE;
    let before = i64::from(q.buffer_before_minutes) * MICROS_PER_MINUTE;
    let after = i64::from(q.buffer_after_minutes) * MICROS_PER_MINUTE;
    let first_start = q.from.max(q.earliest);
    let end_of_starts = q.latest.map_or(q.to, |l| l.min(q.to));
    if first_start >= end_of_starts || q.staff.is_empty() || q.capacity < q.people {
        return Vec::new();
    }
    let (first_us, end_us) = (
        first_start.timestamp_micros(),
        end_of_starts.timestamp_micros(),
    );
    let mut per_staff: HashMap<u64, Vec<Hold>> = HashMap::with_capacity(q.staff.len());
    for b in bookings {
        per_staff.entry(b.staff_id).or_default().push(Hold::of(b));
    }
    let mut staff_bookings: Vec<StaffBookings> = q
        .staff
        .iter()
        .map(|s| StaffBookings::new(per_staff.remove(&s.staff_id).unwrap_or_default()))
        .collect();

    // Local dates that can hold a slot starting in the window.
    let first_date = first_start.with_timezone(&q.zone).date_naive();
    let last_date = (end_of_starts - Duration::nanoseconds(1))
        .with_timezone(&q.zone)
        .date_naive();
    let mut out = Vec::new();
    let mut day_slots: Vec<(i64, u64)> = Vec::new();
    let mut date = first_date;
    while date <= last_date {
        let day = LocalDay::new(q.zone, date);
        day_slots.clear();
        for (staff, booked) in q.staff.iter().zip(staff_bookings.iter_mut()) {
            for period in working_periods(staff, q.opening_hours.as_ref(), date) {
                let (period_start, period_end) = day.period(period);
                let mut minute = u32::from(period.start.minutes());
                let period_end_minute = u32::from(period.end.minutes());
                while minute < period_end_minute {
                    let starts = match day.resolve(minute) {
                        LocalResult::None => [None, None],
                        LocalResult::Single(x) => [Some(x), None],
                        LocalResult::Ambiguous(a, b) => [Some(a), Some(b)],
                    };
                    for start in starts.into_iter().flatten() {
                        if start < first_us
                            || start >= end_us
                            || start < period_start
                            || start + duration > period_end
                        {
                            continue;
                        }
                        let candidate = Hold {
                            booking_id: None,
                            staff_id: staff.staff_id,
                            service_id: q.service_id,
                            location_id: q.location_id,
                            start,
                            end: start + duration,
                            held_from: start - before,
                            held_until: start + duration + after,
                            people: q.people,
                        };
                        if booked.is_free(&candidate, q.capacity) {
                            day_slots.push((start, staff.staff_id));
                        }
                    }
                    minute += interval;
                }
            }
        }
        day_slots.sort_unstable();
        out.extend(day_slots.iter().map(|&(start, staff_id)| Slot {
            start: instant(start),
            staff_id,
        }));
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    out
}

/// The local date (in `zone`) of each slot, computed once per date boundary rather than once per
/// slot. Slots must come in ascending order.
pub struct DateGrouper {
    zone: Tz,
    current: Option<(NaiveDate, DateTime<Utc>, DateTime<Utc>)>,
}

impl DateGrouper {
    pub fn new(zone: Tz) -> Self {
        Self {
            zone,
            current: None,
        }
    }

    /// Start of a local date: local midnight, or the first instant after it if midnight is
    /// skipped (zones that change at midnight).
    fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        instant(LocalDay::new(self.zone, date).first_at_or_after(0))
    }

    pub fn date_of(&mut self, t: DateTime<Utc>) -> NaiveDate {
        if let Some((date, from, until)) = self.current
            && from <= t
            && t < until
        {
            return date;
        }
        let date = t.with_timezone(&self.zone).date_naive();
        let next = date.succ_opt().unwrap_or(date);
        self.current = Some((date, self.start_of(date), self.start_of(next)));
        date
    }

    /// `[start, end)` of the local dates `first..=last` as instants.
    pub fn window(zone: Tz, first: NaiveDate, last: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let g = Self::new(zone);
        let after = last.succ_opt().unwrap_or(last);
        (g.start_of(first), g.start_of(after))
    }
}

// ---------------------------------------------------------------- the booking flow

/// What was chosen so far in the 5-step booking flow.
#[derive(Clone, Debug, Default)]
pub struct FlowChoices {
    pub category_id: Option<u64>,
    pub service_id: Option<u64>,
    pub people: Option<u32>,
    pub location_id: Option<u64>,
    pub staff_id: Option<u64>,
    /// `Some` once the add-ons step was answered (possibly with none).
    pub addons: Option<Vec<(u64, u32)>>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ServiceCard {
    pub id: u64,
    pub category_id: Option<u64>,
    pub name: String,
    pub description: String,
    pub duration_minutes: u16,
    pub price: crate::money::Money,
    pub capacity: u16,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LocationCard {
    pub id: u64,
    pub name: String,
    pub address: String,
    pub timezone: String,
}

#[derive(Clone, Copy, Debug, Serialize, ToSchema)]
pub struct PeopleRange {
    pub min: u32,
    pub max: u32,
}

/// The options of every step, each narrowed by the choices before it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookingFlow {
    /// Categories with at least one bookable service.
    pub categories: Vec<Category>,
    /// Bookable services, of the chosen category if any.
    pub services: Vec<ServiceCard>,
    /// Present for a group service: how many people may come.
    pub people: Option<PeopleRange>,
    /// Locations offering the chosen service with someone working there.
    pub locations: Vec<LocationCard>,
    /// Staff performing the chosen service, at the chosen location if any.
    pub staff: Vec<StaffCard>,
    /// Add-ons of the chosen service; empty means the step is skipped.
    pub addons: Vec<Addon>,
    /// Minutes the booking lasts with the chosen add-ons, once a service is chosen.
    pub duration_minutes: Option<u32>,
    /// The first step still to answer: category, service, people, location, staff, addons, date.
    pub next_step: &'static str,
}

/// Narrows each step of the booking flow by the earlier choices; a choice that is not among its
/// step's options is refused, naming its field.
pub fn booking_flow(
    categories: &[Category],
    services: &[Service],
    locations: &[Location],
    staff: &[Staff],
    c: &FlowChoices,
) -> Result<BookingFlow, AvailabilityError> {
    let staff: Vec<&Staff> = staff.iter().filter(|s| s.active).collect();
    let locations: Vec<&Location> = locations.iter().filter(|l| l.active).collect();
    let works = |st: &Staff, service: &Service, location_id: u64| {
        st.service_ids.contains(&service.id) && st.location_ids().contains(&location_id)
    };
    let bookable_at = |service: &Service, location: &Location| {
        service.active
            && (service.location_ids.is_empty() || service.location_ids.contains(&location.id))
            && staff.iter().any(|st| works(st, service, location.id))
    };
    let bookable: Vec<&Service> = services
        .iter()
        .filter(|s| locations.iter().any(|l| bookable_at(s, l)))
        .collect();
    let categories: Vec<Category> = categories
        .iter()
        .filter(|cat| bookable.iter().any(|s| s.category_id == Some(cat.id)))
        .cloned()
        .collect();
    if let Some(id) = c.category_id
        && !categories.iter().any(|cat| cat.id == id)
    {
        return Err(AvailabilityError::field(
            "category_id",
            "no bookable service in this category",
        ));
    }
    let in_category: Vec<&Service> = bookable
        .iter()
        .copied()
        .filter(|s| c.category_id.is_none_or(|id| s.category_id == Some(id)))
        .collect();
    let service = match c.service_id {
        Some(id) => Some(*in_category.iter().find(|s| s.id == id).ok_or_else(|| {
            AvailabilityError::field("service_id", "not bookable in this choice")
        })?),
        None => None,
    };
    let people = service.filter(|s| s.capacity > 1).map(|s| PeopleRange {
        min: 1,
        max: u32::from(s.capacity),
    });
    if let (Some(n), Some(s)) = (c.people, service)
        && !(1..=u32::from(s.capacity)).contains(&n)
    {
        return Err(AvailabilityError::field(
            "people",
            format!("between 1 and {}", s.capacity),
        ));
    }
    let offering: Vec<&Location> = service
        .map(|s| {
            locations
                .iter()
                .copied()
                .filter(|l| bookable_at(s, l))
                .collect()
        })
        .unwrap_or_default();
    if let Some(id) = c.location_id
        && service.is_some()
        && !offering.iter().any(|l| l.id == id)
    {
        return Err(AvailabilityError::field(
            "location_id",
            "this location does not offer the service",
        ));
    }
    let staff_options: Vec<StaffCard> = match service {
        Some(s) => staff
            .iter()
            .filter(|st| match c.location_id {
                Some(l) => works(st, s, l),
                None => offering.iter().any(|l| works(st, s, l.id)),
            })
            .map(|st| StaffCard::from(*st))
            .collect(),
        None => Vec::new(),
    };
    if let Some(id) = c.staff_id
        && service.is_some()
        && !staff_options.iter().any(|st| st.id == id)
    {
        return Err(AvailabilityError::field(
            "staff_id",
            "does not perform this service here",
        ));
    }
    let addons = service.map(|s| s.addons.clone()).unwrap_or_default();
    let duration_minutes = match service {
        Some(s) => Some(super::booked_minutes(
            s,
            c.addons.as_deref().unwrap_or_default(),
        )?),
        None => None,
    };
    let next_step = if c.category_id.is_none() && c.service_id.is_none() {
        "category"
    } else if service.is_none() {
        "service"
    } else if people.is_some() && c.people.is_none() {
        "people"
    } else if c.location_id.is_none() {
        "location"
    } else if c.staff_id.is_none() {
        "staff"
    } else if !addons.is_empty() && c.addons.is_none() {
        "addons"
    } else {
        "date"
    };
    Ok(BookingFlow {
        categories,
        services: in_category
            .iter()
            .map(|s| ServiceCard {
                id: s.id,
                category_id: s.category_id,
                name: s.name.clone(),
                description: s.description.clone(),
                duration_minutes: s.duration_minutes,
                price: s.price,
                capacity: s.capacity,
            })
            .collect(),
        people,
        locations: offering
            .iter()
            .map(|l| LocationCard {
                id: l.id,
                name: l.name.clone(),
                address: l.address.clone(),
                timezone: l.timezone.clone(),
            })
            .collect(),
        staff: staff_options,
        addons,
        duration_minutes,
        next_step,
    })
}

#[cfg(test)]
mod tests;
