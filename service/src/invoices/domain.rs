//! Invoices and credit notes without SQL or HTTP: numbers, lines, tax per rate, what a document
//! shows, and whether a booking's invoice must be rewritten, credited or left alone.
use crate::bookings::{LineKind, PaymentKind, PaymentMethod, PaymentRowStatus, PaymentStatus};
use crate::money::Money;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An invoice, or a credit note that cancels one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Invoice,
    CreditNote,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::CreditNote => "credit_note",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Invoice, Self::CreditNote]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// `open`: the booking's invoice in force; `credited`: a credit note cancelled it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Open,
    Credited,
}

impl State {
    pub fn parse(s: &str) -> Self {
        if s == "credited" {
            Self::Credited
        } else {
            Self::Open
        }
    }
}

/// `SERIES-YYYY-NNNNNN`: six digits at least, more once a year passes a million.
pub fn number(series: &str, year: i32, seq: u32) -> String {
    format!("{series}-{year}-{seq:06}")
}

/// One printed line: the service for its people, or an add-on for its quantity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct InvoiceLine {
    #[serde(skip)]
    pub kind: LineKind,
    pub description: String,
    pub quantity: u32,
    pub unit_price: Money,
    /// unit price × quantity.
    pub amount: Money,
    pub discount: Money,
    /// Percent, e.g. `20.00`.
    pub tax_rate: Money,
    pub tax: Money,
    /// What the line costs, tax included.
    pub total: Money,
}

impl InvoiceLine {
    /// The same line with every amount turned the other way, for a credit note.
    pub fn negated(&self) -> Self {
        Self {
            kind: self.kind,
            description: self.description.clone(),
            quantity: self.quantity,
            unit_price: -self.unit_price,
            amount: -self.amount,
            discount: -self.discount,
            tax_rate: self.tax_rate,
            tax: -self.tax,
            total: -self.total,
        }
    }
}

/// What a document sums to: always the sums of its rounded lines (DOMAIN.md "Money").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    pub subtotal: Money,
    pub discount_total: Money,
    pub tax_total: Money,
    pub total: Money,
}

impl Totals {
    pub fn of(lines: &[InvoiceLine]) -> Self {
        Self {
            subtotal: lines.iter().map(|l| l.amount).sum(),
            discount_total: lines.iter().map(|l| l.discount).sum(),
            tax_total: lines.iter().map(|l| l.tax).sum(),
            total: lines.iter().map(|l| l.total).sum(),
        }
    }
}

/// The tax of one rate: what it was computed on and how much it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct TaxAmount {
    pub rate: Money,
    /// The lines' totals without tax.
    pub base: Money,
    pub tax: Money,
}

/// Tax per rate, lowest rate first; rates without tax and without base are left out.
pub fn taxes(lines: &[InvoiceLine]) -> Vec<TaxAmount> {
    let mut out: Vec<TaxAmount> = Vec::new();
    for l in lines {
        let base = l.total - l.tax;
        match out.iter_mut().find(|t| t.rate == l.tax_rate) {
            Some(t) => {
                t.base = t.base + base;
                t.tax = t.tax + l.tax;
            }
            None => out.push(TaxAmount {
                rate: l.tax_rate,
                base,
                tax: l.tax,
            }),
        }
    }
    out.retain(|t| !(t.base.is_zero() && t.tax.is_zero()));
    out.sort_by_key(|t| t.rate.amount());
    out
}

/// A tax rate as stored (`DECIMAL(7,4)`) to the two decimals invoices print.
pub fn rate(percent: Decimal) -> Money {
    Money::round(percent)
}

/// What to do with a booking's open invoice when the booking may have changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// The invoice says what the booking says.
    None,
    /// Nothing was paid yet: the invoice's lines are rewritten under the same number.
    Rewrite,
    /// Money was paid against it: a credit note cancels it and a corrected invoice follows.
    CreditAndReissue,
    /// The booking was cancelled: a credit note cancels the invoice.
    Credit,
}

