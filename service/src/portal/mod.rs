//! The client portal of `[volixta_customer_profile]`: gathers what the client may see from the
//! domains that own it and hands the view to the shared `render` module. It owns no table and
//! no error of its own: every change goes through its domain's own idempotent path, and what
//! a domain refuses is shown beside the field it names.
//!
//! One page, one fragment: upcoming bookings as cards, a calendar of the days with bookings,
//! the history with its filters, a booking's sheet in four tabs (wp-admin's panel, read as this
//! client: `bookings::details` shows a client only its own bookings and says what it may do,
//! and why not), the wallet, the packages (identical ones grouped, each with a popup of what it
//! covers and the bookings that used it), the profile, and a place for invoices. Times are on
//! the client's clock (`tz`, which the browser says and remembers), never the server's.
//!
//! Cheap by design: a bounded number of queries whatever the client's history (one list for the
//! upcoming cards and the calendar, one page of history, one page of wallet movements, the
//! client's packages with what they cover and their uses in a few queries); what a
//! client may do to a booking is asked for the one open sheet only.
mod domain;
pub mod http;

pub use domain::PortalState;

use crate::{
    admin::{
        bookings::{self as sheet, PanelForms, PanelScreen, PanelState, PanelTab},
        picker::DateLabel,
        profile::{Choice, Notice, status_choices},
    },
    auth::Actor,
    bookings::{self, BookingError, ListFilter, ListQuery, Party, Status},
    catalog,
    clients::{self, Client, DEFAULT_AVATARS, MAX_AVATAR_BYTES, UPLOADED_AVATAR},
    error::{ApiError, ApiResult},
    i18n::Locale,
    invoices::{self, InvoiceError},
    money::format_with_currency,
    packages,
    paging::PageRequest,
    settings,
    state::AppState,
    wallet,
};
use chrono::Utc;
use chrono_tz::Tz;
use domain::{
    CalendarDay, Card, Movement, PAYMENT_FILTERS, PackageCard, PackageContext, STATUS_FILTERS,
    ZoneOption, calendar, zone_options,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Cards of the upcoming list; the calendar shows up to `CALENDAR_ROWS` bookings.
const UPCOMING_CARDS: usize = 4;
const CALENDAR_ROWS: u16 = 40;
const HISTORY_ROWS: u16 = 10;
const WALLET_ROWS: u16 = 10;
const INVOICE_ROWS: u16 = 10;

/// Where the portal's slot picker asks again (its own route: the admin one is for managers).
pub const PICKER_ROUTE: &str = "render/portal/slot-picker";

/// The forms as they were sent, and what the domains said of them.
#[derive(Debug, Default)]
pub struct PortalForms {
    /// What the last change did, or why it was refused (gift code, profile).
    pub notice: Option<Notice>,
    /// The booking sheet's notice and forms (cancel, reschedule).
    pub sheet_notice: Option<Notice>,
    pub sheet: PanelForms,
    pub gift_code: String,
    pub gift_error: Option<String>,
    /// The profile form as sent, after a refusal; the stored profile otherwise.
    pub profile: Option<ProfileForm>,
    pub profile_errors: BTreeMap<String, String>,
    /// The amount typed in the top-up form, and why it was refused.
    pub top_up_amount: String,
    pub top_up_error: Option<String>,
    /// The store's payment page a pay button just opened an order on.
    pub payment_url: Option<String>,
    /// The site's booking form page (the plugin names it): a package's "Book with it" leads
    /// there with the package chosen.
    pub booking_form_url: Option<String>,
}

/// The profile fields a client edits itself (the clients domain refuses any other).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ProfileForm {
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub street: String,
    pub zip: String,
    pub city: String,
    /// A default avatar's name, `upload` (keep the photo) or empty (initials).
    pub avatar: String,
    /// A new photo as a `data:` URL, read by the plugin's script from the file input.
    #[serde(skip_serializing)]
    pub avatar_image: String,
}

impl ProfileForm {
    fn of(c: &Client) -> Self {
        Self {
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            phone: c.phone.clone().unwrap_or_default(),
            street: c.street.clone(),
            zip: c.zip.clone(),
            city: c.city.clone(),
            avatar: c.avatar.clone().unwrap_or_default(),
            avatar_image: String::new(),
        }
    }

