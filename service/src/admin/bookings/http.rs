use super::{CalendarState, PanelForms, PanelState, PanelTab, PaymentForm, PickerChoice, Route};
use crate::{
    admin::{
        display::Formats,
        http::{locale, page},
        picker::SlotChoice,
        profile::{Notice, typed_amount},
    },
    auth::Actor,
    bookings::{
        self, AddonChoice, CancelRequest, OptionsRequest, Party, PaymentInput, PaymentMethod,
        PaymentRowStatus, RescheduleRequest, Status,
    },
    error::{ApiError, ApiResult},
    idempotency::Idempotent,
    settings,
    state::AppState,
};
use axum::{
    extract::{Path, RawQuery, Request, State},
    http::{HeaderMap, StatusCode},
    response::Html,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bookings_screen))
        .routes(routes!(calendar_screen))
        .routes(routes!(record_payment))
        .routes(routes!(cancel_booking))
        .routes(routes!(change_status))
        .routes(routes!(change_options))
        .routes(routes!(reschedule_booking))
}

#[utoipa::path(get, path = "/v1/render/admin/bookings", tag = "admin",
    description = "The Bookings screen of wp-admin as an HTML fragment: every booking of the business, with the filters `scope` (upcoming, past, all), `from`, `to` (dates in the chosen location's zone, else the first location's), `staff_id`, `location_id`, `service_id`, `status`, `payment_status` and the keyset `cursor`; times on each booking location's clock, in the 12- or 24-hour clock of `X-Volixta-Locale`. With `booking=<id>` it is that booking's details panel (`tab`: details, customer, payment, actions).",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn bookings_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let locale = locale(&headers);
    match Route::parse(raw.as_deref())? {
        Route::List(list) => {
            let screen = super::list_screen(&state.db, &locale, &list).await?;
            page(&state, &headers, "admin/bookings.html", &screen)
        }
        Route::Panel(panel) => {
            let screen = super::panel_screen(
                &state.db,
                actor,
                &locale,
                &panel,
                None,
                PanelForms::default(),
            )
            .await?;
            page(&state, &headers, "admin/booking.html", &screen)
        }
    }
}

#[utoipa::path(get, path = "/v1/render/admin/calendar", tag = "admin",
    description = "The Calendar screen of wp-admin as an HTML fragment: the business's bookings (cancelled ones left off) by `view` (day, week, month) around `date` (`YYYY-MM-DD`, today by default), filtered by `staff_id` and `location_id`; days are those of the chosen location's zone, else the first location's; weeks start on the day of `X-Volixta-Locale`.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422)))]
async fn calendar_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let calendar = CalendarState::parse(raw.as_deref())?;
    let screen =
        super::calendar_screen(&state.db, &locale(&headers), Party::Manager, &calendar).await?;
    page(&state, &headers, "admin/booking_calendar.html", &screen)
}

/// The panel a form was posted from (its query string names the page), in the given tab.
fn panel_state(raw: Option<&str>, id: u64, tab: PanelTab) -> PanelState {
    let page = match Route::parse(raw) {
        Ok(Route::Panel(p)) => p.page,
        Ok(Route::List(l)) => l.page,
        Err(_) => "volixta-bookings".to_owned(),
    };
    PanelState {
        page,
        booking_id: id,
        tab,
    }
}

/// What a refusal of the bookings domain becomes on the panel: the reasons beside the fields
/// it names, or a notice with its message. Anything else is not the form's to show.
fn refusal(e: ApiError, forms: &mut PanelForms) -> ApiResult<Option<Notice>> {
    match e {
        ApiError::Invalid {
            fields, message, ..
        } => {
            if fields.is_empty() {
                Ok(Some(Notice::refused(message)))
            } else {
                forms.errors.extend(fields);
                Ok(None)
            }
        }
        ApiError::Conflict {
            code: "insufficient_balance",
            message,
        } => {
            forms.errors.insert("amount".into(), message);
            Ok(None)
        }
        ApiError::Conflict { message, .. } => Ok(Some(Notice::refused(message))),
        other => Err(other),
    }
}

