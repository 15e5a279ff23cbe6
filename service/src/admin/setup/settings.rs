//! wp-admin → Volixta → Settings (administrators only): the site's time rules, money and how
//! dates and times are written. The settings domain checks every value; a refusal comes back
//! beside its field and nothing is saved.
use super::fields::{Errors, Fields, number};
use crate::{
    admin::http::page,
    auth::Actor,
    error::{ApiError, ApiResult},
    gift_codes,
    money::Money,
    paging::PageRequest,
    settings::{self, Settings, SettingsPatch},
    state::AppState,
};
use axum::{body::Bytes, extract::State, http::HeaderMap, response::Html};
use serde::Serialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(settings_screen))
        .routes(routes!(save_settings))
}

const TEMPLATE: &str = "admin/settings.html";

/// The form as typed (numbers stay text so what was typed comes back).
#[derive(Debug, Default, Serialize)]
struct SettingsForm {
    slot_interval_minutes: String,
    min_booking_notice_minutes: String,
    min_change_notice_minutes: String,
    max_booking_ahead_days: String,
    cancel_refund_to_wallet: bool,
    pay_on_site: bool,
    currency: String,
    prices_include_tax: bool,
    tax_rate_percent: String,
    client_limit: String,
    timezone: String,
    locale: String,
    time_format: String,
    invoice_series: String,
    credit_note_series: String,
    business_name: String,
    business_address: String,
    business_tax_number: String,
    reminder_hours_before: String,
    birthday_greetings: bool,
    anniversary_greetings: bool,
    greeting_gift_code_id: String,
}

impl SettingsForm {
    fn of(s: &Settings) -> Self {
        Self {
            slot_interval_minutes: s.slot_interval_minutes.to_string(),
            min_booking_notice_minutes: s.min_booking_notice_minutes.to_string(),
            min_change_notice_minutes: s.min_change_notice_minutes.to_string(),
            max_booking_ahead_days: s.max_booking_ahead_days.to_string(),
            cancel_refund_to_wallet: s.cancel_refund_to_wallet,
            pay_on_site: s.pay_on_site,
            currency: s.currency.clone(),
            prices_include_tax: s.prices_include_tax,
            tax_rate_percent: s.tax_rate_percent.to_string(),
            client_limit: s.client_limit.map(|l| l.to_string()).unwrap_or_default(),
            timezone: s.timezone.clone().unwrap_or_default(),
            locale: s.locale.clone().unwrap_or_default(),
            time_format: s.time_format.clone(),
            invoice_series: s.invoice_series.clone(),
            credit_note_series: s.credit_note_series.clone(),
            business_name: s.business_name.clone(),
            business_address: s.business_address.clone(),
            business_tax_number: s.business_tax_number.clone(),
            reminder_hours_before: s.reminder_hours_before.to_string(),
            birthday_greetings: s.birthday_greetings,
            anniversary_greetings: s.anniversary_greetings,
            greeting_gift_code_id: s
                .greeting_gift_code_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
        }
    }

    fn read(f: &Fields) -> Self {
        Self {
            slot_interval_minutes: f.text("slot_interval_minutes"),
            min_booking_notice_minutes: f.text("min_booking_notice_minutes"),
            min_change_notice_minutes: f.text("min_change_notice_minutes"),
            max_booking_ahead_days: f.text("max_booking_ahead_days"),
            cancel_refund_to_wallet: f.ticked("cancel_refund_to_wallet"),
            pay_on_site: f.ticked("pay_on_site"),
            currency: f.text("currency").to_uppercase(),
            prices_include_tax: f.text("prices_include_tax") != "0",
            tax_rate_percent: f.text("tax_rate_percent"),
            client_limit: f.text("client_limit"),
            timezone: f.text("timezone"),
            locale: f.text("locale"),
            time_format: f.text("time_format"),
            invoice_series: f.text("invoice_series").to_uppercase(),
            credit_note_series: f.text("credit_note_series").to_uppercase(),
            business_name: f.text("business_name"),
            business_address: f.text("business_address"),
            business_tax_number: f.text("business_tax_number"),
            reminder_hours_before: f.text("reminder_hours_before"),
            birthday_greetings: f.ticked("birthday_greetings"),
            anniversary_greetings: f.ticked("anniversary_greetings"),
            greeting_gift_code_id: f.text("greeting_gift_code_id"),
        }
    }