    /// The clients domain's input for these fields, built the way its API reads it.
    pub fn input(&self) -> ApiResult<clients::ClientInput> {
        let blank_is_none = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        serde_json::from_value(serde_json::json!({
            "first_name": self.first_name,
            "last_name": self.last_name,
            "phone": blank_is_none(&self.phone),
            "street": self.street,
            "zip": self.zip,
            "city": self.city,
            "avatar": blank_is_none(&self.avatar),
        }))
        .map_err(|e| ApiError::field("form", e.to_string()))
    }

    /// The new photo's bytes, checked as the clients domain will (as the admin form does).
    pub fn photo(&self) -> ApiResult<Option<Vec<u8>>> {
        crate::admin::form::ClientForm {
            avatar_image: self.avatar_image.clone(),
            ..Default::default()
        }
        .photo()
        .map_err(|(field, message)| ApiError::field(field, message))
    }
}

/// The client as the portal's header shows it.
#[derive(Debug, Serialize)]
pub struct Head {
    pub id: u64,
    pub name: String,
    pub initials: String,
    pub email: String,
    pub phone: String,
    pub avatar: String,
    /// The proxy path of the uploaded photo, which the plugin's script loads.
    pub photo: Option<String>,
}

impl Head {
    fn of(c: &Client) -> Self {
        let initials = [c.first_name.chars().next(), c.last_name.chars().next()]
            .into_iter()
            .flatten()
            .flat_map(char::to_uppercase)
            .collect();
        Self {
            id: c.id,
            name: c.full_name(),
            initials,
            email: c.email.clone().unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            avatar: c.avatar.clone().unwrap_or_default(),
            photo: c.photo_path(),
        }
    }
}

/// A booking's sheet: wp-admin's panel read as this client, with the portal's own links.
#[derive(Debug, Serialize)]
pub struct Sheet {
    #[serde(flatten)]
    pub panel: PanelScreen,
    /// The portal's query of each tab.
    pub tab_links: BTreeMap<&'static str, String>,
    /// Something is left to pay and WooCommerce takes it: the Payment tab offers to pay.
    pub pay: bool,
}

#[derive(Debug, Serialize)]
pub struct History {
    pub from: String,
    pub to: String,
    pub statuses: Vec<Choice>,
    pub payment_statuses: Vec<Choice>,
    pub errors: BTreeMap<String, String>,
    pub rows: Vec<Card>,
    pub next_page: Option<String>,
    pub first_page: Option<String>,
    pub filtered: bool,
    /// The portal without filters.
    pub clear: String,
}

#[derive(Debug, Serialize)]
pub struct WalletView {
    pub balance: String,
    /// The balance as a plain decimal, for scripts and tests.
    pub amount: String,
    pub movements: Vec<Movement>,
    pub next_page: Option<String>,
    pub first_page: Option<String>,
    /// Topping up pays through WooCommerce: offered only once it is configured.
    pub top_up: bool,
    pub top_up_amount: String,
    pub top_up_error: Option<String>,
}

/// A package on sale, with its Buy button (shown only while WooCommerce is configured).
#[derive(Debug, Serialize)]
pub struct Offer {
    pub id: u64,
    pub name: String,
    pub description: String,
    pub sessions: u32,
    pub price: String,
    pub validity_days: Option<u32>,
}

#[derive(Debug, Serialize)]
pub struct ProfileView {
    pub form: ProfileForm,
    pub errors: BTreeMap<String, String>,
    pub avatars: &'static [&'static str],
    pub has_photo: bool,
    pub max_photo_bytes: usize,
}

/// An invoice or credit note as a row (desktop) or a card (phone) of the Invoices section.
#[derive(Debug, Serialize)]
pub struct InvoiceRow {
    pub id: u64,
    pub number: String,
    pub credit_note: bool,
    /// The booking's day on the client's clock.
    pub booking_date: DateLabel,
    pub service: String,
    pub total: String,
    pub method: String,
    /// `paid`, `partially_paid`, … for the badge; `credited` or `credit_note` otherwise.
    pub status: String,
    pub status_label: &'static str,
    /// The query that opens its detail.
    pub href: String,
    /// The proxy path of its PDF.
    pub pdf: String,
}

