//! All of bookings' SQL: the booking rows with their lines and history (`booking`), payments
//! (`payments`), what a booking needs to know of the catalog and the service's price rules
//! (`offering`), and the employees' booking permissions (`staff`).
mod booking;
mod offering;
mod payments;
mod staff;

pub use booking::*;
pub use offering::*;
pub use payments::*;
pub use staff::*;

use crate::{
    db::{DbError, to_utc},
    money::Money,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::{Row, Value, from_value};
use rust_decimal::Decimal;

type SqlResult<T> = Result<T, DbError>;

fn col<T: mysql_async::prelude::FromValue>(row: &mut Row, i: usize) -> T {
    from_value(row.take::<Value, _>(i).unwrap_or(Value::NULL))
}

fn money(row: &mut Row, i: usize) -> Money {
    Money::from_db(col::<Decimal>(row, i))
}

fn utc(row: &mut Row, i: usize) -> DateTime<Utc> {
    to_utc(col::<NaiveDateTime>(row, i))
}

fn parsed<T>(row: &mut Row, i: usize, parse: fn(&str) -> Option<T>, fallback: T) -> T {
    parse(&col::<String>(row, i)).unwrap_or(fallback)
}