async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    actor: Actor,
    panel: &PanelState,
    notice: Option<Notice>,
    forms: PanelForms,
) -> ApiResult<Html<String>> {
    let screen =
        super::panel_screen(&state.db, actor, &locale(headers), panel, notice, forms).await?;
    page(state, headers, "admin/booking.html", &screen)
}

#[utoipa::path(post, path = "/v1/render/admin/booking/{id}/payment", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{amount, method: cash|card|bank_transfer|wallet, status: paid|pending, note}` as form strings"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the Payment tab rendered with its form: a resent form records nothing more")),
    description = "Records a payment on a booking through the bookings domain's idempotent payment path (as `POST /v1/bookings/{id}/payments`); answers the Payment tab with what was done, or with the domain's reasons beside the fields.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn record_payment(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<PaymentForm>::with_optional_body(request, &state).await?;
    let actor = request.actor;
    // Managers and employees: the bookings domain decides what each may do to which booking.
    actor.require_staff()?;
    let panel = panel_state(raw.as_deref(), id, PanelTab::Payment);
    let form = &request.command;
    let mut forms = PanelForms::default();
    let amount = typed_amount(&form.amount);
    if amount.is_none() {
        forms.errors.insert(
            "amount".into(),
            "Enter an amount above zero, like 25.00.".into(),
        );
    }
    let method = PaymentMethod::parse(&form.method).filter(|m| *m != PaymentMethod::Woocommerce);
    if method.is_none() {
        forms
            .errors
            .insert("method".into(), "Choose how it was paid.".into());
    }
    let status = match form.status.as_str() {
        "" | "paid" => Some(PaymentRowStatus::Paid),
        "pending" => Some(PaymentRowStatus::Pending),
        _ => None,
    };
    if status.is_none() {
        forms
            .errors
            .insert("status".into(), "Paid or pending.".into());
    }
    let mut notice = None;
    if let (Some(amount), Some(method), Some(status), true) =
        (amount, method, status, forms.errors.is_empty())
    {
        let db = &state.db;
        let input = PaymentInput {
            amount,
            method,
            status: Some(status),
            note: Some(form.note.clone()),
        };
        let outcome = async {
            let payment = &bookings::prepare_payment(db, actor, id, &input).await?;
            request
                .run(db, StatusCode::CREATED, |mut tx| async move {
                    let result = bookings::record_payment(&mut tx, db, actor, payment).await;
                    (tx, result)
                })
                .await
        }
        .await;
        match outcome {
            Ok(_) => {
                let paid = Formats::site_money(db, &locale(&headers), amount).await?;
                notice = Some(Notice::done("paid", paid, ""));
            }
            Err(e) => notice = refusal(e, &mut forms)?,
        }
    }
    if notice.is_none() && !forms.errors.is_empty() {
        forms.payment = request.command;
    }
    answer(&state, &headers, actor, &panel, notice, forms).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct CancelForm {
    reason: String,
}

#[utoipa::path(post, path = "/v1/render/admin/booking/{id}/cancel", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{reason}`, optional"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the Actions tab rendered with its form")),
    description = "Cancels a booking through the bookings domain's idempotent cancellation (refunding to the wallet as the settings say); answers the Actions tab with what was done or the domain's reason.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn cancel_booking(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<CancelForm>::with_optional_body(request, &state).await?;
    let actor = request.actor;
    // Managers and employees: the bookings domain decides what each may do to which booking.
    actor.require_staff()?;
    let panel = panel_state(raw.as_deref(), id, PanelTab::Actions);
    let mut forms = PanelForms::default();
    let notice = cancel(&state, id, request, &mut forms).await?;
    answer(&state, &headers, actor, &panel, notice, forms).await
}

