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
        is_abandoned_status(&self.status)
    }

    /// The money arrived at some point: WooCommerce sets `date_paid` when an order first reaches
    /// a paid status and keeps it through a refund, a cancellation, a failure or the trash. So a
    /// cancelled state with a payment date proves the payment even when the paid state itself
    /// was lost or arrives later.
    pub fn money_arrived(&self) -> bool {
        self.paid_at().is_some()
            && (self.is_paid() || self.status == "refunded" || self.is_abandoned())
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

/// What the service records as an order's status when WooCommerce deletes it (`order.deleted`,
/// or a poll answered 404).
pub const DELETED: &str = "deleted";

/// An order given up: cancelled, failed, trashed or deleted.
pub fn is_abandoned_status(status: &str) -> bool {
    matches!(status, "cancelled" | "failed" | "trash" | DELETED)
}

/// The flag of a paid order given up in the store: trashed and deleted read as one, since
/// WooCommerce reports a trashed order both ways.
pub fn abandoned_after_paid_flag(status: &str) -> &'static str {
    if matches!(status, "trash" | DELETED) {
        "deleted_after_paid"
    } else {
        "cancelled_after_paid"
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
    fn a_payment_date_on_a_cancelled_order_proves_the_money_arrived() {
        let mut order: Order = serde_json::from_str(PAID).expect("order");
        assert!(order.money_arrived());
        for (status, arrived, abandoned) in [
            ("cancelled", true, true),
            ("failed", true, true),
            ("trash", true, true),
            ("refunded", true, false),
            ("on-hold", false, false),
            ("pending", false, false),
        ] {
            order.status = status.into();
            assert_eq!(order.money_arrived(), arrived, "{status}");
            assert_eq!(order.is_abandoned(), abandoned, "{status}");
        }
        order.status = "cancelled".into();
        order.date_paid_gmt = None;
        assert!(!order.money_arrived(), "cancelled before it was paid");
        assert_eq!(abandoned_after_paid_flag("failed"), "cancelled_after_paid");
        assert_eq!(abandoned_after_paid_flag(DELETED), "deleted_after_paid");
        assert_eq!(abandoned_after_paid_flag("trash"), "deleted_after_paid");
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