/// DOMAIN.md: a cancelled booking's invoice is kept and credited; a changed one is rewritten
/// only while nothing was paid, because an invoice someone paid against is a record.
pub fn change(cancelled: bool, same_lines: bool, anything_paid: bool) -> Change {
    if cancelled {
        Change::Credit
    } else if same_lines {
        Change::None
    } else if anything_paid {
        Change::CreditAndReissue
    } else {
        Change::Rewrite
    }
}

/// Who issued the document and to whom, as they were then.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Parties {
    pub seller_name: String,
    pub seller_address: String,
    pub seller_tax_number: String,
    pub buyer_name: String,
    pub buyer_email: String,
    pub buyer_address: String,
}

/// A stored invoice or credit note, without its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Document {
    pub id: u64,
    pub kind: Kind,
    pub number: String,
    pub booking_id: u64,
    pub client_id: u64,
    pub related_id: Option<u64>,
    pub related_number: Option<String>,
    pub state: State,
    pub reason: String,
    pub issued_at: DateTime<Utc>,
    pub currency: String,
    pub prices_include_tax: bool,
    pub totals: Totals,
    pub deposit_amount: Money,
    pub parties: Parties,
}

/// A document in a list: enough for a row or a card.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Summary {
    pub id: u64,
    pub kind: Kind,
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub booking_id: u64,
    pub client_id: u64,
    pub client_name: String,
    pub booking_start: DateTime<Utc>,
    pub service_name: String,
    pub currency: String,
    pub total: Money,
    pub state: State,
    /// The booking's payment status; for a credit note or a credited invoice, what the money
    /// did is on the documents themselves.
    pub payment_status: PaymentStatus,
    pub payment_method: Option<PaymentMethod>,
    /// The credit note of an invoice, the invoice of a credit note, the one a corrected
    /// invoice replaces.
    pub related_number: Option<String>,
}

/// A payment or refund as a document prints it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PaymentLine {
    pub kind: PaymentKind,
    pub method: PaymentMethod,
    pub amount: Money,
    pub status: PaymentRowStatus,
    pub at: DateTime<Utc>,
}

/// Another document of the same booking.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Sibling {
    pub id: u64,
    pub kind: Kind,
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub total: Money,
    pub state: State,
}

/// The booking a document is for, as the document shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookingInfo {
    pub id: u64,
    pub service: String,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// The start on the location's clock, RFC 3339 with its offset.
    pub local_start: String,
    pub timezone: String,
    pub people: u32,
    pub staff: String,
    pub location: String,
    pub location_address: String,
    pub status: crate::bookings::Status,
}

/// `GET /v1/bookings/{id}/invoice`, `GET /v1/invoices/{id}`: a whole document.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Invoice {
    pub id: u64,
    pub kind: Kind,
    pub number: String,
    pub issued_at: DateTime<Utc>,
    pub state: State,
    /// For credit notes and corrected invoices: `cancelled` or `changed`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    /// The invoice a credit note credits, or the one a corrected invoice replaces.
    pub related_number: Option<String>,
    pub booking_id: u64,
    pub client_id: u64,
    pub currency: String,
    #[serde(flatten)]
    pub parties: Parties,
    pub booking: BookingInfo,
    pub lines: Vec<InvoiceLine>,
    /// Prices entered with tax: the tax was extracted from them, not added.
    pub prices_include_tax: bool,
    pub subtotal: Money,
    pub discount_total: Money,
    pub taxes: Vec<TaxAmount>,
    pub tax_total: Money,
    pub total: Money,
    /// The deposit the payer could choose; absent when the service has none.
    pub deposit: Option<Money>,
    /// Wallet credits paid towards the booking (its own line, as the credits guide says).
    pub credits_used: Money,
    /// "Paid with package X (session n of m)" when a package session paid for the service.
    pub package_session: Option<String>,
    /// Every payment and refund of the booking, oldest first (on invoices; a credit note lists
    /// the refunds).
    pub payments: Vec<PaymentLine>,
    pub amount_paid: Money,
    pub balance_due: Money,
    pub payment_status: PaymentStatus,
    /// Every invoice and credit note of the booking, this one too, in order of issue.
    pub documents: Vec<Sibling>,
}

