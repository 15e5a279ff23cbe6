//! The slot picker: a month of days, those with a free slot chosen from and the others shown
//! disabled, the free times of the chosen day, a time-zone choice and the locale's 12- or
//! 24-hour clock. Every screen that books or moves a booking embeds this one picker, so what a
//! manager is offered is always what the availability engine offers (`availability::slots_by_day`).
//!
//! # Embedding it
//! A screen builds a [`PickerQuery`] from its own state, puts [`view`]'s answer into its context
//! as `picker`, and writes `{% include "admin/_slot_picker.html" %}` inside its own `<form>`.
//!
//! # What it reads
//! `GET /v1/render/admin/slot-picker` and [`PickerQuery::parse`] take (unknown keys are ignored,
//! so the query string of the screen around the picker can be handed over as it is):
//! - `service_id`, `location_id` (required); `staff_id` (absent, empty or `any`: whoever is free);
//!   `people` (group services); `addons` (`ID:QTY,…`, they lengthen the booking);
//! - `timezone`: the IANA zone times are shown in, the location's when absent;
//! - `month` (`YYYY-MM`) and `date` (`YYYY-MM-DD`, the chosen day; when absent or without a
//!   slot, the month's first day that has one);
//! - `slot`: the slot chosen so far, shown checked;
//! - `near`: an RFC 3339 instant whose nearest free slots are offered first (after a refusal such
//!   as "slot taken");
//! - `reschedule_booking_id`: the booking being moved, whose own time does not block its new one.
//!
//! # What it gives the form around it
//! The fields `slot` (a radio group; its value is `START_STAFF_ID`, read with
//! [`SlotChoice::parse`]), `timezone`, `date` and `month`. A receiving route must ignore the
//! fields it does not need. Its own navigation (months, days, the zone) asks the route above
//! again and swaps `#volixta-slot-picker` only; the embedding screen is never reloaded.
//!
//! The browser's zone is offered by the plugin's htmx glue, which adds it to any
//! `select[data-volixta-browser-zone]` (pages carry no inline script).
pub mod http;

use super::display::Formats;
use crate::{
    auth::Actor,
    availability::{self, AvailabilityError, DaySlots, DaysQuery},
    catalog,
    i18n::Locale,
};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::HashMap;

/// How many nearby slots are offered after a refusal.
const NEAREST: usize = 3;

/// What the picker shows: see the module documentation for each key.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PickerQuery {
    pub service_id: u64,
    pub location_id: u64,
    pub staff_id: Option<u64>,
    pub people: Option<u32>,
    pub addons: Option<String>,
    pub timezone: Option<String>,
    pub month: Option<String>,
    pub date: Option<NaiveDate>,
    pub slot: Option<SlotChoice>,
    pub near: Option<DateTime<Utc>>,
    pub reschedule_booking_id: Option<u64>,
}

/// Where the picker of the wp-admin screens asks for itself again.
pub const ADMIN_ROUTE: &str = "render/admin/slot-picker";

/// A slot as the picker's radio buttons post it: `2026-12-01T09:00:00Z_3`. The separator is a
/// character no encoder escapes: a query carrying the value is signed by the plugin and then
/// sent by WordPress's HTTP client, which decodes escaped unreserved characters such as `%7E`,
/// so an escaped separator would no longer match its signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotChoice {
    pub start: DateTime<Utc>,
    pub staff_id: u64,
}

impl SlotChoice {
    pub fn parse(raw: &str) -> Option<Self> {
        let (start, staff) = raw.trim().split_once('_')?;
        Some(Self {
            start: DateTime::parse_from_rfc3339(start)
                .ok()?
                .with_timezone(&Utc),
            staff_id: staff.parse().ok()?,
        })
    }

    pub fn value(&self) -> String {
        format!(
            "{}_{}",
            self.start
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            self.staff_id
        )
    }
}

fn field(name: &'static str, message: &str) -> AvailabilityError {
    AvailabilityError::field(name, message)
}

fn number<T: std::str::FromStr>(
    value: &str,
    name: &'static str,
) -> Result<Option<T>, AvailabilityError> {
    match value {
        "" => Ok(None),
        v => v
            .parse()
            .map(Some)
            .map_err(|_| field(name, "a whole number")),
    }
}

