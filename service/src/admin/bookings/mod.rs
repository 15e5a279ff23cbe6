//! wp-admin → Volixta → Bookings and Calendar, and the booking details panel every list and
//! calendar opens (`?page=volixta-bookings&booking=<id>&tab=details|customer|payment|actions`).
//! The screens decide nothing themselves: they list bookings through the bookings domain's own
//! list query, read a booking through `bookings::details` (whose fourth tab says what the viewer
//! may do now, and why not), and change it through the domain's idempotent two-step functions,
//! showing the domain's refusals beside the field or action they concern. Rescheduling embeds
//! the shared slot picker (`admin::picker`), so only slots the availability engine offers are
//! shown.
//!
//! Times are on a wall clock, never raw UTC: a booking on its location's; the calendar and the
//! list's date filters on the chosen location's, else the first location's (the business's).
mod domain;
pub mod http;

pub use domain::{CalendarState, ListState, PanelState, PanelTab, Route, When, zone_of};

use super::{
    display::{Formats, Names, Who},
    picker::{self, DateLabel, PickerQuery, PickerView, SlotChoice, TimeLabel},
    profile::{Choice, Notice, status_choices},
};
use crate::{
    auth::Actor,
    bookings::{self, LineKind, Party, PaymentMethod, PaymentStatus, Status},
    catalog,
    db::Db,
    error::ApiResult,
    i18n::Locale,
    invoices,
    money::Money,
    paging::{MAX_LIMIT, Page, PageRequest},
    settings,
};
use chrono::{NaiveDate, Utc};
use domain::{CalendarCell, CalendarView, LIST_ROWS, Row, choices};
use serde::Serialize;
use std::collections::BTreeMap;

/// Each location's zone by id, and the business's: the chosen location's, else that of the first
/// location created.
async fn zones(db: &Db, chosen: Option<u64>) -> ApiResult<(BTreeMap<u64, String>, String)> {
    let locations = catalog::locations(db).await?;
    let zones: BTreeMap<u64, String> = locations
        .iter()
        .map(|l| (l.id, l.timezone.clone()))
        .collect();
    let business = chosen
        .and_then(|id| zones.get(&id))
        .or_else(|| locations.iter().min_by_key(|l| l.id).map(|l| &l.timezone))
        .cloned()
        .unwrap_or_else(|| "UTC".to_owned());
    Ok((zones, business))
}

/// The staff, locations and services to filter by.
#[derive(Debug, Default, Serialize)]
pub struct Filters {
    pub staff: Vec<Choice>,
    pub locations: Vec<Choice>,
    pub services: Vec<Choice>,
}

async fn filters(
    db: &Db,
    staff_id: Option<u64>,
    location_id: Option<u64>,
    service_id: Option<u64>,
) -> ApiResult<Filters> {
    let staff = catalog::staff(db).await?;
    let names: Vec<(u64, String)> = staff
        .iter()
        .map(|s| {
            (
                s.id,
                format!("{} {}", s.first_name, s.last_name)
                    .trim()
                    .to_owned(),
            )
        })
        .collect();
    let locations = catalog::locations(db).await?;
    let services = catalog::services(db).await?;
    Ok(Filters {
        staff: choices(names.iter().map(|(id, n)| (*id, n.as_str())), staff_id),
        locations: choices(
            locations.iter().map(|l| (l.id, l.name.as_str())),
            location_id,
        ),
        services: choices(services.iter().map(|s| (s.id, s.name.as_str())), service_id),
    })
}

/// What the Bookings list's template shows.
#[derive(Debug, Serialize)]
pub struct ListScreen {
    pub page: String,
    /// The list's state from its first page, for links that come back to it.
    pub here: String,
    pub scope: String,
    pub from: String,
    pub to: String,
    /// The zone the date filters are read in.
    pub timezone: String,
    pub filters: Filters,
    pub statuses: Vec<Choice>,
    pub payment_statuses: Vec<Choice>,
    pub rows: Vec<Row>,
    pub next_page: Option<String>,
    pub first_page: String,
    pub is_first_page: bool,
}

