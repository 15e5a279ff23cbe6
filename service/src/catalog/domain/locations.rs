use super::{
    WeeklyHours, WeeklyHoursInput, optional_text, parse_timezone, parse_weekly, required_text,
};
use crate::catalog::CatalogError;
use chrono::{DateTime, Utc};
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