/// The label a payment status prints as.
pub fn status_label(s: PaymentStatus) -> &'static str {
    match s {
        PaymentStatus::Paid => "Paid",
        PaymentStatus::PartiallyPaid => "Partially paid",
        PaymentStatus::Unpaid => "Unpaid",
        PaymentStatus::Pending => "Payment pending",
        PaymentStatus::Refunded => "Refunded",
    }
}

/// The label a payment method prints as.
pub fn method_label(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Wallet => "Wallet credits",
        PaymentMethod::Cash => "Cash",
        PaymentMethod::BankTransfer => "Bank transfer",
        PaymentMethod::Card => "Card",
        PaymentMethod::Woocommerce => "Online (WooCommerce)",
        PaymentMethod::Package => "Package session",
    }
}

/// A keyset position in a list: newest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub issued_at: DateTime<Utc>,
    pub id: u64,
}

impl Cursor {
    pub fn encode(self) -> String {
        format!("{}_{}", self.issued_at.timestamp_micros(), self.id)
    }

    pub fn decode(raw: &str) -> Option<Self> {
        let (t, id) = raw.split_once('_')?;
        Some(Self {
            issued_at: DateTime::from_timestamp_micros(t.parse().ok()?)?,
            id: id.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(total: &str, tax: &str, rate: &str) -> InvoiceLine {
        let m = |s: &str| s.parse::<Money>().expect("money");
        InvoiceLine {
            kind: LineKind::Service,
            description: "x".into(),
            quantity: 1,
            unit_price: m(total),
            amount: m(total),
            discount: Money::ZERO,
            tax_rate: m(rate),
            tax: m(tax),
            total: m(total),
        }
    }

    #[test]
    fn numbers_have_six_digits_at_least() {
        assert_eq!(number("INV", 2026, 1), "INV-2026-000001");
        assert_eq!(number("CN", 2027, 123_456), "CN-2027-123456");
        assert_eq!(number("INV", 2026, 1_234_567), "INV-2026-1234567");
    }

    #[test]
    fn taxes_group_by_rate_and_add_up() {
        let lines = [
            line("60.00", "10.00", "20.00"),
            line("12.00", "2.00", "20.00"),
            line("10.55", "0.55", "5.50"),
            line("5.00", "0.00", "0.00"),
        ];
        let t = taxes(&lines);
        assert_eq!(t.len(), 3);
        assert_eq!(t[0].rate.to_string(), "0.00");
        assert_eq!(t[1].rate.to_string(), "5.50");
        assert_eq!(t[2].tax.to_string(), "12.00");
        assert_eq!(t[2].base.to_string(), "60.00");
        let sum: Money = t.iter().map(|x| x.tax).sum();
        assert_eq!(sum, Totals::of(&lines).tax_total);
    }

    #[test]
    fn a_credit_note_cancels_every_figure() {
        let lines = [
            line("60.00", "10.00", "20.00"),
            line("8.40", "1.40", "20.00"),
        ];
        let credited: Vec<_> = lines.iter().map(InvoiceLine::negated).collect();
        let (a, b) = (Totals::of(&lines), Totals::of(&credited));
        assert_eq!(a.total + b.total, Money::ZERO);
        assert_eq!(a.tax_total + b.tax_total, Money::ZERO);
        assert_eq!(b.total.to_string(), "-68.40");
    }

    #[test]
    fn paid_invoices_are_never_rewritten() {
        assert_eq!(change(false, true, true), Change::None);
        assert_eq!(change(false, false, false), Change::Rewrite);
        assert_eq!(change(false, false, true), Change::CreditAndReissue);
        assert_eq!(change(true, true, false), Change::Credit);
        assert_eq!(change(true, false, true), Change::Credit);
    }

    #[test]
    fn cursors_round_trip() {
        let c = Cursor {
            issued_at: DateTime::from_timestamp_micros(1_790_000_000_123_456).expect("t"),
            id: 42,
        };
        assert_eq!(Cursor::decode(&c.encode()), Some(c));
        assert_eq!(Cursor::decode("nope"), None);
    }
}
