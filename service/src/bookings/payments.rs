//! Payments recorded after booking, and the price rules of a service (deposit, standing
//! discount, tax rate) that bookings are priced by.
use super::{
    BookingError,
    domain::{
        self, Booking, Deposit, Discount, Payment, PaymentFact, PaymentKind, PaymentMethod,
        PaymentRowStatus, ServicePricing, Status,
    },
    policy::{acts_for_business, load_visible, party},
    repo,
};
use crate::{
    auth::Actor,
    db::{Db, Tx},
    money::Money,
    wallet::{self, Entry, EntryKind, References},
};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    pub amount: Money,
    pub method: PaymentMethod,
    /// paid (default) or pending.
    pub status: Option<PaymentRowStatus>,
    pub note: Option<String>,
}

pub(super) async fn facts_of(
    tx: &mut Tx,
    db: &Db,
    id: u64,
) -> Result<Vec<PaymentFact>, BookingError> {
    Ok(repo::payments(tx, db, id)
        .await?
        .iter()
        .map(Payment::fact)
        .collect())
}

/// Recomputes amount paid and payment status from the payment rows (under the booking's lock).
pub(super) async fn refresh_payment_summary(
    tx: &mut Tx,
    db: &Db,
    id: u64,
    total: Money,
    method: Option<PaymentMethod>,
) -> Result<(), BookingError> {
    let facts = facts_of(tx, db, id).await?;
    repo::set_payment_summary(
        tx,
        db,
        id,
        domain::amount_paid(&facts),
        domain::payment_status(total, &facts),
        method,
    )
    .await?;
    Ok(())
}

/// A checked payment, ready for its transaction.
pub struct RecordPayment {
    id: u64,
    method: PaymentMethod,
    amount: Money,
    status: PaymentRowStatus,
    note: String,
}

/// Checks a payment recorded after booking (cash at the desk, a bank transfer, credits): who may
/// take it, on which booking, and its fields. Only reads.
pub async fn prepare_payment(
    db: &Db,
    actor: Actor,
    id: u64,
    r: &PaymentInput,
) -> Result<RecordPayment, BookingError> {
    // Clients and guests are refused before their party is looked up, as they always were.
    if !acts_for_business(actor.role) {
        return Err(BookingError::Forbidden);
    }
    let party = party(db, actor).await?;
    if !party.may_take_payments() {
        return Err(BookingError::Forbidden);
    }
    if r.amount.is_negative() || r.amount.is_zero() {
        return Err(BookingError::field("amount", "must be positive"));
    }
    if r.method == PaymentMethod::Package {
        return Err(BookingError::field(
            "method",
            "a package session is taken when booking",
        ));
    }
    let status = match r.status.unwrap_or(PaymentRowStatus::Paid) {
        s @ (PaymentRowStatus::Paid | PaymentRowStatus::Pending) => s,
        _ => return Err(BookingError::field("status", "paid or pending")),
    };
    let note = r.note.as_deref().unwrap_or_default().trim();
    if note.chars().count() > 500 {
        return Err(BookingError::field("note", "at most 500 characters"));
    }
    load_visible(db, party, id).await?;
    Ok(RecordPayment {
        id,
        method: r.method,
        amount: r.amount,
        status,
        note: note.to_owned(),
    })
}

/// Records the payment in the caller's transaction, under the booking's row lock; credits are
/// taken from the wallet in the same transaction.
pub async fn record_payment(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    p: &RecordPayment,
) -> Result<Booking, BookingError> {
    let RecordPayment {
        id,
        method,
        amount,
        status,
        ref note,
    } = *p;
    let locked = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if !locked.status.holds_slot() && locked.status != Status::Completed {
        return Err(BookingError::NotChangeable(locked.status.as_str()));
    }
    let facts = facts_of(tx, db, id).await?;
    let balance = locked.total - domain::amount_paid(&facts);
    if amount > balance {
        return Err(BookingError::field(
            "amount",
            format!("more than the balance due ({balance})"),
        ));
    }
    let actor_name = actor.to_string();
    let mut ledger_id = None;
    if method == PaymentMethod::Wallet {
        if status != PaymentRowStatus::Paid {
            return Err(BookingError::field("status", "credits are paid at once"));
        }
        let row = wallet::post(
            tx,
            db,
            Entry {
                client_id: locked.client_id,
                amount: -amount,
                kind: EntryKind::BookingPayment,
                reason: format!("Booking #{id}"),
                actor: actor_name.clone(),
                refs: References {
                    booking_id: Some(id),
                    ..References::default()
                },
            },
        )
        .await?;
        ledger_id = Some(row.id);
    }
    let payment = repo::NewPayment {
        kind: PaymentKind::Payment,
        method,
        amount,
        status,
        ledger_id,
        note,
        actor: &actor_name,
    };
    repo::insert_payment(tx, db, id, &payment).await?;
    refresh_payment_summary(tx, db, id, locked.total, Some(method)).await?;
    let changes = serde_json::json!({
        "payment": {"before": null, "after": {"method": method, "amount": amount, "status": status}},
    });
    repo::insert_history(tx, db, id, &actor_name, "payment_added", &changes).await?;
    let row = repo::find(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    Ok(Booking::from(&row))
}

pub async fn pricing(db: &Db, service_id: u64) -> Result<ServicePricing, BookingError> {
    let mut conn = db.pool.get_conn().await?;
    if !repo::service_exists(&mut conn, db, service_id).await? {
        return Err(BookingError::NotFound);
    }
    Ok(match repo::pricing(&mut conn, db, service_id).await? {
        None => ServicePricing::default(),
        Some((dk, dv, xk, xv, tax)) => ServicePricing {
            deposit: repo::deposit_of(&dk, Money::from_db(dv)),
            discount: repo::discount_of(&xk, Money::from_db(xv)),
            tax_rate_percent: tax.map(Money::from_db),
        },
    })
}

/// `set_pricing` on the caller's transaction, for a save that writes the service with it.
pub async fn set_pricing_in(
    tx: &mut Tx,
    db: &Db,
    service_id: u64,
    p: &ServicePricing,
) -> Result<(), BookingError> {
    let (deposit, discount) = p.validate()?;
    let tax_rate_percent = p.tax_rate_percent.map(Money::amount);
    save_pricing(tx, db, service_id, deposit, discount, tax_rate_percent).await
}

pub async fn set_pricing(
    db: &Db,
    service_id: u64,
    p: &ServicePricing,
) -> Result<ServicePricing, BookingError> {
    let (deposit, discount) = p.validate()?;
    let tax_rate_percent = p.tax_rate_percent.map(Money::amount);
    db.transaction(|mut tx| async move {
        let result =
            save_pricing(&mut tx, db, service_id, deposit, discount, tax_rate_percent).await;
        (tx, result)
    })
    .await?;
    pricing(db, service_id).await
}

async fn save_pricing(
    tx: &mut Tx,
    db: &Db,
    service_id: u64,
    deposit: Deposit,
    discount: Option<Discount>,
    tax_rate_percent: Option<Decimal>,
) -> Result<(), BookingError> {
    if !repo::service_exists(tx, db, service_id).await? {
        return Err(BookingError::NotFound);
    }
    repo::save_pricing(tx, db, service_id, deposit, discount, tax_rate_percent).await?;
    Ok(())
}
