use super::WalletError;
use crate::money::Money;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    ManualCredit,
    ManualDebit,
    GiftCode,
    BookingPayment,
    CancellationRefund,
    TopUp,
    Merge,
}

impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ManualCredit => "manual_credit",
            Self::ManualDebit => "manual_debit",
            Self::GiftCode => "gift_code",
            Self::BookingPayment => "booking_payment",
            Self::CancellationRefund => "cancellation_refund",
            Self::TopUp => "top_up",
            Self::Merge => "merge",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::ManualCredit,
            Self::ManualDebit,
            Self::GiftCode,
            Self::BookingPayment,
            Self::CancellationRefund,
            Self::TopUp,
            Self::Merge,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// What a ledger row refers to, besides the client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct References {
    pub booking_id: Option<u64>,
    pub gift_code_id: Option<u64>,
    pub wc_order_id: Option<u64>,
}

/// A change to post: the signed amount and why.
#[derive(Clone, Debug)]
pub struct Entry {
    pub client_id: u64,
    pub amount: Money,
    pub kind: EntryKind,
    pub reason: String,
    pub actor: String,
    pub refs: References,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LedgerRow {
    pub id: u64,
    pub client_id: u64,
    pub amount: Money,
    pub balance_after: Money,
    pub kind: EntryKind,
    pub reason: String,
    pub actor: String,
    pub booking_id: Option<u64>,
    pub gift_code_id: Option<u64>,
    pub wc_order_id: Option<u64>,
    pub created_at: DateTime<Utc>,
}

/// The balance after `amount`, which may never go below zero.
pub fn next_balance(balance: Money, amount: Money) -> Result<Money, WalletError> {
    if amount.is_zero() {
        return Err(WalletError::ZeroAmount);
    }
    let next = balance + amount;
    if next.is_negative() {
        return Err(WalletError::InsufficientBalance { balance });
    }
    Ok(next)
}

pub fn manual_kind(amount: Money) -> EntryKind {
    if amount.is_negative() {
        EntryKind::ManualDebit
    } else {
        EntryKind::ManualCredit
    }
}

pub fn clean_reason(reason: Option<String>) -> Result<String, WalletError> {
    let reason = reason.unwrap_or_default().trim().to_owned();
    if reason.is_empty() {
        return Err(WalletError::ReasonRequired);
    }
    if reason.chars().count() > 500 {
        return Err(WalletError::ReasonTooLong);
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        s.parse().expect("money")
    }

    #[test]
    fn balance_never_below_zero() {
        assert_eq!(next_balance(m("10.00"), m("-10.00")), Ok(m("0.00")));
        assert_eq!(
            next_balance(m("10.00"), m("-10.01")),
            Err(WalletError::InsufficientBalance {
                balance: m("10.00")
            })
        );
        assert_eq!(next_balance(m("0"), m("0")), Err(WalletError::ZeroAmount));
    }

    #[test]
    fn kinds_round_trip() {
        for k in [EntryKind::ManualCredit, EntryKind::Merge, EntryKind::TopUp] {
            assert_eq!(EntryKind::parse(k.as_str()), Some(k));
        }
    }
}