impl InvoiceRow {
    fn of(i: &invoices::Summary, zone: Tz, view: &PortalState) -> Self {
        let (status, label) = match (i.kind, i.state) {
            (invoices::Kind::CreditNote, _) => ("credit_note".to_owned(), "Credit note"),
            (_, invoices::State::Credited) => ("credited".to_owned(), "Credited"),
            _ => (
                i.payment_status.as_str().to_owned(),
                invoices::status_label(i.payment_status),
            ),
        };
        Self {
            id: i.id,
            number: i.number.clone(),
            credit_note: i.kind == invoices::Kind::CreditNote,
            booking_date: DateLabel::of(i.booking_start.with_timezone(&zone).date_naive()),
            service: i.service_name.clone(),
            total: format_with_currency(i.total, &i.currency),
            method: i
                .payment_method
                .map(invoices::method_label)
                .unwrap_or("—")
                .to_owned(),
            status,
            status_label: label,
            href: view.with(|s| s.invoice = Some(i.id)),
            pdf: format!("invoices/{}/pdf", i.id),
        }
    }
}

/// The open invoice's detail.
#[derive(Debug, Serialize)]
pub struct InvoiceDetail {
    pub invoice: invoices::Invoice,
    pub issued: DateLabel,
    pub when: DateLabel,
    pub start_time: String,
    pub lines: Vec<(String, u32, String)>,
    pub addons: Vec<String>,
    pub total: String,
    pub tax_total: String,
    pub deposit: Option<String>,
    pub credits_used: Option<String>,
    pub amount_paid: String,
    pub balance_due: String,
    pub status_label: &'static str,
    pub pdf: String,
    /// The other documents of the booking, each with the query that opens it.
    pub siblings: Vec<(String, String)>,
    pub close: String,
}

#[derive(Debug, Serialize)]
pub struct InvoicesView {
    /// The client's permission level lets it see its invoices.
    pub allowed: bool,
    pub rows: Vec<InvoiceRow>,
    pub next_page: Option<String>,
    pub first_page: Option<String>,
    pub detail: Option<InvoiceDetail>,
    /// The invoice asked for is not this client's (or no longer exists).
    pub missing: bool,
}

/// What the portal's template shows.
#[derive(Debug, Serialize)]
pub struct PortalView {
    /// This state's query, for forms that answer with the portal as it is.
    pub here: String,
    /// The same without a booking sheet.
    pub closed: String,
    pub timezone: String,
    /// This state without its zone, for the zone select (which adds its own).
    pub zone_href: String,
    /// No zone was chosen yet: the plugin's script offers the browser's.
    pub zone_unset: bool,
    pub zones: Vec<ZoneOption>,
    pub client: Head,
    pub notice: Option<Notice>,
    pub sheet: Option<Sheet>,
    pub upcoming: Vec<Card>,
    pub calendar: Vec<CalendarDay>,
    /// More upcoming bookings than the calendar shows.
    pub calendar_truncated: bool,
    pub history: History,
    pub wallet: WalletView,
    /// The client's packages, identical ones grouped.
    pub packages: Vec<PackageCard>,
    /// Packages on sale with a price, offered only while WooCommerce is configured.
    pub offers: Vec<Offer>,
    /// Balances, top-ups and packages are paid through WooCommerce: the pay buttons show only
    /// while it is configured, so none leads to a refusal.
    pub pay_online: bool,
    /// Set after a pay button opened an order: the link to its payment page (the plugin's
    /// script follows the redirect header that comes with it).
    pub payment_url: Option<String>,
    pub invoices: InvoicesView,
    pub profile: ProfileView,
    pub gift_code: String,
    pub gift_error: Option<String>,
    /// A fresh key per rendered form: a resent form is the same change, not a second one.
    pub idempotency_key: String,
    pub today: DateLabel,
}

