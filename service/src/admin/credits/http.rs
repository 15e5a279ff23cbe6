use super::{CreditsQuery, NewCodeForm, Outcome, screen};
use crate::{
    admin::{
        domain::id_list,
        http::{locale, page},
        profile::Notice,
    },
    auth::Actor,
    clients,
    error::{ApiError, ApiResult},
    gift_codes::{self, NewCode, NewCodeRequest},
    idempotency::Idempotent,
    state::AppState,
};
use axum::{
    extract::{Path, RawQuery, Request, State},
    http::{HeaderMap, StatusCode},
    response::Html,
};
use chrono::Utc;
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

const TEMPLATE: &str = "admin/credits.html";

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(credits_screen))
        .routes(routes!(create_code))
        .routes(routes!(revoke_code))
        .routes(routes!(apply_code))
        .routes(routes!(send_code))
}

async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    q: &CreditsQuery,
    outcome: Outcome,
) -> ApiResult<Html<String>> {
    let view = screen(&state.db, &locale(headers), q, outcome).await?;
    page(state, headers, TEMPLATE, &view)
}

#[utoipa::path(get, path = "/v1/render/admin/credits", tag = "admin",
    description = "The Credits & Gifts screen of wp-admin as an HTML fragment. `tab=gift-codes` (the default: `status`, `before`; `code=<id>` opens a code, `confirm=revoke` asks before revoking; `action=new` is the create form; `search` and `client_ids[]` choose clients for a code) or `tab=movements` (every wallet movement: `client` search or `client_id`, `kind`, `from`/`to` dates on the business's clock, `actor` = `role:id`, a role or `system`, `before`). `X-Volixta-Locale` sets the language.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404), (status = 422)))]
