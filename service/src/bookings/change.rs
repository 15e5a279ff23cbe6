//! Changing a booking: reschedule (same id, payments and add-ons), cancel (refunds to the wallet
//! when the settings say so), and the other status changes.
use super::{
    BookingError, Party,
    domain::{self, Booking, PaymentKind, PaymentMethod, PaymentRowStatus, Status},
    options::addon_pairs,
    payments::{facts_of, refresh_payment_summary},
    policy::{change_notice, change_notice_of, client_may, load_visible, party},
    repo,
    slot::claim_slot,
};
use crate::{
    auth::Actor,
    availability::{self, BusyInterval},
    clients::PortalAction,
    db::{Db, Tx},
    money::Money,
    notifications, packages, settings,
    wallet::{self, Entry, EntryKind, References},
};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    pub start: DateTime<Utc>,
    pub staff_id: Option<u64>,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    pub reason: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusRequest {
    pub status: Status,
}

/// Moves a booking in one go (`POST /v1/bookings/{id}/reschedule`): checks, then writes.
pub async fn reschedule(
    db: &Db,
    actor: Actor,
    id: u64,
    r: &RescheduleRequest,
) -> Result<Booking, BookingError> {
    let change = &prepare_reschedule(db, actor, id, r).await?;
    db.transaction(|mut tx| async move {
        let result = move_booking(&mut tx, db, actor, change).await;
        (tx, result)
    })
    .await
}

/// Checks a reschedule outside the transaction: who may move this booking onto which staff
/// member's time, and for those bound by the rules, the notice and whether the slot is offered.
/// Only reads.
pub async fn prepare_reschedule(
    db: &Db,
    actor: Actor,
    id: u64,
    r: &RescheduleRequest,
) -> Result<Move, BookingError> {
    let party = party(db, actor).await?;
    let current = load_visible(db, party, id).await?;
    let settings = settings::load(db).await?;
    let staff_id = r.staff_id.unwrap_or(current.staff_id);
    let mut conn = db.pool.get_conn().await?;
    if !party.may_book_on(staff_id) {
        return Err(BookingError::Forbidden);
    }
    if let Party::Client { client_id } = party {
        client_may(&mut conn, db, client_id, PortalAction::Reschedule).await?;
    }
    let offering = repo::offering(
        &mut conn,
        db,
        current.service_id,
        current.location_id,
        staff_id,
        current.client_id,
    )
    .await?
    .ok_or(BookingError::NotFound)?;
    if staff_id != current.staff_id && !offering.staff_performs {
        return Err(BookingError::field(
            "staff_id",
            "this staff member does not offer the service",
        ));
    }
    let addon_pairs = addon_pairs(&repo::lines(&mut conn, db, id).await?);
    drop(conn);
    let notice = change_notice(&settings, &offering);
    let candidate = BusyInterval {
        booking_id: Some(id),
        staff_id,
        service_id: current.service_id,
        location_id: current.location_id,
        start: r.start,
        end: r.start + (current.end - current.start),
        buffer_before_minutes: current.buffer_before_minutes,
        buffer_after_minutes: current.buffer_after_minutes,
        people: current.people,
    };
    let offered = if party.bound_by_rules() {
        if !domain::outside_change_notice(current.start, notice, Utc::now()) {
            return Err(BookingError::NoticeTooShort { minutes: notice });
        }
        availability::slot_offered(db, actor, &candidate, addon_pairs).await?
    } else {
        true
    };
    Ok(Move {
        party,
        candidate,
        capacity: offering.capacity,
        offered,
        notice,
    })
}

/// A checked reschedule, ready for its transaction.
pub struct Move {
    party: Party,
    candidate: BusyInterval,
    capacity: u32,
    offered: bool,
    notice: u32,
}

