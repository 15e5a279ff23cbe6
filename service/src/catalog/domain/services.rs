use super::{dedup, optional_text, required_text};
use crate::{catalog::CatalogError, money::Money, settings::Settings};
use chrono::{DateTime, Utc};
use mysql_async::prelude::FromRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    /// The fewest a booking that chooses it takes; 1 unless given.
    #[serde(default = "one")]
    pub min_quantity: u16,
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
    /// A booking that chooses it takes `min_quantity` to `max_quantity` of it.
    pub min_quantity: u16,
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
    /// Order within its category (smaller first, then by name).
    pub position: Option<i32>,
    /// `false` deactivates: no longer offered, its bookings and history kept.
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
    pub position: Option<i32>,
    pub active: Option<bool>,
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
                if a.min_quantity < 1 || a.min_quantity > a.max_quantity {
                    return Err(CatalogError::field(
                        format!("{at}.min_quantity"),
                        "between 1 and the most per booking",
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
            position: self.position,
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
    /// Order within its category (smaller first, then by name).
    pub position: i32,
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

#[cfg(test)]
mod tests {
    use super::*;

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