pub async fn list_screen(db: &Db, locale: &Locale, state: &ListState) -> ApiResult<ListScreen> {
    let (zones, business) = zones(db, state.id("location_id")).await?;
    let (filter, page) = state.list_query(&business).filter(LIST_ROWS, Utc::now())?;
    let page = bookings::list(db, Party::Manager, filter, page).await?;
    let fmt = Formats::load(db, locale).await?;
    Ok(ListScreen {
        page: state.page.clone(),
        here: state.state(),
        scope: state.scope().to_owned(),
        from: state.get("from").to_owned(),
        to: state.get("to").to_owned(),
        timezone: business,
        filters: filters(
            db,
            state.id("staff_id"),
            state.id("location_id"),
            state.id("service_id"),
        )
        .await?,
        statuses: status_choices(Status::ALL, Status::as_str, state.get("status")),
        payment_statuses: status_choices(
            PaymentStatus::ALL,
            PaymentStatus::as_str,
            state.get("payment_status"),
        ),
        rows: page
            .items
            .iter()
            .map(|b| Row::of(b, &zones, &fmt))
            .collect(),
        next_page: page.next_cursor.map(|c| state.after(&c)),
        first_page: state.state(),
        is_first_page: state.is_first_page(),
    })
}

/// What the Calendar's template shows.
#[derive(Debug, Serialize)]
pub struct CalendarScreen {
    pub page: String,
    pub view: CalendarView,
    pub timezone: String,
    pub first: DateLabel,
    pub last: DateLabel,
    pub prev_href: String,
    pub next_href: String,
    pub today_href: String,
    /// The same period in each view.
    pub views: BTreeMap<&'static str, String>,
    pub filters: Filters,
    /// Weekday numbers (0 = Monday) in the order the locale's weeks run.
    pub weekdays: Vec<u32>,
    /// Day and week: their days; month: the grid's days, row by row.
    pub cells: Vec<CalendarCell>,
    /// The days that have bookings, for the agenda a phone shows.
    pub agenda: Vec<CalendarCell>,
    pub count: usize,
    /// More bookings in the period than one screen shows.
    pub truncated: bool,
    /// `calendar_version` of what it shows.
    pub version: String,
}

/// Bookings that no longer hold their time are left off the calendar.
const ON_CALENDAR: &[Status] = &[
    Status::Pending,
    Status::Confirmed,
    Status::Completed,
    Status::NoShow,
];

/// The bookings a calendar shows, as `party` sees them (an employee only its own), in the zone
/// its days are read in, with what it needs to lay them out.
struct CalendarRead {
    zones: BTreeMap<u64, String>,
    business: String,
    zone: chrono_tz::Tz,
    today: NaiveDate,
    date: NaiveDate,
    sunday_first: bool,
    period: domain::Period,
    page: Page<bookings::Booking, String>,
}

async fn calendar_read(
    db: &Db,
    locale: &Locale,
    party: Party,
    state: &CalendarState,
) -> ApiResult<CalendarRead> {
    let (zones, business) = zones(db, state.location_id).await?;
    let zone = zone_of(&business);
    let today = Utc::now().with_timezone(&zone).date_naive();
    let date = state.date.unwrap_or(today);
    let sunday_first = locale.week_starts_on_sunday();
    let period = domain::period(state.view, date, sunday_first);
    let filter = bookings::ListFilter {
        staff_id: state.staff_id,
        location_id: state.location_id,
        from: Some(bookings::midnight(period.grid_first, zone)),
        to: Some(bookings::midnight(
            period.grid_last.succ_opt().unwrap_or(period.grid_last),
            zone,
        )),
        statuses: ON_CALENDAR.to_vec(),
        ascending: true,
        ..bookings::ListFilter::default()
    };
    let page = bookings::list(db, party, filter, PageRequest::new(None, Some(MAX_LIMIT))).await?;
    Ok(CalendarRead {
        zones,
        business,
        zone,
        today,
        date,
        sunday_first,
        period,
        page,
    })
}

/// What a calendar shows, in a few hex digits: it changes whenever anything a calendar prints
/// of its bookings does, so a page that polls learns of a change without fetching the page.
pub async fn calendar_version(
    db: &Db,
    locale: &Locale,
    party: Party,
    state: &CalendarState,
) -> ApiResult<String> {
    let read = calendar_read(db, locale, party, state).await?;
    Ok(version_of(&read.page.items))
}

fn version_of(items: &[bookings::Booking]) -> String {
    use sha2::{Digest, Sha256};
    let bytes = serde_json::to_vec(items).unwrap_or_default();
    hex::encode(&Sha256::digest(&bytes)[..8])
}

