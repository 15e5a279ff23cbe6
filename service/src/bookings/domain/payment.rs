//! Payments: what a booking's payment rows add up to, and how a booking is paid when placed.
use super::{PaymentKind, PaymentMethod, PaymentRowStatus, PaymentStatus};
use crate::bookings::BookingError;
use crate::money::Money;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Serialize;
use utoipa::ToSchema;

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

/// What package sessions paid of a booking and was not given back: a cancellation returns it
/// to the package as a session, never to the wallet.
pub fn paid_by_package(payments: &[Payment]) -> Money {
    payments
        .iter()
        .filter(|p| p.method == PaymentMethod::Package && p.status == PaymentRowStatus::Paid)
        .map(|p| match p.kind {
            PaymentKind::Payment => p.amount,
            PaymentKind::Refund => -p.amount,
        })
        .sum()
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn m(s: &str) -> Money {
        Money::from_str(s).expect("money")
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
}
