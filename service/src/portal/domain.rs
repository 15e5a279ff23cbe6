//! What the portal's address says (its state) and what its template shows. No database here.
use crate::{
    admin::{
        bookings::{PanelTab, When},
        picker::{DateLabel, TimeLabel},
    },
    bookings::{Booking, PaymentStatus, Status},
    money::{Money, format_with_currency},
    packages::{Group, GroupItem, Package, Use},
    wallet::{EntryKind, LedgerRow},
};
use chrono_tz::Tz;
use serde::Serialize;

/// The portal's state, from the page's query string (the plugin forwards it, and the browser's
/// remembered zone as `tz`). Unknown keys are ignored: the page may carry WordPress's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PortalState {
    /// The zone the client reads times in; none yet: the business's, until the browser says.
    pub tz: Option<Tz>,
    /// History filters, as typed (checked by the bookings list query).
    pub from: String,
    pub to: String,
    pub status: String,
    pub payment_status: String,
    pub cursor: String,
    /// The wallet history's page: movements before this id.
    pub wallet: Option<u64>,
    /// The booking whose sheet is open, and its tab.
    pub booking: Option<u64>,
    pub tab: PanelTab,
    /// The invoices list's page (its cursor), and the invoice whose detail is open.
    pub invoices: String,
    pub invoice: Option<u64>,
}

impl PortalState {
    /// Lenient by design: a value that means nothing (an old bookmark, a zone the browser no
    /// longer knows) is dropped rather than refused, since the portal must always show.
    /// Filters are kept as typed; the list query says what is wrong with them beside the field.
    pub fn parse(raw: Option<&str>) -> Self {
        let mut s = Self::default();
        for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
            let value = value.trim();
            match key.as_ref() {
                "tz" => s.tz = value.parse().ok(),
                "from" => s.from = value.to_owned(),
                "to" => s.to = value.to_owned(),
                "status" => s.status = value.to_owned(),
                "payment_status" => s.payment_status = value.to_owned(),
                "cursor" => s.cursor = value.to_owned(),
                "wallet" => s.wallet = value.parse().ok(),
                "booking" => s.booking = value.parse().ok(),
                "tab" => s.tab = PanelTab::parse(value).unwrap_or_default(),
                "invoices" => s.invoices = value.to_owned(),
                "invoice" => s.invoice = value.parse().ok(),
                _ => {}
            }
        }
        s
    }

    /// The query string of this state (empty values left out).
    pub fn query(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        if let Some(tz) = self.tz {
            out.append_pair("tz", tz.name());
        }
        for (key, value) in [
            ("from", &self.from),
            ("to", &self.to),
            ("status", &self.status),
            ("payment_status", &self.payment_status),
            ("cursor", &self.cursor),
        ] {
            if !value.is_empty() {
                out.append_pair(key, value);
            }
        }
        if let Some(before) = self.wallet {
            out.append_pair("wallet", &before.to_string());
        }
        if let Some(id) = self.booking {
            out.append_pair("booking", &id.to_string());
            out.append_pair("tab", self.tab.name());
        }
        if !self.invoices.is_empty() {
            out.append_pair("invoices", &self.invoices);
        }
        if let Some(id) = self.invoice {
            out.append_pair("invoice", &id.to_string());
        }
        out.finish()
    }

    /// The query of this state changed by `change`.
    pub fn with(&self, change: impl FnOnce(&mut Self)) -> String {
        let mut next = self.clone();
        change(&mut next);
        next.query()
    }

    /// The same portal with no booking sheet open.
    pub fn closed(&self) -> String {
        self.with(|s| s.booking = None)
    }

    /// A booking's sheet in a tab, the rest of the portal as it is.
    pub fn sheet(&self, id: u64, tab: PanelTab) -> String {
        self.with(|s| {
            s.booking = Some(id);
            s.tab = tab;
        })
    }
}

/// A booking as a card of the upcoming list, the calendar and the history.
#[derive(Clone, Debug, Serialize)]
pub struct Card {
    pub id: u64,
    /// The query that opens its sheet.
    pub href: String,
    pub when: When,
    pub service: String,
    pub staff: String,
    pub location: String,
    pub status: &'static str,
    pub payment_status: &'static str,
    pub total: String,
    /// What is left to pay, when anything is.
    pub due: Option<String>,
}

impl Card {
    pub fn of(b: &Booking, zone: Tz, twelve: bool, state: &PortalState) -> Self {
        let due = b.balance_due;
        Self {
            id: b.id,
            href: state.sheet(b.id, PanelTab::Details),
            when: When::of(b.start, b.end, zone, twelve),
            service: b.service_name.clone().unwrap_or_default(),
            staff: b.staff_name.clone().unwrap_or_default(),
            location: b.location_name.clone().unwrap_or_default(),
            status: b.status.as_str(),
            payment_status: b.payment_status.as_str(),
            total: format_with_currency(b.total, &b.currency),
            due: (b.status.holds_slot() && due > Money::ZERO)
                .then(|| format_with_currency(due, &b.currency)),
        }
    }
}

