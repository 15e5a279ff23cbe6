//! The portal's routes: the page (`GET /v1/render/customer_profile`, fixed by the contract), the
//! slot picker's own navigation, and the forms of the page. Every form answers the whole portal
//! again (in the state its query names) with what was done or the domain's reason beside the
//! field; each runs through its domain's idempotent path, keyed by the form's rendered key.
use super::{PortalForms, PortalState, ProfileForm};
use crate::{
    admin::{
        bookings::http::{CancelForm, RescheduleForm, cancel, reschedule},
        http::locale,
        picker::{self, PickerQuery},
        profile::Notice,
    },
    auth::Actor,
    bookings, clients,
    error::{ApiError, ApiResult},
    gift_codes::http::RedeemRequest,
    idempotency::Idempotent,
    state::AppState,
};
use axum::{
    extract::{Path, RawQuery, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(render_customer_profile))
        .routes(routes!(slot_picker))
        .routes(routes!(cancel_booking))
        .routes(routes!(reschedule_booking))
        .routes(routes!(redeem_gift_code))
        .routes(routes!(save_profile))
        .routes(routes!(pay_booking))
        .routes(routes!(top_up))
        .routes(routes!(buy_package))
}

async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    actor: Actor,
    view: &PortalState,
    mut forms: PortalForms,
) -> ApiResult<Html<String>> {
    let locale = locale(headers);
    forms.booking_form_url = crate::links::named_page(headers, BOOKING_FORM_HEADER);
    let screen = super::portal(state, actor, &locale, view, forms).await?;
    Ok(Html(state.templates.render_in(
        "customer_profile.html",
        &locale,
        &screen,
    )?))
}

#[utoipa::path(get, path = "/v1/render/customer_profile", tag = "portal",
    description = "The client portal of `[volixta_customer_profile]` for the client the actor is: upcoming bookings as cards and a calendar of the days with bookings, the history (`from`, `to` as dates, `status`, `payment_status`, `cursor`), a booking's sheet (`booking`, `tab`: details, customer, payment, actions; another client's booking is 404), the wallet (`wallet`: movements before this id), the profile form. Times in `tz` (an IANA zone; the business's when absent). Unknown keys are ignored.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn render_customer_profile(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    let view = PortalState::parse(raw.as_deref());
    answer(&state, &headers, actor, &view, PortalForms::default()).await
}

#[utoipa::path(get, path = "/v1/render/portal/slot-picker", tag = "portal",
    description = "The slot picker of a booking's Reschedule tab in the portal (the same picker and query as `GET /v1/render/admin/slot-picker`), for the client's own booking `reschedule_booking_id` only; slots as this client may book them (notice and hours apply).",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn slot_picker(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    clients::own_client_id(&state.db, actor).await?;
    let q = PickerQuery::parse(raw.as_deref())?;
    // A client picks only a new time for one of its own bookings.
    let booking = q.reschedule_booking_id.ok_or(ApiError::NotFound)?;
    bookings::may_look_past(&state.db, actor, booking).await?;
    let locale = locale(&headers);
    let mut picker = picker::view(&state.db, actor, &locale, &q).await?;
    picker.route = super::PICKER_ROUTE;
    Ok(Html(state.templates.render_in(
        "admin/_slot_picker.html",
        &locale,
        &serde_json::json!({ "picker": picker }),
    )?))
}

/// The portal a form was posted from (its query), with the sheet of `id` open on Actions.
fn actions_of(raw: Option<&str>, id: u64) -> PortalState {
    let mut view = PortalState::parse(raw);
    view.booking = Some(id);
    view.tab = crate::admin::bookings::PanelTab::Actions;
    view
}

#[utoipa::path(post, path = "/v1/render/portal/booking/{id}/cancel", tag = "portal",
    request_body(content = String, content_type = "application/json", description = "`{reason}`, optional"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the Actions tab rendered with its form")),
    description = "The client cancels its own booking within its permission level and the minimum change notice (the bookings domain's cancellation, refunding to the wallet as the settings say); answers the portal with the sheet's Actions tab saying what was done, or why not.",
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
    clients::own_client_id(&state.db, actor).await?;
    let mut forms = PortalForms::default();
    forms.sheet_notice = cancel(&state, id, request, &mut forms.sheet).await?;
    answer(
        &state,
        &headers,
        actor,
        &actions_of(raw.as_deref(), id),
        forms,
    )
    .await
}

