//! Changing a booking's options (its add-ons) after it was placed. The new lines are priced by
//! the rules the booking was placed with, an add-on it already had keeps the price it was booked
//! at, and the booking's end moves by the add-ons' minutes (the staff member's time is claimed
//! again when it grows). What was paid stays; what was paid beyond a lower total goes back to
//! the wallet when the settings send refunds there, and is refused otherwise.
use super::{
    BookingError, Party,
    domain::{self, Booking, Line, LineKind, PaymentKind, PaymentMethod, PaymentRowStatus, Price},
    payments::{facts_of, refresh_payment_summary},
    place::{AddonChoice, addon_inputs},
    policy::{load_visible, party},
    repo,
    slot::claim_slot,
};
use crate::{
    auth::Actor,
    availability::BusyInterval,
    db::{Db, Tx},
    money::Money,
    settings,
    wallet::{self, Entry, EntryKind, References},
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptionsRequest {
    /// Every add-on the booking should have after the change; one left out is removed.
    pub addons: Vec<AddonChoice>,
}

/// A checked and priced change of options, ready for its transaction.
pub struct OptionsChange {
    candidate: BusyInterval,
    capacity: u32,
    /// The booking as it was checked: the change is refused if it moved or its options changed
    /// before the transaction took its lock.
    was_end: DateTime<Utc>,
    was_addons: Vec<(u64, u32)>,
    price: Price,
    deposit: Money,
    refund_to_wallet: bool,
}

impl OptionsChange {
    /// The price the booking will have.
    pub fn price(&self) -> &Price {
        &self.price
    }
}

/// The add-ons a booking has, as (add-on id, quantity).
pub(super) fn addon_pairs(lines: &[Line]) -> Vec<(u64, u32)> {
    lines
        .iter()
        .filter(|l| l.kind == LineKind::Addon)
        .map(|l| (l.item_id, l.quantity))
        .collect()
}

fn addon_minutes(lines: &[Line]) -> i64 {
    lines
        .iter()
        .filter(|l| l.kind == LineKind::Addon)
        .map(|l| i64::from(l.duration_minutes) * i64::from(l.quantity))
        .sum()
}

/// Checks and prices a change of options outside the transaction: staff only (an employee on
/// its own bookings, when it may edit them), a booking that still holds its slot and was priced
/// with kept rules. Only reads.
pub async fn prepare_options(
    db: &Db,
    actor: Actor,
    id: u64,
    r: &OptionsRequest,
) -> Result<OptionsChange, BookingError> {
    let party = party(db, actor).await?;
    let current = load_visible(db, party, id).await?;
    if matches!(party, Party::Client { .. }) || !party.may_book_on(current.staff_id) {
        return Err(BookingError::Forbidden);
    }
    if !current.status.holds_slot() {
        return Err(BookingError::NotChangeable(current.status.as_str()));
    }
    let mut conn = db.pool.get_conn().await?;
    let rules = repo::price_rules(&mut conn, db, id)
        .await?
        .ok_or(BookingError::OptionsFixed)?;
    let lines = repo::lines(&mut conn, db, id).await?;
    let available = repo::addons(&mut conn, db, current.service_id).await?;
    let offering = repo::offering(
        &mut conn,
        db,
        current.service_id,
        current.location_id,
        current.staff_id,
        current.client_id,
    )
    .await?
    .ok_or(BookingError::NotFound)?;
    drop(conn);
    let mut inputs: Vec<domain::LineInput> = lines
        .iter()
        .filter(|l| l.kind == LineKind::Service)
        .map(|l| domain::LineInput {
            kind: l.kind,
            item_id: l.item_id,
            name: l.name.clone(),
            unit_price: l.unit_price,
            quantity: l.quantity,
            duration_minutes: l.duration_minutes,
        })
        .collect();
    let addons = addon_inputs(&available, &lines, &r.addons)?;
    let new_minutes: i64 = addons
        .iter()
        .map(|a| i64::from(a.duration_minutes) * i64::from(a.quantity))
        .sum();
    inputs.extend(addons);
    let price = domain::price(&inputs, &rules);
    let service_span = (current.end - current.start) - Duration::minutes(addon_minutes(&lines));
    let settings = settings::load(db).await?;
    Ok(OptionsChange {
        candidate: BusyInterval {
            booking_id: Some(id),
            staff_id: current.staff_id,
            service_id: current.service_id,
            location_id: current.location_id,
            start: current.start,
            end: current.start + service_span + Duration::minutes(new_minutes),
            buffer_before_minutes: current.buffer_before_minutes,
            buffer_after_minutes: current.buffer_after_minutes,
            people: current.people,
        },
        capacity: offering.capacity,
        was_end: current.end,
        was_addons: addon_pairs(&lines),
        deposit: rules.deposit.of(price.total).unwrap_or(Money::ZERO),
        price,
        refund_to_wallet: settings.cancel_refund_to_wallet,
    })
}

/// Writes a checked change of options in the caller's transaction, under the booking's row lock
/// (and its staff member's, when the booking grows).
pub async fn change_options(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    c: &OptionsChange,
) -> Result<Booking, BookingError> {
    let id = c.candidate.booking_id.unwrap_or_default();
    let locked = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if !locked.status.holds_slot() {
        return Err(BookingError::NotChangeable(locked.status.as_str()));
    }
    if locked.end != c.was_end
        || locked.start != c.candidate.start
        || locked.staff_id != c.candidate.staff_id
    {
        return Err(BookingError::ChangedMeanwhile);
    }
    if c.candidate.end > locked.end {
        // Staff place bookings outside the offered hours too; only another booking is in the way.
        claim_slot(tx, db, &c.candidate, c.capacity, true).await?;
    }
    let before = repo::lines(tx, db, id).await?;
    if addon_pairs(&before) != c.was_addons {
        return Err(BookingError::ChangedMeanwhile);
    }
    repo::replace_lines(tx, db, id, &c.price.lines).await?;
    repo::set_price(tx, db, id, c.candidate.end, &c.price, c.deposit).await?;
    let actor_name = actor.to_string();
    let paid = domain::amount_paid(&facts_of(tx, db, id).await?);
    let mut refunded = Money::ZERO;
    if paid > c.price.total {
        if !c.refund_to_wallet {
            return Err(BookingError::PaidBeyondTotal {
                paid,
                total: c.price.total,
            });
        }
        let excess = paid - c.price.total;
        let row = wallet::post(
            tx,
            db,
            Entry {
                client_id: locked.client_id,
                amount: excess,
                kind: EntryKind::BookingRefund,
                reason: format!("Options removed from booking #{id}"),
                actor: actor_name.clone(),
                refs: References {
                    booking_id: Some(id),
                    ..References::default()
                },
            },
        )
        .await?;
        let refund = repo::NewPayment {
            kind: PaymentKind::Refund,
            method: PaymentMethod::Wallet,
            amount: excess,
            status: PaymentRowStatus::Paid,
            ledger_id: Some(row.id),
            note: "refund to the wallet of what was paid beyond the new total",
            actor: &actor_name,
        };
        repo::insert_payment(tx, db, id, &refund).await?;
        refunded = excess;
    }
    refresh_payment_summary(tx, db, id, c.price.total, None).await?;
    let names = |lines: &[Line]| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.kind == LineKind::Addon)
            .map(|l| format!("{} × {}", l.quantity, l.name))
            .collect()
    };
    let mut changes = serde_json::json!({
        "addons": {"before": names(&before), "after": names(&c.price.lines)},
        "total": {"before": locked.total, "after": c.price.total},
    });
    if locked.end != c.candidate.end {
        changes["end"] = serde_json::json!({"before": locked.end, "after": c.candidate.end});
    }
    if !refunded.is_zero() {
        changes["refunded_to_wallet"] = serde_json::json!({"before": null, "after": refunded});
    }
    repo::insert_history(tx, db, id, &actor_name, "options_changed", &changes).await?;
    crate::invoices::sync_booking(tx, db, id).await?;
    let row = repo::find(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    let mut body = Booking::from(&row);
    body.lines = Some(c.price.lines.clone());
    Ok(body)
}

/// Changes a booking's options in one go (`POST /v1/bookings/{id}/options`): checks, then writes.
pub async fn set_options(
    db: &Db,
    actor: Actor,
    id: u64,
    r: &OptionsRequest,
) -> Result<Booking, BookingError> {
    let change = &prepare_options(db, actor, id, r).await?;
    db.transaction(|mut tx| async move {
        let result = change_options(&mut tx, db, actor, change).await;
        (tx, result)
    })
    .await
}
