//! Placing a booking: the request is checked and priced outside the transaction (`prepare`),
//! then the slot is claimed and everything is written in one transaction (`place`).
use super::{
    BookingError, Party,
    domain::{
        self, Booking, BookingRow, Discount, Line, LineKind, PaymentChoice, PaymentFact,
        PaymentKind, PaymentMethod, PaymentRowStatus, PaymentStatus, Price, PriceRules, Status,
    },
    policy::{MoneyAtBooking, client_may, party},
    repo,
    slot::claim_slot,
};
use crate::{
    auth::Actor,
    availability::{self, BusyInterval},
    clients::PortalAction,
    db::{Db, Tx},
    money::Money,
    notifications,
    packages::{self, SessionUse},
    settings,
    wallet::{self, Entry, EntryKind, References},
};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddonChoice {
    pub id: u64,
    #[serde(default = "one")]
    pub quantity: u32,
}

fn one() -> u32 {
    1
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentRequest {
    /// Credits to take from the client's wallet, at most the total (the client itself, managers,
    /// employees that may take payments).
    pub use_wallet: Option<Money>,
    /// How the rest is paid.
    pub method: Option<PaymentMethod>,
    /// paid (managers, and employees that may take payments), unpaid, or pending (awaits
    /// confirmation, e.g. WooCommerce).
    pub status: Option<PaymentStatus>,
    /// Pay the full total or the service's deposit now.
    pub choice: Option<PaymentChoice>,
    /// One session of this client package pays for the service (one person); add-ons are paid
    /// as above. 409 `package_unusable` when it cannot, and nothing is written.
    pub client_package_id: Option<u64>,
}

/// The price is computed by the service; a caller never sends one.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateRequest {
    /// Required for staff; a client books for itself.
    pub client_id: Option<u64>,
    pub service_id: u64,
    pub location_id: u64,
    pub staff_id: u64,
    pub start: DateTime<Utc>,
    pub people: Option<u32>,
    #[serde(default)]
    pub addons: Vec<AddonChoice>,
    pub notes: Option<String>,
    /// Staff only: pending or confirmed (default).
    pub status: Option<Status>,
    /// Managers, and employees that may take payments: a discount on this booking.
    pub discount: Option<Discount>,
    pub payment: Option<PaymentRequest>,
}

/// A checked and priced booking request, ready for its transaction.
pub struct Placement {
    client_id: u64,
    candidate: BusyInterval,
    capacity: u32,
    offered: bool,
    status: Status,
    notes: String,
    currency: String,
    prices_include_tax: bool,
    rules: PriceRules,
    price: Price,
    choice: PaymentChoice,
    plan: domain::PaymentPlan,
    /// The client package paying for the service line, and that line's total.
    package: Option<(u64, Money)>,
    names: domain::Names,
}

impl Placement {
    /// The price the booking will be written with.
    pub fn price(&self) -> &Price {
        &self.price
    }

    /// What is paid now: the total, or the deposit when the payer chose it.
    pub fn due_now(&self) -> Money {
        domain::due_now(&self.price, self.choice).unwrap_or(self.price.total)
    }

    /// What a package session pays (the service line), if one does.
    pub fn package(&self) -> Option<Money> {
        self.package.map(|(_, amount)| amount)
    }

    /// Credits taken from the client's wallet.
    pub fn wallet(&self) -> Money {
        self.plan.wallet
    }

    /// The rest of what is due now, recorded by another method as paid or pending.
    pub fn other(&self) -> Option<(PaymentMethod, Money, PaymentRowStatus)> {
        self.plan.other
    }
}

/// Checks and prices a booking request outside the transaction: who books for whom, the
/// service, staff member, location and client, the add-ons, the price and how it is paid, and
/// (for those bound by the booking rules) whether the slot is offered. Only reads.
pub async fn prepare(db: &Db, actor: Actor, r: &CreateRequest) -> Result<Placement, BookingError> {
    let party = party(db, actor).await?;
    prepare_as(db, actor, party, r, false).await
}

