//! Acting on an order's state, whichever way it arrived, in one transaction under the intent's
//! row lock. A payment counts once: the receipt's primary key (the order id) admits one insert,
//! and only that transaction credits anything.
use super::{
    IntentKind, IntentStatus, WooError,
    domain::{self, Order},
    repo::{self, Intent},
};
use crate::{
    auth::{Actor, Role},
    bookings::{self, Settlement},
    db::{Db, Tx, TxError},
    packages::{self, AssignRequest, SaleMethod},
    wallet::{self, TopUpCompletion},
};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Webhook,
    Poll,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Webhook => "webhook",
            Self::Poll => "poll",
        }
    }
}

/// What one order state did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Counted now: the booking, the wallet or the package got it.
    Paid,
    /// Counted before; nothing changed.
    AlreadyPaid,
    /// Recorded for a manager, not counted (wrong total or currency, overpaid, …).
    Flagged,
    /// The unpaid order was cancelled, failed or deleted.
    Cancelled,
    RefundRecorded,
    /// A paid order was cancelled, failed, trashed or deleted in the store: recorded and
    /// flagged, nothing changed.
    CancellationRecorded,
    /// Older than a state already acted on.
    Stale,
    Unchanged,
    /// No intent of this service: another shop order.
    UnknownOrder,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::AlreadyPaid => "already_paid",
            Self::Flagged => "flagged",
            Self::Cancelled => "cancelled",
            Self::RefundRecorded => "refund_recorded",
            Self::CancellationRecorded => "cancellation_recorded",
            Self::Stale => "stale",
            Self::Unchanged => "unchanged",
            Self::UnknownOrder => "unknown_order",
        }
    }
}

pub async fn reconcile_order(
    db: &Db,
    order: &Order,
    source: Source,
) -> Result<(Outcome, String), WooError> {
    db.transaction(|mut tx| async move {
        let result = apply(&mut tx, db, order, source).await;
        (tx, result)
    })
    .await
}

/// `order.deleted` (its body is only the id), or a poll that finds the order gone. The body has
/// no date, so the deletion counts as of now: a state built before it and delivered after it is
/// older, and never undoes it.
pub async fn reconcile_deleted(db: &Db, wc_order_id: u64) -> Result<(Outcome, String), WooError> {
    db.transaction(|mut tx| async move {
        let result = async {
            let Some(intent) = repo::lock_for_order(&mut tx, db, None, wc_order_id).await? else {
                return Ok((Outcome::UnknownOrder, String::new()));
            };
            let now = chrono::Utc::now().naive_utc();
            match intent.status {
                IntentStatus::Creating | IntentStatus::Pending => {
                    abandon(&mut tx, db, &intent, domain::DELETED, Some(now)).await?;
                    Ok((Outcome::Cancelled, String::new()))
                }
                IntentStatus::Paid | IntentStatus::Refunded => {
                    // A trashed order is reported as an update to `trash` and as a deletion:
                    // one change, recorded once.
                    let known = intent.order_status.as_deref();
                    if matches!(known, Some("trash" | domain::DELETED)) {
                        return Ok((Outcome::Unchanged, String::new()));
                    }
                    let detail = record_abandoned_after_paid(
                        &mut tx,
                        db,
                        &intent,
                        wc_order_id,
                        domain::DELETED,
                        now,
                        None,
                    )
                    .await?;
                    repo::set_state(
                        &mut tx,
                        db,
                        intent.id,
                        intent.status,
                        domain::DELETED,
                        Some(now),
                    )
                    .await?;
                    Ok(detail.map_or((Outcome::Unchanged, String::new()), |d| {
                        (Outcome::CancellationRecorded, d)
                    }))
                }
                IntentStatus::Cancelled => Ok((Outcome::Unchanged, String::new())),
            }
        }
        .await;
        (tx, result)
    })
    .await
}