/// One day of the minimalist calendar: only days with bookings, their bookings in order.
#[derive(Debug, Serialize)]
pub struct CalendarDay {
    pub date: DateLabel,
    pub items: Vec<Card>,
}

/// Cards grouped by the day they start on in `zone`, keeping their order.
pub fn calendar(cards: Vec<(chrono::NaiveDate, Card)>) -> Vec<CalendarDay> {
    let mut days: Vec<(chrono::NaiveDate, CalendarDay)> = Vec::new();
    for (date, card) in cards {
        match days.last_mut() {
            Some((d, day)) if *d == date => day.items.push(card),
            _ => days.push((
                date,
                CalendarDay {
                    date: DateLabel::of(date),
                    items: vec![card],
                },
            )),
        }
    }
    days.into_iter().map(|(_, d)| d).collect()
}

/// The statuses a client filters its history by, in the order the guide names them.
pub const STATUS_FILTERS: &[Status] = &[
    Status::Confirmed,
    Status::Pending,
    Status::Cancelled,
    Status::Completed,
    Status::NoShow,
];

pub const PAYMENT_FILTERS: &[PaymentStatus] = &[
    PaymentStatus::Paid,
    PaymentStatus::Unpaid,
    PaymentStatus::Pending,
    PaymentStatus::PartiallyPaid,
    PaymentStatus::Refunded,
];

/// A wallet movement as the portal lists it.
#[derive(Debug, Serialize)]
pub struct Movement {
    pub date: DateLabel,
    pub kind: &'static str,
    pub reason: String,
    pub amount: String,
    pub credit: bool,
}

impl Movement {
    pub fn of(row: &LedgerRow, zone: Tz, currency: &str) -> Self {
        let amount = format_with_currency(row.amount.abs(), currency);
        Self {
            date: DateLabel::of(row.created_at.with_timezone(&zone).date_naive()),
            kind: kind_name(row.kind),
            reason: row.reason.clone(),
            amount: if row.amount.is_negative() {
                format!("−{amount}")
            } else {
                format!("+{amount}")
            },
            credit: !row.amount.is_negative(),
        }
    }
}

fn kind_name(kind: EntryKind) -> &'static str {
    match kind {
        EntryKind::ManualCredit => "manual_credit",
        EntryKind::ManualDebit => "manual_debit",
        EntryKind::GiftCode => "gift_code",
        EntryKind::BookingPayment => "booking_payment",
        EntryKind::CancellationRefund => "cancellation_refund",
        EntryKind::BookingRefund => "booking_refund",
        EntryKind::TopUp => "top_up",
        EntryKind::Merge => "merge",
    }
}

/// A group of identical packages as a card of the Packages section, with what its popup shows.
#[derive(Debug, Serialize)]
pub struct PackageCard {
    /// Names the group's popup: its first client package's id.
    pub key: u64,
    pub name: String,
    pub description: String,
    pub count: u32,
    /// Each client package of the group, with its own id, sessions and status.
    pub items: Vec<GroupItem>,
    pub status: &'static str,
    /// Over the whole group.
    pub sessions_remaining: u32,
    pub sessions_total: u32,
    /// Sessions one package includes.
    pub sessions_each: u32,
    pub activation: DateLabel,
    pub expires: Option<DateLabel>,
    pub services: Vec<String>,
    /// Empty: every location.
    pub locations: Vec<String>,
    /// The bookings that used a session of the group, newest first.
    pub uses: Vec<PackageUse>,
    /// The booking form with a usable package of the group chosen (and its only service and
    /// location, when it covers one): absent without a session to use or a booking form page.
    pub book: Option<String>,
}

/// A booking that used a session, on the client's clock.
#[derive(Debug, Serialize)]
pub struct PackageUse {
    /// The query that opens the booking's sheet.
    pub href: String,
    pub client_package_id: u64,
    pub date: DateLabel,
    pub time: TimeLabel,
    pub service: String,
    pub staff: String,
    pub session: u32,
    pub of: u32,
    /// The booking was cancelled and the session went back.
    pub returned: bool,
}

/// What a card needs besides its group: the packages with their coverage, every use, the
/// catalog's names, and the client's clock.
pub struct PackageContext<'a> {
    pub packages: &'a [Package],
    pub uses: &'a [Use],
    pub service_names: &'a [(u64, String)],
    pub location_names: &'a [(u64, String)],
    /// The site's booking form page, when the plugin names one.
    pub booking_form: Option<&'a str>,
    pub zone: Tz,
    pub twelve: bool,
    pub state: &'a PortalState,
}