/// The portal of the client `actor` is, in the state `state` names.
pub async fn portal(
    state: &AppState,
    actor: Actor,
    locale: &Locale,
    view: &PortalState,
    forms: PortalForms,
) -> ApiResult<PortalView> {
    let db = &state.db;
    let client_id = clients::own_client_id(db, actor).await?;
    let twelve = locale.uses_12_hour_clock();
    let party = Party::Client { client_id };
    let now = Utc::now();

    // The reads below depend on nothing but the client, so they run side by side, each on a
    // connection of its own: the page waits for the slowest, not for their sum. The history
    // reads its date filters on the client's clock, so it joins them once that is known (the
    // address names it, except before a zone was ever chosen).
    let (client, settings, locations, upcoming, movements, early_history) = tokio::try_join!(
        async { Ok::<_, ApiError>(clients::get(db, client_id).await?) },
        async { Ok(settings::load(db).await?) },
        async { Ok(catalog::locations(db).await?) },
        // The upcoming cards and the calendar come from one bounded list.
        async {
            Ok(bookings::list(
                db,
                party,
                ListFilter {
                    from: Some(now),
                    statuses: vec![Status::Pending, Status::Confirmed],
                    ascending: true,
                    ..ListFilter::default()
                },
                PageRequest::new(None, Some(CALENDAR_ROWS)),
            )
            .await?)
        },
        async {
            Ok(wallet::history(
                db,
                client_id,
                PageRequest::new(view.wallet, Some(WALLET_ROWS)),
            )
            .await?)
        },
        async {
            match view.tz {
                Some(zone) => history_rows(db, party, zone, view).await.map(Some),
                None => Ok(None),
            }
        },
    )?;
    let currency = settings.currency;
    let business = locations
        .iter()
        .min_by_key(|l| l.id)
        .map_or(chrono_tz::UTC, |l| sheet::zone_of(&l.timezone));
    let zone = view.tz.unwrap_or(business);
    let dated: Vec<(chrono::NaiveDate, Card)> = upcoming
        .items
        .iter()
        .map(|b| {
            (
                b.start.with_timezone(&zone).date_naive(),
                Card::of(b, zone, twelve, view),
            )
        })
        .collect();
    let cards = dated
        .iter()
        .take(UPCOMING_CARDS)
        .map(|(_, c)| c.clone())
        .collect();

    let rows = match early_history {
        Some(rows) => rows,
        None => history_rows(db, party, zone, view).await?,
    };
    let history = history(rows, zone, twelve, view);

    // The packages (and, only when the client holds some, the service names they cover) and the
    // invoices need the clock but not each other: side by side too.
    let ((held, services), invoices) = tokio::try_join!(
        async {
            let held = packages::holdings(db, client_id).await?;
            let services = if held.packages.is_empty() {
                Vec::new()
            } else {
                catalog::services(db).await?
            };
            Ok::<_, ApiError>((held, services))
        },
        invoices_view(state, actor, zone, twelve, view),
    )?;
    let package_cx = PackageContext {
        packages: &held.packages,
        uses: &held.uses,
        service_names: &services
            .iter()
            .map(|s| (s.id, s.name.clone()))
            .collect::<Vec<_>>(),
        location_names: &locations
            .iter()
            .map(|l| (l.id, l.name.clone()))
            .collect::<Vec<_>>(),
        booking_form: forms.booking_form_url.as_deref(),
        zone,
        twelve,
        state: view,
    };
    let package_cards = held
        .groups
        .iter()
        .map(|g| PackageCard::of(g, &package_cx))
        .collect();

    let PortalForms {
        notice,
        sheet_notice,
        sheet: sheet_forms,
        gift_code,
        gift_error,
        profile,
        profile_errors,
        top_up_amount,
        top_up_error,
        payment_url,
        booking_form_url: _,
    } = forms;
    let pay_online = state.config.wc_url.is_some();
    let offers = if pay_online {
        packages::list(db)
            .await?
            .into_iter()
            .filter(|p| p.on_sale() && p.price > crate::money::Money::ZERO)
            .map(|p| Offer {
                id: p.id,
                price: format_with_currency(p.price, &currency),
                name: p.name,
                description: p.description,
                sessions: p.sessions,
                validity_days: p.validity_days,
            })
            .collect()
    } else {
        Vec::new()
    };
    let sheet = match view.booking {
        Some(id) => Some(
            open_sheet(
                state,
                actor,
                locale,
                (view, id, zone),
                sheet_notice,
                sheet_forms,
            )
            .await?,
        ),
        None => None,
    };
    Ok(PortalView {
        here: view.query(),
        closed: view.closed(),
        timezone: zone.name().to_owned(),
        zone_href: view.with(|s| s.tz = None),
        zone_unset: view.tz.is_none(),
        zones: zone_options(
            zone,
            &locations
                .iter()
                .map(|l| l.timezone.clone())
                .collect::<Vec<_>>(),
        ),
        client: Head::of(&client),
        notice,
        sheet,
        upcoming: cards,
        calendar: calendar(dated),
        calendar_truncated: upcoming.next_cursor.is_some(),
        history,
        wallet: WalletView {
            balance: format_with_currency(client.wallet_balance, &currency),
            amount: client.wallet_balance.to_string(),
            movements: movements
                .items
                .iter()
                .map(|m| Movement::of(m, zone, &currency))
                .collect(),
            next_page: movements
                .next_cursor
                .map(|before| view.with(|s| s.wallet = Some(before))),
            first_page: view.wallet.map(|_| view.with(|s| s.wallet = None)),
            top_up: pay_online,
            top_up_amount,
            top_up_error,
        },
        packages: package_cards,
        offers,
        pay_online,
        payment_url,
        invoices,
        profile: ProfileView {
            form: profile.unwrap_or_else(|| ProfileForm::of(&client)),
            errors: profile_errors,
            avatars: DEFAULT_AVATARS,
            has_photo: client.avatar.as_deref() == Some(UPLOADED_AVATAR),
            max_photo_bytes: MAX_AVATAR_BYTES,
        },
        gift_code,
        gift_error,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        today: DateLabel::of(now.with_timezone(&zone).date_naive()),
    })
}