impl PickerQuery {
    pub fn parse(raw: Option<&str>) -> Result<Self, AvailabilityError> {
        let mut q = Self::default();
        let (mut service, mut location) = (None, None);
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "service_id" => service = number(value, "service_id")?,
                "location_id" => location = number(value, "location_id")?,
                "staff_id" if value == "any" => q.staff_id = None,
                "staff_id" => q.staff_id = number(value, "staff_id")?,
                "people" => q.people = number(value, "people")?,
                "addons" => q.addons = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "timezone" => q.timezone = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "month" => q.month = Some(value.to_owned()).filter(|v| !v.is_empty()),
                "date" if !value.is_empty() => {
                    q.date = Some(
                        NaiveDate::parse_from_str(value, "%Y-%m-%d")
                            .map_err(|_| field("date", "a date like 2026-12-01"))?,
                    );
                }
                "slot" if !value.is_empty() => {
                    q.slot = Some(
                        SlotChoice::parse(value)
                            .ok_or_else(|| field("slot", "a slot the picker offered"))?,
                    );
                }
                "near" if !value.is_empty() => {
                    q.near = Some(
                        DateTime::parse_from_rfc3339(value)
                            .map_err(|_| field("near", "an RFC 3339 instant"))?
                            .with_timezone(&Utc),
                    );
                }
                "reschedule_booking_id" => {
                    q.reschedule_booking_id = number(value, "reschedule_booking_id")?;
                }
                _ => {}
            }
        }
        q.service_id = service.ok_or_else(|| field("service_id", "choose a service"))?;
        q.location_id = location.ok_or_else(|| field("location_id", "choose a location"))?;
        Ok(q)
    }

    /// The query that asks for this picker again, with the given month, day and zone.
    fn href(&self, month: &str, date: Option<NaiveDate>, zone: Option<&str>) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("service_id", &self.service_id.to_string())
            .append_pair("location_id", &self.location_id.to_string());
        if let Some(staff) = self.staff_id {
            out.append_pair("staff_id", &staff.to_string());
        }
        if let Some(people) = self.people {
            out.append_pair("people", &people.to_string());
        }
        if let Some(addons) = &self.addons {
            out.append_pair("addons", addons);
        }
        if let Some(id) = self.reschedule_booking_id {
            out.append_pair("reschedule_booking_id", &id.to_string());
        }
        if let Some(slot) = &self.slot {
            out.append_pair("slot", &slot.value());
        }
        out.append_pair("month", month);
        if let Some(date) = date {
            out.append_pair("date", &date.format("%Y-%m-%d").to_string());
        }
        if let Some(zone) = zone {
            out.append_pair("timezone", zone);
        }
        out.finish()
    }
}

/// A date as templates word it: names come from the template's translated lists.
#[derive(Clone, Debug, Serialize)]
pub struct DateLabel {
    pub iso: String,
    /// 0 = Monday.
    pub weekday: u32,
    pub day: u32,
    /// 0 = January.
    pub month: u32,
    pub year: i32,
}

impl DateLabel {
    pub fn of(d: NaiveDate) -> Self {
        Self {
            iso: d.format("%Y-%m-%d").to_string(),
            weekday: d.weekday().num_days_from_monday(),
            day: d.day(),
            month: d.month0(),
            year: d.year(),
        }
    }
}

/// A time of day in the viewer's zone and clock: `9:30` + `pm`, or `21:30`.
#[derive(Clone, Debug, Serialize)]
pub struct TimeLabel {
    pub text: String,
    /// `am`, `pm`, or empty on a 24-hour clock.
    pub meridiem: &'static str,
}

