//! What a booking list asks for: the query every list of bookings reads (the API's, the admin
//! screens', the client profile's tab), turned into one filter and one page request.
use super::{Cursor, PaymentStatus, Status};
use crate::{bookings::BookingError, paging::PageRequest};
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

/// Filters of a booking list. `ascending`: soonest first; otherwise latest first.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub client_id: Option<u64>,
    pub staff_id: Option<u64>,
    pub location_id: Option<u64>,
    pub service_id: Option<u64>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub statuses: Vec<Status>,
    pub payment_statuses: Vec<PaymentStatus>,
    pub ascending: bool,
}

#[derive(Clone, Debug, Default, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// upcoming (default: from now on, soonest first), past (latest first) or all (latest first).
    pub scope: Option<String>,
    /// A date (in `timezone`) or an RFC 3339 instant; inclusive.
    pub from: Option<String>,
    /// A date (in `timezone`, that whole day) or an RFC 3339 instant; exclusive.
    pub to: Option<String>,
    /// Comma-separated: pending, confirmed, cancelled, completed, no_show.
    pub status: Option<String>,
    /// Comma-separated: unpaid, pending, partially_paid, paid, refunded.
    pub payment_status: Option<String>,
    pub client_id: Option<u64>,
    pub staff_id: Option<u64>,
    pub location_id: Option<u64>,
    pub service_id: Option<u64>,
    /// IANA zone the dates are read in and the calendar is grouped by; UTC by default.
    pub timezone: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u16>,
}

impl ListQuery {
    pub fn zone(&self) -> Result<Tz, BookingError> {
        self.timezone
            .as_deref()
            .unwrap_or("UTC")
            .parse()
            .map_err(|_| BookingError::field("timezone", "an IANA time zone like Europe/Paris"))
    }

    /// The filter and the page this query asks for, `now` deciding what is upcoming.
    pub fn filter(
        &self,
        default_limit: u16,
        now: DateTime<Utc>,
    ) -> Result<(ListFilter, PageRequest<Cursor>), BookingError> {
        let zone = self.zone()?;
        let mut f = ListFilter {
            client_id: self.client_id,
            staff_id: self.staff_id,
            location_id: self.location_id,
            service_id: self.service_id,
            from: self
                .from
                .as_deref()
                .map(|v| bound(v, zone, false, "from"))
                .transpose()?,
            to: self
                .to
                .as_deref()
                .map(|v| bound(v, zone, true, "to"))
                .transpose()?,
            statuses: parse_list(self.status.as_deref(), Status::parse, "status")?,
            payment_statuses: parse_list(
                self.payment_status.as_deref(),
                PaymentStatus::parse,
                "payment_status",
            )?,
            ascending: false,
        };
        match self.scope.as_deref().unwrap_or("upcoming") {
            "upcoming" => {
                f.ascending = true;
                f.from = Some(f.from.map_or(now, |from| from.max(now)));
            }
            "past" => f.to = Some(f.to.map_or(now, |to| to.min(now))),
            "all" => {}
            _ => return Err(BookingError::field("scope", "upcoming, past or all")),
        }
        let after = self.cursor.as_deref().map(Cursor::parse).transpose()?;
        Ok((
            f,
            PageRequest::new(after, Some(self.limit.unwrap_or(default_limit))),
        ))
    }
}

/// A bound of a period: an RFC 3339 instant as it is, or a date's midnight in `zone` (for
/// `end`, the midnight after it, so the whole day is in).
fn bound(raw: &str, zone: Tz, end: bool, field: &str) -> Result<DateTime<Utc>, BookingError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| BookingError::field(field, "a date (2026-01-31) or an RFC 3339 instant"))?;
    let date = if end {
        date.succ_opt().unwrap_or(date)
    } else {
        date
    };
    Ok(midnight(date, zone))
}

/// The first instant of a day in `zone` (a day starting in a DST gap starts when the gap ends).
pub fn midnight(date: NaiveDate, zone: Tz) -> DateTime<Utc> {
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    midnight
        .and_local_timezone(zone)
        .earliest()
        .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
}

fn parse_list<T: Copy>(
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    field: &str,
) -> Result<Vec<T>, BookingError> {
    raw.unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse(s).ok_or_else(|| BookingError::field(field, format!("unknown value {s:?}"))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_read_in_the_query_s_zone_and_to_takes_the_whole_day() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .expect("instant")
            .with_timezone(&Utc);
        let q = ListQuery {
            scope: Some("all".into()),
            from: Some("2026-03-10".into()),
            to: Some("2026-03-10".into()),
            status: Some("pending, confirmed".into()),
            location_id: Some(4),
            timezone: Some("Europe/Paris".into()),
            ..ListQuery::default()
        };
        let (f, page) = q.filter(20, now).expect("a filter");
        assert_eq!(
            f.from.expect("from").to_rfc3339(),
            "2026-03-09T23:00:00+00:00"
        );
        assert_eq!(f.to.expect("to").to_rfc3339(), "2026-03-10T23:00:00+00:00");
        assert_eq!(f.statuses, vec![Status::Pending, Status::Confirmed]);
        assert_eq!(f.location_id, Some(4));
        assert!(!f.ascending);
        assert_eq!((page.after, page.limit), (None, 20));
    }

    #[test]
    fn upcoming_starts_now_and_bad_values_name_their_field() {
        let now = Utc::now();
        let (f, _) = ListQuery::default().filter(50, now).expect("a filter");
        assert_eq!(f.from, Some(now));
        assert!(f.ascending);
        for (q, field) in [
            (
                ListQuery {
                    scope: Some("soon".into()),
                    ..ListQuery::default()
                },
                "scope",
            ),
            (
                ListQuery {
                    from: Some("31/01/2026".into()),
                    ..ListQuery::default()
                },
                "from",
            ),
            (
                ListQuery {
                    status: Some("done".into()),
                    ..ListQuery::default()
                },
                "status",
            ),
            (
                ListQuery {
                    timezone: Some("Mars/Base".into()),
                    ..ListQuery::default()
                },
                "timezone",
            ),
            (
                ListQuery {
                    cursor: Some("x".into()),
                    ..ListQuery::default()
                },
                "cursor",
            ),
        ] {
            match q.filter(50, now) {
                Err(BookingError::Field { field: f, .. }) => assert_eq!(f, field),
                other => panic!("{field}: {other:?}"),
            }
        }
    }
}