/// The calendar as `party` sees it: managers every booking with the staff and location filters,
/// an employee only its own bookings (the bookings domain narrows the list) and no filters.
pub async fn calendar_screen(
    db: &Db,
    locale: &Locale,
    party: Party,
    state: &CalendarState,
) -> ApiResult<CalendarScreen> {
    let read = calendar_read(db, locale, party, state).await?;
    let (zone, today, period, page) = (read.zone, read.today, &read.period, &read.page);
    let version = version_of(&page.items);
    let fmt = Formats::load(db, locale).await?;
    let count = page.items.len();
    // Grouped by the day they start on the calendar's clock; each shows its location's time.
    let rows: Vec<(NaiveDate, Row)> = page
        .items
        .iter()
        .map(|b| {
            (
                b.start.with_timezone(&zone).date_naive(),
                Row::of(b, &read.zones, &fmt),
            )
        })
        .collect();
    let cells = domain::cells(period, rows, today, |d| state.at(CalendarView::Day, d));
    let agenda = cells
        .iter()
        .filter(|c| !c.items.is_empty() && !c.outside)
        .cloned()
        .collect();
    let views = [CalendarView::Day, CalendarView::Week, CalendarView::Month]
        .into_iter()
        .map(|v| (v.name(), state.at(v, read.date)))
        .collect();
    Ok(CalendarScreen {
        page: state.page.clone(),
        view: state.view,
        timezone: read.business.clone(),
        first: DateLabel::of(period.first),
        last: DateLabel::of(period.last),
        prev_href: state.at(state.view, period.prev),
        next_href: state.at(state.view, period.next),
        today_href: state.at(state.view, today),
        views,
        filters: if party == Party::Manager {
            filters(db, state.staff_id, state.location_id, None).await?
        } else {
            Filters::default()
        },
        weekdays: if read.sunday_first {
            vec![6, 0, 1, 2, 3, 4, 5]
        } else {
            (0..7).collect()
        },
        cells,
        agenda,
        count,
        truncated: page.next_cursor.is_some(),
        version,
    })
}

/// The forms of the panel as they were sent, and what the bookings domain said of them.
#[derive(Debug, Default)]
pub struct PanelForms {
    pub payment: PaymentForm,
    pub cancel_reason: String,
    /// Field → the domain's reason.
    pub errors: BTreeMap<String, String>,
    /// The picker as the reschedule form left it; `near` after a refused slot.
    pub picker: PickerChoice,
    /// The zone the viewer reads times in (the client portal's chosen zone); the booking's
    /// location's when absent, as wp-admin shows it.
    pub viewer_zone: Option<chrono_tz::Tz>,
}

#[derive(Debug, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PaymentForm {
    pub amount: String,
    pub method: String,
    pub status: String,
    pub note: String,
}

#[derive(Debug, Default, Clone)]
pub struct PickerChoice {
    pub timezone: Option<String>,
    pub month: Option<String>,
    pub date: Option<NaiveDate>,
    pub slot: Option<SlotChoice>,
    pub near: Option<chrono::DateTime<Utc>>,
}

#[derive(Debug, Serialize)]
pub struct AddonRow {
    pub name: String,
    pub quantity: u32,
    pub unit_price: String,
    pub total: String,
}

/// One add-on in the Options form: those the service offers and those the booking has.
#[derive(Debug, Serialize)]
pub struct OptionRow {
    pub id: u64,
    pub name: String,
    pub unit_price: String,
    pub duration_minutes: u32,
    /// 0 (none) or `min`..=`max`.
    pub min: u32,
    pub max: u32,
    /// What the booking has now.
    pub quantity: u32,
}

#[derive(Debug, Serialize)]
pub struct LineRow {
    pub kind: &'static str,
    pub name: String,
    pub quantity: u32,
    pub unit_price: String,
    pub discount: String,
    pub tax: String,
    pub total: String,
}

#[derive(Debug, Serialize)]
pub struct PaymentRow {
    pub date: DateLabel,
    pub time: TimeLabel,
    pub kind: &'static str,
    pub method: &'static str,
    pub amount: String,
    pub status: &'static str,
    pub note: String,
    pub actor: Who,
}