async fn credits_screen(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let q = CreditsQuery::parse(raw.as_deref())?;
    answer(&state, &headers, &q, Outcome::default()).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CreateForm {
    value: String,
    /// The last day the code works (on the business's clock).
    expires: String,
    max_redemptions: String,
    own_code: String,
    note: String,
    #[serde(deserialize_with = "id_list")]
    client_ids: Vec<u64>,
}

impl CreateForm {
    fn typed(&self) -> NewCodeForm {
        NewCodeForm {
            value: self.value.clone(),
            expires: self.expires.clone(),
            max_redemptions: self.max_redemptions.clone(),
            code: self.own_code.clone(),
            note: self.note.clone(),
            errors: Default::default(),
        }
    }
}

/// The form's fields as the gift codes domain's request, or the field that is not even a value.
fn code_request(
    form: &CreateForm,
    clock: crate::admin::display::Clock,
) -> Result<NewCodeRequest, (&'static str, &'static str)> {
    let value = crate::admin::profile::typed_amount(&form.value)
        .ok_or(("value", "Enter an amount above zero, like 25.00."))?;
    let expires_at = match form.expires.trim() {
        "" => None,
        day => {
            let last = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")
                .map_err(|_| ("expires", "Enter a date like 2026-12-31."))?;
            Some(super::day_start(clock, last.succ_opt().unwrap_or(last)))
        }
    };
    let max_redemptions = match form.max_redemptions.trim() {
        "" => None,
        n => Some(
            n.parse::<u32>()
                .map_err(|_| ("max_redemptions", "Enter a whole number, like 10."))?,
        ),
    };
    let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    Ok(NewCodeRequest {
        value,
        expires_at,
        max_redemptions,
        code: text(&form.own_code),
        client_ids: Some(form.client_ids.clone()),
        note: text(&form.note),
    })
}

/// The create form's field that a field of the gift codes API stands for.
fn form_field(api_field: &str) -> String {
    match api_field {
        "expires_at" => "expires",
        "code" => "own_code",
        "client_ids" => "clients",
        other => other,
    }
    .to_owned()
}

#[utoipa::path(post, path = "/v1/render/admin/credits/gift-codes", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{value, expires (a date), max_redemptions, own_code, note, client_ids: [id, …]}` as form strings"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the form was rendered with: a resent form creates one code")),
    description = "Creates a gift code (as `POST /v1/gift-codes`); answers the code's view with the code in full, shown this once, or the form again with the reasons beside the fields.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403)))]
async fn create_code(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<CreateForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let mut q = CreditsQuery::parse(raw.as_deref())?;
    let db = &state.db;
    let clock = crate::admin::display::Clock::business(db).await?;
    let mut form = request.command.typed();
    let parsed = code_request(&request.command, clock)
        .map_err(|(field, message)| ApiError::field(field, message))
        .and_then(|r| NewCode::parse(&r, Utc::now()).map_err(ApiError::from));
    let new = match parsed {
        Ok(new) => new,
        Err(e) => return refused_form(&state, &headers, q, form, e).await,
    };
    let (keys, actor, new) = (&gift_codes::http::keys(&state), request.actor, &new);
    let created = request
        .run(db, StatusCode::CREATED, |mut tx| async move {
            let result = gift_codes::create(&mut tx, db, keys, actor, new).await;
            (tx, result)
        })
        .await;
    let response = match created {
        Ok(response) => response,
        Err(e) => {
            form.errors.clear();
            return refused_form(&state, &headers, q, form, e).await;
        }
    };
    let body = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .map_err(anyhow::Error::from)?;
    let id = serde_json::from_slice::<serde_json::Value>(&body).map_err(anyhow::Error::from)?["id"]
        .as_u64()
        .ok_or(ApiError::NotFound)?;
    let revealed = gift_codes::reveal_code(db, keys, id)
        .await?
        .map(|c| c.shown());
    q.set("code", Some(id.to_string()));
    q.set("action", None);
    q.chosen.clear();
    let outcome = Outcome {
        notice: Some(Notice::done("created", "", "")),
        revealed,
        ..Outcome::default()
    };
    answer(&state, &headers, &q, outcome).await
}

async fn refused_form(
    state: &AppState,
    headers: &HeaderMap,
    mut q: CreditsQuery,
    mut form: NewCodeForm,
    refusal: ApiError,
) -> ApiResult<Html<String>> {
    let notice = match refusal {
        ApiError::Invalid { fields, .. } if !fields.is_empty() => {
            for (field, message) in fields {
                form.errors.insert(form_field(&field), message);
            }
            None
        }
        ApiError::Invalid { message, .. } | ApiError::Conflict { message, .. } => {
            Some(Notice::refused(message))
        }
        other => return Err(other),
    };
    q.set("action", Some("new".into()));
    let outcome = Outcome {
        notice,
        form: Some(form),
        ..Outcome::default()
    };
    answer(state, headers, &q, outcome).await
}

#[utoipa::path(post, path = "/v1/render/admin/credits/gift-codes/{id}/revoke", tag = "admin",
    description = "Revokes a gift code (as `POST /v1/gift-codes/{id}/revoke`; redemptions already made keep their credit) and answers the code's view. Any body is ignored.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn revoke_code(
    State(state): State<AppState>,
    actor: Actor,
    headers: HeaderMap,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Html<String>> {
    actor.require_manager()?;
    let mut q = CreditsQuery::parse(raw.as_deref())?;
    gift_codes::revoke(&state.db, actor, id).await?;
    q.set("code", Some(id.to_string()));
    let outcome = Outcome {
        notice: Some(Notice::done("revoked", "", "")),
        ..Outcome::default()
    };
    answer(&state, &headers, &q, outcome).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApplyForm {
    client_id: String,
}

#[utoipa::path(post, path = "/v1/render/admin/credits/gift-codes/{id}/apply", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{client_id}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the code's view was rendered with")),
    description = "Applies the gift code to a client's wallet (as `POST /v1/gift-codes/{id}/apply`); answers the code's view with what was done, or why not beside the form.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn apply_code(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<ApplyForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let mut q = CreditsQuery::parse(raw.as_deref())?;
    q.set("code", Some(id.to_string()));
    let db = &state.db;
    let mut outcome = Outcome::default();
    match request.command.client_id.trim().parse::<u64>() {
        Err(_) => outcome.apply_error = Some("Choose a client.".into()),
        Ok(client_id) => {
            match crate::admin::apply_code(&request, db, &locale(&headers), id, client_id).await? {
                Ok(balance) => {
                    let name = clients::get(db, client_id).await?.full_name();
                    outcome.notice = Some(Notice::done("code_applied_to", name, balance));
                    q.set("search", None);
                    q.chosen.clear();
                }
                Err(reason) => outcome.apply_error = Some(reason),
            }
        }
    }
    answer(&state, &headers, &q, outcome).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SendForm {
    #[serde(deserialize_with = "id_list")]
    client_ids: Vec<u64>,
}

#[utoipa::path(post, path = "/v1/render/admin/credits/gift-codes/{id}/send", tag = "admin",
    request_body(content = String, content_type = "application/json", description = "`{client_ids: [id, …]}`"),
    params(("Idempotency-Key" = Option<String>, Header, description = "the key the code's view was rendered with")),
    description = "Asks for the code to be e-mailed to the chosen clients (as `POST /v1/gift-codes/{id}/send`: one queued request per client); answers the code's view with its e-mail requests, or why not beside the form.",
    responses((status = 200, content_type = "text/html", body = String), (status = 403), (status = 404)))]
async fn send_code(
    State(state): State<AppState>,
    Path(id): Path<u64>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> ApiResult<Html<String>> {
    let headers = request.headers().clone();
    let request = Idempotent::<SendForm>::with_optional_body(request, &state).await?;
    request.actor.require_manager()?;
    let mut q = CreditsQuery::parse(raw.as_deref())?;
    q.set("code", Some(id.to_string()));
    let db = &state.db;
    let mut outcome = Outcome::default();
    match gift_codes::send_targets(&request.command.client_ids) {
        Err(e) => outcome.send_error = Some(e.to_string()),
        Ok(targets) => {
            let (actor, targets) = (request.actor, targets.as_slice());
            let sent = request
                .run(db, StatusCode::ACCEPTED, |mut tx| async move {
                    let result = gift_codes::request_send(&mut tx, db, actor, id, targets).await;
                    (tx, result)
                })
                .await;
            match sent {
                Ok(_) => {
                    outcome.notice = Some(Notice::done("queued", targets.len().to_string(), ""));
                    q.set("search", None);
                    q.chosen.clear();
                }
                Err(ApiError::Invalid { message, .. } | ApiError::Conflict { message, .. }) => {
                    outcome.send_error = Some(message);
                }
                Err(e) => return Err(e),
            }
        }
    }
    answer(&state, &headers, &q, outcome).await
}
