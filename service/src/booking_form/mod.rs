//! The public booking form of `[volixta_booking_form]`: a visitor books in the steps of the
//! manager's New booking flow (service type → service → people → location → staff, add-ons,
//! day and time, payment), whose state, narrowing and slot picker it shares
//! (`admin::new_booking`, `admin::picker`), then gives their details and books.
//!
//! Who books:
//! - a client (`client:N`) books for itself, through `bookings::prepare` like the portal;
//! - a visitor (`guest:0`) books as a first-time client: the plugin makes (or reuses) their
//!   WordPress account first and names it here; in one transaction the e-mail's row is locked,
//!   the e-mail is checked unused by any client, the client profile is created linked to that
//!   account, and the booking is placed. Any refusal rolls all of it back and the plugin
//!   removes the account it made, so nothing is left behind. An e-mail already in use, by a
//!   client or a WordPress account, gets one answer: log in.
//!
//! Visitors are throttled per address and per e-mail by the rows of this domain's table
//! (`repo::count_attempt`), counted in a transaction of their own before the booking's, so a
//! refused booking still counts. A filled honeypot is refused before anything is read.
mod domain;
mod error;
pub mod http;
mod repo;

pub use domain::{BookForm, MAX_PER_ADDRESS, MAX_PER_EMAIL, Typed, WINDOW_MINUTES};
pub use error::BookingFormError;

use crate::{
    admin::{
        display::Formats,
        new_booking::{
            self, AddonRow, FlowState, Notice, PackageChoice, Picked, Preview, ServiceRow, Step,
            StepLink,
        },
        picker::{self, DateLabel, PickerView, SlotChoice, TimeLabel},
    },
    auth::{Actor, Role},
    availability::{self, AvailabilityError},
    bookings::{self, CreateRequest, PaymentChoice, PaymentMethod, PaymentRequest, PaymentStatus},
    catalog::{self, Category, StaffCard},
    clients::{self, ClientInput},
    db::{Db, Tx},
    error::{ApiError, ApiResult},
    i18n::Locale,
    money::Money,
    settings::{self, Settings},
};
use serde::Serialize;
use std::collections::BTreeMap;

/// Who is looking at the form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visitor {
    /// Not logged in: books as a new client, or is asked to log in.
    Guest,
    Client {
        client_id: u64,
    },
    /// Logged in but not a client of the business (staff, or an account without a client).
    Other,
}

impl Visitor {
    pub async fn of(db: &Db, actor: Actor) -> ApiResult<Self> {
        Ok(match actor.role {
            Role::Guest if actor.wp_user_id == 0 => Self::Guest,
            Role::Client => match clients::live_client_of(db, actor.wp_user_id).await? {
                Some(client_id) => Self::Client { client_id },
                None => Self::Other,
            },
            _ => Self::Other,
        })
    }
}

/// The logged-in client, as the form greets it.
#[derive(Debug, Serialize)]
pub struct Me {
    pub name: String,
    pub balance: String,
    pub has_credits: bool,
}

/// How the rest of what is due now is paid: `online` (WooCommerce checkout, right after the
/// booking is made) or `on_site`; empty when neither is offered.
pub fn pay_method(asked: &str, online: bool, on_site: bool) -> &'static str {
    match asked {
        "online" if online => "online",
        "on_site" if on_site => "on_site",
        // Not asked yet, or asked for what is not offered (WooCommerce was disconnected meanwhile):
        // what is offered, online first.
        _ if online => "online",
        _ if on_site => "on_site",
        _ => "",
    }
}

/// The payment step's choices.
#[derive(Debug, Default, Serialize)]
pub struct PaymentForm {
    /// `full` or `deposit`.
    pub choice: String,
    pub has_deposit: bool,
    pub use_credits: bool,
    pub pay_on_site: bool,
    /// WooCommerce is connected: the rest can be paid online, through its checkout.
    pub pay_online: bool,
    /// `online`, `on_site`, or empty when neither is offered.
    pub method: String,
    /// Something is left to pay once the credits (and a package session) are used.
    pub rest_due: bool,
    /// The chosen client package, and the logged-in client's packages that could pay for
    /// this booking.
    pub package: String,
    pub packages: Vec<PackageChoice>,
}

