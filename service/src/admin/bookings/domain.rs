//! The pure parts of the Bookings, Calendar and booking details screens: what their query strings
//! ask for, the query strings that keep their state in links, the period a calendar shows, and
//! the rows their templates print (times on the booking location's wall clock).
use crate::{
    admin::{
        AdminError,
        display::Formats,
        picker::{DateLabel, TimeLabel},
        profile::{Choice, plain_page},
    },
    bookings::{Booking, ListQuery},
};
use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use std::collections::BTreeMap;

/// Rows per page of the Bookings list, as wp-admin's own lists show by default.
pub const LIST_ROWS: u16 = 20;

/// The Bookings screen's filters, in the order its links carry them.
const LIST_FILTERS: &[&str] = &[
    "scope",
    "from",
    "to",
    "staff_id",
    "location_id",
    "service_id",
    "status",
    "payment_status",
    "cursor",
];

fn id_value(value: &str, name: &str) -> Result<Option<u64>, AdminError> {
    match value {
        "" => Ok(None),
        v => v.parse().map(Some).map_err(|_| {
            AdminError::Query(format!("{name} is the id of a {}", &name[..name.len() - 3]))
        }),
    }
}

/// What the Bookings page's query string asks for: the list, or one booking's panel.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    List(ListState),
    Panel(PanelState),
}

impl Route {
    pub fn parse(raw: Option<&str>) -> Result<Self, AdminError> {
        let mut page = None;
        let mut booking = None;
        let mut tab = None;
        let mut values = BTreeMap::new();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "page" => page = plain_page(value),
                "booking" => booking = id_value(value, "booking_id")?,
                "tab" => tab = Some(value.to_owned()),
                key => {
                    if let Some(name) = LIST_FILTERS.iter().find(|f| **f == key)
                        && !value.is_empty()
                    {
                        values.insert(*name, value.to_owned());
                    }
                }
            }
        }
        let page = page.unwrap_or_else(|| "volixta-bookings".to_owned());
        let Some(booking_id) = booking else {
            for name in ["staff_id", "location_id", "service_id"] {
                id_value(values.get(name).map_or("", String::as_str), name)?;
            }
            return Ok(Self::List(ListState { page, values }));
        };
        let tab = PanelTab::parse(tab.as_deref().unwrap_or("")).ok_or_else(|| {
            AdminError::Query("tab is details, customer, payment or actions".into())
        })?;
        Ok(Self::Panel(PanelState {
            page,
            booking_id,
            tab,
        }))
    }
}

/// The Bookings list's state: its filters and page.
#[derive(Clone, Debug, PartialEq)]
pub struct ListState {
    pub page: String,
    values: BTreeMap<&'static str, String>,
}

impl ListState {
    pub fn get(&self, name: &str) -> &str {
        self.values.get(name).map_or("", String::as_str)
    }

    pub fn id(&self, name: &str) -> Option<u64> {
        self.get(name).parse().ok()
    }

    /// The bookings domain's list query for this state, dates read in `zone`. Without dates the
    /// list shows what is coming; with them, the whole period.
    pub fn list_query(&self, zone: &str) -> ListQuery {
        let given = |name: &str| Some(self.get(name).to_owned()).filter(|v| !v.is_empty());
        let dated = given("from").is_some() || given("to").is_some();
        ListQuery {
            scope: given("scope").or_else(|| dated.then(|| "all".to_owned())),
            from: given("from"),
            to: given("to"),
            status: given("status"),
            payment_status: given("payment_status"),
            staff_id: self.id("staff_id"),
            location_id: self.id("location_id"),
            service_id: self.id("service_id"),
            timezone: Some(zone.to_owned()),
            cursor: given("cursor"),
            limit: Some(LIST_ROWS),
            ..ListQuery::default()
        }
    }

    /// The scope the list shows: what the manager chose, else as `list_query` decides.
    pub fn scope(&self) -> &str {
        match self.get("scope") {
            "" if self.get("from").is_empty() && self.get("to").is_empty() => "upcoming",
            "" => "all",
            other => other,
        }
    }

    /// `page=…` and the filters, from the first page: what links and actions carry.
    pub fn state(&self) -> String {
        self.encode(None)
    }

    pub fn after(&self, cursor: &str) -> String {
        self.encode(Some(cursor))
    }