async fn apply(
    tx: &mut Tx,
    db: &Db,
    order: &Order,
    source: Source,
) -> Result<(Outcome, String), WooError> {
    let Some(intent) =
        repo::lock_for_order(tx, db, order.intent_uuid().as_deref(), order.id).await?
    else {
        return Ok((Outcome::UnknownOrder, String::new()));
    };
    if let Some(known) = intent.wc_order_id
        && known != order.id
    {
        // The intent's meta on another order (an order duplicated in the store, say).
        let detail = format!(
            "order {} carries the payment intent of order {known}; not counted",
            order.id
        );
        repo::flag_once(tx, db, &intent, "order_mismatch", &detail).await?;
        return Ok((Outcome::Flagged, detail));
    }
    if domain::is_stale(intent.order_modified_gmt, order.modified_at()) {
        return late_payment(tx, db, &intent, order, source).await;
    }
    let (mut outcome, mut detail, mut status) = (Outcome::Unchanged, String::new(), intent.status);
    if order.money_arrived() {
        (outcome, detail, status) = count_payment(tx, db, &intent, order, source).await?;
    } else if order.is_abandoned()
        && matches!(
            intent.status,
            IntentStatus::Creating | IntentStatus::Pending
        )
    {
        abandon(tx, db, &intent, &order.status, order.modified_at()).await?;
        return Ok((Outcome::Cancelled, String::new()));
    }
    // A paid order given up in the store: recorded and flagged once per change (the same state
    // again, or a later edit of an order already recorded as given up, records nothing).
    let was_paid = order.paid_at().is_some()
        || matches!(intent.status, IntentStatus::Paid | IntentStatus::Refunded);
    let recorded_before = matches!(intent.status, IntentStatus::Paid | IntentStatus::Refunded)
        && intent
            .order_status
            .as_deref()
            .is_some_and(domain::is_abandoned_status);
    if order.is_abandoned() && was_paid && !recorded_before {
        let modified = order
            .modified_at()
            .unwrap_or_else(|| chrono::Utc::now().naive_utc());
        if let Some(d) = record_abandoned_after_paid(
            tx,
            db,
            &intent,
            order.id,
            &order.status,
            modified,
            order.paid_at(),
        )
        .await?
        {
            (outcome, detail) = (Outcome::CancellationRecorded, d);
        }
    }
    let mut recorded = Vec::new();
    for (refund_id, amount, reason) in order.refunds() {
        if repo::insert_refund(tx, db, order.id, refund_id, intent.id, amount, &reason).await? {
            recorded.push(format!(
                "{amount} ({})",
                if reason.is_empty() {
                    "no reason given"
                } else {
                    &reason
                }
            ));
        }
    }
    if !recorded.is_empty() {
        detail = format!(
            "order {} refunded {} in WooCommerce; a manager decides what happens to {}",
            order.id,
            recorded.join(", "),
            target(&intent)
        );
        repo::flag(tx, db, intent.id, "refunded", &detail).await?;
        outcome = Outcome::RefundRecorded;
    }
    if order.status == "refunded" && status == IntentStatus::Paid {
        status = IntentStatus::Refunded;
    }
    repo::set_state(
        tx,
        db,
        intent.id,
        status,
        &order.status,
        order.modified_at(),
    )
    .await?;
    Ok((outcome, detail))
}

/// What the intent pays for, in a manager's words.
fn target(intent: &Intent) -> String {
    match intent.kind {
        IntentKind::Booking => format!("booking {}", intent.booking_id.unwrap_or_default()),
        IntentKind::TopUp => format!("top-up {}", intent.top_up_id.unwrap_or_default()),
        IntentKind::Package => format!("package {}", intent.package_id.unwrap_or_default()),
    }
}

