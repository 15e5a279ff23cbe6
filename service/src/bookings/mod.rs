//! Bookings: placed by a manager for any client or by a client for itself, priced by the
//! service, paid (wallet credits and other methods), rescheduled and cancelled — never two on
//! one staff member's time. Every write for a staff member's time takes that staff member's row
//! lock first, then reads the bookings around it and decides with `availability::slot_is_free`,
//! the same rule the availability engine offers slots by; so the decision holds across replicas.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{
    Action, Actions, Booking, BookingRow, CalendarDay, CalendarItem, Cursor, Deposit, Details,
    Discount, HistoryEntry, Line, LineKind, Payment, PaymentChoice, PaymentKind, PaymentMethod,
    PaymentRowStatus, PaymentStatus, Price, PriceRules, ServicePricing, StaffPermissions, Status,
    calendar, due_now, payment_status, price,
};
pub use error::BookingError;
pub use repo::ListFilter;

use crate::{
    auth::{Actor, Role},
    availability::{self, BusyInterval},
    clients::{self, PortalAction},
    db::{Db, Tx},
    error::{ApiError, ApiResult},
    idempotency::{self, IdempotencyKey, Start},
    money::Money,
    settings::{self, Settings},
    wallet::{self, Entry, EntryKind, References},
};
use axum::{http::StatusCode, response::Response};
use chrono::{DateTime, Duration, Utc};
use domain::PaymentFact;
use rust_decimal::Decimal;

/// Who is acting, as far as bookings are concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Manager,
    /// A staff member acting through its linked WordPress user, with its role's permissions.
    Employee {
        staff_id: u64,
        can_edit: bool,
        can_cancel: bool,
        can_take_payments: bool,
    },
    Client {
        client_id: u64,
    },
}

impl Party {
    /// Clients are bound by notice and working hours; staff act for the business.
    fn bound_by_rules(self) -> bool {
        matches!(self, Self::Client { .. })
    }

    fn is_staff_side(self) -> bool {
        !self.bound_by_rules()
    }

    /// Money on a booking (payments recorded as paid, wallet credits spent, discounts) is the
    /// managers' to handle, and an employee's only when its staff member may take payments: a
    /// paid amount comes back to the wallet on cancellation, so whoever records one mints credit.
    fn may_take_payments(self) -> bool {
        match self {
            Self::Manager => true,
            Self::Employee {
                can_take_payments, ..
            } => can_take_payments,
            Self::Client { .. } => false,
        }
    }
}

pub async fn party(db: &Db, actor: Actor) -> ApiResult<Party> {
    match actor.role {
        Role::Admin | Role::Manager => Ok(Party::Manager),
        Role::Employee => {
            let mut conn = db.pool.get_conn().await?;
            let (staff_id, rights) = repo::staff_of_wp_user(&mut conn, db, actor.wp_user_id)
                .await?
                .ok_or(ApiError::Forbidden)?;
            Ok(Party::Employee {
                staff_id,
                can_edit: rights.can_edit,
                can_cancel: rights.can_cancel,
                can_take_payments: rights.can_take_payments,
            })
        }
        Role::Client => Ok(Party::Client {
            client_id: clients::own_client_id(db, actor).await?,
        }),
        Role::Guest => Err(ApiError::Forbidden),
    }
}

/// Whether `party` may see `booking` at all; anything else looks absent.
fn visible(party: Party, booking: &BookingRow) -> bool {
    match party {
        Party::Manager => true,
        Party::Employee { staff_id, .. } => booking.staff_id == staff_id,
        Party::Client { client_id } => booking.client_id == client_id,
    }
}

async fn load_visible(db: &Db, party: Party, id: u64) -> ApiResult<BookingRow> {
    let mut conn = db.pool.get_conn().await?;
    match repo::find(&mut conn, db, id).await? {
        Some(b) if visible(party, &b) => Ok(b),
        _ => Err(BookingError::NotFound.into()),
    }
}

fn minutes(d: Duration) -> u32 {
    u32::try_from(d.num_minutes()).unwrap_or(0)
}