/// Like [`prepare`], for a first-time visitor of the public booking form whose client profile
/// is created in the same transaction as the booking ([`place_for`]): checked and priced as a
/// client booking online would be, before that client exists. A new profile is live, not
/// blocked, and has the default permission to book.
pub async fn prepare_for_newcomer(
    db: &Db,
    actor: Actor,
    r: &CreateRequest,
) -> Result<Placement, BookingError> {
    if actor.role != crate::auth::Role::Guest || r.client_id.is_some() {
        return Err(BookingError::Forbidden);
    }
    prepare_as(db, actor, Party::Client { client_id: 0 }, r, true).await
}

async fn prepare_as(
    db: &Db,
    actor: Actor,
    party: Party,
    r: &CreateRequest,
    newcomer: bool,
) -> Result<Placement, BookingError> {
    let client_id = match party {
        Party::Manager => r
            .client_id
            .ok_or_else(|| BookingError::field("client_id", "client_id is required"))?,
        Party::Employee { .. } => {
            if !party.may_book_on(r.staff_id) {
                return Err(BookingError::Forbidden);
            }
            r.client_id
                .ok_or_else(|| BookingError::field("client_id", "client_id is required"))?
        }
        Party::Client { client_id } => {
            if r.client_id.is_some_and(|id| id != client_id) {
                return Err(BookingError::NotFound);
            }
            client_id
        }
    };
    if party.bound_by_rules() && (r.status.is_some() || r.discount.is_some()) {
        return Err(BookingError::field(
            if r.status.is_some() {
                "status"
            } else {
                "discount"
            },
            "only staff set a booking's status or discount",
        ));
    }
    let status = match r.status {
        None => Status::Confirmed,
        Some(s @ (Status::Pending | Status::Confirmed)) => s,
        Some(_) => {
            return Err(BookingError::field(
                "status",
                "a new booking is pending or confirmed",
            ));
        }
    };
    let discount = r.discount.map(|d| d.validate("discount")).transpose()?;
    let notes = domain::clean_notes(r.notes.as_deref())?;
    let people = r.people.unwrap_or(1);
    let mut conn = db.pool.get_conn().await?;
    let offering = repo::offering(
        &mut conn,
        db,
        r.service_id,
        r.location_id,
        r.staff_id,
        client_id,
    )
    .await?
    .filter(|o| o.service_active)
    .ok_or_else(|| BookingError::field("service_id", "no such service"))?;
    match offering.client_live {
        _ if newcomer => {}
        None => return Err(BookingError::field("client_id", "no such client")),
        Some(false) => return Err(BookingError::ClientNotActive),
        Some(true) => {}
    }
    if let Party::Client { client_id } = party
        && !newcomer
    {
        client_may(&mut conn, db, client_id, PortalAction::Book).await?;
    }
    if !offering.staff_performs {
        return Err(BookingError::field(
            "staff_id",
            "this staff member does not offer the service",
        ));
    }
    if !offering.location_offers {
        return Err(BookingError::field(
            "location_id",
            "the service is not offered here",
        ));
    }
    if people == 0 || people > offering.capacity {
        return Err(BookingError::field(
            "people",
            format!("between 1 and {}", offering.capacity),
        ));
    }
    let mut inputs = vec![domain::LineInput {
        kind: LineKind::Service,
        item_id: r.service_id,
        name: offering.service_name.clone(),
        unit_price: offering.price,
        quantity: people,
        duration_minutes: 0,
    }];
    let mut duration = offering.duration_minutes;
    let mut addon_pairs = Vec::new();
    if !r.addons.is_empty() {
        let available = repo::addons(&mut conn, db, r.service_id).await?;
        for addon in addon_inputs(&available, &[], &r.addons)? {
            duration += addon.duration_minutes * addon.quantity;
            addon_pairs.push((addon.item_id, addon.quantity));
            inputs.push(addon);
        }
    }
    drop(conn);
    let settings = settings::load(db).await?;
    let rules = PriceRules {
        tax_rate_percent: offering
            .tax_rate_percent
            .unwrap_or_else(|| settings.tax_rate_percent.amount()),
        prices_include_tax: settings.prices_include_tax,
        service_discount: offering.discount,
        booking_discount: discount,
        deposit: offering.deposit,
    };
    let price = domain::price(&inputs, &rules);
    let payment = r.payment.clone().unwrap_or_default();
    if payment.method == Some(PaymentMethod::Package) {
        return Err(BookingError::field(
            "payment.method",
            "pay with a package through payment.client_package_id",
        ));
    }
    let package = match payment.client_package_id {
        None => None,
        Some(_) if people != 1 => {
            return Err(BookingError::field(
                "payment.client_package_id",
                "a package session pays for one person",
            ));
        }
        Some(id) => Some((id, service_line_total(&price))),
    };
    let covered = package.map_or(Money::ZERO, |(_, amount)| amount);
    // A session pays the service in full, so a deposit makes no sense beside it.
    let choice = if package.is_some() {
        PaymentChoice::Full
    } else {
        payment.choice.unwrap_or(PaymentChoice::Full)
    };
    let due = domain::due_now(&price, choice)?;
    let plan = domain::plan_payment(
        price.total - covered,
        if due > covered {
            due - covered
        } else {
            Money::ZERO
        },
        payment.use_wallet,
        payment.method,
        payment.status,
        party.is_staff_side(),
    )?;
    let money = MoneyAtBooking {
        discount: discount.is_some(),
        // A package session is paid for already, as credits are: the same right spends both.
        wallet_credits: !plan.wallet.is_zero() || package.is_some(),
        recorded_paid: plan
            .other
            .is_some_and(|(_, _, status)| status == PaymentRowStatus::Paid),
    };
    if !party.may_place_with(money) {
        return Err(BookingError::Forbidden);
    }
    let candidate = BusyInterval {
        booking_id: None,
        staff_id: r.staff_id,
        service_id: r.service_id,
        location_id: r.location_id,
        start: r.start,
        end: r.start + Duration::minutes(i64::from(duration)),
        buffer_before_minutes: offering.buffer_before_minutes,
        buffer_after_minutes: offering.buffer_after_minutes,
        people,
    };
    let offered = if party.is_staff_side() {
        true
    } else {
        availability::slot_offered(db, actor, &candidate, addon_pairs).await?
    };
    Ok(Placement {
        client_id,
        capacity: offering.capacity,
        offered,
        status,
        notes,
        currency: settings.currency,
        prices_include_tax: settings.prices_include_tax,
        rules,
        price,
        choice,
        plan,
        package,
        names: domain::Names {
            service: offering.service_name,
            ..domain::Names::default()
        },
        candidate,
    })
}

