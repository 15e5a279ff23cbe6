//! Availability: which (start, staff) slots a service can be booked at, in a location's wall
//! clock turned into UTC instants, and the narrowing choices of the 5-step booking flow.
//!
//! For the booking transaction: `lock_staff`, then `busy_intervals` over `booking_window`, then
//! `slot_is_free` — the same rule the engine offers slots by.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{
    BookingFlow, BusyInterval, DateGrouper, FlowChoices, LocationCard, PeopleRange, ServiceCard,
    Slot, SlotQuery, StaffSchedule, Week, available_slots, booking_window, slot_is_free,
    working_periods,
};
pub use error::AvailabilityError;
pub use repo::{busy_intervals, lock_staff};

use crate::{
    auth::Actor,
    bookings,
    catalog::{self, Location, Service, Staff, TimeRange, TimeRules},
    db::Db,
    settings,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

/// The longest window one availability request may span.
pub const MAX_DAYS: i64 = 62;

/// A parsed availability question.
#[derive(Clone, Debug)]
pub struct SlotRequest {
    pub service_id: u64,
    pub location_id: u64,
    pub staff_id: Option<u64>,
    pub people: u32,
    /// (add-on id, quantity)
    pub addons: Vec<(u64, u32)>,
    /// Slot starts in `[from, to)`.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Where the minimum notice and the booking horizon apply: `bookings::bound_by_booking_rules`.
    pub bound_by_notice: bool,
    pub now: DateTime<Utc>,
    /// The booking being rescheduled: its own current time does not block its new one.
    pub moving_booking_id: Option<u64>,
}

/// `ID:QTY` pairs separated by commas, e.g. `3:2,5:1`; a bare `ID` means one.
pub fn parse_addons(raw: Option<&str>) -> Result<Vec<(u64, u32)>, AvailabilityError> {
    let bad = || AvailabilityError::field("addons", "add-ons as ID:QUANTITY pairs, e.g. 3:2,5:1");
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(Vec::new());
    };
    let mut out: Vec<(u64, u32)> = Vec::new();
    for part in raw.split(',') {
        let (id, qty) = part.split_once(':').unwrap_or((part, "1"));
        let id: u64 = id.trim().parse().map_err(|_| bad())?;
        let qty: u32 = qty.trim().parse().map_err(|_| bad())?;
        if qty == 0 {
            continue;
        }
        match out.iter_mut().find(|(i, _)| *i == id) {
            Some(entry) => entry.1 += qty,
            None => out.push((id, qty)),
        }
    }
    Ok(out)
}

/// Service duration plus the chosen add-ons', checked against the service's add-ons.
pub fn booked_minutes(service: &Service, addons: &[(u64, u32)]) -> Result<u32, AvailabilityError> {
    let mut minutes = u32::from(service.duration_minutes);
    for (id, qty) in addons {
        let addon = service.addons.iter().find(|a| a.id == *id).ok_or_else(|| {
            AvailabilityError::field("addons", format!("{id} is not an add-on of this service"))
        })?;
        if *qty > u32::from(addon.max_quantity) {
            return Err(AvailabilityError::field(
                "addons",
                format!("at most {} of {}", addon.max_quantity, addon.name),
            ));
        }
        if *qty < u32::from(addon.min_quantity) {
            return Err(AvailabilityError::field(
                "addons",
                format!("at least {} of {}", addon.min_quantity, addon.name),
            ));
        }
        minutes += u32::from(addon.duration_minutes) * qty;
    }
    Ok(minutes)
}

/// Whether the service is offered at the location at all (its list, or everywhere if empty).
pub fn offered_at(service: &Service, location_id: u64) -> bool {
    service.location_ids.is_empty() || service.location_ids.contains(&location_id)
}

/// One staff member's time at one location, for the engine.
pub fn schedule(staff: &Staff, location_id: u64) -> StaffSchedule {
    let mut s = StaffSchedule {
        staff_id: staff.id,
        ..Default::default()
    };
    for h in staff
        .working_hours
        .iter()
        .filter(|h| h.location_id == location_id)
    {
        if let Some(r) = TimeRange::new(h.start, h.end) {
            s.weekly[usize::from(h.weekday - 1)].push(r);
        }
    }
    for b in &staff.breaks {
        if let Some(r) = TimeRange::new(b.start, b.end) {
            s.breaks[usize::from(b.weekday - 1)].push(r);
        }
    }
    s.days_off = staff.days_off.iter().map(|d| (d.date, d.until)).collect();
    for d in &staff.special_days {
        let entry = s.special_days.entry(d.date).or_default();
        if d.location_id == location_id
            && let Some(r) = TimeRange::new(d.start, d.end)
        {
            entry.push(r);
        }
    }
    s
}