/// The booking just made.
#[derive(Debug, Serialize)]
pub struct Done {
    pub id: u64,
    pub service: String,
    pub date: DateLabel,
    pub time: TimeLabel,
    pub timezone: String,
    pub total: String,
    pub paid: String,
    pub due: String,
    pub status: String,
    /// The e-mail a new account's welcome went to.
    pub welcome_to: Option<String>,
    /// The site's portal page, where the booking is seen and managed (when the site has one).
    pub portal: Option<String>,
    /// Paid online: the WooCommerce order's payment page the browser is sent to, and what it
    /// asks for.
    pub payment_url: Option<String>,
    pub pay_now: Option<String>,
    /// Paid online, but the order could not be opened (the store was unreachable): the booking
    /// stands, and the client pays from the portal.
    pub payment_failed: bool,
}

/// What the route answering a step passes in besides the state.
#[derive(Debug, Default)]
pub struct Outcome {
    pub notice: Option<Notice>,
    pub errors: BTreeMap<String, String>,
    pub step: Option<Step>,
    pub typed: Typed,
}

/// The template context of `booking_form.html`.
#[derive(Debug, Serialize)]
pub struct Form {
    pub step: Step,
    pub steps: Vec<StepLink>,
    /// `guest`, `client` or `other`.
    pub visitor: &'static str,
    /// An `other` visitor who is staff (books for clients in wp-admin); any other `other` is an
    /// account without a client profile, which is told so in a client's words.
    pub is_staff: bool,
    pub me: Option<Me>,
    pub categories: Vec<Category>,
    pub services: Vec<ServiceRow>,
    pub people: Option<(u32, u32)>,
    pub locations: Vec<availability::LocationCard>,
    pub staff: Vec<StaffCard>,
    pub addons: Vec<AddonRow>,
    pub picked: Picked,
    /// The service is chosen with everything it needs (people, location, staff).
    pub service_done: bool,
    pub picker: Option<PickerView>,
    pub payment: PaymentForm,
    pub preview: Option<Preview>,
    /// The chosen time, in the zone it was chosen in.
    pub when: Option<(DateLabel, TimeLabel, String)>,
    pub notice: Option<Notice>,
    pub errors: BTreeMap<String, String>,
    pub typed: Typed,
    pub hidden: Vec<(&'static str, String)>,
    pub back: Option<String>,
    pub book_query: String,
    pub idempotency_key: String,
    pub done: Option<Done>,
}

/// Reads the form's query: the New booking flow's state, without the wp-admin page.
pub fn state(raw: Option<&str>) -> FlowState {
    let mut s = FlowState::parse(raw);
    s.page = String::new();
    s.client = None;
    s
}

/// The form at the step `state` asks for, unless an earlier one is still open.
pub async fn form(
    db: &Db,
    actor: Actor,
    locale: &Locale,
    mut state: FlowState,
    outcome: Outcome,
    online: bool,
) -> ApiResult<Form> {
    let settings = settings::load(db).await?;
    state.method = pay_method(&state.method, online, settings.pay_on_site).to_owned();
    let fmt = Formats::of(&settings, locale);
    let visitor = Visitor::of(db, actor).await?;
    let me = match visitor {
        Visitor::Client { client_id } => {
            let c = clients::get(db, client_id).await?;
            Some(Me {
                name: c.full_name(),
                balance: fmt.money(c.wallet_balance),
                has_credits: c.wallet_balance > Money::ZERO,
            })
        }
        _ => None,
    };
    new_booking::narrowed(db, &mut state).await?;
    let mut flow = availability::booking_flow(db, &state.choices()).await?;
    if state.location_id.is_none()
        && state.service_id.is_some()
        && let [only] = flow.locations.as_slice()
    {
        state.location_id = Some(only.id);
        flow = availability::booking_flow(db, &state.choices()).await?;
    }
    let needs_people = flow.people.is_some();
    let has_addons = !flow.addons.is_empty();
    let service_done = state.service_id.is_some()
        && state.location_id.is_some()
        && state.staff.is_some()
        && (!needs_people || state.people.is_some());
    let open = if !service_done {
        Step::Service
    } else if has_addons && state.addons.is_none() {
        Step::Addons
    } else if state.slot.is_none() {
        Step::When
    } else {
        Step::Review
    };
    let asked = match state.step {
        Step::Client => Step::Service,
        s => s,
    };
    let mut step = outcome.step.unwrap_or(asked).min(open);
    if step == Step::Addons && !has_addons {
        step = Step::When;
    }
    let mut errors = outcome.errors;
    let mut notice = outcome.notice;
    if notice.is_none() && asked > step && step == Step::When {
        notice = Some(Notice {
            kind: "warning",
            what: "pick_slot",
            detail: String::new(),
        });
    }
    let mut packages = Vec::new();
    if step >= Step::Payment
        && let Visitor::Client { client_id } = visitor
    {
        packages = new_booking::package_choices(db, client_id, &state).await?;
        // A package named in the address that cannot pay here is said at its step, and not
        // priced in.
        if let Some(id) = state.package
            && !packages.iter().any(|p| p.id == id)
        {
            errors.insert(
                "package".into(),
                "This package cannot pay for this booking.".into(),
            );
            state.package = None;
            step = Step::Payment;
        }
    }
    let payment = payment_form(&state, &settings, visitor, online);
    let mut preview = None;
    let mut has_deposit = false;
    let mut rest_due = true;
    // An account that may not book is told so above the steps, not by a refusal of its price.
    if step >= Step::Payment
        && visitor != Visitor::Other
        && let Some(slot) = state.slot
    {
        match prepare(db, actor, visitor, &state, slot, "").await {
            Ok(p) => {
                has_deposit = p.price().deposit.is_some() && p.package().is_none();
                rest_due = due_beside_package(&p) > p.wallet();
                let balance = me_balance(db, visitor).await?;
                preview = Some(new_booking::preview(&p, balance, &fmt));
            }
            Err(e) => {
                new_booking::refused_into(e, &mut errors, &mut notice);
                step = Step::Payment;
            }
        }
    }
    let mut picker = None;
    if step == Step::When {
        let mut q = new_booking::picker_query(&state);
        q.near = state.near;
        match picker::view(db, actor, locale, &q).await {
            Ok(mut view) => {
                view.route = http::PICKER_ROUTE;
                view.prefer_browser_zone = state.timezone.is_none();
                picker = Some(view);
            }
            Err(AvailabilityError::Field { field, message }) => {
                errors.insert(field.to_owned(), message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    let when = state.slot.map(|slot| {
        let zone = zone_of(&state, &flow.locations);
        let twelve = fmt.twelve;
        (
            DateLabel::of(slot.start.with_timezone(&zone).date_naive()),
            TimeLabel::of(slot.start, zone, twelve),
            zone.name().to_owned(),
        )
    });
    Ok(Form {
        step,
        steps: new_booking::step_links(&state, step, open, has_addons, true),
        visitor: match visitor {
            Visitor::Guest => "guest",
            Visitor::Client { .. } => "client",
            Visitor::Other => "other",
        },
        is_staff: matches!(actor.role, Role::Admin | Role::Manager | Role::Employee),
        me,
        categories: flow.categories.clone(),
        services: new_booking::service_rows(&flow, &fmt),
        people: flow.people.map(|p| (p.min, p.max)),
        locations: flow.locations.clone(),
        staff: flow.staff.clone(),
        addons: new_booking::addon_rows(&flow.addons, state.addons.as_deref(), &fmt),
        picked: Picked::of(&state),
        service_done,
        picker,
        payment: PaymentForm {
            has_deposit,
            rest_due,
            packages,
            ..payment
        },
        preview,
        when,
        notice,
        errors,
        typed: outcome.typed,
        hidden: state.pairs(new_booking::own_fields(step)),
        back: new_booking::previous(step, has_addons).map(|s| state.query(s)),
        book_query: state.query(Step::Review),
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        done: None,
    })
}

fn zone_of(state: &FlowState, locations: &[availability::LocationCard]) -> chrono_tz::Tz {
    state
        .timezone
        .as_deref()
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
        .or_else(|| {
            locations
                .iter()
                .find(|l| Some(l.id) == state.location_id)
                .and_then(|l| l.timezone.parse().ok())
        })
        .unwrap_or(chrono_tz::UTC)
}

async fn me_balance(db: &Db, visitor: Visitor) -> ApiResult<Money> {
    Ok(match visitor {
        Visitor::Client { client_id } => clients::get(db, client_id).await?.wallet_balance,
        _ => Money::ZERO,
    })
}

fn payment_form(
    state: &FlowState,
    settings: &Settings,
    visitor: Visitor,
    online: bool,
) -> PaymentForm {
    PaymentForm {
        choice: new_booking::pick(&state.choice, &["full", "deposit"], "full"),
        has_deposit: false,
        use_credits: matches!(visitor, Visitor::Client { .. }) && state.use_wallet == "credits",
        pay_on_site: settings.pay_on_site,
        pay_online: online,
        method: state.method.clone(),
        rest_due: true,
        package: match visitor {
            Visitor::Client { .. } => state.package.map(|id| id.to_string()).unwrap_or_default(),
            _ => String::new(),
        },
        packages: Vec::new(),
    }
}

/// What is due now besides what a package session pays.
fn due_beside_package(p: &bookings::Placement) -> Money {
    let due = p.due_now();
    let covered = p.package().unwrap_or(Money::ZERO);
    if due > covered {
        due - covered
    } else {
        Money::ZERO
    }
}

/// The bookings domain's placement for the state: as the client, or as a newcomer. Paid online,
/// what is left to pay now once credits and a package session are used is recorded as a pending
/// WooCommerce payment, the one the checkout then asks for; with nothing left, the booking is
/// not marked as paid through WooCommerce.
async fn prepare(
    db: &Db,
    actor: Actor,
    visitor: Visitor,
    state: &FlowState,
    slot: SlotChoice,
    notes: &str,
) -> Result<bookings::Placement, ApiError> {
    let placement = prepare_paid(db, actor, visitor, state, slot, notes, false).await?;
    if state.method == "online" && due_beside_package(&placement) > placement.wallet() {
        return prepare_paid(db, actor, visitor, state, slot, notes, true).await;
    }
    Ok(placement)
}

async fn prepare_paid(
    db: &Db,
    actor: Actor,
    visitor: Visitor,
    state: &FlowState,
    slot: SlotChoice,
    notes: &str,
    online: bool,
) -> Result<bookings::Placement, ApiError> {
    match visitor {
        Visitor::Client { client_id } => {
            let mut request = create_request(state, slot, notes, None, state.package, online);
            if state.use_wallet == "credits" {
                // Credits cover what is due now beside a package session, as far as they go:
                // priced once without them.
                let priced = bookings::prepare(db, actor, &request).await?;
                let balance = clients::get(db, client_id).await?.wallet_balance;
                let due = due_beside_package(&priced);
                let credits = if balance < due { balance } else { due };
                if credits > Money::ZERO {
                    request =
                        create_request(state, slot, notes, Some(credits), state.package, online);
                }
            }
            Ok(bookings::prepare(db, actor, &request).await?)
        }
        // A newcomer owns no package yet.
        Visitor::Guest => Ok(bookings::prepare_for_newcomer(
            db,
            actor,
            &create_request(state, slot, notes, None, None, online),
        )
        .await?),
        Visitor::Other => Err(ApiError::Forbidden),
    }
}

fn create_request(
    state: &FlowState,
    slot: SlotChoice,
    notes: &str,
    use_wallet: Option<Money>,
    client_package_id: Option<u64>,
    online: bool,
) -> CreateRequest {
    // Online, the rest is a pending WooCommerce payment until the store confirms it.
    let (method, status) = if online {
        (
            Some(PaymentMethod::Woocommerce),
            Some(PaymentStatus::Pending),
        )
    } else {
        (None, Some(PaymentStatus::Unpaid))
    };
    let payment = PaymentRequest {
        use_wallet,
        method,
        status,
        choice: Some(if state.choice == "deposit" {
            PaymentChoice::Deposit
        } else {
            PaymentChoice::Full
        }),
        client_package_id,
    };
    let notes = Some(notes.to_owned()).filter(|n| !n.trim().is_empty());
    new_booking::booking_request(state, None, slot, notes, payment)
}

/// What a booking from the form needs before its transaction: the placement, or the step and
/// fields its refusal concerns.
pub struct Checked {
    pub placement: bookings::Placement,
    pub visitor: Visitor,
    /// Something is to be paid online right after the booking is made.
    pub pays_online: bool,
}

/// Checks the last step's post: everything that needs no write. `Err` carries the form's
/// answer (field errors, a notice); a script's post is an `ApiError` of its own.
pub async fn check(
    db: &Db,
    actor: Actor,
    state: &mut FlowState,
    post: &BookForm,
    online: bool,
) -> Result<Result<Checked, Outcome>, ApiError> {
    if post.is_bot() {
        return Err(BookingFormError::Rejected.into());
    }
    let visitor = Visitor::of(db, actor).await?;
    let mut outcome = Outcome {
        typed: post.typed(),
        ..Outcome::default()
    };
    let Some(slot) = state.slot else {
        outcome.notice = Some(Notice {
            kind: "warning",
            what: "pick_slot",
            detail: String::new(),
        });
        outcome.step = Some(Step::When);
        return Ok(Err(outcome));
    };
    match visitor {
        Visitor::Other => return Err(ApiError::Forbidden),
        Visitor::Guest => {
            outcome.errors = post.newcomer_errors();
            if !outcome.errors.is_empty() {
                outcome.step = Some(Step::Review);
                return Ok(Err(outcome));
            }
        }
        Visitor::Client { .. } => {}
    }
    let settings = settings::load(db).await?;
    state.method = pay_method(&state.method, online, settings.pay_on_site).to_owned();
    match prepare(db, actor, visitor, state, slot, &post.notes).await {
        Ok(placement) => {
            let rest = due_beside_package(&placement) - placement.wallet();
            if state.method.is_empty() && rest > Money::ZERO {
                outcome.notice = Some(Notice {
                    kind: "error",
                    what: "pay_online",
                    detail: String::new(),
                });
                outcome.step = Some(Step::Payment);
                return Ok(Err(outcome));
            }
            let pays_online = placement
                .other()
                .is_some_and(|(method, _, _)| method == PaymentMethod::Woocommerce);
            Ok(Ok(Checked {
                placement,
                visitor,
                pays_online,
            }))
        }
        Err(e) => Ok(Err(refused(e, outcome))),
    }
}

/// The form's answer to a refusal of the booking: the time step with the nearest free times
/// when the slot was taken, the step of the fields otherwise.
pub fn refused(e: ApiError, mut outcome: Outcome) -> Outcome {
    let log_in = matches!(&e, ApiError::Conflict { code: "log_in", .. });
    let code = new_booking::refused_into(e, &mut outcome.errors, &mut outcome.notice);
    if log_in && let Some(n) = &mut outcome.notice {
        n.what = "log_in";
    }
    // The clients domain names its fields as the form does (first_name, email, phone).
    outcome.step = Some(match code {
        Some("slot_taken" | "slot_not_offered") => Step::When,
        Some("package_unusable") => Step::Payment,
        _ if log_in => Step::Review,
        _ if outcome
            .errors
            .keys()
            .any(|k| matches!(k.as_str(), "use_wallet" | "choice" | "method" | "package")) =>
        {
            Step::Payment
        }
        _ if outcome.errors.keys().any(|k| {
            matches!(
                k.as_str(),
                "first_name" | "last_name" | "email" | "phone" | "notes"
            )
        }) =>
        {
            Step::Review
        }
        _ if !outcome.errors.is_empty() => Step::Service,
        _ => Step::Review,
    });
    outcome
}

/// What the booking's transaction answers, stored under the idempotency key: enough for the
/// last page, so a repeated post shows it without reading the booking again.
#[derive(Debug, serde::Deserialize, Serialize)]
pub struct Booked {
    pub booking_id: u64,
    pub client_id: u64,
    pub location_id: u64,
    pub service: String,
    pub start: chrono::DateTime<chrono::Utc>,
    pub status: String,
    pub total: Money,
    pub paid: Money,
    pub due: Money,
}

impl Booked {
    pub fn of(b: &bookings::Booking) -> Self {
        Self {
            booking_id: b.id,
            client_id: b.client_id,
            location_id: b.location_id,
            service: b.service_name.clone().unwrap_or_default(),
            start: b.start,
            status: b.status.as_str().to_owned(),
            total: b.total,
            paid: b.amount_paid,
            due: b.balance_due,
        }
    }
}

/// Counts a visitor's attempt in its buckets, in a transaction of its own that commits
/// whatever the booking then does.
pub async fn throttle(db: &Db, email: &str, address: Option<&str>) -> ApiResult<()> {
    let buckets = domain::buckets(email, address);
    let buckets = &buckets;
    db.transaction(|mut tx| async move {
        let mut open = true;
        for bucket in buckets {
            match repo::count_attempt(&mut tx, db, bucket, WINDOW_MINUTES).await {
                Ok(counted) => open &= counted,
                Err(e) => return (tx, Err(BookingFormError::from(e))),
            }
        }
        (
            tx,
            if open {
                Ok(())
            } else {
                Err(BookingFormError::Throttled)
            },
        )
    })
    .await
    .map_err(ApiError::from)
}

/// A first-time visitor's booking, in the caller's transaction: the e-mail's row locked, the
/// e-mail unused, the client created and linked to the account the plugin made, the booking
/// placed for it.
pub async fn book_newcomer(
    tx: &mut Tx,
    db: &Db,
    actor: Actor,
    post: &BookForm,
    placement: &bookings::Placement,
) -> Result<Booked, BookingFormError> {
    let typed = post.typed();
    // The staff member's time first, as every booking does; then the e-mail's row.
    bookings::lock_time(tx, db, placement).await?;
    repo::lock_email(tx, db, &domain::email_bucket(&typed.email)).await?;
    let Some(wp_user_id) = post
        .wp_user_id
        .filter(|_| post.existing_account != Some(true))
    else {
        return Err(BookingFormError::LogIn);
    };
    if clients::email_taken(tx, db, &typed.email).await? {
        return Err(BookingFormError::LogIn);
    }
    let input = ClientInput {
        first_name: Some(typed.first_name),
        last_name: Some(typed.last_name),
        email: Some(Some(typed.email)),
        phone: Some(Some(typed.phone).filter(|p| !p.is_empty())),
        wp_user_id: Some(Some(wp_user_id)),
        ..ClientInput::default()
    };
    let client = match clients::create_in(tx, db, actor, input).await {
        // The account is another client's already: the same answer as a known e-mail.
        Err(clients::ClientError::WpUserTaken) => return Err(BookingFormError::LogIn),
        other => other?,
    };
    let booking = bookings::place_for(tx, db, actor, placement, client.id).await?;
    Ok(Booked::of(&booking))
}

/// The form's last page, for the booking made (or made by the first of repeated posts).
pub async fn done(
    db: &Db,
    actor: Actor,
    locale: &Locale,
    state: FlowState,
    booked: &Booked,
    welcome_to: Option<String>,
) -> ApiResult<Form> {
    let settings = settings::load(db).await?;
    let location_zone = catalog::location(db, booked.location_id).await?.timezone;
    let zone = state
        .timezone
        .as_deref()
        .or(Some(location_zone.as_str()))
        .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
        .unwrap_or(chrono_tz::UTC);
    let fmt = Formats::of(&settings, locale);
    let twelve = fmt.twelve;
    let mut form = form(
        db,
        actor,
        locale,
        FlowState::default(),
        Outcome::default(),
        false,
    )
    .await?;
    let money = |m: Money| fmt.money(m);
    form.done = Some(Done {
        id: booked.booking_id,
        service: booked.service.clone(),
        date: DateLabel::of(booked.start.with_timezone(&zone).date_naive()),
        time: TimeLabel::of(booked.start, zone, twelve),
        timezone: zone.name().to_owned(),
        total: money(booked.total),
        paid: money(booked.paid),
        due: money(booked.due),
        status: booked.status.clone(),
        welcome_to,
        portal: None,
        payment_url: None,
        pay_now: None,
        payment_failed: false,
    });
    Ok(form)
}

/// Forgets buckets long out of every window.
pub async fn purge_stale_attempts(db: &Db) -> Result<(), crate::db::DbError> {
    repo::purge_stale(db).await
}
