//! Booking rules without SQL or HTTP: prices (DOMAIN.md "Money"), payment status, which
//! transitions and actions are allowed, and the minimum-notice rule.
use super::BookingError;
use crate::money::Money;
use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }
    };
}

string_enum!(
    /// `pending → confirmed → completed | no_show`; `pending | confirmed → cancelled`.
    Status { Pending = "pending", Confirmed = "confirmed", Cancelled = "cancelled",
             Completed = "completed", NoShow = "no_show" }
);

string_enum!(
    PaymentStatus { Unpaid = "unpaid", Pending = "pending", PartiallyPaid = "partially_paid",
                    Paid = "paid", Refunded = "refunded" }
);

string_enum!(
    PaymentMethod { Wallet = "wallet", Cash = "cash", BankTransfer = "bank_transfer",
                    Card = "card", Woocommerce = "woocommerce" }
);

string_enum!(
    /// What a payment row is at: `pending` awaits confirmation (e.g. a WooCommerce order).
    PaymentRowStatus { Paid = "paid", Pending = "pending", Failed = "failed", Cancelled = "cancelled" }
);

string_enum!(PaymentKind { Payment = "payment", Refund = "refund" });

string_enum!(
    /// At booking, the payer pays the whole total or only the deposit.
    PaymentChoice { Full = "full", Deposit = "deposit" }
);

string_enum!(LineKind { Service = "service", Addon = "addon" });

impl Status {
    /// Only pending and confirmed bookings hold their slot (and can be moved or cancelled).
    pub fn holds_slot(self) -> bool {
        matches!(self, Self::Pending | Self::Confirmed)
    }

    pub fn may_become(self, next: Self) -> bool {
        use Status::{Cancelled, Completed, Confirmed, NoShow, Pending};
        matches!(
            (self, next),
            (Pending, Confirmed | Cancelled)
                | (Confirmed, Completed | NoShow | Cancelled | Pending)
        )
    }
}

/// A discount: an amount off, or a percentage off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Discount {
    Amount(Money),
    #[schema(value_type = String)]
    Percent(Money),
}

impl Discount {
    pub fn validate(self, field: &str) -> Result<Self, BookingError> {
        let ok = match self {
            Self::Amount(a) => !a.is_negative(),
            Self::Percent(p) => !p.is_negative() && p.amount() <= Decimal::ONE_HUNDRED,
        };
        if ok {
            Ok(self)
        } else {
            Err(BookingError::field(
                field,
                "an amount ≥ 0 or a percentage between 0 and 100",
            ))
        }
    }
}

/// A deposit rule: never more than the total.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Deposit {
    #[default]
    None,
    Fixed(Money),
    #[schema(value_type = String)]
    Percent(Money),
}

impl Deposit {
    pub fn validate(self) -> Result<Self, BookingError> {
        let ok = match self {
            Self::None => true,
            Self::Fixed(a) => !a.is_negative(),
            Self::Percent(p) => !p.is_negative() && p.amount() <= Decimal::ONE_HUNDRED,
        };
        if ok {
            Ok(self)
        } else {
            Err(BookingError::field(
                "deposit",
                "a fixed amount ≥ 0 or a percentage between 0 and 100",
            ))
        }
    }

    pub fn of(self, total: Money) -> Option<Money> {
        match self {
            Self::None => None,
            Self::Fixed(a) => Some(a.min(total)),
            Self::Percent(p) => {
                Some(Money::round(total.amount() * p.amount() / Decimal::ONE_HUNDRED).min(total))
            }
        }
    }
}

/// One thing being priced: the service for its people, or an add-on for its quantity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineInput {
    pub kind: LineKind,
    pub item_id: u64,
    pub name: String,
    pub unit_price: Money,
    pub quantity: u32,
    pub duration_minutes: u32,
}