    pub fn is_first_page(&self) -> bool {
        self.get("cursor").is_empty()
    }

    fn encode(&self, cursor: Option<&str>) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("page", &self.page);
        for (key, value) in self.values.iter().filter(|(k, _)| **k != "cursor") {
            out.append_pair(key, value);
        }
        if let Some(cursor) = cursor {
            out.append_pair("cursor", cursor);
        }
        out.finish()
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PanelTab {
    #[default]
    Details,
    Customer,
    Payment,
    Actions,
}

impl PanelTab {
    /// A tab by its name; none (or empty) is the first.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "" | "details" => Some(Self::Details),
            "customer" => Some(Self::Customer),
            "payment" => Some(Self::Payment),
            "actions" => Some(Self::Actions),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Details => "details",
            Self::Customer => "customer",
            Self::Payment => "payment",
            Self::Actions => "actions",
        }
    }
}

/// One booking's details panel: which booking and tab.
#[derive(Clone, Debug, PartialEq)]
pub struct PanelState {
    pub page: String,
    pub booking_id: u64,
    pub tab: PanelTab,
}

impl PanelState {
    /// `page=…&booking=…&tab=…`: the panel in this tab.
    pub fn query(&self, tab: PanelTab) -> String {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("page", &self.page)
            .append_pair("booking", &self.booking_id.to_string())
            .append_pair("tab", tab.name())
            .finish()
    }
}

/// The calendar's views.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CalendarView {
    Day,
    #[default]
    Week,
    Month,
}

impl CalendarView {
    pub fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

/// The Calendar screen's state: the view, the day it shows (or whose week or month), and who.
#[derive(Clone, Debug, PartialEq)]
pub struct CalendarState {
    pub page: String,
    pub view: CalendarView,
    pub date: Option<NaiveDate>,
    pub staff_id: Option<u64>,
    pub location_id: Option<u64>,
}

impl CalendarState {
    pub fn parse(raw: Option<&str>) -> Result<Self, AdminError> {
        let mut state = Self {
            page: "volixta-calendar".to_owned(),
            view: CalendarView::default(),
            date: None,
            staff_id: None,
            location_id: None,
        };
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "page" => {
                    if let Some(page) = plain_page(value) {
                        state.page = page;
                    }
                }
                "view" => {
                    state.view = match value {
                        "" | "week" => CalendarView::Week,
                        "day" => CalendarView::Day,
                        "month" => CalendarView::Month,
                        _ => return Err(AdminError::Query("view is day, week or month".into())),
                    };
                }
                "date" if !value.is_empty() => {
                    state.date =
                        Some(NaiveDate::parse_from_str(value, "%Y-%m-%d").map_err(|_| {
                            AdminError::Query("date is a date like 2026-01-31".into())
                        })?);
                }
                "staff_id" => state.staff_id = id_value(value, "staff_id")?,
                "location_id" => state.location_id = id_value(value, "location_id")?,
                _ => {}
            }
        }
        Ok(state)
    }

    /// This state's query with another view and day.
    pub fn at(&self, view: CalendarView, date: NaiveDate) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        out.append_pair("page", &self.page)
            .append_pair("view", view.name())
            .append_pair("date", &date.format("%Y-%m-%d").to_string());
        if let Some(id) = self.staff_id {
            out.append_pair("staff_id", &id.to_string());
        }
        if let Some(id) = self.location_id {
            out.append_pair("location_id", &id.to_string());
        }
        out.finish()
    }
}

/// The days a calendar view shows (`first..=last`), the days before and after it that the
/// previous and next buttons go to, and the weeks a month's grid is drawn in (`grid_first` is
/// the first day of the first row).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
    pub prev: NaiveDate,
    pub next: NaiveDate,
    pub grid_first: NaiveDate,
    pub grid_last: NaiveDate,
}

/// The first day of `date`'s week.
fn week_start(date: NaiveDate, sunday_first: bool) -> NaiveDate {
    let back = if sunday_first {
        date.weekday().num_days_from_sunday()
    } else {
        date.weekday().num_days_from_monday()
    };
    date - Duration::days(i64::from(back))
}

