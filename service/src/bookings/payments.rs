//! Payments recorded after booking, and the price rules of a service (deposit, standing
//! discount, tax rate) that bookings are priced by.
use super::{
    BookingError,
    domain::{
        self, Booking, Payment, PaymentFact, PaymentKind, PaymentMethod, PaymentRowStatus,
        ServicePricing, Status,
    },
    policy::{load_visible, party},
    repo,
};
use crate::{
    auth::Actor,
    db::{Db, Tx},
    error::{ApiError, ApiResult},
    idempotency::{self, IdempotencyKey, Start},
    money::Money,
    wallet::{self, Entry, EntryKind, References},
};
use axum::{http::StatusCode, response::Response};
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

pub(super) async fn facts_of(tx: &mut Tx, db: &Db, id: u64) -> ApiResult<Vec<PaymentFact>> {
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
) -> ApiResult<()> {
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

/// A payment recorded after booking (cash at the desk, a bank transfer, credits).
pub async fn record_payment(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    id: u64,
    r: &PaymentInput,
) -> ApiResult<Response> {
    // Clients and guests are refused before their party is looked up, as they always were.
    actor.require_staff()?;
    let party = party(db, actor).await?;
    if !party.may_take_payments() {
        return Err(ApiError::Forbidden);
    }
    if r.amount.is_negative() || r.amount.is_zero() {
        return Err(BookingError::field("amount", "must be positive").into());
    }
    let status = match r.status.unwrap_or(PaymentRowStatus::Paid) {
        s @ (PaymentRowStatus::Paid | PaymentRowStatus::Pending) => s,
        _ => return Err(BookingError::field("status", "paid or pending").into()),
    };
    let note = r.note.as_deref().unwrap_or_default().trim();
    if note.chars().count() > 500 {
        return Err(BookingError::field("note", "at most 500 characters").into());
    }
    load_visible(db, party, id).await?;
    let fingerprint = idempotency::fingerprint(
        "POST",
        &format!("/v1/bookings/{id}/payments"),
        &serde_json::to_vec(r).map_err(anyhow::Error::from)?,
    );
    let mut tx = match idempotency::begin(db, actor, key, &fingerprint).await? {
        Start::Fresh(tx) => tx,
        Start::Replay(response) => return Ok(response),
    };
    let locked = repo::find_for_update(&mut tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if !locked.status.holds_slot() && locked.status != Status::Completed {
        return Err(BookingError::NotChangeable(locked.status.as_str()).into());
    }
    let facts = facts_of(&mut tx, db, id).await?;
    let balance = locked.total - domain::amount_paid(&facts);
    if r.amount > balance {
        return Err(BookingError::field(
            "amount",
            format!("more than the balance due ({balance})"),
        )
        .into());
    }
    let actor_name = actor.to_string();
    let mut ledger_id = None;
    if r.method == PaymentMethod::Wallet {
        if status != PaymentRowStatus::Paid {
            return Err(BookingError::field("status", "credits are paid at once").into());
        }
        let row = wallet::post(
            &mut tx,
            db,
            Entry {
                client_id: locked.client_id,
                amount: -r.amount,
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
        method: r.method,
        amount: r.amount,
        status,
        ledger_id,
        note,
        actor: &actor_name,
    };
    repo::insert_payment(&mut tx, db, id, &payment).await?;
    refresh_payment_summary(&mut tx, db, id, locked.total, Some(r.method)).await?;
    let changes = serde_json::json!({
        "payment": {"before": null, "after": {"method": r.method, "amount": r.amount, "status": status}},
    });
    repo::insert_history(&mut tx, db, id, &actor_name, "payment_added", &changes).await?;
    let row = repo::find(&mut tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    idempotency::finish(
        tx,
        db,
        actor,
        key,
        StatusCode::CREATED,
        &Booking::from(&row),
    )
    .await
}

pub async fn pricing(db: &Db, service_id: u64) -> ApiResult<ServicePricing> {
    let mut conn = db.pool.get_conn().await?;
    if !repo::service_exists(&mut conn, db, service_id).await? {
        return Err(ApiError::NotFound);
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

pub async fn set_pricing(
    db: &Db,
    service_id: u64,
    p: &ServicePricing,
) -> ApiResult<ServicePricing> {
    let deposit = p.deposit.validate()?;
    let discount = p.discount.map(|d| d.validate("discount")).transpose()?;
    if let Some(rate) = p.tax_rate_percent
        && (rate.is_negative() || rate.amount() > Decimal::ONE_HUNDRED)
    {
        return Err(BookingError::field("tax_rate_percent", "between 0 and 100").into());
    }
    let mut tx = db.begin().await?;
    if !repo::service_exists(&mut tx, db, service_id).await? {
        return Err(ApiError::NotFound);
    }
    repo::save_pricing(
        &mut tx,
        db,
        service_id,
        deposit,
        discount,
        p.tax_rate_percent.map(Money::amount),
    )
    .await?;
    tx.commit().await?;
    pricing(db, service_id).await
}
