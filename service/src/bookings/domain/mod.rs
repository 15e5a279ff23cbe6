//! Booking rules without SQL or HTTP: the states and their transitions, the minimum-notice
//! rule, and the stored shape of a booking. Prices are in `pricing`, payments in `payment`, what
//! the API shows in `view` and `calendar`.
mod calendar;
mod list;
mod payment;
mod pricing;
mod view;

pub use calendar::{CalendarDay, CalendarItem, Cursor, calendar};
pub use list::{ListFilter, ListQuery, midnight};
pub use payment::{
    Payment, PaymentFact, PaymentPlan, amount_paid, paid_by_package, payment_status, plan_payment,
};
pub use pricing::{
    Deposit, Discount, Line, LineInput, Price, PriceRules, ServicePricing, due_now, price,
};
pub use view::{Action, Actions, Booking, Details, PackagePaid};

use super::BookingError;
use crate::money::Money;
use chrono::{DateTime, Duration, Utc};
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
                    Card = "card", Woocommerce = "woocommerce", Package = "package" }
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
