//! Working hours of a location's zone turned into UTC slots, minus what bookings hold.
use super::holds::{BusyInterval, Hold, MICROS_PER_MINUTE, StaffBookings};
use crate::catalog::TimeRange;
use chrono::{
    DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

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
    /// The location's special days: on such a date these hours (none when closed) replace the
    /// weekly opening hours, and staff hours are cut to them.
    pub special_opening: HashMap<NaiveDate, Vec<TimeRange>>,
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

impl SlotQuery {
    /// The location's opening hours on `date`; `None` when it set none (staff hours decide).
    pub fn opening_on(&self, date: NaiveDate) -> Option<&[TimeRange]> {
        if let Some(special) = self.special_opening.get(&date) {
            return Some(special);
        }
        let weekday = date.weekday().num_days_from_monday() as usize;
        self.opening_hours
            .as_ref()
            .map(|week| week[weekday].as_slice())
    }
}

/// The wall-clock periods a staff member works at the location on `date`, given the location's
/// opening hours of that date (`None`: it set none).
pub fn working_periods(
    staff: &StaffSchedule,
    opening: Option<&[TimeRange]>,
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
    match opening {
        Some(open) => intersect(&periods, open),
        None => periods,
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
            for period in working_periods(staff, q.opening_on(date), date) {
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