pub fn period(view: CalendarView, date: NaiveDate, sunday_first: bool) -> Period {
    match view {
        CalendarView::Day => Period {
            first: date,
            last: date,
            prev: date - Duration::days(1),
            next: date + Duration::days(1),
            grid_first: date,
            grid_last: date,
        },
        CalendarView::Week => {
            let first = week_start(date, sunday_first);
            let last = first + Duration::days(6);
            Period {
                first,
                last,
                prev: first - Duration::days(7),
                next: first + Duration::days(7),
                grid_first: first,
                grid_last: last,
            }
        }
        CalendarView::Month => {
            let first = date.with_day(1).unwrap_or(date);
            let next = first + Months::new(1);
            let last = next - Duration::days(1);
            let grid_first = week_start(first, sunday_first);
            let grid_last = week_start(last, sunday_first) + Duration::days(6);
            Period {
                first,
                last,
                prev: first - Months::new(1),
                next,
                grid_first,
                grid_last,
            }
        }
    }
}

/// The wall clock a booking is shown on: its location's zone.
pub fn zone_of(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::UTC)
}

/// A booking's time as the screens print it: the day and the start and end on `zone`'s clock,
/// and the zone's abbreviation (CET, EDT) so nobody takes it for their own.
#[derive(Clone, Debug, Serialize)]
pub struct When {
    pub date: DateLabel,
    pub start: TimeLabel,
    pub end: TimeLabel,
    pub zone: String,
    pub zone_name: String,
}

impl When {
    pub fn of(start: DateTime<Utc>, end: DateTime<Utc>, zone: Tz, twelve: bool) -> Self {
        let local = start.with_timezone(&zone);
        Self {
            date: DateLabel::of(local.date_naive()),
            start: TimeLabel::of(start, zone, twelve),
            end: TimeLabel::of(end, zone, twelve),
            zone: local.format("%Z").to_string(),
            zone_name: zone.name().to_owned(),
        }
    }
}

/// A booking as a row of the list or an item of the calendar.
#[derive(Clone, Debug, Serialize)]
pub struct Row {
    pub id: u64,
    pub when: When,
    pub service: String,
    pub staff: String,
    pub location: String,
    pub client: String,
    pub client_id: u64,
    pub people: u32,
    pub status: &'static str,
    pub payment_status: &'static str,
    pub total: String,
}

impl Row {
    /// `zones`: each location's zone by id; a booking of an unknown location shows in UTC.
    pub fn of(b: &Booking, zones: &BTreeMap<u64, String>, fmt: &Formats) -> Self {
        let zone = zones
            .get(&b.location_id)
            .map_or(chrono_tz::UTC, |z| zone_of(z));
        Self {
            id: b.id,
            when: When::of(b.start, b.end, zone, fmt.twelve),
            service: b.service_name.clone().unwrap_or_default(),
            staff: b.staff_name.clone().unwrap_or_default(),
            location: b.location_name.clone().unwrap_or_default(),
            client: b.client_name.clone().unwrap_or_default(),
            client_id: b.client_id,
            people: b.people,
            status: b.status.as_str(),
            payment_status: b.payment_status.as_str(),
            total: fmt.money_in(b.total, &b.currency),
        }
    }
}

/// The filters' options: one choice per id, the chosen one selected.
pub fn choices<'a>(
    items: impl Iterator<Item = (u64, &'a str)>,
    selected: Option<u64>,
) -> Vec<Choice> {
    items
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label: label.to_owned(),
            selected: selected == Some(id),
        })
        .collect()
}

/// One day of a calendar: its bookings in the order they start.
#[derive(Clone, Debug, Serialize)]
pub struct CalendarCell {
    pub date: DateLabel,
    /// The calendar's day view of this day.
    pub href: String,
    pub today: bool,
    /// Outside the month a month grid shows (its first and last rows pad the weeks).
    pub outside: bool,
    pub items: Vec<Row>,
}

