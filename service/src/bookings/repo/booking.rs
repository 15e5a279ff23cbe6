//! Booking rows, their lines and their change history.
use super::{SqlResult, col, money, parsed, utc};
use crate::bookings::domain::{
    BookingRow, Cursor, HistoryEntry, Line, LineKind, ListFilter, Names, PaymentChoice,
    PaymentMethod, PaymentStatus, Price, PriceRules, Status,
};
use crate::{
    db::{Db, DbError, Tx, to_utc},
    money::Money,
    paging::PageRequest,
};
use chrono::{DateTime, NaiveDateTime, Utc};
use mysql_async::{Row, Value, prelude::Queryable};
use rust_decimal::Decimal;

const COLUMNS: &str = "b.id, b.client_id, b.service_id, b.location_id, b.staff_id, b.start_at, \
    b.end_at, b.buffer_before_minutes, b.buffer_after_minutes, b.people, b.status, b.notes, \
    b.currency, b.subtotal, b.discount_total, b.tax_total, b.total, b.prices_include_tax, \
    b.deposit_amount, b.payment_choice, b.payment_method, b.amount_paid, b.payment_status, \
    b.created_by, b.created_at, b.updated_at, b.cancelled_at";

const NAMED: &str = ", s.name, TRIM(CONCAT(st.first_name, ' ', st.last_name)), l.name, l.address, \
    l.timezone, TRIM(CONCAT(c.first_name, ' ', c.last_name)) \
    FROM {p}volixta_bookings b \
    JOIN {p}volixta_services s ON s.id = b.service_id \
    JOIN {p}volixta_staff st ON st.id = b.staff_id \
    JOIN {p}volixta_locations l ON l.id = b.location_id \
    JOIN {p}volixta_clients c ON c.id = b.client_id";

fn booking(mut r: Row, named: bool) -> BookingRow {
    let payment_method: Option<String> = col(&mut r, 20);
    let cancelled_at: Option<NaiveDateTime> = col(&mut r, 26);
    let names = if named {
        Names {
            service: col(&mut r, 27),
            staff: col(&mut r, 28),
            location: col(&mut r, 29),
            location_address: col(&mut r, 30),
            timezone: col(&mut r, 31),
            client: col(&mut r, 32),
        }
    } else {
        Names::default()
    };
    BookingRow {
        id: col(&mut r, 0),
        client_id: col(&mut r, 1),
        service_id: col(&mut r, 2),
        location_id: col(&mut r, 3),
        staff_id: col(&mut r, 4),
        start: utc(&mut r, 5),
        end: utc(&mut r, 6),
        buffer_before_minutes: col(&mut r, 7),
        buffer_after_minutes: col(&mut r, 8),
        people: col(&mut r, 9),
        status: parsed(&mut r, 10, Status::parse, Status::Pending),
        notes: col(&mut r, 11),
        currency: col(&mut r, 12),
        subtotal: money(&mut r, 13),
        discount_total: money(&mut r, 14),
        tax_total: money(&mut r, 15),
        total: money(&mut r, 16),
        prices_include_tax: col(&mut r, 17),
        deposit_amount: money(&mut r, 18),
        payment_choice: parsed(&mut r, 19, PaymentChoice::parse, PaymentChoice::Full),
        payment_method: payment_method.as_deref().and_then(PaymentMethod::parse),
        amount_paid: money(&mut r, 21),
        payment_status: parsed(&mut r, 22, PaymentStatus::parse, PaymentStatus::Unpaid),
        created_by: col(&mut r, 23),
        created_at: utc(&mut r, 24),
        updated_at: utc(&mut r, 25),
        cancelled_at: cancelled_at.map(to_utc),
        names,
    }
}

pub async fn find<Q: Queryable>(conn: &mut Q, db: &Db, id: u64) -> SqlResult<Option<BookingRow>> {
    let row: Option<Row> = conn
        .exec_first(
            db.sql(&format!("SELECT {COLUMNS}{NAMED} WHERE b.id = ?")),
            (id,),
        )
        .await?;
    Ok(row.map(|r| booking(r, true)))
}

/// Locks the booking row only (no join, so no other row is locked with it).
pub async fn find_for_update(tx: &mut Tx, db: &Db, id: u64) -> SqlResult<Option<BookingRow>> {
    let row: Option<Row> = tx
        .exec_first(
            db.sql(&format!(
                "SELECT {COLUMNS} FROM {{p}}volixta_bookings b WHERE b.id = ? FOR UPDATE"
            )),
            (id,),
        )
        .await?;
    Ok(row.map(|r| booking(r, false)))
}

pub struct NewBooking<'a> {
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
    pub notes: &'a str,
    pub currency: &'a str,
    pub subtotal: Money,
    pub discount_total: Money,
    pub tax_total: Money,
    pub total: Money,
    pub prices_include_tax: bool,
    pub price_rules: &'a PriceRules,
    pub deposit_amount: Money,
    pub payment_choice: PaymentChoice,
    pub payment_method: Option<PaymentMethod>,
    pub amount_paid: Money,
    pub payment_status: PaymentStatus,
    pub created_by: &'a str,
}