#[utoipa::path(post, path = "/v1/render/portal/booking/{id}/reschedule", tag = "portal",
    request_body(content = String, content_type = "application/json", description = "The slot picker's fields: `{slot: START_STAFF_ID, timezone, date, month}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the Actions tab rendered with its form")),
    description = "The client moves its own booking to a slot the picker offered, within its permission level and the minimum change notice; answers the portal with the sheet's Actions tab saying what was done, or the domain's reason and the nearest free slots.",
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
    clients::own_client_id(&state.db, actor).await?;
    let mut forms = PortalForms::default();
    forms.sheet_notice = reschedule(&state, id, request, &mut forms.sheet).await?;
    answer(
        &state,
        &headers,
        actor,
        &actions_of(raw.as_deref(), id),
        forms,
    )
    .await
}

#[utoipa::path(post, path = "/v1/render/portal/gift-code", tag = "portal",
    request_body(content = String, content_type = "application/json", description = "`{code}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the wallet's form rendered with")),
    description = "The client redeems a gift code (as `POST /v1/gift-codes/redeem`, throttled the same way); answers the portal with the new balance, or the reason beside the field.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn redeem_gift_code(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<RedeemRequest>::with_optional_body(request, &state).await?;
    let actor = request.actor;
    clients::own_client_id(&state.db, actor).await?;
    let typed = request.command.code.clone();
    let mut forms = PortalForms::default();
    if typed.trim().is_empty() {
        forms.gift_error = Some("Type the code from your gift card.".into());
    } else {
        match crate::gift_codes::http::redeem(&state, &headers, request).await {
            Ok(_) => forms.notice = Some(Notice::done("code_applied", "", "")),
            Err(e) => {
                forms.gift_error = Some(refused(e)?);
                forms.gift_code = typed;
            }
        }
    }
    let view = PortalState::parse(raw.as_deref());
    answer(&state, &headers, actor, &view, forms).await
}

/// What a refusal says to the client; anything but a refusal is not the form's to show.
fn refused(e: ApiError) -> ApiResult<String> {
    match e {
        ApiError::Invalid { message, .. } | ApiError::Conflict { message, .. } => Ok(message),
        ApiError::TooManyRequests => Ok("Too many wrong codes. Try again in a few minutes.".into()),
        other => Err(other),
    }
}

#[utoipa::path(post, path = "/v1/render/portal/profile", tag = "portal",
    request_body(content = String, content_type = "application/json", description = "`{first_name, last_name, phone, street, zip, city, avatar, avatar_image}`: `avatar` a default avatar's name, `upload` or empty; `avatar_image` a new photo as a `data:` URL"),
    description = "The client edits its own profile fields through the clients domain (which refuses any other), then stores a photo chosen with it; answers the portal with what was saved, or the reasons beside the fields and nothing saved.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn save_profile(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    // Saving the same fields twice is the same profile, so the key is read but needs no claim.
    let request = Idempotent::<ProfileForm>::with_optional_body(request, &state).await?;
    let actor = request.actor;
    let db = &state.db;
    let client_id = clients::own_client_id(db, actor).await?;
    let form = request.command;
    // Both checked before anything is written: a bad photo saves no name either.
    let checked = form
        .input()
        .and_then(|input| form.photo().map(|photo| (input, photo)));
    let saved = match checked {
        Err(e) => Err(e),
        Ok((input, photo)) => match clients::update(db, actor, client_id, input).await {
            Ok(_) => match photo {
                Some(image) => clients::upload_avatar(db, actor, client_id, &image)
                    .await
                    .map(drop)
                    .map_err(ApiError::from),
                None => Ok(()),
            },
            Err(e) => Err(e.into()),
        },
    };
    let mut forms = PortalForms::default();
    match saved {
        Ok(()) => forms.notice = Some(Notice::done("saved", "", "")),
        Err(ApiError::Invalid { fields, .. }) if !fields.is_empty() => {
            forms.profile_errors = fields;
            forms.profile = Some(form);
        }
        Err(e) => {
            forms.notice = Some(Notice::refused(refused(e)?));
            forms.profile = Some(form);
        }
    }
    let view = PortalState::parse(raw.as_deref());
    answer(&state, &headers, actor, &view, forms).await
}

