use super::{
    TimeRange, WallTime, WeeklyHours, WeeklyHoursInput, check_no_overlap, dedup, optional_text,
    parse_weekday, parse_weekly, required_text,
};
use crate::{
    catalog::CatalogError,
    clients::{Email, Phone},
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use utoipa::ToSchema;

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
}