pub async fn insert(tx: &mut Tx, db: &Db, b: &NewBooking<'_>) -> SqlResult<u64> {
    let params: Vec<Value> = vec![
        b.client_id.into(),
        b.service_id.into(),
        b.location_id.into(),
        b.staff_id.into(),
        b.start.naive_utc().into(),
        b.end.naive_utc().into(),
        b.buffer_before_minutes.into(),
        b.buffer_after_minutes.into(),
        b.people.into(),
        b.status.as_str().into(),
        b.notes.into(),
        b.currency.into(),
        b.subtotal.amount().into(),
        b.discount_total.amount().into(),
        b.tax_total.amount().into(),
        b.total.amount().into(),
        b.prices_include_tax.into(),
        serde_json::to_string(b.price_rules)
            .unwrap_or_default()
            .into(),
        b.deposit_amount.amount().into(),
        b.payment_choice.as_str().into(),
        b.payment_method.map(PaymentMethod::as_str).into(),
        b.amount_paid.amount().into(),
        b.payment_status.as_str().into(),
        b.created_by.into(),
    ];
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_bookings (client_id, service_id, location_id, staff_id, \
             start_at, end_at, buffer_before_minutes, buffer_after_minutes, people, status, notes, \
             currency, subtotal, discount_total, tax_total, total, prices_include_tax, price_rules, \
             deposit_amount, payment_choice, payment_method, amount_paid, payment_status, created_by) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        params,
    )
    .await?;
    tx.last_insert_id().ok_or_else(|| {
        DbError::Other(mysql_async::Error::Other(
            "no insert id for a booking".into(),
        ))
    })
}

/// Every line in one statement.
pub async fn insert_lines(tx: &mut Tx, db: &Db, booking_id: u64, lines: &[Line]) -> SqlResult<()> {
    if lines.is_empty() {
        return Ok(());
    }
    let marks = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"; lines.len()].join(", ");
    let mut params: Vec<Value> = Vec::with_capacity(lines.len() * 13);
    for (i, l) in lines.iter().enumerate() {
        params.extend([
            booking_id.into(),
            u32::try_from(i).unwrap_or(u32::MAX).into(),
            l.kind.as_str().into(),
            l.item_id.into(),
            l.name.as_str().into(),
            l.unit_price.amount().into(),
            l.quantity.into(),
            l.duration_minutes.into(),
            l.amount.amount().into(),
            l.discount.amount().into(),
            l.tax_rate_percent.into(),
            l.tax.amount().into(),
            l.total.amount().into(),
        ]);
    }
    tx.exec_drop(
        db.sql(&format!(
            "INSERT INTO {{p}}volixta_booking_lines (booking_id, position, kind, item_id, name, \
             unit_price, quantity, duration_minutes, amount, discount, tax_rate_percent, tax, total) \
             VALUES {marks}"
        )),
        params,
    )
    .await
    .map_err(DbError::from)
}

pub async fn lines<Q: Queryable>(conn: &mut Q, db: &Db, booking_id: u64) -> SqlResult<Vec<Line>> {
    let rows: Vec<Row> = conn
        .exec(
            db.sql(
                "SELECT kind, item_id, name, unit_price, quantity, duration_minutes, amount, \
                 discount, tax_rate_percent, tax, total FROM {p}volixta_booking_lines \
                 WHERE booking_id = ? ORDER BY position",
            ),
            (booking_id,),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|mut r| Line {
            kind: parsed(&mut r, 0, LineKind::parse, LineKind::Addon),
            item_id: col(&mut r, 1),
            name: col(&mut r, 2),
            unit_price: money(&mut r, 3),
            quantity: col(&mut r, 4),
            duration_minutes: col(&mut r, 5),
            amount: money(&mut r, 6),
            discount: money(&mut r, 7),
            tax_rate_percent: col::<Decimal>(&mut r, 8).normalize(),
            tax: money(&mut r, 9),
            total: money(&mut r, 10),
        })
        .collect())
}

/// The rules the booking was priced by; `None` for a booking placed before they were kept.
pub async fn price_rules<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    booking_id: u64,
) -> SqlResult<Option<PriceRules>> {
    let raw: Option<Option<String>> = conn
        .exec_first(
            db.sql("SELECT price_rules FROM {p}volixta_bookings WHERE id = ?"),
            (booking_id,),
        )
        .await?;
    Ok(raw
        .flatten()
        .and_then(|json| serde_json::from_str(&json).ok()))
}

/// Replaces every line of the booking, in the caller's transaction.
pub async fn replace_lines(tx: &mut Tx, db: &Db, booking_id: u64, lines: &[Line]) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("DELETE FROM {p}volixta_booking_lines WHERE booking_id = ?"),
        (booking_id,),
    )
    .await?;
    insert_lines(tx, db, booking_id, lines).await
}