/// Cancels booking `id` as `request.actor` may, through the bookings domain's idempotent
/// cancellation (refunding to the wallet as the settings say): what the booking panel says
/// after it, the domain's refusal beside the form. wp-admin and the client portal share it.
pub(crate) async fn cancel(
    state: &AppState,
    id: u64,
    request: Idempotent<CancelForm>,
    forms: &mut PanelForms,
) -> ApiResult<Option<Notice>> {
    let (db, actor) = (&state.db, request.actor);
    let reason = request.command.reason.trim().to_owned();
    let cancel = CancelRequest {
        reason: Some(reason.clone()).filter(|r| !r.is_empty()),
    };
    // What was paid before, to say what came back; the panel after it shows the refund row.
    let paid = bookings::details(db, actor, id)
        .await?
        .payment
        .refundable_to_wallet();
    let refunds = settings::load(db).await?.cancel_refund_to_wallet && !paid.is_zero();
    let outcome = async {
        let cancellation = &bookings::prepare_cancel(db, actor, id, &cancel).await?;
        request
            .run(db, StatusCode::OK, |mut tx| async move {
                let result = bookings::cancel(&mut tx, db, actor, cancellation).await;
                (tx, result)
            })
            .await
    }
    .await;
    Ok(match outcome {
        Ok(_) if refunds => {
            // Shared with the portal, which sends no site language here: the Settings locale
            // (else en_US) decides.
            let paid = Formats::site_money(db, &crate::i18n::Locale::parse(None), paid).await?;
            Some(Notice::done("cancelled", paid, "refunded"))
        }
        Ok(_) => Some(Notice::done("cancelled", "", "")),
        Err(e) => {
            forms.cancel_reason = reason;
            refusal(e, forms)?
        }
    })
}

#[utoipa::path(post, path = "/v1/render/admin/booking/{id}/options", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{addon_<id>: quantity, …}` as form strings; 0 or absent removes that add-on"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the Details tab rendered with its Options form")),
    description = "Sets a booking's add-ons through the bookings domain (as `POST /v1/bookings/{id}/options`); answers the Details tab with the new price, or with the domain's reasons beside the add-ons.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn change_options(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request =
        Idempotent::<BTreeMap<String, serde_json::Value>>::with_optional_body(request, &state)
            .await?;
    let actor = request.actor;
    actor.require_staff()?;
    let panel = panel_state(raw.as_deref(), id, PanelTab::Details);
    let db = &state.db;
    let mut forms = PanelForms::default();
    let mut choices = Vec::new();
    for (field, value) in &request.command {
        let Some(addon) = field
            .strip_prefix("addon_")
            .and_then(|a| a.parse::<u64>().ok())
        else {
            continue;
        };
        let typed = match value {
            serde_json::Value::String(s) if s.trim().is_empty() => Some(0),
            serde_json::Value::String(s) => s.trim().parse::<u32>().ok(),
            serde_json::Value::Number(n) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
            _ => None,
        };
        match typed {
            Some(0) => {}
            Some(quantity) => choices.push(AddonChoice {
                id: addon,
                quantity,
            }),
            None => {
                forms
                    .errors
                    .insert(field.clone(), "Enter a whole number.".into());
            }
        }
    }
    let mut notice = None;
    if forms.errors.is_empty() {
        let r = OptionsRequest {
            addons: choices.clone(),
        };
        let outcome = async {
            let change = &bookings::prepare_options(db, actor, id, &r).await?;
            request
                .run(db, StatusCode::OK, |mut tx| async move {
                    let result = bookings::change_options(&mut tx, db, actor, change).await;
                    (tx, result)
                })
                .await
        }
        .await;
        notice = match outcome {
            Ok(_) => Some(Notice::done("options", "", "")),
            Err(e) => {
                let notice = refusal(e, &mut forms)?;
                // The domain names an add-on by its place in the request; the form by its id.
                let named: BTreeMap<String, String> = std::mem::take(&mut forms.errors)
                    .into_iter()
                    .map(|(field, message)| {
                        let at = field
                            .strip_prefix("addons[")
                            .and_then(|f| f.strip_suffix(']'))
                            .and_then(|i| i.parse::<usize>().ok())
                            .and_then(|i| choices.get(i));
                        (at.map_or(field, |c| format!("addon_{}", c.id)), message)
                    })
                    .collect();
                forms.errors = named;
                notice
            }
        };
    }
    answer(&state, &headers, actor, &panel, notice, forms).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct StatusForm {
    status: String,
}

