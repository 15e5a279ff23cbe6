//! wp-admin → Volixta → New booking: a manager books for a client in five steps — the service
//! and its details (type → service → people → location → staff, each narrowing the next, by the
//! availability domain's booking flow), the add-ons (skipped when the service has none), the date
//! and time (the shared slot picker), the payment, and a review whose figures come from the
//! bookings domain's own pricing (`bookings::prepare`). Confirming places the booking through the
//! bookings domain, once per idempotency key. Opened without a client, it first asks for one.
mod domain;
pub mod http;

pub use domain::{FlowState, Step};

use super::{
    display::Formats,
    picker::{self, DateLabel, PickerQuery, PickerView, TimeLabel},
    profile::typed_amount,
};
use crate::{
    auth::Actor,
    availability::{self, AvailabilityError, BookingFlow},
    bookings::{
        self, AddonChoice, CreateRequest, PaymentChoice, PaymentMethod, PaymentRequest,
        PaymentRowStatus, PaymentStatus, Placement,
    },
    catalog::{Addon, Category, StaffCard},
    clients::{self, Client, ListQuery},
    db::Db,
    error::{ApiError, ApiResult},
    i18n::Locale,
    money::Money,
    packages,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// The methods a manager records the rest with (wallet credits have their own field).
pub const METHODS: &[&str] = &["cash", "bank_transfer", "card"];
pub const PAY_STATUSES: &[&str] = &["unpaid", "paid", "pending"];

#[derive(Debug, Serialize)]
pub struct ClientCard {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub balance: String,
    pub live: bool,
    pub blocked: bool,
}

impl ClientCard {
    fn new(c: &Client, fmt: &Formats) -> Self {
        Self {
            id: c.id,
            name: c.full_name(),
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            balance: fmt.money(c.wallet_balance),
            live: c.is_live(),
            blocked: c.blocked,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct Found {
    #[serde(flatten)]
    pub client: ClientCard,
    pub href: String,
}

#[derive(Debug, Serialize)]
pub struct ServiceRow {
    pub id: u64,
    pub name: String,
    pub duration_minutes: u16,
    pub price: String,
    pub capacity: u16,
}

#[derive(Debug, Serialize)]
pub struct AddonRow {
    pub id: u64,
    pub name: String,
    pub price: String,
    pub duration_minutes: u16,
    pub min_quantity: u16,
    pub max_quantity: u16,
    pub quantity: u32,
}

#[derive(Debug, Serialize)]
pub struct StepLink {
    pub key: Step,
    pub number: usize,
    /// `done`, `current` or `todo`.
    pub state: &'static str,
    /// Set for the steps that may be gone back to.
    pub href: Option<String>,
}

/// One line of the assistant panel: what was chosen.
#[derive(Debug, Serialize)]
pub struct Chosen {
    /// `client`, `category`, `service`, `people`, `location`, `staff`, `addons`, `when`, `total`.
    pub what: &'static str,
    pub value: String,
    /// For `when`: the day and time in the zone the times are shown in.
    pub when: Option<(DateLabel, TimeLabel)>,
}

#[derive(Debug, Serialize)]
pub struct PreviewLine {
    pub name: String,
    pub quantity: u32,
    pub amount: String,
    pub discount: String,
    pub tax: String,
    pub total: String,
}

/// What the booking costs and how it is paid now, as the bookings domain computed it.
#[derive(Debug, Serialize)]
pub struct Preview {
    pub lines: Vec<PreviewLine>,
    pub subtotal: String,
    pub discount: String,
    pub has_discount: bool,
    pub tax: String,
    pub total: String,
    pub deposit: Option<String>,
    pub due_now: String,
    pub wallet: String,
    pub uses_wallet: bool,
    /// What a package session pays (the service line).
    pub package: Option<String>,
    /// The rest recorded now: method and amount and `paid` or `pending`.
    pub other: Option<(String, String, String)>,
    pub balance_due: String,
    pub balance_after: String,
}

#[derive(Debug, Default, Serialize)]
pub struct PaymentForm {
    pub method: String,
    pub pay_status: String,
    pub choice: String,
    pub use_wallet: String,
    pub has_deposit: bool,
    /// The chosen client package, and the client's packages that could pay for this booking.
    pub package: String,
    pub packages: Vec<PackageChoice>,
}

/// A client package the payment step offers.
#[derive(Debug, Serialize)]
pub struct PackageChoice {
    pub id: u64,
    pub name: String,
    pub sessions_remaining: u32,
    pub sessions_total: u32,
    pub expires_on: String,
    /// The last day it may be used, for the label; `None`: no expiry.
    pub expires: Option<DateLabel>,
    /// Another choice has the same name: the label adds the package's number so that two
    /// packages of one kind are told apart.
    pub same_name: bool,
}

/// The client's packages that could pay for the service of `state` at its location and
/// time, for a payment step to offer (the booking's own transaction decides).
pub(crate) async fn package_choices(
    db: &Db,
    client_id: u64,
    state: &FlowState,
) -> ApiResult<Vec<PackageChoice>> {
    let (Some(slot), Some(service_id), Some(location_id)) =
        (state.slot, state.service_id, state.location_id)
    else {
        return Ok(Vec::new());
    };
    let usable = packages::usable(db, client_id, service_id, location_id, slot.start).await?;
    Ok(usable
        .iter()
        .map(|p| PackageChoice {
            id: p.id,
            name: p.name.clone(),
            sessions_remaining: p.sessions_remaining,
            sessions_total: p.sessions_total,
            expires_on: p.expires_on.map(|d| d.to_string()).unwrap_or_default(),
            expires: p.expires_on.map(DateLabel::of),
            same_name: usable.iter().any(|o| o.id != p.id && o.name == p.name),
        })
        .collect())
}

/// A notice above the step: `kind` is its class, `what` names it for the template.
#[derive(Debug, Serialize)]
pub struct Notice {
    pub kind: &'static str,
    /// `slot_taken`, `refused`, `pick_slot`, `pick_client`.
    pub what: &'static str,
    pub detail: String,
}

#[derive(Debug, Serialize)]
pub struct Done {
    pub id: u64,
    pub details_href: String,
    pub client_href: String,
    pub again_href: String,
    pub service: String,
    pub date: DateLabel,
    pub time: TimeLabel,
    pub timezone: String,
    pub total: String,
    pub paid: String,
    pub due: String,
    pub payment_status: String,
    pub status: String,
}

/// The template context of the flow.
#[derive(Debug, Serialize)]
pub struct Screen {
    pub page: String,
    pub step: Step,
    pub steps: Vec<StepLink>,
    /// What the assistant says is being chosen now.
    pub asking: &'static str,
    pub chosen: Vec<Chosen>,
    pub client: Option<ClientCard>,
    pub search: String,
    pub found: Vec<Found>,
    pub categories: Vec<Category>,
    pub services: Vec<ServiceRow>,
    pub people: Option<(u32, u32)>,
    pub locations: Vec<availability::LocationCard>,
    pub staff: Vec<StaffCard>,
    pub addons: Vec<AddonRow>,
    pub picked: Picked,
    pub picker: Option<PickerView>,
    pub payment: PaymentForm,
    pub preview: Option<Preview>,
    pub notice: Option<Notice>,
    pub errors: BTreeMap<String, String>,
    /// Hidden fields of the current step's form: the choices it does not ask.
    pub hidden: Vec<(&'static str, String)>,
    /// This state's query at each step, for links.
    pub back: Option<String>,
    pub confirm_query: String,
    pub idempotency_key: String,
    pub done: Option<Done>,
}

/// The ids chosen, for `selected` in the template.
#[derive(Debug, Default, Serialize)]
pub struct Picked {
    pub category_id: Option<u64>,
    pub service_id: Option<u64>,
    pub people: Option<u32>,
    pub location_id: Option<u64>,
    /// An id, `any`, or empty.
    pub staff: String,
}

impl Picked {
    pub fn of(state: &FlowState) -> Self {
        Self {
            category_id: state.category_id,
            service_id: state.service_id,
            people: state.people,
            location_id: state.location_id,
            staff: match state.staff {
                Some(Some(id)) => id.to_string(),
                Some(None) => "any".into(),
                None => String::new(),
            },
        }
    }
}

/// What came out of a confirm that did not book: shown on the step it concerns.
#[derive(Debug, Default)]
pub struct Refusal {
    pub notice: Option<Notice>,
    pub errors: BTreeMap<String, String>,
    pub step: Option<Step>,
}

/// The flow's step for `state`: the one asked for, unless an earlier one is still open.
pub async fn screen(
    db: &Db,
    actor: Actor,
    locale: &Locale,
    mut state: FlowState,
    refusal: Refusal,
) -> ApiResult<Screen> {
    let fmt = Formats::load(db, locale).await?;
    let client = match state.client {
        Some(id) => match clients::get(db, id).await {
            Ok(c) => Some(c),
            Err(clients::ClientError::NotFound) => return Err(ApiError::NotFound),
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    let flow = narrowed(db, &mut state).await?;
    if state.location_id.is_none()
        && state.service_id.is_some()
        && let [only] = flow.locations.as_slice()
    {
        state.location_id = Some(only.id);
    }
    let flow = availability::booking_flow(db, &state.choices()).await?;
    let needs_people = flow.people.is_some();
    let has_addons = !flow.addons.is_empty();
    let open = if client.is_none() {
        Step::Client
    } else if state.service_id.is_none()
        || state.location_id.is_none()
        || state.staff.is_none()
        || (needs_people && state.people.is_none())
    {
        Step::Service
    } else if has_addons && state.addons.is_none() {
        Step::Addons
    } else if state.slot.is_none() {
        Step::When
    } else {
        Step::Review
    };
    let mut step = refusal.step.unwrap_or(state.step).min(open);
    if step == Step::Addons && !has_addons {
        step = Step::When;
    }
    let mut notice = refusal.notice;
    if notice.is_none() && state.step > step && step == Step::When {
        notice = Some(Notice {
            kind: "warning",
            what: "pick_slot",
            detail: String::new(),
        });
    }
    let mut errors = refusal.errors;
    let payment = PaymentForm {
        method: pick(&state.method, METHODS, "cash"),
        pay_status: pick(&state.pay_status, PAY_STATUSES, "unpaid"),
        choice: pick(&state.choice, &["full", "deposit"], "full"),
        use_wallet: state.use_wallet.clone(),
        has_deposit: false,
        package: state.package.map(|id| id.to_string()).unwrap_or_default(),
        packages: Vec::new(),
    };
    let mut screen = Screen {
        page: state.page.clone(),
        step,
        steps: Vec::new(),
        asking: "",
        chosen: Vec::new(),
        client: client.as_ref().map(|c| ClientCard::new(c, &fmt)),
        search: state.search.clone(),
        found: Vec::new(),
        categories: flow.categories.clone(),
        services: service_rows(&flow, &fmt),
        people: flow.people.map(|p| (p.min, p.max)),
        locations: flow.locations.clone(),
        staff: flow.staff.clone(),
        addons: addon_rows(&flow.addons, state.addons.as_deref(), &fmt),
        picked: Picked::of(&state),
        picker: None,
        payment,
        preview: None,
        notice,
        errors: BTreeMap::new(),
        hidden: Vec::new(),
        back: None,
        confirm_query: state.query(Step::Review),
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        done: None,
    };
    screen.asking = asking(step, &state, needs_people);
    if step == Step::Client {
        screen.found = search(db, &state, &fmt).await?;
    }
    let mut placement = None;
    if step >= Step::Payment
        && let (Some(c), Some(slot)) = (&client, state.slot)
    {
        match bookings::prepare(db, actor, &request(&state, c.id, slot, &mut errors)).await {
            Ok(p) => placement = Some(p),
            Err(e) => {
                refused_into(e.into(), &mut errors, &mut screen.notice);
            }
        }
        if step == Step::Review && placement.is_none() {
            step = Step::Payment;
            screen.step = step;
        }
    }
    if step >= Step::Payment
        && let Some(c) = &client
    {
        screen.payment.packages = package_choices(db, c.id, &state).await?;
    }
    if let Some(p) = &placement {
        screen.payment.has_deposit = p.price().deposit.is_some() && p.package().is_none();
        if let Some(c) = &client {
            screen.preview = Some(preview(p, c.wallet_balance, &fmt));
        }
    } else if step == Step::Payment && state.service_id.is_some() {
        screen.payment.has_deposit = bookings::pricing(db, state.service_id.unwrap_or(0))
            .await
            .is_ok_and(|p| !matches!(p.deposit, bookings::Deposit::None));
    }
    if step == Step::When {
        let mut q = picker_query(&state);
        q.near = state.near;
        match picker::view(db, actor, locale, &q).await {
            Ok(view) => screen.picker = Some(view),
            Err(AvailabilityError::Field { field, message }) => {
                errors.insert(field.to_owned(), message);
            }
            Err(e) => return Err(e.into()),
        }
    }
    screen.errors = errors;
    screen.chosen = chosen(&screen, &state, &fmt, placement.as_ref());
    screen.steps = step_links(&state, step, open, has_addons, state.client.is_some());
    screen.back = previous(step, has_addons).map(|s| state.query(s));
    screen.hidden = state.pairs(own_fields(step));
    Ok(screen)
}

/// The booking flow for the choices, forgetting any choice that is no longer offered (a
/// changed service type takes the service with it, and so on) instead of refusing the page.
pub(crate) async fn narrowed(db: &Db, state: &mut FlowState) -> ApiResult<BookingFlow> {
    for _ in 0..7 {
        match availability::booking_flow(db, &state.choices()).await {
            Ok(flow) => return Ok(flow),
            Err(AvailabilityError::Field { field, .. }) => {
                let field = if field == "addons" { "addons" } else { field };
                state.forget_from(field);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(availability::booking_flow(db, &FlowState::default().choices()).await?)
}

pub(crate) fn service_rows(flow: &BookingFlow, fmt: &Formats) -> Vec<ServiceRow> {
    flow.services
        .iter()
        .map(|s| ServiceRow {
            id: s.id,
            name: s.name.clone(),
            duration_minutes: s.duration_minutes,
            price: fmt.money(s.price),
            capacity: s.capacity,
        })
        .collect()
}

pub(crate) fn pick(value: &str, allowed: &[&str], default: &str) -> String {
    if allowed.contains(&value) {
        value.to_owned()
    } else {
        default.to_owned()
    }
}

/// The fields a step's own form sends; the rest of the state rides along hidden.
pub(crate) fn own_fields(step: Step) -> &'static [&'static str] {
    match step {
        Step::Client => &["client"],
        Step::Service => &[
            "category_id",
            "service_id",
            "people",
            "location_id",
            "staff_id",
            "slot",
            "date",
            "month",
        ],
        Step::Addons => &["addons", "slot", "date", "month"],
        Step::When => &["slot", "date", "month", "timezone"],
        Step::Payment => &["method", "pay_status", "choice", "use_wallet", "package"],
        Step::Review => &[],
    }
}

fn asking(step: Step, state: &FlowState, needs_people: bool) -> &'static str {
    match step {
        Step::Client => "client",
        Step::Service if state.category_id.is_none() && state.service_id.is_none() => "category",
        Step::Service if state.service_id.is_none() => "service",
        Step::Service if needs_people && state.people.is_none() => "people",
        Step::Service if state.location_id.is_none() => "location",
        Step::Service if state.staff.is_none() => "staff",
        Step::Service => "service_done",
        Step::Addons => "addons",
        Step::When => "when",
        Step::Payment => "payment",
        Step::Review => "review",
    }
}

pub(crate) fn previous(step: Step, has_addons: bool) -> Option<Step> {
    match step {
        Step::Client | Step::Service => None,
        Step::Addons => Some(Step::Service),
        Step::When if has_addons => Some(Step::Addons),
        Step::When => Some(Step::Service),
        Step::Payment => Some(Step::When),
        Step::Review => Some(Step::Payment),
    }
}

/// The steps after the client's, each linked once it may be gone back to (and `linkable`).
pub(crate) fn step_links(
    state: &FlowState,
    current: Step,
    open: Step,
    has_addons: bool,
    linkable: bool,
) -> Vec<StepLink> {
    [
        Step::Service,
        Step::Addons,
        Step::When,
        Step::Payment,
        Step::Review,
    ]
    .into_iter()
    .filter(|s| *s != Step::Addons || has_addons)
    .enumerate()
    .map(|(i, s)| StepLink {
        key: s,
        number: i + 1,
        state: if s == current {
            "current"
        } else if s < current {
            "done"
        } else {
            "todo"
        },
        href: (s != current && s <= open && linkable).then(|| state.query(s)),
    })
    .collect()
}

pub(crate) fn addon_rows(
    addons: &[Addon],
    chosen: Option<&[(u64, u32)]>,
    fmt: &Formats,
) -> Vec<AddonRow> {
    addons
        .iter()
        .map(|a| AddonRow {
            id: a.id,
            name: a.name.clone(),
            price: fmt.money(a.price),
            duration_minutes: a.duration_minutes,
            min_quantity: a.min_quantity,
            max_quantity: a.max_quantity,
            quantity: chosen
                .and_then(|c| c.iter().find(|(id, _)| *id == a.id))
                .map_or(0, |(_, q)| *q),
        })
        .collect()
}

async fn search(db: &Db, state: &FlowState, fmt: &Formats) -> ApiResult<Vec<Found>> {
    let query = ListQuery {
        search: Some(state.search.clone()).filter(|s| !s.is_empty()),
        limit: Some(20),
        ..ListQuery::default()
    };
    let page = clients::list(db, &query).await?;
    Ok(page
        .items
        .iter()
        .map(|c| {
            let mut with = state.clone();
            with.client = Some(c.id);
            Found {
                client: ClientCard::new(c, fmt),
                href: with.query(Step::Service),
            }
        })
        .collect())
}

pub fn picker_query(state: &FlowState) -> PickerQuery {
    PickerQuery {
        service_id: state.service_id.unwrap_or(0),
        location_id: state.location_id.unwrap_or(0),
        staff_id: state.staff.flatten(),
        people: state.people,
        addons: state.addons_text().filter(|a| !a.is_empty()),
        timezone: state.timezone.clone(),
        month: state.month.clone(),
        date: state.date,
        slot: state.slot,
        near: None,
        reschedule_booking_id: None,
    }
}

/// The bookings domain's request for the state; a payment field that cannot be read is noted
/// in `errors` and left out, so the price still shows.
pub fn request(
    state: &FlowState,
    client_id: u64,
    slot: picker::SlotChoice,
    errors: &mut BTreeMap<String, String>,
) -> CreateRequest {
    let use_wallet = match state.use_wallet.trim() {
        "" | "0" => None,
        raw => {
            let amount = typed_amount(raw);
            if amount.is_none() {
                errors.insert(
                    "use_wallet".into(),
                    "Enter an amount of credits like 20.00, or leave it empty.".into(),
                );
            }
            amount
        }
    };
    let payment = PaymentRequest {
        use_wallet,
        method: PaymentMethod::parse(&pick(&state.method, METHODS, "cash")),
        status: PaymentStatus::parse(&pick(&state.pay_status, PAY_STATUSES, "unpaid")),
        choice: PaymentChoice::parse(&pick(&state.choice, &["full", "deposit"], "full")),
        client_package_id: state.package,
    };
    booking_request(state, Some(client_id), slot, None, payment)
}

/// The bookings domain's request for the choices of `state` at `slot`, with the given payment.
pub(crate) fn booking_request(
    state: &FlowState,
    client_id: Option<u64>,
    slot: picker::SlotChoice,
    notes: Option<String>,
    payment: PaymentRequest,
) -> CreateRequest {
    CreateRequest {
        client_id,
        service_id: state.service_id.unwrap_or(0),
        location_id: state.location_id.unwrap_or(0),
        staff_id: slot.staff_id,
        start: slot.start,
        people: state.people,
        addons: state
            .addons
            .iter()
            .flatten()
            .map(|(id, quantity)| AddonChoice {
                id: *id,
                quantity: *quantity,
            })
            .collect(),
        notes,
        status: None,
        discount: None,
        payment: Some(payment),
    }
}

/// The form field a domain's field name is typed in.
fn form_field(domain_field: &str) -> &str {
    match domain_field {
        "payment.use_wallet" => "use_wallet",
        "payment.method" => "method",
        "payment.status" => "pay_status",
        "payment.choice" => "choice",
        "payment.client_package_id" => "package",
        other => other,
    }
}

/// Sorts a refusal of the domain into field errors and a notice.
pub fn refused_into(
    e: ApiError,
    errors: &mut BTreeMap<String, String>,
    notice: &mut Option<Notice>,
) -> Option<&'static str> {
    match e {
        ApiError::Invalid {
            fields, message, ..
        } => {
            if fields.is_empty() {
                *notice = Some(Notice {
                    kind: "error",
                    what: "refused",
                    detail: message,
                });
            }
            for (field, message) in fields {
                errors.insert(form_field(&field).to_owned(), message);
            }
            None
        }
        ApiError::Conflict { code, message } => {
            if code == "insufficient_balance" {
                errors.insert("use_wallet".into(), message);
            } else {
                *notice = Some(Notice {
                    kind: "error",
                    what: if matches!(code, "slot_taken" | "slot_not_offered") {
                        "slot_taken"
                    } else {
                        "refused"
                    },
                    detail: message,
                });
            }
            Some(code)
        }
        ApiError::Forbidden => {
            *notice = Some(Notice {
                kind: "error",
                what: "refused",
                detail: "this role may not do that".into(),
            });
            None
        }
        other => {
            *notice = Some(Notice {
                kind: "error",
                what: "refused",
                detail: other.to_string(),
            });
            None
        }
    }
}

pub(crate) fn preview(p: &Placement, balance: Money, fmt: &Formats) -> Preview {
    let f = |m: Money| fmt.money(m);
    let price = p.price();
    let due_now = p.due_now();
    let paid_now = p.wallet()
        + p.package().unwrap_or(Money::ZERO)
        + p.other()
            .filter(|o| o.2 == PaymentRowStatus::Paid)
            .map_or(Money::ZERO, |o| o.1);
    Preview {
        lines: price
            .lines
            .iter()
            .map(|l| PreviewLine {
                name: l.name.clone(),
                quantity: l.quantity,
                amount: f(l.amount),
                discount: f(l.discount),
                tax: f(l.tax),
                total: f(l.total),
            })
            .collect(),
        subtotal: f(price.subtotal),
        discount: f(price.discount_total),
        has_discount: !price.discount_total.is_zero(),
        tax: f(price.tax_total),
        total: f(price.total),
        deposit: price.deposit.map(f),
        due_now: f(due_now),
        wallet: f(p.wallet()),
        uses_wallet: !p.wallet().is_zero(),
        package: p.package().map(f),
        other: p.other().map(|(method, amount, status)| {
            (
                method.as_str().to_owned(),
                f(amount),
                status.as_str().to_owned(),
            )
        }),
        balance_due: f(price.total - paid_now),
        balance_after: f(balance - p.wallet()),
    }
}

fn chosen(
    screen: &Screen,
    state: &FlowState,
    fmt: &Formats,
    placement: Option<&Placement>,
) -> Vec<Chosen> {
    let mut out = Vec::new();
    let mut add = |what, value: String| {
        out.push(Chosen {
            what,
            value,
            when: None,
        });
    };
    if let Some(c) = &screen.client {
        add("client", c.name.clone());
    }
    if let Some(cat) = screen
        .categories
        .iter()
        .find(|c| Some(c.id) == state.category_id)
    {
        add("category", cat.name.clone());
    }
    if let Some(s) = screen
        .services
        .iter()
        .find(|s| Some(s.id) == state.service_id)
    {
        add("service", s.name.clone());
    }
    if let (Some(n), Some(_)) = (state.people, screen.people) {
        add("people", n.to_string());
    }
    if let Some(l) = screen
        .locations
        .iter()
        .find(|l| Some(l.id) == state.location_id)
    {
        add("location", l.name.clone());
    }
    match state.staff {
        Some(Some(id)) => {
            if let Some(s) = screen.staff.iter().find(|s| s.id == id) {
                add(
                    "staff",
                    format!("{} {}", s.first_name, s.last_name)
                        .trim()
                        .to_owned(),
                );
            }
        }
        Some(None) => add("staff", String::new()),
        None => {}
    }
    let picked: Vec<String> = screen
        .addons
        .iter()
        .filter(|a| a.quantity > 0)
        .map(|a| format!("{} × {}", a.quantity, a.name))
        .collect();
    if !picked.is_empty() {
        add("addons", picked.join(", "));
    }
    if let Some(slot) = state.slot {
        let zone = state
            .timezone
            .as_deref()
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok())
            .or_else(|| {
                screen
                    .locations
                    .iter()
                    .find(|l| Some(l.id) == state.location_id)
                    .and_then(|l| l.timezone.parse().ok())
            })
            .unwrap_or(chrono_tz::UTC);
        let time = TimeLabel::of(slot.start, zone, fmt.twelve);
        let date = DateLabel::of(slot.start.with_timezone(&zone).date_naive());
        out.push(Chosen {
            what: "when",
            value: zone.name().to_owned(),
            when: Some((date, time)),
        });
    }
    if let Some(p) = placement {
        out.push(Chosen {
            what: "total",
            value: fmt.money(p.price().total),
            when: None,
        });
    }
    out
}