/// An older state than the newest acted on changes nothing, with one exception: it proves a
/// payment the service never counted because the newer state it acted on had given the order
/// up (a payment and then a cancellation or deletion, delivered in reverse; a deletion's body
/// carries no payment date). The payment counts, once, as it would have in order, and the
/// newer state's cancellation is recorded and flagged; the order's status stays the newer one.
async fn late_payment(
    tx: &mut Tx,
    db: &Db,
    intent: &Intent,
    order: &Order,
    source: Source,
) -> Result<(Outcome, String), WooError> {
    let given_up = intent
        .order_status
        .as_deref()
        .filter(|s| domain::is_abandoned_status(s));
    let (Some(given_up), Some(newer)) = (given_up, intent.order_modified_gmt) else {
        return Ok((Outcome::Stale, String::new()));
    };
    if intent.status != IntentStatus::Cancelled || !order.money_arrived() {
        return Ok((Outcome::Stale, String::new()));
    }
    let (_, _, status) = count_payment(tx, db, intent, order, source).await?;
    let detail =
        record_abandoned_after_paid(tx, db, intent, order.id, given_up, newer, order.paid_at())
            .await?
            .unwrap_or_default();
    repo::set_state(tx, db, intent.id, status, given_up, Some(newer)).await?;
    Ok((Outcome::CancellationRecorded, detail))
}

/// Records a paid order cancelled, failed, trashed or deleted in the store and flags its intent;
/// nothing else changes (a manager decides). `None` when this change was recorded before.
async fn record_abandoned_after_paid(
    tx: &mut Tx,
    db: &Db,
    intent: &Intent,
    wc_order_id: u64,
    order_status: &str,
    modified: chrono::NaiveDateTime,
    paid: Option<chrono::NaiveDateTime>,
) -> Result<Option<String>, WooError> {
    let first = repo::insert_cancellation(
        tx,
        db,
        &repo::Cancellation {
            wc_order_id,
            intent_id: intent.id,
            order_status,
            order_modified: modified,
            date_paid: paid,
        },
    )
    .await?;
    if !first {
        return Ok(None);
    }
    let what = match order_status {
        domain::DELETED => "deleted",
        "trash" => "moved to the trash",
        "failed" => "marked failed",
        other => other,
    };
    let paid = paid.map_or(String::new(), |p| format!(" (paid {p} UTC)"));
    let detail = format!(
        "order {wc_order_id}{paid} was {what} in WooCommerce after it had been paid; nothing was \
         changed: a manager decides what happens to {}",
        target(intent)
    );
    let flag = domain::abandoned_after_paid_flag(order_status);
    repo::flag(tx, db, intent.id, flag, &detail).await?;
    Ok(Some(detail))
}

