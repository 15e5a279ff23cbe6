use super::{
    Action, BulkForm, ClientsQuery,
    client::{self, Saved, WalletForms},
    clientdata,
    display::Formats,
    form::ClientForm,
    profile::{AdjustState, Notice, ProfileQuery, Route, Tab, typed_amount},
};
use crate::{
    auth::Actor,
    clients,
    error::{ApiError, ApiResult},
    i18n::Locale,
    idempotency::Idempotent,
    money::Money,
    state::AppState,
    wallet::{self, Adjustment},
};
use axum::{
    body::Bytes,
    extract::{Path, RawQuery, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(clients_screen))
        .routes(routes!(clients_bulk))
        .routes(routes!(clients_row_action))
        .routes(routes!(create_client))
        .routes(routes!(update_client))
        .routes(routes!(adjust_wallet))
        .routes(routes!(apply_gift_code))
        .routes(routes!(change_group))
        .merge(super::picker::http::routes())
        .merge(super::new_booking::http::routes())
        .merge(super::setup::routes())
        .merge(super::credits::http::routes())
        .merge(super::invoices::http::routes())
        .merge(super::packages::http::routes())
        .merge(super::staff::http::routes())
        .merge(super::activity::routes())
        .merge(super::payments::routes())
        .merge(super::bookings::http::routes())
        .merge(super::my_bookings::http::routes())
        .merge(super::clientdata::http::routes())
        .merge(super::emails::routes())
        .merge(super::marketing::routes())
        .merge(super::webhooks::routes())
}

/// The site's locale, as the plugin sends it (`X-Volixta-Locale: de_DE`).
pub(crate) fn locale(headers: &HeaderMap) -> Locale {
    Locale::parse(
        headers
            .get("x-volixta-locale")
            .and_then(|v| v.to_str().ok()),
    )
}

async fn render(
    state: &AppState,
    headers: &HeaderMap,
    query: &ClientsQuery,
    outcome: Option<super::Outcome>,
) -> ApiResult<Html<String>> {
    let screen = super::clients_screen(&state.db, query, outcome).await?;
    let html = state
        .templates
        .render_in("admin/clients.html", &locale(headers), &screen)?;
    Ok(Html(html))
}

#[utoipa::path(get, path = "/v1/render/admin/clients", tag = "admin",
    description = "The Clients screen of wp-admin as an HTML fragment. Takes the filters of `GET /v1/clients` (repeated or comma-separated), `view=deleted` for the deleted clients, and `X-Volixta-Locale` for the language. With `client=<id>` it is that client's profile (`tab`: profile, wallet, bookings, rewards, groups, activity, each with its filters); with `action=new`, or `action=edit&client=<id>`, the client form; `action=duplicates` the likely duplicates; `action=merge&client=<id>&with=<id>` two profiles side by side to merge (without `with`, a `search` for the other one); `action=import` the CSV import (`import=<id>`: the steps of an uploaded file).",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422)))]
async fn clients_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    match Route::parse(raw.as_deref())? {
        Route::List => {
            let query = ClientsQuery::parse(raw.as_deref())?;
            render(&state, &headers, &query, None).await
        }
        Route::Profile(q) => {
            let screen = client::profile_screen(
                &state.db,
                &locale(&headers),
                &q,
                None,
                WalletForms::default(),
            )
            .await?;
            page(&state, &headers, "admin/client.html", &screen)
        }
        Route::New { page: slug } => {
            let screen = client::form_screen(&state.db, &slug, None).await?;
            page(&state, &headers, "admin/client_form.html", &screen)
        }
        Route::Edit {
            page: slug,
            client_id,
        } => {
            let screen = client::form_screen(&state.db, &slug, Some(client_id)).await?;
            page(&state, &headers, "admin/client_form.html", &screen)
        }
        Route::Duplicates { page: slug } => {
            let screen = clientdata::merge::duplicates_screen(&state.db, &slug, None).await?;
            page(&state, &headers, "admin/client_duplicates.html", &screen)
        }
        Route::Merge {
            page: slug,
            client_id,
            with,
            search,
        } => {
            let q = clientdata::merge::MergeQuery {
                page: &slug,
                client_id,
                with,
                search: &search,
                keep: None,
            };
            let screen =
                clientdata::merge::merge_screen(&state.db, &locale(&headers), &q, None).await?;
            page(&state, &headers, "admin/client_merge.html", &screen)
        }
        Route::Import {
            page: slug,
            import_id: None,
        } => page(
            &state,
            &headers,
            "admin/client_import.html",
            &clientdata::import::ImportScreen::upload(&slug),
        ),
        Route::Import {
            page: slug,
            import_id: Some(id),
        } => {
            let screen = clientdata::import::import_screen(&state.db, &slug, id, None).await?;
            page(&state, &headers, "admin/client_import.html", &screen)
        }
    }
}

pub(super) fn page<T: serde::Serialize>(
    state: &AppState,
    headers: &HeaderMap,
    template: &str,
    view: &T,
) -> ApiResult<Html<String>> {
    Ok(Html(state.templates.render_in(
        template,
        &locale(headers),
        view,
    )?))
}