/// A new price and end for the booking (its options changed).
pub async fn set_price(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    end: DateTime<Utc>,
    price: &Price,
    deposit_amount: Money,
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_bookings SET end_at = ?, subtotal = ?, discount_total = ?, \
             tax_total = ?, total = ?, deposit_amount = ? WHERE id = ?",
        ),
        (
            end.naive_utc(),
            price.subtotal.amount(),
            price.discount_total.amount(),
            price.tax_total.amount(),
            price.total.amount(),
            deposit_amount.amount(),
            booking_id,
        ),
    )
    .await
    .map_err(DbError::from)
}

pub async fn move_to(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    staff_id: u64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_bookings SET staff_id = ?, start_at = ?, end_at = ? WHERE id = ?",
        ),
        (staff_id, start.naive_utc(), end.naive_utc(), booking_id),
    )
    .await
    .map_err(DbError::from)
}

pub async fn set_status(tx: &mut Tx, db: &Db, booking_id: u64, status: Status) -> SqlResult<()> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_bookings SET status = ?, \
             cancelled_at = IF(? = 'cancelled', UTC_TIMESTAMP(6), cancelled_at) WHERE id = ?",
        ),
        (status.as_str(), status.as_str(), booking_id),
    )
    .await
    .map_err(DbError::from)
}

pub async fn insert_history(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    actor: &str,
    action: &str,
    changes: &serde_json::Value,
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_booking_history (booking_id, actor, action, changes) \
             VALUES (?, ?, ?, ?)",
        ),
        (booking_id, actor, action, changes.to_string()),
    )
    .await
    .map_err(DbError::from)
}

pub async fn history<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    booking_id: u64,
) -> SqlResult<Vec<HistoryEntry>> {
    let rows: Vec<(u64, String, String, String, NaiveDateTime)> = conn
        .exec(
            db.sql(
                "SELECT id, actor, action, changes, created_at FROM {p}volixta_booking_history \
                 WHERE booking_id = ? ORDER BY id",
            ),
            (booking_id,),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, actor, action, changes, at)| HistoryEntry {
            id,
            actor,
            action,
            changes: serde_json::from_str(&changes).unwrap_or(serde_json::Value::Null),
            created_at: to_utc(at),
        })
        .collect())
}

pub async fn list<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    f: &ListFilter,
    page: &PageRequest<Cursor>,
) -> SqlResult<Vec<BookingRow>> {
    let mut wheres: Vec<String> = Vec::new();
    let mut params: Vec<Value> = Vec::new();
    if let Some(id) = f.client_id {
        wheres.push("b.client_id = ?".into());
        params.push(id.into());
    }
    if let Some(id) = f.staff_id {
        wheres.push("b.staff_id = ?".into());
        params.push(id.into());
    }
    if let Some(id) = f.location_id {
        wheres.push("b.location_id = ?".into());
        params.push(id.into());
    }
    if let Some(id) = f.service_id {
        wheres.push("b.service_id = ?".into());
        params.push(id.into());
    }
    if let Some(from) = f.from {
        wheres.push("b.start_at >= ?".into());
        params.push(from.naive_utc().into());
    }
    if let Some(to) = f.to {
        wheres.push("b.start_at < ?".into());
        params.push(to.naive_utc().into());
    }
    if !f.statuses.is_empty() {
        wheres.push(format!(
            "b.status IN ({})",
            vec!["?"; f.statuses.len()].join(",")
        ));
        params.extend(f.statuses.iter().map(|s| Value::from(s.as_str())));
    }
    if !f.payment_statuses.is_empty() {
        wheres.push(format!(
            "b.payment_status IN ({})",
            vec!["?"; f.payment_statuses.len()].join(",")
        ));
        params.extend(f.payment_statuses.iter().map(|s| Value::from(s.as_str())));
    }
    let (cmp, order) = if f.ascending {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    if let Some(after) = page.after {
        wheres.push(format!("(b.start_at, b.id) {cmp} (?, ?)"));
        params.push(after.start.naive_utc().into());
        params.push(after.id.into());
    }
    let clause = if wheres.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", wheres.join(" AND "))
    };
    params.push(page.rows_to_read().into());
    let rows: Vec<Row> = conn
        .exec(
            db.sql(&format!(
                "SELECT {COLUMNS}{NAMED}{clause} ORDER BY b.start_at {order}, b.id {order} LIMIT ?"
            )),
            params,
        )
        .await?;
    Ok(rows.into_iter().map(|r| booking(r, true)).collect())
}

/// A merge moves every booking of the merged profile to the kept one.
pub async fn reassign_client(tx: &mut Tx, db: &Db, from: u64, to: u64) -> SqlResult<u64> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_bookings SET client_id = ? WHERE client_id = ?"),
        (to, from),
    )
    .await?;
    Ok(tx.affected_rows())
}

/// How many bookings a client has, cancelled ones included.
pub async fn count_for_client<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    client_id: u64,
) -> SqlResult<u64> {
    let count: Option<u64> = conn
        .exec_first(
            db.sql("SELECT COUNT(*) FROM {p}volixta_bookings WHERE client_id = ?"),
            (client_id,),
        )
        .await?;
    Ok(count.unwrap_or(0))
}
