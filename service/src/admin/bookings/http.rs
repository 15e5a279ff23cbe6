use super::{CalendarState, PanelForms, PanelState, PanelTab, PaymentForm, PickerChoice, Route};
use crate::{
    admin::{
        http::{locale, page},
        picker::SlotChoice,
        profile::{Notice, typed_amount},
    },
    auth::Actor,
    bookings::{
        self, CancelRequest, PaymentInput, PaymentMethod, PaymentRowStatus, RescheduleRequest,
        Status,
    },
    error::{ApiError, ApiResult},
    idempotency::Idempotent,
    money::format_with_currency,
    settings,
    state::AppState,
};
use axum::{
    extract::{Path, RawQuery, Request, State},
    http::{HeaderMap, StatusCode},
    response::Html,
};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(bookings_screen))
        .routes(routes!(calendar_screen))
        .routes(routes!(record_payment))
        .routes(routes!(cancel_booking))
        .routes(routes!(change_status))
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
    let screen = super::calendar_screen(&state.db, &locale(&headers), &calendar).await?;
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
    actor.require_manager()?;
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
                let currency = settings::load(db).await?.currency;
                notice = Some(Notice::done(
                    "paid",
                    format_with_currency(amount, &currency),
                    "",
                ));
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
struct CancelForm {
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
    actor.require_manager()?;
    let panel = panel_state(raw.as_deref(), id, PanelTab::Actions);
    let db = &state.db;
    let mut forms = PanelForms::default();
    let reason = request.command.reason.trim().to_owned();
    let cancel = CancelRequest {
        reason: Some(reason.clone()).filter(|r| !r.is_empty()),
    };
    // What was paid before, to say what came back; the panel after it shows the refund row.
    let paid = bookings::details(db, actor, id).await?.payment.amount_paid;
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
    let notice = match outcome {
        Ok(_) if refunds => {
            let currency = settings::load(db).await?.currency;
            Some(Notice::done(
                "cancelled",
                format_with_currency(paid, &currency),
                "refunded",
            ))
        }
        Ok(_) => Some(Notice::done("cancelled", "", "")),
        Err(e) => {
            forms.cancel_reason = reason;
            refusal(e, &mut forms)?
        }
    };
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
    actor.require_manager()?;
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
struct RescheduleForm {
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
    actor.require_manager()?;
    let panel = panel_state(raw.as_deref(), id, PanelTab::Actions);
    let db = &state.db;
    let form = &request.command;
    let given = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let mut forms = PanelForms {
        picker: PickerChoice {
            timezone: given(&form.timezone),
            month: given(&form.month),
            date: chrono::NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").ok(),
            slot: None,
            near: None,
        },
        ..PanelForms::default()
    };
    let notice = match SlotChoice::parse(&form.slot) {
        None => {
            forms
                .errors
                .insert("slot".into(), "Choose a new time.".into());
            None
        }
        Some(slot) => {
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
                        timezone: forms.picker.timezone.clone(),
                        ..PickerChoice::default()
                    };
                    Some(Notice::done("rescheduled", "", ""))
                }
                Err(e) => {
                    // Offer what is free around the time that was refused.
                    forms.picker.near = Some(slot.start);
                    refusal(e, &mut forms)?
                }
            }
        }
    };
    answer(&state, &headers, actor, &panel, notice, forms).await
}