/// MariaDB chose this transaction as a deadlock victim; everything rolled back and a retry is safe.
fn is_deadlock(e: &ApiError) -> bool {
    matches!(e, ApiError::Internal(cause)
        if matches!(cause.downcast_ref::<mysql_async::Error>(),
            Some(mysql_async::Error::Server(s)) if s.code == 1213))
}

const DEADLOCK_RETRIES: usize = 3;

/// The window of booking starts that can collide with `candidate`.
async fn neighbours(tx: &mut Tx, db: &Db, c: &BusyInterval) -> ApiResult<Vec<BusyInterval>> {
    let (lo, hi) = availability::booking_window(
        c.start,
        c.start + Duration::seconds(1),
        minutes(c.end - c.start),
        c.buffer_before_minutes,
        c.buffer_after_minutes,
    );
    Ok(availability::busy_intervals(tx, db, &[c.staff_id], lo, hi).await?)
}

/// Locks the staff member's row, then checks the candidate against the bookings holding that
/// staff member's time. Nothing before this in the transaction may be a plain (snapshot) read:
/// the snapshot must be taken after the lock is granted, so it sees every booking committed by
/// whoever held the lock before.
async fn claim_slot(
    tx: &mut Tx,
    db: &Db,
    candidate: &BusyInterval,
    capacity: u32,
    offered: bool,
) -> ApiResult<()> {
    if !availability::lock_staff(tx, db, candidate.staff_id).await? {
        return Err(BookingError::field("staff_id", "no such staff member").into());
    }
    let busy = neighbours(tx, db, candidate).await?;
    if !availability::slot_is_free(candidate, capacity, &busy) {
        return Err(BookingError::SlotTaken.into());
    }
    if !offered {
        return Err(BookingError::SlotNotOffered.into());
    }
    Ok(())
}

fn change_notice(settings: &Settings, offering: &repo::Offering) -> u32 {
    offering
        .min_change_notice_minutes
        .unwrap_or(settings.min_change_notice_minutes)
}

// ---------------------------------------------------------------- create

