//! The catalog's validated shapes. Wall times, weekly hours and the text and overlap checks are
//! shared by locations, services and staff, so they live here; each of those has its own file.
use super::CatalogError;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeSet;
use utoipa::ToSchema;

mod locations;
mod services;
mod staff;

pub use locations::*;
pub use services::*;
pub use staff::*;

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

fn dedup(ids: &[u64]) -> Vec<u64> {
    ids.iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
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
}
