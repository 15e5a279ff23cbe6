//! Row decoding, in one place. Repositories derive `FromRow` (mysql_async's derive, which
//! matches columns by name) on the types they read, so a query's column list and the type's
//! fields cannot drift apart silently. The driver knows integers, strings, decimals and naive
//! times; what it does not know decodes through `Column`:
//!
//! ```ignore
//! #[derive(FromRow)]
//! struct Sent {
//!     id: u64,
//!     amount: Money, // a DECIMAL(19,4), rounded to the minor unit
//!     #[mysql(deserialize_with = "crate::db::row::de", serialize_with = "crate::db::row::ser")]
//!     created_at: DateTime<Utc>, // a DATETIME(6) holding UTC
//! }
//! ```
//!
//! (`serialize_with` is needed only to hand the row back intact when a later column fails.)
use crate::money::Money;
use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::{FromValueError, Value, prelude::FromValue};
use rust_decimal::Decimal;

/// A column type the driver does not know, decoded from (and, for error reports, written back
/// to) the value the driver reads.
pub trait Column: Sized {
    fn from_column(value: Value) -> Result<Self, FromValueError>;
    fn into_column(self) -> Value;
}

pub fn de<T: Column>(value: Value) -> Result<T, FromValueError> {
    T::from_column(value)
}

pub fn ser<T: Column>(column: T) -> Value {
    column.into_column()
}

/// `DATETIME(6)` columns hold UTC instants (the session time zone is `+00:00`).
impl Column for DateTime<Utc> {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        NaiveDateTime::from_value_opt(value).map(|naive| naive.and_utc())
    }

    fn into_column(self) -> Value {
        self.naive_utc().into()
    }
}

impl<T: Column> Column for Option<T> {
    fn from_column(value: Value) -> Result<Self, FromValueError> {
        match value {
            Value::NULL => Ok(None),
            value => T::from_column(value).map(Some),
        }
    }

    fn into_column(self) -> Value {
        self.map_or(Value::NULL, Column::into_column)
    }
}

/// The conversion step `FromValue` asks for: a stored amount, already rounded, and the value
/// it came from (the derive hands it back when a later column of the row fails).
pub struct MoneyColumn(Money, Value);

impl TryFrom<Value> for MoneyColumn {
    type Error = FromValueError;

    fn try_from(value: Value) -> Result<Self, Self::Error> {
        let amount = Decimal::from_value_opt(value.clone())?;
        Ok(Self(Money::from_db(amount), value))
    }
}

impl From<MoneyColumn> for Value {
    fn from(column: MoneyColumn) -> Self {
        column.1
    }
}

impl From<MoneyColumn> for Money {
    fn from(column: MoneyColumn) -> Self {
        column.0
    }
}

/// Money columns (`DECIMAL(19,4)`) decode as `Money` like any driver type, `Option` included.
impl FromValue for Money {
    type Intermediate = MoneyColumn;
}

impl From<Money> for Value {
    fn from(money: Money) -> Self {
        money.amount().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_and_instants_decode_into_domain_types() {
        let money = Money::from_value_opt(Value::Bytes(b"45.1000".to_vec())).expect("money");
        assert_eq!(money.to_string(), "45.10");
        assert_eq!(
            Option::<Money>::from_value_opt(Value::NULL).expect("null"),
            None
        );
        assert!(Money::from_value_opt(Value::Bytes(b"not money".to_vec())).is_err());

        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .and_then(|d| d.and_hms_micro_opt(9, 0, 0, 5))
            .expect("instant");
        let decoded: DateTime<Utc> = de(Value::from(at)).expect("instant");
        assert_eq!(decoded, at.and_utc());
        assert_eq!(ser(decoded), Value::from(at));
        assert_eq!(
            de::<Option<DateTime<Utc>>>(Value::NULL).expect("null"),
            None
        );
        assert_eq!(
            de::<Option<DateTime<Utc>>>(Value::from(at)).expect("instant"),
            Some(at.and_utc())
        );
        assert!(de::<DateTime<Utc>>(Value::NULL).is_err());
    }
}
