use super::{BookForm, Booked, Outcome, Visitor};
use crate::{
    admin::{http::locale, picker::PickerQuery},
    auth::{self, Actor},
    bookings,
    error::{ApiError, ApiResult},
    idempotency::Idempotent,
    state::AppState,
};
use axum::{
    body::to_bytes,
    extract::{RawQuery, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(booking_form))
        .routes(routes!(slot_picker))
        .routes(routes!(book))
}

const TEMPLATE: &str = "booking_form.html";

/// Where the form's slot picker asks for itself again, through the plugin's proxy.
pub const PICKER_ROUTE: &str = "render/booking-form/slot-picker";

/// The header naming the client a visitor's booking created: the plugin links the WordPress
/// account it made to that client, and only then sends the welcome e-mail.
pub const NEW_CLIENT_HEADER: &str = "x-volixta-client-id";

/// The header in which the plugin names the site's portal page (`[volixta_customer_profile]`).
pub const PORTAL_HEADER: &str = "x-volixta-portal-url";

#[utoipa::path(get, path = "/v1/render/booking-form", tag = "booking form",
    description = "The public booking form of `[volixta_booking_form]` as an HTML fragment, for a visitor (`guest:0`), a client, or anyone else signed (who may look but not book). The query holds every choice so far, as for the New booking flow of wp-admin: `category_id`, `service_id`, `people`, `location_id`, `staff_id` (or `any`), `addons`, the slot picker's `timezone`, `month`, `date` and `slot`, the payment's `choice` (full, deposit) and `use_wallet` (`credits`: pay with the client's credits as far as they go), and `step` (service, addons, when, payment, review). The shortcode's attributes preselect the first ones.",
    responses((status = 200, content_type = "text/html", body = String)))]
async fn booking_form(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    let locale = locale(&headers);
    let flow = super::state(raw.as_deref());
    let online = crate::woocommerce::configured(&state.config);
    let form = super::form(&state.db, actor, &locale, flow, Outcome::default(), online).await?;
    Ok(Html(state.templates.render_in(TEMPLATE, &locale, &form)?))
}

#[utoipa::path(get, path = "/v1/render/booking-form/slot-picker", tag = "booking form",
    description = "The booking form's slot picker as an HTML fragment: the same picker as wp-admin's (`/v1/render/admin/slot-picker`, same query but `reschedule_booking_id`), offering what the caller may book (visitors and clients are bound by the booking notice and horizon), on the clock of the settings.",
    responses((status = 200, content_type = "text/html", body = String), (status = 404), (status = 422)))]
async fn slot_picker(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    let mut q = PickerQuery::parse(raw.as_deref())?;
    q.reschedule_booking_id = None;
    let locale = locale(&headers);
    let mut picker = crate::admin::picker::view(&state.db, actor, &locale, &q).await?;
    picker.route = PICKER_ROUTE;
    Ok(Html(state.templates.render_in(
        "admin/_slot_picker.html",
        &locale,
        &serde_json::json!({ "picker": picker }),
    )?))
}

#[utoipa::path(post, path = "/v1/render/booking-form/book", tag = "booking form",
    request_body(content = String, content_type = "application/json", description = "The last step's fields as strings: `first_name`, `last_name`, `email`, `phone` (a visitor's details; a client's come from its profile), `notes`, and the honeypot `website`, which must stay empty. The plugin adds `wp_user_id` (the WordPress account it made or reuses for a visitor) or `existing_account: true`. The query string holds the choices, as for the form."),
    params(
        ("Idempotency-Key" = Option<String>, Header, description = "the key the last step rendered with its form: a resent post books nothing more and answers the same page"),
        ("X-Volixta-Client-Ip" = Option<String>, Header, description = "the visitor's address, for the per-address limit")),
    description = "Books what the form's query describes. A client books for itself. A visitor (`guest:0`) becomes a client: in one transaction the e-mail is checked unused by any client, the client is created linked to `wp_user_id`, and the booking placed; the answer then carries `X-Volixta-Client-Id`. Answers the form's last page, or the step a refusal concerns with the reason: the time step with the nearest free times when the slot was taken, the details with a request to log in when the e-mail is known (one answer for every kind of known e-mail), the field errors. A filled honeypot → 422 `rejected`; more than the allowed bookings per address or e-mail in an hour → 429; an actor that is neither a visitor nor a client → 403. Nothing is written then.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422), (status = 429)))]