/// The rules a price is computed by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PriceRules {
    /// Percent, e.g. 20 for 20 %.
    pub tax_rate_percent: Decimal,
    /// Prices entered with tax: the tax is extracted, not added.
    pub prices_include_tax: bool,
    /// The service's standing discount, on the service line.
    pub service_discount: Option<Discount>,
    /// A manager's discount for this booking, over every line.
    pub booking_discount: Option<Discount>,
    pub deposit: Deposit,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Line {
    pub kind: LineKind,
    pub item_id: u64,
    pub name: String,
    pub unit_price: Money,
    pub quantity: u32,
    #[serde(skip_serializing_if = "is_zero")]
    pub duration_minutes: u32,
    /// unit price × quantity.
    pub amount: Money,
    pub discount: Money,
    #[schema(value_type = String)]
    pub tax_rate_percent: Decimal,
    pub tax: Money,
    /// What the client pays for this line, tax included.
    pub total: Money,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(v: &u32) -> bool {
    *v == 0
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Price {
    pub lines: Vec<Line>,
    /// Sum of the lines' amounts.
    pub subtotal: Money,
    pub discount_total: Money,
    pub tax_total: Money,
    /// Sum of the lines' totals.
    pub total: Money,
    /// The deposit the payer may choose instead of the total; absent when the service has none.
    pub deposit: Option<Money>,
}

fn percent_of(amount: Money, percent: Money) -> Money {
    Money::round(amount.amount() * percent.amount() / Decimal::ONE_HUNDRED)
}

/// DOMAIN.md "Money": each line is unit price × quantity, less its discount, then tax at the
/// line's rate (extracted when prices include tax, added otherwise); each figure rounded half
/// away from zero when computed; totals are sums of the rounded lines.
pub fn price(inputs: &[LineInput], rules: &PriceRules) -> Price {
    let rate = rules.tax_rate_percent;
    let mut amount_off_left = match rules.booking_discount {
        Some(Discount::Amount(a)) => a,
        _ => Money::ZERO,
    };
    let mut lines = Vec::with_capacity(inputs.len());
    for input in inputs {
        let amount = Money::round(input.unit_price.amount() * Decimal::from(input.quantity));
        let mut discount = Money::ZERO;
        if input.kind == LineKind::Service {
            discount = discount
                + match rules.service_discount {
                    Some(Discount::Amount(a)) => a.min(amount),
                    Some(Discount::Percent(p)) => percent_of(amount, p),
                    None => Money::ZERO,
                };
        }
        let left = amount - discount;
        let booking_off = match rules.booking_discount {
            Some(Discount::Percent(p)) => percent_of(left, p),
            // An amount off is taken from the lines in order, each down to zero at most.
            Some(Discount::Amount(_)) => {
                let take = amount_off_left.min(left);
                amount_off_left = amount_off_left - take;
                take
            }
            None => Money::ZERO,
        };
        discount = discount + booking_off;
        let net = amount - discount;
        let (tax, total) = if rules.prices_include_tax {
            let tax = Money::round(net.amount() * rate / (Decimal::ONE_HUNDRED + rate));
            (tax, net)
        } else {
            let tax = Money::round(net.amount() * rate / Decimal::ONE_HUNDRED);
            (tax, net + tax)
        };
        lines.push(Line {
            kind: input.kind,
            item_id: input.item_id,
            name: input.name.clone(),
            unit_price: input.unit_price,
            quantity: input.quantity,
            duration_minutes: input.duration_minutes,
            amount,
            discount,
            tax_rate_percent: rate,
            tax,
            total,
        });
    }
    let subtotal = lines.iter().map(|l| l.amount).sum();
    let discount_total = lines.iter().map(|l| l.discount).sum();
    let tax_total = lines.iter().map(|l| l.tax).sum();
    let total: Money = lines.iter().map(|l| l.total).sum();
    Price {
        deposit: rules.deposit.of(total),
        lines,
        subtotal,
        discount_total,
        tax_total,
        total,
    }
}

/// What is due at booking: the total, or the deposit when the payer chose it.
pub fn due_now(price: &Price, choice: PaymentChoice) -> Result<Money, BookingError> {
    match (choice, price.deposit) {
        (PaymentChoice::Full, _) => Ok(price.total),
        (PaymentChoice::Deposit, Some(deposit)) => Ok(deposit),
        (PaymentChoice::Deposit, None) => Err(BookingError::field(
            "payment.choice",
            "this service takes no deposit",
        )),
    }
}

/// A payment or refund row, as the payment status is derived from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentFact {
    pub kind: PaymentKind,
    pub amount: Money,
    pub status: PaymentRowStatus,
}

/// Paid payments less paid refunds.
pub fn amount_paid(facts: &[PaymentFact]) -> Money {
    facts
        .iter()
        .filter(|f| f.status == PaymentRowStatus::Paid)
        .map(|f| match f.kind {
            PaymentKind::Payment => f.amount,
            PaymentKind::Refund => -f.amount,
        })
        .sum()
}

/// DOMAIN.md: paid (nothing left to pay), partially paid (0 < paid < total), pending (a payment
/// awaits confirmation), unpaid; and refunded once everything paid came back.
pub fn payment_status(total: Money, facts: &[PaymentFact]) -> PaymentStatus {
    let paid = amount_paid(facts);
    let awaiting = facts
        .iter()
        .any(|f| f.kind == PaymentKind::Payment && f.status == PaymentRowStatus::Pending);
    let refunded = facts
        .iter()
        .any(|f| f.kind == PaymentKind::Refund && f.status == PaymentRowStatus::Paid);
    if paid >= total && !(refunded && paid.is_zero()) {
        PaymentStatus::Paid
    } else if awaiting {
        PaymentStatus::Pending
    } else if paid.amount() > Decimal::ZERO {
        PaymentStatus::PartiallyPaid
    } else if refunded {
        PaymentStatus::Refunded
    } else {
        PaymentStatus::Unpaid
    }
}

/// Whether a booking starting at `start` may still be changed by someone bound by notice.
pub fn outside_change_notice(
    start: DateTime<Utc>,
    notice_minutes: u32,
    now: DateTime<Utc>,
) -> bool {
    start - now >= Duration::minutes(i64::from(notice_minutes))
}

/// The longest free text a client may leave with a booking.
pub const MAX_NOTES: usize = 2000;

pub fn clean_notes(notes: Option<&str>) -> Result<String, BookingError> {
    let notes = notes.unwrap_or_default().trim();
    if notes.chars().count() > MAX_NOTES {
        return Err(BookingError::field(
            "notes",
            format!("at most {MAX_NOTES} characters"),
        ));
    }
    Ok(notes.to_owned())
}

/// A booking as stored, with the names a reader wants beside the ids.
#[derive(Clone, Debug)]
pub struct BookingRow {
    pub id: u64,
    pub client_id: u64,
    pub service_id: u64,
    pub location_id: u64,
    pub staff_id: u64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub buffer_before_minutes: u32,
    pub buffer_after_minutes: u32,
    pub people: u32,
    pub status: Status,
    pub notes: String,
    pub currency: String,
    pub subtotal: Money,
    pub discount_total: Money,
    pub tax_total: Money,
    pub total: Money,
    pub prices_include_tax: bool,
    pub deposit_amount: Money,
    pub payment_choice: PaymentChoice,
    pub payment_method: Option<PaymentMethod>,
    pub amount_paid: Money,
    pub payment_status: PaymentStatus,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub names: Names,
}

#[derive(Clone, Debug, Default)]
pub struct Names {
    pub service: String,
    pub staff: String,
    pub location: String,
    pub location_address: String,
    pub timezone: String,
    pub client: String,
}

/// A payment row as shown in the booking's payment history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Payment {
    pub id: u64,
    pub kind: PaymentKind,
    pub method: PaymentMethod,
    pub amount: Money,
    pub status: PaymentRowStatus,
    pub ledger_id: Option<u64>,
    pub wc_order_id: Option<u64>,
    pub note: String,
    /// Who recorded it (`manager:3`, `client:42`, `woocommerce`).
    pub actor: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Payment {
    pub fn fact(&self) -> PaymentFact {
        PaymentFact {
            kind: self.kind,
            amount: self.amount,
            status: self.status,
        }
    }
}

/// A recorded change of a booking.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    pub id: u64,
    /// `role:wp_user_id` of whoever made the change.
    pub actor: String,
    /// created, rescheduled, cancelled, status_changed, payment_added
    pub action: String,
    /// `{"field": {"before": …, "after": …}}`
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// How a booking is paid at the moment it is placed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentPlan {
    /// Credits taken from the wallet (a `booking_payment` ledger row and a wallet payment).
    pub wallet: Money,
    /// The rest, by another method: recorded paid (staff only) or pending (awaits confirmation).
    pub other: Option<(PaymentMethod, Money, PaymentRowStatus)>,
    /// The method shown on the booking.
    pub method: Option<PaymentMethod>,
}