async fn count_payment(
    tx: &mut Tx,
    db: &Db,
    intent: &Intent,
    order: &Order,
    source: Source,
) -> Result<(Outcome, String, IntentStatus), WooError> {
    if let Some(detail) = domain::mismatch(order, intent.amount, &intent.currency) {
        // Recorded when the wrong total is first seen. The flags a later state of the same
        // payment sets (a refund, a cancellation) mean it was seen already: a copy of the
        // state delivered again must not flip the flag back and reopen it.
        let seen = matches!(
            intent.flag.as_deref(),
            Some("amount_mismatch" | "refunded" | "cancelled_after_paid" | "deleted_after_paid")
        );
        if !seen {
            repo::flag(tx, db, intent.id, "amount_mismatch", &detail).await?;
            if let (IntentKind::TopUp, Some(top_up)) = (intent.kind, intent.top_up_id) {
                // The top-up records it too, where its own screen shows it; nothing is credited.
                let paid = order.total().unwrap_or_default();
                wallet::complete_top_up(tx, db, top_up, order.id, paid).await?;
            }
        }
        return Ok((Outcome::Flagged, detail, intent.status));
    }
    let Some(paid_at) = order.paid_at() else {
        return Ok((Outcome::Unchanged, String::new(), intent.status));
    };
    let transaction = order.transaction_id.as_deref().unwrap_or_default();
    let receipt = repo::Receipt {
        wc_order_id: order.id,
        intent_id: intent.id,
        amount: intent.amount,
        currency: &intent.currency,
        date_paid: paid_at,
        transaction_id: transaction,
        source: source.as_str(),
    };
    let first = repo::insert_receipt(tx, db, &receipt).await?;
    if !first {
        return Ok((Outcome::AlreadyPaid, String::new(), intent.status));
    }
    match intent.kind {
        IntentKind::Booking => {
            let (Some(booking), Some(payment)) = (intent.booking_id, intent.booking_payment_id)
            else {
                return Ok((Outcome::Paid, String::new(), IntentStatus::Paid));
            };
            match bookings::settle_online_payment(tx, db, booking, payment, order.id).await? {
                Settlement::Paid => Ok((Outcome::Paid, String::new(), IntentStatus::Paid)),
                Settlement::Overpaid { balance } => {
                    flagged(
                        tx,
                        db,
                        intent.id,
                        "overpaid",
                        format!(
                            "order {} paid {} but booking {booking} had {balance} left to pay; not counted",
                            order.id, intent.amount
                        ),
                    )
                    .await
                }
            }
        }
        IntentKind::TopUp => {
            let Some(top_up) = intent.top_up_id else {
                return Ok((Outcome::Paid, String::new(), IntentStatus::Paid));
            };
            match wallet::complete_top_up(tx, db, top_up, order.id, intent.amount).await? {
                TopUpCompletion::Credited { .. } | TopUpCompletion::AlreadyPaid(_) => {
                    Ok((Outcome::Paid, String::new(), IntentStatus::Paid))
                }
                TopUpCompletion::Flagged(t) => {
                    let detail = t.flag_detail.unwrap_or_default();
                    flagged(tx, db, intent.id, "top_up_flagged", detail).await
                }
            }
        }
        IntentKind::Package => {
            let Some(package_id) = intent.package_id else {
                return Ok((Outcome::Paid, String::new(), IntentStatus::Paid));
            };
            let buyer = Actor::parse(&intent.requested_by).unwrap_or(Actor {
                role: Role::Client,
                wp_user_id: 0,
            });
            let request = AssignRequest {
                package_id,
                activation_date: None,
                expires_on: None,
                sold: Some(SaleMethod::Woocommerce),
            };
            match packages::assign(tx, db, buyer, intent.client_id, &request).await {
                Ok(held) => {
                    repo::set_client_package(tx, db, intent.id, held.id).await?;
                    Ok((Outcome::Paid, String::new(), IntentStatus::Paid))
                }
                Err(e) if !e.is_retryable() && !matches!(e, packages::PackageError::Db(_)) => {
                    flagged(
                        tx,
                        db,
                        intent.id,
                        "package_unavailable",
                        format!(
                            "order {} paid {} for package {package_id}, which could not be given: {e}",
                            order.id, intent.amount
                        ),
                    )
                    .await
                }
                Err(e) => Err(e.into()),
            }
        }
    }
}

/// Money that arrived but could not be counted: the receipt stays (it did arrive), the intent
/// is flagged for a manager.
async fn flagged(
    tx: &mut Tx,
    db: &Db,
    intent_id: u64,
    flag: &str,
    detail: String,
) -> Result<(Outcome, String, IntentStatus), WooError> {
    repo::flag(tx, db, intent_id, flag, &detail).await?;
    Ok((Outcome::Flagged, detail, IntentStatus::Paid))
}

/// The order will not be paid as it stands.
async fn abandon(
    tx: &mut Tx,
    db: &Db,
    intent: &Intent,
    order_status: &str,
    modified: Option<chrono::NaiveDateTime>,
) -> Result<(), WooError> {
    if let (IntentKind::Booking, Some(booking), Some(payment)) =
        (intent.kind, intent.booking_id, intent.booking_payment_id)
    {
        bookings::release_online_payment(tx, db, booking, payment).await?;
    }
    repo::set_state(
        tx,
        db,
        intent.id,
        IntentStatus::Cancelled,
        order_status,
        modified,
    )
    .await?;
    Ok(())
}