#[derive(Debug, Serialize)]
pub struct HistoryRow {
    pub date: DateLabel,
    pub time: TimeLabel,
    pub actor: Who,
    pub action: String,
}

/// An invoice or credit note of the booking, as the Payment tab links it.
#[derive(Debug, Serialize)]
pub struct DocumentRow {
    pub id: u64,
    pub number: String,
    pub credit_note: bool,
    /// The booking's payment status for its invoice in force; `credited` or `credit_note`.
    pub status: &'static str,
    pub total: String,
    pub issued: DateLabel,
    /// The proxy path of its PDF.
    pub pdf: String,
}

/// What cancelling does with the money, in the settings' words.
#[derive(Debug, Serialize)]
pub struct RefundPolicy {
    pub to_wallet: bool,
    /// What is paid now and would come back.
    pub paid: String,
    pub nothing_paid: bool,
    /// The package whose session goes back when the booking is cancelled.
    pub package: Option<String>,
}

/// What the booking details panel's template shows.
#[derive(Debug, Serialize)]
pub struct PanelScreen {
    pub page: String,
    /// The screen under `render/admin/` the panel is part of: a manager's Bookings, or an
    /// employee's own dashboard, whose panel links nowhere an employee may not go.
    pub screen: &'static str,
    pub manager: bool,
    pub tab: PanelTab,
    /// The panel's query in each tab.
    pub tabs: BTreeMap<&'static str, String>,
    /// The current tab's query, for forms that answer with it.
    pub here: String,
    pub notice: Option<Notice>,
    pub id: u64,
    pub status: &'static str,
    pub payment_status: &'static str,
    pub service: String,
    pub when: When,
    pub duration_minutes: i64,
    pub people: u32,
    pub staff: String,
    pub location: String,
    pub address: String,
    pub addons: Vec<AddonRow>,
    /// The Options form's rows; empty when this viewer may not change them.
    pub options: Vec<OptionRow>,
    /// The form comes back open with the reasons beside its add-ons.
    pub options_open: bool,
    pub client_id: u64,
    pub client: String,
    pub email: String,
    pub phone: String,
    pub street: String,
    pub zip: String,
    pub city: String,
    pub method: Option<&'static str>,
    pub choice: &'static str,
    pub lines: Vec<LineRow>,
    pub subtotal: String,
    pub discount_total: String,
    pub tax_total: String,
    pub total: String,
    pub deposit: Option<String>,
    pub amount_paid: String,
    pub balance_due: String,
    pub balance_is_zero: bool,
    pub payments: Vec<PaymentRow>,
    /// The booking's invoices and credit notes, in order of issue.
    pub documents: Vec<DocumentRow>,
    pub notes: String,
    pub history: Vec<HistoryRow>,
    pub actions: bookings::Actions,
    pub statuses: Vec<&'static str>,
    pub refund: RefundPolicy,
    pub payment_form: PaymentForm,
    pub cancel_reason: String,
    pub errors: BTreeMap<String, String>,
    pub methods: Vec<&'static str>,
    /// A fresh key per rendered form: a resent form is the same change, not a second one.
    pub idempotency_key: String,
    pub picker: Option<PickerView>,
    pub picker_error: Option<String>,
}

/// Methods a manager records a payment by; WooCommerce records its own.
const METHODS: &[PaymentMethod] = &[
    PaymentMethod::Cash,
    PaymentMethod::Card,
    PaymentMethod::BankTransfer,
    PaymentMethod::Wallet,
];

/// The wp-admin page of an employee's own bookings.
pub const MY_BOOKINGS_PAGE: &str = "volixta-my-bookings";

