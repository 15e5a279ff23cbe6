//! WooCommerce orders as the service reads them, and what an order's state means for the
//! intent it pays. Pure: `reconcile` applies these decisions inside a transaction.
use crate::money::Money;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What an intent pays for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntentKind {
    Booking,
    TopUp,
    Package,
}

impl IntentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Booking => "booking",
            Self::TopUp => "top_up",
            Self::Package => "package",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Booking, Self::TopUp, Self::Package]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntentStatus {
    /// The order is being created in WooCommerce.
    Creating,
    /// The order exists and waits for its payment.
    Pending,
    Paid,
    /// The order was cancelled, failed or deleted before it was paid.
    Cancelled,
    /// Paid, then refunded in full in WooCommerce.
    Refunded,
}

impl IntentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Creating => "creating",
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
            Self::Refunded => "refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Creating,
            Self::Pending,
            Self::Paid,
            Self::Cancelled,
            Self::Refunded,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// The fields of a REST v3 order (and of `order.*` deliveries) the service reads.
#[derive(Clone, Debug, Deserialize)]
pub struct Order {
    pub id: u64,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub total: Option<String>,
    #[serde(default)]
    pub order_key: Option<String>,
    #[serde(default)]
    pub payment_url: Option<String>,
    #[serde(default)]
    pub transaction_id: Option<String>,
    #[serde(default)]
    pub date_paid_gmt: Option<String>,
    #[serde(default)]
    pub date_modified_gmt: Option<String>,
    #[serde(default)]
    pub meta_data: Vec<Meta>,
    #[serde(default)]
    pub refunds: Vec<Refund>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Meta {
    pub key: String,
    #[serde(default)]
    pub value: serde_json::Value,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Refund {
    pub id: u64,
    #[serde(default)]
    pub reason: Option<String>,
    /// Negative, as WooCommerce lists it (`"-45.00"`).
    pub total: String,
}

/// WooCommerce dates are `YYYY-MM-DDTHH:MM:SS`; the `_gmt` ones are UTC.
pub fn parse_gmt(s: Option<&str>) -> Option<NaiveDateTime> {
    s.and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok())
}

impl Order {
    pub fn meta(&self, key: &str) -> Option<String> {
        self.meta_data
            .iter()
            .find(|m| m.key == key)
            .map(|m| match &m.value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    }

    pub fn intent_uuid(&self) -> Option<String> {
        self.meta("volixta_payment_intent")
    }

    pub fn total(&self) -> Option<Money> {
        self.total.as_deref().and_then(|t| t.parse().ok())
    }

    pub fn paid_at(&self) -> Option<NaiveDateTime> {
        parse_gmt(self.date_paid_gmt.as_deref())
    }

    pub fn modified_at(&self) -> Option<NaiveDateTime> {
        parse_gmt(self.date_modified_gmt.as_deref())
    }

    /// A paid status with a payment date: the money arrived.
    pub fn is_paid(&self) -> bool {
        matches!(self.status.as_str(), "processing" | "completed") && self.paid_at().is_some()
    }

    /// The order will not be paid as it is (it may be paid later if the store reopens it).
    pub fn is_abandoned(&self) -> bool {
        matches!(self.status.as_str(), "cancelled" | "failed" | "trash")
    }

    pub fn refunds(&self) -> Vec<(u64, Money, String)> {
        self.refunds
            .iter()
            .filter_map(|r| {
                let amount: Money = r.total.trim_start_matches('-').parse().ok()?;
                Some((r.id, amount, r.reason.clone().unwrap_or_default()))
            })
            .collect()
    }
}

/// Is this state older than the newest one already acted on? Same-second states are not: they
/// are acted on again, which changes nothing when nothing changed.
pub fn is_stale(seen: Option<NaiveDateTime>, this: Option<NaiveDateTime>) -> bool {
    matches!((seen, this), (Some(seen), Some(this)) if this < seen)
}

/// Why a payment was not counted, for a manager.
pub fn mismatch(order: &Order, amount: Money, currency: &str) -> Option<String> {
    let total = order.total();
    if total != Some(amount) {
        return Some(format!(
            "order {} was paid {} {}, the service asked for {} {}",
            order.id,
            order.total.as_deref().unwrap_or("?"),
            order.currency,
            amount,
            currency
        ));
    }
    if !order.currency.eq_ignore_ascii_case(currency) {
        return Some(format!(
            "order {} was paid in {}, the service asked for {}",
            order.id, order.currency, currency
        ));
    }
    None
}

/// How long the poll waits before asking about an order again: `base` while it is young, then a
/// tenth of its age, at most six hours.
pub fn poll_interval(base_seconds: u64, age_seconds: u64) -> u64 {
    (age_seconds / 10).clamp(base_seconds.max(1), 6 * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAID: &str =
        include_str!("../../../tests/vectors/woocommerce/order-updated-processing.json");
    const PENDING: &str =
        include_str!("../../../tests/vectors/woocommerce/order-updated-pending.json");

    #[test]
    fn the_fixture_orders_read_as_woocommerce_meant_them() {
        let paid: Order = serde_json::from_str(PAID).expect("order");
        assert!(paid.is_paid());
        assert_eq!(paid.total(), Some("45.00".parse().expect("money")));
        assert_eq!(
            paid.intent_uuid().as_deref(),
            Some("3f6c2a9e-8b1d-4e57-9a42-6d0f1c7b5e13")
        );
        assert_eq!(paid.meta("volixta_booking_id").as_deref(), Some("1234"));
        assert_eq!(
            paid.paid_at().map(|d| d.to_string()).as_deref(),
            Some("2025-06-14 14:09:46"),
            "the _gmt date, not the site-local one"
        );
        let pending: Order = serde_json::from_str(PENDING).expect("order");
        assert!(!pending.is_paid());
        assert!(is_stale(paid.modified_at(), pending.modified_at()));
        assert!(!is_stale(pending.modified_at(), paid.modified_at()));
        assert!(!is_stale(None, pending.modified_at()));
    }

    #[test]
    fn a_total_or_currency_that_differs_is_a_mismatch() {
        let paid: Order = serde_json::from_str(PAID).expect("order");
        let m = |s: &str| s.parse::<Money>().expect("money");
        assert_eq!(mismatch(&paid, m("45"), "EUR"), None);
        assert_eq!(mismatch(&paid, m("45.00"), "eur"), None);
        assert!(mismatch(&paid, m("44.99"), "EUR").is_some());
        assert!(mismatch(&paid, m("45.00"), "USD").is_some());
    }

    #[test]
    fn polls_back_off_as_orders_age() {
        assert_eq!(poll_interval(60, 0), 60);
        assert_eq!(poll_interval(60, 3600), 360);
        assert_eq!(poll_interval(60, 90 * 86400), 6 * 3600);
        assert_eq!(poll_interval(0, 0), 1);
    }
}