/// The site's booking form page, which the plugin names on every portal request.
pub const BOOKING_FORM_HEADER: &str = "x-volixta-booking-form-url";

/// The header that makes htmx leave the page for the store's payment page (the plugin's proxy
/// passes it on for a web address only).
pub const REDIRECT_HEADER: &str = "hx-redirect";

/// Where the store sends the client back after paying: the portal page the plugin names
/// (`X-Volixta-Portal-Url`), opened at `then` (a query and/or an anchor of the portal).
fn return_to(headers: &HeaderMap, then: &str) -> Option<String> {
    let portal = crate::booking_form::http::portal_link(headers)?;
    Some(match then.strip_prefix('?') {
        Some(query) => crate::links::with_query(&portal, query),
        None => format!("{}{then}", portal.split('#').next().unwrap_or_default()),
    })
}

/// Where the store sends a client back after paying a booking: the booking's Payment tab in the
/// portal page the plugin names, read in `tz` (the zone the booking form showed times in).
pub fn booking_payment_return(
    headers: &HeaderMap,
    booking_id: u64,
    tz: Option<&str>,
) -> Option<String> {
    let view = PortalState {
        tz: tz.and_then(|z| z.parse().ok()),
        booking: Some(booking_id),
        tab: crate::admin::bookings::PanelTab::Payment,
        ..PortalState::default()
    };
    return_to(headers, &format!("?{}", view.query()))
}

/// What a pay button answers: on an order, the portal with a link to its payment page and the
/// redirect header that takes the browser there; on a refusal, the portal saying why.
async fn to_payment(
    state: &AppState,
    headers: &HeaderMap,
    actor: Actor,
    view: &PortalState,
    mut forms: PortalForms,
    checkout: Result<crate::woocommerce::Checkout, crate::woocommerce::WooError>,
) -> ApiResult<Response> {
    use crate::woocommerce::WooError;
    let url = match checkout {
        Ok(c) => Some(c.payment_url),
        Err(e) => {
            let reason = match e {
                WooError::NotConfigured => "Paying online is not available at the moment.",
                WooError::NothingDue => "Nothing is left to pay.",
                WooError::NotForSale => "This package is no longer for sale.",
                WooError::Busy => "Your order is being prepared. Please try again in a moment.",
                WooError::Store(_) => {
                    "The shop could not be reached. Please try again in a few minutes."
                }
                // Another client's booking stays not found; a domain's refusal is said.
                other => {
                    forms.notice = Some(Notice::refused(refused(other.into())?));
                    return Ok(answer(state, headers, actor, view, forms)
                        .await?
                        .into_response());
                }
            };
            forms.notice = Some(Notice::refused(reason));
            None
        }
    };
    let Some(url) = url else {
        return Ok(answer(state, headers, actor, view, forms)
            .await?
            .into_response());
    };
    forms.notice = Some(Notice::done("to_payment", "", ""));
    forms.payment_url = Some(url.clone());
    let mut response = answer(state, headers, actor, view, forms)
        .await?
        .into_response();
    if let Ok(value) = HeaderValue::from_str(&url) {
        response.headers_mut().insert(REDIRECT_HEADER, value);
    }
    Ok(response)
}

#[utoipa::path(post, path = "/v1/render/portal/booking/{id}/pay", tag = "portal",
    params(("X-Volixta-Portal-Url" = Option<String>, Header, description = "the portal page, where the store sends the client back after paying")),
    description = "The client pays what is left on its own booking through WooCommerce (`POST /v1/bookings/{id}/checkout`: the same order while it is unpaid). Answers the portal with a link to the order's payment page and `HX-Redirect` to it, or the reason nothing can be paid. The order returns the client to the booking's Payment tab.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn pay_booking(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    clients::own_client_id(&state.db, actor).await?;
    let mut view = PortalState::parse(raw.as_deref());
    view.booking = Some(id);
    view.tab = crate::admin::bookings::PanelTab::Payment;
    let back = return_to(&headers, &format!("?{}", view.query()));
    let checkout = crate::woocommerce::checkout_booking(&state, actor, id, back.as_deref()).await;
    to_payment(
        &state,
        &headers,
        actor,
        &view,
        PortalForms::default(),
        checkout,
    )
    .await
}