pub async fn panel_screen(
    db: &Db,
    actor: Actor,
    locale: &Locale,
    state: &PanelState,
    notice: Option<Notice>,
    forms: PanelForms,
) -> ApiResult<PanelScreen> {
    let manager = actor.is_manager();
    // An employee's panel is always on its own page, whatever page the query named.
    let own_page;
    let state = if manager {
        state
    } else {
        own_page = PanelState {
            page: MY_BOOKINGS_PAGE.to_owned(),
            ..state.clone()
        };
        &own_page
    };
    let d = bookings::details(db, actor, state.booking_id).await?;
    let settings = settings::load(db).await?;
    let names = Names::of(
        db,
        d.payment
            .history
            .iter()
            .map(|p| p.actor.as_str())
            .chain(d.history.iter().map(|h| h.actor.as_str())),
    )
    .await?;
    let fmt = Formats::of(&settings, locale);
    let twelve = fmt.twelve;
    let zone = forms
        .viewer_zone
        .unwrap_or_else(|| zone_of(&d.details.location.timezone));
    let b = &d.booking;
    let money = |m: Money| fmt.money_in(m, &b.currency);
    let moment = |t: chrono::DateTime<Utc>| {
        (
            DateLabel::of(t.with_timezone(&zone).date_naive()),
            TimeLabel::of(t, zone, twelve),
        )
    };
    let tabs = [
        PanelTab::Details,
        PanelTab::Customer,
        PanelTab::Payment,
        PanelTab::Actions,
    ]
    .into_iter()
    .map(|t| (t.name(), state.query(t)))
    .collect();
    let (picker, picker_error) = if state.tab == PanelTab::Actions && d.actions.reschedule.allowed {
        let addons: Vec<String> = d
            .details
            .addons
            .iter()
            .map(|l| format!("{}:{}", l.item_id, l.quantity))
            .collect();
        let q = PickerQuery {
            service_id: b.service_id,
            location_id: b.location_id,
            staff_id: Some(b.staff_id),
            people: Some(b.people),
            addons: (!addons.is_empty()).then(|| addons.join(",")),
            timezone: forms.picker.timezone.clone(),
            month: forms.picker.month.clone(),
            date: forms.picker.date,
            slot: forms.picker.slot,
            near: forms.picker.near,
            reschedule_booking_id: Some(b.id),
        };
        match picker::view(db, actor, locale, &q).await {
            Ok(view) => (Some(view), None),
            // A zone or month the manager typed into the address bar; the rest of the tab stays.
            Err(e) => (None, Some(e.to_string())),
        }
    } else {
        (None, None)
    };
    let options = if d.actions.change_options {
        option_rows(db, &d, &money).await?
    } else {
        Vec::new()
    };
    let paid = d.payment.amount_paid;
    // The portal's booking sheet is this panel too; a client reads its invoices in the
    // portal's own section, under its permission level.
    let documents = if state.tab == PanelTab::Payment && actor.role != crate::auth::Role::Client {
        booking_documents(db, actor, b.id)
            .await?
            .into_iter()
            .map(|s| DocumentRow {
                id: s.id,
                credit_note: s.kind == invoices::Kind::CreditNote,
                status: match (s.kind, s.state) {
                    (invoices::Kind::CreditNote, _) => "credit_note",
                    (_, invoices::State::Credited) => "credited",
                    _ => b.payment_status.as_str(),
                },
                total: money(s.total),
                issued: DateLabel::of(s.issued_at.with_timezone(&zone).date_naive()),
                pdf: format!("invoices/{}/pdf", s.id),
                number: s.number,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(PanelScreen {
        page: state.page.clone(),
        screen: if manager { "bookings" } else { "my-bookings" },
        manager,
        tab: state.tab,
        tabs,
        here: state.query(state.tab),
        notice,
        id: b.id,
        status: b.status.as_str(),
        payment_status: b.payment_status.as_str(),
        service: d.details.service.name.clone(),
        when: When::of(b.start, b.end, zone, twelve),
        duration_minutes: (b.end - b.start).num_minutes(),
        people: b.people,
        staff: d.details.staff.name.clone(),
        location: d.details.location.name.clone(),
        address: d.details.location.address.clone(),
        addons: d
            .details
            .addons
            .iter()
            .map(|l| AddonRow {
                name: l.name.clone(),
                quantity: l.quantity,
                unit_price: money(l.unit_price),
                total: money(l.total),
            })
            .collect(),
        options,
        options_open: forms.errors.keys().any(|k| k.starts_with("addon_")),
        client_id: d.customer.id,
        client: format!("{} {}", d.customer.first_name, d.customer.last_name)
            .trim()
            .to_owned(),
        email: d.customer.email.clone().unwrap_or_default(),
        phone: d.customer.phone.clone().unwrap_or_default(),
        street: d.customer.billing_address.street.clone(),
        zip: d.customer.billing_address.zip.clone(),
        city: d.customer.billing_address.city.clone(),
        method: d.payment.method.map(PaymentMethod::as_str),
        choice: d.payment.choice.as_str(),
        lines: d
            .payment
            .lines
            .iter()
            .map(|l| LineRow {
                kind: if l.kind == LineKind::Service {
                    "service"
                } else {
                    "addon"
                },
                name: l.name.clone(),
                quantity: l.quantity,
                unit_price: money(l.unit_price),
                discount: money(l.discount),
                tax: money(l.tax),
                total: money(l.total),
            })
            .collect(),
        subtotal: money(d.payment.subtotal),
        discount_total: money(d.payment.discount_total),
        tax_total: money(d.payment.tax_total),
        total: money(d.payment.total),
        deposit: (!d.payment.deposit_amount.is_zero()).then(|| money(d.payment.deposit_amount)),
        amount_paid: money(paid),
        balance_due: money(d.payment.balance_due),
        balance_is_zero: d.payment.balance_due.is_zero(),
        payments: d
            .payment
            .history
            .iter()
            .map(|p| {
                let (date, time) = moment(p.created_at);
                PaymentRow {
                    date,
                    time,
                    kind: p.kind.as_str(),
                    method: p.method.as_str(),
                    amount: money(p.amount),
                    status: p.status.as_str(),
                    note: p.note.clone(),
                    actor: names.who(&p.actor),
                }
            })
            .collect(),
        documents,
        notes: d.payment.notes.clone(),
        history: d
            .history
            .iter()
            .rev()
            .map(|h| {
                let (date, time) = moment(h.created_at);
                HistoryRow {
                    date,
                    time,
                    actor: names.who(&h.actor),
                    action: h.action.clone(),
                }
            })
            .collect(),
        statuses: d.actions.statuses.iter().map(|s| s.as_str()).collect(),
        actions: d.actions.clone(),
        refund: RefundPolicy {
            to_wallet: settings.cancel_refund_to_wallet,
            paid: money(d.payment.refundable_to_wallet()),
            nothing_paid: d.payment.refundable_to_wallet().is_zero(),
            package: d
                .payment
                .package
                .as_ref()
                .filter(|p| !p.given_back)
                .map(|p| p.name.clone()),
        },
        payment_form: forms.payment,
        cancel_reason: forms.cancel_reason,
        errors: forms.errors,
        methods: METHODS.iter().map(|m| m.as_str()).collect(),
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        picker,
        picker_error,
    })
}

/// Every invoice and credit note of a booking the viewer sees, through the invoices domain
/// (which issues the first one of a booking placed before invoices existed).
async fn booking_documents(
    db: &Db,
    actor: Actor,
    booking_id: u64,
) -> ApiResult<Vec<invoices::Sibling>> {
    match invoices::for_booking(db, actor, booking_id).await {
        Ok(inv) => Ok(inv.documents),
        Err(invoices::InvoiceError::NotFound) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// The add-ons the service offers now, and those the booking has that it no longer offers
/// (they may stay as booked, or go).
async fn option_rows(
    db: &Db,
    d: &bookings::Details,
    money: &impl Fn(Money) -> String,
) -> ApiResult<Vec<OptionRow>> {
    let service = match catalog::service(db, d.booking.service_id).await {
        Ok(s) => s,
        Err(catalog::CatalogError::ServiceNotFound) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let booked = |id: u64| d.details.addons.iter().find(|l| l.item_id == id);
    let mut rows: Vec<OptionRow> = service
        .addons
        .iter()
        .map(|a| OptionRow {
            id: a.id,
            name: booked(a.id).map_or_else(|| a.name.clone(), |l| l.name.clone()),
            unit_price: money(booked(a.id).map_or(a.price, |l| l.unit_price)),
            duration_minutes: booked(a.id)
                .map_or(u32::from(a.duration_minutes), |l| l.duration_minutes),
            min: u32::from(a.min_quantity).max(1),
            max: u32::from(a.max_quantity),
            quantity: booked(a.id).map_or(0, |l| l.quantity),
        })
        .collect();
    for l in &d.details.addons {
        if !rows.iter().any(|r| r.id == l.item_id) {
            rows.push(OptionRow {
                id: l.item_id,
                name: l.name.clone(),
                unit_price: money(l.unit_price),
                duration_minutes: l.duration_minutes,
                min: l.quantity,
                max: l.quantity,
                quantity: l.quantity,
            });
        }
    }
    Ok(rows)
}
