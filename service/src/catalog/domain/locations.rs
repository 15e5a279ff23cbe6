use super::{
    TimeRange, WeeklyHours, WeeklyHoursInput, check_no_overlap, optional_text, parse_timezone,
    parse_weekly, required_text,
};
use crate::catalog::CatalogError;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    /// Replaces all special days: dates closed, or open at other hours than the weekly ones.
    pub special_days: Option<Vec<LocationSpecialDayInput>>,
    pub active: Option<bool>,
}

/// A period of a special day, wall clock of the location.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct PeriodInput {
    pub start: String,
    pub end: String,
}

/// One date: closed all day, or open during `periods` instead of that weekday's hours.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LocationSpecialDayInput {
    pub date: NaiveDate,
    /// Absent: closed when no period is given.
    pub closed: Option<bool>,
    #[serde(default)]
    pub periods: Vec<PeriodInput>,
}

/// A date on which the location is closed (`periods` empty) or open at other hours.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct LocationSpecialDay {
    pub date: NaiveDate,
    pub closed: bool,
    pub periods: Vec<Period>,
}

#[derive(Clone, Copy, Debug, Serialize, ToSchema, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub start: super::WallTime,
    pub end: super::WallTime,
}

impl Period {
    pub fn range(self) -> TimeRange {
        TimeRange {
            start: self.start,
            end: self.end,
        }
    }
}

fn parse_special_days(
    input: &[LocationSpecialDayInput],
) -> Result<Vec<LocationSpecialDay>, CatalogError> {
    let mut out: Vec<LocationSpecialDay> = Vec::with_capacity(input.len());
    for (i, d) in input.iter().enumerate() {
        let at = format!("special_days[{i}]");
        if let Some(j) = out.iter().position(|o| o.date == d.date) {
            return Err(CatalogError::field(
                format!("{at}.date"),
                format!("the same date as special_days[{j}]"),
            ));
        }
        match (d.closed, d.periods.is_empty()) {
            (Some(true), false) => {
                return Err(CatalogError::field(
                    format!("{at}.periods"),
                    "a closed day has no opening hours",
                ));
            }
            (Some(false), true) => {
                return Err(CatalogError::field(
                    format!("{at}.periods"),
                    "give the opening hours of this day, or mark it closed",
                ));
            }
            _ => {}
        }
        let mut periods = Vec::with_capacity(d.periods.len());
        for (k, p) in d.periods.iter().enumerate() {
            let r = TimeRange::parse(&format!("{at}.periods[{k}]"), &p.start, &p.end)?;
            periods.push(((), r));
        }
        check_no_overlap(&format!("{at}.periods"), &periods, "periods of one day")?;
        let mut periods: Vec<Period> = periods
            .into_iter()
            .map(|((), r)| Period {
                start: r.start,
                end: r.end,
            })
            .collect();
        periods.sort();
        out.push(LocationSpecialDay {
            date: d.date,
            closed: periods.is_empty(),
            periods,
        });
    }
    out.sort_by_key(|d| d.date);
    Ok(out)
}

#[derive(Debug, Default)]
pub struct LocationChanges {
    pub name: Option<String>,
    pub address: Option<String>,
    pub timezone: Option<Tz>,
    pub opening_hours: Option<Vec<WeeklyHours>>,
    pub special_days: Option<Vec<LocationSpecialDay>>,
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
            special_days: self
                .special_days
                .as_deref()
                .map(parse_special_days)
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
    /// Dates closed or open at other hours, oldest first.
    pub special_days: Vec<LocationSpecialDay>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(date: &str, periods: &[(&str, &str)]) -> LocationSpecialDayInput {
        LocationSpecialDayInput {
            date: date.parse().expect("date"),
            closed: None,
            periods: periods
                .iter()
                .map(|(start, end)| PeriodInput {
                    start: (*start).into(),
                    end: (*end).into(),
                })
                .collect(),
        }
    }

    fn field(list: &[LocationSpecialDayInput]) -> String {
        match parse_special_days(list) {
            Err(CatalogError::Field { field, .. }) => field,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn special_days_are_closed_or_other_hours() {
        let days = parse_special_days(&[
            day("2026-12-26", &[("14:00", "18:00"), ("09:00", "12:00")]),
            day("2026-12-25", &[]),
        ])
        .expect("valid");
        assert_eq!(days[0].date.to_string(), "2026-12-25");
        assert!(days[0].closed);
        assert!(!days[1].closed);
        assert_eq!(days[1].periods[0].start.to_string(), "09:00");

        assert_eq!(
            field(&[day("2026-12-25", &[]), day("2026-12-25", &[])]),
            "special_days[1].date"
        );
        let mut open_without_hours = day("2026-12-25", &[]);
        open_without_hours.closed = Some(false);
        assert_eq!(field(&[open_without_hours]), "special_days[0].periods");
        assert_eq!(
            field(&[day("2026-12-25", &[("12:00", "09:00")])]),
            "special_days[0].periods[0].end"
        );
        assert_eq!(
            field(&[day("2026-12-25", &[("09:00", "12:00"), ("11:00", "13:00")])]),
            "special_days[0].periods[1]"
        );
    }
}