fn week_of(hours: &[catalog::WeeklyHours]) -> Option<Week> {
    if hours.is_empty() {
        return None;
    }
    let mut week: Week = Default::default();
    for h in hours {
        week[usize::from(h.weekday - 1)].push(h.range());
    }
    Some(week)
}

/// The slots of a request, ordered by start then staff.
pub async fn slots(db: &Db, r: &SlotRequest) -> Result<Vec<Slot>, AvailabilityError> {
    // Two connections: the catalog and the settings are read side by side.
    let (offering, settings) = tokio::join!(
        catalog::offering(db, r.service_id, r.location_id),
        settings::load(db)
    );
    let ((service, location, staff), settings) = (offering?, settings?);
    let service = service
        .filter(|s| s.active)
        .ok_or(AvailabilityError::ServiceNotFound)?;
    let location = location
        .filter(|l| l.active)
        .ok_or(AvailabilityError::LocationNotFound)?;
    let capacity = u32::from(service.capacity);
    if r.people == 0 || r.people > capacity {
        return Err(AvailabilityError::field(
            "people",
            format!("between 1 and {capacity}"),
        ));
    }
    let duration = booked_minutes(&service, &r.addons)?;
    if !offered_at(&service, location.id) {
        return Ok(Vec::new());
    }
    let zone = catalog::parse_timezone(&location.timezone)?;
    let rules = TimeRules::resolve(&settings, &service.time_rules);
    let staff: Vec<StaffSchedule> = staff
        .iter()
        .filter(|s| r.staff_id.is_none_or(|id| id == s.id))
        .map(|s| schedule(s, location.id))
        .collect();
    let query = engine_query(&service, &location, zone, staff, duration, rules, r);
    let (lo, hi) = booking_window(
        r.from,
        r.to,
        duration,
        query.buffer_before_minutes,
        query.buffer_after_minutes,
    );
    let staff_ids: Vec<u64> = query.staff.iter().map(|s| s.staff_id).collect();
    let mut conn = db.pool.get_conn().await?;
    let mut bookings = repo::busy_intervals(&mut conn, db, &staff_ids, lo, hi).await?;
    if let Some(moving) = r.moving_booking_id {
        bookings.retain(|b| b.booking_id != Some(moving));
    }
    Ok(available_slots(&query, &bookings))
}

fn engine_query(
    service: &Service,
    location: &Location,
    zone: Tz,
    staff: Vec<StaffSchedule>,
    duration_minutes: u32,
    rules: TimeRules,
    r: &SlotRequest,
) -> SlotQuery {
    let (earliest, latest) = if r.bound_by_notice {
        (
            r.now + Duration::minutes(i64::from(rules.min_booking_notice_minutes)),
            Some(r.now + Duration::days(i64::from(rules.max_booking_ahead_days))),
        )
    } else {
        // Staff are not bound by notice or horizon, only by the clock.
        (r.now, None)
    };
    SlotQuery {
        service_id: service.id,
        location_id: location.id,
        zone,
        opening_hours: week_of(&location.opening_hours),
        special_opening: location
            .special_days
            .iter()
            .map(|d| (d.date, d.periods.iter().map(|p| p.range()).collect()))
            .collect(),
        staff,
        duration_minutes,
        buffer_before_minutes: u32::from(service.buffer_before_minutes),
        buffer_after_minutes: u32::from(service.buffer_after_minutes),
        capacity: u32::from(service.capacity),
        people: r.people,
        slot_interval_minutes: rules.slot_interval_minutes,
        earliest,
        latest,
        from: r.from,
        to: r.to,
    }
}

/// Whether this exact slot is offered to `actor` now: working hours, notice, horizon, and no
/// booking in the way. For the booking endpoints to check a client's chosen start; the booking
/// transaction still decides with `slot_is_free` under `lock_staff`.
pub async fn slot_offered(
    db: &Db,
    actor: Actor,
    wanted: &BusyInterval,
    addons: Vec<(u64, u32)>,
) -> Result<bool, AvailabilityError> {
    let request = SlotRequest {
        service_id: wanted.service_id,
        location_id: wanted.location_id,
        staff_id: Some(wanted.staff_id),
        people: wanted.people,
        addons,
        from: wanted.start,
        to: wanted.start + Duration::seconds(1),
        bound_by_notice: bookings::bound_by_booking_rules(actor.role),
        now: Utc::now(),
        moving_booking_id: wanted.booking_id,
    };
    Ok(slots(db, &request)
        .await?
        .iter()
        .any(|s| s.start == wanted.start && s.staff_id == wanted.staff_id))
}

