//! wp-admin → Volixta → Settings (administrators only): the site's time rules, money and how
//! dates and times are written. The settings domain checks every value; a refusal comes back
//! beside its field and nothing is saved.
use super::fields::{Errors, Fields, number};
use crate::{
    admin::http::page,
    auth::Actor,
    error::{ApiError, ApiResult},
    money::Money,
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
}

fn screen(form: SettingsForm, errors: Errors, saved: bool) -> Screen {
    Screen {
        page: "volixta-settings",
        form,
        errors,
        saved,
        zones: super::zone_names(),
    }
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
        &screen(SettingsForm::of(&current), Errors::new(), false),
    )
}

#[utoipa::path(post, path = "/v1/render/admin/settings/save", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "The settings form's fields as strings: `slot_interval_minutes`, `min_booking_notice_minutes`, `min_change_notice_minutes`, `max_booking_ahead_days`, `cancel_refund_to_wallet` (present when ticked), `pay_on_site` (present when ticked), `currency`, `prices_include_tax` (1|0), `tax_rate_percent`, `client_limit` (empty: no limit), `locale` (empty: the site's language), `time_format` (auto|12h|24h)"),
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
        Err(errors) => return page(&state, &headers, TEMPLATE, &screen(form, errors, false)),
    };
    match settings::update(&state.db, patch).await {
        Ok(saved) => page(
            &state,
            &headers,
            TEMPLATE,
            &screen(SettingsForm::of(&saved), Errors::new(), true),
        ),
        Err(e) => match e.field() {
            Some(field) => {
                let errors = Errors::from([(field.to_owned(), e.to_string())]);
                page(&state, &headers, TEMPLATE, &screen(form, errors, false))
            }
            None => Err(ApiError::from(e)),
        },
    }
}
