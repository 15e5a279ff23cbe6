use super::CatalogError;
use crate::{
    clients::{Email, Phone},
    money::Money,
    settings::Settings,
};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use mysql_async::prelude::FromRow;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeSet;
use utoipa::ToSchema;

/// The longest time one booking may hold its staff member: duration, add-ons and both buffers.
/// The availability query looks this far around its window, and the bookings table checks it.
pub const MAX_HOLD_MINUTES: u32 = 24 * 60;

/// A wall-clock time of day in minutes after local midnight; 1440 ("24:00") ends a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WallTime(u16);

impl WallTime {
    pub const MIDNIGHT: Self = Self(0);
    pub const END_OF_DAY: Self = Self(1440);

    pub fn from_minutes(minutes: u16) -> Option<Self> {
        (minutes <= 1440).then_some(Self(minutes))
    }

    pub fn minutes(self) -> u16 {
        self.0
    }

    /// `"HH:MM"`, 24-hour, `"24:00"` allowed (only meaningful as an end).
    pub fn parse(raw: &str) -> Option<Self> {
        let (h, m) = raw.trim().split_once(':')?;
        if h.is_empty() || h.len() > 2 || m.len() != 2 {
            return None;
        }
        let h: u16 = h.parse().ok()?;
        let m: u16 = m.parse().ok()?;
        if m >= 60 || h > 24 || (h == 24 && m != 0) {
            return None;
        }
        Some(Self(h * 60 + m))
    }
}

impl std::fmt::Display for WallTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl Serialize for WallTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl utoipa::PartialSchema for WallTime {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .examples(["09:00"])
            .description(Some(
                "Wall-clock time HH:MM (24 h) in the location's time zone",
            ))
            .into()
    }
}

impl utoipa::ToSchema for WallTime {}

/// A wall-clock span within one day, `start < end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimeRange {
    pub start: WallTime,
    pub end: WallTime,
}

impl TimeRange {
    pub fn new(start: WallTime, end: WallTime) -> Option<Self> {
        (start < end).then_some(Self { start, end })
    }

    fn parse(at: &str, start: &str, end: &str) -> Result<Self, CatalogError> {
        let start = WallTime::parse(start)
            .filter(|t| *t < WallTime::END_OF_DAY)
            .ok_or_else(|| CatalogError::field(format!("{at}.start"), "a time like 09:00"))?;
        let end = WallTime::parse(end)
            .ok_or_else(|| CatalogError::field(format!("{at}.end"), "a time like 17:00"))?;
        Self::new(start, end)
            .ok_or_else(|| CatalogError::field(format!("{at}.end"), "must be after start"))
    }

    fn overlaps(&self, other: &Self) -> bool {
        self.start < other.end && other.start < self.end
    }
}

fn parse_weekday(at: &str, weekday: u8) -> Result<u8, CatalogError> {
    if (1..=7).contains(&weekday) {
        Ok(weekday)
    } else {
        Err(CatalogError::field(
            format!("{at}.weekday"),
            "1 (Monday) to 7 (Sunday)",
        ))
    }
}

pub fn parse_timezone(raw: &str) -> Result<Tz, CatalogError> {
    raw.trim()
        .parse::<Tz>()
        .map_err(|_| CatalogError::field("timezone", "an IANA time zone like Europe/Paris"))
}

fn required_text(field: &str, raw: Option<&str>, max: usize) -> Result<String, CatalogError> {
    let s = raw.map(str::trim).unwrap_or("");
    if s.is_empty() {
        return Err(CatalogError::field(field, format!("{field} is required")));
    }
    optional_text(field, Some(s), max)
}

