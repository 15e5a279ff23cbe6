//! A booking's balance paid online (WooCommerce): the pending payment row an order pays, and
//! what happens to it when the order is paid or abandoned. Each runs in the caller's
//! transaction under the booking's row lock, as every payment change does.
use super::{
    BookingError,
    domain::{self, PaymentKind, PaymentMethod, PaymentRowStatus, Status},
    payments::{facts_of, refresh_payment_summary},
    policy::{load_visible, party},
    repo,
};
use crate::{
    auth::Actor,
    db::{Db, Tx},
    money::Money,
};

/// What is to be collected online for a booking.
#[derive(Clone, Debug)]
pub struct OnlineDue {
    pub booking_id: u64,
    pub client_id: u64,
    pub amount: Money,
    pub currency: String,
    /// The pending `woocommerce` payment row the order will pay.
    pub payment_id: u64,
}

/// Who may pay a booking online: a manager, or the booking's own client (others: 404).
pub async fn authorize_online_payment(db: &Db, actor: Actor, id: u64) -> Result<(), BookingError> {
    if actor.require_manager_or_client().is_err() {
        return Err(BookingError::Forbidden);
    }
    let party = party(db, actor).await?;
    load_visible(db, party, id).await.map(drop)
}

/// Under the booking's lock: the amount to collect and its pending payment row. A pending
/// online payment recorded when the booking was placed (a deposit, say) is the amount asked;
/// otherwise the balance due (credits already used are paid, so not asked again). `None` when
/// nothing is due.
pub async fn open_online_payment(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
) -> Result<Option<OnlineDue>, BookingError> {
    let locked = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if !locked.status.holds_slot() && locked.status != Status::Completed {
        return Err(BookingError::NotChangeable(locked.status.as_str()));
    }
    let payments = repo::payments(tx, db, id).await?;
    let waiting = payments.iter().find(|p| {
        p.kind == PaymentKind::Payment
            && p.method == PaymentMethod::Woocommerce
            && p.status == PaymentRowStatus::Pending
            && p.wc_order_id.is_none()
    });
    let (payment_id, amount) = if let Some(p) = waiting {
        (p.id, p.amount)
    } else {
        let facts: Vec<_> = payments.iter().map(domain::Payment::fact).collect();
        let balance = locked.total - domain::amount_paid(&facts);
        if balance.is_negative() || balance.is_zero() {
            return Ok(None);
        }
        let actor_name = actor.to_string();
        let payment = repo::NewPayment {
            kind: PaymentKind::Payment,
            method: PaymentMethod::Woocommerce,
            amount: balance,
            status: PaymentRowStatus::Pending,
            ledger_id: None,
            note: "",
            actor: &actor_name,
        };
        let payment_id = repo::insert_payment(tx, db, id, &payment).await?;
        refresh_payment_summary(tx, db, id, locked.total, None).await?;
        (payment_id, balance)
    };
    Ok(Some(OnlineDue {
        booking_id: id,
        client_id: locked.client_id,
        amount,
        currency: locked.currency,
        payment_id,
    }))
}

/// Links the WooCommerce order to the pending payment row it pays.
pub async fn attach_online_order(
    tx: &mut Tx,
    db: &Db,
    payment_id: u64,
    wc_order_id: u64,
) -> Result<(), BookingError> {
    repo::set_payment_order(tx, db, payment_id, wc_order_id).await?;
    Ok(())
}

/// What `settle_online_payment` did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    Paid,
    /// The booking had less left to pay than the order brought: nothing recorded.
    Overpaid {
        balance: Money,
    },
}

/// Records the order's payment on its payment row (pending, or cancelled when the order was
/// given up and then paid after all) and refreshes the booking's amounts.
pub async fn settle_online_payment(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    payment_id: u64,
    wc_order_id: u64,
) -> Result<Settlement, BookingError> {
    let locked = repo::find_for_update(tx, db, booking_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let payments = repo::payments(tx, db, booking_id).await?;
    let Some(row) = payments.iter().find(|p| p.id == payment_id) else {
        return Err(BookingError::NotFound);
    };
    if row.status == PaymentRowStatus::Paid {
        return Ok(Settlement::Paid);
    }
    let facts = facts_of(tx, db, booking_id).await?;
    let balance = locked.total - domain::amount_paid(&facts);
    if row.amount > balance {
        return Ok(Settlement::Overpaid { balance });
    }
    repo::set_payment_status(tx, db, payment_id, PaymentRowStatus::Paid).await?;
    refresh_payment_summary(
        tx,
        db,
        booking_id,
        locked.total,
        Some(PaymentMethod::Woocommerce),
    )
    .await?;
    let changes = serde_json::json!({
        "payment": {"before": {"status": row.status}, "after": {
            "method": PaymentMethod::Woocommerce, "amount": row.amount, "status": "paid",
            "wc_order_id": wc_order_id}},
    });
    repo::insert_history(
        tx,
        db,
        booking_id,
        "woocommerce",
        "payment_confirmed",
        &changes,
    )
    .await?;
    Ok(Settlement::Paid)
}

/// The order will not be paid: its pending row is cancelled, so the booking shows what is
/// really paid and a new checkout makes a new order.
pub async fn release_online_payment(
    tx: &mut Tx,
    db: &Db,
    booking_id: u64,
    payment_id: u64,
) -> Result<(), BookingError> {
    let locked = repo::find_for_update(tx, db, booking_id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let payments = repo::payments(tx, db, booking_id).await?;
    if payments
        .iter()
        .any(|p| p.id == payment_id && p.status == PaymentRowStatus::Pending)
    {
        repo::set_payment_status(tx, db, payment_id, PaymentRowStatus::Cancelled).await?;
        refresh_payment_summary(tx, db, booking_id, locked.total, None).await?;
    }
    Ok(())
}