impl PackageCard {
    pub fn of(g: &Group, cx: &PackageContext<'_>) -> Self {
        let package = cx.packages.iter().find(|p| p.id == g.package_id);
        let names = |ids: &[u64], names: &[(u64, String)]| -> Vec<String> {
            ids.iter()
                .filter_map(|id| names.iter().find(|(n, _)| n == id))
                .map(|(_, name)| name.clone())
                .collect()
        };
        let ids: Vec<u64> = g.items.iter().map(|i| i.id).collect();
        Self {
            key: ids.first().copied().unwrap_or(g.package_id),
            name: g.name.clone(),
            description: package.map(|p| p.description.clone()).unwrap_or_default(),
            count: g.count,
            items: g.items.clone(),
            status: g.status.as_str(),
            sessions_remaining: g.sessions_remaining,
            sessions_total: g.sessions_total * g.count,
            sessions_each: g.sessions_total,
            activation: DateLabel::of(g.activation_date),
            expires: g.expires_on.map(DateLabel::of),
            services: package
                .map(|p| names(&p.service_ids, cx.service_names))
                .unwrap_or_default(),
            locations: package
                .map(|p| names(&p.location_ids, cx.location_names))
                .unwrap_or_default(),
            uses: cx
                .uses
                .iter()
                .filter(|u| ids.contains(&u.client_package_id))
                .map(|u| PackageUse {
                    href: cx.state.sheet(u.booking_id, PanelTab::Details),
                    client_package_id: u.client_package_id,
                    date: DateLabel::of(u.booking_start.with_timezone(&cx.zone).date_naive()),
                    time: TimeLabel::of(u.booking_start, cx.zone, cx.twelve),
                    service: u.service_name.clone(),
                    staff: u.staff_name.clone(),
                    session: u.session_number,
                    of: u.sessions_total,
                    returned: u.returned_at.is_some(),
                })
                .collect(),
            book: cx.booking_form.and_then(|form| {
                let usable = g.items.iter().find(|i| {
                    i.status == crate::packages::Status::Active && i.sessions_remaining > 0
                })?;
                Some(booking_link(form, usable.id, package))
            }),
        }
    }
}

/// The booking form's address with client package `id` chosen; a package that covers a single
/// service (or location) chooses it too, so the client starts where the package applies.
fn booking_link(form: &str, id: u64, package: Option<&Package>) -> String {
    let mut query = format!("package={id}");
    if let Some(p) = package {
        if let [service] = p.service_ids.as_slice() {
            query.push_str(&format!("&service_id={service}"));
        }
        if let [location] = p.location_ids.as_slice() {
            query.push_str(&format!("&location_id={location}"));
        }
    }
    crate::links::with_query(form, &query)
}

/// A zone the client may read times in.
#[derive(Debug, Serialize)]
pub struct ZoneOption {
    pub value: String,
    pub selected: bool,
}

/// The zones offered: the chosen one, each location's, and UTC (the browser adds its own).
pub fn zone_options(chosen: Tz, locations: &[String]) -> Vec<ZoneOption> {
    let mut names: Vec<&str> = vec![chosen.name()];
    for z in locations.iter().map(String::as_str).chain(["UTC"]) {
        if !names.contains(&z) {
            names.push(z);
        }
    }
    names
        .into_iter()
        .map(|z| ZoneOption {
            value: z.to_owned(),
            selected: z == chosen.name(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_reads_back_what_it_wrote_and_drops_what_means_nothing() {
        let s = PortalState::parse(Some(
            "page_id=4&tz=Asia%2FTokyo&status=cancelled&from=2026-01-01&booking=7&tab=actions&wallet=x",
        ));
        assert_eq!(s.tz, Some(chrono_tz::Asia::Tokyo));
        assert_eq!((s.booking, s.tab), (Some(7), PanelTab::Actions));
        assert_eq!(s.wallet, None);
        assert_eq!(PortalState::parse(Some(&s.query())), s);
        assert_eq!(
            s.closed(),
            "tz=Asia%2FTokyo&from=2026-01-01&status=cancelled"
        );
        let odd = PortalState::parse(Some("tz=Mars%2FBase&tab=nope&booking=-1"));
        assert_eq!(odd, PortalState::default());
    }

    #[test]
    fn the_calendar_groups_consecutive_days_only() {
        let day = |d: u32| chrono::NaiveDate::from_ymd_opt(2026, 3, d).expect("date");
        let card = |id: u64| Card {
            id,
            href: String::new(),
            when: When::of(
                chrono::Utc::now(),
                chrono::Utc::now(),
                chrono_tz::UTC,
                false,
            ),
            service: String::new(),
            staff: String::new(),
            location: String::new(),
            status: "confirmed",
            payment_status: "unpaid",
            total: String::new(),
            due: None,
        };
        let days = calendar(vec![
            (day(1), card(1)),
            (day(1), card(2)),
            (day(3), card(3)),
        ]);
        let ids: Vec<Vec<u64>> = days
            .iter()
            .map(|d| d.items.iter().map(|c| c.id).collect())
            .collect();
        assert_eq!(ids, vec![vec![1, 2], vec![3]]);
    }
}
