//! A booking as the API shows it: the summary, the four tabs of the details, the actions.
use super::{
    BookingRow, HistoryEntry, Line, LineKind, Payment, PaymentChoice, PaymentMethod, PaymentStatus,
    Status,
};
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// A booking as the API shows it (`POST /v1/bookings` answers with it, lists are made of it).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Booking {
    pub id: u64,
    pub client_id: u64,
    pub service_id: u64,
    pub location_id: u64,
    pub staff_id: u64,
    pub status: Status,
    pub payment_status: PaymentStatus,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub people: u32,
    pub currency: String,
    pub subtotal: Money,
    pub discount_total: Money,
    pub tax_total: Money,
    pub total: Money,
    pub prices_include_tax: bool,
    /// What the payer could pay instead of the total (zero: no deposit).
    pub deposit_amount: Money,
    pub payment_choice: PaymentChoice,
    pub payment_method: Option<PaymentMethod>,
    pub amount_paid: Money,
    pub balance_due: Money,
    /// The client's notes from booking.
    pub notes: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staff_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<Line>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

fn named(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

impl From<&BookingRow> for Booking {
    fn from(b: &BookingRow) -> Self {
        let balance = b.total - b.amount_paid;
        Self {
            id: b.id,
            client_id: b.client_id,
            service_id: b.service_id,
            location_id: b.location_id,
            staff_id: b.staff_id,
            status: b.status,
            payment_status: b.payment_status,
            start: b.start,
            end: b.end,
            people: b.people,
            currency: b.currency.clone(),
            subtotal: b.subtotal,
            discount_total: b.discount_total,
            tax_total: b.tax_total,
            total: b.total,
            prices_include_tax: b.prices_include_tax,
            deposit_amount: b.deposit_amount,
            payment_choice: b.payment_choice,
            payment_method: b.payment_method,
            amount_paid: b.amount_paid,
            balance_due: if balance.is_negative() {
                Money::ZERO
            } else {
                balance
            },
            notes: b.notes.clone(),
            service_name: named(&b.names.service),
            staff_name: named(&b.names.staff),
            location_name: named(&b.names.location),
            client_name: named(&b.names.client),
            lines: None,
            created_by: b.created_by.clone(),
            created_at: b.created_at,
            cancelled_at: b.cancelled_at,
        }
    }
}

/// Whether an action is open to the caller now, and if not, why (a stable code).
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct Action {
    pub allowed: bool,
    /// `notice_too_short`, `booking_closed`, `not_permitted`, `client_blocked`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The fourth tab: what this caller may do to this booking now.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Actions {
    pub reschedule: Action,
    pub cancel: Action,
    /// Statuses this caller may move the booking to (`POST /v1/bookings/{id}/status`).
    pub statuses: Vec<Status>,
    pub record_payment: bool,
    /// Setting the booking's add-ons (`POST /v1/bookings/{id}/options`).
    pub change_options: bool,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Ref {
    pub id: u64,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LocationInfo {
    pub id: u64,
    pub name: String,
    pub address: String,
    pub timezone: String,
}

/// First tab: what was booked.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookingTab {
    pub service: Ref,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// Start and end on the location's wall clock, e.g. `2026-12-01T10:00:00+01:00`.
    pub local_start: String,
    pub local_end: String,
    pub people: u32,
    pub staff: Ref,
    pub location: LocationInfo,
    /// The optional services chosen (the "Options" popup).
    pub addons: Vec<Line>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Address {
    pub street: String,
    pub zip: String,
    pub city: String,
}

/// Second tab: who booked.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerTab {
    pub id: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub billing_address: Address,
}

/// Third tab: the money.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PaymentTab {
    pub status: PaymentStatus,
    pub method: Option<PaymentMethod>,
    pub choice: PaymentChoice,
    pub currency: String,
    pub lines: Vec<Line>,
    pub subtotal: Money,
    pub discount_total: Money,
    pub tax_total: Money,
    pub total: Money,
    pub deposit_amount: Money,
    pub amount_paid: Money,
    pub balance_due: Money,
    /// Every payment and refund, oldest first.
    pub history: Vec<Payment>,
    pub invoice_url: String,
    /// The client's notes from booking.
    pub notes: String,
    /// The package session that paid for the service, if one did.
    pub package: Option<PackagePaid>,
}

impl PaymentTab {
    /// What a cancellation would give back to the wallet (with the setting on): everything
    /// paid but what a package session paid, which goes back to its package.
    pub fn refundable_to_wallet(&self) -> Money {
        self.amount_paid - super::paid_by_package(&self.history)
    }
}

/// "Paid with package X (session n of m)": the session a booking used.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PackagePaid {
    pub client_package_id: u64,
    pub name: String,
    pub session_number: u32,
    pub sessions_total: u32,
    /// Given back to the package when the booking was cancelled.
    pub given_back: bool,
    /// The line an invoice shows.
    pub description: String,
}

/// `GET /v1/bookings/{id}`: the booking and its four tabs, with its change history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Details {
    #[serde(flatten)]
    pub booking: Booking,
    pub details: BookingTab,
    pub customer: CustomerTab,
    pub payment: PaymentTab,
    pub actions: Actions,
    /// Who changed what, oldest first.
    pub history: Vec<HistoryEntry>,
}

impl Details {
    pub fn build(
        b: &BookingRow,
        lines: Vec<Line>,
        payments: Vec<Payment>,
        history: Vec<HistoryEntry>,
        client: &crate::clients::Client,
        actions: Actions,
    ) -> Self {
        let booking = Booking::from(b);
        let zone: Option<chrono_tz::Tz> = b.names.timezone.parse().ok();
        let local = |t: DateTime<Utc>| match zone {
            Some(z) => t.with_timezone(&z).to_rfc3339(),
            None => t.to_rfc3339(),
        };
        Self {
            details: BookingTab {
                service: Ref {
                    id: b.service_id,
                    name: b.names.service.clone(),
                },
                start: b.start,
                end: b.end,
                local_start: local(b.start),
                local_end: local(b.end),
                people: b.people,
                staff: Ref {
                    id: b.staff_id,
                    name: b.names.staff.clone(),
                },
                location: LocationInfo {
                    id: b.location_id,
                    name: b.names.location.clone(),
                    address: b.names.location_address.clone(),
                    timezone: b.names.timezone.clone(),
                },
                addons: lines
                    .iter()
                    .filter(|l| l.kind == LineKind::Addon)
                    .cloned()
                    .collect(),
            },
            customer: CustomerTab {
                id: client.id,
                first_name: client.first_name.clone(),
                last_name: client.last_name.clone(),
                email: client.email.clone(),
                phone: client.phone.clone(),
                billing_address: Address {
                    street: client.street.clone(),
                    zip: client.zip.clone(),
                    city: client.city.clone(),
                },
            },
            payment: PaymentTab {
                status: b.payment_status,
                method: b.payment_method,
                choice: b.payment_choice,
                currency: b.currency.clone(),
                lines,
                subtotal: b.subtotal,
                discount_total: b.discount_total,
                tax_total: b.tax_total,
                total: b.total,
                deposit_amount: b.deposit_amount,
                amount_paid: b.amount_paid,
                balance_due: booking.balance_due,
                history: payments,
                invoice_url: format!("/v1/bookings/{}/invoice.pdf", b.id),
                notes: b.notes.clone(),
                package: None,
            },
            booking,
            actions,
            history,
        }
    }
}