/// The client's invoices and credit notes, newest first, and the one it opened.
async fn invoices_view(
    state: &AppState,
    actor: Actor,
    zone: Tz,
    twelve: bool,
    view: &PortalState,
) -> ApiResult<InvoicesView> {
    let db = &state.db;
    let query = invoices::ListQuery {
        cursor: Some(view.invoices.clone()).filter(|c| !c.is_empty()),
        limit: Some(INVOICE_ROWS),
        ..invoices::ListQuery::default()
    };
    let page = match invoices::list(db, actor, &query).await {
        Ok(page) => page,
        // The permission level hides invoices: the section says so instead of listing.
        Err(InvoiceError::Client(clients::ClientError::NotPermitted(_))) => {
            return Ok(InvoicesView {
                allowed: false,
                rows: Vec::new(),
                next_page: None,
                first_page: None,
                detail: None,
                missing: false,
            });
        }
        // An old page link starts again from the first page.
        Err(InvoiceError::Field { .. }) => {
            invoices::list(db, actor, &invoices::ListQuery::default()).await?
        }
        Err(e) => return Err(e.into()),
    };
    let (detail, missing) = match view.invoice {
        None => (None, false),
        Some(id) => match invoices::get(db, actor, id).await {
            Ok(inv) => (Some(InvoiceDetail::of(inv, zone, twelve, view)), false),
            Err(InvoiceError::NotFound) => (None, true),
            Err(e) => return Err(e.into()),
        },
    };
    Ok(InvoicesView {
        allowed: true,
        rows: page
            .items
            .iter()
            .map(|i| InvoiceRow::of(i, zone, view))
            .collect(),
        next_page: page.next_cursor.map(|c| view.with(|s| s.invoices = c)),
        first_page: (!view.invoices.is_empty()).then(|| view.with(|s| s.invoices.clear())),
        detail,
        missing,
    })
}

impl InvoiceDetail {
    fn of(inv: invoices::Invoice, zone: Tz, twelve: bool, view: &PortalState) -> Self {
        let money = |a| format_with_currency(a, &inv.currency);
        let start = inv.booking.start.with_timezone(&zone);
        let start_time = if twelve {
            start.format("%-I:%M %p").to_string()
        } else {
            start.format("%H:%M").to_string()
        };
        let status_label = match (inv.kind, inv.state) {
            (invoices::Kind::CreditNote, _) => "Credit note",
            (_, invoices::State::Credited) => "Credited",
            _ => invoices::status_label(inv.payment_status),
        };
        Self {
            issued: DateLabel::of(inv.issued_at.with_timezone(&zone).date_naive()),
            when: DateLabel::of(start.date_naive()),
            start_time,
            lines: inv
                .lines
                .iter()
                .map(|l| (l.description.clone(), l.quantity, money(l.total)))
                .collect(),
            addons: inv
                .lines
                .iter()
                .filter(|l| l.kind == bookings::LineKind::Addon)
                .map(|l| format!("{} × {}", l.description, l.quantity))
                .collect(),
            total: money(inv.total),
            tax_total: money(inv.tax_total),
            deposit: inv.deposit.map(money),
            credits_used: (!inv.credits_used.is_zero()).then(|| money(inv.credits_used)),
            amount_paid: money(inv.amount_paid),
            balance_due: money(inv.balance_due),
            status_label,
            pdf: format!("invoices/{}/pdf", inv.id),
            siblings: inv
                .documents
                .iter()
                .filter(|d| d.id != inv.id)
                .map(|d| (d.number.clone(), view.with(|s| s.invoice = Some(d.id))))
                .collect(),
            close: view.with(|s| s.invoice = None),
            invoice: inv,
        }
    }
}