/// The cells of `period.grid_first..=grid_last`, each with the rows that start on it in `zone`.
pub fn cells(
    period: &Period,
    rows: Vec<(NaiveDate, Row)>,
    today: NaiveDate,
    href: impl Fn(NaiveDate) -> String,
) -> Vec<CalendarCell> {
    let mut by_day: BTreeMap<NaiveDate, Vec<Row>> = BTreeMap::new();
    for (day, row) in rows {
        by_day.entry(day).or_default().push(row);
    }
    period
        .grid_first
        .iter_days()
        .take_while(|d| *d <= period.grid_last)
        .map(|d| CalendarCell {
            date: DateLabel::of(d),
            href: href(d),
            today: d == today,
            outside: d < period.first || d > period.last,
            items: by_day.remove(&d).unwrap_or_default(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("a date")
    }

    #[test]
    fn the_bookings_page_is_a_list_or_a_panel() {
        let Route::List(list) = Route::parse(Some(
            "page=volixta-bookings&staff_id=3&status=confirmed&cursor=9_4&rest_route=x",
        ))
        .expect("list") else {
            panic!("a list");
        };
        assert_eq!(
            list.state(),
            "page=volixta-bookings&staff_id=3&status=confirmed"
        );
        assert_eq!(
            list.after("12_7"),
            "page=volixta-bookings&staff_id=3&status=confirmed&cursor=12_7"
        );
        assert!(!list.is_first_page());
        assert_eq!(list.scope(), "upcoming");
        let q = list.list_query("Europe/Paris");
        assert_eq!((q.staff_id, q.scope), (Some(3), None));
        assert_eq!(q.timezone.as_deref(), Some("Europe/Paris"));
        let Route::List(dated) = Route::parse(Some("from=2026-01-01")).expect("list") else {
            panic!("a list");
        };
        assert_eq!(dated.list_query("UTC").scope.as_deref(), Some("all"));
        assert_eq!(
            Route::parse(Some("page=volixta-bookings&booking=5&tab=payment")).expect("panel"),
            Route::Panel(PanelState {
                page: "volixta-bookings".into(),
                booking_id: 5,
                tab: PanelTab::Payment
            })
        );
        assert!(Route::parse(Some("booking=x")).is_err());
        assert!(Route::parse(Some("booking=5&tab=secrets")).is_err());
        assert!(Route::parse(Some("staff_id=abc")).is_err());
    }

    #[test]
    fn calendar_periods() {
        let wed = day("2026-12-02");
        let week = period(CalendarView::Week, wed, false);
        assert_eq!(
            (week.first, week.last),
            (day("2026-11-30"), day("2026-12-06"))
        );
        assert_eq!(
            (week.prev, week.next),
            (day("2026-11-23"), day("2026-12-07"))
        );
        let us_week = period(CalendarView::Week, wed, true);
        assert_eq!(us_week.first, day("2026-11-29"));
        let month = period(CalendarView::Month, wed, false);
        assert_eq!(
            (month.first, month.last),
            (day("2026-12-01"), day("2026-12-31"))
        );
        assert_eq!(
            (month.grid_first, month.grid_last),
            (day("2026-11-30"), day("2027-01-03"))
        );
        assert_eq!(
            (month.prev, month.next),
            (day("2026-11-01"), day("2027-01-01"))
        );
        let d = period(CalendarView::Day, wed, false);
        assert_eq!(
            (d.prev, d.first, d.next),
            (day("2026-12-01"), wed, day("2026-12-03"))
        );
        let state =
            CalendarState::parse(Some("view=month&date=2026-12-02&staff_id=4")).expect("state");
        assert_eq!(
            state.at(CalendarView::Day, wed),
            "page=volixta-calendar&view=day&date=2026-12-02&staff_id=4"
        );
        assert!(CalendarState::parse(Some("view=year")).is_err());
        assert!(CalendarState::parse(Some("date=02/12/2026")).is_err());
    }

    #[test]
    fn times_are_on_the_location_s_clock() {
        let start = DateTime::parse_from_rfc3339("2026-12-01T09:00:00Z")
            .expect("instant")
            .with_timezone(&Utc);
        let w = When::of(
            start,
            start + Duration::minutes(90),
            zone_of("Europe/Paris"),
            false,
        );
        assert_eq!(
            (w.start.text.as_str(), w.end.text.as_str()),
            ("10:00", "11:30")
        );
        assert_eq!(w.zone, "CET");
        let ny = When::of(start, start, zone_of("America/New_York"), true);
        assert_eq!((ny.start.text.as_str(), ny.start.meridiem), ("4:00", "am"));
        assert_eq!(ny.date.iso, "2026-12-01");
    }
}