async fn book(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Response> {
    let headers = request.headers().clone();
    let request = Idempotent::<BookForm>::with_optional_body(request, &state).await?;
    let actor = request.actor;
    let locale = locale(&headers);
    let db = &state.db;
    let mut flow = super::state(raw.as_deref());
    let post = &request.command;
    let online = crate::woocommerce::configured(&state.config);
    let checked = match super::check(db, actor, &mut flow, post, online).await? {
        Ok(checked) => checked,
        Err(outcome) => return render(&state, actor, &locale, flow, outcome).await,
    };
    let visitor = checked.visitor;
    // A resent post (same key) gets its first answer again and books nothing, so it is not
    // another attempt: the key is looked at before the limits count it.
    if visitor == Visitor::Guest && !request.is_answered_repeat(db).await? {
        super::throttle(db, &post.email, auth::visitor_address(&headers).as_deref()).await?;
    }
    let placement = &checked.placement;
    let outcome = request
        .run(db, StatusCode::OK, |mut tx| async move {
            let result = match visitor {
                Visitor::Guest => super::book_newcomer(&mut tx, db, actor, post, placement).await,
                _ => bookings::place(&mut tx, db, actor, placement)
                    .await
                    .map(|b| Booked::of(&b))
                    .map_err(Into::into),
            };
            (tx, result)
        })
        .await;
    let response = match outcome {
        Ok(response) => response,
        Err(e @ (ApiError::Invalid { .. } | ApiError::Conflict { .. })) => {
            let mut flow = flow;
            let outcome = Outcome {
                typed: post.typed(),
                ..Outcome::default()
            };
            let outcome = super::refused(e, outcome);
            if outcome.step == Some(crate::admin::new_booking::Step::When) {
                flow.near = flow.slot.map(|s| s.start);
                flow.slot = None;
            }
            return render(&state, actor, &locale, flow, outcome).await;
        }
        Err(e) => return Err(e),
    };
    // The answer is what the booking's transaction stored: fresh, or replayed for a resent key.
    let bytes = to_bytes(response.into_body(), 1 << 20)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let booked: Booked = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("the booking's answer: {e}")))?;
    let newcomer = visitor == Visitor::Guest;
    let welcome_to = newcomer.then(|| post.typed().email);
    let timezone = flow.timezone.clone();
    let mut form = super::done(db, actor, &locale, flow, &booked, welcome_to).await?;
    let mut redirect = None;
    if let Some(done) = form.done.as_mut() {
        done.portal = portal_link(&headers);
        if checked.pays_online {
            let payer = match visitor {
                // The visitor is the client the booking just made: its account pays.
                Visitor::Guest => Actor {
                    role: auth::Role::Client,
                    wp_user_id: post.wp_user_id.unwrap_or_default(),
                },
                _ => actor,
            };
            let back = crate::portal::http::booking_payment_return(
                &headers,
                booked.booking_id,
                timezone.as_deref(),
            );
            match crate::woocommerce::checkout_booking(
                &state,
                payer,
                booked.booking_id,
                back.as_deref(),
            )
            .await
            {
                Ok(c) => {
                    done.pay_now = Some(form_money(db, &locale, c.amount).await?);
                    redirect = Some(c.payment_url.clone());
                    done.payment_url = Some(c.payment_url);
                }
                // Paid already: a resent post after the payment shows the booking as it is.
                Err(crate::woocommerce::WooError::NothingDue) => {}
                Err(e) => {
                    // The booking stands whatever the store does; the portal offers to pay.
                    tracing::warn!(booking = booked.booking_id, error = %e, "the booking form's checkout failed");
                    done.payment_failed = true;
                }
            }
        }
    }
    let html = Html(state.templates.render_in(TEMPLATE, &locale, &form)?);
    let mut response = html.into_response();
    if newcomer {
        response
            .headers_mut()
            .insert(NEW_CLIENT_HEADER, HeaderValue::from(booked.client_id));
    }
    if let Some(url) = redirect
        && let Ok(value) = HeaderValue::from_str(&url)
    {
        response
            .headers_mut()
            .insert(crate::portal::http::REDIRECT_HEADER, value);
    }
    Ok(response)
}

/// An amount as the form shows money.
async fn form_money(
    db: &crate::db::Db,
    locale: &crate::i18n::Locale,
    amount: crate::money::Money,
) -> ApiResult<String> {
    let settings = crate::settings::load(db).await?;
    Ok(crate::admin::display::Formats::of(&settings, locale).money(amount))
}

/// The portal page the plugin names, linked from the done page: a plain web address only.
pub fn portal_link(headers: &HeaderMap) -> Option<String> {
    crate::links::named_page(headers, PORTAL_HEADER)
}

async fn render(
    state: &AppState,
    actor: Actor,
    locale: &crate::i18n::Locale,
    flow: crate::admin::new_booking::FlowState,
    outcome: Outcome,
) -> ApiResult<Response> {
    let online = crate::woocommerce::configured(&state.config);
    let form = super::form(&state.db, actor, locale, flow, outcome, online).await?;
    Ok(Html(state.templates.render_in(TEMPLATE, locale, &form)?).into_response())
}
