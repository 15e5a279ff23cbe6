//! The minimalist calendar and the keyset cursor of booking lists.
use super::{BookingRow, PaymentStatus, Status, view::Booking};
use crate::bookings::BookingError;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// Keyset cursor of a booking list: the last row's start (µs since the epoch) and id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub start: DateTime<Utc>,
    pub id: u64,
}

impl Cursor {
    pub fn of(b: &BookingRow) -> Self {
        Self {
            start: b.start,
            id: b.id,
        }
    }

    pub fn encode(self) -> String {
        format!("{}_{}", self.start.timestamp_micros(), self.id)
    }

    pub fn parse(raw: &str) -> Result<Self, BookingError> {
        let bad = || BookingError::field("cursor", "not a cursor from a previous page");
        let (micros, id) = raw.split_once('_').ok_or_else(bad)?;
        let start =
            DateTime::from_timestamp_micros(micros.parse().map_err(|_| bad())?).ok_or_else(bad)?;
        Ok(Self {
            start,
            id: id.parse().map_err(|_| bad())?,
        })
    }
}

/// One entry of the minimalist calendar: time, service, staff, status.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CalendarItem {
    pub id: u64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Start on the calendar's wall clock, `HH:MM`.
    pub time: String,
    pub service: String,
    pub staff: String,
    pub client: String,
    pub status: Status,
    pub payment_status: PaymentStatus,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CalendarDay {
    pub date: chrono::NaiveDate,
    pub bookings: Vec<CalendarItem>,
}

/// Only days with bookings, in the order of the list they were made from.
pub fn calendar(zone: chrono_tz::Tz, bookings: &[Booking]) -> Vec<CalendarDay> {
    let mut days: Vec<CalendarDay> = Vec::new();
    for b in bookings {
        let local = b.start.with_timezone(&zone);
        let date = local.date_naive();
        let item = CalendarItem {
            id: b.id,
            start: b.start,
            end: b.end,
            time: local.format("%H:%M").to_string(),
            service: b.service_name.clone().unwrap_or_default(),
            staff: b.staff_name.clone().unwrap_or_default(),
            client: b.client_name.clone().unwrap_or_default(),
            status: b.status,
            payment_status: b.payment_status,
        };
        match days.iter_mut().find(|d| d.date == date) {
            Some(day) => day.bookings.push(item),
            None => days.push(CalendarDay {
                date,
                bookings: vec![item],
            }),
        }
    }
    days
}