fn optional_text(field: &str, raw: Option<&str>, max: usize) -> Result<String, CatalogError> {
    let s = raw.map(str::trim).unwrap_or("").to_owned();
    if s.chars().count() > max {
        return Err(CatalogError::field(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(s)
}

fn check_no_overlap<K: Ord + Copy>(
    list: &str,
    entries: &[(K, TimeRange)],
    what: &str,
) -> Result<(), CatalogError> {
    for (i, (k, r)) in entries.iter().enumerate() {
        if let Some(j) = entries[..i]
            .iter()
            .position(|(k2, r2)| k2 == k && r2.overlaps(r))
        {
            return Err(CatalogError::field(
                format!("{list}[{i}]"),
                format!("overlaps {list}[{j}]: {what}"),
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- locations

/// Weekly hours of a location or a staff member's break, on `weekday` (1 = Monday … 7).
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub struct WeeklyHoursInput {
    pub weekday: u8,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Copy, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct WeeklyHours {
    pub weekday: u8,
    pub start: WallTime,
    pub end: WallTime,
}

impl WeeklyHours {
    pub fn range(&self) -> TimeRange {
        TimeRange {
            start: self.start,
            end: self.end,
        }
    }
}

fn parse_weekly(list: &str, input: &[WeeklyHoursInput]) -> Result<Vec<WeeklyHours>, CatalogError> {
    let mut out = Vec::with_capacity(input.len());
    for (i, h) in input.iter().enumerate() {
        let at = format!("{list}[{i}]");
        let weekday = parse_weekday(&at, h.weekday)?;
        let r = TimeRange::parse(&at, &h.start, &h.end)?;
        out.push(WeeklyHours {
            weekday,
            start: r.start,
            end: r.end,
        });
    }
    let keyed: Vec<_> = out.iter().map(|h| (h.weekday, h.range())).collect();
    check_no_overlap(list, &keyed, "the same weekday twice")?;
    out.sort_by_key(|h| (h.weekday, h.start));
    Ok(out)
}

/// Create and patch alike: absent keys stay as they are (on create they take their defaults).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationRequest {
    pub name: Option<String>,
    pub address: Option<String>,
    /// IANA name, e.g. `Europe/Paris`; working hours at this location are its wall clock.
    pub timezone: Option<String>,
    /// Replaces all opening hours; an empty list means "no opening hours set" (staff hours decide).
    pub opening_hours: Option<Vec<WeeklyHoursInput>>,
    pub active: Option<bool>,
}

#[derive(Debug, Default)]
pub struct LocationChanges {
    pub name: Option<String>,
    pub address: Option<String>,
    pub timezone: Option<Tz>,
    pub opening_hours: Option<Vec<WeeklyHours>>,
    pub active: Option<bool>,
}

impl LocationRequest {
    pub fn validate(&self, creating: bool) -> Result<LocationChanges, CatalogError> {
        if creating && self.timezone.is_none() {
            return Err(CatalogError::field("timezone", "timezone is required"));
        }
        Ok(LocationChanges {
            name: match (&self.name, creating) {
                (None, false) => None,
                (name, _) => Some(required_text("name", name.as_deref(), 150)?),
            },
            address: self
                .address
                .as_deref()
                .map(|a| optional_text("address", Some(a), 500))
                .transpose()?,
            timezone: self.timezone.as_deref().map(parse_timezone).transpose()?,
            opening_hours: self
                .opening_hours
                .as_deref()
                .map(|h| parse_weekly("opening_hours", h))
                .transpose()?,
            active: self.active,
        })
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Location {
    pub id: u64,
    pub name: String,
    pub address: String,
    pub timezone: String,
    pub active: bool,
    pub opening_hours: Vec<WeeklyHours>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

// ---------------------------------------------------------------- services

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryRequest {
    pub name: Option<String>,
    pub position: Option<i32>,
}

#[derive(Clone, Debug, Serialize, ToSchema, FromRow)]
pub struct Category {
    pub id: u64,
    pub name: String,
    pub position: i32,
}

impl CategoryRequest {
    pub fn validate(&self, creating: bool) -> Result<(Option<String>, Option<i32>), CatalogError> {
        let name = match (&self.name, creating) {
            (None, false) => None,
            (name, _) => Some(required_text("name", name.as_deref(), 150)?),
        };
        Ok((name, self.position))
    }
}

/// Per-service overrides of the site's time rules; `null` uses the site setting.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TimeRuleOverrides {
    pub min_booking_notice_minutes: Option<u32>,
    pub min_change_notice_minutes: Option<u32>,
    pub slot_interval_minutes: Option<u32>,
    pub max_booking_ahead_days: Option<u32>,
}

impl TimeRuleOverrides {
    fn validate(&self) -> Result<(), CatalogError> {
        const NINETY_DAYS: u32 = 90 * 24 * 60;
        let checks = [
            (
                "min_booking_notice_minutes",
                self.min_booking_notice_minutes,
                0,
                NINETY_DAYS,
            ),
            (
                "min_change_notice_minutes",
                self.min_change_notice_minutes,
                0,
                NINETY_DAYS,
            ),
            ("slot_interval_minutes", self.slot_interval_minutes, 5, 1440),
            (
                "max_booking_ahead_days",
                self.max_booking_ahead_days,
                1,
                3 * 366,
            ),
        ];
        for (name, value, min, max) in checks {
            if let Some(v) = value
                && !(min..=max).contains(&v)
            {
                return Err(CatalogError::field(
                    format!("time_rules.{name}"),
                    format!("between {min} and {max}"),
                ));
            }
        }
        Ok(())
    }
}

/// The time rules in force for one service: its overrides, else the site settings.
#[derive(Clone, Copy, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct TimeRules {
    pub min_booking_notice_minutes: u32,
    pub min_change_notice_minutes: u32,
    pub slot_interval_minutes: u32,
    pub max_booking_ahead_days: u32,
}

impl TimeRules {
    pub fn resolve(settings: &Settings, o: &TimeRuleOverrides) -> Self {
        Self {
            min_booking_notice_minutes: o
                .min_booking_notice_minutes
                .unwrap_or(settings.min_booking_notice_minutes),
            min_change_notice_minutes: o
                .min_change_notice_minutes
                .unwrap_or(settings.min_change_notice_minutes),
            slot_interval_minutes: o
                .slot_interval_minutes
                .unwrap_or(settings.slot_interval_minutes)
                .max(1),
            max_booking_ahead_days: o
                .max_booking_ahead_days
                .unwrap_or(settings.max_booking_ahead_days),
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddonInput {
    /// Present to change an existing add-on of this service; absent to add one.
    pub id: Option<u64>,
    pub name: String,
    pub price: Money,
    #[serde(default)]
    pub duration_minutes: u16,
    #[serde(default = "one")]
    pub max_quantity: u16,
}

fn one() -> u16 {
    1
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct Addon {
    pub id: u64,
    pub name: String,
    /// Extra price per unit.
    pub price: Money,
    /// Extra minutes per unit, added to the booking's duration.
    pub duration_minutes: u16,
    pub max_quantity: u16,
}

/// Create and patch alike. `category` is a category name (created when new); `category_id` an
/// existing one.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceRequest {
    pub name: Option<String>,
    pub category: Option<String>,
    pub category_id: Option<u64>,
    pub description: Option<String>,
    pub duration_minutes: Option<u16>,
    pub price: Option<Money>,
    /// People per session: above 1 it is a group session.
    pub capacity: Option<u16>,
    pub buffer_before_minutes: Option<u16>,
    pub buffer_after_minutes: Option<u16>,
    /// Replaces the locations offering it; empty = every location where its staff work.
    pub location_ids: Option<Vec<u64>>,
    /// Replaces the staff performing it.
    pub staff_ids: Option<Vec<u64>>,
    /// Replaces the add-ons: listed ones are kept or added, the others retired.
    pub addons: Option<Vec<AddonInput>>,
    /// Replaces the overrides of the site's time rules.
    pub time_rules: Option<TimeRuleOverrides>,
    pub active: Option<bool>,
}

#[derive(Debug, Default)]
pub enum CategoryChoice {
    #[default]
    Keep,
    Named(String),
    Id(u64),
    None,
}

#[derive(Debug, Default)]
pub struct ServiceChanges {
    pub name: Option<String>,
    pub category: CategoryChoice,
    pub description: Option<String>,
    pub duration_minutes: Option<u16>,
    pub price: Option<Money>,
    pub capacity: Option<u16>,
    pub buffer_before_minutes: Option<u16>,
    pub buffer_after_minutes: Option<u16>,
    pub location_ids: Option<Vec<u64>>,
    pub staff_ids: Option<Vec<u64>>,
    pub addons: Option<Vec<AddonInput>>,
    pub time_rules: Option<TimeRuleOverrides>,
    pub active: Option<bool>,
}

fn dedup(ids: &[u64]) -> Vec<u64> {
    ids.iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

impl ServiceRequest {
    pub fn validate(&self, creating: bool) -> Result<ServiceChanges, CatalogError> {
        if creating {
            if self.duration_minutes.is_none() {
                return Err(CatalogError::field(
                    "duration_minutes",
                    "duration_minutes is required",
                ));
            }
            if self.price.is_none() {
                return Err(CatalogError::field("price", "price is required"));
            }
        }
        let category = match (&self.category, self.category_id) {
            (Some(_), Some(_)) => {
                return Err(CatalogError::field(
                    "category",
                    "give category or category_id, not both",
                ));
            }
            (Some(name), None) if name.trim().is_empty() => CategoryChoice::None,
            (Some(name), None) => {
                CategoryChoice::Named(required_text("category", Some(name), 150)?)
            }
            (None, Some(id)) => CategoryChoice::Id(id),
            (None, None) => CategoryChoice::Keep,
        };
        if let Some(d) = self.duration_minutes
            && !(5..=1440).contains(&d)
        {
            return Err(CatalogError::field(
                "duration_minutes",
                "between 5 and 1440",
            ));
        }
        if let Some(p) = self.price
            && p.is_negative()
        {
            return Err(CatalogError::field("price", "may not be negative"));
        }
        if let Some(c) = self.capacity
            && !(1..=1000).contains(&c)
        {
            return Err(CatalogError::field("capacity", "between 1 and 1000"));
        }
        for (field, v) in [
            ("buffer_before_minutes", self.buffer_before_minutes),
            ("buffer_after_minutes", self.buffer_after_minutes),
        ] {
            if v.is_some_and(|v| v > 720) {
                return Err(CatalogError::field(field, "between 0 and 720"));
            }
        }
        if let Some(addons) = &self.addons {
            for (i, a) in addons.iter().enumerate() {
                let at = format!("addons[{i}]");
                required_text(&format!("{at}.name"), Some(&a.name), 150)?;
                if a.price.is_negative() {
                    return Err(CatalogError::field(
                        format!("{at}.price"),
                        "may not be negative",
                    ));
                }
                if a.duration_minutes > 720 {
                    return Err(CatalogError::field(
                        format!("{at}.duration_minutes"),
                        "between 0 and 720",
                    ));
                }
                if !(1..=100).contains(&a.max_quantity) {
                    return Err(CatalogError::field(
                        format!("{at}.max_quantity"),
                        "between 1 and 100",
                    ));
                }
            }
        }
        if let Some(t) = &self.time_rules {
            t.validate()?;
        }
        Ok(ServiceChanges {
            name: match (&self.name, creating) {
                (None, false) => None,
                (name, _) => Some(required_text("name", name.as_deref(), 150)?),
            },
            category,
            description: self
                .description
                .as_deref()
                .map(|d| optional_text("description", Some(d), 5000))
                .transpose()?,
            duration_minutes: self.duration_minutes,
            price: self.price,
            capacity: self.capacity,
            buffer_before_minutes: self.buffer_before_minutes,
            buffer_after_minutes: self.buffer_after_minutes,
            location_ids: self.location_ids.as_deref().map(dedup),
            staff_ids: self.staff_ids.as_deref().map(dedup),
            addons: self.addons.clone().map(|mut a| {
                for addon in &mut a {
                    addon.name = addon.name.trim().to_owned();
                }
                a
            }),
            time_rules: self.time_rules,
            active: self.active,
        })
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Service {
    pub id: u64,
    pub category_id: Option<u64>,
    pub category: Option<String>,
    pub name: String,
    pub description: String,
    pub duration_minutes: u16,
    pub price: Money,
    pub capacity: u16,
    pub buffer_before_minutes: u16,
    pub buffer_after_minutes: u16,
    /// Empty: offered wherever its staff work.
    pub location_ids: Vec<u64>,
    pub staff_ids: Vec<u64>,
    pub addons: Vec<Addon>,
    /// The overrides as set; `null` keys follow the site settings.
    pub time_rules: TimeRuleOverrides,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Service {
    /// Whether the longest booking this service allows (every add-on at its maximum quantity,
    /// both buffers) still fits `MAX_HOLD_MINUTES`.
    pub fn longest_hold_minutes(&self) -> u32 {
        u32::from(self.duration_minutes)
            + u32::from(self.buffer_before_minutes)
            + u32::from(self.buffer_after_minutes)
            + self
                .addons
                .iter()
                .map(|a| u32::from(a.duration_minutes) * u32::from(a.max_quantity))
                .sum::<u32>()
    }
}

// ---------------------------------------------------------------- staff

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub struct StaffHoursInput {
    pub location_id: u64,
    pub weekday: u8,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Copy, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct StaffHours {
    pub location_id: u64,
    pub weekday: u8,
    pub start: WallTime,
    pub end: WallTime,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub struct DayOffInput {
    pub date: NaiveDate,
    /// Last day off, inclusive; absent for a single day.
    pub until: Option<NaiveDate>,
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct DayOff {
    pub date: NaiveDate,
    pub until: NaiveDate,
    pub reason: String,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub struct SpecialDayInput {
    pub date: NaiveDate,
    pub location_id: u64,
    pub start: String,
    pub end: String,
}

/// On `date` the staff member works exactly its special hours, instead of the weekly ones.
#[derive(Clone, Copy, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct SpecialDay {
    pub date: NaiveDate,
    pub location_id: u64,
    pub start: WallTime,
    pub end: WallTime,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffRequest {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// The WordPress user this employee logs in as.
    pub wp_user_id: Option<u64>,
    /// Replaces the services performed.
    pub service_ids: Option<Vec<u64>>,
    /// Replaces the weekly hours; wall-clock in each location's time zone.
    pub working_hours: Option<Vec<StaffHoursInput>>,
    /// Replaces the weekly breaks (wall-clock, cut out of that weekday's hours).
    pub breaks: Option<Vec<WeeklyHoursInput>>,
    /// Replaces the days off.
    pub days_off: Option<Vec<DayOffInput>>,
    /// Replaces the special days.
    pub special_days: Option<Vec<SpecialDayInput>>,
    pub active: Option<bool>,
}

#[derive(Debug, Default)]
pub struct StaffChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<Option<Email>>,
    pub phone: Option<Option<Phone>>,
    pub wp_user_id: Option<Option<u64>>,
    pub service_ids: Option<Vec<u64>>,
    pub working_hours: Option<Vec<StaffHours>>,
    pub breaks: Option<Vec<WeeklyHours>>,
    pub days_off: Option<Vec<DayOff>>,
    pub special_days: Option<Vec<SpecialDay>>,
    pub active: Option<bool>,
}

impl StaffRequest {
    pub fn validate(&self, creating: bool) -> Result<StaffChanges, CatalogError> {
        let email = self
            .email
            .as_deref()
            .map(|e| {
                let e = e.trim();
                if e.is_empty() {
                    Ok(None)
                } else {
                    Email::parse(e)
                        .map(Some)
                        .map_err(|err| CatalogError::field("email", err.to_string()))
                }
            })
            .transpose()?;
        let phone = self
            .phone
            .as_deref()
            .map(|p| {
                let p = p.trim();
                if p.is_empty() {
                    Ok(None)
                } else {
                    Phone::parse(p)
                        .map(Some)
                        .map_err(|err| CatalogError::field("phone", err.to_string()))
                }
            })
            .transpose()?;
        let working_hours = self
            .working_hours
            .as_deref()
            .map(|list| {
                let mut out = Vec::with_capacity(list.len());
                for (i, h) in list.iter().enumerate() {
                    let at = format!("working_hours[{i}]");
                    let weekday = parse_weekday(&at, h.weekday)?;
                    let r = TimeRange::parse(&at, &h.start, &h.end)?;
                    out.push(StaffHours {
                        location_id: h.location_id,
                        weekday,
                        start: r.start,
                        end: r.end,
                    });
                }
                let keyed: Vec<_> = out
                    .iter()
                    .map(|h| (h.weekday, TimeRange::new(h.start, h.end).unwrap_or(ZERO)))
                    .collect();
                // One person cannot be at two places, or work one hour twice.
                check_no_overlap("working_hours", &keyed, "the same weekday twice")?;
                out.sort_by_key(|h| (h.weekday, h.start));
                Ok::<_, CatalogError>(out)
            })
            .transpose()?;
        let days_off = self
            .days_off
            .as_deref()
            .map(|list| {
                list.iter()
                    .enumerate()
                    .map(|(i, d)| {
                        let until = d.until.unwrap_or(d.date);
                        if until < d.date {
                            return Err(CatalogError::field(
                                format!("days_off[{i}].until"),
                                "may not be before date",
                            ));
                        }
                        Ok(DayOff {
                            date: d.date,
                            until,
                            reason: optional_text(
                                &format!("days_off[{i}].reason"),
                                d.reason.as_deref(),
                                200,
                            )?,
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let special_days = self
            .special_days
            .as_deref()
            .map(|list| {
                let mut out = Vec::with_capacity(list.len());
                for (i, d) in list.iter().enumerate() {
                    let r = TimeRange::parse(&format!("special_days[{i}]"), &d.start, &d.end)?;
                    out.push(SpecialDay {
                        date: d.date,
                        location_id: d.location_id,
                        start: r.start,
                        end: r.end,
                    });
                }
                let keyed: Vec<_> = out
                    .iter()
                    .map(|d| (d.date, TimeRange::new(d.start, d.end).unwrap_or(ZERO)))
                    .collect();
                check_no_overlap("special_days", &keyed, "the same date twice")?;
                out.sort_by_key(|d| (d.date, d.start));
                Ok::<_, CatalogError>(out)
            })
            .transpose()?;
        Ok(StaffChanges {
            first_name: match (&self.first_name, creating) {
                (None, false) => None,
                (n, _) => Some(required_text("first_name", n.as_deref(), 100)?),
            },
            last_name: self
                .last_name
                .as_deref()
                .map(|n| optional_text("last_name", Some(n), 100))
                .transpose()?,
            email,
            phone,
            wp_user_id: self.wp_user_id.map(|id| (id > 0).then_some(id)),
            service_ids: self.service_ids.as_deref().map(dedup),
            working_hours,
            breaks: self
                .breaks
                .as_deref()
                .map(|b| parse_weekly("breaks", b))
                .transpose()?,
            days_off,
            special_days,
            active: self.active,
        })
    }
}

const ZERO: TimeRange = TimeRange {
    start: WallTime::MIDNIGHT,
    end: WallTime::MIDNIGHT,
};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Staff {
    pub id: u64,
    pub wp_user_id: Option<u64>,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub service_ids: Vec<u64>,
    pub working_hours: Vec<StaffHours>,
    pub breaks: Vec<WeeklyHours>,
    pub days_off: Vec<DayOff>,
    pub special_days: Vec<SpecialDay>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What clients and guests see of a staff member.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StaffCard {
    pub id: u64,
    pub first_name: String,
    pub last_name: String,
}

impl From<&Staff> for StaffCard {
    fn from(s: &Staff) -> Self {
        Self {
            id: s.id,
            first_name: s.first_name.clone(),
            last_name: s.last_name.clone(),
        }
    }
}

impl Staff {
    /// The locations this staff member works at, by weekly or special hours.
    pub fn location_ids(&self) -> BTreeSet<u64> {
        self.working_hours
            .iter()
            .map(|h| h.location_id)
            .chain(self.special_days.iter().map(|d| d.location_id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_times() {
        assert_eq!(WallTime::parse("09:00"), Some(WallTime(540)));
        assert_eq!(WallTime::parse("9:05"), Some(WallTime(545)));
        assert_eq!(WallTime::parse("24:00"), Some(WallTime::END_OF_DAY));
        for bad in [
            "24:01", "9", "09:0", "09:60", "-1:00", "ab:cd", "", "009:00",
        ] {
            assert_eq!(WallTime::parse(bad), None, "{bad}");
        }
        assert_eq!(WallTime(545).to_string(), "09:05");
    }

    fn hours(weekday: u8, start: &str, end: &str) -> WeeklyHoursInput {
        WeeklyHoursInput {
            weekday,
            start: start.into(),
            end: end.into(),
        }
    }

    #[test]
    fn weekly_hours_are_checked() {
        let ok = parse_weekly(
            "h",
            &[hours(2, "13:00", "17:00"), hours(2, "09:00", "12:00")],
        )
        .expect("valid");
        assert_eq!(ok[0].start.to_string(), "09:00");
        let err = |list: &[WeeklyHoursInput]| match parse_weekly("h", list) {
            Err(CatalogError::Field { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(err(&[hours(0, "09:00", "10:00")]), "h[0].weekday");
        assert_eq!(err(&[hours(1, "10:00", "09:00")]), "h[0].end");
        assert_eq!(err(&[hours(1, "24:00", "24:00")]), "h[0].start");
        assert_eq!(
            err(&[hours(1, "09:00", "12:00"), hours(1, "11:00", "13:00")]),
            "h[1]"
        );
        assert!(
            parse_weekly(
                "h",
                &[hours(1, "09:00", "12:00"), hours(1, "12:00", "13:00")]
            )
            .is_ok()
        );
    }

    #[test]
    fn staff_cannot_work_two_places_at_once() {
        let r = StaffRequest {
            first_name: Some("Bo".into()),
            working_hours: Some(vec![
                StaffHoursInput {
                    location_id: 1,
                    weekday: 1,
                    start: "09:00".into(),
                    end: "17:00".into(),
                },
                StaffHoursInput {
                    location_id: 2,
                    weekday: 1,
                    start: "16:00".into(),
                    end: "18:00".into(),
                },
            ]),
            ..Default::default()
        };
        assert!(matches!(
            r.validate(true),
            Err(CatalogError::Field { field, .. }) if field == "working_hours[1]"
        ));
    }

    #[test]
    fn time_rules_fall_back_to_settings() {
        let settings = Settings::default();
        let rules = TimeRules::resolve(
            &settings,
            &TimeRuleOverrides {
                slot_interval_minutes: Some(30),
                ..Default::default()
            },
        );
        assert_eq!(rules.slot_interval_minutes, 30);
        assert_eq!(
            rules.min_booking_notice_minutes,
            settings.min_booking_notice_minutes
        );
    }

    #[test]
    fn service_needs_duration_and_price() {
        let r = ServiceRequest {
            name: Some("Cut".into()),
            price: Some(Money::ZERO),
            ..Default::default()
        };
        assert!(
            matches!(r.validate(true), Err(CatalogError::Field { field, .. }) if field == "duration_minutes")
        );
        let r = ServiceRequest {
            duration_minutes: Some(30),
            ..r
        };
        assert!(r.validate(true).is_ok());
        assert!(ServiceRequest::default().validate(false).is_ok());
    }
}