/// Moves the booking in the caller's transaction, under its row lock and its staff member's.
pub async fn move_booking(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    m: &Move,
) -> Result<Booking, BookingError> {
    let Move {
        party,
        ref candidate,
        capacity,
        offered,
        notice,
    } = *m;
    let id = candidate.booking_id.unwrap_or_default();
    let locked = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if !locked.status.holds_slot() {
        return Err(BookingError::NotChangeable(locked.status.as_str()));
    }
    // A concurrent reschedule may have moved it closer meanwhile.
    if party.bound_by_rules() && !domain::outside_change_notice(locked.start, notice, Utc::now()) {
        return Err(BookingError::NoticeTooShort { minutes: notice });
    }
    claim_slot(tx, db, candidate, capacity, offered).await?;
    repo::move_to(
        tx,
        db,
        id,
        candidate.staff_id,
        candidate.start,
        candidate.end,
    )
    .await?;
    let mut changes = serde_json::json!({
        "start": {"before": locked.start, "after": candidate.start},
        "end": {"before": locked.end, "after": candidate.end},
    });
    if locked.staff_id != candidate.staff_id {
        changes["staff_id"] =
            serde_json::json!({"before": locked.staff_id, "after": candidate.staff_id});
    }
    repo::insert_history(tx, db, id, &actor.to_string(), "rescheduled", &changes).await?;
    notifications::booking_event(tx, db, id, "rescheduled", &actor.to_string(), &changes).await?;
    let row = repo::find(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    Ok(Booking::from(&row))
}

/// A checked cancellation, ready for its transaction.
pub struct Cancellation {
    id: u64,
    party: Party,
    notice: u32,
    refund_to_wallet: bool,
    reason: String,
}

/// Checks a cancellation outside the transaction: who may cancel this booking, and for those
/// bound by the rules, the permission level and the change notice. Only reads.
pub async fn prepare_cancel(
    db: &Db,
    actor: Actor,
    id: u64,
    r: &CancelRequest,
) -> Result<Cancellation, BookingError> {
    let party = party(db, actor).await?;
    let current = load_visible(db, party, id).await?;
    let settings = settings::load(db).await?;
    if !party.may_cancel() {
        return Err(BookingError::Forbidden);
    }
    let mut notice = settings.min_change_notice_minutes;
    if let Party::Client { client_id } = party {
        let mut conn = db.pool.get_conn().await?;
        client_may(&mut conn, db, client_id, PortalAction::Cancel).await?;
    }
    if party.bound_by_rules() {
        let mut conn = db.pool.get_conn().await?;
        notice = change_notice_of(&mut conn, db, &settings, &current).await?;
        if !domain::outside_change_notice(current.start, notice, Utc::now()) {
            return Err(BookingError::NoticeTooShort { minutes: notice });
        }
    }
    let reason = r.reason.as_deref().unwrap_or_default().trim().to_owned();
    if reason.chars().count() > 500 {
        return Err(BookingError::field("reason", "at most 500 characters"));
    }
    Ok(Cancellation {
        id,
        party,
        notice,
        refund_to_wallet: settings.cancel_refund_to_wallet,
        reason,
    })
}

/// Cancels in the caller's transaction: pending payments are cancelled and, when the settings
/// say so, everything paid comes back to the wallet as one refund.
pub async fn cancel(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    c: &Cancellation,
) -> Result<Booking, BookingError> {
    let Cancellation {
        id,
        party,
        notice,
        refund_to_wallet,
        ref reason,
    } = *c;
    let locked = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if !locked.status.may_become(Status::Cancelled) {
        return Err(BookingError::BadTransition {
            from: locked.status.as_str(),
            to: Status::Cancelled.as_str(),
        });
    }
    if party.bound_by_rules() && !domain::outside_change_notice(locked.start, notice, Utc::now()) {
        return Err(BookingError::NoticeTooShort { minutes: notice });
    }
    let actor_name = actor.to_string();
    repo::set_status(tx, db, id, Status::Cancelled).await?;
    repo::cancel_pending_payments(tx, db, id).await?;
    // The session goes back to its package, so what it paid is refunded there, not to the
    // wallet.
    let session_back = packages::give_back(tx, db, actor, id).await?;
    if session_back.is_some() {
        let by_package = domain::paid_by_package(&repo::payments(tx, db, id).await?);
        if by_package.amount() > Decimal::ZERO {
            let refund = repo::NewPayment {
                kind: PaymentKind::Refund,
                method: PaymentMethod::Package,
                amount: by_package,
                status: PaymentRowStatus::Paid,
                ledger_id: None,
                note: "session given back to the package on cancellation",
                actor: &actor_name,
            };
            repo::insert_payment(tx, db, id, &refund).await?;
        }
    }
    let paid = domain::amount_paid(&facts_of(tx, db, id).await?);
    let mut refunded = Money::ZERO;
    if refund_to_wallet && paid.amount() > Decimal::ZERO {
        let row = wallet::post(
            tx,
            db,
            Entry {
                client_id: locked.client_id,
                amount: paid,
                kind: EntryKind::CancellationRefund,
                reason: format!("Cancellation of booking #{id}"),
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
            amount: paid,
            status: PaymentRowStatus::Paid,
            ledger_id: Some(row.id),
            note: "refund to the wallet on cancellation",
            actor: &actor_name,
        };
        repo::insert_payment(tx, db, id, &refund).await?;
        refunded = paid;
    }
    refresh_payment_summary(tx, db, id, locked.total, None).await?;
    let mut changes = serde_json::json!({
        "status": {"before": locked.status, "after": Status::Cancelled},
    });
    if !refunded.is_zero() {
        changes["refunded_to_wallet"] = serde_json::json!({"before": null, "after": refunded});
    }
    if let Some(client_package_id) = session_back {
        changes["session_returned_to"] =
            serde_json::json!({"before": null, "after": client_package_id});
    }
    if !reason.is_empty() {
        changes["reason"] = serde_json::json!({"before": null, "after": reason});
    }
    repo::insert_history(tx, db, id, &actor_name, "cancelled", &changes).await?;
    notifications::booking_event(tx, db, id, "cancelled", &actor_name, &changes).await?;
    crate::invoices::sync_booking(tx, db, id).await?;
    let row = repo::find(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    Ok(Booking::from(&row))
}

/// Confirm, complete, mark as no-show, or put back to pending. Cancelling has its own endpoint
/// because it refunds.
pub async fn set_status(
    db: &Db,
    actor: Actor,
    id: u64,
    next: Status,
) -> Result<Booking, BookingError> {
    prepare_status(db, actor, id, next).await?;
    db.transaction(|mut tx| async move {
        let result = change_status(&mut tx, db, actor, id, next).await;
        (tx, result)
    })
    .await
}

/// Checks a status change outside the transaction: who may change this booking's status, and
/// to what. Only reads.
pub async fn prepare_status(
    db: &Db,
    actor: Actor,
    id: u64,
    next: Status,
) -> Result<(), BookingError> {
    let party = party(db, actor).await?;
    load_visible(db, party, id).await?;
    if !party.may_change_status() {
        return Err(BookingError::Forbidden);
    }
    if next == Status::Cancelled {
        return Err(BookingError::field("status", "cancel through /cancel"));
    }
    Ok(())
}

/// Changes the status in the caller's transaction, under the booking's row lock.
pub async fn change_status(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    id: u64,
    next: Status,
) -> Result<Booking, BookingError> {
    let locked = repo::find_for_update(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if locked.status != next {
        if !locked.status.may_become(next) {
            return Err(BookingError::BadTransition {
                from: locked.status.as_str(),
                to: next.as_str(),
            });
        }
        repo::set_status(tx, db, id, next).await?;
        let changes = serde_json::json!({"status": {"before": locked.status, "after": next}});
        repo::insert_history(tx, db, id, &actor.to_string(), "status_changed", &changes).await?;
        notifications::booking_event(tx, db, id, "status_changed", &actor.to_string(), &changes)
            .await?;
    }
    let row = repo::find(tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    Ok(Booking::from(&row))
}