/// The profile state a form posted from (its query string), for the given client and tab.
fn profile_query(raw: Option<&str>, id: u64, tab: Tab) -> ApiResult<ProfileQuery> {
    let mut full = format!("client={id}&tab=");
    full.push_str(match tab {
        Tab::Wallet => "wallet",
        Tab::Groups => "groups",
        _ => "profile",
    });
    for (key, value) in form_urlencoded::parse(raw.unwrap_or("").as_bytes()) {
        if !matches!(key.as_ref(), "client" | "tab" | "action") {
            full.push('&');
            full.push_str(
                &form_urlencoded::Serializer::new(String::new())
                    .append_pair(&key, &value)
                    .finish(),
            );
        }
    }
    match Route::parse(Some(&full))? {
        Route::Profile(q) => Ok(q),
        _ => Err(ApiError::NotFound),
    }
}

pub(super) fn form_body<T: serde::de::DeserializeOwned + Default>(body: &Bytes) -> ApiResult<T> {
    // The plugin sends no body when the form had no field to send.
    if body.trim_ascii().is_empty() {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| ApiError::invalid("invalid_body", e.to_string()))
}

/// The screen after a save. A saved client is named in `X-Volixta-Client-Id`, by which the
/// plugin knows the save happened (and links, or removes, a WordPress account it made for it).
fn save_answer(
    state: &AppState,
    headers: &HeaderMap,
    saved: Saved,
    client_id: Option<u64>,
) -> ApiResult<Response> {
    let html = match saved {
        Saved::Profile(screen) => page(state, headers, "admin/client.html", &screen),
        Saved::Form(screen) => page(state, headers, "admin/client_form.html", &screen),
    }?;
    let mut response = html.into_response();
    if let Some(id) = client_id {
        response
            .headers_mut()
            .insert("x-volixta-client-id", HeaderValue::from(id));
    }
    Ok(response)
}

fn slug(raw: Option<&str>) -> String {
    match Route::parse(raw) {
        Ok(Route::New { page } | Route::Edit { page, .. }) => page,
        Ok(Route::Profile(q)) => q.page,
        _ => "volixta-clients".to_owned(),
    }
}

#[utoipa::path(post, path = "/v1/render/admin/client/save", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "The client form's fields as strings (checkboxes present when ticked); `then=another` for \"Save and add another\"; `preload_credits` (an amount) for the new wallet; `avatar_image` (a `data:` URL of a photo); `wp_account=link` with `wp_user_id`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the form was rendered with: a form sent twice creates one client and credits it once")),
    description = "Creates a client from the form, with its preloaded credits in the same transaction, then stores its photo. Answers its profile (with `X-Volixta-Client-Id`), a blank form for the next client, or the form again with the service's reasons beside the fields.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422)))]
