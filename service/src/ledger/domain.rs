//! The rules every per-client ledger follows, whatever it counts.
use super::{LedgerError, ReasonError};
use crate::money::Money;
use mysql_async::{Value, prelude::FromValue};

/// What a ledger counts: signed changes of a balance that never goes below zero.
pub trait Quantity: Copy + Send + Sync + Into<Value> + 'static {
    /// What a client holds, as stored in the ledger's `balance_after` and the cached column.
    type Balance: Copy + Send + Sync + Into<Value> + FromValue<Intermediate: Into<Value>> + 'static;

    fn is_zero(self) -> bool;

    /// `balance` after this change, or `None` when that would be below zero.
    fn apply(self, balance: Self::Balance) -> Option<Self::Balance>;
}

impl Quantity for Money {
    type Balance = Money;

    fn is_zero(self) -> bool {
        Money::is_zero(self)
    }

    fn apply(self, balance: Money) -> Option<Money> {
        let next = balance + self;
        (!next.is_negative()).then_some(next)
    }
}

/// Points: whole changes of a total that is never negative.
impl Quantity for i64 {
    type Balance = u64;

    fn is_zero(self) -> bool {
        self == 0
    }

    fn apply(self, balance: u64) -> Option<u64> {
        balance.checked_add_signed(self)
    }
}

/// The balance after `change`; a change of nothing and one that would leave less than zero
/// are refused.
pub fn next_balance<Q: Quantity>(
    balance: Q::Balance,
    change: Q,
) -> Result<Q::Balance, LedgerError<Q::Balance>> {
    if change.is_zero() {
        return Err(LedgerError::ZeroChange);
    }
    change
        .apply(balance)
        .ok_or(LedgerError::Insufficient { balance })
}

/// The size of the ledgers' `reason` column.
pub const MAX_REASON_CHARS: usize = 500;

/// A change a person makes says why: trimmed, not empty, and short enough to store.
pub fn clean_reason(reason: Option<&str>) -> Result<String, ReasonError> {
    let reason = reason.unwrap_or_default().trim();
    if reason.is_empty() {
        return Err(ReasonError::Required);
    }
    if reason.chars().count() > MAX_REASON_CHARS {
        return Err(ReasonError::TooLong);
    }
    Ok(reason.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Money {
        s.parse().expect("money")
    }

    #[test]
    fn money_never_goes_below_zero() {
        assert_eq!(next_balance(m("10.00"), m("-10.00")).ok(), Some(m("0.00")));
        assert!(matches!(
            next_balance(m("10.00"), m("-10.01")),
            Err(LedgerError::Insufficient { balance }) if balance == m("10.00")
        ));
        assert!(matches!(
            next_balance(m("0"), m("0")),
            Err(LedgerError::ZeroChange)
        ));
        assert_eq!(next_balance(m("0.50"), m("1.25")).ok(), Some(m("1.75")));
    }

    #[test]
    fn points_never_go_below_zero() {
        assert_eq!(next_balance(10, -10_i64).ok(), Some(0));
        assert!(matches!(
            next_balance(10, -11_i64),
            Err(LedgerError::Insufficient { balance: 10 })
        ));
        assert!(matches!(
            next_balance(0, 0_i64),
            Err(LedgerError::ZeroChange)
        ));
        assert_eq!(next_balance(5, 7_i64).ok(), Some(12));
    }

    #[test]
    fn a_reason_is_trimmed_required_and_bounded() {
        assert_eq!(clean_reason(Some("  goodwill ")), Ok("goodwill".to_owned()));
        assert_eq!(clean_reason(None), Err(ReasonError::Required));
        assert_eq!(clean_reason(Some(" \n ")), Err(ReasonError::Required));
        assert!(clean_reason(Some(&"é".repeat(MAX_REASON_CHARS))).is_ok());
        assert_eq!(
            clean_reason(Some(&"é".repeat(MAX_REASON_CHARS + 1))),
            Err(ReasonError::TooLong)
        );
    }
}
