//! The payment history of a booking and the payment summary on its row.
use super::{SqlResult, col, money, parsed, utc};
use crate::bookings::domain::{
    Payment, PaymentKind, PaymentMethod, PaymentRowStatus, PaymentStatus,
};
use crate::{
    db::{Db, DbError, Tx},
    money::Money,
    webhooks,
};
use mysql_async::{Row, prelude::Queryable};

pub struct NewPayment<'a> {
    pub kind: PaymentKind,
    pub method: PaymentMethod,
    pub amount: Money,
    pub status: PaymentRowStatus,
    pub ledger_id: Option<u64>,
    pub note: &'a str,
    pub actor: &'a str,
}

pub async fn insert_payment(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    p: &NewPayment<'_>,
) -> SqlResult<u64> {
    tx.exec_drop(
        db.sql(
            "INSERT INTO {p}volixta_booking_payments \
             (booking_id, kind, method, amount, status, ledger_id, note, actor) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ),
        (
            booking_id,
            p.kind.as_str(),
            p.method.as_str(),
            p.amount.amount(),
            p.status.as_str(),
            p.ledger_id,
            p.note,
            p.actor,
        ),
    )
    .await?;
    let id = tx.last_insert_id().ok_or_else(|| {
        DbError::Other(mysql_async::Error::Other(
            "no insert id for a payment".into(),
        ))
    })?;
    if p.kind == PaymentKind::Payment && p.status == PaymentRowStatus::Paid {
        received(tx, db, id).await?;
    }
    Ok(id)
}

/// Tells the webhook endpoints that money came in for a booking (`payment.received`), in the
/// transaction that recorded it. A payment becomes paid only through `insert_payment` (recorded
/// paid: cash, card, credits…) or `set_payment_status` (a pending one confirmed, as a
/// WooCommerce order is), so every caller's payment is told, once, from here.
async fn received(tx: &mut Tx, db: &Db, payment_id: u64) -> SqlResult<()> {
    const TOPIC: &str = "payment.received";
    if !webhooks::wanted(tx, db, TOPIC).await? {
        return Ok(());
    }
    let found: Option<(u64, u64, String)> = tx
        .exec_first(
            db.sql(
                "SELECT b.id, b.client_id, b.currency FROM {p}volixta_booking_payments p \
                 JOIN {p}volixta_bookings b ON b.id = p.booking_id WHERE p.id = ?",
            ),
            (payment_id,),
        )
        .await?;
    let Some((booking_id, client_id, currency)) = found else {
        return Ok(());
    };
    let Some(payment) = payments(tx, db, booking_id)
        .await?
        .into_iter()
        .find(|p| p.id == payment_id)
    else {
        return Ok(());
    };
    let data = serde_json::json!({
        "payment": payment,
        "booking_id": booking_id,
        "client_id": client_id,
        "currency": currency,
    });
    webhooks::publish(tx, db, TOPIC, &data).await
}

pub async fn payments<Q: Queryable>(
    conn: &mut Q,
    db: &Db,
    booking_id: u64,
) -> SqlResult<Vec<Payment>> {
    let rows: Vec<Row> = conn
        .exec(
            db.sql(
                "SELECT id, kind, method, amount, status, ledger_id, wc_order_id, note, actor, \
                 created_at, updated_at FROM {p}volixta_booking_payments \
                 WHERE booking_id = ? ORDER BY id",
            ),
            (booking_id,),
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|mut r| Payment {
            id: col(&mut r, 0),
            kind: parsed(&mut r, 1, PaymentKind::parse, PaymentKind::Payment),
            method: parsed(&mut r, 2, PaymentMethod::parse, PaymentMethod::Cash),
            amount: money(&mut r, 3),
            status: parsed(
                &mut r,
                4,
                PaymentRowStatus::parse,
                PaymentRowStatus::Pending,
            ),
            ledger_id: col(&mut r, 5),
            wc_order_id: col(&mut r, 6),
            note: col(&mut r, 7),
            actor: col(&mut r, 8),
            created_at: utc(&mut r, 9),
            updated_at: utc(&mut r, 10),
        })
        .collect())
}

pub async fn cancel_pending_payments(tx: &mut Tx, db: &Db, booking_id: u64) -> SqlResult<()> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_booking_payments SET status = 'cancelled' \
             WHERE booking_id = ? AND status = 'pending'",
        ),
        (booking_id,),
    )
    .await
    .map_err(DbError::from)
}

pub async fn set_payment_summary(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    amount_paid: Money,
    status: PaymentStatus,
    method: Option<PaymentMethod>,
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql(
            "UPDATE {p}volixta_bookings SET amount_paid = ?, payment_status = ?, \
             payment_method = COALESCE(?, payment_method) WHERE id = ?",
        ),
        (
            amount_paid.amount(),
            status.as_str(),
            method.map(PaymentMethod::as_str),
            booking_id,
        ),
    )
    .await
    .map_err(DbError::from)
}

pub async fn set_payment_status(
    tx: &mut Tx,
    db: &Db,
    payment_id: u64,
    status: PaymentRowStatus,
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_booking_payments SET status = ? WHERE id = ?"),
        (status.as_str(), payment_id),
    )
    .await?;
    if status == PaymentRowStatus::Paid {
        received(tx, db, payment_id).await?;
    }
    Ok(())
}

pub async fn set_payment_order(
    tx: &mut Tx,
    db: &Db,
    payment_id: u64,
    wc_order_id: u64,
) -> SqlResult<()> {
    tx.exec_drop(
        db.sql("UPDATE {p}volixta_booking_payments SET wc_order_id = ? WHERE id = ?"),
        (wc_order_id, payment_id),
    )
    .await
    .map_err(DbError::from)
}