impl PaymentPlan {
    pub fn facts(&self) -> Vec<PaymentFact> {
        let mut facts = Vec::new();
        if !self.wallet.is_zero() {
            facts.push(PaymentFact {
                kind: PaymentKind::Payment,
                amount: self.wallet,
                status: PaymentRowStatus::Paid,
            });
        }
        if let Some((_, amount, status)) = self.other {
            facts.push(PaymentFact {
                kind: PaymentKind::Payment,
                amount,
                status,
            });
        }
        facts
    }
}

/// The payment part of a booking request: `use_wallet` credits (up to the total), then the
/// rest of what is due now by `method`, recorded as `status`. Only staff record money as paid;
/// a client's card or WooCommerce payment is pending until confirmed.
pub fn plan_payment(
    total: Money,
    due_now: Money,
    use_wallet: Option<Money>,
    method: Option<PaymentMethod>,
    status: Option<PaymentStatus>,
    staff_side: bool,
) -> Result<PaymentPlan, BookingError> {
    let mut wallet = use_wallet.unwrap_or(Money::ZERO);
    if wallet.is_negative() {
        return Err(BookingError::field(
            "payment.use_wallet",
            "may not be negative",
        ));
    }
    if method == Some(PaymentMethod::Wallet) && use_wallet.is_none() {
        wallet = due_now;
    }
    if wallet > total {
        return Err(BookingError::field(
            "payment.use_wallet",
            format!("more than the total ({total})"),
        ));
    }
    let rest = if due_now > wallet {
        due_now - wallet
    } else {
        Money::ZERO
    };
    let other_method = method.filter(|m| *m != PaymentMethod::Wallet);
    let status = match status {
        None if other_method == Some(PaymentMethod::Woocommerce) => PaymentStatus::Pending,
        None => PaymentStatus::Unpaid,
        Some(s @ (PaymentStatus::Paid | PaymentStatus::Unpaid | PaymentStatus::Pending)) => s,
        Some(_) => {
            return Err(BookingError::field(
                "payment.status",
                "paid, unpaid or pending",
            ));
        }
    };
    if status == PaymentStatus::Paid && !staff_side {
        return Err(BookingError::field(
            "payment.status",
            "only staff record a payment as paid",
        ));
    }
    let other = match (status, other_method) {
        (_, _) if rest.is_zero() => None,
        (PaymentStatus::Unpaid, _) => None,
        (PaymentStatus::Paid, None) => {
            return Err(BookingError::field(
                "payment.method",
                "say how the rest was paid",
            ));
        }
        (PaymentStatus::Paid, Some(m)) => Some((m, rest, PaymentRowStatus::Paid)),
        (_, m) => Some((
            m.unwrap_or(PaymentMethod::Woocommerce),
            rest,
            PaymentRowStatus::Pending,
        )),
    };
    let method = other
        .map(|(m, _, _)| m)
        .or(other_method)
        .or((!wallet.is_zero()).then_some(PaymentMethod::Wallet));
    Ok(PaymentPlan {
        wallet,
        other,
        method,
    })
}

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
            },
            booking,
            actions,
            history,
        }
    }
}

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