#[derive(Serialize, ToSchema)]
pub struct DaySlots {
    pub date: NaiveDate,
    pub slots: Vec<Slot>,
}

/// Slots grouped by the dates of `zone`; days without a slot are left out.
pub fn group_by_date(zone: Tz, slots: Vec<Slot>) -> Vec<DaySlots> {
    let mut grouper = DateGrouper::new(zone);
    let mut days: Vec<DaySlots> = Vec::new();
    for slot in slots {
        let date = grouper.date_of(slot.start);
        match days.last_mut() {
            Some(day) if day.date == date => day.slots.push(slot),
            _ => days.push(DaySlots {
                date,
                slots: vec![slot],
            }),
        }
    }
    days
}

/// `[from, to]` dates of `zone` as an instant window, refused when reversed or too long.
pub fn date_window(
    zone: Tz,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(DateTime<Utc>, DateTime<Utc>), AvailabilityError> {
    if to < from {
        return Err(AvailabilityError::field("to", "may not be before from"));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(AvailabilityError::field(
            "to",
            format!("at most {MAX_DAYS} days from from"),
        ));
    }
    Ok(DateGrouper::window(zone, from, to))
}

/// The zone a question's dates are read in: the one asked for, else the location's.
pub async fn zone_for(
    db: &Db,
    timezone: Option<&str>,
    location_id: u64,
) -> Result<Tz, AvailabilityError> {
    let name = match timezone {
        Some(tz) => tz.to_owned(),
        None => catalog::location(db, location_id).await?.timezone,
    };
    Ok(catalog::parse_timezone(&name)?)
}

/// What a day view or a month calendar of slots is asked for.
#[derive(Clone, Debug, Default)]
pub struct DaysQuery<'a> {
    pub service_id: u64,
    pub location_id: u64,
    pub staff_id: Option<u64>,
    pub people: Option<u32>,
    /// `ID:QTY` pairs, as `parse_addons` reads them.
    pub addons: Option<&'a str>,
    /// The booking being rescheduled, whose own time does not block it.
    pub moving_booking_id: Option<u64>,
}

/// The slots of the dates `[from, to]` of `zone` offered to `actor`, grouped by date.
pub async fn slots_by_day(
    db: &Db,
    actor: Actor,
    zone: Tz,
    (from, to): (NaiveDate, NaiveDate),
    ask: &DaysQuery<'_>,
) -> Result<Vec<DaySlots>, AvailabilityError> {
    let (from, to) = date_window(zone, from, to)?;
    let request = SlotRequest {
        service_id: ask.service_id,
        location_id: ask.location_id,
        staff_id: ask.staff_id,
        people: ask.people.unwrap_or(1),
        addons: parse_addons(ask.addons)?,
        moving_booking_id: ask.moving_booking_id,
        from,
        to,
        bound_by_notice: bookings::bound_by_booking_rules(actor.role),
        now: Utc::now(),
    };
    let slots = slots(db, &request).await?;
    Ok(group_by_date(zone, slots))
}

/// The first and last date of a `YYYY-MM` month.
pub fn month_bounds(raw: &str) -> Result<(NaiveDate, NaiveDate), AvailabilityError> {
    let first = NaiveDate::parse_from_str(&format!("{}-01", raw.trim()), "%Y-%m-%d")
        .map_err(|_| AvailabilityError::field("month", "a month like 2026-12"))?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
    .ok_or_else(|| AvailabilityError::field("month", "out of range"))?;
    Ok((first, next.pred_opt().unwrap_or(first)))
}

/// The options of every step of the booking flow for the choices so far, from the catalog.
pub async fn booking_flow(
    db: &Db,
    choices: &FlowChoices,
) -> Result<BookingFlow, AvailabilityError> {
    let (categories, services, locations, staff) = (
        catalog::categories(db).await?,
        catalog::services(db).await?,
        catalog::locations(db).await?,
        catalog::staff(db).await?,
    );
    domain::booking_flow(&categories, &services, &locations, &staff, choices)
}
