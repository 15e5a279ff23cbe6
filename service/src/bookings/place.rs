//! Placing a booking: the request is checked and priced outside the transaction (`prepare`),
//! then the slot is claimed and everything is written in one transaction (`place`).
use super::{
    BookingError, Party,
    domain::{
        self, Booking, BookingRow, Discount, LineKind, PaymentChoice, PaymentKind, PaymentMethod,
        PaymentRowStatus, PaymentStatus, Price, PriceRules, Status,
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
    price: Price,
    choice: PaymentChoice,
    plan: domain::PaymentPlan,
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
        None => return Err(BookingError::field("client_id", "no such client")),
        Some(false) => return Err(BookingError::ClientNotActive),
        Some(true) => {}
    }
    if let Party::Client { client_id } = party {
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
        for (i, choice) in r.addons.iter().enumerate() {
            let field = format!("addons[{i}]");
            let (id, name, price, minutes, max, _) = available
                .iter()
                .find(|a| a.0 == choice.id && a.5)
                .ok_or_else(|| BookingError::field(&field, "not an add-on of this service"))?;
            if choice.quantity == 0 || choice.quantity > *max {
                return Err(BookingError::field(&field, format!("quantity 1 to {max}")));
            }
            if addon_pairs.iter().any(|(a, _)| a == id) {
                return Err(BookingError::field(&field, "this add-on is listed twice"));
            }
            duration += minutes * choice.quantity;
            addon_pairs.push((*id, choice.quantity));
            inputs.push(domain::LineInput {
                kind: LineKind::Addon,
                item_id: *id,
                name: name.clone(),
                unit_price: Money::from_db(*price),
                quantity: choice.quantity,
                duration_minutes: *minutes,
            });
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
    let choice = payment.choice.unwrap_or(PaymentChoice::Full);
    let due = domain::due_now(&price, choice)?;
    let plan = domain::plan_payment(
        price.total,
        due,
        payment.use_wallet,
        payment.method,
        payment.status,
        party.is_staff_side(),
    )?;
    let money = MoneyAtBooking {
        discount: discount.is_some(),
        wallet_credits: !plan.wallet.is_zero(),
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
        price,
        choice,
        plan,
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
    let c = &p.candidate;
    claim_slot(tx, db, c, p.capacity, p.offered).await?;
    if !p.plan.wallet.is_zero() {
        repo::lock_client(tx, db, p.client_id).await?;
    }
    let facts = p.plan.facts();
    let amount_paid = domain::amount_paid(&facts);
    let payment_status = domain::payment_status(p.price.total, &facts);
    let actor_name = actor.to_string();
    let new = repo::NewBooking {
        client_id: p.client_id,
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
        deposit_amount: p.price.deposit.unwrap_or(Money::ZERO),
        payment_choice: p.choice,
        payment_method: p.plan.method,
        amount_paid,
        payment_status,
        created_by: &actor_name,
    };
    let id = repo::insert(tx, db, &new).await?;
    repo::insert_lines(tx, db, id, &p.price.lines).await?;
    if !p.plan.wallet.is_zero() {
        let row = wallet::post(
            tx,
            db,
            Entry {
                client_id: p.client_id,
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
    let changes = serde_json::json!({
        "status": {"before": null, "after": p.status},
        "start": {"before": null, "after": c.start},
        "staff_id": {"before": null, "after": c.staff_id},
        "total": {"before": null, "after": p.price.total},
        "amount_paid": {"before": null, "after": amount_paid},
    });
    repo::insert_history(tx, db, id, &actor_name, "created", &changes).await?;
    let now = Utc::now();
    let row = BookingRow {
        id,
        client_id: p.client_id,
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
        payment_method: p.plan.method,
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