/// A validated booking request, ready for its transaction.
struct Placement {
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

pub async fn create(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    request: &http::CreateRequest,
) -> ApiResult<Response> {
    let party = party(db, actor).await?;
    let placement = prepare(db, actor, party, request).await?;
    let fingerprint = idempotency::fingerprint(
        "POST",
        "/v1/bookings",
        &serde_json::to_vec(request).map_err(anyhow::Error::from)?,
    );
    let mut attempt = 0;
    loop {
        match place(db, actor, key, &fingerprint, &placement).await {
            Err(e) if attempt < DEADLOCK_RETRIES && is_deadlock(&e) => attempt += 1,
            other => return other,
        }
    }
}

async fn prepare(
    db: &Db,
    actor: Actor,
    party: Party,
    r: &http::CreateRequest,
) -> ApiResult<Placement> {
    let client_id = match party {
        Party::Manager => r
            .client_id
            .ok_or_else(|| BookingError::field("client_id", "client_id is required"))?,
        Party::Employee {
            staff_id, can_edit, ..
        } => {
            if !can_edit || r.staff_id != staff_id {
                return Err(BookingError::Forbidden.into());
            }
            r.client_id
                .ok_or_else(|| BookingError::field("client_id", "client_id is required"))?
        }
        Party::Client { client_id } => {
            if r.client_id.is_some_and(|id| id != client_id) {
                return Err(ApiError::NotFound);
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
        )
        .into());
    }
    let status = match r.status {
        None => Status::Confirmed,
        Some(s @ (Status::Pending | Status::Confirmed)) => s,
        Some(_) => {
            return Err(
                BookingError::field("status", "a new booking is pending or confirmed").into(),
            );
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
        None => return Err(BookingError::field("client_id", "no such client").into()),
        Some(false) => return Err(BookingError::ClientNotActive.into()),
        Some(true) => {}
    }
    if let Party::Client { client_id } = party {
        clients::ensure_may(&mut conn, db, client_id, PortalAction::Book).await?;
    }
    if !offering.staff_performs {
        return Err(BookingError::field(
            "staff_id",
            "this staff member does not offer the service",
        )
        .into());
    }
    if !offering.location_offers {
        return Err(BookingError::field("location_id", "the service is not offered here").into());
    }
    if people == 0 || people > offering.capacity {
        return Err(
            BookingError::field("people", format!("between 1 and {}", offering.capacity)).into(),
        );
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
                return Err(BookingError::field(&field, format!("quantity 1 to {max}")).into());
            }
            if addon_pairs.iter().any(|(a, _)| a == id) {
                return Err(BookingError::field(&field, "this add-on is listed twice").into());
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
    // Clients spend their own credits; staff handle money only as `may_take_payments` allows.
    let handles_money = discount.is_some()
        || !plan.wallet.is_zero()
        || plan
            .other
            .is_some_and(|(_, _, status)| status == PaymentRowStatus::Paid);
    if handles_money && matches!(party, Party::Employee { .. }) && !party.may_take_payments() {
        return Err(BookingError::Forbidden.into());
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

async fn place(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    fingerprint: &str,
    p: &Placement,
) -> ApiResult<Response> {
    let mut tx = match idempotency::begin(db, actor, key, fingerprint).await? {
        Start::Fresh(tx) => tx,
        Start::Replay(response) => return Ok(response),
    };
    let c = &p.candidate;
    claim_slot(&mut tx, db, c, p.capacity, p.offered).await?;
    if !p.plan.wallet.is_zero() {
        repo::lock_client(&mut tx, db, p.client_id).await?;
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
    let id = repo::insert(&mut tx, db, &new).await?;
    repo::insert_lines(&mut tx, db, id, &p.price.lines).await?;
    if !p.plan.wallet.is_zero() {
        let row = wallet::post(
            &mut tx,
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
        repo::insert_payment(&mut tx, db, id, &payment).await?;
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
        repo::insert_payment(&mut tx, db, id, &payment).await?;
    }
    let changes = serde_json::json!({
        "status": {"before": null, "after": p.status},
        "start": {"before": null, "after": c.start},
        "staff_id": {"before": null, "after": c.staff_id},
        "total": {"before": null, "after": p.price.total},
        "amount_paid": {"before": null, "after": amount_paid},
    });
    repo::insert_history(&mut tx, db, id, &actor_name, "created", &changes).await?;
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
    idempotency::finish(tx, db, actor, key, StatusCode::CREATED, &body).await
}

// ---------------------------------------------------------------- read

pub async fn details(db: &Db, actor: Actor, id: u64) -> ApiResult<Details> {
    let party = party(db, actor).await?;
    let booking = load_visible(db, party, id).await?;
    let mut conn = db.pool.get_conn().await?;
    let lines = repo::lines(&mut conn, db, id).await?;
    let payments = repo::payments(&mut conn, db, id).await?;
    let history = repo::history(&mut conn, db, id).await?;
    drop(conn);
    let client = clients::get(db, booking.client_id).await?;
    let settings = settings::load(db).await?;
    let actions = actions(db, party, &booking, &settings, Utc::now()).await?;
    Ok(Details::build(
        &booking, lines, payments, history, &client, actions,
    ))
}

/// The fourth tab alone, for lists that offer actions without the rest of the details.
pub async fn allowed_actions(db: &Db, actor: Actor, id: u64) -> ApiResult<Actions> {
    let party = party(db, actor).await?;
    let booking = load_visible(db, party, id).await?;
    let settings = settings::load(db).await?;
    actions(db, party, &booking, &settings, Utc::now()).await
}

/// What this party may do to this booking right now, and why not.
async fn actions(
    db: &Db,
    party: Party,
    b: &BookingRow,
    settings: &Settings,
    now: DateTime<Utc>,
) -> ApiResult<Actions> {
    let closed = !b.status.holds_slot();
    let refuse = |reason: &str| Action {
        allowed: false,
        reason: Some(reason.to_owned()),
    };
    let allow = Action {
        allowed: true,
        reason: None,
    };
    let mut out = Actions {
        reschedule: allow.clone(),
        cancel: allow.clone(),
        statuses: Vec::new(),
        record_payment: party.may_take_payments() && !closed,
    };
    match party {
        Party::Manager => {}
        Party::Employee {
            can_edit,
            can_cancel,
            ..
        } => {
            if !can_edit {
                out.reschedule = refuse("not_permitted");
            }
            if !can_cancel {
                out.cancel = refuse("not_permitted");
            }
        }
        Party::Client { client_id } => {
            let mut conn = db.pool.get_conn().await?;
            for (action, slot) in [
                (PortalAction::Reschedule, &mut out.reschedule),
                (PortalAction::Cancel, &mut out.cancel),
            ] {
                if let Err(e) = clients::ensure_may(&mut conn, db, client_id, action).await {
                    *slot = refuse(match e {
                        ApiError::Conflict { code, .. } => code,
                        _ => "not_permitted",
                    });
                }
            }
            let mut notice = settings.min_change_notice_minutes;
            if let Some(o) = repo::offering(
                &mut conn,
                db,
                b.service_id,
                b.location_id,
                b.staff_id,
                b.client_id,
            )
            .await?
            {
                notice = change_notice(settings, &o);
            }
            if !domain::outside_change_notice(b.start, notice, now) {
                for slot in [&mut out.reschedule, &mut out.cancel] {
                    if slot.allowed {
                        *slot = refuse("notice_too_short");
                    }
                }
            }
        }
    }
    if closed {
        out.reschedule = refuse("booking_closed");
        out.cancel = refuse("booking_closed");
    }
    let may_edit = match party {
        Party::Manager => true,
        Party::Employee { can_edit, .. } => can_edit,
        Party::Client { .. } => false,
    };
    if may_edit {
        out.statuses = [
            Status::Pending,
            Status::Confirmed,
            Status::Completed,
            Status::NoShow,
        ]
        .into_iter()
        .filter(|s| b.status.may_become(*s))
        .collect();
    }
    Ok(out)
}

pub async fn list(
    db: &Db,
    party: Party,
    mut filter: repo::ListFilter,
) -> ApiResult<(Vec<Booking>, Option<String>)> {
    match party {
        Party::Manager => {}
        Party::Employee { staff_id, .. } => {
            if filter.staff_id.is_some_and(|s| s != staff_id) {
                return Err(ApiError::NotFound);
            }
            filter.staff_id = Some(staff_id);
        }
        Party::Client { client_id } => {
            if filter.client_id.is_some_and(|c| c != client_id) {
                return Err(ApiError::NotFound);
            }
            filter.client_id = Some(client_id);
        }
    }
    let mut conn = db.pool.get_conn().await?;
    let limit = filter.limit;
    filter.limit += 1;
    let mut rows = repo::list(&mut conn, db, &filter).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = more
        .then(|| rows.last().map(|b| Cursor::of(b).encode()))
        .flatten();
    Ok((rows.iter().map(Booking::from).collect(), next))
}

// ---------------------------------------------------------------- change

pub async fn reschedule(
    db: &Db,
    actor: Actor,
    id: u64,
    r: &http::RescheduleRequest,
) -> ApiResult<Booking> {
    let party = party(db, actor).await?;
    let current = load_visible(db, party, id).await?;
    let settings = settings::load(db).await?;
    let staff_id = r.staff_id.unwrap_or(current.staff_id);
    let mut conn = db.pool.get_conn().await?;
    match party {
        Party::Manager => {}
        Party::Employee {
            can_edit,
            staff_id: own,
            ..
        } => {
            if !can_edit || staff_id != own {
                return Err(BookingError::Forbidden.into());
            }
        }
        Party::Client { client_id } => {
            clients::ensure_may(&mut conn, db, client_id, PortalAction::Reschedule).await?;
        }
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
        )
        .into());
    }
    let addon_pairs: Vec<(u64, u32)> = repo::lines(&mut conn, db, id)
        .await?
        .iter()
        .filter(|l| l.kind == LineKind::Addon)
        .map(|l| (l.item_id, l.quantity))
        .collect();
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
            return Err(BookingError::NoticeTooShort { minutes: notice }.into());
        }
        availability::slot_offered(db, actor, &candidate, addon_pairs).await?
    } else {
        true
    };
    let mut attempt = 0;
    loop {
        match move_booking(
            db,
            actor,
            party,
            &candidate,
            offering.capacity,
            offered,
            notice,
        )
        .await
        {
            Err(e) if attempt < DEADLOCK_RETRIES && is_deadlock(&e) => attempt += 1,
            Err(e) => return Err(e),
            Ok(()) => break,
        }
    }
    Ok(Booking::from(&load_visible(db, Party::Manager, id).await?))
}

async fn move_booking(
    db: &Db,
    actor: Actor,
    party: Party,
    candidate: &BusyInterval,
    capacity: u32,
    offered: bool,
    notice: u32,
) -> ApiResult<()> {
    let id = candidate.booking_id.unwrap_or_default();
    let mut tx = db.begin().await?;
    let locked = repo::find_for_update(&mut tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if !locked.status.holds_slot() {
        return Err(BookingError::NotChangeable(locked.status.as_str()).into());
    }
    // A concurrent reschedule may have moved it closer meanwhile.
    if party.bound_by_rules() && !domain::outside_change_notice(locked.start, notice, Utc::now()) {
        return Err(BookingError::NoticeTooShort { minutes: notice }.into());
    }
    claim_slot(&mut tx, db, candidate, capacity, offered).await?;
    repo::move_to(
        &mut tx,
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
    repo::insert_history(&mut tx, db, id, &actor.to_string(), "rescheduled", &changes).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn cancel(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    id: u64,
    r: &http::CancelRequest,
) -> ApiResult<Response> {
    let party = party(db, actor).await?;
    let current = load_visible(db, party, id).await?;
    let settings = settings::load(db).await?;
    let mut notice = settings.min_change_notice_minutes;
    match party {
        Party::Manager => {}
        Party::Employee { can_cancel, .. } => {
            if !can_cancel {
                return Err(BookingError::Forbidden.into());
            }
        }
        Party::Client { client_id } => {
            let mut conn = db.pool.get_conn().await?;
            clients::ensure_may(&mut conn, db, client_id, PortalAction::Cancel).await?;
            if let Some(o) = repo::offering(
                &mut conn,
                db,
                current.service_id,
                current.location_id,
                current.staff_id,
                current.client_id,
            )
            .await?
            {
                notice = change_notice(&settings, &o);
            }
            if !domain::outside_change_notice(current.start, notice, Utc::now()) {
                return Err(BookingError::NoticeTooShort { minutes: notice }.into());
            }
        }
    }
    let reason = r.reason.as_deref().unwrap_or_default().trim().to_owned();
    if reason.chars().count() > 500 {
        return Err(BookingError::field("reason", "at most 500 characters").into());
    }
    let fingerprint = idempotency::fingerprint(
        "POST",
        &format!("/v1/bookings/{id}/cancel"),
        &serde_json::to_vec(r).map_err(anyhow::Error::from)?,
    );
    let mut tx = match idempotency::begin(db, actor, key, &fingerprint).await? {
        Start::Fresh(tx) => tx,
        Start::Replay(response) => return Ok(response),
    };
    let locked = repo::find_for_update(&mut tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if !locked.status.may_become(Status::Cancelled) {
        return Err(BookingError::BadTransition {
            from: locked.status.as_str(),
            to: Status::Cancelled.as_str(),
        }
        .into());
    }
    if party.bound_by_rules() && !domain::outside_change_notice(locked.start, notice, Utc::now()) {
        return Err(BookingError::NoticeTooShort { minutes: notice }.into());
    }
    let actor_name = actor.to_string();
    repo::set_status(&mut tx, db, id, Status::Cancelled).await?;
    repo::cancel_pending_payments(&mut tx, db, id).await?;
    let paid = domain::amount_paid(&facts_of(&mut tx, db, id).await?);
    let mut refunded = Money::ZERO;
    if settings.cancel_refund_to_wallet && paid.amount() > Decimal::ZERO {
        let row = wallet::post(
            &mut tx,
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
        repo::insert_payment(&mut tx, db, id, &refund).await?;
        refunded = paid;
    }
    refresh_payment_summary(&mut tx, db, id, locked.total, None).await?;
    let mut changes = serde_json::json!({
        "status": {"before": locked.status, "after": Status::Cancelled},
    });
    if !refunded.is_zero() {
        changes["refunded_to_wallet"] = serde_json::json!({"before": null, "after": refunded});
    }
    if !reason.is_empty() {
        changes["reason"] = serde_json::json!({"before": null, "after": reason});
    }
    repo::insert_history(&mut tx, db, id, &actor_name, "cancelled", &changes).await?;
    let row = repo::find(&mut tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    idempotency::finish(tx, db, actor, key, StatusCode::OK, &Booking::from(&row)).await
}

async fn facts_of(tx: &mut Tx, db: &Db, id: u64) -> ApiResult<Vec<PaymentFact>> {
    Ok(repo::payments(tx, db, id)
        .await?
        .iter()
        .map(Payment::fact)
        .collect())
}

/// Recomputes amount paid and payment status from the payment rows (under the booking's lock).
async fn refresh_payment_summary(
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

/// Confirm, complete, mark as no-show, or put back to pending. Cancelling has its own endpoint
/// because it refunds.
pub async fn set_status(db: &Db, actor: Actor, id: u64, next: Status) -> ApiResult<Booking> {
    let party = party(db, actor).await?;
    load_visible(db, party, id).await?;
    match party {
        Party::Manager => {}
        Party::Employee { can_edit, .. } if can_edit => {}
        _ => return Err(BookingError::Forbidden.into()),
    }
    if next == Status::Cancelled {
        return Err(BookingError::field("status", "cancel through /cancel").into());
    }
    let mut tx = db.begin().await?;
    let locked = repo::find_for_update(&mut tx, db, id)
        .await?
        .ok_or(BookingError::NotFound)?;
    if locked.status != next {
        if !locked.status.may_become(next) {
            return Err(BookingError::BadTransition {
                from: locked.status.as_str(),
                to: next.as_str(),
            }
            .into());
        }
        repo::set_status(&mut tx, db, id, next).await?;
        let changes = serde_json::json!({"status": {"before": locked.status, "after": next}});
        repo::insert_history(
            &mut tx,
            db,
            id,
            &actor.to_string(),
            "status_changed",
            &changes,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Booking::from(&load_visible(db, Party::Manager, id).await?))
}

/// A payment recorded after booking (cash at the desk, a bank transfer, credits).
pub async fn record_payment(
    db: &Db,
    actor: Actor,
    key: Option<&IdempotencyKey>,
    id: u64,
    r: &http::PaymentInput,
) -> ApiResult<Response> {
    if !matches!(actor.role, Role::Admin | Role::Manager | Role::Employee) {
        return Err(ApiError::Forbidden);
    }
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

// ---------------------------------------------------------------- settings of other entities

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

pub async fn staff_permissions(db: &Db, staff_id: u64) -> ApiResult<StaffPermissions> {
    let mut conn = db.pool.get_conn().await?;
    let rights = repo::staff_permissions(&mut conn, db, staff_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(StaffPermissions {
        can_edit_bookings: rights.can_edit,
        can_cancel_bookings: rights.can_cancel,
        can_take_payments: rights.can_take_payments,
    })
}

pub async fn set_staff_permissions(
    db: &Db,
    staff_id: u64,
    p: &StaffPermissions,
) -> ApiResult<StaffPermissions> {
    let mut tx = db.begin().await?;
    let rights = repo::StaffRights {
        can_edit: p.can_edit_bookings,
        can_cancel: p.can_cancel_bookings,
        can_take_payments: p.can_take_payments,
    };
    if !repo::set_staff_permissions(&mut tx, db, staff_id, rights).await? {
        return Err(ApiError::NotFound);
    }
    tx.commit().await?;
    Ok(p.clone())
}