/// Claims the slot and writes the booking, its lines and its payments (credits through the
/// wallet) in the caller's transaction.
pub async fn place(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    p: &Placement,
) -> Result<Booking, BookingError> {
    place_for(tx, db, actor, p, p.client_id).await
}

/// Takes the lock of the placement's staff member first thing in the transaction, for a caller
/// that reads before it places the booking (the booking form creates the client first): the
/// snapshot those reads take then already sees every booking of that staff member's time, as
/// `claim_slot` requires.
pub async fn lock_time(tx: &mut Tx, db: &Db, p: &Placement) -> Result<(), BookingError> {
    if availability::lock_staff(tx, db, p.candidate.staff_id).await? {
        Ok(())
    } else {
        Err(BookingError::field("staff_id", "no such staff member"))
    }
}

/// [`place`] for the client created earlier in the same transaction, for a placement made by
/// [`prepare_for_newcomer`].
pub async fn place_for(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    p: &Placement,
    client_id: u64,
) -> Result<Booking, BookingError> {
    let c = &p.candidate;
    claim_slot(tx, db, c, p.capacity, p.offered).await?;
    if !p.plan.wallet.is_zero() {
        repo::lock_client(tx, db, client_id).await?;
    }
    let mut facts = p.plan.facts();
    if let Some((_, amount)) = p.package.filter(|(_, a)| !a.is_zero()) {
        facts.push(PaymentFact {
            kind: PaymentKind::Payment,
            amount,
            status: PaymentRowStatus::Paid,
        });
    }
    let amount_paid = domain::amount_paid(&facts);
    let payment_status = domain::payment_status(p.price.total, &facts);
    let payment_method = p.plan.method.or(p.package.map(|_| PaymentMethod::Package));
    let actor_name = actor.to_string();
    let new = repo::NewBooking {
        client_id,
        service_id: c.service_id,
        location_id: c.location_id,
        staff_id: c.staff_id,
        start: c.start,
        end: c.end,
        buffer_before_minutes: c.buffer_before_minutes,
        buffer_after_minutes: c.buffer_after_minutes,
        people: c.people,
        status: p.status,
        notes: &p.notes,
        currency: &p.currency,
        subtotal: p.price.subtotal,
        discount_total: p.price.discount_total,
        tax_total: p.price.tax_total,
        total: p.price.total,
        prices_include_tax: p.prices_include_tax,
        price_rules: &p.rules,
        deposit_amount: p.price.deposit.unwrap_or(Money::ZERO),
        payment_choice: p.choice,
        payment_method,
        amount_paid,
        payment_status,
        created_by: &actor_name,
    };
    let id = repo::insert(tx, db, &new).await?;
    repo::insert_lines(tx, db, id, &p.price.lines).await?;
    let mut package_used = None;
    if let Some((client_package_id, amount)) = p.package {
        // After the slot: the staff member's lock is always taken before a package's.
        let taken = packages::use_session(
            tx,
            db,
            actor,
            SessionUse {
                client_package_id,
                client_id,
                service_id: c.service_id,
                location_id: c.location_id,
                booking_id: id,
                start: c.start,
            },
        )
        .await?;
        if !amount.is_zero() {
            let note = taken.description();
            let payment = repo::NewPayment {
                kind: PaymentKind::Payment,
                method: PaymentMethod::Package,
                amount,
                status: PaymentRowStatus::Paid,
                ledger_id: None,
                note: &note,
                actor: &actor_name,
            };
            repo::insert_payment(tx, db, id, &payment).await?;
        }
        package_used = Some(client_package_id);
    }
    if !p.plan.wallet.is_zero() {
        let row = wallet::post(
            tx,
            db,
            Entry {
                client_id,
                amount: -p.plan.wallet,
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
        let payment = repo::NewPayment {
            kind: PaymentKind::Payment,
            method: PaymentMethod::Wallet,
            amount: p.plan.wallet,
            status: PaymentRowStatus::Paid,
            ledger_id: Some(row.id),
            note: "",
            actor: &actor_name,
        };
        repo::insert_payment(tx, db, id, &payment).await?;
    }
    if let Some((method, amount, status)) = p.plan.other {
        let payment = repo::NewPayment {
            kind: PaymentKind::Payment,
            method,
            amount,
            status,
            ledger_id: None,
            note: "",
            actor: &actor_name,
        };
        repo::insert_payment(tx, db, id, &payment).await?;
    }
    let mut changes = serde_json::json!({
        "status": {"before": null, "after": p.status},
        "start": {"before": null, "after": c.start},
        "staff_id": {"before": null, "after": c.staff_id},
        "total": {"before": null, "after": p.price.total},
        "amount_paid": {"before": null, "after": amount_paid},
    });
    if let Some(client_package_id) = package_used {
        changes["client_package_id"] =
            serde_json::json!({"before": null, "after": client_package_id});
    }
    repo::insert_history(tx, db, id, &actor_name, "created", &changes).await?;
    notifications::booking_event(tx, db, id, "created", &actor_name, &changes).await?;
    crate::invoices::issue_for_new_booking(tx, db, id).await?;
    let now = Utc::now();
    let row = BookingRow {
        id,
        client_id,
        service_id: c.service_id,
        location_id: c.location_id,
        staff_id: c.staff_id,
        start: c.start,
        end: c.end,
        buffer_before_minutes: c.buffer_before_minutes,
        buffer_after_minutes: c.buffer_after_minutes,
        people: c.people,
        status: p.status,
        notes: p.notes.clone(),
        currency: p.currency.clone(),
        subtotal: p.price.subtotal,
        discount_total: p.price.discount_total,
        tax_total: p.price.tax_total,
        total: p.price.total,
        prices_include_tax: p.prices_include_tax,
        deposit_amount: new.deposit_amount,
        payment_choice: p.choice,
        payment_method,
        amount_paid,
        payment_status,
        created_by: actor_name.clone(),
        created_at: now,
        updated_at: now,
        cancelled_at: None,
        names: p.names.clone(),
    };
    let mut body = Booking::from(&row);
    body.lines = Some(p.price.lines.clone());
    Ok(body)
}

/// The add-on lines `choices` ask for among the service's add-ons (`available`): each offered,
/// within its quantities, listed once. An add-on the booking already has (`booked`) keeps the
/// name, price and minutes it was booked at, and may keep its quantity when no longer offered.
pub(super) fn addon_inputs(
    available: &[repo::AddonRow],
    booked: &[Line],
    choices: &[AddonChoice],
) -> Result<Vec<domain::LineInput>, BookingError> {
    let mut inputs: Vec<domain::LineInput> = Vec::with_capacity(choices.len());
    for (i, choice) in choices.iter().enumerate() {
        let field = format!("addons[{i}]");
        if inputs.iter().any(|a| a.item_id == choice.id) {
            return Err(BookingError::field(&field, "this add-on is listed twice"));
        }
        let had = booked
            .iter()
            .find(|l| l.kind == LineKind::Addon && l.item_id == choice.id);
        let offered = available.iter().find(|a| a.0 == choice.id && a.6);
        let within = |min: u32, max: u32| {
            if choice.quantity < min.max(1) || choice.quantity > max {
                Err(BookingError::field(
                    &field,
                    format!("quantity {} to {max}", min.max(1)),
                ))
            } else {
                Ok(())
            }
        };
        let not_offered = || BookingError::field(&field, "not an add-on of this service");
        let input = match had {
            Some(line) => {
                if line.quantity != choice.quantity {
                    let (.., min, max, _) = offered.ok_or_else(not_offered)?;
                    within(*min, *max)?;
                }
                domain::LineInput {
                    kind: LineKind::Addon,
                    item_id: line.item_id,
                    name: line.name.clone(),
                    unit_price: line.unit_price,
                    quantity: choice.quantity,
                    duration_minutes: line.duration_minutes,
                }
            }
            None => {
                let (id, name, price, minutes, min, max, _) = offered.ok_or_else(not_offered)?;
                within(*min, *max)?;
                domain::LineInput {
                    kind: LineKind::Addon,
                    item_id: *id,
                    name: name.clone(),
                    unit_price: Money::from_db(*price),
                    quantity: choice.quantity,
                    duration_minutes: *minutes,
                }
            }
        };
        inputs.push(input);
    }
    Ok(inputs)
}

/// What the service line costs, tax included: what a package session pays for.
fn service_line_total(price: &Price) -> Money {
    price
        .lines
        .iter()
        .filter(|l| l.kind == LineKind::Service)
        .map(|l| l.total)
        .sum()
}