/// The top-up form as sent: the amount as typed, checked here so a bad one is said beside it.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct TopUpForm {
    pub amount: String,
}

#[utoipa::path(post, path = "/v1/render/portal/top-up", tag = "portal",
    request_body(content = String, content_type = "application/json", description = "`{amount}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the wallet's form rendered with: a resent form is the same top-up"),
        ("X-Volixta-Portal-Url" = Option<String>, Header, description = "the portal page, where the store sends the client back after paying")),
    description = "The client asks to top up its wallet by `amount` (the wallet's pending top-up, `POST /v1/clients/{id}/wallet/top-ups`) and pays it through WooCommerce: answers the portal with a link to the order's payment page and `HX-Redirect` to it; a bad amount is said beside the field and nothing is stored. The credits are added once the store confirms the payment.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn top_up(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Response> {
    let headers = request.headers().clone();
    let request = Idempotent::<TopUpForm>::with_optional_body(request, &state).await?;
    let actor = request.actor;
    let db = &state.db;
    let client_id = clients::own_client_id(db, actor).await?;
    let view = PortalState::parse(raw.as_deref());
    let typed = request.command.amount.trim().to_owned();
    let mut forms = PortalForms {
        top_up_amount: typed.clone(),
        ..PortalForms::default()
    };
    if state.config.wc_url.is_none() {
        return to_payment(
            &state,
            &headers,
            actor,
            &view,
            forms,
            Err(crate::woocommerce::WooError::NotConfigured),
        )
        .await;
    }
    let amount = typed
        .parse::<crate::money::Money>()
        .map_err(|_| "Enter an amount like 50.00.".to_owned())
        .and_then(|a| {
            crate::wallet::top_up_amount(a).map_err(|e| match ApiError::from(e) {
                ApiError::Invalid { message, .. } | ApiError::Conflict { message, .. } => message,
                other => other.to_string(),
            })
        });
    let amount = match amount {
        Ok(a) => a,
        Err(message) => {
            forms.top_up_error = Some(message);
            return Ok(answer(&state, &headers, actor, &view, forms)
                .await?
                .into_response());
        }
    };
    let stored = request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = crate::wallet::request_top_up(&mut tx, db, actor, client_id, amount).await;
            (tx, result)
        })
        .await?;
    let bytes = axum::body::to_bytes(stored.into_body(), 1 << 16)
        .await
        .map_err(|e| ApiError::Internal(e.into()))?;
    let top_up_id = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|v| v["id"].as_u64())
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a top-up without an id")))?;
    let back = return_to(
        &headers,
        &format!("?{}#volixta-portal-wallet", view.query()),
    );
    let checkout =
        crate::woocommerce::checkout_top_up(&state, actor, top_up_id, back.as_deref()).await;
    forms.top_up_amount.clear();
    to_payment(&state, &headers, actor, &view, forms, checkout).await
}

#[utoipa::path(post, path = "/v1/render/portal/package/{id}/buy", tag = "portal",
    params(("X-Volixta-Portal-Url" = Option<String>, Header, description = "the portal page, where the store sends the client back after paying")),
    description = "The client buys a package on sale through WooCommerce (`POST /v1/packages/{id}/checkout`: the same order while it is unpaid); answers the portal with a link to the order's payment page and `HX-Redirect` to it, or why it cannot be bought. The package is the client's once the store confirms the payment.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn buy_package(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Response> {
    let client_id = clients::own_client_id(&state.db, actor).await?;
    let view = PortalState::parse(raw.as_deref());
    let back = return_to(
        &headers,
        &format!("?{}#volixta-portal-packages", view.query()),
    );
    let checkout =
        crate::woocommerce::checkout_package(&state, actor, id, client_id, back.as_deref()).await;
    to_payment(
        &state,
        &headers,
        actor,
        &view,
        PortalForms::default(),
        checkout,
    )
    .await
}