/// One page of the history (past and future) with the client's filters, read on its clock; a
/// filter that means nothing is said beside its field, and no list pretends to match it.
struct HistoryRows {
    rows: Vec<bookings::Booking>,
    next: Option<String>,
    errors: BTreeMap<String, String>,
}

async fn history_rows(
    db: &crate::db::Db,
    party: Party,
    zone: Tz,
    view: &PortalState,
) -> ApiResult<HistoryRows> {
    let given = |v: &str| Some(v.to_owned()).filter(|v| !v.is_empty());
    let query = ListQuery {
        scope: Some("all".into()),
        from: given(&view.from),
        to: given(&view.to),
        status: given(&view.status),
        payment_status: given(&view.payment_status),
        timezone: Some(zone.name().to_owned()),
        cursor: given(&view.cursor),
        limit: Some(HISTORY_ROWS),
        ..ListQuery::default()
    };
    let mut errors = BTreeMap::new();
    let (rows, next) = match query.filter(HISTORY_ROWS, Utc::now()) {
        Ok((filter, page)) => {
            let page = bookings::list(db, party, filter, page).await?;
            (page.items, page.next_cursor)
        }
        Err(BookingError::Field { field, message }) => {
            errors.insert(field, message);
            (Vec::new(), None)
        }
        Err(e) => return Err(e.into()),
    };
    Ok(HistoryRows { rows, next, errors })
}

/// The history section: its rows as cards, the filters as typed, its pages.
fn history(found: HistoryRows, zone: Tz, twelve: bool, view: &PortalState) -> History {
    let HistoryRows { rows, next, errors } = found;
    History {
        from: view.from.clone(),
        to: view.to.clone(),
        statuses: status_choices(STATUS_FILTERS, Status::as_str, &view.status),
        payment_statuses: status_choices(
            PAYMENT_FILTERS,
            bookings::PaymentStatus::as_str,
            &view.payment_status,
        ),
        errors,
        rows: rows
            .iter()
            .map(|b| Card::of(b, zone, twelve, view))
            .collect(),
        next_page: next.map(|c| view.with(|s| s.cursor = c)),
        first_page: (!view.cursor.is_empty()).then(|| view.with(|s| s.cursor.clear())),
        clear: view.with(|s| {
            s.from.clear();
            s.to.clear();
            s.status.clear();
            s.payment_status.clear();
            s.cursor.clear();
        }),
        filtered: !(view.from.is_empty()
            && view.to.is_empty()
            && view.status.is_empty()
            && view.payment_status.is_empty()),
    }
}

/// The sheet of booking `id`: a booking that is not this client's is not found (404).
async fn open_sheet(
    state: &AppState,
    actor: Actor,
    locale: &Locale,
    (view, id, zone): (&PortalState, u64, Tz),
    notice: Option<Notice>,
    mut panel_forms: PanelForms,
) -> ApiResult<Sheet> {
    panel_forms.viewer_zone = Some(zone);
    if panel_forms.picker.timezone.is_none() {
        panel_forms.picker.timezone = Some(zone.name().to_owned());
    }
    let panel_state = PanelState {
        page: String::new(),
        booking_id: id,
        tab: view.tab,
    };
    let mut panel =
        sheet::panel_screen(&state.db, actor, locale, &panel_state, notice, panel_forms).await?;
    if let Some(picker) = panel.picker.as_mut() {
        picker.route = PICKER_ROUTE;
    }
    let tab_links = [
        PanelTab::Details,
        PanelTab::Customer,
        PanelTab::Payment,
        PanelTab::Actions,
    ]
    .into_iter()
    .map(|t| (t.name(), view.sheet(id, t)))
    .collect();
    let pay = state.config.wc_url.is_some()
        && !panel.balance_is_zero
        && matches!(panel.status, "pending" | "confirmed");
    Ok(Sheet {
        panel,
        tab_links,
        pay,
    })
}