async fn create_client(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Response> {
    let headers = request.headers().clone();
    let request = Idempotent::<ClientForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let (saved, created) = client::create_client(
        &state.db,
        &locale(&headers),
        &request,
        &slug(raw.as_deref()),
    )
    .await?;
    save_answer(&state, &headers, saved, created)
}

#[utoipa::path(post, path = "/v1/render/admin/client/{id}/save", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "The client form's fields as strings (checkboxes present when ticked); `avatar_image` (a `data:` URL of a photo); `wp_account` = link (with `wp_user_id`) or unlink"),
    description = "Saves the edit form of a client, then stores a photo chosen with it. Answers its profile (with `X-Volixta-Client-Id`), or the form again with the service's reasons beside the fields.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn update_client(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Response> {
    actor.require_manager()?;
    let form: ClientForm = form_body(&body)?;
    let (saved, client_id) = client::update_client(
        &state.db,
        &locale(&headers),
        actor,
        &slug(raw.as_deref()),
        id,
        form,
    )
    .await?;
    save_answer(&state, &headers, saved, client_id)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AdjustForm {
    /// `credit` or `debit`.
    direction: String,
    amount: String,
    reason: String,
}

#[utoipa::path(post, path = "/v1/render/admin/client/{id}/wallet", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{direction: credit|debit, amount, reason}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the wallet tab rendered with its form: a resent form changes nothing more")),
    description = "Adds credits to a client's wallet or takes them off, on the wallet's idempotent adjustment path; answers the wallet tab (its query string keeps the filters) with what was done, or with the reasons beside the fields.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn adjust_wallet(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<AdjustForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let q = profile_query(raw.as_deref(), id, Tab::Wallet)?;
    let form = &request.command;
    let debit = form.direction == "debit";
    let mut adjust = AdjustState {
        direction: if debit { "debit" } else { "credit" }.to_owned(),
        amount: form.amount.clone(),
        reason: form.reason.clone(),
        errors: Default::default(),
    };
    let amount = typed_amount(&form.amount);
    if amount.is_none() {
        adjust.errors.insert(
            "amount".into(),
            "Enter an amount above zero, like 25.00.".into(),
        );
    }
    if form.reason.trim().is_empty() {
        adjust
            .errors
            .insert("reason".into(), "Say why, for the client's history.".into());
    }
    let db = &state.db;
    let mut notice = None;
    if let (Some(amount), true) = (amount, adjust.errors.is_empty()) {
        let signed = if debit {
            Money::round(-amount.amount())
        } else {
            amount
        };
        let adjustment = &Adjustment::new(id, signed, Some(form.reason.as_str()))?;
        let actor = request.actor;
        let outcome = request
            .run(db, StatusCode::CREATED, |mut tx| async move {
                let result = wallet::adjust(&mut tx, db, actor, adjustment).await;
                (tx, result)
            })
            .await;
        match outcome {
            Ok(_) => {
                let fmt = Formats::load(db, &locale(&headers)).await?;
                let balance = clients::get(db, id).await?.wallet_balance;
                notice = Some(Notice::done(
                    if debit { "debited" } else { "credited" },
                    fmt.money(amount),
                    fmt.money(balance),
                ));
                adjust = AdjustState::default();
            }
            Err(ApiError::Invalid {
                fields, message, ..
            }) => {
                if fields.is_empty() {
                    notice = Some(Notice::refused(message));
                } else {
                    adjust.errors.extend(fields);
                }
            }
            Err(ApiError::Conflict {
                code: "insufficient_balance",
                message,
            }) => {
                adjust.errors.insert("amount".into(), message);
            }
            Err(ApiError::Conflict { message, .. }) => notice = Some(Notice::refused(message)),
            Err(e) => return Err(e),
        }
    }
    let forms = WalletForms {
        adjust,
        code_error: None,
    };
    let screen = client::profile_screen(db, &locale(&headers), &q, notice, forms).await?;
    page(&state, &headers, "admin/client.html", &screen)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CodeForm {
    gift_code_id: String,
}

#[utoipa::path(post, path = "/v1/render/admin/client/{id}/gift-code", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{gift_code_id}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the wallet tab rendered with its form")),
    description = "Applies a gift code to the client (as `POST /v1/gift-codes/{id}/apply`); answers the wallet tab with what was done or why not.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn apply_gift_code(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<CodeForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let q = profile_query(raw.as_deref(), id, Tab::Wallet)?;
    let db = &state.db;
    let mut forms = WalletForms::default();
    let mut notice = None;
    match request.command.gift_code_id.trim().parse::<u64>() {
        Err(_) => forms.code_error = Some("Choose a gift code.".into()),
        Ok(code_id) => match super::apply_code(&request, db, &locale(&headers), code_id, id).await?
        {
            Ok(balance) => notice = Some(Notice::done("code_applied", "", balance)),
            Err(reason) => forms.code_error = Some(reason),
        },
    }
    let screen = client::profile_screen(db, &locale(&headers), &q, notice, forms).await?;
    page(&state, &headers, "admin/client.html", &screen)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct GroupForm {
    group_id: String,
    /// `add` or `remove`.
    change: String,
}

#[utoipa::path(post, path = "/v1/render/admin/client/{id}/groups", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{group_id, change: add|remove}`"),
    description = "Adds the client to a group or takes it out; answers the Groups tab.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn change_group(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let form: GroupForm = form_body(&body)?;
    let q = profile_query(raw.as_deref(), id, Tab::Groups)?;
    let group_id = form
        .group_id
        .trim()
        .parse()
        .map_err(|_| ApiError::field("group_id", "group_id is the id of a group"))?;
    let add = match form.change.as_str() {
        "add" => true,
        "remove" => false,
        _ => return Err(ApiError::field("change", "change is add or remove")),
    };
    let screen =
        client::change_group(&state.db, &locale(&headers), actor, &q, group_id, add).await?;
    page(&state, &headers, "admin/client.html", &screen)
}

#[utoipa::path(post, path = "/v1/render/admin/clients/bulk", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{bulk_action, ids: [id, …], bulk_group_id}`; ids may be numbers or strings (form fields)"),
    description = "Applies the bulk action of the Clients screen (`bulk_action`: block, unblock, delete, restore, add_to_group with `bulk_group_id`, export) to `ids`, then answers the screen for the query string with a notice of what happened.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 422)))]
async fn clients_bulk(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let query = ClientsQuery::parse(raw.as_deref())?;
    // The plugin sends no body when the form had no field to send.
    let form: BulkForm = if body.trim_ascii().is_empty() {
        BulkForm::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::invalid("invalid_body", e.to_string()))?
    };
    let outcome = super::apply(
        &state.db,
        actor,
        query.view,
        form.bulk_action,
        &form.ids,
        form.bulk_group_id,
    )
    .await?;
    render(&state, &headers, &query, Some(outcome)).await
}

#[utoipa::path(post, path = "/v1/render/admin/clients/{id}/{action}", tag = "admin",
    description = "A row action of the Clients screen (`block`, `unblock`, `delete`, `restore`) on one client; answers the screen for the query string with a notice. Any body is ignored.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn clients_row_action(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path((id, action)): Path<(u64, String)>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let action = Action::from_path(&action).ok_or(ApiError::NotFound)?;
    let query = ClientsQuery::parse(raw.as_deref())?;
    let outcome = super::apply(&state.db, actor, query.view, Some(action), &[id], None).await?;
    render(&state, &headers, &query, Some(outcome)).await
}