#[utoipa::path(post, path = "/v1/render/admin/booking/{id}/status", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{status: pending|confirmed|completed|no_show}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the Actions tab rendered with its buttons")),
    description = "Changes a booking's status as the bookings domain allows (as `POST /v1/bookings/{id}/status`); answers the Actions tab with what was done or the domain's reason.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn change_status(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<StatusForm>::with_optional_body(request, &state).await?;
    let actor = request.actor;
    // Managers and employees: the bookings domain decides what each may do to which booking.
    actor.require_staff()?;
    let panel = panel_state(raw.as_deref(), id, PanelTab::Actions);
    let db = &state.db;
    let mut forms = PanelForms::default();
    let notice = match Status::parse(&request.command.status) {
        None => Some(Notice::refused("Choose a status.")),
        Some(next) => {
            let outcome = async {
                bookings::prepare_status(db, actor, id, next).await?;
                request
                    .run(db, StatusCode::OK, |mut tx| async move {
                        let result = bookings::change_status(&mut tx, db, actor, id, next).await;
                        (tx, result)
                    })
                    .await
            }
            .await;
            match outcome {
                Ok(_) => Some(Notice::done("status", next.as_str(), "")),
                Err(e) => refusal(e, &mut forms)?,
            }
        }
    };
    answer(&state, &headers, actor, &panel, notice, forms).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct RescheduleForm {
    slot: String,
    timezone: String,
    date: String,
    month: String,
}

#[utoipa::path(post, path = "/v1/render/admin/booking/{id}/reschedule", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "The slot picker's fields: `{slot: START_STAFF_ID, timezone, date, month}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the Actions tab rendered with its form")),
    description = "Moves a booking to the slot chosen in the slot picker through the bookings domain (same id, payments and add-ons; as `POST /v1/bookings/{id}/reschedule`); answers the Actions tab with what was done, or with the domain's reason and the free slots nearest to the one refused.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn reschedule_booking(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<RescheduleForm>::with_optional_body(request, &state).await?;
    let actor = request.actor;
    // Managers and employees: the bookings domain decides what each may do to which booking.
    actor.require_staff()?;
    let panel = panel_state(raw.as_deref(), id, PanelTab::Actions);
    let mut forms = PanelForms::default();
    let notice = reschedule(&state, id, request, &mut forms).await?;
    answer(&state, &headers, actor, &panel, notice, forms).await
}

/// Moves booking `id` to the slot chosen in the slot picker as `request.actor` may, through
/// the bookings domain (same id, payments and add-ons): what the booking panel says after it,
/// or the domain's reason with the picker offering the free slots nearest to the one refused.
/// wp-admin and the client portal share it.
pub(crate) async fn reschedule(
    state: &AppState,
    id: u64,
    request: Idempotent<RescheduleForm>,
    forms: &mut PanelForms,
) -> ApiResult<Option<Notice>> {
    let (db, actor) = (&state.db, request.actor);
    let form = &request.command;
    let given = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    forms.picker = PickerChoice {
        timezone: given(&form.timezone),
        month: given(&form.month),
        date: chrono::NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").ok(),
        slot: None,
        near: None,
    };
    let Some(slot) = SlotChoice::parse(&form.slot) else {
        forms
            .errors
            .insert("slot".into(), "Choose a new time.".into());
        return Ok(None);
    };
    let change = RescheduleRequest {
        start: slot.start,
        staff_id: Some(slot.staff_id),
    };
    let outcome = async {
        let prepared = &bookings::prepare_reschedule(db, actor, id, &change).await?;
        request
            .run(db, StatusCode::OK, |mut tx| async move {
                let result = bookings::move_booking(&mut tx, db, actor, prepared).await;
                (tx, result)
            })
            .await
    }
    .await;
    match outcome {
        Ok(_) => {
            forms.picker = PickerChoice {
                timezone: forms.picker.timezone.take(),
                ..PickerChoice::default()
            };
            Ok(Some(Notice::done("rescheduled", "", "")))
        }
        Err(e) => {
            // Offer what is free around the time that was refused.
            forms.picker.near = Some(slot.start);
            refusal(e, forms)
        }
    }
}