impl TimeLabel {
    pub fn of(t: DateTime<Utc>, zone: Tz, twelve: bool) -> Self {
        let local = t.with_timezone(&zone);
        if twelve {
            let (pm, hour) = local.hour12();
            Self {
                text: format!("{hour}:{:02}", local.minute()),
                meridiem: if pm { "pm" } else { "am" },
            }
        } else {
            Self {
                text: format!("{:02}:{:02}", local.hour(), local.minute()),
                meridiem: "",
            }
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct DayCell {
    pub date: DateLabel,
    pub slots: usize,
    pub selected: bool,
    pub today: bool,
    /// The query that shows this day (empty when it has no slot).
    pub href: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct SlotOption {
    pub value: String,
    pub time: TimeLabel,
    /// Who is free then, when the staff member was left open.
    pub staff: String,
    pub checked: bool,
    /// For nearby slots on another day.
    pub date: Option<DateLabel>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ZoneOption {
    pub value: String,
    /// `location` (the location's zone), `utc`, or `chosen`.
    pub kind: &'static str,
    pub selected: bool,
}

/// The picker's template context (`picker`).
#[derive(Clone, Debug, Serialize)]
pub struct PickerView {
    /// The proxied route the picker's own navigation asks (the admin one, or the public
    /// booking form's).
    pub route: &'static str,
    /// The visitor has not chosen a zone: the browser's own is preferred once known.
    pub prefer_browser_zone: bool,
    pub timezone: String,
    pub zones: Vec<ZoneOption>,
    /// The query of this month and day without the zone, for the zone select.
    pub zone_href: String,
    pub month: String,
    pub month_label: DateLabel,
    pub prev_href: Option<String>,
    pub next_href: String,
    /// Weekday numbers (0 = Monday) in the order the locale's weeks run.
    pub weekdays: Vec<u32>,
    /// Weeks of the month; `None` pads the first and last week.
    pub weeks: Vec<Vec<Option<DayCell>>>,
    pub date: Option<DateLabel>,
    pub slots: Vec<SlotOption>,
    pub nearest: Vec<SlotOption>,
    pub twelve_hour: bool,
    /// The month has no free slot at all.
    pub empty_month: bool,
}

/// The picker for a query, as `actor` may book (managers are not bound by notice).
pub async fn view(
    db: &crate::db::Db,
    actor: Actor,
    locale: &Locale,
    q: &PickerQuery,
) -> Result<PickerView, AvailabilityError> {
    let location_zone = catalog::location(db, q.location_id).await?.timezone;
    let zone = catalog::parse_timezone(q.timezone.as_deref().unwrap_or(&location_zone))?;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let month = match (&q.month, q.date) {
        (Some(m), _) => m.clone(),
        (None, Some(d)) => d.format("%Y-%m").to_string(),
        (None, None) => today.format("%Y-%m").to_string(),
    };
    let (first, last) = availability::month_bounds(&month)?;
    let ask = DaysQuery {
        service_id: q.service_id,
        location_id: q.location_id,
        staff_id: q.staff_id,
        people: q.people,
        addons: q.addons.as_deref(),
        moving_booking_id: q.reschedule_booking_id,
    };
    // A refusal's nearby slots may lie just past the month's end.
    let until = q
        .near
        .map(|n| n.with_timezone(&zone).date_naive() + Duration::days(7))
        .filter(|d| *d > last)
        .unwrap_or(last);
    let days = availability::slots_by_day(db, actor, zone, (first, until), &ask).await?;
    let (days, after): (Vec<DaySlots>, Vec<DaySlots>) =
        days.into_iter().partition(|d| d.date <= last);
    let chosen = q
        .date
        .filter(|d| days.iter().any(|day| day.date == *d))
        .or_else(|| days.first().map(|d| d.date));
    let names = if q.staff_id.is_none() {
        catalog::staff(db)
            .await?
            .into_iter()
            .map(|s| {
                (
                    s.id,
                    format!("{} {}", s.first_name, s.last_name)
                        .trim()
                        .to_owned(),
                )
            })
            .collect()
    } else {
        HashMap::new()
    };
    let twelve = Formats::of(&crate::settings::load(db).await?, locale).twelve;
    let month_key = first.format("%Y-%m").to_string();
    let option = |slot: &availability::Slot, with_date: bool| SlotOption {
        value: SlotChoice {
            start: slot.start,
            staff_id: slot.staff_id,
        }
        .value(),
        time: TimeLabel::of(slot.start, zone, twelve),
        staff: names.get(&slot.staff_id).cloned().unwrap_or_default(),
        checked: q
            .slot
            .is_some_and(|s| s.start == slot.start && s.staff_id == slot.staff_id),
        date: with_date.then(|| DateLabel::of(slot.start.with_timezone(&zone).date_naive())),
    };
    let slots = chosen
        .and_then(|c| days.iter().find(|d| d.date == c))
        .map(|d| {
            distinct(&d.slots)
                .into_iter()
                .map(|s| option(s, false))
                .collect()
        })
        .unwrap_or_default();
    let nearest = match q.near {
        Some(near) => {
            let all: Vec<&availability::Slot> = days
                .iter()
                .chain(&after)
                .flat_map(|d| distinct(&d.slots))
                .collect();
            let mut close = all;
            close.sort_by_key(|s| ((s.start - near).num_seconds().abs(), s.start));
            close.truncate(NEAREST);
            close.sort_by_key(|s| s.start);
            close.into_iter().map(|s| option(s, true)).collect()
        }
        None => Vec::new(),
    };
    let sunday_first = locale.week_starts_on_sunday();
    let weekdays: Vec<u32> = if sunday_first {
        vec![6, 0, 1, 2, 3, 4, 5]
    } else {
        (0..7).collect()
    };
    let counts: HashMap<NaiveDate, usize> = days
        .iter()
        .map(|d| (d.date, distinct(&d.slots).len()))
        .collect();
    let zone_name = zone.name().to_owned();
    let mut weeks: Vec<Vec<Option<DayCell>>> = Vec::new();
    let lead = first.weekday().num_days_from_monday() as usize;
    let lead = if sunday_first { (lead + 1) % 7 } else { lead };
    let mut week: Vec<Option<DayCell>> = vec![None; lead];
    let mut d = first;
    while d <= last {
        let slots = counts.get(&d).copied().unwrap_or(0);
        week.push(Some(DayCell {
            date: DateLabel::of(d),
            slots,
            selected: chosen == Some(d),
            today: d == today,
            href: if slots > 0 {
                q.href(&month_key, Some(d), Some(&zone_name))
            } else {
                String::new()
            },
        }));
        if week.len() == 7 {
            weeks.push(std::mem::take(&mut week));
        }
        d = d.succ_opt().unwrap_or(last + Duration::days(1));
    }
    if !week.is_empty() {
        week.resize(7, None);
        weeks.push(week);
    }
    // Nothing is free in a month that is over.
    let prev = first
        .pred_opt()
        .filter(|p| *p >= today.with_day(1).unwrap_or(today));
    let next = last.succ_opt().unwrap_or(last);
    let mut zones = vec![ZoneOption {
        value: location_zone.clone(),
        kind: "location",
        selected: zone_name == location_zone,
    }];
    if location_zone != "UTC" {
        zones.push(ZoneOption {
            value: "UTC".into(),
            kind: "utc",
            selected: zone_name == "UTC",
        });
    }
    if !zones.iter().any(|z| z.selected) {
        zones.push(ZoneOption {
            value: zone_name.clone(),
            kind: "chosen",
            selected: true,
        });
    }
    Ok(PickerView {
        route: ADMIN_ROUTE,
        prefer_browser_zone: false,
        zone_href: q.href(&month_key, chosen, None),
        timezone: zone_name.clone(),
        zones,
        month: month_key,
        month_label: DateLabel::of(first),
        prev_href: prev.map(|p| q.href(&p.format("%Y-%m").to_string(), None, Some(&zone_name))),
        next_href: q.href(&next.format("%Y-%m").to_string(), None, Some(&zone_name)),
        weekdays,
        weeks,
        date: chosen.map(DateLabel::of),
        empty_month: days.is_empty(),
        slots,
        nearest,
        twelve_hour: twelve,
    })
}

/// One slot per start time (the engine orders them by start, then staff): with the staff
/// member left open, the first one free takes it.
fn distinct(slots: &[availability::Slot]) -> Vec<&availability::Slot> {
    let mut out: Vec<&availability::Slot> = Vec::with_capacity(slots.len());
    for s in slots {
        if out.last().is_none_or(|last| last.start != s.start) {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_choice_reads_back_what_it_wrote() {
        let choice = SlotChoice::parse("2026-12-01T09:00:00Z_3").expect("parses");
        assert_eq!(choice.staff_id, 3);
        assert_eq!(choice.value(), "2026-12-01T09:00:00Z_3");
        assert_eq!(
            SlotChoice::parse("2026-12-01T10:00:00+01:00_3").map(|c| c.value()),
            Some("2026-12-01T09:00:00Z_3".into())
        );
        for bad in ["", "2026-12-01T09:00:00Z", "x_3", "2026-12-01T09:00:00Z_x"] {
            assert!(SlotChoice::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn the_query_ignores_what_is_not_its_own() {
        let q = PickerQuery::parse(Some(
            "page=volixta-new-booking&client=4&service_id=2&location_id=5&staff_id=any&date=2026-12-03&step=when",
        ))
        .expect("parses");
        assert_eq!((q.service_id, q.location_id, q.staff_id), (2, 5, None));
        assert_eq!(q.date, NaiveDate::from_ymd_opt(2026, 12, 3));
        assert!(PickerQuery::parse(Some("service_id=2")).is_err());
        assert!(PickerQuery::parse(Some("service_id=2&location_id=1&slot=nope")).is_err());
    }

    #[test]
    fn times_follow_the_clock_of_the_locale() {
        let t = DateTime::parse_from_rfc3339("2026-12-01T20:05:00Z")
            .expect("instant")
            .with_timezone(&Utc);
        let paris: Tz = "Europe/Paris".parse().expect("zone");
        let twelve = TimeLabel::of(t, paris, true);
        assert_eq!((twelve.text.as_str(), twelve.meridiem), ("9:05", "pm"));
        let day = TimeLabel::of(t, paris, false);
        assert_eq!((day.text.as_str(), day.meridiem), ("21:05", ""));
    }
}