/// A service's booking price rules (`PUT /v1/services/{id}/pricing`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePricing {
    /// `{"type": "none"}`, `{"type": "fixed", "value": "20.00"}` or `{"type": "percent", "value": "30"}`.
    #[serde(default)]
    pub deposit: Deposit,
    /// A standing discount on the service line: `{"type": "amount" | "percent", "value": …}`.
    pub discount: Option<Discount>,
    /// This service's tax rate; `null` uses the site's.
    pub tax_rate_percent: Option<Money>,
}

/// What an employee may do to bookings (its role's permissions).
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffPermissions {
    /// Create, reschedule and change the status of its own bookings.
    pub can_edit_bookings: bool,
    pub can_cancel_bookings: bool,
    /// Handle money on its own bookings as a manager does: record payments as paid (at booking
    /// and later), take the client's wallet credits, give a per-booking discount. Off unless given.
    #[serde(default)]
    pub can_take_payments: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn m(s: &str) -> Money {
        Money::from_str(s).expect("money")
    }

    fn service(price: &str, people: u32) -> LineInput {
        LineInput {
            kind: LineKind::Service,
            item_id: 1,
            name: "Massage".into(),
            unit_price: m(price),
            quantity: people,
            duration_minutes: 0,
        }
    }

    fn addon(price: &str, qty: u32) -> LineInput {
        LineInput {
            kind: LineKind::Addon,
            item_id: 9,
            name: "Oil".into(),
            unit_price: m(price),
            quantity: qty,
            duration_minutes: 10,
        }
    }

    #[test]
    fn service_times_people_plus_addons_times_quantity() {
        let p = price(
            &[service("45.00", 2), addon("7.50", 3)],
            &PriceRules::default(),
        );
        assert_eq!(p.subtotal, m("112.50"));
        assert_eq!(p.total, m("112.50"));
        assert_eq!(p.tax_total, Money::ZERO);
        assert_eq!(p.deposit, None);
    }

    #[test]
    fn tax_added_per_line_then_summed() {
        // 3 × 0.35 = 1.05 at 20 % = 0.21; 10.01 at 20 % = 2.002 → 2.00.
        let rules = PriceRules {
            tax_rate_percent: Decimal::from(20),
            prices_include_tax: false,
            ..PriceRules::default()
        };
        let p = price(&[service("10.01", 1), addon("0.35", 3)], &rules);
        assert_eq!(p.lines[0].tax, m("2.00"));
        assert_eq!(p.lines[1].tax, m("0.21"));
        assert_eq!(p.tax_total, m("2.21"));
        assert_eq!(p.total, m("13.27"));
        assert_eq!(p.total, p.lines.iter().map(|l| l.total).sum());
    }

    #[test]
    fn tax_included_is_extracted_not_added() {
        let rules = PriceRules {
            tax_rate_percent: Decimal::from(20),
            prices_include_tax: true,
            ..PriceRules::default()
        };
        let p = price(&[service("50.00", 1)], &rules);
        // 50 × 20 / 120 = 8.333… → 8.33
        assert_eq!(p.tax_total, m("8.33"));
        assert_eq!(p.total, m("50.00"));
    }

    #[test]
    fn half_cent_rounds_away_from_zero() {
        let rules = PriceRules {
            tax_rate_percent: Decimal::from(10),
            prices_include_tax: false,
            ..PriceRules::default()
        };
        // 0.05 × 10 % = 0.005 → 0.01
        let p = price(&[service("0.05", 1)], &rules);
        assert_eq!(p.tax_total, m("0.01"));
        assert_eq!(p.total, m("0.06"));
    }

    #[test]
    fn discounts_service_then_booking_before_tax() {
        let rules = PriceRules {
            tax_rate_percent: Decimal::from(10),
            prices_include_tax: false,
            service_discount: Some(Discount::Percent(m("10"))),
            booking_discount: Some(Discount::Amount(m("50.00"))),
            deposit: Deposit::None,
        };
        // service 100 - 10 % = 90, booking discount takes 50 → 40; add-on 20 untouched (none left).
        let p = price(&[service("100.00", 1), addon("10.00", 2)], &rules);
        assert_eq!(p.lines[0].discount, m("60.00"));
        assert_eq!(p.lines[1].discount, Money::ZERO);
        assert_eq!(p.lines[0].total, m("44.00"));
        assert_eq!(p.lines[1].total, m("22.00"));
        assert_eq!(p.total, m("66.00"));
        assert_eq!(p.discount_total, m("60.00"));
    }

    #[test]
    fn amount_discount_never_makes_a_line_negative() {
        let rules = PriceRules {
            booking_discount: Some(Discount::Amount(m("500.00"))),
            ..PriceRules::default()
        };
        let p = price(&[service("30.00", 1), addon("5.00", 1)], &rules);
        assert_eq!(p.total, Money::ZERO);
        assert!(p.lines.iter().all(|l| !l.total.is_negative()));
    }

    #[test]
    fn deposits_fixed_or_percent_never_above_total() {
        let lines = [service("80.00", 1)];
        let with = |deposit| {
            price(
                &lines,
                &PriceRules {
                    deposit,
                    ..PriceRules::default()
                },
            )
        };
        assert_eq!(with(Deposit::Fixed(m("20.00"))).deposit, Some(m("20.00")));
        assert_eq!(with(Deposit::Fixed(m("200.00"))).deposit, Some(m("80.00")));
        assert_eq!(with(Deposit::Percent(m("33.33"))).deposit, Some(m("26.66")));
        let p = with(Deposit::Percent(m("25")));
        assert_eq!(due_now(&p, PaymentChoice::Deposit), Ok(m("20.00")));
        assert_eq!(due_now(&p, PaymentChoice::Full), Ok(m("80.00")));
        assert!(due_now(&with(Deposit::None), PaymentChoice::Deposit).is_err());
    }

    #[test]
    fn payment_status_is_derived() {
        let paid = |a: &str| PaymentFact {
            kind: PaymentKind::Payment,
            amount: m(a),
            status: PaymentRowStatus::Paid,
        };
        let pending = |a: &str| PaymentFact {
            kind: PaymentKind::Payment,
            amount: m(a),
            status: PaymentRowStatus::Pending,
        };
        let refund = |a: &str| PaymentFact {
            kind: PaymentKind::Refund,
            amount: m(a),
            status: PaymentRowStatus::Paid,
        };
        let total = m("100.00");
        assert_eq!(payment_status(total, &[]), PaymentStatus::Unpaid);
        assert_eq!(
            payment_status(total, &[paid("30.00")]),
            PaymentStatus::PartiallyPaid
        );
        assert_eq!(
            payment_status(total, &[paid("30.00"), pending("70.00")]),
            PaymentStatus::Pending
        );
        assert_eq!(
            payment_status(total, &[paid("30.00"), paid("70.00")]),
            PaymentStatus::Paid
        );
        assert_eq!(
            payment_status(total, &[paid("30.00"), refund("30.00")]),
            PaymentStatus::Refunded
        );
        assert_eq!(payment_status(Money::ZERO, &[]), PaymentStatus::Paid);
        assert_eq!(amount_paid(&[paid("30.00"), refund("10.00")]), m("20.00"));
    }

    #[test]
    fn transitions() {
        assert!(Status::Pending.may_become(Status::Confirmed));
        assert!(Status::Confirmed.may_become(Status::Cancelled));
        assert!(Status::Confirmed.may_become(Status::NoShow));
        assert!(!Status::Cancelled.may_become(Status::Confirmed));
        assert!(!Status::Completed.may_become(Status::Cancelled));
        assert!(!Status::Pending.may_become(Status::Completed));
    }

    #[test]
    fn change_notice_counts_from_now_to_the_current_start() {
        let now = Utc::now();
        assert!(outside_change_notice(
            now + Duration::hours(25),
            24 * 60,
            now
        ));
        assert!(outside_change_notice(
            now + Duration::hours(24),
            24 * 60,
            now
        ));
        assert!(!outside_change_notice(
            now + Duration::hours(23),
            24 * 60,
            now
        ));
    }
}