    fn patch(&self) -> Result<SettingsPatch, Errors> {
        let mut e = Errors::new();
        let whole = "a whole number";
        let required = |e: &mut Errors, field: &str, raw: &str| -> Option<u32> {
            if raw.is_empty() {
                e.insert(field.to_owned(), format!("{field} is required"));
            }
            number(e, field, raw, whole)
        };
        let patch = SettingsPatch {
            slot_interval_minutes: required(
                &mut e,
                "slot_interval_minutes",
                &self.slot_interval_minutes,
            ),
            min_booking_notice_minutes: required(
                &mut e,
                "min_booking_notice_minutes",
                &self.min_booking_notice_minutes,
            ),
            min_change_notice_minutes: required(
                &mut e,
                "min_change_notice_minutes",
                &self.min_change_notice_minutes,
            ),
            max_booking_ahead_days: required(
                &mut e,
                "max_booking_ahead_days",
                &self.max_booking_ahead_days,
            ),
            client_limit: Some(number(&mut e, "client_limit", &self.client_limit, whole)),
            cancel_refund_to_wallet: Some(self.cancel_refund_to_wallet),
            currency: Some(self.currency.clone()),
            prices_include_tax: Some(self.prices_include_tax),
            tax_rate_percent: Some(
                number::<Money>(
                    &mut e,
                    "tax_rate_percent",
                    &self.tax_rate_percent,
                    "a percentage like 20",
                )
                .unwrap_or(Money::ZERO),
            ),
            timezone: Some((!self.timezone.is_empty()).then(|| self.timezone.clone())),
            locale: Some((!self.locale.is_empty()).then(|| self.locale.clone())),
            time_format: Some(self.time_format.clone()),
            pay_on_site: Some(self.pay_on_site),
            // A series left empty keeps the one in force: numbers never run without one.
            invoice_series: Some(self.invoice_series.clone()).filter(|s| !s.is_empty()),
            credit_note_series: Some(self.credit_note_series.clone()).filter(|s| !s.is_empty()),
            business_name: Some(self.business_name.clone()),
            business_address: Some(self.business_address.clone()),
            business_tax_number: Some(self.business_tax_number.clone()),
            // Empty means no reminders, like 0.
            reminder_hours_before: Some(
                number(
                    &mut e,
                    "reminder_hours_before",
                    &self.reminder_hours_before,
                    whole,
                )
                .unwrap_or(0),
            ),
            birthday_greetings: Some(self.birthday_greetings),
            anniversary_greetings: Some(self.anniversary_greetings),
            greeting_gift_code_id: Some(number(
                &mut e,
                "greeting_gift_code_id",
                &self.greeting_gift_code_id,
                "a gift code of the list",
            )),
            ..SettingsPatch::default()
        };
        if e.is_empty() { Ok(patch) } else { Err(e) }
    }
}

#[derive(Serialize)]
struct Screen {
    page: &'static str,
    form: SettingsForm,
    errors: Errors,
    saved: bool,
    zones: Vec<&'static str>,
    /// The codes a greeting's gift code may copy: the active ones.
    gift_codes: Vec<GiftChoice>,
}

#[derive(Serialize)]
struct GiftChoice {
    id: String,
    label: String,
}

/// Active gift codes, newest first, as the choices of the greeting's gift code.
async fn gift_choices(state: &AppState) -> ApiResult<Vec<GiftChoice>> {
    let page = gift_codes::list(
        &state.db,
        Some(gift_codes::CodeStatus::Active),
        PageRequest::new(None, Some(100)),
    )
    .await?;
    Ok(page
        .items
        .into_iter()
        .map(|d| {
            let c = d.gift_code;
            let note = if c.note.is_empty() {
                String::new()
            } else {
                format!(" · {}", c.note)
            };
            GiftChoice {
                id: c.id.to_string(),
                label: format!("…{} · {}{note}", c.code_hint, c.value),
            }
        })
        .collect())
}

async fn screen(
    state: &AppState,
    form: SettingsForm,
    errors: Errors,
    saved: bool,
) -> ApiResult<Screen> {
    Ok(Screen {
        page: "volixta-settings",
        form,
        errors,
        saved,
        zones: super::zone_names(),
        gift_codes: gift_choices(state).await?,
    })
}

#[utoipa::path(get, path = "/v1/render/admin/settings", tag = "admin",
    description = "The Settings screen of wp-admin as an HTML fragment: time rules, money, client limit, locale and clock. Administrators only; managers get 403.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn settings_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
) -> ApiResult<Html<String>> {
    actor.require_admin()?;
    let current = settings::load(&state.db).await?;
    page(
        &state,
        &headers,
        TEMPLATE,
        &screen(&state, SettingsForm::of(&current), Errors::new(), false).await?,
    )
}

#[utoipa::path(post, path = "/v1/render/admin/settings/save", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "The settings form's fields as strings: `slot_interval_minutes`, `min_booking_notice_minutes`, `min_change_notice_minutes`, `max_booking_ahead_days`, `cancel_refund_to_wallet` (present when ticked), `pay_on_site` (present when ticked), `currency`, `prices_include_tax` (1|0), `tax_rate_percent`, `client_limit` (empty: no limit), `locale` (empty: the site's language), `time_format` (auto|12h|24h), `reminder_hours_before` (0: no reminders), `birthday_greetings`, `anniversary_greetings` (present when ticked), `greeting_gift_code_id` (empty: greetings without a gift code)"),
    description = "Saves every setting of the form at once through the settings domain; answers the form with what was saved, or with the reason beside the field (nothing saved). Administrators only.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn save_settings(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_admin()?;
    let form = SettingsForm::read(&Fields::parse(&body)?);
    let patch = match form.patch() {
        Ok(patch) => patch,
        Err(errors) => {
            let screen = screen(&state, form, errors, false).await?;
            return page(&state, &headers, TEMPLATE, &screen);
        }
    };
    match settings::update(&state.db, patch).await {
        Ok(saved) => page(
            &state,
            &headers,
            TEMPLATE,
            &screen(&state, SettingsForm::of(&saved), Errors::new(), true).await?,
        ),
        Err(e) => match e.field() {
            Some(field) => {
                let errors = Errors::from([(field.to_owned(), e.to_string())]);
                let screen = screen(&state, form, errors, false).await?;
                page(&state, &headers, TEMPLATE, &screen)
            }
            None => Err(ApiError::from(e)),
        },
    }
}
